/* The campaign (stress.h): N injections into the drivers while the
 * workload uses them. Each injection's delay (under 100 ms), target and
 * kind come from a PRNG seeded with SEED, so a seed names one campaign;
 * rs's own choices (a crash's address, a flip's bit) are seeded from it
 * too. rs makes each injection at its own moment, the delay after it is
 * asked (proto/rs.proto inject), wherever the target stands then: the
 * injector waits in rs meanwhile and the workload runs. Otherwise the
 * injector never sleeps -- it polls the clock and yields to the workload
 * -- so that a broken timer cannot hold it. After each injection
 * it waits until rs's list shows the target running again (restarted, for
 * the kinds that must restart it) and the workload has printed
 * PROGRESS_AFTER more records; RECOVERY_BOUND_NS without that is a hang,
 * which it reports and repairs by hand (rs restart) to go on. It prints a
 * line per injection, rs's and pm's memory before and after, and a
 * summary; tools/stress.py reads them (the lines: report.c). */
#include "stress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <keel/proto/rs_defs.h>
#include <sel4/sel4.h>
#include <signal.h>
#include <spawn.h>
#include <splitmix64.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DELAY_MAX_NS 100000000u /* before each injection, by rs's clock */
/* Guest time, polled, not slept: a target that failed often in a row waits
 * out a backoff of up to 5 s (docs/reliability.md "What rs does") before
 * rs builds it again -- recovering, not hung -- so the bound is 5 s more. */
#define RECOVERY_BOUND_NS 10000000000u
#define PROGRESS_AFTER 2 /* workload records after an injection */

extern char **environ;

enum outcome { RECOVERED, FAILED, HANG, NOT_AVAILABLE, OUTCOMES };
static const char *const outcome_names[OUTCOMES] = { "recovered", "failed", "hang", "n/a" };
static const char *const kind_names[STRESS_KINDS] = { [RS_INJECT_CRASH] = "crash",
                                                      [RS_INJECT_HANG] = "hang",
                                                      [RS_INJECT_FLIP] = "flip",
                                                      [RS_INJECT_KILL] = "kill" };

typedef struct campaign {
    uint64_t random;
    stress_target_t targets[STRESS_MAX_TARGETS];
    int ntargets;
    uint64_t kinds[STRESS_KINDS];
    int nkinds;
    int progress_fd;
    uint64_t counts[OUTCOMES];
} campaign_t;

