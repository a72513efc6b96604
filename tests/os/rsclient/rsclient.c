/* A test client of rs's service (proto/rs.proto, system/keel.system grants
 * it `use rs`): the answers to good requests, the count convention past the
 * end, the errors for requests the dispatch or rs must refuse, a hang and
 * flips injected into the worker (tests/os/worker), and rs's scrub finding
 * a flip into its code, made by rs or by hand. Prints a line per check and the total. */
#include "../testcomp.h"
#include "../worker/work.h"
#include <errno.h>
#include <keel/os/timer.h>
#include <keel/proto/rs.h>
#include <keel/string.h>

#define YIELDS_TO_START 1000 /* the worker counts within one of them: it has our priority */
#define YIELDS_HUNG 20       /* time slices a hung worker has without counting */
#define FLIPS 50
#define SEEDS_MAX 64       /* seeds tried for a flip into code: a third of them pick code */
#define SCRUB_WAIT_MS 3000 /* rs's scrub compares every code page about once a second */

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

/* The worker (tests/os/worker): its page, and our signal to it. */
typedef struct worker {
    work_page_t *work;
    seL4_CPtr signal;
} worker_t;

/* Let it count: it runs while we yield the processor. */
static void start_work(const worker_t *w)
{
    w->work->run = 1;
    seL4_Signal(w->signal);
}

/* Does it count within `yields` of our yields? */
static bool counts_within(const worker_t *w, unsigned yields)
{
    uint64_t before = w->work->count;
    for (unsigned i = 0; i < yields && w->work->count == before; i++) {
        seL4_Yield();
    }
    return w->work->count != before;
}

/* A fresh instance, from its ELF, counting: what each check leaves. */
static bool restarted_counting(seL4_CPtr rs, const worker_t *w)
{
    bool restarted = rs_restart(rs, "worker") == 0;
    start_work(w);
    return restarted && counts_within(w, YIELDS_TO_START);
}

/* A hang injected in the middle of its work: rs sets its pc to a branch
 * to itself; it spins, counting no more, until restarted by hand
 * (nothing notices a hang yet). */
static void check_hang(seL4_CPtr rs, const worker_t *w)
{
    start_work(w);
    check("the worker counts", counts_within(w, YIELDS_TO_START));
    uint64_t target = 0, address = 0, bit = 1;
    long r = rs_inject(rs, "worker", RS_INJECT_HANG, 0, 0, &target, &address, &bit, NULL, NULL);
    check("inject hang: 0, its pc set in its text",
          r == 0 && target == RS_TARGET_PC && address >= 0x400000 && address % 4 == 0 && bit == 0);
    check("the hung worker counts no more", !counts_within(w, YIELDS_HUNG));
    check("the hung worker restarted by hand counts again", restarted_counting(rs, w));
}

/* The worker's faults as rs counts them. */
static uint64_t worker_faults(seL4_CPtr rs)
{
    char name[KEEL_PROTO_NAME_BYTES];
    uint64_t faults = 0;
    for (uint64_t i = 0;
         rs_list(rs, i, name, NULL, NULL, NULL, &faults, NULL, NULL, NULL) > (long)i; i++) {
        if (strcmp(name, "worker") == 0) {
            return faults;
        }
    }
    return 0;
}

/* FLIPS flips into the counting worker. After each it counts on (the flip
 * did nothing visible, or it faulted, or rs's scrub found its code damaged,
 * and rs restarted it), or it stopped:
 * a hang or a state nothing notices yet (a flip can leave either), and a
 * restart by hand brings it back. */
