/* Host tests of the freestanding memory primitives (common/memops.c), which
 * the kernel and libkeel use: every alignment of source and destination,
 * lengths around the word and unrolled-block sizes and every length up to
 * 70, overlapping memmove both ways, memcmp with a difference at every
 * position, strlen at every alignment and length, against byte-at-a-time
 * references. ASan checks that nothing outside the buffers is touched. The primitives are renamed
 * keel_* here so that they do not replace the host C library's own. */
#include <harness.h>

#include <string.h>

#define memset keel_memset
#define memcpy keel_memcpy
#define memmove keel_memmove
#define memcmp keel_memcmp
#define strlen keel_strlen
#include "../../common/memops.c"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen

enum { SPAN = 300, PAD = 16 };

static const size_t lengths[] = { 0, 1, 2, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64, 65, 100, 255, 256 };
#define NLENGTHS (sizeof(lengths) / sizeof(lengths[0]))

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 7);
    }
}

TEST(memset_every_alignment_and_length)
{
    uint8_t buf[SPAN + 2 * PAD], want[SPAN + 2 * PAD];
    for (size_t align = 0; align < 16; align++) {
        for (size_t k = 0; k < NLENGTHS; k++) {
            size_t n = lengths[k];
            fill_pattern(buf, sizeof(buf), 3);
            fill_pattern(want, sizeof(want), 3);
            for (size_t i = 0; i < n; i++) {
                want[PAD + align + i] = 0xa5;
            }
            void *r = keel_memset(buf + PAD + align, 0x1a5, n); /* only the low byte counts */
            EXPECT_TRUE(r == buf + PAD + align);
            (void)HARNESS_CHECK_(memcmp(buf, want, sizeof(buf)) == 0, "align %zu length %zu", align,
                                 n);
        }
    }
}

TEST(memcpy_every_alignment_pair_and_length)
{
    uint8_t src[SPAN + 2 * PAD], dst[SPAN + 2 * PAD], want[SPAN + 2 * PAD];
    fill_pattern(src, sizeof(src), 11);
    for (size_t da = 0; da < 16; da++) {
        for (size_t sa = 0; sa < 16; sa++) {
            for (size_t k = 0; k < NLENGTHS; k++) {
                size_t n = lengths[k];
                memset(dst, 0xee, sizeof(dst));
                memset(want, 0xee, sizeof(want));
                for (size_t i = 0; i < n; i++) {
                    want[PAD + da + i] = src[PAD + sa + i];
                }
                void *r = keel_memcpy(dst + PAD + da, src + PAD + sa, n);
                EXPECT_TRUE(r == dst + PAD + da);
                (void)HARNESS_CHECK_(memcmp(dst, want, sizeof(dst)) == 0,
                                     "dst %zu src %zu length %zu", da, sa, n);
            }
        }
    }
}

/* Overlapping moves both ways, distances from 1 byte to beyond a block. */
TEST(memmove_overlapping_both_directions)
{
    uint8_t buf[SPAN + 2 * PAD], want[SPAN + 2 * PAD], ref[SPAN + 2 * PAD];
    for (size_t from = PAD; from < PAD + 16; from++) {
        for (size_t distance = 0; distance < 40; distance++) {
            for (int down = 0; down < 2; down++) {
                size_t to = down ? from - (distance % PAD) : from + distance;
                size_t n = 200;
                fill_pattern(buf, sizeof(buf), 5);
                fill_pattern(ref, sizeof(ref), 5);
                memcpy(want, ref, sizeof(want));
                for (size_t i = 0; i < n; i++) {
                    want[to + i] = ref[from + i];
                }
                void *r = keel_memmove(buf + to, buf + from, n);
                EXPECT_TRUE(r == buf + to);
                (void)HARNESS_CHECK_(memcmp(buf, want, sizeof(buf)) == 0, "from %zu to %zu", from,
                                     to);
            }
        }
    }
}

/* Every alignment pair 0..15 and every length 0..70: the byte heads, the
 * word bodies and the byte tails in each combination. */
TEST(memcpy_every_small_length)
{
    uint8_t src[SPAN + 2 * PAD], dst[SPAN + 2 * PAD], want[SPAN + 2 * PAD];
    fill_pattern(src, sizeof(src), 29);
    for (size_t da = 0; da < 16; da++) {
        for (size_t sa = 0; sa < 16; sa++) {
            for (size_t n = 0; n <= 70; n++) {
                memset(dst, 0x5a, sizeof(dst));
                memset(want, 0x5a, sizeof(want));
                memcpy(want + PAD + da, src + PAD + sa, n);
                keel_memcpy(dst + PAD + da, src + PAD + sa, n);
                (void)HARNESS_CHECK_(memcmp(dst, want, sizeof(dst)) == 0,
                                     "dst %zu src %zu length %zu", da, sa, n);
            }
        }
    }
}

