/* Host tests of physical range sets and power-of-two cutting
 * (kernel/core/region.c), against obviously correct reference models: a bitmap
 * over a small address space for the sets, and a block-by-block search for the
 * cutting. Random sequences are seeded (harness_seed) and reproducible. */
#include <harness.h>

#include <region.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reference model for sets: one flag per unit of address space -------- */

#define UNITS 256 /* room for up to 128 separate ranges: more than REGION_SET_MAX */

typedef struct model {
    bool in[UNITS];
    uint64_t base; /* address of unit 0 */
    uint64_t unit; /* bytes per unit */
} model_t;

static region_t to_region(const model_t *m, unsigned first, unsigned end)
{
    return (region_t){ m->base + first * m->unit, m->base + end * m->unit };
}

/* Number of maximal runs of set units: the size the set must have. */
static unsigned model_runs(const bool *in)
{
    unsigned runs = 0;
    for (unsigned u = 0; u < UNITS; u++) {
        runs += in[u] && (u == 0 || !in[u - 1]);
    }
    return runs;
}

/* The set holds exactly the model's runs, as the header's invariant demands:
 * ascending, disjoint, non-adjacent, non-empty. */
static bool set_matches(const region_set_t *set, const model_t *m, const char *after)
{
    bool expected[UNITS] = { false };
    if (!harness_check(set->count <= REGION_SET_MAX, __FILE__, __LINE__, "%s: count %u", after,
                       set->count)) {
        return false;
    }
    for (unsigned i = 0; i < set->count; i++) {
        region_t r = set->r[i];
        bool ok = r.start < r.end && r.start >= m->base && (r.start - m->base) % m->unit == 0 &&
                  (r.end - m->base) % m->unit == 0 && (r.end - m->base) / m->unit <= UNITS &&
                  (i == 0 || set->r[i - 1].end < r.start);
        if (!harness_check(ok, __FILE__, __LINE__,
                           "%s: range %u [0x%" PRIx64 ", 0x%" PRIx64 ") breaks the invariant",
                           after, i, r.start, r.end)) {
            return false;
        }
        for (uint64_t u = (r.start - m->base) / m->unit; u < (r.end - m->base) / m->unit; u++) {
            expected[u] = true;
        }
    }
    if (!harness_check(memcmp(expected, m->in, sizeof(expected)) == 0, __FILE__, __LINE__,
                       "%s: the set's ranges differ from the model", after)) {
        return false;
    }
    return harness_check(set->count == model_runs(m->in), __FILE__, __LINE__,
                         "%s: %u ranges for %u runs", after, set->count, model_runs(m->in));
}

static bool model_intersects(const model_t *m, unsigned first, unsigned end)
{
    for (unsigned u = first; u < end; u++) {
        if (m->in[u]) {
            return true;
        }
    }
    return false;
}

/* One random operation on both the set and the model; false on a mismatch. */
static bool random_step(harness_rng_t *rng, region_set_t *set, model_t *m, unsigned step)
{
    unsigned first = (unsigned)harness_rng_below(rng, UNITS + 1);
    /* Mostly short ranges (many separate runs), sometimes long ones. */
    unsigned span = (unsigned)harness_rng_below(rng, harness_rng_below(rng, 4) == 0 ? UNITS : 6);
    unsigned end = first + span > UNITS ? UNITS : first + span;
    region_t r = to_region(m, first, end);
    unsigned op = (unsigned)harness_rng_below(rng, 5);
    char after[96];

    /* (Empty ranges are checked in set_intersects_edges, not here.) */
    if (op == 4 && first < end) {
        snprintf(after, sizeof(after), "step %u: intersects [%u, %u)", step, first, end);
        return harness_check(region_set_intersects(set, r) == model_intersects(m, first, end),
                             __FILE__, __LINE__, "%s: wrong answer", after);
    }
    bool adding = op < 2 || ((op == 2 || op == 4) && set->count < REGION_SET_MAX / 2);
    bool next[UNITS];
    memcpy(next, m->in, sizeof(next));
    for (unsigned u = first; u < end; u++) {
        next[u] = adding;
    }
    bool fits = model_runs(next) <= REGION_SET_MAX;
    bool ok = adding ? region_set_add(set, r) : region_set_remove(set, r);
    snprintf(after, sizeof(after), "step %u: %s [%u, %u)", step, adding ? "add" : "remove", first,
             end);
    if (!harness_check(ok == fits, __FILE__, __LINE__, "%s returned %d, want %d", after, ok,
                       fits)) {
        return false;
    }
    if (ok) {
        memcpy(m->in, next, sizeof(next));
    }
    return set_matches(set, m, after);
}

