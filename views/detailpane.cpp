#include "detailpane.h"

#include "displaytext.h"
#include "jsonhighlighter.h"
#include "palettecolors.h"
#include "statusstyle.h"
#include "taskgroup.h"
#include "taskresultmodel.h"
#include "timeparse.h"
#include "tracebackview.h"
#include "valuedecoder.h"

#include <cmath>

#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDir>
#include <QFileDialog>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QTextCursor>
#include <QEvent>
#include <QFontDatabase>
#include <QGridLayout>
#include <QFrame>
#include <QHash>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QScrollBar>
#include <QStackedWidget>
#include <QStyle>
#include <QTextEdit>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

using PaletteColors::isDark;
using PaletteColors::mix;

/// Read-only rich view of a multi-line value that grows to its content (up to a bound) so
/// the pane, not the field, scrolls.
class ValueView final : public QTextEdit
{
    Q_DISABLE_COPY_MOVE(ValueView)
public:
    /// The tallest the view grows, in lines; then it scrolls.
    static constexpr int maxLines = 22;

    explicit ValueView(const QString &name, QWidget *parent) : QTextEdit(parent)
    {
        setObjectName(name);
        setReadOnly(true);
        setAcceptRichText(false);
        setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        setLineWrapMode(QTextEdit::WidgetWidth);
        setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
        setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        setTabChangesFocus(true);
        document()->setDocumentMargin(4);
    }

    /// Shows text, a bounded prefix of a value (DetailPane::maxShownChars). Qt wraps a line
    /// without word boundaries in time quadratic in its length (seconds for 256 K
    /// characters): a text with longLines wraps anywhere, which is linear.
    void setValue(const QString &text, bool longLines)
    {
        // A re-render of the same value (refresh, palette) keeps the document, its layout
        // and where the reader scrolled to.
        if (m_hasText && text == m_text)
            return;
        m_text = text;
        m_hasText = true;
        setWordWrapMode(longLines ? QTextOption::WrapAnywhere : QTextOption::WrapAtWordBoundaryOrAnywhere);
        setPlainText(text);
        fitHeight();
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QTextEdit::resizeEvent(event);
        fitHeight();
    }

private:
    void fitHeight()
    {
        const int lineHeight = QFontMetrics(font()).lineSpacing();
        const int maxHeight = maxLines * lineHeight;
        int h = maxHeight;
        // document()->size() lays out the whole document (seconds for a megabyte); a text
        // with more lines, or more characters than the tallest view can hold even when wide,
        // gets the tallest view without asking.
        const QTextDocument *doc = document();
        if (doc->blockCount() < maxLines && doc->characterCount() < maxLines * 1000) {
            document()->setTextWidth(viewport()->width() > 20 ? viewport()->width() : 400);
            const int content = int(std::ceil(document()->size().height()));
            h = qBound(lineHeight + 10, content + 2 * frameWidth() + 2, maxHeight);
        }
        if (h != height())
            setFixedHeight(h);
    }

    QString m_text; ///< the text last given (shares its data with the decoded value's prefix)
    bool m_hasText = false;
};

/// "Show all", "Save to file…" and "Copy" under a value shown cut short.
class CutActions final : public QWidget
{
    Q_DISABLE_COPY_MOVE(CutActions)
public:
    /// name: the value view's object name; the buttons are name + "ShowAll", "Save", "Copy".
    CutActions(const QString &name, QWidget *parent) : QWidget(parent)
    {
        setObjectName(name + QStringLiteral("Actions"));
        auto *row = new QHBoxLayout(this);
        row->setContentsMargins(0, 0, 0, 0);
        row->setSpacing(4);
        auto add = [&](const char *suffix, const QString &text, const QString &tip) {
            auto *button = new QToolButton(this);
            button->setObjectName(name + QLatin1String(suffix));
            button->setText(text);
            button->setToolTip(tip);
            button->setAccessibleName(tip);
            button->setAutoRaise(true);
            row->addWidget(button);
            return button;
        };
        showAll = add("ShowAll", DetailPane::tr("Show all"),
                      DetailPane::tr("Open the whole value in a window of its own (it loads piece by piece)"));
        save = add("Save", DetailPane::tr("Save to file…"), DetailPane::tr("Save the whole value to a file"));
        copy = add("Copy", DetailPane::tr("Copy"), DetailPane::tr("Copy the whole value"));
        row->addStretch(1);
    }

    QToolButton *showAll = nullptr;
    QToolButton *save = nullptr;
    QToolButton *copy = nullptr;
};

/// The whole readable text of one value, in a window of its own. The text goes into the
/// document one slice per event-loop turn, with lines longer than lineChars broken (Qt lays
/// out a block whole), so the window answers while megabytes load.
class FullValueWindow final : public QDialog
{
    Q_DISABLE_COPY_MOVE(FullValueWindow)
public:
    static constexpr qsizetype lineChars = 4096;
    static constexpr qsizetype sliceChars = 256 * 1024;

    FullValueWindow(const QString &title, const QString &text, QWidget *parent) : QDialog(parent), m_text(text)
    {
        setObjectName(QStringLiteral("fullValueWindow"));
        setAttribute(Qt::WA_DeleteOnClose);
        setWindowTitle(title);
        auto *layout = new QVBoxLayout(this);
        m_status = new QLabel(this);
        m_status->setObjectName(QStringLiteral("fullValueStatus"));
        m_status->setWordWrap(true);
        layout->addWidget(m_status);
        m_view = new QPlainTextEdit(this);
        m_view->setObjectName(QStringLiteral("fullValueText"));
        m_view->setReadOnly(true);
        m_view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        m_view->setUndoRedoEnabled(false);
        m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_view->setWordWrapMode(QTextOption::WrapAnywhere);
        layout->addWidget(m_view, 1);
        resize(900, 700);
        m_timer.setInterval(0);
        connect(&m_timer, &QTimer::timeout, this, &FullValueWindow::appendSlice);
        m_timer.start();
        appendSlice();
    }

