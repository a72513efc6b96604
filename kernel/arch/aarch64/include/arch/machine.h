/* AArch64 machine primitives: system registers, barriers, the kernel's
 * window onto physical memory. */
#pragma once

#include <types.h>

/* All of RAM and the board's device space are mapped at this offset in the
 * kernel's half of the address space (TTBR1), so a physical address p is
 * reachable at KERNEL_WINDOW_BASE + p. */
#define KERNEL_WINDOW_BASE 0xFFFF000000000000ull

/* The window base has only the top 16 bits set and physical addresses fit
 * in 48, so setting or clearing those bits is the addition or subtraction:
 * one ORR or AND with an encodable immediate (an ADD of the base is not
 * encodable), which the compiler can also share between fields of one
 * object. */
static inline pptr_t paddr_to_kernel(paddr_t p)
{
    return p | KERNEL_WINDOW_BASE;
}

static inline paddr_t kernel_to_paddr(pptr_t p)
{
    return p & ~KERNEL_WINDOW_BASE;
}

/* The kernel's pointer to physical address p, and back (arch.h: the
 * architecture-independent kernel calls them paddr_to_ptr and ptr_to_paddr,
 * paddr.h). */
static inline void *arch_paddr_to_ptr(paddr_t p)
{
    return (void *)(uintptr_t)paddr_to_kernel(p);
}

static inline paddr_t arch_ptr_to_paddr(const void *p)
{
    return kernel_to_paddr((pptr_t)(uintptr_t)p);
}

#define SYSREG_READ(name)                                                                          \
    ({                                                                                             \
        word_t v_;                                                                                 \
        __asm__ volatile("mrs %0, " #name : "=r"(v_));                                             \
        v_;                                                                                        \
    })
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" ::"r"((word_t)(v)) : "memory")

static inline void isb(void)
{
    __asm__ volatile("isb" ::: "memory");
}

static inline void dsb_sy(void)
{
    __asm__ volatile("dsb sy" ::: "memory");
}

static inline void dsb_ish(void)
{
    __asm__ volatile("dsb ish" ::: "memory");
}

static inline void dsb_ishst(void)
{
    __asm__ volatile("dsb ishst" ::: "memory");
}

static inline void wfi(void)
{
    __asm__ volatile("wfi" ::: "memory");
}

static inline void compiler_barrier(void)
{
    __asm__ volatile("" ::: "memory");
}
