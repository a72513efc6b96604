/* The timer driver's table of a client's timeouts (user/os/drivers/timer/
 * deadlines.c) on the host, under ASan and UBSan: deadline order, first
 * come first fired at equal deadlines, a full table, tags as names only,
 * cancel by tag, a random mix of timeouts and firings against a plain
 * model, and the conversions between nanoseconds and counter ticks
 * (keel/os/timer.h). */
#include "../../user/os/drivers/timer/deadlines.h"

#include <harness.h>
#include <string.h>

#define FREQ 62500000u /* QEMU virt's CNTFRQ_EL0 */

static void clear(deadlines_t *d)
{
    memset(d, 0xa5, sizeof(*d)); /* nothing may depend on the zeroes */
    d->count = 0;
}

TEST(wakes_in_deadline_order)
{
    deadlines_t d;
    clear(&d);
    int late = deadlines_add(&d, 7, 300), early = deadlines_add(&d, 8, 100),
        middle = deadlines_add(&d, 9, 200);
    uint64_t at = 0;
    EXPECT_TRUE(deadlines_earliest(&d, &at));
    EXPECT_EQ(at, 100);
    EXPECT_EQ(deadlines_take_due(&d, 99), -1);
    EXPECT_EQ(deadlines_take_due(&d, 250), early);
    EXPECT_EQ(deadlines_take_due(&d, 250), middle);
    EXPECT_EQ(deadlines_take_due(&d, 250), -1);
    EXPECT_EQ(d.tag[late], 7);
    EXPECT_EQ(deadlines_take_due(&d, 300), late);
    EXPECT_FALSE(deadlines_earliest(&d, &at));
    EXPECT_EQ(deadlines_take_due(&d, UINT64_MAX), -1);
}

TEST(equal_deadlines_wake_first_come_first)
{
    deadlines_t d;
    clear(&d);
    int a = deadlines_add(&d, 1, 50), b = deadlines_add(&d, 1, 50), c = deadlines_add(&d, 1, 50);
    EXPECT_TRUE(a != b && b != c && a != c); /* one tag twice: two slots */
    EXPECT_EQ(deadlines_take_due(&d, 50), a);
    EXPECT_EQ(deadlines_take_due(&d, 50), b);
    EXPECT_EQ(deadlines_take_due(&d, 50), c);
}

TEST(a_full_table_refuses_and_a_freed_slot_is_reused)
{
    deadlines_t d;
    clear(&d);
    for (int i = 0; i < DEADLINES_MAX; i++) {
        int slot = deadlines_add(&d, UINT64_MAX - (uint64_t)i, (uint64_t)(DEADLINES_MAX - i));
        EXPECT_TRUE(slot >= 0 && slot < DEADLINES_MAX);
    }
    EXPECT_EQ(deadlines_add(&d, 1, 1), -1);
    EXPECT_EQ(d.count, DEADLINES_MAX);
    int first = deadlines_take_due(&d, 1); /* the last added: deadline 1 */
    EXPECT_EQ(d.tag[first], UINT64_MAX - (DEADLINES_MAX - 1));
    EXPECT_EQ(deadlines_add(&d, 42, 1000), first);
    EXPECT_EQ(deadlines_add(&d, 43, 1000), -1);
}

TEST(remove_gives_a_slot_back)
{
    deadlines_t d;
    clear(&d);
    int a = deadlines_add(&d, 1, 10), b = deadlines_add(&d, 2, 20);
    deadlines_remove(&d, a);
    EXPECT_EQ(d.count, 1);
    uint64_t at = 0;
    EXPECT_TRUE(deadlines_earliest(&d, &at));
    EXPECT_EQ(at, 20);
    EXPECT_EQ(deadlines_add(&d, 3, 5), a);
    EXPECT_EQ(deadlines_take_due(&d, 100), a);
    EXPECT_EQ(deadlines_take_due(&d, 100), b);
}

TEST(find_by_tag_for_a_cancel)
{
    deadlines_t d;
    clear(&d);
    int late = deadlines_add(&d, 7, 300), early = deadlines_add(&d, 7, 100);
    int other = deadlines_add(&d, 8, 200);
    EXPECT_EQ(deadlines_find(&d, 7), early); /* the first in deadline order */
    EXPECT_EQ(deadlines_find(&d, 8), other);
    EXPECT_EQ(deadlines_find(&d, 9), -1);
    deadlines_remove(&d, early);
    EXPECT_EQ(deadlines_find(&d, 7), late);
    deadlines_remove(&d, late);
    EXPECT_EQ(deadlines_find(&d, 7), -1);
    EXPECT_EQ(deadlines_take_due(&d, UINT64_MAX), other);
    EXPECT_EQ(deadlines_find(&d, 8), -1);
}

