/* Driver channels (docs/os.md, "Driver channels"): a request ring the
 * client produces and the driver consumes, a completion ring the driver
 * produces and the client consumes, in one region both map; the data they
 * point into is a region the client owns. Single producer, single consumer,
 * no locks: each index is written by one side only. A notification each way
 * says "look at the rings". */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define KEEL_RING_SLOTS 64 /* a power of two */

typedef struct keel_ring_entry {
    uint64_t cookie; /* the client's tag for the request; echoed in its completion */
    uint64_t offset; /* into the channel's data region */
    uint32_t length; /* bytes */
    uint32_t op;     /* driver-specific operation (request); status (completion) */
} keel_ring_entry_t;

typedef struct keel_ring {
    volatile uint32_t head;    /* written by the producer: next slot to fill */
    uint32_t pad0[15];         /* keep the indices in their own cache lines */
    volatile uint32_t tail;    /* written by the consumer: next slot to take */
    volatile uint32_t wake_at; /* written by the consumer: keel_ring_wake_at */
    uint32_t pad1[14];
    keel_ring_entry_t entry[KEEL_RING_SLOTS];
} keel_ring_t;

/* The shared page of a channel. The epochs are the restart handshake
 * (docs/os.md "Driver channels"): each instance of the driver takes the
 * next driver_epoch when it starts and signals; it takes nothing from the
 * rings until the client has set client_epoch to the same value, which the
 * client does after it has taken every completion and queued again what
 * the new instance must redo. */
typedef struct keel_channel {
    volatile uint32_t driver_epoch; /* written by the driver */
    uint32_t pad0[15];
    volatile uint32_t client_epoch; /* written by the client */
    uint32_t pad1[15];
    keel_ring_t request;
    keel_ring_t completion;
} keel_channel_t;

/* The other side writes one of the indices and may be hostile: a ring
 * whose indices are more than KEEL_RING_SLOTS apart is full to its
 * producer and empty to its consumer, so nobody loops over it. */
static inline bool keel_ring_corrupt(const keel_ring_t *r)
{
    return r->head - r->tail > KEEL_RING_SLOTS;
}

static inline bool keel_ring_empty(const keel_ring_t *r)
{
    return r->head == r->tail || keel_ring_corrupt(r);
}

static inline bool keel_ring_full(const keel_ring_t *r)
{
    return r->head - r->tail >= KEEL_RING_SLOTS;
}

/* Producer side: false if full. */
static inline bool keel_ring_put(keel_ring_t *r, keel_ring_entry_t e)
{
    if (keel_ring_full(r)) {
        return false;
    }
    r->entry[r->head % KEEL_RING_SLOTS] = e;
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the entry before the index */
    r->head = r->head + 1;
    return true;
}

/* Producer side, for a batch the consumer must see whole or not at all:
 * put the entry `staged` places past the head without publishing it (false
 * if the ring has no room for it); keel_ring_publish then shows all
 * `count` staged entries with one store of the head. */
static inline bool keel_ring_stage(keel_ring_t *r, uint32_t staged, keel_ring_entry_t e)
{
    if (r->head - r->tail + staged >= KEEL_RING_SLOTS || keel_ring_corrupt(r)) {
        return false;
    }
    r->entry[(r->head + staged) % KEEL_RING_SLOTS] = e;
    return true;
}

static inline void keel_ring_publish(keel_ring_t *r, uint32_t count)
{
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the entries before the index */
    r->head = r->head + count;
}

/* Consumer side, in two steps for a consumer that works through an entry
 * (and may die half way): a copy of the oldest entry, false if empty; then
 * keel_ring_advance takes it out of the ring. */
static inline bool keel_ring_peek(const keel_ring_t *r, keel_ring_entry_t *e)
{
    if (keel_ring_empty(r)) {
        return false;
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the index before the entry */
    *e = r->entry[r->tail % KEEL_RING_SLOTS];
    return true;
}

static inline void keel_ring_advance(keel_ring_t *r)
{
    __atomic_thread_fence(__ATOMIC_RELEASE); /* done with the entry before the producer reuses it */
    r->tail = r->tail + 1;
}

/* Consumer side: false if empty. */
static inline bool keel_ring_get(keel_ring_t *r, keel_ring_entry_t *e)
{
    if (!keel_ring_peek(r, e)) {
        return false;
    }
    keel_ring_advance(r);
    return true;
}

/* Consumer side: ask to be signalled only when the producer's index has
 * reached `index` (a consumer waiting for n more entries: its tail + n),
 * so that a producer that completes a batch in parts wakes it once. A
 * producer that honours it (the block driver) checks keel_ring_wake_due
 * after it publishes; the full fences on both sides make sure one of the
 * two sees the other's store, so no wakeup is lost. A ring nobody armed
 * (wake_at 0) wakes every time until its index passes 2^31. */
static inline void keel_ring_wake_at(keel_ring_t *r, uint32_t index)
{
    r->wake_at = index;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the request before reading the index */
}

/* Producer side, after publishing: has the index reached what the consumer
 * asked? */
static inline bool keel_ring_wake_due(const keel_ring_t *r)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before reading the request */
    return (int32_t)(r->head - r->wake_at) >= 0;
}

/* The driver_epoch rs writes when the driver is down for good (restarted
 * more often than its description allows): the client fails what it asked
 * and what it will ask (EIO) instead of waiting. No instance takes it:
 * keel_channel_open never gives it out. */
#define KEEL_CHANNEL_DOWN 0xffffffffu

static inline bool keel_channel_down(const keel_channel_t *c)
{
    return c->driver_epoch == KEEL_CHANNEL_DOWN;
}

/* Driver side, at its start: the epoch of this instance, announced. */
static inline uint32_t keel_channel_open(keel_channel_t *c)
{
    uint32_t epoch = c->driver_epoch + 1;
    epoch += epoch == KEEL_CHANNEL_DOWN; /* never mistaken for down */
    c->driver_epoch = epoch;
    return epoch;
}

/* Driver side: has the client caught up with instance `epoch`? */
static inline bool keel_channel_ready(const keel_channel_t *c, uint32_t epoch)
{
    bool ready = c->client_epoch == epoch;
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the client's requeued entries after the epoch */
    return ready;
}

/* Client side: has a new instance of the driver started since `known`? */
static inline bool keel_channel_restarted(const keel_channel_t *c, uint32_t known)
{
    return c->driver_epoch != known;
}

/* Client side, after a restart and before keel_channel_accept: drop the
 * requests the old instance did not take (the client queues again all it
 * has not seen completed). */
static inline void keel_channel_drop_requests(keel_channel_t *c)
{
    c->request.head = c->request.tail;
}

/* Client side: let the new instance start; returns its epoch. */
static inline uint32_t keel_channel_accept(keel_channel_t *c)
{
    uint32_t epoch = c->driver_epoch;
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the requeued entries before the epoch */
    c->client_epoch = epoch;
    return epoch;
}