static void check_flips(seL4_CPtr rs, const worker_t *w)
{
    unsigned made = 0, counting = 0, by_hand = 0, at[RS_TARGET_CODE + 1] = { 0 };
    uint64_t faults = worker_faults(rs);
    start_work(w);
    for (unsigned i = 0; i < FLIPS; i++) {
        uint64_t target = 0, address = 0, bit = 0;
        long r = rs_inject(rs, "worker", RS_INJECT_FLIP, 0, 0, &target, &address, &bit, NULL, NULL);
        if (r == 0 && target >= RS_TARGET_REGISTER && target <= RS_TARGET_CODE) {
            made++;
            at[target]++;
        }
        bool on = counts_within(w, YIELDS_HUNG);
        if (!on) {
            by_hand++;
            on = restarted_counting(rs, w);
        }
        counting += on;
    }
    printf("rsclient: %u flips: %u registers, %u data, %u code; %llu faults restarted by rs, %u "
           "stopped and restarted by hand\n",
           made, at[RS_TARGET_REGISTER], at[RS_TARGET_DATA], at[RS_TARGET_CODE],
           (unsigned long long)(worker_faults(rs) - faults), by_hand);
    check("50 flips into the worker at work: each made, it counts after each",
          made == FLIPS && counting == FLIPS);
    check("the flips hit registers, data pages and code pages",
          at[RS_TARGET_REGISTER] > 0 && at[RS_TARGET_DATA] > 0 && at[RS_TARGET_CODE] > 0);
    check("a fresh worker counts", restarted_counting(rs, w));
    w->work->run = 0;
}

/* The same seed, the same choices: a flip made twice with one seed hits
 * the same bit (and so undoes itself) while the worker waits. */
static void check_seed(seL4_CPtr rs, const worker_t *w)
{
    uint64_t first[5], again[5];
    for (unsigned i = 0; i < YIELDS_HUNG; i++) {
        seL4_Yield(); /* the worker sees run == 0 and waits */
    }
    long r1 = rs_inject(rs, "worker", RS_INJECT_FLIP, 0, 12345, &first[0], &first[1], &first[2],
                        &first[3], &first[4]);
    long r2 = rs_inject(rs, "worker", RS_INJECT_FLIP, 0, 12345, &again[0], &again[1], &again[2],
                        &again[3], &again[4]);
    check("two flips with one seed: the same target, address and bit, both where it waits",
          r1 == 0 && r2 == 0 && memcmp(first, again, sizeof(first)) == 0 && first[3] != 0 &&
              first[4] == 1);
    check("a fresh worker counts after them", restarted_counting(rs, w));
    w->work->run = 0;
}

/* The worker's restarts and what last stopped it, as rs lists them. */
static void worker_restarts(seL4_CPtr rs, uint64_t *restarts, uint64_t *last)
{
    char name[KEEL_PROTO_NAME_BYTES];
    *restarts = *last = 0;
    for (uint64_t i = 0;
         rs_list(rs, i, name, NULL, NULL, NULL, NULL, restarts, NULL, last) > (long)i; i++) {
        if (strcmp(name, "worker") == 0) {
            return;
        }
    }
}

/* A fresh worker, waiting, and a flip into its code: the first seed whose
 * flip rs makes there (each seed's try gets a fresh worker). */
static bool flip_code(seL4_CPtr rs, const worker_t *w, uint64_t *address)
{
    w->work->run = 0;
    for (uint64_t seed = 1; seed <= SEEDS_MAX; seed++) {
        if (rs_restart(rs, "worker") != 0) {
            return false;
        }
        for (unsigned i = 0; i < YIELDS_HUNG; i++) {
            seL4_Yield(); /* it starts, sees run == 0 and waits */
        }
        uint64_t target = 0;
        if (rs_inject(rs, "worker", RS_INJECT_FLIP, 0, seed, &target, address, NULL, NULL, NULL) ==
                0 &&
            target == RS_TARGET_CODE) {
            return true;
        }
    }
    return false;
}

/* Has rs restarted the worker for damaged code within SCRUB_WAIT_MS of
 * a flip at `address` (restarts `before` then)? rs has no clock here: it
 * scrubs as we ask it (rs_list) again and again. */
