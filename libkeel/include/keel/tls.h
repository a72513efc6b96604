/* Thread-local storage for AArch64 threads (TLS variant 1, as lld lays it out):
 * TPIDR_EL0 points at a 16-byte gap, the thread's copy of the TLS block follows.
 * Blocks may be aligned to at most 16 bytes (rootserver.ld checks). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Bytes a thread's TLS area needs: the 16-byte gap plus the TLS block. */
size_t keel_tls_area_size(void);

/* Prepare a TLS area for one thread: copy .tdata, zero .tbss. `area` must be
 * 16-byte aligned and `size` at least keel_tls_area_size(). Returns the value
 * for the thread's TPIDR_EL0, or 0 if the area is too small or misaligned. */
uintptr_t keel_tls_init(void *area, size_t size);

/* Set the calling thread's TLS base. Call it from a function that does not
 * itself use thread-local variables: the compiler may read TPIDR_EL0 early. */
static inline void keel_set_tls_base(uintptr_t tp)
{
    __asm__ volatile("msr tpidr_el0, %0" : : "r"(tp) : "memory");
}
