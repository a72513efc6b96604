/* The timer driver's waiting clients (docs/os.md "timer"): a fixed table of
 * slots, each a client's deadline on the generic counter and its badge,
 * kept in deadline order. A slot's index also names the CNode slot where
 * the driver saved that client's reply capability. Plain logic, no system
 * call: tests/host/test_deadlines.c runs it on the host. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define DEADLINES_MAX 32 /* clients asleep at once; one more gets -EAGAIN */

typedef struct deadlines {
    uint64_t deadline[DEADLINES_MAX]; /* counter value to wake at */
    uint64_t badge[DEADLINES_MAX];    /* who sleeps there: a name, never an index */
    uint8_t order[DEADLINES_MAX];     /* the used slots, earliest deadline first */
    unsigned count;                   /* used slots: order[0..count) */
} deadlines_t;

/* Take a free slot for `badge` waking at `deadline`, after every slot due
 * at the same time (first come, first woken). The slot, or -1 when all are
 * taken. */
int deadlines_add(deadlines_t *d, uint64_t badge, uint64_t deadline);

/* Give back slot `slot` (one deadlines_add returned and nothing took). */
void deadlines_remove(deadlines_t *d, int slot);

/* The earliest deadline, false when nobody sleeps. */
bool deadlines_earliest(const deadlines_t *d, uint64_t *deadline);

/* Take the earliest slot due at counter value `now` (deadline <= now): its
 * index, or -1 when none is due. */
int deadlines_take_due(deadlines_t *d, uint64_t now);

/* `ns` nanoseconds as counter ticks at `frequency` Hz, rounded up (so that
 * a sleep is never short), UINT64_MAX if too large. frequency is not 0. */
uint64_t deadlines_ticks(uint64_t ns, uint64_t frequency);

/* Counter ticks as nanoseconds, rounded down, UINT64_MAX if too large. */
uint64_t deadlines_ns(uint64_t ticks, uint64_t frequency);

/* a + b, or UINT64_MAX when the sum does not fit. */
uint64_t deadlines_add_saturated(uint64_t a, uint64_t b);
