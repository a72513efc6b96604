/* The objects rs makes before it builds any component (rs.h): every
 * component's quota untyped and the untyped grants (largest first, so that
 * alignment wastes little), then what lives beyond any one component and so
 * comes from rs's own memory -- its endpoint, the services' endpoints, the
 * components' own notifications, the channels' pages, device frames, IRQ
 * handlers and ASID pools. A component rebuilt later (the next issue)
 * finds them all as they were. */
#include "rs.h"
#include <keel/printf.h>

#define PAGE_BITS seL4_PageBits
#define SLACK_SLOTS 16 /* slots a component takes beyond its pages: its TCB, CNode... */

static const keel_sysdesc_grant_t *grant_at(uint32_t g)
{
    return &rs_grants(rs.desc)[g];
}

static rs_component_t *owner_of(uint32_t g)
{
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        const keel_sysdesc_component_t *d = rs.comp[i].desc;
        if (g >= d->first_grant && g - d->first_grant < d->ngrants) {
            return &rs.comp[i];
        }
    }
    return NULL;
}

static bool report(const char *what, const char *name, seL4_Word err)
{
    printf("rs: cannot make %s for %s: %s\n", what, name, rs_error_name(err));
    return false;
}

seL4_Word rs_shared_pages(const rs_component_t *c)
{
    seL4_Word pages = 0;
    for (uint32_t i = 0; i < c->desc->ngrants; i++) {
        if (keel_sysdesc_is_region(rs_grant(c, i)->kind)) {
            pages += rs_grant(c, i)->size >> PAGE_BITS;
        }
    }
    return pages;
}

/* The next big untyped to make: a quota (grant == ~0u) or an untyped grant
 * not made yet, the largest first. */
typedef struct big {
    seL4_Word size;
    rs_component_t *comp;
    uint32_t grant;
} big_t;

static bool next_big(big_t *out)
{
    out->size = 0;
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        rs_component_t *c = &rs.comp[i];
        if (c->proc.untyped == 0 && c->proc.quota == 0 && c->desc->quota > out->size) {
            *out = (big_t){ c->desc->quota, c, ~0u };
        }
    }
    for (uint32_t g = 0; g < rs.desc->ngrants; g++) {
        if (grant_at(g)->kind == KEEL_GRANT_UNTYPED && rs.object[g] == 0 &&
            grant_at(g)->size > out->size) {
            *out = (big_t){ grant_at(g)->size, owner_of(g), g };
        }
    }
    return out->size != 0;
}

/* Every quota and untyped grant. A component whose memory cannot be had is
 * left unbuilt (reported); the others go on. */
static void make_untypeds(void)
{
    big_t big;
    while (next_big(&big)) {
        seL4_CPtr slot = rs_slots(1);
        seL4_Error err =
            slot != 0 ? rs_retype(seL4_UntypedObject, (seL4_Word)__builtin_ctzl(big.size), slot)
                      : seL4_NotEnoughMemory;
        rs_component_t *c = big.comp;
        if (big.grant == ~0u) {
            c->proc.quota = big.size; /* tried: next_big passes it over */
            c->proc.untyped = err == seL4_NoError ? slot : 0;
        } else {
            rs.object[big.grant] = err == seL4_NoError ? slot : ~(seL4_CPtr)0;
        }
        if (err != seL4_NoError) {
            printf("rs: no memory for %s's %s of %lu KiB: %s; it will not be built\n",
                   c->desc->name, big.grant == ~0u ? "quota" : "untyped grant", big.size >> 10,
                   rs_error_name(err));
            c->proc.untyped = 0;
        }
    }
}

static bool make_slot_ranges(void)
{
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        kb_proc_t *a = &rs.comp[i].proc;
        a->nslots = (a->quota >> PAGE_BITS) + rs_shared_pages(&rs.comp[i]) + SLACK_SLOTS;
        a->first_slot = rs_slots(a->nslots);
        if (a->first_slot == 0) {
            return report("a slot range", rs.comp[i].desc->name, seL4_NotEnoughMemory);
        }
    }
    return true;
}

static bool needs_notification(const rs_component_t *c)
{
    if (c->desc->heartbeat_ms != 0) {
        return true; /* the pings arrive there */
    }
    for (uint32_t i = 0; i < c->desc->ngrants; i++) {
        uint32_t kind = rs_grant(c, i)->kind;
        if (kind == KEEL_GRANT_IRQ || kind == KEEL_GRANT_CHANNEL) {
            return true;
        }
    }
    return false;
}

static bool make_endpoints_and_notifications(void)
{
    rs.endpoint = rs_new(seL4_EndpointObject, 0);
    rs.spare_slot = rs_slots(1);
    if (rs.endpoint == 0 || rs.spare_slot == 0) {
        return report("the fault endpoint", "rs", seL4_NotEnoughMemory);
    }
    for (uint32_t s = 0; s < rs.desc->nservices; s++) {
        if (rs_services(rs.desc)[s].server == KEEL_SYSDESC_SERVER_RS) {
            rs.service[s] = rs.endpoint; /* service.c: requests arrive beside the faults */
            continue;
        }
        rs.service[s] = rs_new(seL4_EndpointObject, 0);
        if (rs.service[s] == 0) {
            return report("an endpoint", rs_services(rs.desc)[s].name, seL4_NotEnoughMemory);
        }
    }
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        rs_component_t *c = &rs.comp[i];
        if (needs_notification(c)) {
            c->notification = rs_new(seL4_NotificationObject, 0);
            if (c->notification == 0) {
                return report("a notification", c->desc->name, seL4_NotEnoughMemory);
            }
        }
    }
    return true;
}

