/* The SQLite worker (stress.h): transactions on a database on the disk,
 * for ever, each by a run of /bin/sqlite3 (so each is also a program
 * started from the disk by pm). Round SEQ runs
 *
 *     BEGIN; INSERT INTO t VALUES(SEQ, 'CHECK'); COMMIT;
 *     SELECT count(*), max(n), sum(n) FROM t;
 *
 * and reads what sqlite3 prints (its stdout and stderr, through a pipe).
 * With no error the table must hold exactly the rows of every round that
 * committed: count one more than before, max SEQ and the sum of their
 * numbers. A round where sqlite3 reported an error, or did not end with
 * status 0, is an error the client saw (`s-error SEQ ...`); its insert
 * may have committed or not, so the next round that can count accepts
 * either. Rows that are neither (lost, doubled, or a sum that is off) are
 * `s-wrong SEQ ...`. The counts go to the progress file. */
#include "stress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <splitmix64.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATABASE STRESS_DIR "/camp.db"
#define OUTPUT_MAX 512
#define UNSURE_MAX 64  /* rounds whose commit is in doubt, kept until one counts */
#define SUBSETS_MAX 16 /* more in doubt: only bounds are checked */
/* Between rounds: idle time costs nothing under -icount sleep=off, and
 * the injections then come faster than the rounds (a round takes about a
 * second of guest time, most of it building sqlite3's process). */
#define PAUSE_NS 500000000u

extern char **environ;

/* What the rows must be: those of the rounds known committed, and those
 * of the rounds in doubt (any subset of them may be there). */
typedef struct ledger {
    uint64_t count, sum;
    uint64_t unsure[UNSURE_MAX]; /* the first UNSURE_MAX of them */
    unsigned nunsure;
} ledger_t;

/* Run sqlite3 on `sql`; its output (NUL-ended) and exit status. */
static int run_sqlite(const char *sql, char *out, size_t size, int *status)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        return -errno;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pipe_fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, pipe_fds[0]);
    char *argv[] = { "sqlite3", DATABASE, (char *)sql, NULL };
    pid_t pid;
    int error = posix_spawn(&pid, "/bin/sqlite3", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipe_fds[1]);
    size_t at = 0;
    for (ssize_t got = 1; error == 0 && got > 0;) {
        char spill[64]; /* beyond `size`: read and dropped */
        got = at + 1 < size ? read(pipe_fds[0], out + at, size - 1 - at)
                            : read(pipe_fds[0], spill, sizeof(spill));
        at += got > 0 && at + 1 < size ? (size_t)got : 0;
    }
    out[at] = '\0';
    close(pipe_fds[0]);
    if (error != 0) {
        return -error;
    }
    return waitpid(pid, status, 0) == pid ? 0 : -errno;
}

/* Do `count` rows summing to `sum` fit the ledger: the sure ones plus
 * some subset of the unsure? The subsets are tried when few are unsure;
 * past that, only the count and sum bounds. */
static bool fits(const ledger_t *l, uint64_t count, uint64_t sum)
{
    if (l->nunsure > SUBSETS_MAX) {
        return count >= l->count && count <= l->count + l->nunsure && sum >= l->sum;
    }
    for (uint32_t subset = 0; subset < (1u << l->nunsure); subset++) {
        uint64_t c = l->count, s = l->sum;
        for (unsigned i = 0; i < l->nunsure; i++) {
            if (subset & (1u << i)) {
                c++;
                s += l->unsure[i];
            }
        }
        if (c == count && s == sum) {
            return true;
        }
    }
    return false;
}

static void settle(ledger_t *l, uint64_t count, uint64_t sum)
{
    l->count = count;
    l->sum = sum;
    l->nunsure = 0;
}

/* One round: 0 right, -1 an error sqlite3 reported, 1 rows wrong. */
static int round_trip(ledger_t *l, uint64_t seq, uint64_t check)
{
    char sql[200], out[OUTPUT_MAX];
    snprintf(sql, sizeof(sql),
             "BEGIN; INSERT INTO t VALUES(%" PRIu64 ", '%08" PRIx64 "'); COMMIT; "
             "SELECT count(*), max(n), sum(n) FROM t;",
             seq, check);
    int status = 0;
    int error = run_sqlite(sql, out, sizeof(out), &status);
    uint64_t count = 0, max = 0, sum = 0;
    int end = 0;
    bool counted =
        sscanf(out, "%" SCNu64 "|%" SCNu64 "|%" SCNu64 "\n%n", &count, &max, &sum, &end) == 3 &&
        out[end] == '\0';
    bool clean = error == 0 && status == 0 && counted;
    if (clean && max == seq && count > 0 && sum >= seq && fits(l, count - 1, sum - seq)) {
        settle(l, count, sum); /* the rounds in doubt, if any, are settled */
        return 0;
    }
    if (clean) {
        stress_line("s-wrong %" PRIu64 " rows %" PRIu64 " max %" PRIu64 " sum %" PRIu64
                    " after %" PRIu64 " rows sum %" PRIu64 " (%u unsure)",
                    seq, count, max, sum, l->count, l->sum, l->nunsure);
        settle(l, count, sum);
        return 1;
    }
    char *newline = strchr(out, '\n');
    if (newline != NULL) {
        *newline = '\0';
    }
    stress_line("s-error %" PRIu64 " spawn %d status %d: %.60s", seq, error, status, out);
    if (l->nunsure < UNSURE_MAX) {
        l->unsure[l->nunsure] = seq;
    }
    l->nunsure++; /* past UNSURE_MAX only counted: fits() then checks bounds */
    return -1;
}

int stress_sql(uint64_t seed)
{
    int fd = open(STRESS_PROGRESS_FILE, O_RDWR);
    char out[OUTPUT_MAX];
    int status = 0;
    if (fd < 0 || (mkdir(STRESS_DIR, 0755) != 0 && errno != EEXIST) ||
        (unlink(DATABASE) != 0 && errno != ENOENT) ||
        run_sqlite("CREATE TABLE t(n INTEGER PRIMARY KEY, v TEXT);", out, sizeof(out), &status) !=
            0 ||
        status != 0) {
        stress_line("s-error 0 setup %d status %d", errno, status);
        return 1;
    }
    uint64_t random = seed ^ STRESS_WORK_SALT ^ STRESS_WORK_SQL;
    ledger_t ledger = { 0 };
    uint64_t errors = 0, wrong = 0;
    for (uint64_t seq = 1; !(stress_slot_get(fd, STRESS_STOP) & STRESS_WORK_SQL); seq++) {
        int outcome = round_trip(&ledger, seq, splitmix64_next(&random) & 0xffffffffu);
        if (outcome < 0) {
            (void)stress_slot_set(fd, STRESS_SQL_ERRORS, ++errors);
        } else if (outcome > 0) {
            (void)stress_slot_set(fd, STRESS_SQL_WRONG, ++wrong);
        }
        (void)stress_slot_set(fd, STRESS_SQL, seq);
        (void)stress_sleep_ns(PAUSE_NS);
    }
    return 0;
}
