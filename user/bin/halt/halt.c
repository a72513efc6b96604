/* halt: stop the system (pm halt). Returns only when pm refuses. */
#include "../common/sysinfo.h"

#include <errno.h>
#include <keel/proto/pm.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: halt\n");
        return SYSINFO_USAGE;
    }
    seL4_CPtr pm = sysinfo_endpoint("pm");
    long result = pm == 0 ? -ENOSYS : pm_halt(pm);
    if (result < 0) {
        fprintf(stderr, "halt: %s\n", strerror((int)-result));
        return SYSINFO_FAILED;
    }
    return 0;
}
