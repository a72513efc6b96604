/* uptime: the time since boot, from CLOCK_MONOTONIC (the generic counter,
 * which starts at 0 when the machine does). */
#include "../common/sysinfo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: uptime\n");
        return SYSINFO_USAGE;
    }
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
        fprintf(stderr, "uptime: clock_gettime: %s\n", strerror(errno));
        return SYSINFO_FAILED;
    }
    char line[64];
    sysinfo_uptime_line(line, sizeof(line), (uint64_t)now.tv_sec);
    fputs(line, stdout);
    return 0;
}
