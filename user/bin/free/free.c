/* free: pm's memory (meminfo) in KiB: the RAM pm manages, and the caller's
 * quota. */
#include "../common/sysinfo.h"

#include <errno.h>
#include <keel/proto/pm.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: free\n");
        return SYSINFO_USAGE;
    }
    seL4_CPtr pm = sysinfo_endpoint("pm");
    uint64_t total, free, quota, used;
    long result = pm == 0 ? -ENOSYS : pm_meminfo(pm, &total, &free, &quota, &used);
    if (result < 0) {
        fprintf(stderr, "free: meminfo: %s\n", strerror((int)-result));
        return SYSINFO_FAILED;
    }
    char line[128];
    sysinfo_free_header(line, sizeof(line));
    fputs(line, stdout);
    sysinfo_free_line(line, sizeof(line), "Mem:", total, free <= total ? total - free : total);
    fputs(line, stdout);
    sysinfo_free_line(line, sizeof(line), "Quota:", quota, used);
    fputs(line, stdout);
    return 0;
}