/* Random sequences in a window of address space placed at `base`. */
static void random_sequences(uint64_t base, uint64_t unit, unsigned sequences, unsigned steps)
{
    harness_rng_t rng = { harness_seed() ^ base ^ unit };
    for (unsigned s = 0; s < sequences; s++) {
        region_set_t set = { 0 };
        model_t m = { .base = base, .unit = unit };
        for (unsigned i = 0; i < steps; i++) {
            if (!random_step(&rng, &set, &m, i)) {
                harness_note("failing sequence %u (base 0x%" PRIx64 ", unit 0x%" PRIx64 ")", s,
                             base, unit);
                return;
            }
        }
    }
}

TEST(set_random_against_model_low)
{
    random_sequences(0, 1, 100, 200); /* includes address 0 */
}

TEST(set_random_against_model_ram)
{
    random_sequences(0x40000000, 0x1000, 100, 200);
}

TEST(set_random_against_model_top)
{
    /* the window ends just below 2^64: no arithmetic may overflow */
    random_sequences(UINT64_MAX - (uint64_t)UNITS * 0x10000 - 0xffff, 0x10000, 50, 200);
}

/* ---- fixed cases for the set operations ----------------------------------- */

static region_t R(uint64_t start, uint64_t end)
{
    return (region_t){ start, end };
}

TEST(set_add_merges_touching_and_overlapping)
{
    region_set_t set = { 0 };
    EXPECT_TRUE(region_set_add(&set, R(0x1000, 0x2000)));
    EXPECT_TRUE(region_set_add(&set, R(0x3000, 0x4000)));
    EXPECT_EQ(set.count, 2);
    EXPECT_TRUE(region_set_add(&set, R(0x2000, 0x3000))); /* touches both */
    ASSERT_EQ(set.count, 1);
    EXPECT_EQ(set.r[0].start, 0x1000);
    EXPECT_EQ(set.r[0].end, 0x4000);
    EXPECT_TRUE(region_set_add(&set, R(0x800, 0x1800)));
    EXPECT_EQ(set.r[0].start, 0x800);
    EXPECT_TRUE(region_set_add(&set, R(0x5, 0x5))); /* empty: no-op */
    EXPECT_TRUE(region_set_add(&set, R(0x9, 0x5))); /* reversed: empty */
    EXPECT_EQ(set.count, 1);
}

TEST(set_remove_splits_and_trims)
{
    region_set_t set = { 0 };
    EXPECT_TRUE(region_set_add(&set, R(0x40000000, 0x80000000)));
    EXPECT_TRUE(region_set_remove(&set, R(0x40080000, 0x40100000))); /* kernel */
    EXPECT_TRUE(region_set_remove(&set, R(0x40000000, 0x40001000))); /* device tree */
    EXPECT_TRUE(region_set_remove(&set, R(0x7ff00000, 0x90000000))); /* past the end */
    ASSERT_EQ(set.count, 2);
    EXPECT_EQ(set.r[0].start, 0x40001000);
    EXPECT_EQ(set.r[0].end, 0x40080000);
    EXPECT_EQ(set.r[1].start, 0x40100000);
    EXPECT_EQ(set.r[1].end, 0x7ff00000);
    EXPECT_TRUE(region_set_remove(&set, R(0, UINT64_MAX)));
    EXPECT_EQ(set.count, 0);
    EXPECT_TRUE(region_set_remove(&set, R(0x1000, 0x2000))); /* from an empty set */
}

TEST(set_full_add_fails_unchanged)
{
    region_set_t set = { 0 };
    for (uint64_t i = 0; i < REGION_SET_MAX; i++) {
        EXPECT_TRUE(region_set_add(&set, R(i * 0x2000, i * 0x2000 + 0x1000)));
    }
    region_set_t before = set;
    uint64_t past = REGION_SET_MAX * 0x2000;
    EXPECT_FALSE(region_set_add(&set, R(past, past + 0x1000)));
    EXPECT_MEMEQ(&set, &before, sizeof(set));
    /* merging into existing ranges needs no new slot */
    EXPECT_TRUE(region_set_add(&set, R(0x1000, 0x2000)));
    EXPECT_EQ(set.count, REGION_SET_MAX - 1);
}

