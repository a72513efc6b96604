/* service list | show NAME | restart NAME | inject NAME KIND [MS] |
 * flip NAME ADDRESS BIT: what rs runs and what it granted each component,
 * restarting one by hand and injecting a fault, at once or MS milliseconds
 * later by rs's clock -- for a hang or a flip it says what rs changed, for
 * a later one where the component stood -- and flipping one bit of its
 * data or code by hand, to replay a flip an injection reported
 * (proto/rs.proto, docs/os.md "rs as a service", docs/reliability.md).
 * Needs the grant `use rs` in the system description. */
#include "../common/sysinfo.h"

#include <errno.h>
#include <keel/proto/rs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: service list\n       service show NAME\n       service restart NAME\n"
                    "       service inject NAME crash|hang|flip|kill [MS]\n"
                    "       service flip NAME ADDRESS BIT\n");
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
        sysinfo_component_t c = { .name = name };
        long count = rs_list(rs, i, name, &c.state, &c.priority, &c.quota, &c.faults, &c.restarts,
                             &c.uptime_ms, &c.last);
        if (count < 0) {
            return failed("list", count);
        }
        if (i >= (uint64_t)count) {
            return 0;
        }
        sysinfo_service_line(line, sizeof(line), &c);
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

static bool fits(const char *component)
{
    return strlen(component) < KEEL_PROTO_NAME_BYTES;
}

static int restart(seL4_CPtr rs, const char *component)
{
    long r = fits(component) ? rs_restart(rs, component) : -ENOENT;
    return r < 0 ? failed(component, r) : 0;
}

static const char *const inject_kinds[] = { [RS_INJECT_CRASH] = "crash",
                                            [RS_INJECT_HANG] = "hang",
                                            [RS_INJECT_FLIP] = "flip",
                                            [RS_INJECT_KILL] = "kill" };

/* Word `index` of seL4_UserContext, in its order (libkeel/include/keel/types.h). */
static const char *register_name(uint64_t index)
{
    static const char *const names[] = {
        "pc",  "sp",  "spsr", "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",
        "x16", "x17", "x18",  "x29", "x30", "x9",  "x10", "x11", "x12", "x13", "x14", "x15",
        "x19", "x20", "x21",  "x22", "x23", "x24", "x25", "x26", "x27", "x28",
    };
    return index < sizeof(names) / sizeof(names[0]) ? names[index] : "?";
}

/* What a hang or a flip changed, which shows nowhere else (a crash's
 * fault report names its pc, a kill's restart is reported). */
static void say_injected(const char *component, uint64_t kind, uint64_t target, uint64_t address,
                         uint64_t bit)
{
    if (kind == RS_INJECT_HANG) {
        printf("%s: hangs at 0x%llx\n", component, (unsigned long long)address);
    } else if (kind == RS_INJECT_FLIP && target == RS_TARGET_REGISTER) {
        printf("%s: flipped bit %llu of %s\n", component, (unsigned long long)bit,
               register_name(address));
    } else if (kind == RS_INJECT_FLIP) {
        printf("%s: flipped bit %llu of the byte at 0x%llx (%s)\n", component,
               (unsigned long long)bit, (unsigned long long)address,
               target == RS_TARGET_CODE ? "code" : "data");
    }
}

#define DELAY_MAX_MS 10000 /* proto/rs.proto: delay_us up to 10 s */

/* "250": milliseconds, 1..DELAY_MAX_MS; 0 if it is not that. */
static uint64_t parse_delay_ms(const char *text)
{
    char *end;
    unsigned long ms = strtoul(text, &end, 10);
    return text[0] >= '0' && text[0] <= '9' && *end == '\0' && ms <= DELAY_MAX_MS ? ms : 0;
}

static int inject(seL4_CPtr rs, const char *component, const char *kind, const char *delay)
{
    uint64_t ms = delay != NULL ? parse_delay_ms(delay) : 0;
    if (delay != NULL && ms == 0) {
        return usage();
    }
    for (uint64_t k = 0; k < sizeof(inject_kinds) / sizeof(inject_kinds[0]); k++) {
        if (strcmp(kind, inject_kinds[k]) == 0) {
            uint64_t target, address, bit, pc, in_syscall;
            long r = fits(component) ? rs_inject(rs, component, k, ms * 1000, 0, &target, &address,
                                                 &bit, &pc, &in_syscall)
                                     : -ENOENT;
            if (r < 0) {
                return failed(component, r);
            }
            if (delay != NULL && k != RS_INJECT_KILL) {
                printf("%s: stood at 0x%llx, %s\n", component, (unsigned long long)pc,
                       in_syscall ? "in a system call" : "in its own code");
            }
            say_injected(component, k, target, address, bit);
            return 0;
        }
    }
    return usage();
}

/* "0x4041a8" or "4210088": an address, all of the text; false if it is not one. */
static bool parse_address(const char *text, uint64_t *address)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 0);
    *address = value;
    return text[0] >= '0' && text[0] <= '9' && *end == '\0' && errno == 0;
}

static int flip(seL4_CPtr rs, const char *component, const char *address_text, const char *bit_text)
{
    uint64_t address;
    bool bit_ok = bit_text[0] >= '0' && bit_text[0] <= '7' && bit_text[1] == '\0';
    if (!parse_address(address_text, &address) || !bit_ok) {
        return usage();
    }
    uint64_t bit = (uint64_t)(bit_text[0] - '0');
    long r = fits(component) ? rs_flip(rs, component, address, bit) : -ENOENT;
    if (r < 0) {
        return failed(component, r);
    }
    printf("%s: flipped bit %llu of the byte at 0x%llx\n", component, (unsigned long long)bit,
           (unsigned long long)address);
    return 0;
}

int main(int argc, char **argv)
{
    const char *command = argc >= 2 ? argv[1] : "";
    int args = argc - 2;
    bool known = (args == 0 && strcmp(command, "list") == 0) ||
                 (args == 1 && (strcmp(command, "show") == 0 || strcmp(command, "restart") == 0)) ||
                 ((args == 2 || args == 3) && strcmp(command, "inject") == 0) ||
                 (args == 3 && strcmp(command, "flip") == 0);
    if (!known) {
        return usage();
    }
    seL4_CPtr rs = sysinfo_endpoint("rs");
    if (rs == 0) {
        return failed("rs", -ENOSYS);
    }
    switch (command[0]) {
    case 'l':
        return list(rs);
    case 's':
        return show(rs, argv[2]);
    case 'r':
        return restart(rs, argv[2]);
    case 'f':
        return flip(rs, argv[2], argv[3], argv[4]);
    default:
        return inject(rs, argv[2], argv[3], args == 3 ? argv[4] : NULL);
    }
}
