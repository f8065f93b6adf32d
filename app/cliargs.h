#pragma once

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

/// One option a command accepts. Plain value type.
struct CliOption
{
    QString name;      ///< long name without dashes: "task-name"
    QChar shortName;   ///< 'h', 'y'; null when there is none
    QString valueName; ///< "NAME", "N"; empty for a flag
    QString help;      ///< one line for --help
    bool repeatable = false; ///< every value is kept (else the last one wins)
    bool hidden = false;     ///< accepted but left out of --help

    bool takesValue() const { return !valueName.isEmpty(); }
};

/// The outcome of parsing a command's arguments. Plain value type.
struct CliArguments
{
    QMap<QString, QStringList> values; ///< option name -> values in order (flags: one empty value)
    QStringList positionals;
    QString error; ///< empty on success; else a sentence without the "stalk CMD:" prefix

    bool has(const QString &name) const { return values.contains(name); }
    /// The last value given for the option, or a null QString.
    QString value(const QString &name) const
    {
        const auto it = values.constFind(name);
        return it == values.constEnd() || it->isEmpty() ? QString() : it->constLast();
    }
    QStringList all(const QString &name) const { return values.value(name); }
};

/// Parses arguments against options: "--name value", "--name=value", "-x", "-x value",
/// flags, "--" (everything after is positional). Options and positionals may be mixed.
/// An option's value is taken as is even when it starts with '-' ("--search -x").
/// Unknown options get a "did you mean" suggestion.
CliArguments parseCliArguments(const QStringList &arguments, const QVector<CliOption> &options);

/// The candidate nearest to word by edit distance (at most 2 edits, or a unique prefix), or
/// an empty string.
QString suggestClosest(const QString &word, const QStringList &candidates);

/// Help lines for options: "  --task-name NAME    only these task names (repeatable)".
QString formatOptionHelp(const QVector<CliOption> &options);
