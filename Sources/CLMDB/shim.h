#ifndef CLMDB_SHIM_H
#define CLMDB_SHIM_H
#include <lmdb.h>

/// Asks the processor to bring the cache line at `address` in ahead of its use (a hint:
/// nothing is read, and no address can fault). For read loops that find many records in
/// the map before decoding them.
static inline void clmdb_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}
#endif
