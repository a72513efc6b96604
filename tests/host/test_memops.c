/* Host tests of the freestanding memory primitives (common/memops.c), which
 * the kernel and libkeel use: every alignment of source and destination,
 * lengths around the word and unrolled-block sizes, overlapping memmove both
 * ways, against byte-at-a-time references. ASan checks that nothing outside
 * the buffers is touched. The primitives are renamed keel_* here so that
 * they do not replace the host C library's own. */
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

TEST(memcmp_and_strlen)
{
    EXPECT_TRUE(keel_memcmp("abc", "abd", 3) < 0);
    EXPECT_TRUE(keel_memcmp("abd", "abc", 3) > 0);
    EXPECT_TRUE(keel_memcmp("abc", "abd", 2) == 0);
    EXPECT_TRUE(keel_memcmp("\xff", "\x01", 1) > 0); /* bytes compare unsigned */
    EXPECT_TRUE(keel_strlen("") == 0);
    EXPECT_TRUE(keel_strlen("keel") == 4);
}
