#pragma once

#include <QString>

/// Writes benchmark databases: the django-celery-results 2.4 schema (migration 0011; the DDL
/// and indexes Django's migrate makes on SQLite) filled with a realistic, deterministic mix
/// of task results. Synchronous; any thread.
namespace Generator {

/// Facts the cases rely on (search words, the purge cutoff), fixed by the generator.
struct Facts
{
    static constexpr const char *firstDay = "2025-01-01 00:00:00"; ///< date_done spans 60 days from here
    static constexpr int days = 60;
    static constexpr const char *purgeCutoff = "2025-01-31 00:00:00"; ///< about half the rows are older
    static constexpr const char *nameWord = "reconcile";   ///< a word of 2 of the 40 task names
    static constexpr const char *argsWord = "quokka";      ///< occurs only in task_args (~0.5% of rows)
    /// Occurs in no searched column (only in tracebacks, which search leaves out): a search
    /// for it must read every row to say "0 results", as issue 13's `timeout` did.
    static constexpr const char *rareWord = "timeout";
    static constexpr const char *filterTaskName = "acme.billing.invoices.tasks.send_invoice_reminders";
};

/// The path of the cached database for `rows` rows in `dir` (stalk-bench-<rows>.sqlite3).
QString pathFor(const QString &dir, qint64 rows);

/// Makes the database unless a complete one is already there. Returns an empty string on
/// success, else what failed. Progress goes to stderr.
QString ensure(const QString &dir, qint64 rows);

} // namespace Generator
