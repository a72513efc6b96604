/* The timer driver's waiting clients in deadline order (deadlines.h). */
#include "deadlines.h"

#define NS_PER_SECOND UINT64_C(1000000000)

static bool slot_used(const deadlines_t *d, int slot)
{
    for (unsigned i = 0; i < d->count; i++) {
        if (d->order[i] == slot) {
            return true;
        }
    }
    return false;
}

static int free_slot(const deadlines_t *d)
{
    for (int slot = 0; slot < DEADLINES_MAX; slot++) {
        if (!slot_used(d, slot)) {
            return slot;
        }
    }
    return -1;
}

int deadlines_add(deadlines_t *d, uint64_t badge, uint64_t deadline)
{
    if (d->count >= DEADLINES_MAX) {
        return -1;
    }
    int slot = free_slot(d);
    unsigned at = d->count;
    while (at > 0 && d->deadline[d->order[at - 1]] > deadline) {
        d->order[at] = d->order[at - 1];
        at--;
    }
    d->order[at] = (uint8_t)slot;
    d->deadline[slot] = deadline;
    d->badge[slot] = badge;
    d->count++;
    return slot;
}

void deadlines_remove(deadlines_t *d, int slot)
{
    unsigned to = 0;
    for (unsigned i = 0; i < d->count; i++) {
        if (d->order[i] != slot) {
            d->order[to++] = d->order[i];
        }
    }
    d->count = to;
}

bool deadlines_earliest(const deadlines_t *d, uint64_t *deadline)
{
    if (d->count == 0) {
        return false;
    }
    *deadline = d->deadline[d->order[0]];
    return true;
}

int deadlines_take_due(deadlines_t *d, uint64_t now)
{
    if (d->count == 0 || d->deadline[d->order[0]] > now) {
        return -1;
    }
    int slot = d->order[0];
    deadlines_remove(d, slot);
    return slot;
}

uint64_t deadlines_add_saturated(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* value * numerator / denominator in two parts (whole units of the
 * denominator, then the rest), so that no product overflows for the
 * counter frequencies and times the driver sees; round up if asked. */
static uint64_t scale(uint64_t value, uint64_t numerator, uint64_t denominator, bool round_up)
{
    uint64_t whole = value / denominator, rest = value % denominator;
    if (whole != 0 && numerator > UINT64_MAX / whole) {
        return UINT64_MAX;
    }
    uint64_t part = rest * numerator; /* rest < denominator <= 2^32 for both uses */
    uint64_t rounding = round_up && part % denominator != 0 ? 1 : 0;
    return deadlines_add_saturated(whole * numerator, part / denominator + rounding);
}

uint64_t deadlines_ticks(uint64_t ns, uint64_t frequency)
{
    return scale(ns, frequency, NS_PER_SECOND, true);
}

uint64_t deadlines_ns(uint64_t ticks, uint64_t frequency)
{
    return scale(ticks, NS_PER_SECOND, frequency, false);
}
