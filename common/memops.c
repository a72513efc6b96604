/* Memory primitives: see memops.h. Built into the kernel, into libkeel
 * and into libos (ahead of picolibc's byte loops).
 *
 * memset, memcpy, memmove (both directions) and memcmp move or compare
 * aligned 64-bit words where they can (a byte loop costs about five
 * instructions a byte; pm zeroes and copies whole pages for every process
 * it starts), and strlen reads aligned words. Only aligned word accesses:
 * the kernel may run with alignment checking on, and two pointers with
 * different alignments fall back to bytes. No SIMD registers (the kernel
 * never touches them). Words are little endian: the lowest byte of a word
 * is the first in memory. */
#include <memops.h>
#include <stdint.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "memops.c assumes little-endian words"
#endif

/* may_alias: callers store other types in what these words write. */
typedef uint64_t __attribute__((may_alias)) word_t;

#define WORD sizeof(word_t)

static int misaligned(const void *p)
{
    return (int)((uintptr_t)p & (WORD - 1));
}

void *memset(void *dst, int value, size_t n)
{
    uint8_t *d = dst;
    while (n > 0 && misaligned(d)) {
        *d++ = (uint8_t)value;
        n--;
    }
    word_t word = (uint8_t)value * 0x0101010101010101ull;
    word_t *w = (word_t *)d;
    for (; n >= 4 * WORD; n -= 4 * WORD, w += 4) {
        w[0] = word;
        w[1] = word;
        w[2] = word;
        w[3] = word;
    }
    for (; n >= WORD; n -= WORD) {
        *w++ = word;
    }
    d = (uint8_t *)w;
    while (n-- > 0) {
        *d++ = (uint8_t)value;
    }
    return dst;
}

/* Copy upwards. Safe for overlapping buffers when dst < src: with equal
 * alignments the two are then at least a word apart, so each word is read
 * before it is overwritten. */
static void copy_forward(uint8_t *d, const uint8_t *s, size_t n)
{
    if (misaligned(d) == misaligned(s)) {
        while (n > 0 && misaligned(d)) {
            *d++ = *s++;
            n--;
        }
        word_t *wd = (word_t *)d;
        const word_t *ws = (const word_t *)s;
        for (; n >= 4 * WORD; n -= 4 * WORD, wd += 4, ws += 4) {
            word_t a = ws[0], b = ws[1], c = ws[2], e = ws[3];
            wd[0] = a;
            wd[1] = b;
            wd[2] = c;
            wd[3] = e;
        }
        for (; n >= WORD; n -= WORD) {
            *wd++ = *ws++;
        }
        d = (uint8_t *)wd;
        s = (const uint8_t *)ws;
    }
    while (n-- > 0) {
        *d++ = *s++;
    }
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

/* Copy downwards, from the ends of the buffers. Safe for overlapping
 * buffers when dst > src: with equal alignments the two are then at least
 * a word apart, and a block of words is read before any of it is written,
 * so each word is read before it is overwritten. */
static void copy_backward(uint8_t *d, const uint8_t *s, size_t n)
{
    d += n;
    s += n;
    if (misaligned(d) == misaligned(s)) {
        while (n > 0 && misaligned(d)) {
            *--d = *--s;
            n--;
        }
        word_t *wd = (word_t *)d;
        const word_t *ws = (const word_t *)s;
        for (; n >= 4 * WORD; n -= 4 * WORD) {
            wd -= 4;
            ws -= 4;
            word_t a = ws[3], b = ws[2], c = ws[1], e = ws[0];
            wd[3] = a;
            wd[2] = b;
            wd[1] = c;
            wd[0] = e;
        }
        for (; n >= WORD; n -= WORD) {
            *--wd = *--ws;
        }
        d = (uint8_t *)wd;
        s = (const uint8_t *)ws;
    }
    while (n-- > 0) {
        *--d = *--s;
    }
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) {
        copy_forward(d, s, n);
    } else if (d > s) {
        copy_backward(d, s, n);
    }
    return dst;
}

/* The difference of the first differing bytes of two words that differ:
 * the lowest set bit of their xor is in that byte. */
static int word_difference(word_t x, word_t y)
{
    unsigned shift = (unsigned)__builtin_ctzll(x ^ y) & ~7u;
    return (int)((x >> shift) & 0xff) - (int)((y >> shift) & 0xff);
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a;
    const uint8_t *y = b;
    if (misaligned(x) == misaligned(y)) {
        for (; n > 0 && misaligned(x); n--, x++, y++) {
            if (*x != *y) {
                return *x - *y;
            }
        }
        const word_t *wx = (const word_t *)x;
        const word_t *wy = (const word_t *)y;
        for (; n >= WORD; n -= WORD, wx++, wy++) {
            if (*wx != *wy) {
                return word_difference(*wx, *wy);
            }
        }
        x = (const uint8_t *)wx;
        y = (const uint8_t *)wy;
    }
    for (; n > 0; n--, x++, y++) {
        if (*x != *y) {
            return *x - *y;
        }
    }
    return 0;
}

/* Bytes up to the first aligned word byte by byte, then whole aligned
 * words: (w - 0x0101..01) & ~w & 0x8080..80 is non-zero exactly when a
 * byte of w is zero, and its lowest set bit is in the first zero byte (a
 * borrow only runs upwards, so any false mark lies above a real zero).
 * The word that holds the terminator is aligned, so reading all of it
 * never crosses into a page the string does not reach. */
size_t strlen(const char *s)
{
    const char *p = s;
    for (; misaligned(p); p++) {
        if (*p == '\0') {
            return (size_t)(p - s);
        }
    }
    const word_t *w = (const word_t *)p;
    for (;; w++) {
        word_t zero = (*w - 0x0101010101010101ull) & ~*w & 0x8080808080808080ull;
        if (zero != 0) {
            return (size_t)((const char *)w - s) + ((unsigned)__builtin_ctzll(zero) >> 3);
        }
    }
}
