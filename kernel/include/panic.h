/* Broken kernel invariants: a report and a halt. A panic is always a bug. */
#pragma once

#include <config.h>
#include <util.h>

void panic(const char *format, ...) NORETURN __attribute__((format(printf, 1, 2)));

#define kassert(cond)                                                                              \
    do {                                                                                           \
        if (unlikely(!(cond))) {                                                                   \
            panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);                      \
        }                                                                                          \
    } while (0)

/* An assertion only the debug kernel checks: for hot paths whose
 * preconditions the invariant checker and the tests establish. */
#define dassert(cond)                                                                              \
    do {                                                                                           \
        if (CONFIG_DEBUG_BUILD) {                                                                  \
            kassert(cond);                                                                         \
        }                                                                                          \
    } while (0)
