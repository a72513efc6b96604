/* osbench: operations of the OS timed in instructions, one source for Keel
 * and Linux (docs/benchmarks.md, "OS benchmarks").
 *
 *   osbench [--quick]   run every benchmark, print a result line each
 *   osbench --echo      the pipe benchmark's child: copy stdin to stdout a
 *                       byte at a time until end of file
 *
 * The counter is CNTVCT_EL0, the generic timer's virtual count, which both
 * kernels let EL0 read. Under QEMU's -icount shift=0 one instruction is one
 * nanosecond of virtual time, so the counter advances 1e9 / CNTFRQ_EL0
 * instructions per tick (16 at QEMU's 62.5 MHz). One tick is too coarse for
 * one operation, so each sample times a batch of operations and divides; a
 * benchmark's figure is the median of its batches (an interrupt landing in
 * a batch makes that batch an outlier, not the median). Without -icount the
 * figures are nanoseconds, meaningless but harmless (the smoke test).
 *
 * Calls: getpid, pipe, read, write, close, posix_spawn (with file actions),
 * waitpid, printf; on Linux also fork, _exit and reboot (as /init it powers
 * the machine off at the end). */
#include <errno.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/reboot.h>
#define OSBENCH_HAVE_FORK 1
#else
#define OSBENCH_HAVE_FORK 0
#endif

/* The program spawn+exit+wait starts: main returns 0 (bench/os/exit.c). */
#define EXIT_HELPER "/bin/osbench-exit"
#define MAX_BATCHES 64

extern char **environ;

typedef struct {
    const char *name;
    unsigned ops;     /* operations per batch */
    unsigned batches; /* batches measured, after one discarded warm-up batch */
    int (*start)(void);
    int (*batch)(unsigned ops);
    void (*stop)(void);
} benchmark_t;

static const char *self_path; /* argv[0]: the pipe child is this program */

static inline uint64_t counter(void)
{
    uint64_t value;
    /* isb: the read may not be taken before earlier instructions complete. */
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(value) : : "memory");
    return value;
}

static uint64_t counter_frequency(void)
{
    uint64_t hz;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    return hz;
}

/* Ticks of a batch of `ops` operations -> nanoseconds (= instructions under
 * -icount shift=0) per operation, rounded to nearest. */
static uint64_t per_operation(uint64_t ticks, unsigned ops, uint64_t hz)
{
    uint64_t divisor = hz * ops;
    return (ticks * 1000000000u + divisor / 2) / divisor;
}

static void fail(const char *what, int error)
{
    printf("OSBENCH ERROR %s: %s\n", what, strerror(error));
}

/* --- getpid: a round trip to the server (Keel: pm) or the kernel. A
 * batch makes exactly `ops` calls (tools/osprofile.py divides by them). */

static pid_t own_pid;

static int getpid_start(void)
{
    own_pid = getpid();
    return 0;
}

static int getpid_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        if (getpid() != own_pid) {
            fail("getpid", EINVAL);
            return -1;
        }
    }
    return 0;
}

/* --- pipe round trip: one byte to the child over one pipe, back over the
 * other. The child is this program with --echo, its stdin and stdout the
 * pipes' ends (the other ends closed in it, so that it sees end of file). */

static struct {
    int to_child;   /* our write end */
    int from_child; /* our read end */
    pid_t child;
} echo;

static int add_echo_actions(posix_spawn_file_actions_t *fa, const int down[2], const int up[2])
{
    int error = posix_spawn_file_actions_adddup2(fa, down[0], 0);
    if (error == 0) {
        error = posix_spawn_file_actions_adddup2(fa, up[1], 1);
    }
    const int ends[4] = { down[0], down[1], up[0], up[1] };
    for (int i = 0; i < 4 && error == 0; i++) {
        error = posix_spawn_file_actions_addclose(fa, ends[i]);
    }
    return error;
}

static int spawn_echo(const int down[2], const int up[2])
{
    posix_spawn_file_actions_t fa;
    int error = posix_spawn_file_actions_init(&fa);
    if (error != 0) {
        return error;
    }
    error = add_echo_actions(&fa, down, up);
    if (error == 0) {
        char *argv[] = { (char *)self_path, "--echo", NULL };
        error = posix_spawn(&echo.child, self_path, &fa, NULL, argv, environ);
    }
    posix_spawn_file_actions_destroy(&fa);
    return error;
}

static int pipe_start(void)
{
    int down[2], up[2];
    if (pipe(down) != 0) {
        fail("pipe", errno);
        return -1;
    }
    if (pipe(up) != 0) {
        fail("pipe", errno);
        close(down[0]);
        close(down[1]);
        return -1;
    }
    int error = spawn_echo(down, up);
    close(down[0]);
    close(up[1]);
    echo.to_child = down[1];
    echo.from_child = up[0];
    if (error != 0) {
        fail("posix_spawn of the echo child", error);
        close(echo.to_child);
        close(echo.from_child);
        return -1;
    }
    return 0;
}

static int pipe_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        char byte = (char)i;
        char back = 0;
        if (write(echo.to_child, &byte, 1) != 1) {
            fail("pipe write", errno);
            return -1;
        }
        ssize_t n = read(echo.from_child, &back, 1);
        if (n != 1 || back != byte) {
            /* end of file or the wrong byte: the child is not echoing */
            fail("pipe read", n < 0 ? errno : EIO);
            return -1;
        }
    }
    return 0;
}

