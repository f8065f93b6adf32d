#pragma once

#if defined(__GLIBC__)
#include <malloc.h>
#endif

/// Returns the heap pages freed so far to the system. glibc keeps freed memory in the arena
/// of the thread that allocated it, and an index store's loading threads (the network thread,
/// the decoding threads) each use their own arena: after a load their buffers would stay
/// resident on top of the index. Called once a load is over, and when a store drops its index.
inline void releaseFreedMemory()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
