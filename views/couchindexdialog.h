#pragma once

#include "couchclient.h"
#include "couchdesign.h"

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;

/// File → Stalk Index on the Server…: whether the open CouchDB database holds Stalk's design
/// document (`_design/stalk`, CouchDesign) — absent, up to date, outdated or foreign — what
/// creating it does, its exact text, and Create / Replace / Remove as that state allows, each
/// behind a confirmation. A read-only connection gets no button that writes (a sentence says
/// why, and nothing is sent); neither does a foreign document (one Stalk did not write).
///
/// Network: a CouchClient of its own, on the GUI thread and asynchronous (QNetworkAccessManager
/// replies arrive as events): no request blocks the window and no event loop nests; the
/// confirmations are window-modal message boxes opened with open().
/// GUI thread; owned by its parent; requests still running when it goes are aborted unanswered.
class CouchIndexDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CouchIndexDialog)
public:
    /// config: the open database, logged in as the window is. readOnlyReason: empty when the
    /// connection may write; else the sentence saying why it may not.
    CouchIndexDialog(const CouchConfig &config, const QString &readOnlyReason, QWidget *parent = nullptr);
    ~CouchIndexDialog() override;

    /// True while a request runs (the buttons are then disabled).
    bool isBusy() const { return m_busy; }
    /// The state last read or written (Absent until the first answer).
    CouchDesign::Status status() const { return m_status; }

Q_SIGNALS:
    /// A request answered: the status read, or a change made or refused (tests wait on it).
    void answered(bool ok);

private:
    enum class Change { Create, Replace, Remove };

    void buildUi();
    void readStatus();
    /// The confirmation for change; its confirm button runs it.
    void confirm(Change change);
    void run(Change change);
    void onAnswer(const QString &done, const Outcome<CouchDesign::Status> &answer);
    void setBusy(bool busy, const QString &what = QString());
    /// The status sentence and which buttons the state (and read-only) allows.
    void updateState();

    CouchClient *m_client = nullptr;
    QString m_readOnlyReason;
    CouchDesign::Status m_status;
    bool m_known = false; ///< m_status was read at least once
    bool m_busy = false;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_messageLabel = nullptr;
    QLabel *m_readOnlyNote = nullptr;
    QPlainTextEdit *m_document = nullptr;
    QPushButton *m_create = nullptr;
    QPushButton *m_replace = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_reread = nullptr;
};
