/* Host tests of the scheduler's ready queues (kernel/core/ready_queue.c) and
 * the wait queues of endpoints and notifications (kernel/include/tcb_queue.h),
 * driven by seeded random operations against a plain model: per-priority
 * arrays and one array per queue. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <tcb_queue.h>
#include <thread.h>

#define THREADS 64

static tcb_t *threads; /* host memory: the "physical address" of a TCB is its address */

/* Model of the ready queues: for each priority, the thread indices in order. */
static int model_queue[256][THREADS];
static int model_length[256];

static void setup(void)
{
    static tcb_t *memory;
    if (memory == NULL) {
        memory = calloc(THREADS, sizeof(tcb_t));
    }
    threads = memory;
    memset(threads, 0, THREADS * sizeof(tcb_t));
    memset(model_length, 0, sizeof(model_length));
}

static int model_find(int prio, int t)
{
    for (int i = 0; i < model_length[prio]; i++) {
        if (model_queue[prio][i] == t) {
            return i;
        }
    }
    return -1;
}

static void model_insert(int prio, int at, int t)
{
    memmove(&model_queue[prio][at + 1], &model_queue[prio][at],
            (size_t)(model_length[prio] - at) * sizeof(int));
    model_queue[prio][at] = t;
    model_length[prio]++;
}

static void model_delete(int prio, int at)
{
    memmove(&model_queue[prio][at], &model_queue[prio][at + 1],
            (size_t)(model_length[prio] - at - 1) * sizeof(int));
    model_length[prio]--;
}

static int model_highest(void)
{
    for (int p = 255; p >= 0; p--) {
        if (model_length[p] > 0) {
            return model_queue[p][0];
        }
    }
    return -1;
}

/* The kernel's queues, walked from each head, equal the model's. */
static bool queues_match(void)
{
    tcb_t *best = sched_highest_ready();
    int want = model_highest();
    if ((want < 0) != (best == NULL) || (want >= 0 && best != &threads[want])) {
        return false;
    }
    for (int p = 0; p < 256; p++) {
        int n = 0;
        tcb_t *prev = NULL;
        for (int i = 0; i < model_length[p]; i++) {
            tcb_t *t = &threads[model_queue[p][i]];
            if (!t->in_ready_queue || t->sched_prev != prev) {
                return false;
            }
            prev = t;
            n++;
        }
        if (prev != NULL && prev->sched_next != NULL) {
            return false;
        }
        (void)n;
    }
    return true;
}

TEST(ready_queues_against_model)
{
    setup();
    harness_rng_t rng = { harness_seed() };
    for (int step = 0; step < 100000; step++) {
        int t = (int)harness_rng_below(&rng, THREADS);
        tcb_t *thread = &threads[t];
        int op = (int)harness_rng_below(&rng, 4);
        if (!thread->in_ready_queue && op < 3) {
            /* choose a priority: mostly a few, sometimes any */
            thread->priority =
                (uint8_t)(harness_rng_below(&rng, 2) ? harness_rng_below(&rng, 4) * 64 + 3
                                                     : harness_rng_below(&rng, 256));
        }
        int prio = thread->priority;
        int at = model_find(prio, t);
        if (op == 0) {
            sched_enqueue(thread);
            if (at < 0) {
                model_insert(prio, 0, t);
            }
        } else if (op == 1) {
            sched_append(thread);
            if (at < 0) {
                model_insert(prio, model_length[prio], t);
            }
        } else {
            sched_dequeue(thread);
            if (at >= 0) {
                model_delete(prio, at);
            }
        }
        if (!HARNESS_CHECK_(queues_match(),
                            "step %d (op %d, thread %d, priority %d): queues differ", step, op, t,
                            prio)) {
            return;
        }
        int probe = (int)harness_rng_below(&rng, 256);
        bool above = false;
        for (int q = probe + 1; q < 256; q++) {
            above = above || model_length[q] > 0;
        }
        if (!HARNESS_CHECK_(sched_ready_above((word_t)probe) == above,
                            "step %d: sched_ready_above(%d) is %d", step, probe, !above)) {
            return;
        }
    }
    for (int t = 0; t < THREADS; t++) {
        sched_dequeue(&threads[t]);
    }
    EXPECT_TRUE(sched_highest_ready() == NULL);
}

TEST(ready_above_compares_with_the_best)
{
    setup();
    threads[0].priority = 10;
    EXPECT_FALSE(sched_ready_above(0));
    sched_append(&threads[0]);
    EXPECT_TRUE(sched_ready_above(9));
    EXPECT_FALSE(sched_ready_above(10));
    sched_dequeue(&threads[0]);
    /* At the bitmap's word edges, and the top priority. */
    static const struct {
        uint8_t ready, below, at;
    } edges[] = {
        { 63, 62, 63 }, { 64, 63, 64 }, { 65, 64, 65 }, { 128, 0, 255 }, { 255, 254, 255 },
    };
    for (unsigned i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        threads[0].priority = edges[i].ready;
        sched_append(&threads[0]);
        EXPECT_TRUE(sched_ready_above(edges[i].below));
        EXPECT_FALSE(sched_ready_above(edges[i].at));
        sched_dequeue(&threads[0]);
    }
}

/* Wait queues: the same, with one FIFO and removal from anywhere. */
TEST(wait_queue_against_model)
{
    setup();
    harness_rng_t rng = { harness_seed() + 7 };
    int model[THREADS];
    int length = 0;
    bool queued[THREADS] = { false };
    word_t head_word = 0, tail_word = 0;
    for (int step = 0; step < 100000; step++) {
        int t = (int)harness_rng_below(&rng, THREADS);
        tcb_queue_t q = tcb_queue_unpack(head_word, tail_word);
        if (!queued[t]) {
            q = tcb_queue_append(q, &threads[t]);
            model[length++] = t;
            queued[t] = true;
        } else {
            q = tcb_queue_remove(q, &threads[t]);
            int at = 0;
            while (model[at] != t) {
                at++;
            }
            memmove(&model[at], &model[at + 1], (size_t)(length - at - 1) * sizeof(int));
            length--;
            queued[t] = false;
        }
        tcb_queue_pack(q, length > 0 ? 1 : 0, &head_word, &tail_word);
        tcb_queue_t check = tcb_queue_unpack(head_word, tail_word);
        tcb_t *walk = check.head;
        bool ok = tcb_queue_state(head_word) == (length > 0 ? 1u : 0u);
        for (int i = 0; ok && i < length; i++) {
            ok = walk == &threads[model[i]];
            walk = walk != NULL ? walk->queue_next : NULL;
        }
        ok = ok && walk == NULL && check.tail == (length ? &threads[model[length - 1]] : NULL);
        if (!HARNESS_CHECK_(ok, "step %d (thread %d): wait queue differs", step, t)) {
            return;
        }
    }
}
