/* What the freestanding drivers of user/os/drivers share: the grants of
 * the start page that a driver cannot run without, and its clients'
 * channels. */
#pragma once

#include <keel/os/channel.h>
#include <keel/os/heartbeat.h>
#include <keel/os/start.h>
#include <keel/printf.h>
#include <sel4/sel4.h>

/* The entry `name` of `kind`; without it the driver says so and ends. */
static inline const keel_startcap_t *driver_grant(const char *name, uint32_t kind)
{
    const keel_startinfo_t *si = keel_startinfo();
    const keel_startcap_t *cap = keel_startinfo_find(si, name);
    if (cap == NULL || cap->kind != kind) {
        printf("%s: no grant '%s'; stopping\n", si->name, name);
        keel_exit_hook(1);
    }
    return cap;
}

/* One end of a channel (docs/os.md "Driver channels") whose other end is a
 * client: the shared rings, the cap that signals the client, and the bit
 * the client's signals raise in the driver's own notification. */
typedef struct driver_client {
    keel_channel_t *chan;
    seL4_CPtr signal;
    seL4_Word bit;
    const char *name;
    uint32_t epoch; /* this instance's (keel_channel_open) */
} driver_client_t;

/* Every channel end of the start page (a region with its NAME.notify: a
 * device region has none) into clients[0..max); how many. Each is
 * opened: this instance announces its epoch and signals the client, and
 * serves it once the client has caught up (driver_client_ready). */
static inline unsigned driver_clients(driver_client_t *clients, unsigned max)
{
    const keel_startinfo_t *si = keel_startinfo();
    unsigned n = 0;
    for (uint32_t i = 0; i < si->ncaps && n < max; i++) {
        keel_channel_end_t end = keel_channel_end_of(si, &si->caps[i]);
        if (end.rings == NULL) {
            continue;
        }
        driver_client_t *c = &clients[n++];
        *c = (driver_client_t){ .chan = end.rings,
                                .signal = end.signal,
                                .bit = end.bit,
                                .name = end.name,
                                .epoch = keel_channel_open(end.rings) };
        seL4_Signal(c->signal);
    }
    return n;
}

/* May the driver use the client's rings: has the client caught up with
 * this instance (after taking the old one's completions and queueing
 * again what must be redone)? */
static inline bool driver_client_ready(const driver_client_t *c)
{
    return keel_channel_ready(c->chan, c->epoch);
}

/* Wait for the driver's own notification and return its bits. rs's
 * heartbeat pings (KEEL_BADGE_HEARTBEAT, docs/reliability.md "Hangs") are
 * answered here (keel_heartbeat_answer), so that a driver has no code for
 * them: a driver that comes back to its wait is alive; one that does not
 * is hung. */
static inline seL4_Word driver_wait(seL4_CPtr own)
{
    for (;;) {
        seL4_Word bits;
        seL4_Wait(own, &bits);
        bits = keel_heartbeat_answer(keel_startinfo(), bits);
        if (bits & ~KEEL_BADGE_NOTIFY) {
            return bits;
        }
    }
}

/* The physical address of every 4 KiB page of a region given with its
 * frames (a dma grant, a channel with frames=DRIVER) into paddr[0..max);
 * false if it has none, more pages than max, or a frame without one. */
/* A driver keeps each physical address it gives its device twice, the
 * second inverted (docs/reliability.md "Not yet": nothing confines the
 * device's DMA): driver_paddrs_shadow makes the copies, driver_paddrs_intact
 * is false once a flipped bit in either shows. */
static inline void driver_paddrs_shadow(const uint64_t *paddr, uint64_t *shadow, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        shadow[i] = ~paddr[i];
    }
}

static inline bool driver_paddrs_intact(const uint64_t *paddr, const uint64_t *shadow, uint32_t n)
{
    uint64_t damaged = 0;
    for (uint32_t i = 0; i < n; i++) {
        damaged |= ~(paddr[i] ^ shadow[i]);
    }
    return damaged == 0;
}

static inline bool driver_region_paddrs(const keel_startcap_t *region, uint64_t *paddr,
                                        uint32_t max)
{
    uint64_t pages = region->size / 4096;
    if (region->cptr == 0 || pages > max) {
        return false;
    }
    for (uint64_t p = 0; p < pages; p++) {
        seL4_ARM_Page_GetAddress_t a = seL4_ARM_Page_GetAddress(region->cptr + p);
        paddr[p] = a.error == seL4_NoError ? a.paddr : 0;
        if (paddr[p] == 0) {
            return false;
        }
    }
    return true;
}

/* The grants of a virtio driver: its transport's page "regs", its
 * interrupt "vq", its dma pages "queue" and its notification. */
typedef struct driver_virtio {
    const keel_startcap_t *regs, *irq, *queue;
    seL4_CPtr own;
} driver_virtio_t;

static inline driver_virtio_t driver_virtio_grants(void)
{
    return (driver_virtio_t){ driver_grant("regs", KEEL_CAP_REGION),
                              driver_grant("vq", KEEL_CAP_IRQ),
                              driver_grant("queue", KEEL_CAP_REGION),
                              driver_grant("notify", KEEL_CAP_NOTIFICATION)->cptr };
}

/* A device driver's loop: wait for its notification, serve (interrupt:
 * the irq grant's bit was in it), then acknowledge the interrupt to the
 * kernel -- after serve acknowledged it to the device, so that the line
 * is low. Never returns. */
__attribute__((noreturn)) static inline void
driver_serve_forever(seL4_CPtr own, const keel_startcap_t *irq, void (*serve)(bool interrupt))
{
    seL4_Word irq_bit = irq->badge & ~KEEL_BADGE_NOTIFY;
    for (;;) {
        seL4_Word bits = driver_wait(own);
        serve((bits & irq_bit) != 0);
        if (bits & irq_bit) {
            seL4_IRQHandler_Ack(irq->cptr);
        }
    }
}

/* "name, name, ..." of the clients into buf, for the driver's first line. */
static inline const char *driver_client_names(const driver_client_t *clients, unsigned n, char *buf,
                                              size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < n && used < size; i++) {
        used +=
            (size_t)snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "", clients[i].name);
    }
    return n > 0 ? buf : "none";
}
