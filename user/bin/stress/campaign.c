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
 * summary; tools/stress.py reads them (the lines: report.c).
 *
 * WORKERS (console,files,sql; console alone by default) are the
 * workloads it starts: each is a process of its own and counts its
 * progress and the errors it met in the progress file (stress.h). Then
 * recovery means that every one of them went on, and each injection's
 * line carries the errors each worker met while it was under way. */
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
/* With the disk's workers: a round of theirs (a copy, a run of sqlite3)
 * under way when the file system's server restarts waits for its backoff
 * and its mount too, and must then end. */
#define RECOVERY_BOUND_DISK_NS 30000000000u
/* A flip into code that changed nothing yet is found by rs's scrub within
 * a pass over every component's code (a second or less: rs/scrub.c); the
 * campaign waits that long, so that what the damaged code does meanwhile
 * counts against this injection and not the next. */
#define SCRUB_PASS_NS 1500000000u
#define PROGRESS_AFTER 2 /* console records after an injection */
#define NAP_NS 1000000u  /* between looks, with the disk's workers */
#define DISK_WORKERS (STRESS_WORK_FILES | STRESS_WORK_SQL)

extern char **environ;

enum outcome { RECOVERED, FAILED, HANG, NOT_AVAILABLE, OUTCOMES };
static const char *const outcome_names[OUTCOMES] = { "recovered", "failed", "hang", "n/a" };
static const char *const kind_names[STRESS_KINDS] = { [RS_INJECT_CRASH] = "crash",
                                                      [RS_INJECT_HANG] = "hang",
                                                      [RS_INJECT_FLIP] = "flip",
                                                      [RS_INJECT_KILL] = "kill" };

#define WORKERS 3
static const struct worker {
    const char *name;    /* in the WORKERS list, and stress's command */
    unsigned flag;       /* STRESS_WORK_* */
    enum stress_slot at; /* its progress; its errors follow */
    uint64_t needed;     /* its progress after an injection */
} workers[WORKERS] = {
    { "console", STRESS_WORK_CONSOLE, STRESS_RECORDS, PROGRESS_AFTER },
    { "files", STRESS_WORK_FILES, STRESS_FILES, 1 },
    /* A round of sqlite3 takes seconds: the campaign does not wait for
     * one after each injection, and ties its errors to the injection
     * under way when the round ended. */
    { "sql", STRESS_WORK_SQL, STRESS_SQL, 0 },
};

/* The progress file at one moment. */
typedef struct progress {
    uint64_t slot[STRESS_SLOTS];
} progress_t;

