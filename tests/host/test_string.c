/* Host tests of libos's string functions (user/os/lib/string.c) against
 * the host C library: every alignment 0..15 (of both strings where there
 * are two) and lengths 0..70, the byte looked for or the end at every
 * position, bytes >= 0x80 (compared as unsigned char), c = 0 and c > 0xff
 * for strchr and memchr, n = 0 and n = SIZE_MAX for memchr and strncmp,
 * empty sets for strcspn and strspn, and random strings.
 *
 * The functions read whole aligned words, and so may read past a
 * terminator up to the end of its aligned word, which ASan would report in
 * a buffer that ends there: every string here sits in a 16-byte aligned
 * buffer with room after it (at least up to the next 16-byte boundary), so
 * every such read stays inside. The functions are renamed keel_* so that
 * they do not replace the host's own; the host's <string.h> comes first,
 * and string.c's own #include of it then adds nothing. */
#include <harness.h>

#include <stdint.h>
#include <string.h>

void *keel_memchr(const void *s, int c, size_t n);
char *keel_strchr(const char *s, int c);
char *keel_strrchr(const char *s, int c);
int keel_strcmp(const char *a, const char *b);
int keel_strncmp(const char *a, const char *b, size_t n);
size_t keel_strcspn(const char *s, const char *reject);
size_t keel_strspn(const char *s, const char *accept);
char *keel_stpcpy(char *restrict dst, const char *restrict src);
char *keel_strcpy(char *restrict dst, const char *restrict src);

#define memchr keel_memchr
#define strchr keel_strchr
#define strrchr keel_strrchr
#define strcmp keel_strcmp
#define strncmp keel_strncmp
#define strcspn keel_strcspn
#define strspn keel_strspn
#define stpcpy keel_stpcpy
#define strcpy keel_strcpy
#include "../../user/os/lib/string.c"
#undef memchr
#undef strchr
#undef strrchr
#undef strcmp
#undef strncmp
#undef strcspn
#undef strspn
#undef stpcpy
#undef strcpy

enum { MAXLEN = 70, BUF = 128 };

/* Bytes strings are made of: a few, so that a search finds repeats, on
 * both sides of 0x80. */
static const unsigned char alphabet[] = { 'a', 'b', 0x01, 0x7f, 0x80, 0xfe, 0xff };
#define NALPHA sizeof(alphabet)

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static unsigned char random_byte(harness_rng_t *rng)
{
    return alphabet[harness_rng_below(rng, NALPHA)];
}

/* A string of len bytes from the alphabet at buf + align, zeroes after it
 * up to the end of buf, and then byte `after` just past the terminator
 * (what a word read sees beyond the string; 0 for none). */
static char *make_string(char *buf, size_t align, size_t len, harness_rng_t *rng,
                         unsigned char after)
{
    memset(buf, 0, BUF);
    char *s = buf + align;
    for (size_t i = 0; i < len; i++) {
        s[i] = (char)random_byte(rng);
    }
    if (align + len + 1 < BUF) {
        s[len + 1] = (char)after;
    }
    return s;
}

/* The values of c tried: each byte value of the alphabet, 0, one absent
 * from it, and ints beyond a byte (converted to unsigned char). */
static const int search_chars[] = {
    'a', 'b', 0x01, 0x7f, 0x80, 0xfe, 0xff, 0, 'z', 0x161, -1, -128
};
#define NCHARS (sizeof(search_chars) / sizeof(search_chars[0]))

TEST(memchr_every_alignment_length_and_byte)
{
    harness_rng_t rng = { harness_seed() };
    _Alignas(16) char buf[BUF];
    for (size_t align = 0; align < 16; align++) {
        for (size_t len = 0; len <= MAXLEN; len++) {
            for (size_t k = 0; k < NCHARS; k++) {
                int c = search_chars[k];
                char *s = make_string(buf, align, len, &rng, (unsigned char)c);
                void *want = memchr(s, c, len);
                void *got = keel_memchr(s, c, len);
                (void)HARNESS_CHECK_(got == want, "align %zu length %zu c %d: %td, not %td", align,
                                     len, c, got ? (char *)got - s : -1,
                                     want ? (char *)want - s : -1);
            }
        }
    }
}

/* The byte at every position, n = SIZE_MAX (a search known to succeed) and
 * n = 0. */
