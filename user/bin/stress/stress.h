/* stress: the guest side of the fault-injection campaign (make stress,
 * tools/stress.py; docs/reliability.md "The stress campaign").
 *
 *   stress SEED N [KINDS [TARGETS [WORKERS]]]
 *                                     N injections chosen by a PRNG seeded
 *                                     with SEED, under the workers' loads
 *   stress restarts N [TARGETS]       N restarts in a row, memory before and after
 *   stress work SEED                  the console worker (the campaign spawns it)
 *   stress files SEED                 the files worker: copies on the disk
 *   stress sql SEED                   the SQLite worker: transactions on the disk
 *   stress soak SEED MINUTES WORKERS  the workers for MINUTES, no injection; the
 *                                     memory and vfs's tables sampled each minute
 *
 * KINDS, TARGETS and WORKERS are comma-separated lists (crash,hang,flip,kill;
 * any of rs's components, uart,timer,rtc by default; console,files,sql,
 * console by default). The combined campaign (tools/campaign.py) runs all
 * three workers and adds the host's downloads and shell pipelines. Calls: posix_spawn, waitpid,
 * kill, open, lseek, read, write, pread, pwrite, mkdir, unlink, pipe, nanosleep, clock_gettime,
 * gettimeofday; rs's list, restart, inject and meminfo, pm's meminfo. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define STRESS_MAX_TARGETS 8
#define STRESS_KINDS 4 /* RS_INJECT_CRASH..RS_INJECT_KILL */

/* The file through which the workloads show their progress: a uint64_t
 * per slot, each written by one worker only (pwrite at its offset). */
#define STRESS_PROGRESS_FILE "/run/stress.progress" /* in memory: polled often */
enum stress_slot {
    STRESS_RECORDS,      /* the console worker: records printed */
    STRESS_FILES,        /* the files worker: copies made and verified */
    STRESS_FILES_ERRORS, /* ... calls that failed (an errno the client saw) */
    STRESS_FILES_WRONG,  /* ... copies read back wrong */
    STRESS_SQL,          /* the SQLite worker: transactions checked */
    STRESS_SQL_ERRORS,   /* ... rounds where sqlite3 reported an error */
    STRESS_SQL_WRONG,    /* ... rounds whose rows were not the ones committed */
    STRESS_STOP,         /* STRESS_WORK_* set by the campaign: those end after their round */
    STRESS_SLOTS
};
uint64_t stress_slot_get(int fd, enum stress_slot slot);
bool stress_slot_set(int fd, enum stress_slot slot, uint64_t value);

/* The workers a campaign runs besides its injector (the `work` list). */
#define STRESS_WORK_CONSOLE 1u /* stress work: timer, rtc, console records */
#define STRESS_WORK_FILES 2u   /* stress files: copy and verify on the disk */
#define STRESS_WORK_SQL 4u     /* stress sql: SQLite transactions on the disk */
#define STRESS_DIR "/stress"   /* on the disk: the files and the database */

/* The workload's PRNG is seeded with SEED ^ STRESS_WORK_SALT, so that its
 * stream differs from the injector's; tools/stress.py knows the salt. */
#define STRESS_WORK_SALT UINT64_C(0x5717e55c0ffee000)

/* A component of rs's list, found by name (its index does not change). */
typedef struct stress_target {
    const char *name;
    uint64_t index;
} stress_target_t;

/* What rs's list says of one component now. */
typedef struct stress_state {
    uint64_t state, faults, restarts;
} stress_state_t;

/* The memory that must not leak: rs's own and pm's; and vfs's tables
 * (proto/vfs.proto usage): processes, open files, pipes, waiters, replies,
 * which are sampled but not compared (stress_same_memory). */
typedef struct stress_memory {
    uint64_t rs_free, rs_free_slots, pm_free;
    uint64_t vfs[5];
} stress_memory_t;

/* report.c: the lines the campaign prints for tools/stress.py, in a
 * form rs's and the drivers' lines never take (see stress_line). */
void stress_line(const char *format, ...) __attribute__((format(printf, 1, 2)));
uint64_t stress_now_ns(void); /* CLOCK_MONOTONIC: the counter, no call */
bool stress_sleep_ns(uint64_t ns);

/* rs.c: rs's answers. */
bool stress_find_target(stress_target_t *t, const char *name);
bool stress_target_state(const stress_target_t *t, stress_state_t *out);
long stress_restart(const stress_target_t *t);
/* Where rs found the target when it injected (proto/rs.proto inject). */
typedef struct stress_injected {
    uint64_t pc;
    bool in_syscall;
    uint64_t target; /* what changed: RS_TARGET_* */
} stress_injected_t;
/* Inject `kind` into t delay_us from now (rs's clock), rs's choices seeded
 * with `seed`: rs's answer, once it has injected. */
long stress_inject(const stress_target_t *t, uint64_t kind, uint64_t delay_us, uint64_t seed,
                   stress_injected_t *where);
bool stress_memory(stress_memory_t *out);
bool stress_same_memory(const stress_memory_t *a, const stress_memory_t *b);
int stress_targets(const char *list, stress_target_t targets[STRESS_MAX_TARGETS]);

/* The commands; each returns main's status. */
int stress_campaign(uint64_t seed, uint64_t count, const char *kinds, const char *targets,
                    const char *workers);
int stress_restarts(uint64_t count, const char *targets);
int stress_work(uint64_t seed);
int stress_files(uint64_t seed);
int stress_sql(uint64_t seed);
int stress_soak(uint64_t seed, uint64_t minutes, const char *workers);