    /// True once the whole text is in the document.
    bool isLoaded() const { return m_pos >= m_text.size(); }

private:
    void appendSlice()
    {
        const qsizetype end = qMin(m_text.size(), m_pos + sliceChars);
        QString slice;
        slice.reserve(end - m_pos + (end - m_pos) / lineChars + 1);
        for (qsizetype i = m_pos; i < end; ++i) {
            const QChar c = m_text.at(i);
            if (c == u'\n') {
                m_column = 0;
            } else if (m_column >= lineChars && !c.isLowSurrogate()) {
                slice += QLatin1Char('\n');
                m_column = 0;
                m_broken = true;
            }
            m_column += c == u'\n' ? 0 : 1;
            slice += c;
        }
        m_pos = end;
        QTextCursor cursor(m_view->document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(slice);
        const QString size = QLocale().formattedDataSize(m_text.size(), 1, QLocale::DataSizeTraditionalFormat);
        if (!isLoaded()) {
            m_status->setText(DetailPane::tr("Loading… %1 of %2")
                                  .arg(QLocale().formattedDataSize(m_pos, 1, QLocale::DataSizeTraditionalFormat), size));
            return;
        }
        m_timer.stop();
        QString status = DetailPane::tr("All %1 characters (%2).").arg(QLocale().toString(m_text.size()), size);
        if (m_broken)
            status += QLatin1Char(' ') + DetailPane::tr("Lines longer than %1 characters are shown broken here; "
                                                        "Save to file… and Copy keep them whole.")
                                             .arg(QLocale().toString(lineChars));
        m_status->setText(status);
    }

    QString m_text; ///< shares its data with the decoded value
    QPlainTextEdit *m_view = nullptr;
    QLabel *m_status = nullptr;
    QTimer m_timer;
    qsizetype m_pos = 0;
    qsizetype m_column = 0;
    bool m_broken = false;
};

/// Label/field rows on a QGridLayout. (QFormLayout in Qt 6.4 overruns a heap buffer in
/// heightForWidth() when a row's widgets are hidden, so it is not used here.)
class FormGrid final
{
public:
    explicit FormGrid(QGridLayout *grid) : m_grid(grid) { }
    void addRow(const QString &text, QWidget *field)
    {
        auto *label = new QLabel(text, field->parentWidget());
        label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->setBuddy(field);
        const int row = m_grid->rowCount();
        m_grid->addWidget(label, row, 0, Qt::AlignLeft | Qt::AlignTop);
        m_grid->addWidget(field, row, 1);
        m_labels.insert(field, label);
    }
    /// Widest label, so every section can share one label column.
    int labelWidth() const
    {
        int w = 0;
        for (const QLabel *label : m_labels)
            w = qMax(w, label->sizeHint().width());
        return w;
    }
    void setLabelWidth(int width) { m_grid->setColumnMinimumWidth(0, width); }
    void setRowVisible(QWidget *field, bool visible)
    {
        if (QLabel *label = m_labels.value(field))
            label->setVisible(visible);
        field->setVisible(visible);
    }

private:
    QGridLayout *m_grid;
    QHash<QWidget *, QLabel *> m_labels;
};

} // namespace

/// One decoded value and the part of its text the pane lays out, chosen where it is decoded
/// (a value may be megabytes, even on one line).
struct DetailPane::ShownValue
{
    ShownValue() = default;
    explicit ShownValue(ValueDecoder::Decoded d) : decoded(std::move(d))
    {
        const QString &text = decoded.text;
        qsizetype n = qMin(text.size(), maxShownChars);
        if (n < text.size() && n > 0 && text.at(n - 1).isHighSurrogate())
            --n;
        prefix = n < text.size() ? text.left(n) : text;
        qsizetype lineStart = 0;
        for (qsizetype i = 0; i <= prefix.size() && !longLines; ++i) {
            if (i == prefix.size() || prefix.at(i) == u'\n') {
                longLines = i - lineStart > maxLineChars;
                lineStart = i + 1;
            }
        }
    }
    bool isCut() const { return prefix.size() < decoded.text.size(); }

    ValueDecoder::Decoded decoded;
    QString prefix;         ///< at most maxShownChars of decoded.text
    bool longLines = false; ///< prefix has a line longer than maxLineChars
};

/// What decoding a row gives; made on any thread, then only read.
struct DetailPane::Values
{
    ShownValue args;
    ShownValue kwargs;
    ShownValue result;
    ShownValue meta;
    QString exceptionLine;

    /// The value of field (args, kwargs, result or meta), else null.
    const ShownValue *of(Field field) const
    {
        switch (field) {
        case Field::Args: return &args;
        case Field::Kwargs: return &kwargs;
        case Field::Result: return &result;
        case Field::Meta: return &meta;
        default: return nullptr;
        }
    }
};

std::shared_ptr<const DetailPane::Values> DetailPane::decodeValues(const TaskResult &row)
{
    auto values = std::make_shared<Values>();
    values->args = ShownValue(ValueDecoder::decodeArguments(row.args));
    values->kwargs = ShownValue(ValueDecoder::decodeArguments(row.kwargs));
    values->result = ShownValue(ValueDecoder::decodeResult(row.result, row.contentType, row.contentEncoding));
    values->meta = ShownValue(ValueDecoder::decodeMeta(row.meta));
    values->exceptionLine = ValueDecoder::tracebackExceptionLine(row.traceback);
    return values;
}

namespace {

/// The values decodeValues() reads are equal (QString == is a length check, then memcmp).
bool sameStoredValues(const TaskResult &a, const TaskResult &b)
{
    return a.result == b.result && a.contentType == b.contentType && a.contentEncoding == b.contentEncoding
        && a.args == b.args && a.kwargs == b.kwargs && a.meta == b.meta && a.traceback == b.traceback
        && a.args.isNull() == b.args.isNull() && a.kwargs.isNull() == b.kwargs.isNull()
        && a.result.isNull() == b.result.isNull() && a.meta.isNull() == b.meta.isNull();
}

qsizetype storedSize(const TaskResult &row)
{
    return row.args.size() + row.kwargs.size() + row.result.size() + row.meta.size() + row.traceback.size();
}

} // namespace

struct DetailPane::Ui
{
    QStackedWidget *stack = nullptr;
    QLabel *placeholder = nullptr;
    QScrollArea *scroll = nullptr;
    QWidget *content = nullptr;

    QLabel *title = nullptr;
    QLabel *note = nullptr;
    QLabel *problems = nullptr;
    QLabel *sizeNote = nullptr;

    std::unique_ptr<FormGrid> identity;
    QLabel *taskId = nullptr;
    QToolButton *copyTaskId = nullptr;
    QLabel *taskName = nullptr;
    QLabel *periodicTask = nullptr;
    QLabel *status = nullptr;
    QLabel *worker = nullptr;
    QLabel *groupId = nullptr;
    QLabel *parentId = nullptr;
    QLabel *children = nullptr;
    QLabel *savedGroups = nullptr;
    QLabel *queue = nullptr;
    QLabel *retries = nullptr;

    std::unique_ptr<FormGrid> parameters;
    CutActions *argsActions = nullptr;
    CutActions *kwargsActions = nullptr;
    CutActions *resultActions = nullptr;
    CutActions *metaActions = nullptr;
    ValueView *args = nullptr;
    ValueView *kwargs = nullptr;
    QLabel *argsMissing = nullptr;
    QLabel *kwargsMissing = nullptr;

