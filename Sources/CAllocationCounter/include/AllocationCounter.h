#ifndef SCRATCHNET_ALLOCATION_COUNTER_H
#define SCRATCHNET_ALLOCATION_COUNTER_H
#include <stdint.h>

/// The heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign)
/// every thread of this process has made so far, or -1 where they are not counted (only with
/// glibc: the executable linking this defines those functions, which the dynamic linker binds
/// every library's calls to, and hands each to glibc's own).
int64_t scratchnet_allocation_count(void);

#endif
