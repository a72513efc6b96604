/* appbench: the application benchmarks, one source for Keel and Linux
 * (docs/benchmarks.md, "Application benchmarks").
 *
 *   appbench [--quick]
 *
 * Runs each program of the list below in turn as a child -- posix_spawn,
 * then waitpid -- and counts the instructions from just before the spawn
 * to just after the child is reaped: the whole run, loading the program
 * from the disk and its exit included. Around each run it prints
 *
 *   APPBENCH START <name>
 *   (the program's own output)
 *   APPBENCH RESULT <name> status=<exit status> counter=<n> [instructions=<n>]
 *                   [kernel=<n>] [programs=<n>]
 *
 * and at the end APPBENCH DONE, or APPBENCH FAILED after APPBENCH ERROR
 * lines (a run that could not start or did not exit with 0).
 *
 *   counter       nanoseconds of QEMU's virtual clock (CNTVCT_EL0): under
 *                 -icount shift=0 one per instruction while the CPU works,
 *                 and the host's real time while it idles;
 *   instructions  the PMU's instructions, everything on the CPU (not idle);
 *   kernel        those at EL1 (the kernel);
 *   programs      those at EL0 in programs: on Linux every process, on
 *                 Keel the threads below the servers' priorities (the
 *                 osapps kernel's split, benchsys.h), that is this
 *                 program and its child; Keel's servers are the rest.
 *
 * Keel's event counters have 32 bits: benchsys.c zeroes them before a
 * run and counts one wrap from their overflow flags, which the span's
 * virtual time bounds (a run of more than 2^33 ns whose counters wrapped
 * is an error: a run must stay below 8.5 billion instructions).
 *
 * The programs work on the disk, in DIR: on Keel the ext2 file system
 * vfs serves at /, on Linux (as /init) the same image mounted and made
 * the root (disk_up, benchsys.c), so both use the same paths; there
 * /bin/lua and /bin/speedtest1 are each system's own build of the same
 * sources (bench/linux/linux.mk, tools/mkbenchdisk.py).
 *
 * Calls: posix_spawn, waitpid, printf, mkdir; on Linux also the
 * disk's set-up (finit_module, mount, chroot), perf_event_open and
 * reboot. */
#include <errno.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchsys.h"

#define DIR "/bench"

extern char **environ;

typedef struct {
    const char *name;
    char *const *argv;       /* the full run */
    char *const *quick_argv; /* --quick: the smoke test's */
} app_t;

/* The Lua benchmark script (bench/os/lua/bench.lua, on the disk as
 * DIR/bench.lua) with its scale. */
static char *const lua_argv[] = { "/bin/lua", DIR "/bench.lua", "10", NULL };
static char *const lua_quick[] = { "/bin/lua", DIR "/bench.lua", "1", NULL };
/* SQLite's speedtest1 at a fixed size, its database a file on the disk;
 * --verify: it hashes every result and prints the hash. */
#define DB DIR "/speedtest1.db"
static char *const speedtest1_argv[] = { "/bin/speedtest1", "--size", "10", "--verify", DB, NULL };
static char *const speedtest1_quick[] = { "/bin/speedtest1", "--size", "1", "--verify", DB, NULL };

static const app_t apps[] = {
    { "lua", lua_argv, lua_quick },
    { "speedtest1", speedtest1_argv, speedtest1_quick },
};

static unsigned kinds; /* what insn_split_open found */

static void print_field(const char *name, unsigned kind, const uint64_t count[INSN_KINDS])
{
    if (kinds & (1u << kind)) {
        printf(" %s=%llu", name, (unsigned long long)count[kind]);
    }
}

/* One run of `app`: 0, or -1 after an error line. */
static int run_app(const app_t *app, int quick)
{
    char *const *argv = quick ? app->quick_argv : app->argv;
    printf("APPBENCH START %s\n", app->name);
    fflush(stdout);
    uint64_t hz = counter_frequency();
    uint64_t begin = counter();
    insn_split_start();
    pid_t child;
    int error = posix_spawn(&child, argv[0], NULL, NULL, argv, environ);
    if (error != 0) {
        bench_fail(argv[0], error);
        return -1;
    }
    int status = 0;
    pid_t done = waitpid(child, &status, 0);
    uint64_t ticks = counter() - begin;
    uint64_t count[INSN_KINDS] = { 0, 0, 0 };
    if (done != child) {
        bench_fail("waitpid", errno);
        return -1;
    }
    uint64_t span_ns = per_operation(ticks, 1, hz);
    if (kinds != 0 && insn_split_end(span_ns, count) != 0) {
        return -1;
    }
    printf("APPBENCH RESULT %s status=%d counter=%llu", app->name, status,
           (unsigned long long)span_ns);
    print_field("instructions", INSN_TOTAL, count);
    print_field("kernel", INSN_KERNEL, count);
    print_field("programs", INSN_PROGRAMS, count);
    printf("\n");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("APPBENCH ERROR %s: wait status 0x%x\n", app->name, (unsigned)status);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    bench_tag = "APPBENCH";
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int failed = 0;
    kinds = insn_split_open();
    printf("APPBENCH COUNTERS %s%s%s\n", kinds & (1u << INSN_TOTAL) ? "instructions" : "none",
           kinds & (1u << INSN_KERNEL) ? ",kernel" : "",
           kinds & (1u << INSN_PROGRAMS) ? ",programs" : "");
    if (disk_up() != 0 || make_dir(DIR) != 0) {
        failed = 1;
    } else {
        for (unsigned i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
            failed |= run_app(&apps[i], quick) != 0;
        }
    }
    printf(failed ? "APPBENCH FAILED\n" : "APPBENCH DONE\n");
    power_off_if_init();
    return failed;
}
