/* String searches and comparisons of <string.h>, ahead of picolibc's
 * (libos.mk): Debian builds picolibc for size, so its strcmp, strchr,
 * memchr and friends step a byte at a time, and its strcspn and strspn
 * walk the whole set for every byte of the string (here: a bit set, for
 * strspn after its first few bytes).
 *
 * Here they read aligned 64-bit words and look for a zero byte in each
 * with a carry trick: for a word w, (w - 0x0101..01) & ~w & 0x8080..80
 * is non-zero exactly when some byte of w is zero, and its lowest set bit
 * is in the lowest such byte (a borrow only propagates upward, so the
 * false marks it can produce all lie above a real zero byte). Searching
 * for a byte c is the same test on w ^ (c * 0x0101..01). Words are little
 * endian: the lowest byte comes first in memory.
 *
 * A word read never leaves the aligned word that holds the byte that ends
 * the search, so it never crosses into a page the string does not reach.
 * Two strings compared with different alignments go a byte at a time (EL0
 * may read unaligned words, but the word of the second string could then
 * cross a page past its terminator). Compiled with -fno-builtin, so that
 * the compiler does not turn a loop here into a call to the function
 * itself. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "string.c assumes little-endian words"
#endif

/* may_alias: the words read are arrays of char of any type. */
typedef uint64_t __attribute__((may_alias)) word_t;

#define WORD sizeof(word_t)
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static size_t misalignment(const void *p)
{
    return (uintptr_t)p & (WORD - 1);
}

/* Non-zero iff a byte of w is zero; its lowest set bit is bit 7 of the
 * first such byte. */
static word_t zero_bytes(word_t w)
{
    return (w - ONES) & ~w & HIGHS;
}

/* The index (0..7) of the byte holding the lowest set bit of a non-zero
 * mark. */
static size_t first_byte(word_t mark)
{
    return (size_t)__builtin_ctzll(mark) >> 3;
}

static unsigned byte_at(word_t w, size_t index)
{
    return (unsigned)(w >> (index * 8)) & 0xff;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    unsigned char ch = (unsigned char)c;
    for (; n > 0 && misalignment(p) != 0; p++, n--) {
        if (*p == ch) {
            return (void *)p;
        }
    }
    word_t pattern = ch * ONES;
    const word_t *w = (const word_t *)p;
    for (; n >= WORD; n -= WORD, w++) {
        word_t mark = zero_bytes(*w ^ pattern);
        if (mark != 0) {
            return (void *)((const unsigned char *)w + first_byte(mark));
        }
    }
    for (p = (const unsigned char *)w; n > 0; p++, n--) {
        if (*p == ch) {
            return (void *)p;
        }
    }
    return NULL;
}

/* The first c in s, or the terminator if s holds none (for c = 0, the
 * terminator). GNU's strchrnul, kept to this file (picolibc's string.h
 * declares that only for _GNU_SOURCE). */
static char *char_or_end(const char *s, int c)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char ch = (unsigned char)c;
    for (; misalignment(p) != 0; p++) {
        if (*p == ch || *p == '\0') {
            return (char *)p;
        }
    }
    word_t pattern = ch * ONES;
    const word_t *w = (const word_t *)p;
    for (;; w++) {
        /* the lowest mark of either test is a real match or a real zero */
        word_t mark = zero_bytes(*w) | zero_bytes(*w ^ pattern);
        if (mark != 0) {
            return (char *)w + first_byte(mark);
        }
    }
}

char *strchr(const char *s, int c)
{
    char *p = char_or_end(s, c);
    return *(unsigned char *)p == (unsigned char)c ? p : NULL;
}

char *strrchr(const char *s, int c)
{
    if ((unsigned char)c == '\0') {
        return char_or_end(s, c);
    }
    char *last = NULL;
    for (const char *p = s;; p++) {
        p = char_or_end(p, c);
        if (*p == '\0') {
            return last;
        }
        last = (char *)p;
    }
}

/* The result of comparing two differing words at the first byte where
 * they differ or a ends (mark: bits set there, possibly also above). */
