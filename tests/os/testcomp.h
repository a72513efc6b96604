/* What the test components of tests/os/test.system share: finding a granted
 * capability by name in the start page, and giving up with a clear line. */
#pragma once

#include <keel/os/start.h>
#include <keel/printf.h>
#include <sel4/sel4.h>

/* The entry named `name` of `kind`; a missing one ends the component. */
static inline const keel_startcap_t *testcomp_cap(const char *name, uint32_t kind)
{
    const keel_startinfo_t *si = keel_startinfo();
    const keel_startcap_t *cap = keel_startinfo_find(si, name);
    if (cap == NULL || cap->kind != kind) {
        printf("%s: FAIL: no start-page entry '%s' of kind %u\n", si->name, name, kind);
        keel_exit_hook(1);
    }
    return cap;
}
