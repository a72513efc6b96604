/* Physical addresses and the kernel's pointers to them. Caps, derivation-
 * tree links and queues store physical addresses (cap.h); the kernel reaches
 * what they name through the architecture's window onto physical memory
 * (arch_paddr_to_ptr, arch.h). */
#pragma once

#include <arch/arch.h>
#include <cap.h>

static inline void *paddr_to_ptr(paddr_t p)
{
    return arch_paddr_to_ptr(p);
}

static inline paddr_t ptr_to_paddr(const void *p)
{
    return arch_ptr_to_paddr(p);
}

/* Kernel pointer to the object a cap refers to. */
static inline void *cap_object(cap_t c)
{
    return paddr_to_ptr(cap_paddr(c));
}
