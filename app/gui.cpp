#include "gui.h"

#include <QApplication>

int runWindow(int &argc, char **argv, const QString &url, bool readOnly)
{
    Q_UNUSED(url)
    Q_UNUSED(readOnly)
    QApplication app(argc, argv);
    return 0;
}