/* Overlapping and disjoint moves of every length 0..70 from every source
 * alignment, the destination up to 40 bytes below or above: equal
 * alignments take the word loops (forward and backward), others bytes. */
TEST(memmove_every_small_overlap)
{
    enum { BASE = 64 };
    uint8_t buf[SPAN], want[SPAN], ref[SPAN];
    fill_pattern(ref, sizeof(ref), 41);
    for (size_t sa = 0; sa < 16; sa++) {
        for (int delta = -40; delta <= 40; delta++) {
            size_t from = BASE + sa;
            size_t to = (size_t)((int)from + delta);
            for (size_t n = 0; n <= 70; n++) {
                memcpy(buf, ref, sizeof(buf));
                memcpy(want, ref, sizeof(want));
                memmove(want + to, ref + from, n);
                void *r = keel_memmove(buf + to, buf + from, n);
                EXPECT_TRUE(r == buf + to);
                (void)HARNESS_CHECK_(memcmp(buf, want, sizeof(buf)) == 0,
                                     "from %zu to %zu length %zu", from, to, n);
            }
        }
    }
}

/* The reference: the difference of the first differing bytes, unsigned. */
static int byte_memcmp(const uint8_t *x, const uint8_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] - y[i];
        }
    }
    return 0;
}

/* Every alignment pair, every length 0..70, equal buffers and a difference
 * at every position, in both directions, with bytes on both sides of 0x80
 * (compared as unsigned), differing in the low or only the high bits, and a
 * second difference after the first. */
TEST(memcmp_difference_everywhere)
{
    static const uint8_t pairs[][2] = { { 0x01, 0x02 }, { 0x7f, 0x80 }, { 0x00, 0xff },
                                        { 0x80, 0xfe }, { 0x10, 0x20 }, { 0x40, 0xc0 } };
    uint8_t a[SPAN], b[SPAN];
    for (size_t xa = 0; xa < 16; xa++) {
        for (size_t ya = 0; ya < 16; ya++) {
            for (size_t n = 0; n <= 70; n++) {
                uint8_t *x = a + PAD + xa, *y = b + PAD + ya;
                fill_pattern(a, sizeof(a), 90);
                memcpy(y, x, n);
                (void)HARNESS_CHECK_(keel_memcmp(x, y, n) == 0, "equal: x %zu y %zu length %zu", xa,
                                     ya, n);
                for (size_t i = 0; i < n; i++) {
                    const uint8_t *pair = pairs[(i + n) % 6];
                    for (int swap = 0; swap < 2; swap++) {
                        memcpy(y, x, n);
                        x[i] = pair[swap];
                        y[i] = pair[!swap];
                        if (i + 3 < n) {
                            y[i + 3] ^= 0xc3; /* a later difference must not count */
                        }
                        int got = keel_memcmp(x, y, n);
                        int want = byte_memcmp(x, y, n);
                        (void)HARNESS_CHECK_(got == want,
                                             "x %zu y %zu length %zu at %zu: %d, not %d", xa, ya, n,
                                             i, got, want);
                    }
                }
            }
        }
    }
}

/* strlen reads aligned words: each string sits in a 16-byte aligned buffer
 * with zeroes to its end, so the word holding the terminator is inside it
 * (ASan would report a read past a shorter buffer). */
TEST(strlen_every_alignment_and_length)
{
    static const uint8_t awkward[] = { 0x01, 0x80, 0xff, 0x7f, 0x81, 0xfe, 0x10 };
    _Alignas(16) char buf[128];
    for (size_t align = 0; align < 16; align++) {
        for (size_t len = 0; len <= 70; len++) {
            memset(buf, 0, sizeof(buf));
            for (size_t i = 0; i < len; i++) {
                buf[align + i] = (char)awkward[(i + len) % sizeof(awkward)];
            }
            /* bytes after the terminator that a word read sees too */
            buf[align + len + 1] = 0x01;
            if (align + len + 2 < sizeof(buf)) {
                buf[align + len + 2] = (char)0x80;
            }
            size_t got = keel_strlen(buf + align);
            (void)HARNESS_CHECK_(got == len, "align %zu length %zu: %zu", align, len, got);
        }
    }
}

TEST(memcmp_and_strlen)
{
    _Alignas(16) char keel[16] = "keel";
    _Alignas(16) char empty[16] = "";
    EXPECT_TRUE(keel_memcmp("abc", "abd", 3) < 0);
    EXPECT_TRUE(keel_memcmp("abd", "abc", 3) > 0);
    EXPECT_TRUE(keel_memcmp("abc", "abd", 2) == 0);
    EXPECT_TRUE(keel_memcmp("\xff", "\x01", 1) > 0); /* bytes compare unsigned */
    EXPECT_TRUE(keel_strlen(empty) == 0);
    EXPECT_TRUE(keel_strlen(keel) == 4);
}
