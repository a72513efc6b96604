/* The timeouts of one of the timer driver's clients (docs/os.md "The timer
 * driver"): a fixed table of slots, each a deadline on the generic counter
 * and the client's tag for it (the request's cookie), kept in deadline
 * order. Plain logic, no system call: tests/host/test_deadlines.c runs it
 * on the host. */
#pragma once

#include <keel/os/timer.h>
#include <stdbool.h>
#include <stdint.h>

#define DEADLINES_MAX KEEL_TIMER_PER_CLIENT

typedef struct deadlines {
    uint64_t deadline[DEADLINES_MAX]; /* counter value to wake at */
    uint64_t tag[DEADLINES_MAX];      /* the client's name for it, never an index */
    uint8_t order[DEADLINES_MAX];     /* the used slots, earliest deadline first */
    unsigned count;                   /* used slots: order[0..count) */
} deadlines_t;

/* Take a free slot for `tag` due at `deadline`, after every slot due at
 * the same time (first come, first fired). The slot, or -1 when all are
 * taken. */
int deadlines_add(deadlines_t *d, uint64_t tag, uint64_t deadline);

/* The first slot (in deadline order) holding `tag`, or -1. */
int deadlines_find(const deadlines_t *d, uint64_t tag);

/* Give back slot `slot` (one deadlines_add returned and nothing took). */
void deadlines_remove(deadlines_t *d, int slot);

/* The earliest deadline, false when nobody sleeps. */
bool deadlines_earliest(const deadlines_t *d, uint64_t *deadline);

/* Take the earliest slot due at counter value `now` (deadline <= now): its
 * index, or -1 when none is due. */
int deadlines_take_due(deadlines_t *d, uint64_t now);
