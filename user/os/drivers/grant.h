/* What the freestanding drivers of user/os/drivers share: a grant of the
 * start page that the driver cannot run without. */
#pragma once

#include <keel/os/start.h>
#include <keel/printf.h>

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