static void pipe_stop(void)
{
    close(echo.to_child); /* the child reads end of file and exits */
    int status = 0;
    if (waitpid(echo.child, &status, 0) != echo.child) {
        fail("waitpid of the echo child", errno);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("OSBENCH ERROR echo child: wait status 0x%x\n", (unsigned)status);
    }
    close(echo.from_child);
}

static int echo_main(void)
{
    char byte;
    ssize_t n;
    while ((n = read(0, &byte, 1)) == 1) {
        if (write(1, &byte, 1) != 1) {
            return 1;
        }
    }
    return n == 0 ? 0 : 1;
}

/* --- spawn+exit+wait of the exit helper; fork+exit+wait (Linux). */

static int reap(pid_t child, const char *what)
{
    int status = 0;
    if (waitpid(child, &status, 0) != child) {
        fail(what, errno);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("OSBENCH ERROR %s: wait status 0x%x\n", what, (unsigned)status);
        return -1;
    }
    return 0;
}

static int spawn_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        char *argv[] = { EXIT_HELPER, NULL };
        pid_t child;
        int error = posix_spawn(&child, EXIT_HELPER, NULL, NULL, argv, environ);
        if (error != 0) {
            fail("posix_spawn " EXIT_HELPER, error);
            return -1;
        }
        if (reap(child, "waitpid after posix_spawn") != 0) {
            return -1;
        }
    }
    return 0;
}

#if OSBENCH_HAVE_FORK
static int fork_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        pid_t child = fork();
        if (child < 0) {
            fail("fork", errno);
            return -1;
        }
        if (child == 0) {
            _exit(0);
        }
        if (reap(child, "waitpid after fork") != 0) {
            return -1;
        }
    }
    return 0;
}
#endif

/* --- running and reporting */

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* measure and report stay functions of their own (noinline) so that
 * tools/osprofile.py, which names a phase after the function of this file
 * that ran last, sees the batches end before the result is printed. */
#define PHASE __attribute__((noinline))

/* One discarded warm-up batch, then `batches` timed ones: 0 with
 * samples[] filled (instructions per operation), or -1. */
static PHASE int measure(const benchmark_t *b, uint64_t *samples, uint64_t hz)
{
    if (b->batch(b->ops) != 0) {
        return -1;
    }
    for (unsigned i = 0; i < b->batches; i++) {
        uint64_t start = counter();
        int result = b->batch(b->ops);
        uint64_t end = counter();
        if (result != 0) {
            return -1;
        }
        samples[i] = per_operation(end - start, b->ops, hz);
    }
    return 0;
}

static PHASE void report(const char *name, uint64_t *samples, unsigned batches)
{
    qsort(samples, batches, sizeof(samples[0]), compare_u64);
    printf("OSBENCH RESULT %s median=%llu min=%llu max=%llu n=%u\n", name,
           (unsigned long long)samples[(batches - 1) / 2], (unsigned long long)samples[0],
           (unsigned long long)samples[batches - 1], batches);
}

static int run(const benchmark_t *b, uint64_t hz)
{
    uint64_t samples[MAX_BATCHES];
    if (b->start != NULL && b->start() != 0) {
        return -1;
    }
    int result = measure(b, samples, hz);
    if (b->stop != NULL) {
        b->stop();
    }
    if (result != 0) {
        return -1;
    }
    report(b->name, samples, b->batches);
    return 0;
}

static void not_available(const char *name)
{
    printf("OSBENCH NA %s\n", name);
}

static int run_all(int quick)
{
    /* Batches stay well under a timer tick (Keel 2 ms, Linux 4 ms: 2-4
     * million instructions), so most batches see no interrupt. */
    const benchmark_t benchmarks[] = {
        { "getpid", 256, 31, getpid_start, getpid_batch, NULL },
        { "pipe_roundtrip", 64, 31, pipe_start, pipe_batch, pipe_stop },
        { "spawn_exit_wait", 4, 15, NULL, spawn_batch, NULL },
#if OSBENCH_HAVE_FORK
        { "fork_exit_wait", 4, 15, NULL, fork_batch, NULL },
#endif
    };
    uint64_t hz = counter_frequency();
    int failed = 0;
    printf("OSBENCH START counter %llu Hz\n", (unsigned long long)hz);
    for (size_t i = 0; i < sizeof(benchmarks) / sizeof(benchmarks[0]); i++) {
        benchmark_t b = benchmarks[i];
        if (quick) {
            b.ops = 2;
            b.batches = 3;
        }
        if (run(&b, hz) != 0) {
            failed = 1;
        }
    }
    if (!OSBENCH_HAVE_FORK) {
        not_available("fork_exit_wait");
    }
    printf(failed ? "OSBENCH FAILED\n" : "OSBENCH DONE\n");
    return failed;
}

/* As Linux's /init (pid 1) there is nobody to return to: power off. */
static void power_off_if_init(void)
{
#ifdef __linux__
    if (getpid() == 1) {
        fflush(stdout);
        reboot(RB_POWER_OFF);
    }
#endif
}

int main(int argc, char **argv)
{
    self_path = argc > 0 ? argv[0] : "osbench";
    if (argc > 1 && strcmp(argv[1], "--echo") == 0) {
        return echo_main();
    }
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int status = run_all(quick);
    power_off_if_init();
    return status;
}