    std::unique_ptr<FormGrid> result;
    std::unique_ptr<FormGrid> dates;
    QLabel *contentType = nullptr;
    QLabel *resultSummary = nullptr;
    ValueView *resultView = nullptr;
    QLabel *resultMissing = nullptr;
    QToolButton *copyResult = nullptr;
    ValueView *meta = nullptr;
    QLabel *metaMissing = nullptr;
    TracebackView *traceback = nullptr;
    QLabel *tracebackMissing = nullptr;
    QToolButton *copyTraceback = nullptr;

    QLabel *dateCreated = nullptr;
    QLabel *dateStarted = nullptr;
    QLabel *dateDone = nullptr;
    QLabel *runtime = nullptr;
    QLabel *expires = nullptr;

    JsonHighlighter *argsHighlighter = nullptr;
    JsonHighlighter *kwargsHighlighter = nullptr;
    JsonHighlighter *resultHighlighter = nullptr;
    JsonHighlighter *metaHighlighter = nullptr;

    QTimer *loadingDelay = nullptr;
    QString loadingTaskId;
};

DetailPane::DetailPane(QWidget *parent) : QWidget(parent), m_ui(std::make_unique<Ui>())
{
    setObjectName(QStringLiteral("detailPane"));
    buildUi();
    clear();
}

DetailPane::~DetailPane()
{
    dropDecode();
}

void DetailPane::setDecoder(TaskResultModel *model)
{
    dropDecode();
    m_decoder = model;
}

void DetailPane::dropDecode()
{
    if (m_decoder)
        m_decoder->cancelRequest(m_decodeRequest);
    m_decodeRequest = 0;
}

namespace {

QLabel *makeValueLabel(const QString &name, QWidget *parent, bool mono = false)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setTextInteractionFlags(Qt::TextBrowserInteraction);
    label->setWordWrap(true);
    label->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    label->setMinimumWidth(60);
    if (mono)
        label->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return label;
}

QToolButton *makeCopyButton(const QString &name, const QString &toolTip, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(name);
    button->setToolTip(toolTip);
    button->setAccessibleName(toolTip);
    const QIcon icon = QIcon::fromTheme(QStringLiteral("edit-copy"));
    button->setText(DetailPane::tr("Copy"));
    if (!icon.isNull()) {
        button->setIcon(icon);
        button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    } else {
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    }
    button->setAutoRaise(true);
    return button;
}

QWidget *withButton(QWidget *value, QWidget *button, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(4);
    row->addWidget(value, 1, Qt::AlignTop);
    row->addWidget(button, 0, Qt::AlignTop);
    return box;
}

std::unique_ptr<FormGrid> addSection(QVBoxLayout *layout, QWidget *parent, const QString &name, const QString &title)
{
    auto *heading = new QLabel(title, parent);
    heading->setObjectName(name);
    QFont f = heading->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.08);
    heading->setFont(f);
    layout->addSpacing(6);
    layout->addWidget(heading);
    // A plain 1 px rule in a palette-derived colour (a sunken QFrame uses Light/Dark roles
    // that many dark palettes leave at their light defaults).
    auto *line = new QFrame(parent);
    line->setObjectName(QStringLiteral("detailRule"));
    line->setFixedHeight(1);
    line->setAutoFillBackground(true);
    layout->addWidget(line);
    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(14);
    grid->setVerticalSpacing(6);
    grid->setContentsMargins(4, 2, 0, 0);
    grid->setColumnStretch(1, 1);
    layout->addLayout(grid);
    return std::make_unique<FormGrid>(grid);
}

void flashCopied(QToolButton *button)
{
    const QString text = button->text();
    const QString tip = button->toolTip();
    button->setText(DetailPane::tr("Copied"));
    button->setToolTip(DetailPane::tr("Copied to the clipboard"));
    QTimer::singleShot(1500, button, [button, text, tip] {
        button->setText(text);
        button->setToolTip(tip);
    });
}

} // namespace

void DetailPane::buildUi()
{
    QVBoxLayout *layout = buildFrame();
    buildBanners(layout);
    buildIdentitySection(layout);
    buildParametersSection(layout);
    buildResultSection(layout);
    buildDatesSection(layout);

    Ui &ui = *m_ui;
    layout->addStretch(1);
    ui.scroll->setWidget(ui.content);
    const int labelWidth = qMax(qMax(ui.identity->labelWidth(), ui.parameters->labelWidth()),
                                qMax(ui.result->labelWidth(), ui.dates->labelWidth()));
    for (FormGrid *grid : {ui.identity.get(), ui.parameters.get(), ui.result.get(), ui.dates.get()})
        grid->setLabelWidth(labelWidth);

    ui.argsHighlighter = new JsonHighlighter(ui.args->document());
    ui.kwargsHighlighter = new JsonHighlighter(ui.kwargs->document());
    ui.resultHighlighter = new JsonHighlighter(ui.resultView->document());
    ui.metaHighlighter = new JsonHighlighter(ui.meta->document());

    connectLinksAndButtons();

    ui.loadingDelay = new QTimer(this);
    ui.loadingDelay->setSingleShot(true);
    ui.loadingDelay->setInterval(250);
    connect(ui.loadingDelay, &QTimer::timeout, this, [this] {
        showPlaceholder(m_ui->loadingTaskId.isEmpty() ? tr("Loading…")
                                                       : tr("Loading task %1…").arg(m_ui->loadingTaskId));
    });

    applyPalette();
}

/// The placeholder and the scrolled content page; returns the content's layout.
QVBoxLayout *DetailPane::buildFrame()
{
    Ui &ui = *m_ui;
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    ui.stack = new QStackedWidget(this);
    outer->addWidget(ui.stack);

    ui.placeholder = new QLabel(ui.stack);
    ui.placeholder->setObjectName(QStringLiteral("detailPlaceholder"));
    ui.placeholder->setAlignment(Qt::AlignCenter);
    ui.placeholder->setWordWrap(true);
    ui.placeholder->setMargin(24);
    ui.placeholder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ui.stack->addWidget(ui.placeholder);

    ui.scroll = new QScrollArea(ui.stack);
    ui.scroll->setObjectName(QStringLiteral("detailScroll"));
    ui.scroll->setWidgetResizable(true);
    ui.scroll->setFrameShape(QFrame::NoFrame);
    ui.scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    ui.stack->addWidget(ui.scroll);

    ui.content = new QWidget(ui.scroll);
    ui.content->setObjectName(QStringLiteral("detailContent"));
    auto *layout = new QVBoxLayout(ui.content);
    layout->setContentsMargins(12, 10, 12, 12);
    layout->setSpacing(4);
    return layout;
}

