/* The lines the system programs print (sysinfo.h). */
#include "sysinfo.h"

#include <errno.h>
#include <inttypes.h>
#include <keel/os/startinfo.h>
#include <keel/proto/pm_defs.h>
#include <keel/proto/rs_defs.h>
#include <stdio.h>
#include <string.h>

#define KIB(bytes) ((bytes) >> 10)

static const char *name_of(uint64_t value, const char *const *names, size_t count)
{
    return value < count && names[value] != NULL ? names[value] : "?";
}

int sysinfo_service_header(char *buf, size_t size)
{
    return snprintf(buf, size, "%-16s %-8s %8s %10s %6s %8s %8s %s\n", "NAME", "STATE", "PRIORITY",
                    "QUOTA", "FAULTS", "RESTARTS", "UPTIME", "LAST");
}

/* A duration as "42s", "3m07s" or "2h05m". */
static void duration(char *buf, size_t size, uint64_t ms)
{
    uint64_t s = ms / 1000;
    if (s < 60) {
        snprintf(buf, size, "%" PRIu64 "s", s);
    } else if (s < 3600) {
        snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
    } else {
        snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
    }
}

int sysinfo_service_line(char *buf, size_t size, const sysinfo_component_t *c)
{
    static const char *const states[] = {
        [RS_STATE_RUNNING] = "running", [RS_STATE_FAULTED] = "faulted",
        [RS_STATE_EXITED] = "exited",   [RS_STATE_STOPPED] = "stopped",
        [RS_STATE_FAILED] = "failed",   [RS_STATE_WAITING] = "waiting",
    };
    static const char *const lasts[] = {
        [RS_LAST_NONE] = "-",          [RS_LAST_FAULT] = "fault", [RS_LAST_EXIT] = "exit",
        [RS_LAST_RESTART] = "restart", [RS_LAST_KILL] = "kill",   [RS_LAST_HANG] = "hang",
        [RS_LAST_CODE] = "code",
    };
    char uptime[24] = "-";
    if (c->state == RS_STATE_RUNNING) {
        duration(uptime, sizeof(uptime), c->uptime_ms);
    }
    return snprintf(buf, size,
                    "%-16s %-8s %8" PRIu64 " %9" PRIu64 "K %6" PRIu64 " %8" PRIu64 " %8s %s\n",
                    c->name, name_of(c->state, states, sizeof(states) / sizeof(states[0])),
                    c->priority, KIB(c->quota), c->faults, c->restarts, uptime,
                    name_of(c->last, lasts, sizeof(lasts) / sizeof(lasts[0])));
}

/* What a grant of `kind` adds after its name, kind and slot. */
static int grant_detail(char *buf, size_t size, uint64_t kind, uint64_t vaddr, uint64_t region_size,
                        uint64_t flags, uint64_t badge)
{
    if (kind == KEEL_CAP_REGION) {
        return snprintf(buf, size, " at 0x%" PRIx64 ", %" PRIu64 " KiB%s%s", vaddr,
                        KIB(region_size),
                        (flags & KEEL_REGION_WRITABLE) ? ", writable" : ", read-only",
                        (flags & KEEL_REGION_DEVICE) ? ", device" : "");
    }
    if (kind == KEEL_CAP_UNTYPED) {
        return snprintf(buf, size, ", %" PRIu64 " KiB", KIB(region_size));
    }
    if (flags & KEEL_NOTIFY_OWN) {
        return snprintf(buf, size, ", bound to its thread");
    }
    if (kind == KEEL_CAP_NOTIFICATION || kind == KEEL_CAP_IRQ) {
        return snprintf(buf, size, ", arrives as bit 0x%" PRIx64 " of notify", badge);
    }
    if (kind == KEEL_CAP_ENDPOINT) {
        return snprintf(buf, size, ", badge %" PRIu64, badge);
    }
    return snprintf(buf, size, "%s", "");
}