TEST(memchr_at_every_position_huge_and_zero_n)
{
    _Alignas(16) unsigned char buf[BUF];
    for (size_t align = 0; align < 16; align++) {
        for (size_t i = 0; i < MAXLEN; i++) {
            for (size_t k = 0; k < NCHARS; k++) {
                unsigned char c = (unsigned char)search_chars[k];
                memset(buf, c == 0x42 ? 0x43 : 0x42, sizeof(buf));
                unsigned char *s = buf + align;
                s[i] = c;
                s[i + 1] = c;
                (void)HARNESS_CHECK_(keel_memchr(s, search_chars[k], SIZE_MAX) == s + i,
                                     "align %zu at %zu c %d, n = SIZE_MAX", align, i,
                                     search_chars[k]);
                (void)HARNESS_CHECK_(keel_memchr(s, search_chars[k], i + 1) == s + i,
                                     "align %zu at %zu c %d, n = %zu", align, i, search_chars[k],
                                     i + 1);
                (void)HARNESS_CHECK_(keel_memchr(s, search_chars[k], i) == NULL,
                                     "align %zu at %zu c %d, n = %zu", align, i, search_chars[k],
                                     i);
            }
        }
        EXPECT_TRUE(keel_memchr(buf + align, buf[align], 0) == NULL);
    }
}

TEST(strchr_strrchr_every_alignment_length_and_byte)
{
    harness_rng_t rng = { harness_seed() + 1 };
    _Alignas(16) char buf[BUF];
    for (size_t align = 0; align < 16; align++) {
        for (size_t len = 0; len <= MAXLEN; len++) {
            for (size_t k = 0; k < NCHARS; k++) {
                int c = search_chars[k];
                /* c after the terminator must not be found */
                char *s = make_string(buf, align, len, &rng, (unsigned char)c);
                char *want = strchr(s, c);
                char *got = keel_strchr(s, c);
                (void)HARNESS_CHECK_(got == want, "strchr align %zu length %zu c %d: %td, not %td",
                                     align, len, c, got ? got - s : -1, want ? want - s : -1);
                want = strrchr(s, c);
                got = keel_strrchr(s, c);
                (void)HARNESS_CHECK_(got == want, "strrchr align %zu length %zu c %d: %td, not %td",
                                     align, len, c, got ? got - s : -1, want ? want - s : -1);
            }
        }
    }
}

/* strchr(s, 0) is the terminator; a byte in every position of a string
 * without it otherwise. */
TEST(strchr_at_every_position)
{
    _Alignas(16) char buf[BUF];
    for (size_t align = 0; align < 16; align++) {
        for (size_t len = 0; len <= MAXLEN; len++) {
            memset(buf, 0, sizeof(buf));
            char *s = buf + align;
            memset(s, 'x', len);
            EXPECT_TRUE(keel_strchr(s, 0) == s + len);
            EXPECT_TRUE(keel_strrchr(s, 0) == s + len);
            for (size_t i = 0; i < len; i++) {
                s[i] = (char)0x80;
                (void)HARNESS_CHECK_(keel_strchr(s, 0x80) == s + i, "align %zu at %zu", align, i);
                (void)HARNESS_CHECK_(keel_strrchr(s, 0x80) == s + i, "align %zu at %zu", align, i);
                s[i] = 'x';
            }
        }
    }
}

static void check_compare(const char *x, const char *y, const char *what, size_t xa, size_t ya)
{
    int want = sign(strcmp(x, y));
    int got = sign(keel_strcmp(x, y));
    (void)HARNESS_CHECK_(got == want, "strcmp %s x %zu y %zu: %d, not %d", what, xa, ya, got, want);
    size_t lx = strlen(x);
    const size_t ns[] = { 0, 1, lx / 2, lx, lx + 1, lx + 9, SIZE_MAX };
    for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
        want = sign(strncmp(x, y, ns[k]));
        got = sign(keel_strncmp(x, y, ns[k]));
        (void)HARNESS_CHECK_(got == want, "strncmp %s x %zu y %zu n %zu: %d, not %d", what, xa, ya,
                             ns[k], got, want);
    }
}

/* Every alignment pair: equal strings, a difference at every position
 * (each way round, across 0x80), and one string a prefix of the other. */