static int word_difference(word_t a, word_t b, word_t mark)
{
    size_t i = first_byte(mark);
    return (int)byte_at(a, i) - (int)byte_at(b, i);
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    if (misalignment(x) == misalignment(y)) {
        for (; misalignment(x) != 0; x++, y++) {
            if (*x != *y || *x == '\0') {
                return *x - *y;
            }
        }
        const word_t *wx = (const word_t *)x;
        const word_t *wy = (const word_t *)y;
        for (;; wx++, wy++) {
            /* a byte of y can end only where it differs from x's or where
             * x ends too */
            word_t mark = (*wx ^ *wy) | zero_bytes(*wx);
            if (mark != 0) {
                return word_difference(*wx, *wy, mark);
            }
        }
    }
    for (;; x++, y++) {
        if (*x != *y || *x == '\0') {
            return *x - *y;
        }
    }
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    if (misalignment(x) == misalignment(y)) {
        for (; n > 0 && misalignment(x) != 0; x++, y++, n--) {
            if (*x != *y || *x == '\0') {
                return *x - *y;
            }
        }
        const word_t *wx = (const word_t *)x;
        const word_t *wy = (const word_t *)y;
        for (; n >= WORD; n -= WORD, wx++, wy++) {
            word_t mark = (*wx ^ *wy) | zero_bytes(*wx);
            if (mark != 0) {
                return word_difference(*wx, *wy, mark);
            }
        }
        x = (const unsigned char *)wx;
        y = (const unsigned char *)wy;
    }
    for (; n > 0; x++, y++, n--) {
        if (*x != *y || *x == '\0') {
            return *x - *y;
        }
    }
    return 0;
}

/* A set of bytes: bit b % 64 of bits[b / 64]. */
struct byte_set {
    uint64_t bits[4];
};

static void set_add(struct byte_set *set, unsigned char b)
{
    set->bits[b >> 6] |= 1ull << (b & 63);
}

static int set_has(const struct byte_set *set, unsigned char b)
{
    return (int)(set->bits[b >> 6] >> (b & 63)) & 1;
}

size_t strcspn(const char *s, const char *reject)
{
    if (reject[0] == '\0') {
        return strlen(s);
    }
    if (reject[1] == '\0') {
        return (size_t)(char_or_end(s, (unsigned char)reject[0]) - s);
    }
    struct byte_set set = { { 1 } }; /* the terminator stops the scan */
    for (const unsigned char *r = (const unsigned char *)reject; *r != '\0'; r++) {
        set_add(&set, *r);
    }
    const unsigned char *p = (const unsigned char *)s;
    while (!set_has(&set, *p)) {
        p++;
    }
    return (size_t)(p - (const unsigned char *)s);
}

/* Whether b is one of the bytes of set (a string). */
static int in_string(const unsigned char *set, unsigned char b)
{
    for (; *set != '\0'; set++) {
        if (*set == b) {
            return 1;
        }
    }
    return 0;
}

/* strspn tests its first bytes against the accept string itself: a short
 * span (a printf format's flags, which Lua's string.format measures with a
 * set of 14) ends before building the bit set would pay. strcspn builds
 * its set at once: SQLite's spans are long (speedtest1 took more
 * instructions with the same start). */
enum { DIRECT_BYTES = 4 };

size_t strspn(const char *s, const char *accept)
{
    const unsigned char *a = (const unsigned char *)accept;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < DIRECT_BYTES; i++, p++) {
        if (*p == '\0' || !in_string(a, *p)) {
            return (size_t)(p - (const unsigned char *)s);
        }
    }
    struct byte_set set = { { 0 } }; /* never the terminator */
    for (; *a != '\0'; a++) {
        set_add(&set, *a);
    }
    while (set_has(&set, *p)) {
        p++;
    }
    return (size_t)(p - (const unsigned char *)s);
}

/* Copies src with its terminator to dst and returns the terminator's
 * place in dst. Whole words only while they hold no zero byte: dst may
 * end right after the terminator. */
char *stpcpy(char *restrict dst, const char *restrict src)
{
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (misalignment(d) == misalignment(s)) {
        for (; misalignment(s) != 0; d++, s++) {
            if ((*d = *s) == '\0') {
                return (char *)d;
            }
        }
        word_t *wd = (word_t *)d;
        const word_t *ws = (const word_t *)s;
        for (; zero_bytes(*ws) == 0; wd++, ws++) {
            *wd = *ws;
        }
        d = (unsigned char *)wd;
        s = (const unsigned char *)ws;
    }
    while ((*d = *s) != '\0') {
        d++;
        s++;
    }
    return (char *)d;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
    stpcpy(dst, src);
    return dst;
}