TEST(set_full_split_fails_unchanged)
{
    region_set_t set = { 0 };
    for (uint64_t i = 0; i < REGION_SET_MAX; i++) {
        EXPECT_TRUE(region_set_add(&set, R(i * 0x4000, i * 0x4000 + 0x3000)));
    }
    region_set_t before = set;
    EXPECT_FALSE(region_set_remove(&set, R(0x1000, 0x2000)));
    EXPECT_MEMEQ(&set, &before, sizeof(set));
    EXPECT_TRUE(region_set_remove(&set, R(0x0, 0x1000))); /* a trim needs no slot */
    EXPECT_EQ(set.count, REGION_SET_MAX);
}

TEST(set_intersects_edges)
{
    region_set_t set = { 0 };
    EXPECT_TRUE(region_set_add(&set, R(0x1000, 0x2000)));
    EXPECT_FALSE(region_set_intersects(&set, R(0x0, 0x1000)));
    EXPECT_FALSE(region_set_intersects(&set, R(0x2000, 0x3000)));
    EXPECT_TRUE(region_set_intersects(&set, R(0x1fff, 0x2000)));
    EXPECT_TRUE(region_set_intersects(&set, R(0x0, 0x1001)));
    EXPECT_FALSE(region_set_intersects(&set, R(0x1800, 0x1800))); /* empty */
}

/* ---- cutting into power-of-two blocks -------------------------------------- */

#define MAX_BLOCKS 512

typedef struct blocks {
    unsigned count;
    paddr_t base[MAX_BLOCKS];
    unsigned bits[MAX_BLOCKS];
} blocks_t;

static void collect(void *ctx, paddr_t base, unsigned size_bits)
{
    blocks_t *b = ctx;
    if (b->count < MAX_BLOCKS) {
        b->base[b->count] = base;
        b->bits[b->count] = size_bits;
    }
    b->count++;
}

/* Reference: from each position take the largest k <= max_bits such that the
 * position is a multiple of 2^k and the block fits; keep it if k >= min_bits. */
static void reference_cut(region_t r, unsigned min_bits, unsigned max_bits, blocks_t *out)
{
    out->count = 0;
    uint64_t at = r.start;
    while (at < r.end) {
        unsigned k = max_bits > 63 ? 63 : max_bits;
        while (k > 0 && ((at & ((1ull << k) - 1)) != 0 || r.end - at < (1ull << k))) {
            k--;
        }
        if (k >= min_bits) {
            collect(out, at, k);
        }
        at += 1ull << k;
    }
}

static bool cut_matches(region_t r, unsigned min_bits, unsigned max_bits)
{
    blocks_t got = { 0 }, want = { 0 };
    unsigned returned = region_cut_pow2(r, min_bits, max_bits, collect, &got);
    reference_cut(r, min_bits, max_bits, &want);
    bool ok = returned == got.count && got.count == want.count &&
              memcmp(got.base, want.base, sizeof(got.base)) == 0 &&
              memcmp(got.bits, want.bits, sizeof(got.bits)) == 0;
    return harness_check(ok, __FILE__, __LINE__,
                         "cut [0x%" PRIx64 ", 0x%" PRIx64 ") bits %u..%u: %u blocks (returned %u), "
                         "want %u",
                         r.start, r.end, min_bits, max_bits, got.count, returned, want.count);
}

/* A random address with a random number of low zero bits. */
static uint64_t random_address(harness_rng_t *rng)
{
    uint64_t x = harness_rng_next(rng) >> harness_rng_below(rng, 64);
    return x & ~((1ull << harness_rng_below(rng, 40)) - 1);
}

