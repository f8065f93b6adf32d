#pragma once

#include <QString>

/// Opens the main window on url (the bundled demo database when empty) and runs the event
/// loop. Creates the QApplication itself. Returns the process exit code.
int runWindow(int &argc, char **argv, const QString &url, bool readOnly);
