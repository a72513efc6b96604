/* The client's side of a block channel (keel/os/blkclient.h). */
#include <errno.h>
#include <keel/os/blkclient.h>
#include <keel/os/heartbeat.h>
#include <keel/os/start.h>
#include <keel/os/timer.h>
#include <keel/proto/rs.h>
#include <stdio.h>
#include <string.h>

#define SLOT_BITS 6 /* KEEL_RING_SLOTS slots: the low bits of a cookie */

_Static_assert(KEEL_RING_SLOTS == 1 << SLOT_BITS, "a cookie's low bits name a slot");

static const keel_startinfo_t *startinfo(void)
{
    return (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
}

static int32_t result_of(const keel_ring_entry_t *done)
{
    switch (done->op) {
    case KEEL_BLK_OK:
        return (int32_t)done->length;
    case KEEL_BLK_BAD_REQUEST:
        return -EINVAL;
    case KEEL_BLK_READ_ONLY:
        return -EROFS;
    default:
        return -EIO;
    }
}

/* A completion for a slot still waiting for it (one of an earlier
 * generation, or a stray one, is dropped). */
static void complete(keel_blk_client_t *c, const keel_ring_entry_t *done)
{
    keel_blk_slot_t *s = &c->slot[done->cookie % KEEL_RING_SLOTS];
    if (s->busy && !s->done && s->request.cookie == done->cookie) {
        s->done = true;
        s->result = result_of(done);
        if (keel_blk_op(&s->request) == KEEL_BLK_INFO && s->result >= 0) {
            c->sectors = done->offset;
            c->largest = done->length;
        }
    }
}

static void take_completions(keel_blk_client_t *c)
{
    keel_ring_entry_t done;
    bool any = false;
    while (keel_ring_get(&c->end.rings->completion, &done)) {
        complete(c, &done);
        any = true;
    }
    if (any) {
        c->since = keel_counter();
    }
}

static void fail_everything(keel_blk_client_t *c)
{
    for (unsigned i = 0; i < KEEL_RING_SLOTS; i++) {
        if (c->slot[i].busy && !c->slot[i].done) {
            c->slot[i].done = true;
            c->slot[i].result = -EIO;
        }
    }
}

/* A new driver instance: what the old one answered is taken, what it did
 * not take or finish is queued again, then the new one may start. */
static void catch_up(keel_blk_client_t *c)
{
    take_completions(c);
    keel_channel_drop_requests(c->end.rings);
    c->staged = 0; /* staged ones are queued again below, published */
    /* In the order they were made (their cookies grow): a flush is a
     * barrier to the driver, and must stay after the writes before it. */
    uint64_t after = 0;
    for (;;) {
        const keel_blk_slot_t *next = NULL;
        for (unsigned i = 0; i < KEEL_RING_SLOTS; i++) {
            const keel_blk_slot_t *s = &c->slot[i];
            if (s->busy && !s->done && s->request.cookie > after &&
                (next == NULL || s->request.cookie < next->request.cookie)) {
                next = s;
            }
        }
        if (next == NULL) {
            break;
        }
        keel_ring_put(&c->end.rings->request, next->request);
        after = next->request.cookie;
    }
    c->restarts += c->epoch != 0;
    c->epoch = keel_channel_accept(c->end.rings);
    seL4_Signal(c->end.signal);
}

void keel_blk_poll(keel_blk_client_t *c)
{
    if (keel_channel_down(c->end.rings)) {
        take_completions(c);
        fail_everything(c);
    } else if (keel_channel_restarted(c->end.rings, c->epoch)) {
        catch_up(c);
    } else {
        take_completions(c);
    }
}

void keel_blk_supervise(keel_blk_client_t *c, seL4_CPtr rs, const char *driver, uint32_t stall_ms)
{
    c->rs = rs;
    c->driver = driver;
    c->stall_ticks = keel_counter_frequency() * stall_ms / 1000;
}

/* Nothing completed for the supervision's limit: the driver is restarted
 * (the channel's epoch then tells the client to catch up). */
static bool restarted_stalled(keel_blk_client_t *c)
{
    if (c->rs == 0 || keel_counter() - c->since <= c->stall_ticks) {
        return false;
    }
    c->stalls++;
    long r = rs_restart(c->rs, c->driver);
    printf("%s completed nothing for %llu ms: restarted by its client (%ld)\n", c->driver,
           (unsigned long long)((keel_counter() - c->since) * 1000 / keel_counter_frequency()), r);
    c->since = keel_counter();
    return true;
}

/* Wait on the notification until the driver signals (or a stalled one was
 * restarted); heartbeat pings are answered, other bits kept for the
 * caller. */
static void wait_for_driver(keel_blk_client_t *c)
{
    for (;;) {
        seL4_Word bits;
        seL4_Wait(c->own, &bits);
        bool restarted = restarted_stalled(c);
        bits = keel_heartbeat_answer(startinfo(), bits) & ~KEEL_BADGE_NOTIFY;
        c->other_bits |= bits & ~c->end.bit;
        if ((bits & c->end.bit) || restarted) {
            return;
        }
    }
}

int keel_blk_open(keel_blk_client_t *c, const char *name)
{
    memset(c, 0, sizeof(*c));
    const keel_startinfo_t *si = startinfo();
    const keel_startcap_t *own = keel_startinfo_find(si, "notify");
    c->end = keel_channel_end(si, name);
    if (c->end.rings == NULL || own == NULL || own->kind != KEEL_CAP_NOTIFICATION) {
        return -ENODEV;
    }
    c->own = own->cptr;
    c->region = (uint8_t *)c->end.rings;
    c->region_size = keel_startinfo_find(si, name)->size;
    c->epoch = c->end.rings->client_epoch; /* a restarted client resumes the driver's epoch */
    /* Cookies above any an earlier instance of this client used (the
     * counter runs faster than requests are made), so that its requests
     * still with the driver answer none of this one's. */
    c->generation = keel_counter();
    int r = keel_blk_io(c, KEEL_BLK_INFO, 0, 0, 0);
    return r < 0 ? r : 0;
}

/* A free slot for the request, or -EAGAIN / -EINVAL. */
static int claim(keel_blk_client_t *c, uint32_t op, uint64_t sector, uint64_t offset,
                 uint32_t length)
{
    if (op != KEEL_BLK_INFO && op != KEEL_BLK_FLUSH &&
        (offset < KEEL_BLK_DATA || offset > c->region_size || length > c->region_size - offset)) {
        return -EINVAL;
    }
    for (unsigned i = 0; i < KEEL_RING_SLOTS; i++) {
        keel_blk_slot_t *s = &c->slot[i];
        if (!s->busy) {
            uint64_t cookie = ++c->generation << SLOT_BITS | i;
            *s = (keel_blk_slot_t){ .request = keel_blk_request(cookie, op, sector, offset, length),
                                    .busy = true };
            return (int)i;
        }
    }
    return -EAGAIN;
}

/* A slot is free only when its completion was taken, so the request ring
 * (as many slots) always has room for what the slots hold. */
int keel_blk_start(keel_blk_client_t *c, uint32_t op, uint64_t sector, uint64_t offset,
                   uint32_t length)
{
    keel_blk_publish(c); /* after what was staged: in order */
    int slot = claim(c, op, sector, offset, length);
    if (slot >= 0) {
        keel_ring_put(&c->end.rings->request, c->slot[slot].request);
        seL4_Signal(c->end.signal);
    }
    return slot;
}

int keel_blk_stage(keel_blk_client_t *c, uint32_t op, uint64_t sector, uint64_t offset,
                   uint32_t length)
{
    int slot = claim(c, op, sector, offset, length);
    if (slot >= 0 && !keel_ring_stage(&c->end.rings->request, c->staged, c->slot[slot].request)) {
        c->slot[slot].busy = false; /* a corrupt ring: the driver answers nothing anyway */
        return -EIO;
    }
    c->staged += slot >= 0;
    return slot;
}

void keel_blk_publish(keel_blk_client_t *c)
{
    if (c->staged != 0) {
        keel_ring_publish(&c->end.rings->request, c->staged);
        c->staged = 0;
        seL4_Signal(c->end.signal);
    }
}

/* Ask the driver to signal once every request in flight has completed:
 * a batch cut by flush barriers completes in parts, and one wakeup for it
 * is enough (a wait for one request among others waits for them all). */
static void wake_when_all_done(keel_blk_client_t *c)
{
    uint32_t waiting = 0;
    for (unsigned i = 0; i < KEEL_RING_SLOTS; i++) {
        waiting += c->slot[i].busy && !c->slot[i].done;
    }
    keel_ring_t *done = &c->end.rings->completion;
    keel_ring_wake_at(done, done->tail + waiting);
}

int keel_blk_wait(keel_blk_client_t *c, int slot)
{
    keel_blk_slot_t *s = &c->slot[slot];
    c->since = keel_counter();
    keel_blk_publish(c);
    keel_blk_poll(c);
    while (!s->done) {
        wake_when_all_done(c);
        keel_blk_poll(c); /* what completed before the driver could see the request */
        if (s->done) {
            break;
        }
        wait_for_driver(c);
        keel_blk_poll(c);
    }
    s->busy = false;
    return s->result;
}

int keel_blk_io(keel_blk_client_t *c, uint32_t op, uint64_t sector, uint64_t offset,
                uint32_t length)
{
    int slot = keel_blk_start(c, op, sector, offset, length);
    return slot < 0 ? slot : keel_blk_wait(c, slot);
}
