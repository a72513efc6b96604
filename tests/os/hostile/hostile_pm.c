/* /bin/hostile's requests to pm (proto/pm.proto): for each method, the
 * ways it must be refused and the errno pm.proto names for each. Never
 * sent (they would succeed and change something, or block): a valid
 * spawn, exit, kill of itself or its group, sbrk that fits, setpgid of
 * itself into its own group, signal, halt; waitpid only where it has no child (ECHILD at
 * once, WNOHANG or not). */
#include "hostile.h"

#include <errno.h>
#include <keel/proto/pm_defs.h>
#include <string.h>

const method_t pm_methods[] = {
    { PM_SPAWN, 9 },   { PM_EXIT, 1 },      { PM_WAITPID, 2 },  { PM_KILL, 2 },
    { PM_GETPID, 0 },  { PM_GETPPID, 0 },   { PM_SBRK, 1 },     { PM_PROCINFO, 1 },
    { PM_MEMINFO, 0 }, { PM_NANOSLEEP, 1 }, { PM_BOOTTIME, 0 }, { PM_SETPGID, 2 },
    { PM_GETPGID, 1 }, { PM_SIGNAL, 2 },    { PM_HALT, 0 },     { PM_FAULTINFO, 1 },
};
const size_t pm_nmethods = sizeof(pm_methods) / sizeof(pm_methods[0]);

#define SBRK_MAX (INT64_C(1) << 30)
#define QUOTA (INT64_C(64) << 20) /* a process's most memory (pm.h): no heap is larger */
#define SIGKILL 9
#define SIGSTOP 17 /* picolibc's */
#define FD_MAX 63

static void exit_request(hostile_t *h, request_t *r)
{
    r->mr[0] = (seL4_Word)bad_i64(h, 0, 255);
    request_set(r, PM_EXIT, 1, "exit: status out of range", -EINVAL);
}

static void waitpid_request(hostile_t *h, request_t *r)
{
    switch (rng_below(h, 3)) {
    case 0:
        r->mr[0] = (seL4_Word)bad_i64(h, -1, PM_PID_MAX);
        r->mr[1] = rng_below(h, 2);
        request_set(r, PM_WAITPID, 2, "waitpid: pid out of range", -EINVAL);
        break;
    case 1:
        r->mr[0] = (seL4_Word)rng_range(h, -1, PM_PID_MAX);
        r->mr[1] = rng_next(h) | 2;
        request_set(r, PM_WAITPID, 2, "waitpid: unknown options", -EINVAL);
        break;
    default:
        r->mr[0] = (seL4_Word)rng_range(h, -1, PM_PID_MAX);
        r->mr[1] = rng_below(h, 2);
        request_set(r, PM_WAITPID, 2, "waitpid without children", -ECHILD);
        break;
    }
}

/* A process (or, as_group, a group) that is alive, not itself and not in
 * its group: the caller may not signal it. 0 if there is none. */
static int64_t stranger(const hostile_t *h, bool as_group)
{
    for (unsigned i = 0; i < h->live; i++) {
        if (h->live_pid[i] != h->pid && h->live_pgid[i] != h->pgid && !h->live_zombie[i]) {
            return as_group ? h->live_pgid[i] : h->live_pid[i];
        }
    }
    return 0;
}

static void kill_request(hostile_t *h, request_t *r)
{
    r->mr[1] = (seL4_Word)rng_range(h, 0, PM_SIG_MAX);
    int64_t target;
    switch (rng_below(h, 5)) {
    case 0:
        r->mr[0] = (seL4_Word)absent_pid(h);
        request_set(r, PM_KILL, 2, "kill: no such process", -ESRCH);
        break;
    case 1:
        r->mr[0] = (seL4_Word)-absent_group(h);
        request_set(r, PM_KILL, 2, "kill: no such group", -ESRCH);
        break;
    case 2:
        target = stranger(h, rng_one_in(h, 2));
        r->mr[0] = (seL4_Word)(rng_one_in(h, 2) ? target : -target);
        request_set(r, PM_KILL, 2, "kill: not its child or group", target != 0 ? -EPERM : -EINVAL);
        if (target == 0) {
            r->mr[1] = (seL4_Word)bad_i64(h, 0, PM_SIG_MAX);
        }
        break;
    case 3:
        r->mr[0] = (seL4_Word)absent_pid(h);
        r->mr[1] = (seL4_Word)bad_i64(h, 0, PM_SIG_MAX);
        request_set(r, PM_KILL, 2, "kill: signal out of range", -EINVAL);
        break;
    default:
        r->mr[0] = (seL4_Word)bad_i64(h, -PM_PID_MAX, PM_PID_MAX);
        request_set(r, PM_KILL, 2, "kill: pid out of range", -EINVAL);
        break;
    }
}

