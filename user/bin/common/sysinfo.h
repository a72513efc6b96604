/* What the system programs (user/bin: service, ps, free, uptime, halt)
 * share: the endpoint of a server from the start page, and the lines they
 * print. The formatting is plain C on snprintf, so tests/host/
 * test_sysinfo.c checks it on the host with made-up results. */
#pragma once

#include <keel/types.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The exit statuses of the programs: a failure (a server's error), a usage
 * error (printed to stderr). */
#define SYSINFO_FAILED 1
#define SYSINFO_USAGE 2

/* The endpoint named `name` in the start page ("rs", "pm"), 0 if none. */
seL4_CPtr sysinfo_endpoint(const char *name);

/* Each formatter writes one line with its newline into buf (size bytes,
 * truncated if it is too small) and returns what snprintf returns. */

/* service list: the header, then a component per line. */
int sysinfo_service_header(char *buf, size_t size);
typedef struct sysinfo_component { /* proto/rs.proto list's answer */
    const char *name;
    uint64_t state, priority, quota, faults, restarts;
    uint64_t uptime_ms, last;
} sysinfo_component_t;
int sysinfo_service_line(char *buf, size_t size, const sysinfo_component_t *c);

/* service show: one grant (a start-page entry, keel/os/startinfo.h). */
int sysinfo_grant_line(char *buf, size_t size, const char *name, uint64_t kind, uint64_t cptr,
                       uint64_t vaddr, uint64_t region_size, uint64_t flags, uint64_t badge);

/* ps: the header, then a process per line (memory in bytes, shown in KiB). */
int sysinfo_ps_header(char *buf, size_t size);
int sysinfo_ps_line(char *buf, size_t size, int64_t pid, int64_t ppid, int64_t pgid, uint64_t state,
                    uint64_t memory, const char *name);

/* pm procinfo (or a test's stand-in): the process with the smallest pid
 * >= `pid`; its pid, -ESRCH if none, another negative errno on failure. */
typedef long sysinfo_procinfo_fn(void *ctx, int64_t pid, int64_t *ppid, int64_t *pgid,
                                 uint64_t *state, uint64_t *memory, char name[32]);

/* ps: the table of every process to `out`, walking the pids upwards with
 * `procinfo`; a failure goes to `err`. Returns the exit status. */
int sysinfo_ps(FILE *out, FILE *err, sysinfo_procinfo_fn *procinfo, void *ctx);

/* free: the header, then the line `which` ("Mem:", "Quota:", "rs:") in
 * KiB, or of a count as it is ("Slots:"). */
int sysinfo_free_header(char *buf, size_t size);
int sysinfo_free_line(char *buf, size_t size, const char *which, uint64_t total, uint64_t used);
int sysinfo_free_count_line(char *buf, size_t size, const char *which, uint64_t total,
                            uint64_t used);

/* uptime: "up [D day[s], ]HH:MM:SS" for `seconds`. */
int sysinfo_uptime_line(char *buf, size_t size, uint64_t seconds);