namespace {

/// A tinted, selectable note above the sections (its colour is set by applyPalette()).
QLabel *addBanner(QVBoxLayout *layout, QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setMargin(8);
    label->setAutoFillBackground(true);
    layout->addWidget(label);
    return label;
}

/// A value view with the label shown instead when there is no value, stacked in one field
/// (and the actions for a value shown cut short, when given).
QWidget *valueBox(QWidget *parent, QWidget *value, QWidget *missing, QWidget *actions = nullptr)
{
    auto *box = new QWidget(parent);
    auto *v = new QVBoxLayout(box);
    v->setContentsMargins(0, 0, 0, 0);
    v->addWidget(value);
    if (actions)
        v->addWidget(actions);
    v->addWidget(missing);
    return box;
}

} // namespace

/// The title and the three notes: about the schema, unreadable values, values cut short.
void DetailPane::buildBanners(QVBoxLayout *layout)
{
    Ui &ui = *m_ui;
    QWidget *c = ui.content;
    ui.title = new QLabel(c);
    ui.title->setObjectName(QStringLiteral("detailTitle"));
    ui.title->setTextFormat(Qt::PlainText); // a stored task name, never markup
    ui.title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ui.title->setWordWrap(true);
    QFont titleFont = ui.title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    ui.title->setFont(titleFont);
    layout->addWidget(ui.title);

    ui.note = addBanner(layout, c, QStringLiteral("detailNote"));
    ui.problems = addBanner(layout, c, QStringLiteral("detailProblems"));
    ui.sizeNote = addBanner(layout, c, QStringLiteral("detailSizeNote"));
}

void DetailPane::buildIdentitySection(QVBoxLayout *layout)
{
    Ui &ui = *m_ui;
    QWidget *c = ui.content;
    ui.identity = addSection(layout, c, QStringLiteral("detailSectionIdentity"), tr("Identity"));
    ui.taskId = makeValueLabel(QStringLiteral("detailTaskId"), c, true);
    ui.taskId->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    ui.copyTaskId = makeCopyButton(QStringLiteral("copyTaskIdButton"), tr("Copy the task ID"), c);
    ui.identity->addRow(tr("Task ID:"), withButton(ui.taskId, ui.copyTaskId, c));
    ui.taskName = makeValueLabel(QStringLiteral("detailTaskName"), c);
    ui.identity->addRow(tr("Task name:"), ui.taskName);
    ui.periodicTask = makeValueLabel(QStringLiteral("detailPeriodicTask"), c);
    ui.identity->addRow(tr("Periodic task:"), ui.periodicTask);
    ui.status = new QLabel(c);
    ui.status->setObjectName(QStringLiteral("detailStatus"));
    ui.status->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    ui.status->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    ui.status->setToolTip(tr("Show only results with this status"));
    {
        auto *box = new QWidget(c);
        auto *row = new QHBoxLayout(box);
        row->setContentsMargins(0, 0, 0, 0);
        row->addWidget(ui.status);
        row->addStretch(1);
        ui.identity->addRow(tr("Status:"), box);
    }
    ui.worker = makeValueLabel(QStringLiteral("detailWorker"), c);
    ui.identity->addRow(tr("Worker:"), ui.worker);
    ui.groupId = makeValueLabel(QStringLiteral("detailGroupId"), c, true);
    ui.identity->addRow(tr("Group ID:"), ui.groupId);
    ui.parentId = makeValueLabel(QStringLiteral("detailParentId"), c, true);
    ui.identity->addRow(tr("Parent ID:"), ui.parentId);
    ui.children = makeValueLabel(QStringLiteral("detailChildren"), c, true);
    ui.children->setToolTip(tr("The tasks this task started (stored in its meta); click one to show it"));
    ui.identity->addRow(tr("Children:"), ui.children);
    ui.savedGroups = makeValueLabel(QStringLiteral("detailSavedGroups"), c, true);
    ui.savedGroups->setToolTip(tr("The saved group that lists this task; click it to show its members"));
    ui.identity->addRow(tr("Group:"), ui.savedGroups);
    ui.queue = makeValueLabel(QStringLiteral("detailQueue"), c);
    ui.identity->addRow(tr("Queue:"), ui.queue);
    ui.retries = makeValueLabel(QStringLiteral("detailRetries"), c);
    ui.identity->addRow(tr("Retries:"), ui.retries);
}

void DetailPane::buildParametersSection(QVBoxLayout *layout)
{
    Ui &ui = *m_ui;
    QWidget *c = ui.content;
    ui.parameters = addSection(layout, c, QStringLiteral("detailSectionParameters"), tr("Parameters"));
    ui.args = new ValueView(QStringLiteral("detailArgs"), c);
    ui.argsMissing = makeValueLabel(QStringLiteral("detailArgsMissing"), c);
    ui.argsActions = new CutActions(QStringLiteral("detailArgs"), c);
    ui.parameters->addRow(tr("Positional:"), valueBox(c, ui.args, ui.argsMissing, ui.argsActions));
    ui.kwargs = new ValueView(QStringLiteral("detailKwargs"), c);
    ui.kwargsMissing = makeValueLabel(QStringLiteral("detailKwargsMissing"), c);
    ui.kwargsActions = new CutActions(QStringLiteral("detailKwargs"), c);
    ui.parameters->addRow(tr("Keyword:"), valueBox(c, ui.kwargs, ui.kwargsMissing, ui.kwargsActions));
}

void DetailPane::buildResultSection(QVBoxLayout *layout)
{
    Ui &ui = *m_ui;
    QWidget *c = ui.content;
    ui.result = addSection(layout, c, QStringLiteral("detailSectionResult"), tr("Result"));
    ui.contentType = makeValueLabel(QStringLiteral("detailContentType"), c);
    ui.result->addRow(tr("Content:"), ui.contentType);
    ui.resultSummary = makeValueLabel(QStringLiteral("detailResultSummary"), c);
    ui.resultView = new ValueView(QStringLiteral("detailResult"), c);
    ui.resultMissing = makeValueLabel(QStringLiteral("detailResultMissing"), c);
    ui.resultActions = new CutActions(QStringLiteral("detailResult"), c);
    ui.copyResult = makeCopyButton(QStringLiteral("copyResultButton"), tr("Copy the result"), c);
    {
        auto *box = new QWidget(c);
        auto *v = new QVBoxLayout(box);
        v->setContentsMargins(0, 0, 0, 0);
        v->setSpacing(3);
        v->addWidget(ui.resultSummary);
        v->addWidget(ui.resultView);
        v->addWidget(ui.resultActions);
        v->addWidget(ui.resultMissing);
        ui.result->addRow(tr("Result:"), withButton(box, ui.copyResult, c));
    }
    ui.meta = new ValueView(QStringLiteral("detailMeta"), c);
    ui.metaMissing = makeValueLabel(QStringLiteral("detailMetaMissing"), c);
    ui.metaActions = new CutActions(QStringLiteral("detailMeta"), c);
    ui.result->addRow(tr("Meta:"), valueBox(c, ui.meta, ui.metaMissing, ui.metaActions));
    ui.traceback = new TracebackView(c);
    ui.tracebackMissing = makeValueLabel(QStringLiteral("detailTracebackMissing"), c);
    ui.copyTraceback = makeCopyButton(QStringLiteral("copyTracebackButton"), tr("Copy the traceback"), c);
    ui.result->addRow(tr("Traceback:"),
                      withButton(valueBox(c, ui.traceback, ui.tracebackMissing), ui.copyTraceback, c));
}

