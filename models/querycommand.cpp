#include "querycommand.h"

#include <QRegularExpression>

namespace QueryCommand {

QStringList filterArguments(const TaskQuery &query)
{
    QStringList words;
    if (!query.search.isEmpty())
        words << QStringLiteral("--search") << query.search;
    for (const auto &[option, values] : {std::pair{QStringLiteral("--status"), &query.statuses},
                                         std::pair{QStringLiteral("--task-name"), &query.taskNames},
                                         std::pair{QStringLiteral("--worker"), &query.workers},
                                         std::pair{QStringLiteral("--periodic-task"), &query.periodicTaskNames},
                                         std::pair{QStringLiteral("--exception"), &query.exceptions},
                                         std::pair{QStringLiteral("--fingerprint"), &query.fingerprints}}) {
        for (const QString &value : *values)
            words << option << (value.isNull() ? QStringLiteral("") : value);
    }
    for (const auto &[option, date] : {std::pair{QStringLiteral("--done-after"), &query.doneAfter},
                                       std::pair{QStringLiteral("--done-before"), &query.doneBefore}}) {
        if (date->isValid())
            words << option << date->toUTC().toString(Qt::ISODateWithMs);
    }
    return words;
}

QString shellQuoted(const QString &word)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    if (plain.match(word).hasMatch())
        return word;
    QString quoted = word;
    quoted.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + quoted + u'\'';
}

QString shellCommandLine(const QStringList &words)
{
    QStringList quoted;
    quoted.reserve(words.size());
    for (const QString &word : words)
        quoted << shellQuoted(word);
    return quoted.join(u' ');
}

} // namespace QueryCommand
