/* A test client of rs's service (proto/rs.proto, system/keel.system grants
 * it `use rs`): the answers to good requests, the count convention past the
 * end, and the errors for requests the dispatch or rs must refuse. Prints a
 * line per check and the total. */
#include "../testcomp.h"
#include <errno.h>
#include <keel/proto/rs.h>
#include <keel/string.h>

static unsigned checks, passed;

static void check(const char *what, bool ok)
{
    checks++;
    passed += ok;
    printf("rsclient: %s: %s\n", what, ok ? "ok" : "FAIL");
}

/* A raw request: `label` with `words` MRs of value `value`; MR0 of the reply. */
static long raw_call(seL4_CPtr rs, seL4_Word label, seL4_Word words, seL4_Word value)
{
    for (seL4_Word i = 0; i < words; i++) {
        seL4_SetMR(i, value);
    }
    seL4_Call(rs, seL4_MessageInfo_new(label, 0, 0, words));
    return (long)seL4_GetMR(0);
}

static void check_list(seL4_CPtr rs)
{
    char name[KEEL_PROTO_NAME_BYTES];
    uint64_t state, priority, quota, faults, restarts, uptime, last;
    long count =
        rs_list(rs, 0, name, &state, &priority, &quota, &faults, &restarts, &uptime, &last);
    check("list 0 is echo, running, priority 120, 256 KiB",
          count > 0 && strcmp(name, "echo") == 0 && state == RS_STATE_RUNNING && priority == 120 &&
              quota == 256 * 1024 && restarts == 0 && last == RS_LAST_NONE);
    name[0] = 'x';
    state = priority = 7;
    long past = rs_list(rs, (uint64_t)count, name, &state, &priority, &quota, &faults, &restarts,
                        &uptime, &last);
    check("list past the end gives the count and nothing else", past == count && name[0] == '\0' &&
                                                                    state == 0 && priority == 0 &&
                                                                    uptime == 0 && last == 0);
    check("list index 256 is refused (EINVAL)",
          rs_list(rs, 256, name, NULL, NULL, NULL, NULL, NULL, NULL, NULL) == -EINVAL);
}

static void check_show(seL4_CPtr rs)
{
    char grant[KEEL_PROTO_NAME_BYTES];
    uint64_t kind, cptr, vaddr, size, flags, badge;
    long count = rs_show(rs, "rsclient", 0, grant, &kind, &cptr, &vaddr, &size, &flags, &badge);
    const keel_startcap_t *own = testcomp_cap("rs", KEEL_CAP_ENDPOINT);
    check("show rsclient 0 is its own start-page entry rs",
          count == 1 && strcmp(grant, "rs") == 0 && kind == KEEL_CAP_ENDPOINT &&
              cptr == own->cptr && badge == own->badge);
    check("show rsclient 1 is past the end",
          rs_show(rs, "rsclient", 1, grant, &kind, NULL, NULL, NULL, NULL, NULL) == 1 &&
              grant[0] == '\0' && kind == 0);
    check("show of no component is ENOENT",
          rs_show(rs, "nosuch", 0, grant, NULL, NULL, NULL, NULL, NULL, NULL) == -ENOENT);
    check("show of a prefix of a name is ENOENT",
          rs_show(rs, "rsclien", 0, grant, NULL, NULL, NULL, NULL, NULL, NULL) == -ENOENT);
}

/* rs's own memory: plausible, and the same when asked again (nothing was
 * built or restarted meanwhile). */
static void check_meminfo(seL4_CPtr rs)
{
    uint64_t total, free, slots, free_slots, again[4];
    long r = rs_meminfo(rs, &total, &free, &slots, &free_slots);
    check("meminfo: some RAM and slots used, some free",
          r == 0 && free > 0 && free < total && free_slots > 0 && free_slots < slots);
    r = rs_meminfo(rs, &again[0], &again[1], &again[2], &again[3]);
    check("meminfo again: the same", r == 0 && again[0] == total && again[1] == free &&
                                         again[2] == slots && again[3] == free_slots);
    check("meminfo with 1 word is EINVAL", raw_call(rs, RS_MEMINFO, 1, 0) == -EINVAL);
}

static void check_malformed(seL4_CPtr rs)
{
    check("an unknown label is ENOSYS", raw_call(rs, 99, 1, 0) == -ENOSYS);
    check("list with 2 words is EINVAL", raw_call(rs, RS_LIST, 2, 0) == -EINVAL);
    /* 5 words of 0x41..: a component name with no NUL in its 32 bytes. */
    check("show with an unterminated name is EINVAL",
          raw_call(rs, RS_SHOW, 5, 0x4141414141414141ul) == -EINVAL);
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    seL4_CPtr rs = testcomp_cap("rs", KEEL_CAP_ENDPOINT)->cptr;
    check_list(rs);
    check_show(rs);
    check_meminfo(rs);
    check_malformed(rs);
    printf("rsclient: %u of %u checks passed\n", passed, checks);
    return passed == checks ? 0 : 1;
}