void DetailPane::buildDatesSection(QVBoxLayout *layout)
{
    Ui &ui = *m_ui;
    QWidget *c = ui.content;
    ui.dates = addSection(layout, c, QStringLiteral("detailSectionDates"), tr("Dates"));
    ui.dateCreated = makeValueLabel(QStringLiteral("detailDateCreated"), c);
    ui.dates->addRow(tr("Created:"), ui.dateCreated);
    ui.dateStarted = makeValueLabel(QStringLiteral("detailDateStarted"), c);
    ui.dates->addRow(tr("Started:"), ui.dateStarted);
    ui.dateDone = makeValueLabel(QStringLiteral("detailDateDone"), c);
    ui.dates->addRow(tr("Done:"), ui.dateDone);
    ui.runtime = makeValueLabel(QStringLiteral("detailRuntime"), c);
    ui.dates->addRow(tr("Runtime:"), ui.runtime);
    ui.expires = makeValueLabel(QStringLiteral("detailExpires"), c);
    ui.dates->addRow(tr("Expires:"), ui.expires);
}

/// Clicking a name, worker or status filters by it; the copy buttons copy whole values.
void DetailPane::connectLinksAndButtons()
{
    Ui &ui = *m_ui;
    for (QLabel *link : {ui.taskName, ui.periodicTask, ui.worker, ui.status}) {
        connect(link, &QLabel::linkActivated, this, [this](const QString &href) {
            Field field = Field::FieldCount;
            if (!fieldFromName(href, &field))
                return;
            switch (field) {
            case Field::TaskName:
                Q_EMIT filterRequested(field, m_row.taskName);
                break;
            case Field::PeriodicTaskName:
                Q_EMIT filterRequested(field, m_row.periodicTaskName);
                break;
            case Field::Worker:
                Q_EMIT filterRequested(field, m_row.worker);
                break;
            case Field::Status:
                Q_EMIT filterRequested(field, m_row.status);
                break;
            default:
                break;
            }
        });
    }

    for (QLabel *link : {ui.parentId, ui.children, ui.savedGroups}) {
        connect(link, &QLabel::linkActivated, this, [this](const QString &href) {
            if (href.startsWith(QLatin1String("task:")))
                Q_EMIT taskRequested(href.mid(5));
            else if (href.startsWith(QLatin1String("group:")))
                Q_EMIT groupRequested(m_row.taskId, href.mid(6));
        });
    }

    connect(ui.copyTaskId, &QToolButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_row.taskId);
        flashCopied(m_ui->copyTaskId);
    });
    connect(ui.copyResult, &QToolButton::clicked, this, [this] {
        // The readable form, as shown; the stored text is one click away in the table's
        // "copy row as JSON".
        // All of it, also when the view shows only the start of a large value.
        QGuiApplication::clipboard()->setText(m_values ? m_values->result.decoded.text : m_ui->resultView->toPlainText());
        flashCopied(m_ui->copyResult);
    });
    const std::pair<Field, CutActions *> cutActions[] = {
        {Field::Args, ui.argsActions}, {Field::Kwargs, ui.kwargsActions},
        {Field::Result, ui.resultActions}, {Field::Meta, ui.metaActions}};
    for (const auto &[field, actions] : cutActions) {
        connect(actions->showAll, &QToolButton::clicked, this, [this, field = field] { showAll(field); });
        connect(actions->save, &QToolButton::clicked, this, [this, field = field] { saveValueAs(field); });
        connect(actions->copy, &QToolButton::clicked, this, [this, field = field, button = actions->copy] {
            QGuiApplication::clipboard()->setText(fullText(field));
            flashCopied(button);
        });
    }
    connect(ui.copyTraceback, &QToolButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_row.traceback);
        flashCopied(m_ui->copyTraceback);
    });
}

QString DetailPane::fullText(Field field) const
{
    const ShownValue *value = m_values ? m_values->of(field) : nullptr;
    return value ? value->decoded.text : QString();
}

