/* service list | service show NAME: what rs runs and what it granted each
 * component (proto/rs.proto, docs/os.md "rs as a service"). Needs the grant
 * `use rs` in the system description. */
#include "../common/sysinfo.h"

#include <errno.h>
#include <keel/proto/rs.h>
#include <stdio.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: service list\n       service show NAME\n");
    return SYSINFO_USAGE;
}

static int failed(const char *what, long error)
{
    fprintf(stderr, "service: %s: %s\n", what, strerror((int)-error));
    return SYSINFO_FAILED;
}

static int list(seL4_CPtr rs)
{
    char line[160];
    sysinfo_service_header(line, sizeof(line));
    fputs(line, stdout);
    for (uint64_t i = 0;; i++) {
        char name[KEEL_PROTO_NAME_BYTES];
        uint64_t state, priority, quota, faults, restarts;
        long count = rs_list(rs, i, name, &state, &priority, &quota, &faults, &restarts);
        if (count < 0) {
            return failed("list", count);
        }
        if (i >= (uint64_t)count) {
            return 0;
        }
        sysinfo_service_line(line, sizeof(line), name, state, priority, quota, faults, restarts);
        fputs(line, stdout);
    }
}

static int show(seL4_CPtr rs, const char *component)
{
    if (strlen(component) >= KEEL_PROTO_NAME_BYTES) {
        return failed(component, -ENOENT); /* no component has so long a name */
    }
    for (uint64_t i = 0;; i++) {
        char name[KEEL_PROTO_NAME_BYTES];
        uint64_t kind, cptr, vaddr, size, flags, badge;
        long count = rs_show(rs, component, i, name, &kind, &cptr, &vaddr, &size, &flags, &badge);
        if (count < 0) {
            return failed(component, count);
        }
        if (i >= (uint64_t)count) {
            return 0;
        }
        char line[160];
        sysinfo_grant_line(line, sizeof(line), name, kind, cptr, vaddr, size, flags, badge);
        fputs(line, stdout);
    }
}

int main(int argc, char **argv)
{
    bool is_list = argc == 2 && strcmp(argv[1], "list") == 0;
    bool is_show = argc == 3 && strcmp(argv[1], "show") == 0;
    if (!is_list && !is_show) {
        return usage();
    }
    seL4_CPtr rs = sysinfo_endpoint("rs");
    if (rs == 0) {
        return failed("rs", -ENOSYS);
    }
    return is_list ? list(rs) : show(rs, argv[2]);
}