TEST(cut_random_against_reference)
{
    harness_rng_t rng = { harness_seed() };
    for (unsigned i = 0; i < 20000; i++) {
        unsigned max_bits = (unsigned)harness_rng_below(&rng, 64);
        unsigned min_bits = (unsigned)harness_rng_below(&rng, max_bits + 3); /* may exceed max */
        /* At most 2^(max_bits + 6) bytes, so that there are at most ~64 + 2 * 64 blocks. */
        uint64_t start = random_address(&rng);
        unsigned length_bits = max_bits + 6;
        uint64_t length =
            harness_rng_next(&rng) & (length_bits >= 64 ? UINT64_MAX : (1ull << length_bits) - 1);
        uint64_t end = length > UINT64_MAX - start ? UINT64_MAX : start + length;
        if (!cut_matches(R(start, end), min_bits, max_bits)) {
            harness_note("failing case %u", i);
            return;
        }
    }
}

TEST(cut_blocks_cover_the_range)
{
    harness_rng_t rng = { harness_seed() + 1 };
    for (unsigned i = 0; i < 2000; i++) {
        uint64_t a = random_address(&rng), b = random_address(&rng);
        region_t r = a < b ? R(a, b) : R(b, a);
        blocks_t got = { 0 };
        region_cut_pow2(r, 0, 63, collect, &got);
        uint64_t at = r.start;
        for (unsigned k = 0; k < got.count && k < MAX_BLOCKS; k++) {
            bool ok = got.base[k] == at && (got.base[k] & ((1ull << got.bits[k]) - 1)) == 0;
            if (!harness_check(ok, __FILE__, __LINE__,
                               "block %u of [0x%" PRIx64 ", 0x%" PRIx64 ") at 0x%" PRIx64
                               " size 2^%u: not contiguous or not aligned",
                               k, r.start, r.end, got.base[k], got.bits[k])) {
                return;
            }
            at += 1ull << got.bits[k];
        }
        if (!harness_check(at == r.end, __FILE__, __LINE__,
                           "blocks end at 0x%" PRIx64 ", range at 0x%" PRIx64, at, r.end)) {
            return;
        }
    }
}

/* The device untypeds of ABI §9.6 for qemu-virt: gaps cut with 4..47 bits. */
TEST(cut_qemu_virt_device_gaps)
{
    blocks_t b = { 0 };
    EXPECT_EQ(region_cut_pow2(R(0, 0x08000000), 4, 47, collect, &b), 1);
    EXPECT_EQ(b.base[0], 0);
    EXPECT_EQ(b.bits[0], 27);

    b.count = 0;
    EXPECT_EQ(region_cut_pow2(R(0x08001000, 0x08010000), 4, 47, collect, &b), 4);
    const unsigned gic_gap_bits[] = { 12, 13, 14, 15 };
    const paddr_t gic_gap_base[] = { 0x08001000, 0x08002000, 0x08004000, 0x08008000 };
    EXPECT_MEMEQ(b.bits, gic_gap_bits, sizeof(gic_gap_bits));
    EXPECT_MEMEQ(b.base, gic_gap_base, sizeof(gic_gap_base));

    b.count = 0;
    EXPECT_EQ(region_cut_pow2(R(0x80000000, 1ull << 40), 4, 47, collect, &b), 9);
    for (unsigned k = 0; k < 9; k++) {
        EXPECT_EQ(b.base[k], 1ull << (31 + k));
        EXPECT_EQ(b.bits[k], 31 + k);
    }
}

TEST(cut_limits)
{
    blocks_t b = { 0 };
    /* max_bits caps the block size */
    EXPECT_EQ(region_cut_pow2(R(0, 0x10000), 0, 12, collect, &b), 16);
    EXPECT_EQ(b.bits[15], 12);
    /* pieces below min_bits are skipped, larger ones kept */
    b.count = 0;
    EXPECT_EQ(region_cut_pow2(R(0x8, 0x1000), 4, 63, collect, &b), 8);
    EXPECT_EQ(b.base[0], 0x10);
    /* empty and reversed ranges */
    b.count = 0;
    EXPECT_EQ(region_cut_pow2(R(0x1000, 0x1000), 0, 63, collect, &b), 0);
    EXPECT_EQ(region_cut_pow2(R(0x2000, 0x1000), 0, 63, collect, &b), 0);
    EXPECT_EQ(b.count, 0);
    /* the top of the address space */
    EXPECT_EQ(region_cut_pow2(R(1ull << 63, UINT64_MAX), 62, 63, collect, &b), 1);
    EXPECT_EQ(b.bits[0], 62);
}