bool DetailPane::saveValue(Field field, const QString &fileName, QString *error) const
{
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly) || file.write(fullText(field).toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void DetailPane::saveValueAs(Field field)
{
    const QString suggested = QStringLiteral("%1-%2.txt").arg(m_row.taskId, fieldName(field));
    const QString fileName = QFileDialog::getSaveFileName(this, tr("Save %1").arg(fieldLabel(field)), suggested);
    if (fileName.isEmpty())
        return;
    QString error;
    if (!saveValue(field, fileName, &error))
        QMessageBox::warning(this, tr("Save %1").arg(fieldLabel(field)),
                             tr("Could not save %1: %2").arg(QDir::toNativeSeparators(fileName), error));
}

QWidget *DetailPane::showAll(Field field)
{
    if (!m_values || !m_values->of(field))
        return nullptr;
    auto *window = new FullValueWindow(tr("%1 of %2").arg(fieldLabel(field), m_row.taskId), fullText(field), this);
    window->show();
    return window;
}

void DetailPane::setStoreInfo(const StoreInfo &info)
{
    m_info = info;
    m_hasInfo = true;
    if (m_row.rowId >= 0 || !m_row.taskId.isEmpty())
        render();
}

void DetailPane::showLoading(const QString &taskId)
{
    m_ui->loadingTaskId = taskId;
    // Keep the previous row on screen for a moment: moving through the table with the
    // arrow keys would otherwise flash "Loading" for every row.
    if (m_ui->stack->currentWidget() == m_ui->scroll)
        m_ui->loadingDelay->start();
    else
        showPlaceholder(taskId.isEmpty() ? tr("Loading…") : tr("Loading task %1…").arg(taskId));
}

void DetailPane::showResult(const TaskResult &row)
{
    m_ui->loadingDelay->stop();
    // A refreshed version of the row on screen keeps its scroll position; another row
    // starts at the top.
    const bool sameRow = m_ui->stack->currentWidget() == m_ui->scroll && m_row.rowId == row.rowId
        && m_row.taskId == row.taskId;
    // Auto-refresh hands over the same row again: keep its decoded values when none of the
    // stored ones changed (no decode, no "Decoding…" blink).
    const bool sameValues = m_values && sameStoredValues(m_row, row);
    m_row = row;
    // A decode for the row shown before is not wanted any more.
    dropDecode();
    if (!sameValues && (storedSize(row) <= syncDecodeLimit || !m_decoder)) {
        m_values = decodeValues(row);
    } else if (!sameValues) {
        // Pickles, literals and pretty JSON of megabytes take seconds: decoded by the
        // model's decoding thread, shown when the reply comes.
        m_values.reset();
        m_decodeRequest = m_decoder->decode<std::shared_ptr<const Values>>(
            this, [row] { return decodeValues(row); },
            [this](const Reply<std::shared_ptr<const Values>> &reply) {
                m_decodeRequest = 0;
                m_values = *reply;
                render();
                Q_EMIT valuesShown();
            });
    }
    render();
    if (m_values)
        Q_EMIT valuesShown();
    if (!sameRow)
        m_ui->scroll->verticalScrollBar()->setValue(0);
    m_ui->stack->setCurrentWidget(m_ui->scroll);
}

void DetailPane::showError(const QString &message)
{
    m_ui->loadingDelay->stop();
    m_row = TaskResult();
    m_values.reset();
    dropDecode();
    showPlaceholder(tr("Could not load this result.\n\n%1").arg(message));
    m_ui->placeholder->setProperty("error", true);
}

void DetailPane::clear(const QString &note)
{
    m_ui->loadingDelay->stop();
    m_row = TaskResult();
    m_values.reset();
    dropDecode();
    showPlaceholder(note.isEmpty() ? tr("Select a task result to see its details.") : note);
}

void DetailPane::showPlaceholder(const QString &text)
{
    m_ui->placeholder->setProperty("error", false);
    m_ui->placeholder->setText(text);
    m_ui->stack->setCurrentWidget(m_ui->placeholder);
}

namespace {

QString muted(const QPalette &palette, const QString &text)
{
    const QColor color = palette.color(QPalette::PlaceholderText);
    return QStringLiteral("<i style=\"color:%1\">%2</i>").arg(color.name(), text.toHtmlEscaped());
}

QString linkHtml(const QPalette &palette, Field field, const QString &value)
{
    return QStringLiteral("<a href=\"%1\" style=\"color:%2; text-decoration:none\">%3</a>")
        .arg(fieldName(field), palette.color(QPalette::Link).name(), value.toHtmlEscaped());
}

QString formatDate(const QDateTime &utc)
{
    return utc.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t"));
}

} // namespace

/// What one render() knows about the row and collects while it fills the sections.
struct DetailPane::Render
{
    Render(const TaskResult &row, const QPalette &pal, FieldSet fields, const QString &unavailableTip,
           const Values *values)
        : row(row)
        , pal(pal)
        , fields(fields)
        , unavailable(muted(pal, tr("unavailable in this schema")))
        , unavailableTip(unavailableTip)
        // result_extended off: name, args, kwargs and worker are NULL together.
        , notExtended(fields.contains(Field::TaskName) && row.taskName.isNull() && row.args.isNull()
                      && row.kwargs.isNull())
        , notRecorded(muted(pal, tr("not recorded (result_extended is off)")))
        , none(muted(pal, tr("None")))
        , decoding(muted(pal, tr("Decoding…")))
        , values(values)
    {
    }

    void setText(QLabel *label, Field field, const QString &value, bool link, bool extendedField) const
    {
        label->setToolTip({});
        if (!fields.contains(field)) {
            label->setText(unavailable);
            label->setToolTip(unavailableTip);
        } else if (value.isNull()) {
            label->setText(extendedField && notExtended ? notRecorded : none);
        } else if (value.isEmpty()) {
            label->setText(muted(pal, tr("(empty)")));
        } else if (link) {
            label->setText(linkHtml(pal, field, value));
            label->setToolTip(tr("Click to show only results with this %1").arg(fieldLabel(field).toLower()));
        } else {
            label->setText(value.toHtmlEscaped());
        }
    }

    /// Shows a decoded value, or says why there is none; notes a cut or a decoding problem.
    void showValue(ValueView *view, QLabel *missing, CutActions *actions, Field field, const QString &stored,
                   bool extendedField)
    {
        const ShownValue *value = values ? values->of(field) : nullptr;
        actions->setVisible(value && value->isCut() && fields.contains(field) && !stored.isNull());
        if (!fields.contains(field)) {
            view->hide();
            missing->setText(unavailable);
            missing->setToolTip(unavailableTip);
            missing->show();
            return;
        }
        missing->setToolTip({});
        if (stored.isNull()) {
            view->hide();
            missing->setText(extendedField && notExtended ? notRecorded : none);
            missing->show();
            return;
        }
        if (!value) {
            view->hide();
            missing->setText(decoding);
            missing->show();
            return;
        }
        missing->hide();
        view->setValue(value->prefix, value->longLines);
        view->show();
        if (value->isCut()) {
            const QLocale locale;
            const qsizetype total = value->decoded.text.size();
            sizeNotes << tr("%1: showing the first %2 of %3 (%4 of %5 characters).")
                             .arg(fieldLabel(field),
                                  locale.formattedDataSize(value->prefix.size(), 0, QLocale::DataSizeTraditionalFormat),
                                  locale.formattedDataSize(total, 1, QLocale::DataSizeTraditionalFormat),
                                  locale.toString(value->prefix.size()), locale.toString(total));
        }
        if (!value->decoded.problem.isEmpty())
            problems << tr("%1: %2").arg(fieldLabel(field), value->decoded.problem);
    }

    void setDate(QLabel *label, Field field, const QDateTime &utc) const
    {
        label->setToolTip({});
        if (!fields.contains(field)) {
            label->setText(unavailable);
            label->setToolTip(unavailableTip);
        } else if (!utc.isValid()) {
            label->setText(none);
        } else {
            label->setText(formatDate(utc).toHtmlEscaped());
            label->setToolTip(utc.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz 'UTC'")));
        }
    }

    const TaskResult &row;
    const QPalette pal;
    const FieldSet fields;
    const QString unavailable;
    const QString unavailableTip;
    const bool notExtended;
    const QString notRecorded;
    const QString none;
    const QString decoding;
    const Values *values; ///< null while decoding
    QStringList problems; ///< values that could not be read
    QStringList sizeNotes; ///< values shown cut short
};

void DetailPane::render()
{
    const FieldSet fields = m_hasInfo ? m_info.fields : FieldSet::all();
    const QString unavailableTip = m_hasInfo && !m_info.schema.isEmpty()
        ? tr("This field does not exist in %1.").arg(m_info.schema)
        : tr("This field does not exist in this database's schema.");
    Render r(m_row, palette(), fields, unavailableTip, m_values.get());

    // Title: task name when known, else the id.
    m_ui->title->setText(DisplayText::value(m_row.taskName.isEmpty() ? m_row.taskId : m_row.taskName));
    renderNotes(r);

    r.problems = m_row.problems;
    if (!m_row.complete)
        r.problems << tr("Only a preview of this row is loaded; values may be cut short.");

    renderIdentity(r);
    renderRelations(r);
    renderParameters(r);
    renderResult(r);
    renderTraceback(r);
    renderDates(r);
    renderProblems(r);
}

/// The note about the schema and result_extended.
void DetailPane::renderNotes(const Render &r)
{
    QStringList notes;
    if (r.notExtended) {
        notes << tr("This result was stored by a Celery app running without "
                    "<b>result_extended</b>, so its task name, arguments, worker and periodic "
                    "task were not recorded. Set <tt>result_extended&nbsp;=&nbsp;True</tt> in the Celery "
                    "configuration to see them for new tasks.");
    }
    if (m_hasInfo && !m_info.note.isEmpty()
        && (r.notExtended || !m_info.note.contains(QLatin1String("result_extended"))))
        notes << m_info.note.toHtmlEscaped();
    if (notes.size() == 2 && r.notExtended && m_info.note.contains(QLatin1String("result_extended")))
        notes.removeLast(); // the row's sentence already says it
    m_ui->note->setText(notes.join(QStringLiteral("<br><br>")));
    m_ui->note->setVisible(!notes.isEmpty());
}

void DetailPane::renderIdentity(const Render &r)
{
    Ui &ui = *m_ui;
    const TaskResult &row = r.row;
    ui.taskId->setText(row.taskId.toHtmlEscaped());
    r.setText(ui.taskName, Field::TaskName, row.taskName, true, true);
    r.setText(ui.periodicTask, Field::PeriodicTaskName, row.periodicTaskName, true, true);
    r.setText(ui.worker, Field::Worker, row.worker, true, true);
    {
        const StatusStyle::Tint tint = StatusStyle::tint(row.status, r.pal);
        ui.status->setStyleSheet(QStringLiteral("QLabel#detailStatus { background: %1; border: 1px solid %2;"
                                                " border-radius: 9px; padding: 1px 10px; }")
                                     .arg(tint.background.name(), tint.border.name()));
        ui.status->setText(QStringLiteral("<a href=\"status\" style=\"color:%1; text-decoration:none;"
                                          " font-weight:600\">%2</a>")
                               .arg(tint.text.name(), (row.status.isEmpty() ? tr("(no status)") : row.status).toHtmlEscaped()));
    }
    // Rows of fields that not every schema has are hidden where the schema lacks them.
    auto setOptional = [&](QLabel *label, Field field, const QString &value, bool extendedField) {
        const bool has = r.fields.contains(field);
        ui.identity->setRowVisible(label, has);
        if (has)
            r.setText(label, field, value, false, extendedField);
    };
    setOptional(ui.groupId, Field::GroupId, row.groupId, false);
    setOptional(ui.parentId, Field::ParentId, row.parentId, false);
    setOptional(ui.queue, Field::Queue, row.queue, true);
    const bool hasRetries = r.fields.contains(Field::Retries);
    ui.identity->setRowVisible(ui.retries, hasRetries);
    if (hasRetries)
        ui.retries->setText(row.retries < 0 ? r.none : QLocale().toString(row.retries));
}

namespace {

/// Links to ids, "<prefix><id>" each, separated by line breaks.
QString idLinks(const QStringList &ids, const QString &prefix)
{
    QStringList links;
    for (const QString &id : ids)
        links << QStringLiteral("<a href=\"%1%2\">%3</a>").arg(prefix, id.toHtmlEscaped(), id.toHtmlEscaped());
    return links.join(QStringLiteral("<br>"));
}

} // namespace

void DetailPane::renderRelations(const Render &r)
{
    Ui &ui = *m_ui;
    const TaskResult &row = r.row;
    if (r.fields.contains(Field::ParentId) && !row.parentId.isEmpty())
        ui.parentId->setText(idLinks({row.parentId}, QStringLiteral("task:")));
    const QStringList children = TaskGroups::childrenOf(row.meta);
    ui.identity->setRowVisible(ui.children, !children.isEmpty());
    ui.children->setText(idLinks(children, QStringLiteral("task:")));
    const bool grouped = !row.taskId.isEmpty() && row.taskId == m_groupsTaskId && !m_groupIds.isEmpty();
    ui.identity->setRowVisible(ui.savedGroups, grouped);
    ui.savedGroups->setText(grouped ? idLinks(m_groupIds, QStringLiteral("group:")) : QString());
}

void DetailPane::setSavedGroups(const QString &taskId, const QStringList &groupIds)
{
    m_groupsTaskId = taskId;
    m_groupIds = groupIds;
    Ui &ui = *m_ui;
    const bool grouped = !taskId.isEmpty() && taskId == m_row.taskId && !groupIds.isEmpty();
    ui.identity->setRowVisible(ui.savedGroups, grouped);
    ui.savedGroups->setText(grouped ? idLinks(groupIds, QStringLiteral("group:")) : QString());
}

void DetailPane::renderParameters(Render &r)
{
    Ui &ui = *m_ui;
    r.showValue(ui.args, ui.argsMissing, ui.argsActions, Field::Args, r.row.args, true);
    r.showValue(ui.kwargs, ui.kwargsMissing, ui.kwargsActions, Field::Kwargs, r.row.kwargs, true);
}

/// Content type, result and meta.
void DetailPane::renderResult(Render &r)
{
    Ui &ui = *m_ui;
    const TaskResult &row = r.row;
    const Values *values = r.values;
    QStringList content;
    if (!row.contentType.isEmpty())
        content << row.contentType;
    if (!row.contentEncoding.isEmpty())
        content << row.contentEncoding;
    ui.contentType->setText(content.isEmpty() ? r.none : content.join(QStringLiteral(", ")).toHtmlEscaped());
    const ValueDecoder::Decoded *decoded = values ? &values->result.decoded : nullptr;
    const qsizetype notesBefore = r.sizeNotes.size();
    r.showValue(ui.resultView, ui.resultMissing, ui.resultActions, Field::Result, row.result, false);
    if (r.sizeNotes.size() > notesBefore)
        r.sizeNotes.last() += QLatin1Char(' ') + tr("Copy copies all of it.");
    // Exceptions and pickles say what they are in their own text; other bytes get a
    // heading so a hex dump is not mistaken for the value.
    const bool summarize = decoded && decoded->kind == ValueDecoder::Kind::Binary;
    ui.resultSummary->setVisible(summarize);
    if (summarize)
        ui.resultSummary->setText(QStringLiteral("<i>%1</i>").arg(tr("Binary content (%1), shown as bytes")
                                                                      .arg(row.contentType.toHtmlEscaped())));
    ui.copyResult->setVisible(!row.result.isNull() && r.fields.contains(Field::Result));
    r.showValue(ui.meta, ui.metaMissing, ui.metaActions, Field::Meta, row.meta, false);
}

void DetailPane::renderTraceback(Render &r)
{
    Ui &ui = *m_ui;
    const TaskResult &row = r.row;
    if (!r.fields.contains(Field::Traceback)) {
        ui.traceback->hide();
        ui.tracebackMissing->setText(r.unavailable);
        ui.tracebackMissing->show();
        ui.copyTraceback->setVisible(false);
    } else if (row.traceback.isEmpty()) {
        ui.traceback->setTraceback({});
        ui.traceback->hide();
        const bool failed = row.status == QLatin1String("FAILURE") || row.status == QLatin1String("RETRY");
        ui.tracebackMissing->setText(failed && r.notExtended ? r.notRecorded : r.none);
        ui.tracebackMissing->show();
        ui.copyTraceback->setVisible(false);
    } else if (!r.values) {
        ui.traceback->hide();
        ui.tracebackMissing->setText(r.decoding);
        ui.tracebackMissing->show();
        ui.copyTraceback->setVisible(true);
    } else {
        ui.tracebackMissing->hide();
        ui.traceback->setTraceback(row.traceback, r.values->exceptionLine);
        ui.traceback->show();
        ui.copyTraceback->setVisible(true);
        if (ui.traceback->isCut()) {
            r.sizeNotes << tr("%1: shown the last %2 of %3 characters. Copy copies all of it.")
                               .arg(fieldLabel(Field::Traceback), QLocale().toString(ui.traceback->shownChars()),
                                    QLocale().toString(row.traceback.size()));
        }
    }
}

void DetailPane::renderDates(const Render &r)
{
    Ui &ui = *m_ui;
    r.setDate(ui.dateCreated, Field::DateCreated, r.row.dateCreated);
    r.setDate(ui.dateStarted, Field::DateStarted, r.row.dateStarted);
    r.setDate(ui.dateDone, Field::DateDone, r.row.dateDone);
    // Key-value stores only (a Redis key's TTL): "2025-03-01 10:00 (in 5 h)", or never.
    ui.dates->setRowVisible(ui.expires, r.fields.contains(Field::Expires));
    r.setDate(ui.expires, Field::Expires, r.row.expires);
    if (r.fields.contains(Field::Expires) && !r.row.expires.isValid() && r.row.complete)
        ui.expires->setText(tr("never (the key has no TTL)"));
    else if (r.row.expires.isValid()) {
        // Past it (a Django cache keeps such an entry until something reads its key): Django's
        // own rule, as Delete Expired applies it.
        PurgeCriteria past;
        past.cacheExpired = true;
        past.cacheNow = QDateTime::currentDateTimeUtc();
        const qint64 ms = past.cacheNow.msecsTo(r.row.expires);
        ui.expires->setText(ui.expires->text()
                            + (past.isCacheExpired(r.row.expires)
                                   ? tr(" (%1 ago: past its expiry, read as missing)").arg(TimeParse::formatRuntime(-ms))
                                   : tr(" (in %1)").arg(TimeParse::formatRuntime(ms))));
    }
    if (const std::optional<Runtime> runtime = r.row.runtime()) {
        ui.runtime->setText(TimeParse::formatRuntime(runtime->ms));
        ui.runtime->setToolTip(runtime->basis == Runtime::Basis::Started ? tr("Date done − date started")
                                                                         : tr("Date done − date created"));
    } else {
        ui.runtime->setText(muted(r.pal, QStringLiteral("—")));
        ui.runtime->setToolTip(tr("Only finished tasks have a run time"));
    }
}

/// The notes about unreadable values and values cut short, collected by the sections.
void DetailPane::renderProblems(const Render &r)
{
    Ui &ui = *m_ui;
    QStringList escapedProblems;
    for (const QString &p : r.problems)
        escapedProblems << p.toHtmlEscaped();
    ui.problems->setText(r.problems.isEmpty() ? QString()
                                              : QStringLiteral("<b>%1</b><br>• %2")
                                                    .arg(tr("Some values could not be read:"),
                                                         escapedProblems.join(QStringLiteral("<br>• "))));
    ui.problems->setVisible(!r.problems.isEmpty());
    QStringList escapedNotes;
    for (const QString &n : r.sizeNotes)
        escapedNotes << n.toHtmlEscaped();
    ui.sizeNote->setText(escapedNotes.join(QStringLiteral("<br>")));
    ui.sizeNote->setVisible(!r.sizeNotes.isEmpty());
}

void DetailPane::applyPalette()
{
    Ui &ui = *m_ui;
    const QPalette pal = palette();
    const bool dark = isDark(pal);
    for (JsonHighlighter *h : {ui.argsHighlighter, ui.kwargsHighlighter, ui.resultHighlighter, ui.metaHighlighter})
        h->setDark(dark);

    const QColor window = pal.color(QPalette::Window);
    const bool darkWindow = window.lightnessF() < 0.5;
    QPalette notePal = pal;
    notePal.setColor(QPalette::Window, mix(window, QColor(0x3d, 0xae, 0xe9), darkWindow ? 0.25 : 0.14));
    ui.note->setPalette(notePal);
    ui.sizeNote->setPalette(notePal);
    QPalette warnPal = pal;
    warnPal.setColor(QPalette::Window, mix(window, QColor(0xf6, 0x74, 0x00), darkWindow ? 0.28 : 0.16));
    ui.problems->setPalette(warnPal);

    QPalette rulePal = pal;
    rulePal.setColor(QPalette::Window, mix(window, pal.color(QPalette::WindowText), darkWindow ? 0.30 : 0.22));
    for (QFrame *rule : ui.content->findChildren<QFrame *>(QStringLiteral("detailRule")))
        rule->setPalette(rulePal);

    QPalette placeholderPal = pal;
    placeholderPal.setColor(QPalette::WindowText, pal.color(QPalette::PlaceholderText));
    ui.placeholder->setPalette(placeholderPal);

    if (m_row.rowId >= 0 || !m_row.taskId.isEmpty())
        render();
}

void DetailPane::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}
