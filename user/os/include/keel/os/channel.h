/* One end of a channel as the start page lists it (docs/os.md "Driver
 * channels"): the region NAME holding the rings (keel/os/ring.h) and
 * NAME.notify, the capability that signals the other end, whose badge
 * field is the bit the other end's signals raise in this process's own
 * notification. Drivers, pm, vfs and tests find their channels with it. */
#pragma once

#include <keel/os/ring.h>
#include <keel/os/startinfo.h>
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct keel_channel_end {
    keel_channel_t *rings; /* NULL: no such channel */
    seL4_CPtr signal;      /* signals the other end */
    seL4_Word bit;         /* what the other end's signals raise here */
    const char *name;
} keel_channel_end_t;

/* Is `name` the name `region` followed by ".notify"? */
static inline bool keel_is_notify_of(const char *name, const char *region)
{
    while (*region != '\0' && *name == *region) {
        name++;
        region++;
    }
    const char *suffix = ".notify";
    while (*region == '\0' && *suffix != '\0' && *name == *suffix) {
        name++;
        suffix++;
    }
    return *region == '\0' && *suffix == '\0' && *name == '\0';
}

/* The channel whose region entry is `region` (an entry of si), or one with
 * rings NULL: not a region big enough for the rings, or no NAME.notify. */
static inline keel_channel_end_t keel_channel_end_of(const keel_startinfo_t *si,
                                                     const keel_startcap_t *region)
{
    keel_channel_end_t end = { NULL, 0, 0, region != NULL ? region->name : NULL };
    if (region == NULL || region->kind != KEEL_CAP_REGION ||
        region->size < sizeof(keel_channel_t)) {
        return end;
    }
    for (uint64_t i = 0; i < si->ncaps && i < KEEL_STARTINFO_CAPS; i++) {
        const keel_startcap_t *e = &si->caps[i];
        if (e->kind == KEEL_CAP_NOTIFICATION && keel_is_notify_of(e->name, region->name)) {
            end.rings = (keel_channel_t *)region->vaddr;
            end.signal = e->cptr;
            end.bit = e->badge & ~KEEL_BADGE_NOTIFY;
            return end;
        }
    }
    return end;
}

/* The channel named `name` (rings NULL if the start page has none). */
static inline keel_channel_end_t keel_channel_end(const keel_startinfo_t *si, const char *name)
{
    return keel_channel_end_of(si, keel_startinfo_find(si, name));
}
