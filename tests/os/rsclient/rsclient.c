/* A test client of rs's service (proto/rs.proto, system/keel.system grants
 * it `use rs`): the answers to good requests, the count convention past the
 * end, the errors for requests the dispatch or rs must refuse, and a hang
 * injected into the worker (tests/os/worker). Prints a line per check and
 * the total. */
#include "../testcomp.h"
#include "../worker/work.h"
#include <errno.h>
#include <keel/proto/rs.h>
#include <keel/string.h>

#define YIELDS_TO_START 1000 /* the worker counts within one of them: it has our priority */
#define YIELDS_HUNG 20       /* time slices the hung worker has without counting */

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
    long count = rs_show(rs, "rsclient", 1, grant, &kind, &cptr, &vaddr, &size, &flags, &badge);
    const keel_startcap_t *own = testcomp_cap("rs", KEEL_CAP_ENDPOINT);
    check("show rsclient 1 is its own start-page entry rs (of notify, rs, work, work.notify)",
          count == 4 && strcmp(grant, "rs") == 0 && kind == KEEL_CAP_ENDPOINT &&
              cptr == own->cptr && badge == own->badge);
    check("show rsclient 4 is past the end",
          rs_show(rs, "rsclient", 4, grant, &kind, NULL, NULL, NULL, NULL, NULL) == 4 &&
              grant[0] == '\0' && kind == 0);
    check("show of no component is ENOENT",
          rs_show(rs, "nosuch", 0, grant, NULL, NULL, NULL, NULL, NULL, NULL) == -ENOENT);
    check("show of a prefix of a name is ENOENT",
          rs_show(rs, "rsclien", 0, grant, NULL, NULL, NULL, NULL, NULL, NULL) == -ENOENT);
}

static void check_malformed(seL4_CPtr rs)
{
    check("an unknown label is ENOSYS", raw_call(rs, 99, 1, 0) == -ENOSYS);
    check("list with 2 words is EINVAL", raw_call(rs, RS_LIST, 2, 0) == -EINVAL);
    /* 5 words of 0x41..: a component name with no NUL in its 32 bytes. */
    check("show with an unterminated name is EINVAL",
          raw_call(rs, RS_SHOW, 5, 0x4141414141414141ul) == -EINVAL);
}

/* Does the worker count? It runs while we yield the processor. */
static bool counts(const work_page_t *work)
{
    uint64_t before = work->count;
    for (unsigned i = 0; i < YIELDS_TO_START && work->count == before; i++) {
        seL4_Yield();
    }
    return work->count != before;
}

/* Its count stands still over YIELDS_HUNG of its time slices. */
static bool stands_still(const work_page_t *work)
{
    uint64_t before = work->count;
    for (unsigned i = 0; i < YIELDS_HUNG; i++) {
        seL4_Yield();
    }
    return work->count == before;
}

/* A hang injected in the middle of the worker's work: rs sets its pc to a
 * branch to itself; it spins, counting no more, until restarted by hand
 * (nothing notices a hang yet). */
static void check_hang(seL4_CPtr rs)
{
    work_page_t *work = (work_page_t *)testcomp_cap("work", KEEL_CAP_REGION)->vaddr;
    seL4_CPtr signal = testcomp_cap("work.notify", KEEL_CAP_NOTIFICATION)->cptr;
    work->run = 1;
    seL4_Signal(signal);
    check("the worker counts", counts(work));
    uint64_t target = 0, address = 0, bit = 1;
    long r = rs_inject(rs, "worker", RS_INJECT_HANG, &target, &address, &bit);
    check("inject hang: 0, its pc set in its text",
          r == 0 && target == RS_TARGET_PC && address >= 0x400000 && address % 4 == 0 && bit == 0);
    check("the hung worker counts no more", stands_still(work));
    work->run = 0;
    check("the hung worker restarted by hand", rs_restart(rs, "worker") == 0);
    work->run = 1;
    seL4_Signal(signal);
    check("its new instance counts", counts(work));
    work->run = 0;
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    seL4_CPtr rs = testcomp_cap("rs", KEEL_CAP_ENDPOINT)->cptr;
    check_list(rs);
    check_show(rs);
    check_malformed(rs);
    check_hang(rs);
    printf("rsclient: %u of %u checks passed\n", passed, checks);
    return passed == checks ? 0 : 1;
}