static void sbrk_request(hostile_t *h, request_t *r)
{
    switch (rng_below(h, 3)) {
    case 0:
        r->mr[0] = (seL4_Word)bad_i64(h, -SBRK_MAX, SBRK_MAX);
        request_set(r, PM_SBRK, 1, "sbrk: increment out of range", -EINVAL);
        break;
    case 1:
        r->mr[0] = (seL4_Word)rng_range(h, -SBRK_MAX, -QUOTA - 1);
        request_set(r, PM_SBRK, 1, "sbrk: below the heap's start", -EINVAL);
        break;
    default:
        r->mr[0] = (seL4_Word)rng_range(h, QUOTA, SBRK_MAX);
        request_set(r, PM_SBRK, 1, "sbrk: past the quota", -ENOMEM);
        break;
    }
}

static void pid_request(hostile_t *h, request_t *r)
{
    switch (rng_below(h, 5)) {
    case 0:
        r->mr[0] = (seL4_Word)bad_i64(h, 1, PM_PID_MAX);
        request_set(r, PM_PROCINFO, 1, "procinfo: pid out of range", -EINVAL);
        break;
    case 1:
        r->mr[0] = (seL4_Word)bad_i64(h, 0, PM_PID_MAX);
        request_set(r, PM_GETPGID, 1, "getpgid: pid out of range", -EINVAL);
        break;
    case 2:
        r->mr[0] = (seL4_Word)absent_pid(h);
        request_set(r, PM_GETPGID, 1, "getpgid: no such process", -ESRCH);
        break;
    case 3:
        r->mr[0] = (seL4_Word)bad_i64(h, 1, PM_PID_MAX);
        request_set(r, PM_FAULTINFO, 1, "faultinfo: pid out of range", -EINVAL);
        break;
    default:
        r->mr[0] = bad_u64_above(h, PM_SLEEP_MAX);
        request_set(r, PM_NANOSLEEP, 1, "nanosleep: ns out of range", -EINVAL);
        break;
    }
}

static void setpgid_request(hostile_t *h, request_t *r)
{
    r->mr[1] = (seL4_Word)rng_range(h, 0, PM_PID_MAX);
    int64_t target;
    switch (rng_below(h, 5)) {
    case 0:
        r->mr[0] = (seL4_Word)bad_i64(h, 0, PM_PID_MAX);
        request_set(r, PM_SETPGID, 2, "setpgid: pid out of range", -EINVAL);
        break;
    case 1:
        r->mr[0] = (seL4_Word)rng_range(h, 0, PM_PID_MAX);
        r->mr[1] = (seL4_Word)bad_i64(h, 0, PM_PID_MAX);
        request_set(r, PM_SETPGID, 2, "setpgid: group out of range", -EINVAL);
        break;
    case 2:
        r->mr[0] = (seL4_Word)absent_pid(h);
        request_set(r, PM_SETPGID, 2, "setpgid: no such process", -ESRCH);
        break;
    case 3:
        target = stranger(h, false);
        r->mr[0] = (seL4_Word)(target != 0 ? target : absent_pid(h));
        request_set(r, PM_SETPGID, 2, "setpgid: not itself or its child",
                    target != 0 ? -EPERM : -ESRCH);
        break;
    default:
        target = stranger(h, true);
        r->mr[0] = (seL4_Word)(rng_one_in(h, 2) ? 0 : h->pid);
        r->mr[1] = (seL4_Word)(target != 0 && rng_one_in(h, 2) ? target : absent_group(h));
        request_set(r, PM_SETPGID, 2, "setpgid: into a stranger's group", -EPERM);
        break;
    }
}

static void signal_request(hostile_t *h, request_t *r)
{
    switch (rng_below(h, 3)) {
    case 0:
        r->mr[0] = (seL4_Word)bad_i64(h, 1, PM_SIG_MAX);
        r->mr[1] = rng_below(h, 2);
        request_set(r, PM_SIGNAL, 2, "signal: number out of range", -EINVAL);
        break;
    case 1:
        r->mr[0] = rng_one_in(h, 2) ? SIGKILL : SIGSTOP;
        r->mr[1] = rng_below(h, 2);
        request_set(r, PM_SIGNAL, 2, "signal: SIGKILL or SIGSTOP", -EINVAL);
        break;
    default:
        r->mr[0] = (seL4_Word)rng_range(h, 1, PM_SIG_MAX);
        r->mr[1] = bad_u64_above(h, 1);
        request_set(r, PM_SIGNAL, 2, "signal: unknown disposition", -EINVAL);
        break;
    }
}

/* Where a spawn's arguments go in the window. */
enum { AT_PATH = 0, AT_ARGV = 8192, AT_ENVP = 16384 + 8192, AT_FDMAP = 30720 };

/* A spawn of /bin/true that would succeed: argv "true", no environment,
 * descriptors 0..2 as the caller's, the caller's group. */
static void good_spawn(hostile_t *h, request_t *r)
{
    put_path(h, r, 0, AT_PATH, "/bin/true");
    memcpy(h->window + AT_ARGV, "true", 5);
    r->mr[2] = AT_ARGV;
    r->mr[3] = 5;
    r->mr[4] = AT_ENVP;
    r->mr[5] = 0;
    int32_t map[3] = { 0, 1, 2 };
    memcpy(h->window + AT_FDMAP, map, sizeof(map));
    r->mr[6] = AT_FDMAP;
    r->mr[7] = sizeof(map);
    r->mr[8] = (seL4_Word)-1;
    request_set(r, PM_SPAWN, 9, "", 0);
}