int sysinfo_grant_line(char *buf, size_t size, const char *name, uint64_t kind, uint64_t cptr,
                       uint64_t vaddr, uint64_t region_size, uint64_t flags, uint64_t badge)
{
    static const char *const kinds[] = {
        [KEEL_CAP_ENDPOINT] = "endpoint",         [KEEL_CAP_SERVICE] = "service",
        [KEEL_CAP_NOTIFICATION] = "notification", [KEEL_CAP_IRQ] = "irq",
        [KEEL_CAP_UNTYPED] = "untyped",           [KEEL_CAP_REGION] = "region",
        [KEEL_CAP_ASID_POOL] = "asid pool",       [KEEL_CAP_OTHER] = "other",
    };
    const char *kind_name = name_of(kind, kinds, sizeof(kinds) / sizeof(kinds[0]));
    char slot[32] = "";
    if (cptr != 0) {
        snprintf(slot, sizeof(slot), " slot %" PRIu64, cptr);
    }
    char detail[80];
    grant_detail(detail, sizeof(detail), kind, vaddr, region_size, flags, badge);
    return snprintf(buf, size, "%-16s %-12s%s%s\n", name, kind_name, slot, detail);
}

int sysinfo_ps_header(char *buf, size_t size)
{
    return snprintf(buf, size, "%5s %5s %5s %-7s %8s %s\n", "PID", "PPID", "PGID", "STATE", "MEM",
                    "NAME");
}

int sysinfo_ps_line(char *buf, size_t size, int64_t pid, int64_t ppid, int64_t pgid, uint64_t state,
                    uint64_t memory, const char *name)
{
    static const char *const states[] = {
        [PM_STATE_RUNNING] = "running",
        [PM_STATE_BLOCKED] = "blocked",
        [PM_STATE_ZOMBIE] = "zombie",
    };
    return snprintf(buf, size, "%5" PRId64 " %5" PRId64 " %5" PRId64 " %-7s %7" PRIu64 "K %s\n",
                    pid, ppid, pgid, name_of(state, states, sizeof(states) / sizeof(states[0])),
                    KIB(memory), name);
}

int sysinfo_ps(FILE *out, FILE *err, sysinfo_procinfo_fn *procinfo, void *ctx)
{
    char line[160];
    sysinfo_ps_header(line, sizeof(line));
    fputs(line, out);
    for (int64_t next = 1; next <= PM_PID_MAX;) {
        int64_t ppid = 0, pgid = 0;
        uint64_t state = 0, memory = 0;
        char name[32] = "";
        long pid = procinfo(ctx, next, &ppid, &pgid, &state, &memory, name);
        if (pid == -ESRCH) {
            return 0; /* no process at or above `next` */
        }
        if (pid < next) { /* an error, or an answer that would walk backwards */
            fprintf(err, "ps: procinfo: %s\n", strerror(pid < 0 ? (int)-pid : EIO));
            return SYSINFO_FAILED;
        }
        name[sizeof(name) - 1] = '\0';
        sysinfo_ps_line(line, sizeof(line), pid, ppid, pgid, state, memory, name);
        fputs(line, out);
        next = pid + 1;
    }
    return 0;
}

int sysinfo_free_header(char *buf, size_t size)
{
    return snprintf(buf, size, "%-6s %12s %12s %12s\n", "", "total", "used", "free");
}

static int free_row(char *buf, size_t size, const char *which, uint64_t total, uint64_t used,
                    uint64_t free)
{
    return snprintf(buf, size, "%-6s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n", which, total,
                    used, free);
}

int sysinfo_free_line(char *buf, size_t size, const char *which, uint64_t total, uint64_t used)
{
    uint64_t free = used <= total ? total - used : 0;
    return free_row(buf, size, which, KIB(total), KIB(used), KIB(free));
}

int sysinfo_free_count_line(char *buf, size_t size, const char *which, uint64_t total,
                            uint64_t used)
{
    return free_row(buf, size, which, total, used, used <= total ? total - used : 0);
}

int sysinfo_uptime_line(char *buf, size_t size, uint64_t seconds)
{
    uint64_t days = seconds / 86400;
    unsigned hours = (unsigned)(seconds / 3600 % 24);
    unsigned minutes = (unsigned)(seconds / 60 % 60);
    unsigned secs = (unsigned)(seconds % 60);
    if (days == 0) {
        return snprintf(buf, size, "up %02u:%02u:%02u\n", hours, minutes, secs);
    }
    return snprintf(buf, size, "up %" PRIu64 " day%s, %02u:%02u:%02u\n", days, days == 1 ? "" : "s",
                    hours, minutes, secs);
}
