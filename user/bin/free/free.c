/* free: pm's memory (meminfo) in KiB: the RAM pm manages, and the caller's
 * quota; then, when the start page has "rs", rs's own (rs meminfo): the RAM
 * rs manages, in KiB, and the slots of its CNode. */
#include "../common/sysinfo.h"

#include <errno.h>
#include <keel/proto/pm.h>
#include <keel/proto/rs.h>
#include <stdio.h>
#include <string.h>

static int failed(const char *what, long error)
{
    fprintf(stderr, "free: %s: %s\n", what, strerror((int)-error));
    return SYSINFO_FAILED;
}

static void put_line(const char *which, uint64_t total, uint64_t free, bool count)
{
    char line[128];
    uint64_t used = free <= total ? total - free : total;
    if (count) {
        sysinfo_free_count_line(line, sizeof(line), which, total, used);
    } else {
        sysinfo_free_line(line, sizeof(line), which, total, used);
    }
    fputs(line, stdout);
}

/* rs's lines; none without rs (a program pm did not hand it to). */
static int rs_lines(void)
{
    seL4_CPtr rs = sysinfo_endpoint("rs");
    if (rs == 0) {
        return 0;
    }
    uint64_t total, free, slots, free_slots;
    long result = rs_meminfo(rs, &total, &free, &slots, &free_slots);
    if (result < 0) {
        return failed("rs meminfo", result);
    }
    put_line("rs:", total, free, false);
    put_line("Slots:", slots, free_slots, true);
    return 0;
}

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
        return failed("meminfo", result);
    }
    char line[128];
    sysinfo_free_header(line, sizeof(line));
    fputs(line, stdout);
    put_line("Mem:", total, free, false);
    sysinfo_free_line(line, sizeof(line), "Quota:", quota, used);
    fputs(line, stdout);
    return rs_lines();
}
