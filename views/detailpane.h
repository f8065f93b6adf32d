#pragma once

#include "resultstore.h"
#include "taskresult.h"

#include <QScrollArea>
#include <QWidget>

class QLabel;
class QPushButton;
class QStackedWidget;
class QTextEdit;
class QToolButton;
class QFrame;
class QGroupBox;
class QFormLayout;
class TracebackView;
class JsonHighlighter;

/// The read-only detail of one task result, grouped as the Django admin's TaskResult page:
/// Identity, Parameters, Result, Dates. Shows a complete row (TaskResult::complete), a
/// loading state, or an error. Pure view: does no database work.
///
/// Lives on the GUI thread; owned by its parent.
class DetailPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetailPane)
public:
    explicit DetailPane(QWidget *parent = nullptr);
    ~DetailPane() override;

    /// What the open store holds: explains unavailable fields and result_extended being off.
    void setStoreInfo(const StoreInfo &info);
    /// "Loading task <id>…" until showResult()/showError().
    void showLoading(const QString &taskId);
    /// A complete row (from TaskResultModel::detailReady).
    void showResult(const TaskResult &row);
    /// The row could not be read; message is a human sentence.
    void showError(const QString &message);
    /// Nothing selected.
    void clear();

    /// The row shown now (rowId -1 when none).
    const TaskResult &currentRow() const { return m_row; }

Q_SIGNALS:
    /// The user clicked a task name, worker, status or periodic task to filter by it.
    void filterRequested(Field field, const QString &value);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Ui;
    void buildUi();
    void render();
    void applyPalette();
    void showPlaceholder(const QString &text);

    std::unique_ptr<Ui> m_ui;
    StoreInfo m_info;
    bool m_hasInfo = false;
    TaskResult m_row;
};
