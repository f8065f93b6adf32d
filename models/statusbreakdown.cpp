#include "statusbreakdown.h"

#include <algorithm>

#include <QStringList>
#include <QVector>

#include "displaytext.h"

QString statusBreakdown(const QMap<QString, qint64> &byStatus, const QLocale &locale)
{
    // The map is in status order already; a stable sort by count keeps it for ties.
    QVector<QPair<QString, qint64>> counts;
    for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it) {
        if (it.value() > 0)
            counts.append({it.key(), it.value()});
    }
    std::stable_sort(counts.begin(), counts.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    QStringList parts;
    for (const auto &[status, count] : std::as_const(counts)) {
        const QString name = status.isNull()    ? QStringLiteral("(none)")
                             : status.isEmpty() ? QStringLiteral("(empty)")
                                                : DisplayText::value(status, DisplayText::maxColumns);
        parts << locale.toString(count) + u' ' + name;
    }
    return parts.join(QStringLiteral(", "));
}
