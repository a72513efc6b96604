/* A timer client's timeouts in deadline order (deadlines.h). */
#include "deadlines.h"

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

int deadlines_add(deadlines_t *d, uint64_t tag, uint64_t deadline)
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
    d->tag[slot] = tag;
    d->count++;
    return slot;
}

int deadlines_find(const deadlines_t *d, uint64_t tag)
{
    for (unsigned i = 0; i < d->count; i++) {
        if (d->tag[d->order[i]] == tag) {
            return d->order[i];
        }
    }
    return -1;
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
