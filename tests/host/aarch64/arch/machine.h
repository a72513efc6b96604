/* Host stand-in for the AArch64 port's <arch/machine.h> (the host tests of
 * the port, tests/host/host.mk): on the build machine the "physical
 * address" of a kernel object is simply its host address (user addresses
 * on x86-64 and AArch64 Linux fit in the 48 bits a cap holds). */
#pragma once

#include <stdint.h>
#include <types.h>

static inline void *arch_paddr_to_ptr(paddr_t p)
{
    return (void *)(uintptr_t)p;
}

static inline paddr_t arch_ptr_to_paddr(const void *p)
{
    return (paddr_t)(uintptr_t)p;
}

/* Barriers order memory accesses against the MMU and other observers; a host
 * test has neither, so they only stop the compiler. */
static inline void compiler_barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

static inline void isb(void)
{
    compiler_barrier();
}

static inline void dsb_sy(void)
{
    compiler_barrier();
}

static inline void dsb_ish(void)
{
    compiler_barrier();
}

static inline void dsb_ishst(void)
{
    compiler_barrier();
}

/* There are no system registers to write on the host. */
#define SYSREG_WRITE(name, v) ((void)(v))