static bool scrubbed(seL4_CPtr rs, uint64_t address, uint64_t before)
{
    uint64_t restarts = 0, last = 0;
    uint64_t ticks_per_ms = keel_counter_frequency() / 1000, flipped_at = keel_counter();
    do {
        worker_restarts(rs, &restarts, &last);
    } while (restarts == before && keel_counter() - flipped_at < SCRUB_WAIT_MS * ticks_per_ms);
    printf("rsclient: code flipped at 0x%llx; %llu ms later restarts %llu -> %llu, last %llu\n",
           (unsigned long long)address,
           (unsigned long long)((keel_counter() - flipped_at) / ticks_per_ms),
           (unsigned long long)before, (unsigned long long)restarts, (unsigned long long)last);
    return restarts == before + 1 && last == RS_LAST_CODE;
}

/* rs's scrub (docs/reliability.md "Code scrubbing"): a flip into the code
 * of the worker while it waits -- the flipped instruction never runs, so
 * no fault and no hang could tell -- and rs restarts it within
 * SCRUB_WAIT_MS, its last cause damaged code. The flip's address in
 * *code. */
static void check_scrub(seL4_CPtr rs, const worker_t *w, uint64_t *code)
{
    uint64_t address = 0, before = 0, last = 0;
    bool flipped = flip_code(rs, w, &address);
    worker_restarts(rs, &before, &last);
    check("a flip into the waiting worker's code", flipped && address >= 0x400000);
    check("rs found its code damaged and restarted it within 3 s (last: code)",
          flipped && scrubbed(rs, address, before));
    start_work(w);
    check("the worker restarted by rs counts", counts_within(w, YIELDS_TO_START));
    w->work->run = 0;
    *code = address;
}

/* proto/rs.proto's flip: its errors, then the bit of the worker's code at
 * `address` (check_scrub's) flipped by hand, which rs's scrub finds as it
 * found the injected one. */
static void check_flip_by_hand(seL4_CPtr rs, uint64_t address)
{
    check("flip of no component is ENOENT", rs_flip(rs, "nobody", address, 0) == -ENOENT);
    check("flip at an address outside its own pages is EFAULT",
          rs_flip(rs, "worker", 0, 0) == -EFAULT && rs_flip(rs, "worker", ~0ull, 7) == -EFAULT);
    check("flip of bit 8 is EINVAL", rs_flip(rs, "worker", address, 8) == -EINVAL);
    uint64_t before = 0, last = 0;
    worker_restarts(rs, &before, &last);
    check("a flip by hand into the worker's code, and rs's scrub restarts it",
          rs_flip(rs, "worker", address, 3) == 0 && scrubbed(rs, address, before));
}

/* rs has no clock in this system (tests/os/test.system gives it none): a
 * delayed injection is refused, not left waiting for ever. */
static void check_no_clock(seL4_CPtr rs)
{
    check("a delayed injection with no clock for rs is ENOSYS",
          rs_inject(rs, "worker", RS_INJECT_CRASH, 1000, 0, NULL, NULL, NULL, NULL, NULL) ==
              -ENOSYS);
    check("a delay over 10 s is EINVAL", rs_inject(rs, "worker", RS_INJECT_CRASH, 10000001, 0, NULL,
                                                   NULL, NULL, NULL, NULL) == -EINVAL);
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    seL4_CPtr rs = testcomp_cap("rs", KEEL_CAP_ENDPOINT)->cptr;
    check_list(rs);
    check_show(rs);
    check_meminfo(rs);
    check_malformed(rs);
    worker_t worker = { (work_page_t *)testcomp_cap("work", KEEL_CAP_REGION)->vaddr,
                        testcomp_cap("work.notify", KEEL_CAP_NOTIFICATION)->cptr };
    check_hang(rs, &worker);
    check_flips(rs, &worker);
    check_seed(rs, &worker);
    uint64_t code = 0;
    check_scrub(rs, &worker, &code);
    check_flip_by_hand(rs, code);
    check_no_clock(rs);
    printf("rsclient: %u of %u checks passed\n", passed, checks);
    return passed == checks ? 0 : 1;
}