/* "crash,flip": the kinds' numbers; false for an unknown one. */
static bool parse_kinds(campaign_t *c, const char *list)
{
    char names[64];
    if (strlen(list) >= sizeof(names)) {
        return false;
    }
    strcpy(names, list);
    c->nkinds = 0;
    for (char *save = NULL, *name = strtok_r(names, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        uint64_t k = 0;
        while (k < STRESS_KINDS && strcmp(kind_names[k], name) != 0) {
            k++;
        }
        if (k == STRESS_KINDS || c->nkinds == STRESS_KINDS) {
            return false;
        }
        c->kinds[c->nkinds++] = k;
    }
    return c->nkinds > 0;
}

/* How many records the workload has printed (0 before its first). */
static uint64_t progress(const campaign_t *c)
{
    uint64_t printed = 0;
    if (lseek(c->progress_fd, 0, SEEK_SET) != 0 ||
        read(c->progress_fd, &printed, sizeof(printed)) != sizeof(printed)) {
        return 0;
    }
    return printed;
}

static bool must_restart(uint64_t kind)
{
    return kind != RS_INJECT_FLIP; /* a flipped bit may change nothing */
}

static bool down(uint64_t state)
{
    return state != RS_STATE_RUNNING;
}

/* Poll until the target runs again (restarted if the kind must restart
 * it) and the workload went on; RECOVERY_BOUND_NS after `start`: a hang. */
static enum outcome await_recovery(const campaign_t *c, const stress_target_t *t, uint64_t kind,
                                   const stress_state_t *before, uint64_t printed, uint64_t start,
                                   stress_state_t *after)
{
    for (;;) {
        if (!stress_target_state(t, after) ||
            (down(after->state) && after->state != RS_STATE_FAULTED &&
             after->state != RS_STATE_WAITING)) {
            return FAILED; /* failed (down for good), exited, or gone from the list */
        }
        bool restarted = after->restarts > before->restarts;
        if (!down(after->state) && (restarted || !must_restart(kind)) &&
            progress(c) >= printed + PROGRESS_AFTER) {
            return RECOVERED;
        }
        if (stress_now_ns() - start > RECOVERY_BOUND_NS) {
            return HANG;
        }
        seL4_Yield(); /* the workload runs at this priority */
    }
}

/* After a hang: restart the target by hand; false if even that does not
 * bring it and the workload back. */
static bool repair(campaign_t *c, uint64_t n, const stress_target_t *t)
{
    stress_state_t before, after;
    uint64_t printed = progress(c);
    uint64_t start = stress_now_ns();
    bool ok = stress_target_state(t, &before) && stress_restart(t) == 0 &&
              await_recovery(c, t, RS_INJECT_KILL, &before, printed, start, &after) == RECOVERED;
    stress_line("repair %" PRIu64 " %s %s", n, t->name, ok ? "ok" : "stuck");
    return ok;
}

/* One injection: its delay, target and kind from the PRNG, and rs's seed
 * (the delay's number, made odd: never 0, which would not seed). False
 * when the campaign cannot go on. */
static bool inject_one(campaign_t *c, uint64_t n)
{
    uint64_t r = splitmix64_next(&c->random);
    uint64_t pick = splitmix64_next(&c->random);
    const stress_target_t *t = &c->targets[pick % (uint64_t)c->ntargets];
    uint64_t kind = c->kinds[(pick >> 32) % (uint64_t)c->nkinds];
    stress_state_t before = { 0 }, after = { 0 };
    stress_target_state(t, &before);
    stress_injected_t where = { 0, 0 };
    long error = stress_inject(t, kind, (r % DELAY_MAX_NS) / 1000 + 1, r | 1, &where);
    uint64_t printed = progress(c);
    uint64_t start = stress_now_ns();
    after = before; /* unless it is waited for */
    enum outcome o = error == -ENOSYS ? NOT_AVAILABLE
                     : error < 0      ? FAILED
                                      : await_recovery(c, t, kind, &before, printed, start, &after);
    uint64_t took = stress_now_ns() - start;
    c->counts[o]++;
    stress_line("i %" PRIu64 " %s %s %s %ld %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                " %" PRIu64 " %" PRIx64 " %d",
                n, t->name, kind_names[kind], outcome_names[o], error, before.restarts,
                after.restarts, before.faults, after.faults, took / 1000, where.pc,
                where.in_syscall ? 1 : 0);
    return o != HANG || repair(c, n, t);
}

static pid_t start_workload(uint64_t seed)
{
    char seed_text[24];
    snprintf(seed_text, sizeof(seed_text), "%" PRIu64, seed);
    char *argv[] = { "stress", "work", seed_text, NULL };
    pid_t pid;
    int error = posix_spawn(&pid, "/bin/stress", NULL, NULL, argv, environ);
    return error == 0 ? pid : -error;
}

static void print_memory(const char *when, const stress_memory_t *m)
{
    stress_line("mem %s rs-free %" PRIu64 " rs-free-slots %" PRIu64 " pm-free %" PRIu64, when,
                m->rs_free, m->rs_free_slots, m->pm_free);
}

static int finish(campaign_t *c, pid_t workload, uint64_t done, uint64_t count,
                  const stress_memory_t *before)
{
    kill(workload, SIGKILL);
    waitpid(workload, NULL, 0);
    close(c->progress_fd);
    unlink(STRESS_PROGRESS_FILE);
    stress_memory_t after = { 0 };
    bool same = stress_memory(&after) && stress_same_memory(before, &after);
    print_memory("before", before);
    print_memory("after", &after);
    stress_line("done %" PRIu64 " of %" PRIu64 ": %" PRIu64 " recovered, %" PRIu64
                " failed, %" PRIu64 " hangs, %" PRIu64 " not available; memory %s",
                done, count, c->counts[RECOVERED], c->counts[FAILED], c->counts[HANG],
                c->counts[NOT_AVAILABLE], same ? "the same" : "LEAKED");
    bool ok = done == count && c->counts[FAILED] == 0 && c->counts[HANG] == 0 && same;
    return ok ? 0 : 1;
}

static bool set_up(campaign_t *c, uint64_t seed, const char *kinds, const char *targets)
{
    *c = (campaign_t){ .random = seed };
    if (!parse_kinds(c, kinds)) {
        fprintf(stderr, "stress: kinds: %s: not a list of crash, hang, flip, kill\n", kinds);
        return false;
    }
    c->ntargets = stress_targets(targets, c->targets);
    if (c->ntargets <= 0) {
        fprintf(stderr, "stress: targets: %s: not a list of components rs knows\n", targets);
        return false;
    }
    c->progress_fd = open(STRESS_PROGRESS_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (c->progress_fd < 0) {
        fprintf(stderr, "stress: %s: %s\n", STRESS_PROGRESS_FILE, strerror(errno));
        return false;
    }
    return true;
}

int stress_campaign(uint64_t seed, uint64_t count, const char *kinds, const char *targets)
{
    campaign_t c;
    stress_memory_t before;
    if (!set_up(&c, seed, kinds, targets)) {
        return 1;
    }
    if (!stress_memory(&before)) {
        fprintf(stderr, "stress: rs or pm meminfo failed\n");
        return 1;
    }
    pid_t workload = start_workload(seed);
    if (workload < 0) {
        fprintf(stderr, "stress: /bin/stress work: %s\n", strerror(-workload));
        return 1;
    }
    stress_line("start seed %" PRIu64 " injections %" PRIu64 " kinds %s targets %s", seed, count,
                kinds, targets);
    uint64_t done = 0;
    while (done < count && inject_one(&c, done)) {
        done++;
    }
    return finish(&c, workload, done, count, &before);
}
