#pragma once

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QCompleter;
class QLineEdit;
class QStringListModel;
class QToolButton;

/// The connection bar: a URL field (same URLs as the command line) completing from recent
/// connections, an Open button and a per-connection Read-only switch.
///
/// Recent connections live in QSettings with any password removed: a password is never
/// written to disk, so the user types it again. GUI thread; owned by its parent.
class ConnectionBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionBar)
public:
    explicit ConnectionBar(QWidget *parent = nullptr);

    QString url() const;
    /// Shows url in the field and the read-only switch remembered for it. No signal.
    void setUrl(const QString &url);
    bool isReadOnly() const;
    /// Sets the switch without emitting readOnlyToggled().
    void setReadOnly(bool readOnly);
    /// Puts the keyboard focus in the URL field, text selected.
    void focusUrl();

    /// Adds url (password removed: StoreUrl::withoutPassword()) to the top of the recent
    /// list. Returns the stored form.
    static QString rememberConnection(const QString &url);
    static QStringList recentConnections();
    /// The QSettings group that holds what Stalk remembers for this connection
    /// ("connections/<hash>"), for example the read-only switch and the purge cutoff.
    static QString settingsKey(const QString &url);
    static bool rememberedReadOnly(const QString &url);
    static void setRememberedReadOnly(const QString &url, bool readOnly);

    /// Re-reads the recent list for the completer (after rememberConnection()).
    void reloadRecentConnections();

    static constexpr int maxRecent = 12;

Q_SIGNALS:
    /// The user asked to open the URL in the field (Return or the Open button).
    void openRequested(const QString &url);
    /// The user flipped the read-only switch.
    void readOnlyToggled(bool readOnly);

private:
    QLineEdit *m_edit = nullptr;
    QToolButton *m_openButton = nullptr;
    QCheckBox *m_readOnly = nullptr;
    QCompleter *m_completer = nullptr;
    QStringListModel *m_recentModel = nullptr;
};