/* Random timeouts and firings against a model: an array of (deadline,
 * arrival) pairs, the earliest deadline then the earliest arrival due
 * first. */
TEST(random_against_a_model)
{
    harness_rng_t rng = { harness_seed() };
    deadlines_t d;
    clear(&d);
    struct {
        bool used;
        uint64_t deadline, arrival;
    } model[DEADLINES_MAX] = { 0 };
    uint64_t arrivals = 0, now = 0;
    for (int step = 0; step < 100000; step++) {
        if (harness_rng_below(&rng, 2) == 0) {
            uint64_t deadline = now + harness_rng_below(&rng, 1000);
            int slot = deadlines_add(&d, harness_rng_next(&rng), deadline);
            int used = 0;
            for (int i = 0; i < DEADLINES_MAX; i++) {
                used += model[i].used;
            }
            if (!HARNESS_CHECK_(slot >= 0 ? !model[slot].used : used == DEADLINES_MAX,
                                "step %d: slot %d", step, slot) ||
                slot < 0) {
                continue;
            }
            model[slot].used = true;
            model[slot].deadline = deadline;
            model[slot].arrival = arrivals++;
        } else {
            now += harness_rng_below(&rng, 300);
            int want = -1;
            for (int i = 0; i < DEADLINES_MAX; i++) {
                if (model[i].used && model[i].deadline <= now &&
                    (want < 0 || model[i].deadline < model[want].deadline ||
                     (model[i].deadline == model[want].deadline &&
                      model[i].arrival < model[want].arrival))) {
                    want = i;
                }
            }
            int got = deadlines_take_due(&d, now);
            if (!HARNESS_CHECK_(got == want, "step %d: took %d, want %d", step, got, want)) {
                return;
            }
            if (got >= 0) {
                model[got].used = false;
            }
        }
    }
}

TEST(nanoseconds_to_ticks_round_up)
{
    EXPECT_EQ(keel_ns_to_ticks(0, FREQ), 0);
    EXPECT_EQ(keel_ns_to_ticks(1, FREQ), 1);  /* 0.0625 ticks: never short */
    EXPECT_EQ(keel_ns_to_ticks(16, FREQ), 1); /* exactly one tick */
    EXPECT_EQ(keel_ns_to_ticks(17, FREQ), 2);
    EXPECT_EQ(keel_ns_to_ticks(1000000000, FREQ), FREQ);
    EXPECT_EQ(keel_ns_to_ticks(20000000, FREQ), 1250000); /* 20 ms */
    EXPECT_EQ(keel_ns_to_ticks(UINT64_C(1) << 62, FREQ), UINT64_C(288230376151711744));
    EXPECT_EQ(keel_ns_to_ticks(UINT64_MAX, 4000000000u), UINT64_MAX); /* saturates */
}

TEST(ticks_to_nanoseconds_round_down)
{
    EXPECT_EQ(keel_ticks_to_ns(0, FREQ), 0);
    EXPECT_EQ(keel_ticks_to_ns(1, FREQ), 16);
    EXPECT_EQ(keel_ticks_to_ns(FREQ, FREQ), 1000000000);
    EXPECT_EQ(keel_ticks_to_ns(FREQ + 1, FREQ), 1000000016);
    EXPECT_EQ(keel_ticks_to_ns(UINT64_MAX, 1), UINT64_MAX);
    /* a round trip never comes back short */
    for (uint64_t ns = 0; ns < 100000; ns += 7) {
        EXPECT_TRUE(keel_ticks_to_ns(keel_ns_to_ticks(ns, FREQ), FREQ) >= ns);
    }
}

TEST(saturated_sum)
{
    EXPECT_EQ(keel_add_saturated(1, 2), 3);
    EXPECT_EQ(keel_add_saturated(UINT64_MAX - 1, 1), UINT64_MAX);
    EXPECT_EQ(keel_add_saturated(UINT64_MAX - 1, 2), UINT64_MAX);
}
