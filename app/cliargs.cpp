#include "cliargs.h"

#include <algorithm>

namespace {

int editDistance(const QString &a, const QString &b)
{
    QVector<int> previous(b.size() + 1);
    QVector<int> current(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

const CliOption *findLong(const QVector<CliOption> &options, const QString &name)
{
    for (const CliOption &option : options) {
        if (option.name == name)
            return &option;
    }
    return nullptr;
}

const CliOption *findShort(const QVector<CliOption> &options, QChar name)
{
    for (const CliOption &option : options) {
        if (!option.shortName.isNull() && option.shortName == name)
            return &option;
    }
    return nullptr;
}

QString unknownOption(const QString &given, const QVector<CliOption> &options)
{
    QStringList names;
    for (const CliOption &option : options)
        names << QStringLiteral("--") + option.name;
    const QString bare = given.section(u'=', 0, 0);
    const QString suggestion = suggestClosest(bare.startsWith(QLatin1String("--")) ? bare
                                                                                   : QStringLiteral("-") + bare,
                                              names);
    QString message = QStringLiteral("unknown option '%1'").arg(bare);
    if (!suggestion.isEmpty())
        message += QStringLiteral(" (did you mean '%1'?)").arg(suggestion);
    return message;
}

} // namespace

CliArguments parseCliArguments(const QStringList &arguments, const QVector<CliOption> &options)
{
    CliArguments parsed;
    const auto store = [&parsed](const CliOption &option, const QString &value) {
        QStringList &values = parsed.values[option.name];
        if (!option.repeatable)
            values.clear();
        values << value;
    };

    bool onlyPositionals = false;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (onlyPositionals || argument == u"-" || !argument.startsWith(u'-')) {
            parsed.positionals << argument;
            continue;
        }
        if (argument == u"--") {
            onlyPositionals = true;
            continue;
        }

        const CliOption *option = nullptr;
        QString inlineValue;
        bool hasInlineValue = false;
        QString spelled;
        if (argument.startsWith(QLatin1String("--"))) {
            const qsizetype equals = argument.indexOf(u'=');
            const QString name = argument.mid(2, equals < 0 ? -1 : equals - 2);
            spelled = QStringLiteral("--") + name;
            if (equals >= 0) {
                hasInlineValue = true;
                inlineValue = argument.mid(equals + 1);
            }
            option = findLong(options, name);
        } else if (argument.size() == 2) {
            spelled = argument;
            option = findShort(options, argument.at(1));
        }
        if (!option) {
            parsed.error = unknownOption(argument, options);
            return parsed;
        }

        if (!option->takesValue()) {
            if (hasInlineValue) {
                parsed.error = QStringLiteral("option '%1' takes no value").arg(spelled);
                return parsed;
            }
            store(*option, QStringLiteral(""));
            continue;
        }
        if (hasInlineValue) {
            store(*option, inlineValue);
            continue;
        }
        if (i + 1 >= arguments.size()) {
            parsed.error = QStringLiteral("option '%1' needs a value (%1 %2)").arg(spelled, option->valueName);
            return parsed;
        }
        store(*option, arguments.at(++i));
    }
    return parsed;
}

QString suggestClosest(const QString &word, const QStringList &candidates)
{
    QString best;
    int bestDistance = 3; // more than two edits is not a typo
    QStringList prefixed;
    for (const QString &candidate : candidates) {
        const int distance = editDistance(word, candidate);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
        }
        if (word.size() >= 2 && candidate.startsWith(word))
            prefixed << candidate;
    }
    if (best.isEmpty() && prefixed.size() == 1)
        best = prefixed.constFirst();
    return best;
}

QString formatOptionHelp(const QVector<CliOption> &options)
{
    QStringList left;
    int width = 0;
    QVector<CliOption> shown;
    for (const CliOption &option : options) {
        if (!option.hidden)
            shown << option;
    }
    for (const CliOption &option : shown) {
        QString text = option.shortName.isNull() ? QStringLiteral("      ")
                                                 : QStringLiteral("  -%1, ").arg(option.shortName);
        text += QStringLiteral("--") + option.name;
        if (option.takesValue())
            text += u' ' + option.valueName;
        left << text;
        width = std::max(width, int(text.size()));
    }
    QString help;
    for (qsizetype i = 0; i < shown.size(); ++i) {
        help += left.at(i).leftJustified(width + 2) + shown.at(i).help;
        if (shown.at(i).repeatable)
            help += QStringLiteral(" (repeatable)");
        help += u'\n';
    }
    return help;
}
