#pragma once

#include "resultstore.h"
#include "storeworker.h"
#include "taskresult.h"

#include <memory>

#include <QPointer>
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
class QVBoxLayout;
class TracebackView;
class JsonHighlighter;
class TaskResultModel;

/// The read-only detail of one task result, grouped as the Django admin's TaskResult page:
/// Identity, Parameters, Result, Dates. Shows a complete row (TaskResult::complete), a
/// loading state, or an error. Pure view: does no database work.
///
/// Decoding (pickles, Python literals, pretty JSON) is linear in a value's size: a row whose
/// stored values exceed syncDecodeLimit characters is decoded by the decoder's background
/// thread (TaskResultModel::decode()) and shown when done (a newer showResult()/clear()
/// drops the stale reply). The same thread picks what the text views lay out: at most
/// maxShownChars characters of a value, wrapped anywhere when a line is longer than
/// maxLineChars, with a note and "Show all" (a window that loads the rest piece by piece),
/// "Save to file…" and "Copy", which give all of it.
///
/// Lives on the GUI thread; owned by its parent.
class DetailPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetailPane)
public:
    explicit DetailPane(QWidget *parent = nullptr);
    ~DetailPane() override;

    /// The model whose decoding thread decodes large rows (the window's). Without one, every
    /// row is decoded at once, on this thread.
    void setDecoder(TaskResultModel *model);
    /// What the open store holds: explains unavailable fields and result_extended being off.
    void setStoreInfo(const StoreInfo &info);
    /// "Loading task <id>…" until showResult()/showError().
    void showLoading(const QString &taskId);
    /// A complete row (from TaskResultModel::detailReady).
    void showResult(const TaskResult &row);
    /// The row could not be read; message is a human sentence.
    void showError(const QString &message);
    /// Nothing selected: "Select a task result to see its details.", or `note` when given.
    void clear(const QString &note = QString());

    /// The saved groups that list task `taskId` (ResultStore::groupsOf(), asked by the window):
    /// shown as links in the Identity section while that task is shown; ignored otherwise.
    void setSavedGroups(const QString &taskId, const QStringList &groupIds);

    /// The row shown now (rowId -1 when none).
    const TaskResult &currentRow() const { return m_row; }

    /// True while the values of the row shown are being decoded off the GUI thread.
    bool isDecoding() const { return !m_values && (m_row.rowId >= 0 || !m_row.taskId.isEmpty()); }

    /// Rows whose args, kwargs, result, meta and traceback add up to more characters than
    /// this are decoded on the decoder's thread; smaller ones at once.
    static constexpr qsizetype syncDecodeLimit = 64 * 1024;
    /// Most characters of one decoded value put into a text view.
    static constexpr qsizetype maxShownChars = 64 * 1024;
    /// A shown value with a longer line wraps anywhere, not at word boundaries (Qt's word
    /// wrap is quadratic in the length of a line without any).
    static constexpr qsizetype maxLineChars = 1000;

    /// The whole readable text of args, kwargs, result or meta of the row shown (what Copy,
    /// Save to file… and Show all give); empty while decoding.
    QString fullText(Field field) const;
    /// Writes fullText(field) to fileName as UTF-8; false with a sentence in *error.
    bool saveValue(Field field, const QString &fileName, QString *error = nullptr) const;
    /// Opens fullText(field) in a window of its own (loaded piece by piece); returns it, or
    /// null while decoding.
    QWidget *showAll(Field field);

Q_SIGNALS:
    /// The values of the row given to showResult() are decoded and on screen (emitted once
    /// per showResult(), also when decoding was synchronous).
    void valuesShown();

    /// The user clicked a task name, worker, status or periodic task to filter by it.
    void filterRequested(Field field, const QString &value);
    /// The user followed a link to another task (its parent, a child).
    void taskRequested(const QString &taskId);
    /// The user followed a link to a saved group of the task shown (`taskId`'s groups).
    void groupRequested(const QString &taskId, const QString &groupId);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Ui;
    struct ShownValue;
    struct Values;
    struct Render;
    /// Pure: runs on the decoder's thread for large rows.
    static std::shared_ptr<const Values> decodeValues(const TaskResult &row);
    void buildUi();
    QVBoxLayout *buildFrame();
    void buildBanners(QVBoxLayout *layout);
    void buildIdentitySection(QVBoxLayout *layout);
    void buildParametersSection(QVBoxLayout *layout);
    void buildResultSection(QVBoxLayout *layout);
    void buildDatesSection(QVBoxLayout *layout);
    void connectLinksAndButtons();
    /// Asks for a file name, then saveValue().
    void saveValueAs(Field field);
    void render();
    void renderNotes(const Render &r);
    void renderIdentity(const Render &r);
    /// Parent, children (TaskGroups::childrenOf() of meta) and saved groups as links.
    void renderRelations(const Render &r);
    void renderParameters(Render &r);
    void renderResult(Render &r);
    void renderTraceback(Render &r);
    void renderDates(const Render &r);
    void renderProblems(const Render &r);
    void applyPalette();
    void showPlaceholder(const QString &text);
    /// The decode in flight is not wanted any more: its reply never comes.
    void dropDecode();

    std::unique_ptr<Ui> m_ui;
    StoreInfo m_info;
    bool m_hasInfo = false;
    TaskResult m_row;
    QString m_groupsTaskId;  ///< the task setSavedGroups() was last given
    QStringList m_groupIds;  ///< its saved groups
    /// Decoded values of m_row; null while the decoder's thread decodes them.
    std::shared_ptr<const Values> m_values;
    QPointer<TaskResultModel> m_decoder;
    RequestId m_decodeRequest = 0; ///< the decode in flight (0: none)
};