typedef struct campaign {
    uint64_t random;
    stress_target_t targets[STRESS_MAX_TARGETS];
    int ntargets;
    uint64_t kinds[STRESS_KINDS];
    int nkinds;
    unsigned working; /* STRESS_WORK_* */
    pid_t pid[WORKERS];
    uint64_t bound_ns;
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

/* "console,files": the workers' flags; 0 for an unknown name. */
static unsigned parse_workers(const char *list)
{
    char names[64];
    unsigned flags = 0;
    if (strlen(list) >= sizeof(names)) {
        return 0;
    }
    strcpy(names, list);
    for (char *save = NULL, *name = strtok_r(names, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        int w = 0;
        while (w < WORKERS && strcmp(workers[w].name, name) != 0) {
            w++;
        }
        if (w == WORKERS) {
            return 0;
        }
        flags |= workers[w].flag;
    }
    return flags;
}

static progress_t progress(const campaign_t *c)
{
    progress_t p;
    for (int i = 0; i < STRESS_SLOTS; i++) {
        p.slot[i] = stress_slot_get(c->progress_fd, (enum stress_slot)i);
    }
    return p;
}

/* Has every worker gone on enough since `before`? */
static bool went_on(const campaign_t *c, const progress_t *before)
{
    progress_t now = progress(c);
    for (int w = 0; w < WORKERS; w++) {
        const struct worker *k = &workers[w];
        if ((c->working & k->flag) && now.slot[k->at] < before->slot[k->at] + k->needed) {
            return false;
        }
    }
    return true;
}

static bool must_restart(uint64_t kind)
{
    return kind != RS_INJECT_FLIP; /* a flipped bit may change nothing */
}

/* Time enough after an injection made at `start` for rs to find what it
 * changed, unless the target has restarted already. */
static bool settled(const stress_injected_t *where, bool restarted, uint64_t start)
{
    return restarted || where->target != RS_TARGET_CODE || stress_now_ns() - start >= SCRUB_PASS_NS;
}

static bool down(uint64_t state)
{
    return state != RS_STATE_RUNNING;
}

/* Between two looks: the console worker alone runs at this priority and
 * mostly sleeps, so a yield costs nothing; the disk's workers compute (a
 * run of sqlite3), and a yield would take half the processor from them,
 * so the injector sleeps then -- unless the timer is the target. */
static void wait_a_little(const campaign_t *c, const stress_target_t *t)
{
    bool disk = c->working & DISK_WORKERS;
    if (!disk || strcmp(t->name, "timer") == 0 || !stress_sleep_ns(NAP_NS)) {
        seL4_Yield(); /* the workload runs at this priority */
    }
}

/* Poll until the target runs again (restarted if the kind must restart
 * it) and the workload went on; RECOVERY_BOUND_NS after `start`: a hang. */
static enum outcome await_recovery(const campaign_t *c, const stress_target_t *t, uint64_t kind,
                                   const stress_injected_t *where, const stress_state_t *before,
                                   const progress_t *printed, uint64_t start, stress_state_t *after)
{
    for (;;) {
        if (!stress_target_state(t, after) ||
            (down(after->state) && after->state != RS_STATE_FAULTED &&
             after->state != RS_STATE_WAITING)) {
            return FAILED; /* failed (down for good), exited, or gone from the list */
        }
        bool restarted = after->restarts > before->restarts;
        if (!down(after->state) && (restarted || !must_restart(kind)) &&
            settled(where, restarted, start) && went_on(c, printed)) {
            return RECOVERED;
        }
        if (stress_now_ns() - start > c->bound_ns) {
            return HANG;
        }
        wait_a_little(c, t);
    }
}

/* After a hang: restart the target by hand; false if even that does not
 * bring it and the workload back. */
static bool repair(campaign_t *c, uint64_t n, const stress_target_t *t)
{
    stress_state_t before, after;
    progress_t printed = progress(c);
    uint64_t start = stress_now_ns();
    stress_injected_t nothing = { 0, false, RS_TARGET_NONE };
    bool ok = stress_target_state(t, &before) && stress_restart(t) == 0 &&
              await_recovery(c, t, RS_INJECT_KILL, &nothing, &before, &printed, start, &after) ==
                  RECOVERED;
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
    stress_injected_t where = { 0, false, RS_TARGET_NONE };
    progress_t was = progress(c);
    long error = stress_inject(t, kind, (r % DELAY_MAX_NS) / 1000 + 1, r | 1, &where);
    progress_t printed = progress(c);
    uint64_t start = stress_now_ns();
    after = before; /* unless it is waited for */
    enum outcome o = error == -ENOSYS ? NOT_AVAILABLE
                     : error < 0
                         ? FAILED
                         : await_recovery(c, t, kind, &where, &before, &printed, start, &after);
    uint64_t took = stress_now_ns() - start;
    progress_t is = progress(c);
    c->counts[o]++;
    /* The errors the workers met from just before the injection on. */
    stress_line("i %" PRIu64 " %s %s %s %ld %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                " %" PRIu64 " %" PRIx64 " %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64,
                n, t->name, kind_names[kind], outcome_names[o], error, before.restarts,
                after.restarts, before.faults, after.faults, took / 1000, where.pc,
                where.in_syscall ? 1 : 0,
                is.slot[STRESS_FILES_ERRORS] - was.slot[STRESS_FILES_ERRORS],
                is.slot[STRESS_FILES_WRONG] - was.slot[STRESS_FILES_WRONG],
                is.slot[STRESS_SQL_ERRORS] - was.slot[STRESS_SQL_ERRORS],
                is.slot[STRESS_SQL_WRONG] - was.slot[STRESS_SQL_WRONG]);
    return o != HANG || repair(c, n, t);
}

static pid_t start_worker(const char *command, uint64_t seed)
{
    char seed_text[24];
    snprintf(seed_text, sizeof(seed_text), "%" PRIu64, seed);
    char *argv[] = { "stress", (char *)command, seed_text, NULL };
    pid_t pid;
    int error = posix_spawn(&pid, "/bin/stress", NULL, NULL, argv, environ);
    return error == 0 ? pid : -error;
}

/* The console worker's command is `work` (the first workload). */
static const char *command_of(const struct worker *w)
{
    return w->flag == STRESS_WORK_CONSOLE ? "work" : w->name;
}

/* Ask the workers `which` (STRESS_WORK_*) to end after their round (a run of sqlite3 ends with
 * it, so that its memory is back when the campaign compares), then wait
 * for them; one that does not end within the bound is killed. */
static void stop_workers(campaign_t *c, unsigned which)
{
    (void)stress_slot_set(c->progress_fd, STRESS_STOP, which);
    uint64_t start = stress_now_ns();
    for (int w = 0; w < WORKERS; w++) {
        if (!(which & workers[w].flag)) {
            continue;
        }
        while (c->pid[w] > 0 && waitpid(c->pid[w], NULL, WNOHANG) == 0) {
            if (stress_now_ns() - start > c->bound_ns) {
                kill(c->pid[w], SIGKILL);
                waitpid(c->pid[w], NULL, 0);
                break;
            }
            (void)stress_sleep_ns(NAP_NS);
        }
        c->pid[w] = 0;
    }
    (void)stress_slot_set(c->progress_fd, STRESS_STOP, 0);
}

static bool start_workers(campaign_t *c, uint64_t seed, unsigned which)
{
    for (int w = 0; w < WORKERS; w++) {
        if (which & workers[w].flag) {
            c->pid[w] = start_worker(command_of(&workers[w]), seed);
            if (c->pid[w] < 0) {
                fprintf(stderr, "stress: /bin/stress %s: %s\n", command_of(&workers[w]),
                        strerror((int)-c->pid[w]));
                return false;
            }
        }
    }
    return true;
}

static void print_memory(const char *when, const stress_memory_t *m)
{
    stress_line("mem %s rs-free %" PRIu64 " rs-free-slots %" PRIu64 " pm-free %" PRIu64, when,
                m->rs_free, m->rs_free_slots, m->pm_free);
}

/* A sample of the soak: minute, rs's and pm's memory, vfs's tables. */
static void print_sample(uint64_t minute, const stress_memory_t *m, bool same)
{
    stress_line("sample %" PRIu64 " rs-free %" PRIu64 " rs-free-slots %" PRIu64 " pm-free %" PRIu64
                " vfs %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s",
                minute, m->rs_free, m->rs_free_slots, m->pm_free, m->vfs[0], m->vfs[1], m->vfs[2],
                m->vfs[3], m->vfs[4], same ? "same" : "CHANGED");
}

static int finish(campaign_t *c, uint64_t done, uint64_t count, const stress_memory_t *before)
{
    progress_t p = progress(c);
    stop_workers(c, c->working);
    stress_line("work records %" PRIu64 " files %" PRIu64 " %" PRIu64 " %" PRIu64 " sql %" PRIu64
                " %" PRIu64 " %" PRIu64,
                p.slot[STRESS_RECORDS], p.slot[STRESS_FILES], p.slot[STRESS_FILES_ERRORS],
                p.slot[STRESS_FILES_WRONG], p.slot[STRESS_SQL], p.slot[STRESS_SQL_ERRORS],
                p.slot[STRESS_SQL_WRONG]);
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

static bool clear_progress(const campaign_t *c)
{
    progress_t zero = { { 0 } };
    return pwrite(c->progress_fd, &zero, sizeof(zero), 0) == sizeof(zero);
}

static bool set_up(campaign_t *c, uint64_t seed, const char *kinds, const char *targets,
                   const char *working)
{
    *c = (campaign_t){ .random = seed, .working = parse_workers(working) };
    if (c->working == 0) {
        fprintf(stderr, "stress: workers: %s: not a list of console, files, sql\n", working);
        return false;
    }
    bool disk = c->working & DISK_WORKERS;
    c->bound_ns = disk ? RECOVERY_BOUND_DISK_NS : RECOVERY_BOUND_NS;
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
    if (c->progress_fd < 0 || !clear_progress(c)) {
        fprintf(stderr, "stress: %s: %s\n", STRESS_PROGRESS_FILE, strerror(errno));
        return false;
    }
    return true;
}

/* Until every worker has done a round. */
static bool warmed_up(const campaign_t *c)
{
    progress_t zero = { { 0 } };
    uint64_t start = stress_now_ns();
    while (!went_on(c, &zero) || (c->working & STRESS_WORK_SQL && !progress(c).slot[STRESS_SQL])) {
        if (stress_now_ns() - start > c->bound_ns) {
            return false;
        }
        (void)stress_sleep_ns(NAP_NS);
    }
    return true;
}

/* A first run of the disk's workers, until each has done a round: pm
 * then holds its copy of the program they run (sqlite3), as it will at
 * every later comparison of its memory. (Not the console worker's: its
 * records are numbered from the start.) Then they are stopped and the
 * progress cleared. */
static bool warm_up(campaign_t *c, uint64_t seed)
{
    unsigned all = c->working;
    c->working &= DISK_WORKERS; /* what warmed_up waits for */
    bool warm = start_workers(c, seed, c->working) && warmed_up(c);
    stop_workers(c, c->working);
    c->working = all;
    return warm && clear_progress(c);
}

int stress_campaign(uint64_t seed, uint64_t count, const char *kinds, const char *targets,
                    const char *working)
{
    campaign_t c;
    stress_memory_t before;
    if (!set_up(&c, seed, kinds, targets, working)) {
        return 1;
    }
    if (!warm_up(&c, seed) || !stress_memory(&before) || !start_workers(&c, seed, c.working)) {
        fprintf(stderr, "stress: the workers did not start, or rs's or pm's meminfo failed\n");
        stop_workers(&c, c.working);
        return 1;
    }
    stress_line("start seed %" PRIu64 " injections %" PRIu64 " kinds %s targets %s workers %s",
                seed, count, kinds, targets, working);
    uint64_t done = 0;
    while (done < count && inject_one(&c, done)) {
        done++;
    }
    return finish(&c, done, count, &before);
}

/* Stop the disk's workers (their sqlite3 runs end with their round),
 * take the figures, and start them again: at that moment the system holds
 * what it held at the soak's start, so any change is a leak. */
static bool sample(campaign_t *c, uint64_t seed, stress_memory_t *m)
{
    unsigned disk = c->working & DISK_WORKERS;
    stop_workers(c, disk); /* the console worker goes on: its records are numbered */
    bool ok = stress_memory(m);
    return start_workers(c, seed, disk) && ok;
}

int stress_soak(uint64_t seed, uint64_t minutes, const char *working)
{
    campaign_t c;
    if (!set_up(&c, seed, "kill", "timer", working)) { /* no injection: any valid kind and target */
        return 1;
    }
    stress_memory_t first, now;
    if (!warm_up(&c, seed) || !start_workers(&c, seed, c.working) || !sample(&c, seed, &first)) {
        fprintf(stderr, "stress: the workers did not start, or a server's figures failed\n");
        stop_workers(&c, c.working);
        return 1;
    }
    stress_line("soak seed %" PRIu64 " minutes %" PRIu64 " workers %s", seed, minutes, working);
    print_sample(0, &first, true);
    bool same = true;
    for (uint64_t minute = 1; minute <= minutes; minute++) {
        uint64_t until = stress_now_ns() + 60000000000u;
        while (stress_now_ns() < until) {
            (void)stress_sleep_ns(100000000u);
        }
        bool ok = sample(&c, seed, &now);
        bool equal = ok && stress_same_memory(&first, &now);
        same = same && equal;
        print_sample(minute, &now, equal);
    }
    progress_t p = progress(&c);
    stop_workers(&c, c.working);
    stress_line("soak-done records %" PRIu64 " files %" PRIu64 " %" PRIu64 " %" PRIu64
                " sql %" PRIu64 " %" PRIu64 " %" PRIu64 " memory %s",
                p.slot[STRESS_RECORDS], p.slot[STRESS_FILES], p.slot[STRESS_FILES_ERRORS],
                p.slot[STRESS_FILES_WRONG], p.slot[STRESS_SQL], p.slot[STRESS_SQL_ERRORS],
                p.slot[STRESS_SQL_WRONG], same ? "flat" : "CHANGED");
    close(c.progress_fd);
    unlink(STRESS_PROGRESS_FILE);
    return same ? 0 : 1;
}
