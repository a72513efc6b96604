/* Broken kernel invariants: a report and a halt. A panic is always a bug. */
#pragma once

#include <util.h>

void panic(const char *format, ...) NORETURN __attribute__((format(printf, 1, 2)));

#define kassert(cond)                                                                              \
    do {                                                                                           \
        if (unlikely(!(cond))) {                                                                   \
            panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);                      \
        }                                                                                          \
    } while (0)
