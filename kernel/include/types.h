/* Basic kernel types: machine words and addresses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t word_t;
typedef int64_t sword_t;
typedef uint64_t paddr_t; /* physical address */
typedef uint64_t vaddr_t; /* user virtual address */
typedef uint64_t pptr_t;  /* kernel virtual address of kernel memory */
typedef uint64_t irq_t;   /* interrupt number, as the ABI and the board number them */

#define IRQ_NONE ((irq_t)~0ull)

#define WORD_BITS 64
#define WORD_SIZE_BITS 3