/* argv or envp (at `at`, in mr[i], mr[i + 1]) whose last string has no
 * NUL. */
static void put_unterminated(hostile_t *h, request_t *r, unsigned i, size_t at)
{
    size_t n = 1 + rng_below(h, 100);
    for (size_t j = 0; j < n; j++) {
        h->window[at + j] = (unsigned char)(rng_one_in(h, 4) ? 0 : 'a' + rng_below(h, 26));
    }
    h->window[at + n - 1] = 'z';
    r->mr[i] = at;
    r->mr[i + 1] = n;
}

/* Faults that the vfs side of a spawn finds, after pm built the child:
 * a descriptor map entry out of range, or a map of a length that is not
 * a whole number of entries. pm must take the child down again. */
static void bad_fdmap(hostile_t *h, request_t *r)
{
    if (rng_one_in(h, 2)) {
        int32_t entry = (int32_t)(rng_one_in(h, 2) ? rng_range(h, FD_MAX + 1, INT32_MAX)
                                                   : rng_range(h, INT32_MIN, -2));
        size_t n = 1 + rng_below(h, 64);
        size_t k = rng_below(h, n);
        memcpy(h->window + AT_FDMAP + 4 * k, &entry, 4);
        r->mr[7] = 4 * n;
        r->what = "spawn: a descriptor map entry out of range";
    } else {
        uint64_t length = rng_one_in(h, 2) ? 1 + rng_below(h, 3) : 1 + rng_below(h, 255);
        r->mr[7] = length % 4 != 0 ? length : length + 1;
        r->what = "spawn: a descriptor map of a partial entry";
    }
    r->expect = -EINVAL;
}

/* argv, envp or the descriptor map outside the window or of a length the
 * method does not take. */
static void bad_arguments(hostile_t *h, request_t *r)
{
    switch (rng_below(h, 3)) {
    case 0:
        put_bad_buffer(h, r, 2, 1, PM_ARG_MAX);
        break;
    case 1:
        put_bad_buffer(h, r, 4, 0, PM_ARG_MAX);
        break;
    default:
        put_bad_buffer(h, r, 6, 0, PM_FDMAP_BYTES);
        break;
    }
    request_set(r, PM_SPAWN, 9, "spawn: argv, envp or fdmap outside the window", -EINVAL);
}

/* More argument strings than the start page holds. */
static void too_many_args(hostile_t *h, request_t *r)
{
    size_t n = 300 + rng_below(h, 200);
    for (size_t j = 0; j < n; j++) {
        h->window[AT_ARGV + 2 * j] = 'a';
        h->window[AT_ARGV + 2 * j + 1] = '\0';
    }
    r->mr[3] = 2 * n;
    r->what = "spawn: more arguments than the start page holds";
    r->expect = -E2BIG;
}

static void spawn_request(hostile_t *h, request_t *r)
{
    good_spawn(h, r);
    long e;
    switch (rng_below(h, 10)) {
    case 0:
        e = put_bad_path(h, r, 0, AT_PATH);
        request_set(r, PM_SPAWN, 9, "spawn: a bad path", e); /* vfs resolves it for pm */
        break;
    case 1:
        put_path(h, r, 0, AT_PATH, "/bin/hostile.none");
        request_set(r, PM_SPAWN, 9, "spawn: no such program", -ENOENT);
        break;
    case 2:
        bad_arguments(h, r);
        break;
    case 3:
        r->mr[8] = (seL4_Word)bad_i64(h, -1, PM_PID_MAX);
        request_set(r, PM_SPAWN, 9, "spawn: group out of range", -EINVAL);
        break;
    case 4:
        r->mr[8] = (seL4_Word)(stranger(h, true) != 0 && rng_one_in(h, 2) ? stranger(h, true)
                                                                          : absent_group(h));
        request_set(r, PM_SPAWN, 9, "spawn: into a stranger's group or nobody's", -EPERM);
        break;
    case 5:
        put_unterminated(h, r, rng_one_in(h, 2) ? 2 : 4, rng_one_in(h, 2) ? AT_ARGV : AT_ENVP);
        request_set(r, PM_SPAWN, 9, "spawn: argv or envp without its last NUL", -EINVAL);
        break;
    case 6:
        r->mr[7] = PM_FDMAP_BYTES + 4 * (1 + rng_below(h, 8));
        request_set(r, PM_SPAWN, 9, "spawn: a descriptor map too long", -EINVAL);
        break;
    case 7:
        too_many_args(h, r);
        break;
    default:
        bad_fdmap(h, r);
        break;
    }
}

void pm_request(hostile_t *h, request_t *r)
{
    switch (rng_below(h, 9)) {
    case 0:
        exit_request(h, r);
        break;
    case 1:
        waitpid_request(h, r);
        break;
    case 2:
        kill_request(h, r);
        break;
    case 3:
        sbrk_request(h, r);
        break;
    case 4:
        pid_request(h, r);
        break;
    case 5:
        setpgid_request(h, r);
        break;
    case 6:
        signal_request(h, r);
        break;
    default:
        spawn_request(h, r);
        break;
    }
}