/* Fresh pages in consecutive slots of rs's: the first slot, 0 if short. */
static seL4_CPtr make_pages(seL4_Word pages)
{
    seL4_CPtr first = rs_slots(pages);
    for (seL4_Word p = 0; first != 0 && p < pages; p++) {
        if (rs_retype(seL4_ARM_SmallPageObject, 0, first + p) != seL4_NoError) {
            return 0;
        }
    }
    return first;
}

/* Channel pages and dma grants' pages outlive their components' restarts:
 * rs makes them once, from its own memory. */
static bool make_shared_pages(void)
{
    for (uint32_t ch = 0; ch < rs.desc->nchannels; ch++) {
        rs.channel[ch] = make_pages(rs_channels(rs.desc)[ch].pages);
        if (rs.channel[ch] == 0) {
            return report("channel pages", "a channel", seL4_NotEnoughMemory);
        }
    }
    for (uint32_t g = 0; g < rs.desc->ngrants; g++) {
        const keel_sysdesc_grant_t *gr = grant_at(g);
        if (gr->kind == KEEL_GRANT_DMA) {
            rs.object[g] = make_pages(gr->size >> PAGE_BITS);
            if (rs.object[g] == 0) {
                return report("dma pages", owner_of(g)->desc->name, seL4_NotEnoughMemory);
            }
        }
    }
    return true;
}

/* The device grant with the lowest address not made yet, or ~0u. */
static uint32_t lowest_device(void)
{
    uint32_t best = ~0u;
    for (uint32_t g = 0; g < rs.desc->ngrants; g++) {
        const keel_sysdesc_grant_t *gr = grant_at(g);
        if (gr->kind == KEEL_GRANT_DEVICE && rs.object[g] == 0 &&
            (best == ~0u || gr->paddr < grant_at(best)->paddr)) {
            best = g;
        }
    }
    return best;
}

/* Device frames are carved from the device untypeds in ascending address
 * order (rs_device_frame), so the grants are taken lowest first. */
static bool make_device_frames(void)
{
    for (uint32_t g = lowest_device(); g != ~0u; g = lowest_device()) {
        const keel_sysdesc_grant_t *gr = grant_at(g);
        seL4_Word pages = gr->size >> PAGE_BITS;
        rs.object[g] = rs_slots(pages);
        for (seL4_Word p = 0; p < pages; p++) {
            seL4_Word paddr = gr->paddr + (p << PAGE_BITS);
            seL4_Error err =
                rs.object[g] != 0 ? rs_device_frame(paddr, rs.object[g] + p) : seL4_NotEnoughMemory;
            if (err != seL4_NoError) {
                printf("rs: %s's device %s: no device page at 0x%lx for it (%s)\n",
                       owner_of(g)->desc->name, gr->name, paddr,
                       err == seL4_InvalidArgument ? "not device memory"
                       : err == seL4_RangeError    ? "claimed twice"
                                                   : rs_error_name(err));
                return false;
            }
        }
    }
    return true;
}

/* An IRQ handler whose interrupts signal the component's own notification
 * with the grant's bit. */
static seL4_Error make_irq(const rs_component_t *c, const keel_sysdesc_grant_t *g,
                           seL4_CPtr *handler)
{
    seL4_CPtr slots = rs_slots(2);
    if (slots == 0) {
        return seL4_NotEnoughMemory;
    }
    seL4_Error err = seL4_IRQControl_GetTrigger(
        seL4_CapIRQControl, g->irq, (g->flags & KEEL_GRANT_EDGE) ? 1 : 0, RS_ROOT, slots, RS_DEPTH);
    if (err == seL4_NoError) {
        err = seL4_CNode_Mint(RS_ROOT, slots + 1, RS_DEPTH, RS_ROOT, c->notification, RS_DEPTH,
                              seL4_CanWrite, KEEL_BADGE_NOTIFY | g->badge);
    }
    if (err == seL4_NoError) {
        err = seL4_IRQHandler_SetNotification(slots, slots + 1);
    }
    *handler = slots;
    return err;
}

static seL4_Error make_asid_pool(seL4_CPtr *pool)
{
    seL4_CPtr untyped = rs_new(seL4_UntypedObject, seL4_ASIDPoolBits);
    *pool = rs_slots(1);
    if (untyped == 0 || *pool == 0) {
        return seL4_NotEnoughMemory;
    }
    return seL4_ARM_ASIDControl_MakePool(seL4_CapASIDControl, untyped, RS_ROOT, *pool, RS_DEPTH);
}

static bool make_irqs_and_pools(void)
{
    for (uint32_t g = 0; g < rs.desc->ngrants; g++) {
        const keel_sysdesc_grant_t *gr = grant_at(g);
        const rs_component_t *c = owner_of(g);
        seL4_Error err = seL4_NoError;
        if (gr->kind == KEEL_GRANT_IRQ) {
            err = make_irq(c, gr, &rs.object[g]);
            if (err != seL4_NoError) {
                printf("rs: %s's IRQ %u (%s): %s\n", c->desc->name, gr->irq, gr->name,
                       rs_error_name(err));
                return false;
            }
        } else if (gr->kind == KEEL_GRANT_ASID_POOL) {
            err = make_asid_pool(&rs.object[g]);
            if (err != seL4_NoError) {
                return report("an ASID pool", c->desc->name, err);
            }
        }
    }
    return true;
}

bool rs_make_shared_objects(void)
{
    make_untypeds();
    return make_slot_ranges() && make_endpoints_and_notifications() && make_shared_pages() &&
           make_device_frames() && make_irqs_and_pools();
}
