/* What the campaign asks rs and pm (stress.h): the components it injects
 * into, found by name in rs's list, their state, and the memory that must
 * come back. */
#include "stress.h"

#include "../common/sysinfo.h"

#include <keel/proto/pm.h>
#include <keel/proto/rs.h>
#include <keel/proto/vfs.h>
#include <string.h>

static seL4_CPtr rs_endpoint(void)
{
    return sysinfo_endpoint("rs");
}

bool stress_find_target(stress_target_t *t, const char *name)
{
    seL4_CPtr rs = rs_endpoint();
    for (uint64_t i = 0; rs != 0; i++) {
        char found[KEEL_PROTO_NAME_BYTES];
        long count = rs_list(rs, i, found, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        if (count < 0 || i >= (uint64_t)count) {
            return false;
        }
        if (strcmp(found, name) == 0) {
            *t = (stress_target_t){ .name = name, .index = i };
            return true;
        }
    }
    return false;
}

bool stress_target_state(const stress_target_t *t, stress_state_t *out)
{
    char name[KEEL_PROTO_NAME_BYTES];
    long count = rs_list(rs_endpoint(), t->index, name, &out->state, NULL, NULL, &out->faults,
                         &out->restarts, NULL, NULL);
    return count > 0 && t->index < (uint64_t)count && strcmp(name, t->name) == 0;
}

long stress_restart(const stress_target_t *t)
{
    return rs_restart(rs_endpoint(), t->name);
}

long stress_inject(const stress_target_t *t, uint64_t kind, uint64_t delay_us, uint64_t seed,
                   stress_injected_t *where)
{
    uint64_t in_syscall = 0;
    long r = rs_inject(rs_endpoint(), t->name, kind, delay_us, seed, &where->target, NULL, NULL,
                       &where->pc, &in_syscall);
    where->in_syscall = in_syscall != 0;
    return r;
}

bool stress_memory(stress_memory_t *out)
{
    uint64_t total, slots, quota, used;
    seL4_CPtr pm = sysinfo_endpoint("pm"), vfs = sysinfo_endpoint("vfs");
    uint64_t *t = out->vfs;
    return pm != 0 && vfs != 0 &&
           rs_meminfo(rs_endpoint(), &total, &out->rs_free, &slots, &out->rs_free_slots) == 0 &&
           pm_meminfo(pm, &total, &out->pm_free, &quota, &used) == 0 &&
           vfs_usage(vfs, &t[0], &t[1], &t[2], &t[3], &t[4]) == 0;
}

bool stress_same_memory(const stress_memory_t *a, const stress_memory_t *b)
{
    /* vfs's tables are not compared: they move with httpd's clients and
     * whoever waits in vfs at the moment (the soak prints them). */
    return a->rs_free == b->rs_free && a->rs_free_slots == b->rs_free_slots &&
           a->pm_free == b->pm_free;
}

/* "uart,timer": each name found in rs's list; the count, or -1 (reported)
 * for a name rs does not know or too many. */
int stress_targets(const char *list, stress_target_t targets[STRESS_MAX_TARGETS])
{
    static char names[128];
    if (strlen(list) >= sizeof(names)) {
        return -1;
    }
    strcpy(names, list);
    int n = 0;
    for (char *save = NULL, *name = strtok_r(names, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        if (n == STRESS_MAX_TARGETS || !stress_find_target(&targets[n], name)) {
            return -1;
        }
        n++;
    }
    return n;
}
