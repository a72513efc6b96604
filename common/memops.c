/* Memory primitives: see memops.h. Built into the kernel and into libkeel.
 *
 * memset, memcpy and memmove move aligned 64-bit words where they can (a
 * byte loop costs about five instructions a byte; pm zeroes and copies
 * whole pages for every process it starts). Only aligned word accesses:
 * the kernel may run with alignment checking on, and two pointers with
 * different alignments fall back to bytes. No SIMD registers (the kernel
 * never touches them). */
#include <memops.h>
#include <stdint.h>

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

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) {
        copy_forward(d, s, n);
    } else {
        while (n-- > 0) {
            d[n] = s[n];
        }
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a;
    const uint8_t *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] - y[i];
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return n;
}
