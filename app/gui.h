#pragma once

#include <QString>

class QCoreApplication;
class QLocale;

/// Opens the main window on url (the bundled demo database when empty) and runs the event
/// loop. Creates the QApplication itself. Returns the process exit code.
int runWindow(int &argc, char **argv, const QString &url, bool readOnly);

/// Installs the window's translators for locale's languages (QLocale::uiLanguages()): Qt's
/// own (qtbase_<lang>.qm from QLibraryInfo::TranslationsPath, Debian's qt6-translations-l10n)
/// and Stalk's (the embedded :/stalk/translations/stalk_<lang>.qm), above the English plural
/// forms (:/stalk/plurals/stalk_en.qm: "1 row", "2 rows"). All are children of app; a language
/// without a catalogue stays English. Only the window calls it: the command line never
/// installs a translator, so what scripts parse stays English.
void installTranslations(QCoreApplication &app, const QLocale &locale);
