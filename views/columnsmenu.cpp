#include "columnsmenu.h"

#include <QHeaderView>

#include "taskresultmodel.h"

ColumnsMenu::ColumnsMenu(QHeaderView *header, TaskResultModel *model, QWidget *parent)
    : QMenu(tr("&Columns"), parent), m_header(header), m_model(model)
{
    setObjectName(QStringLiteral("columnsMenu"));
    setToolTipsVisible(true);
    connect(this, &QMenu::aboutToShow, this, &ColumnsMenu::rebuild);
    rebuild();
}

void ColumnsMenu::rebuild()
{
    clear();
    const int count = m_header->count();
    for (int visual = 0; visual < count; ++visual) {
        const int logical = m_header->logicalIndex(visual);
        const QString title = m_model->headerData(logical, Qt::Horizontal).toString();
        QAction *action = addAction(title);
        action->setCheckable(true);
        action->setChecked(!m_header->isSectionHidden(logical));
        const bool available = !m_model->isOpen() || m_model->isColumnAvailable(logical);
        action->setEnabled(available);
        if (!available) {
            action->setChecked(false);
            action->setToolTip(tr("This database's schema (%1) has no %2 column")
                                   .arg(m_model->storeInfo().schema, title));
        }
        connect(action, &QAction::toggled, this, [this, logical](bool on) {
            // Never hide the last visible column: the table would vanish.
            int visible = 0;
            for (int i = 0; i < m_header->count(); ++i)
                visible += m_header->isSectionHidden(i) ? 0 : 1;
            if (!on && visible <= 1)
                return;
            m_header->setSectionHidden(logical, !on);
            Q_EMIT columnVisibilityChanged(logical, on);
        });
    }
    addSeparator();
    QAction *reset = addAction(tr("&Reset columns"));
    reset->setObjectName(QStringLiteral("resetColumnsAction"));
    connect(reset, &QAction::triggered, this, &ColumnsMenu::resetRequested);
}
