/* What restarter.c and constream.c both ask rs (tests/os/console). */
#pragma once

#include <keel/proto/rs.h>
#include <string.h>

/* How often rs has restarted the component `name` (its list's count), -1
 * if rs does not say. */
static inline long restarts_of(seL4_CPtr rs, const char *name)
{
    for (uint64_t i = 0;; i++) {
        char listed[KEEL_PROTO_NAME_BYTES];
        uint64_t state, priority, quota, faults, restarts, uptime, last;
        long count =
            rs_list(rs, i, listed, &state, &priority, &quota, &faults, &restarts, &uptime, &last);
        if (count < 0 || i >= (uint64_t)count) {
            return -1;
        }
        if (strcmp(listed, name) == 0) {
            return (long)restarts;
        }
    }
}
