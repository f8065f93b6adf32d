#pragma once

#include <QMutex>
#include <QWaitCondition>

/// Wakes the threads waiting on `changed` (each with `mutex`) after the caller set an
/// interrupt flag they check before every wait, without making the caller wait for `mutex`.
///
/// The caller is often the GUI thread (a new query interrupts the store's call), while the
/// store's own thread may hold `mutex` through a long step (a facet count or a sort of a
/// million index rows: ~0.2 s); taking the lock there froze the window for that long. So the
/// lock is tried for at most 2 ms. A thread between its check of the flag and its wait holds
/// the lock only for that instant, so it is waiting (and woken under the lock) by then; if the
/// lock is still held after 2 ms, its holder is working, not about to wait, and wakeAll()
/// without the lock reaches every thread already waiting, while any later waiter sees the flag.
inline void wakeAfterInterrupt(QMutex &mutex, QWaitCondition &changed)
{
    if (mutex.tryLock(2)) {
        changed.wakeAll();
        mutex.unlock();
        return;
    }
    changed.wakeAll();
}