TEST(strcmp_strncmp_every_alignment_pair)
{
    static const unsigned char pairs[][2] = {
        { 'a', 'b' }, { 0x7f, 0x80 }, { 0x01, 0xff }, { 0x10, 0x20 }, { 0x40, 0xc0 }
    };
    harness_rng_t rng = { harness_seed() + 2 };
    _Alignas(16) char xbuf[BUF], ybuf[BUF];
    for (size_t xa = 0; xa < 16; xa++) {
        for (size_t ya = 0; ya < 16; ya++) {
            for (size_t len = 0; len <= 40; len++) {
                char *x = make_string(xbuf, xa, len, &rng, 'q');
                memset(ybuf, 0, sizeof(ybuf));
                char *y = ybuf + ya;
                memcpy(y, x, len + 1);
                y[len + 1] = 'r'; /* after the terminators: differ */
                check_compare(x, y, "equal", xa, ya);
                for (size_t i = 0; i < len; i++) {
                    const unsigned char *pair = pairs[(i + len) % 5];
                    for (int swap = 0; swap < 2; swap++) {
                        x[i] = (char)pair[swap];
                        y[i] = (char)pair[!swap];
                        check_compare(x, y, "differing", xa, ya);
                        y[i] = x[i];
                    }
                    y[i] = '\0'; /* y a prefix of x */
                    check_compare(x, y, "prefix", xa, ya);
                    check_compare(y, x, "prefix", ya, xa);
                    y[i] = x[i];
                }
            }
        }
    }
}

/* Random sets (empty ones too) over random strings at every alignment. */
TEST(strcspn_strspn_random_sets)
{
    harness_rng_t rng = { harness_seed() + 3 };
    _Alignas(16) char buf[BUF];
    _Alignas(16) char set[BUF];
    for (size_t round = 0; round < 20000; round++) {
        size_t align = harness_rng_below(&rng, 16);
        size_t len = harness_rng_below(&rng, MAXLEN + 1);
        char *s = make_string(buf, align, len, &rng, 'a');
        size_t set_align = harness_rng_below(&rng, 16);
        size_t set_len = harness_rng_below(&rng, 6);
        char *accept = make_string(set, set_align, set_len, &rng, 'b');
        size_t want = strcspn(s, accept);
        size_t got = keel_strcspn(s, accept);
        (void)HARNESS_CHECK_(got == want, "strcspn round %zu set of %zu: %zu, not %zu", round,
                             set_len, got, want);
        want = strspn(s, accept);
        got = keel_strspn(s, accept);
        (void)HARNESS_CHECK_(got == want, "strspn round %zu set of %zu: %zu, not %zu", round,
                             set_len, got, want);
    }
    EXPECT_EQ(keel_strcspn("", ""), 0);
    EXPECT_EQ(keel_strspn("", ""), 0);
    EXPECT_EQ(keel_strspn("abc", ""), 0);
    EXPECT_EQ(keel_strspn("\x80\xff\x80x", "\xff\x80"), 3);
    EXPECT_EQ(keel_strcspn("ab\xff\x01", "\x01\xff"), 2);
}

TEST(stpcpy_strcpy_every_alignment_pair_and_length)
{
    harness_rng_t rng = { harness_seed() + 4 };
    _Alignas(16) char src[BUF];
    _Alignas(16) char dst[BUF], want[BUF];
    for (size_t da = 0; da < 16; da++) {
        for (size_t sa = 0; sa < 16; sa++) {
            for (size_t len = 0; len <= MAXLEN; len++) {
                char *s = make_string(src, sa, len, &rng, 'z');
                memset(want, 0xee, sizeof(want));
                memcpy(want + da, s, len + 1);
                memset(dst, 0xee, sizeof(dst));
                char *end = keel_stpcpy(dst + da, s);
                (void)HARNESS_CHECK_(end == dst + da + len && memcmp(dst, want, BUF) == 0,
                                     "stpcpy dst %zu src %zu length %zu", da, sa, len);
                memset(dst, 0xee, sizeof(dst));
                char *r = keel_strcpy(dst + da, s);
                (void)HARNESS_CHECK_(r == dst + da && memcmp(dst, want, BUF) == 0,
                                     "strcpy dst %zu src %zu length %zu", da, sa, len);
            }
        }
    }
}
