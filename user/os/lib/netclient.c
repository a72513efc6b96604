/* The client's side of a network channel (keel/os/netclient.h). */
#include <errno.h>
#include <keel/os/heartbeat.h>
#include <keel/os/netclient.h>
#include <keel/os/start.h>
#include <keel/os/startinfo.h>
#include <keel/os/timer.h>
#include <string.h>

#define INFO_SLOT KEEL_NET_SLOTS

static void put_request(keel_net_client_t *c, unsigned slot, keel_ring_entry_t request)
{
    c->slot[slot] = (keel_net_slot_t){ .request = request, .busy = true };
    keel_ring_put(&c->end.rings->request, request);
    seL4_Signal(c->end.signal);
}

void keel_net_put(keel_net_client_t *c, unsigned slot, uint32_t op, uint64_t offset,
                  uint32_t length)
{
    if (slot < KEEL_NET_SLOTS) {
        put_request(c, slot, keel_net_request(++c->generation << 8 | slot, op, offset, length));
    }
}

/* A completion for a slot still waiting for it (an earlier instance's, or
 * a stray one, is dropped). */
static void complete(keel_net_client_t *c, const keel_ring_entry_t *e)
{
    unsigned slot = (unsigned)(e->cookie & 0xff);
    keel_net_slot_t *s = &c->slot[slot];
    if (slot > INFO_SLOT || !s->busy || s->done || s->request.cookie != e->cookie) {
        return;
    }
    s->done = true;
    s->status = e->op;
    s->length = e->length;
    if (slot == INFO_SLOT && e->op == KEEL_NET_OK) {
        c->mac = e->offset;
        c->mtu = e->length;
    }
}

static void take_completions(keel_net_client_t *c)
{
    keel_ring_entry_t e;
    while (keel_ring_get(&c->end.rings->completion, &e)) {
        complete(c, &e);
    }
}

/* A new driver instance: take what the old one answered, queue again what
 * it did not. */
static void catch_up(keel_net_client_t *c)
{
    take_completions(c);
    keel_channel_drop_requests(c->end.rings);
    for (unsigned i = 0; i <= INFO_SLOT; i++) {
        if (c->slot[i].busy && !c->slot[i].done) {
            keel_ring_put(&c->end.rings->request, c->slot[i].request);
        }
    }
    c->restarts += c->epoch != 0;
    c->epoch = keel_channel_accept(c->end.rings);
    seL4_Signal(c->end.signal);
}

void keel_net_poll(keel_net_client_t *c)
{
    if (keel_channel_restarted(c->end.rings, c->epoch)) {
        catch_up(c);
    } else {
        take_completions(c);
    }
}

void keel_net_wait(keel_net_client_t *c)
{
    seL4_Word bits;
    seL4_Wait(c->own, &bits);
    keel_heartbeat_answer(keel_startinfo(), bits);
}

int keel_net_open(keel_net_client_t *c, const char *name, uint64_t min_size)
{
    memset(c, 0, sizeof(*c));
    const keel_startinfo_t *si = keel_startinfo();
    const keel_startcap_t *own = keel_startinfo_find(si, "notify");
    const keel_startcap_t *region = keel_startinfo_find(si, name);
    c->end = keel_channel_end(si, name);
    if (c->end.rings == NULL || own == NULL || region->size < min_size) {
        return -ENODEV;
    }
    c->region = (uint8_t *)c->end.rings;
    c->region_size = region->size;
    c->own = own->cptr;
    c->epoch = c->end.rings->client_epoch; /* a restarted client resumes the driver's epoch */
    c->generation = keel_counter();        /* above an earlier instance's cookies */
    put_request(c, INFO_SLOT,
                keel_net_request(++c->generation << 8 | INFO_SLOT, KEEL_NET_INFO, 0, 0));
    keel_net_poll(c);
    while (!c->slot[INFO_SLOT].done) {
        keel_net_wait(c);
        keel_net_poll(c);
    }
    c->slot[INFO_SLOT].busy = false;
    return c->slot[INFO_SLOT].status == KEEL_NET_OK ? 0 : -EIO;
}
