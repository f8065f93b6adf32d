#include "clioutput.h"

#include "displaytext.h"
#include "jsonescape.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <sys/ioctl.h>
#include <unistd.h>

namespace {

void writeTo(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    if (!bytes.isEmpty())
        std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
}

} // namespace

void CliConsole::out(const QString &text) const
{
    writeTo(stdout, text);
}

void CliConsole::err(const QString &text) const
{
    // stderr is unbuffered; make sure what went to stdout before comes first on a terminal.
    std::fflush(stdout);
    writeTo(stderr, text);
}

void CliConsole::flush() const
{
    std::fflush(stdout);
}

bool CliConsole::outputFailed() const
{
    return std::ferror(stdout) != 0;
}

bool CliConsole::stdinIsTerminal()
{
    return ::isatty(STDIN_FILENO) == 1;
}

bool CliConsole::stdoutIsTerminal()
{
    return ::isatty(STDOUT_FILENO) == 1;
}

bool CliConsole::stderrIsTerminal()
{
    return ::isatty(STDERR_FILENO) == 1;
}

int CliConsole::terminalColumns()
{
    bool ok = false;
    const int columns = qEnvironmentVariableIntValue("COLUMNS", &ok);
    if (ok && columns > 0)
        return columns;
    if (!stdoutIsTerminal())
        return 0;
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

std::optional<CliRecords::Format> CliRecords::formatNamed(const QString &name)
{
    if (name == u"table")
        return Format::Table;
    if (name == u"csv")
        return Format::Csv;
    if (name == u"json")
        return Format::Json;
    return std::nullopt;
}

namespace {

/// A number or null as JSON writes it (the shortest text that reads back the same double).
QString jsonScalar(const QJsonValue &value)
{
    if (value.isString())
        return u'"' + JsonEscape::escaped(value.toString(), JsonEscape::Mode::ControlOnly) + u'"';
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

} // namespace

QVector<int> CliRecords::columnsIn(Format format) const
{
    QVector<int> kept;
    for (int c = 0; c < int(columns.size()); ++c) {
        if (!onlyIn.contains(c) || onlyIn.value(c).contains(format))
            kept << c;
    }
    return kept;
}

QString CliRecords::text(Format format) const
{
    const QVector<int> kept = columnsIn(format);
    QString out;
    switch (format) {
    case Format::Json:
        if (rows.isEmpty())
            return QStringLiteral("[]\n");
        out = QStringLiteral("[\n");
        for (qsizetype r = 0; r < rows.size(); ++r) {
            out += QStringLiteral("  {");
            for (const int c : kept) {
                if (c != kept.constFirst())
                    out += QStringLiteral(", ");
                out += u'"' + JsonEscape::escaped(columns.at(c), JsonEscape::Mode::ControlOnly)
                    + QStringLiteral("\": ") + jsonScalar(rows.at(r).value(c));
            }
            out += r + 1 < rows.size() ? QStringLiteral("},\n") : QStringLiteral("}\n");
        }
        return out + QStringLiteral("]\n");
    case Format::Csv: {
        QStringList header;
        for (const int c : kept)
            header << csvField(columns.at(c));
        out = header.join(u',') + QStringLiteral("\r\n");
        for (const QVector<QJsonValue> &row : rows) {
            QStringList fields;
            for (const int c : kept) {
                const QJsonValue value = row.value(c);
                fields << (value.isString() ? csvField(value.toString())
                           : value.isNull()   ? QString()
                                              : csvField(jsonScalar(value))); // arrays, objects: quoted JSON
            }
            out += fields.join(u',') + QStringLiteral("\r\n");
        }
        return out;
    }
    case Format::Table: {
        QVector<QStringList> cells;
        QVector<int> widths;
        QVector<bool> numeric(kept.size(), false);
        QStringList header; // status names are stored text too
        for (const int c : kept) {
            header << DisplayText::value(columns.at(c), DisplayText::maxColumns);
            widths << DisplayText::width(header.constLast());
        }
        for (const QVector<QJsonValue> &row : rows) {
            QStringList line;
            for (qsizetype i = 0; i < kept.size(); ++i) {
                const int c = kept.at(i);
                const QJsonValue value = row.value(c);
                numeric[i] = numeric[i] || value.isDouble();
                QString shown = display ? display(c, value)
                    : value.isNull()    ? QStringLiteral("-")
                    : value.isString()  ? DisplayText::value(value.toString(), DisplayText::maxColumns)
                                        : jsonScalar(value);
                widths[i] = std::max(widths[i], DisplayText::width(shown));
                line << shown;
            }
            cells << line;
        }
        const auto lineOf = [&](const QStringList &line) {
            QString text;
            for (qsizetype c = 0; c < line.size(); ++c) {
                const int pad = widths[c] - DisplayText::width(line.at(c));
                const bool last = c + 1 == line.size();
                text += numeric[c] ? QString(pad, u' ') + line.at(c) : last ? line.at(c) : DisplayText::padded(line.at(c), widths[c]);
                text += last ? QStringLiteral("\n") : QStringLiteral("  ");
            }
            return text;
        };
        out = lineOf(header);
        for (const QStringList &line : cells)
            out += lineOf(line);
        return out;
    }
    }
    return out;
}
