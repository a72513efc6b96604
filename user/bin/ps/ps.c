/* ps: every process pm knows (pm procinfo, walking the pids upwards:
 * user/bin/common/sysinfo.c). */
#include "../common/sysinfo.h"

#include <errno.h>
#include <keel/proto/pm.h>
#include <stdio.h>
#include <string.h>

static long procinfo(void *ctx, int64_t pid, int64_t *ppid, int64_t *pgid, uint64_t *state,
                     uint64_t *memory, char name[32])
{
    return pm_procinfo(*(seL4_CPtr *)ctx, pid, ppid, pgid, state, memory, name);
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: ps\n");
        return SYSINFO_USAGE;
    }
    seL4_CPtr pm = sysinfo_endpoint("pm");
    if (pm == 0) {
        fprintf(stderr, "ps: pm: %s\n", strerror(ENOSYS));
        return SYSINFO_FAILED;
    }
    return sysinfo_ps(stdout, stderr, procinfo, &pm);
}
