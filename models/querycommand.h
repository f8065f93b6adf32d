#pragma once

#include "taskquery.h"

#include <QStringList>

/// A TaskQuery written back as the command line's FILTERS, so that what the window shows can
/// be asked again from a shell or a cron job (Edit → Copy as Command). The command line reads
/// these options in app/cli.cpp (buildQuery()); tst_mainwindow runs what the window copies
/// with the real `stalk` and compares the rows.
namespace QueryCommand {

/// `--search TEXT`, then each facet value (`--status`, `--task-name`, `--worker`,
/// `--periodic-task`; '' for NULL), then `--done-after`/`--done-before` as ISO 8601 UTC with
/// milliseconds. A relative range ("last hour") is written as the fixed dates it stands for
/// now. The sort order is not a filter and is left out (`stalk list` sorts newest first).
QStringList filterArguments(const TaskQuery &query);

/// One POSIX shell word: as is when it holds only characters no shell treats specially,
/// else in single quotes ('it'\''s').
QString shellQuoted(const QString &word);

/// The words quoted with shellQuoted() and joined by spaces.
QString shellCommandLine(const QStringList &words);

} // namespace QueryCommand
