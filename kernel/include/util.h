/* Small helpers used everywhere in the kernel: bit masks, alignment,
 * memory primitives the compiler may also call on its own. */
#pragma once

#include <memops.h>
#include <types.h>

#define BIT(n) (1ull << (n))
#define MASK(n) mask_bits(n)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ROUND_DOWN(x, bits) ((x) & ~MASK(bits))
#define ROUND_UP(x, bits) ROUND_DOWN((x) + MASK(bits), bits)
#define IS_ALIGNED(x, bits) (((x)&MASK(bits)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#define PACKED __attribute__((packed))
#define ALIGNED(n) __attribute__((aligned(n)))
#define SECTION(s) __attribute__((section(s)))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* The low n bits set (n may be 64). */
static inline uint64_t mask_bits(unsigned n)
{
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* Index of the most significant set bit; x must be non-zero. */
static inline unsigned highest_bit(word_t x)
{
    return 63u - (unsigned)__builtin_clzll(x);
}

/* Index of the least significant set bit; x must be non-zero. */
static inline unsigned lowest_bit(word_t x)
{
    return (unsigned)__builtin_ctzll(x);
}
