/* pm's test program (tests/os/pmtest): pm's first program in the test
 * system. As pid 1 it checks spawn, waitpid, exit status, argv and envp,
 * kill and its errors, a faulting child, sbrk, hostile requests, and 1,000
 * spawns without a leak, printing each result on the early console; run
 * with an argument it is the child each check spawns. */
#include <errno.h>
#include <keel/os/startinfo.h>
#include <keel/proto/pm.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPAWNS 1000

static int failures;

static void check(int ok, const char *what)
{
    printf("pmtest: %s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

static seL4_CPtr pm_cap(void)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    const keel_startcap_t *pm = keel_startinfo_find(si, "pm");
    return pm != NULL ? pm->cptr : 0;
}

/* --- the children -------------------------------------------------------- */

static int child_args(int argc, char **argv)
{
    const char *home = getenv("HOME");
    return argc == 4 && strcmp(argv[2], "two words") == 0 && strcmp(argv[3], "") == 0 &&
                   home != NULL && strcmp(home, "/home") == 0 && getppid() == 1
               ? 0
               : 1;
}

static int child_sbrk(void)
{
    char *small = malloc(100);
    char *big = malloc(200 * 1024);
    if (small == NULL || big == NULL) {
        return 1;
    }
    memset(big, 0x5a, 200 * 1024);
    void *old = sbrk(0);
    errno = 0;
    void *huge = sbrk(1 << 30);
    return big[200 * 1024 - 1] == 0x5a && huge == (void *)-1 && errno == ENOMEM && sbrk(0) == old
               ? 0
               : 2;
}

static int child(int argc, char **argv)
{
    const char *mode = argv[1];
    if (strcmp(mode, "exit") == 0) {
        return atoi(argv[2]);
    }
    if (strcmp(mode, "args") == 0) {
        return child_args(argc, argv);
    }
    if (strcmp(mode, "fault") == 0) {
        *(volatile int *)0xdead0000 = 1;
        return 0;
    }
    if (strcmp(mode, "spin") == 0) {
        for (;;) {
            seL4_Yield();
        }
    }
    if (strcmp(mode, "sbrk") == 0) {
        return child_sbrk();
    }
    return 100;
}

/* --- the checks of pid 1 --------------------------------------------------- */

static pid_t spawn(char *const argv[], char *const envp[])
{
    pid_t pid = -1;
    int error = posix_spawn(&pid, "/bin/pmtest", NULL, NULL, argv, envp);
    return error == 0 ? pid : -error;
}

static int wait_for(pid_t pid)
{
    int status = -1;
    pid_t got = waitpid(pid, &status, 0);
    return got == pid ? status : -1;
}

static void check_exit(void)
{
    char *argv[] = { "pmtest", "exit", "7", NULL };
    pid_t pid = spawn(argv, NULL);
    int status = wait_for(pid);
    check(pid > 1 && WIFEXITED(status) && WEXITSTATUS(status) == 7,
          "spawn, exit 7, waitpid: exited with status 7");
    check(waitpid(pid, &status, 0) == -1 && errno == ECHILD, "waitpid again: ECHILD");
}

static void check_args(void)
{
    char *argv[] = { "pmtest", "args", "two words", "", NULL };
    char *envp[] = { "HOME=/home", "TERM=vt100", NULL };
    int status = wait_for(spawn(argv, envp));
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "argv, envp and getppid arrive");
}

static void check_kill(void)
{
    char *argv[] = { "pmtest", "spin", NULL };
    pid_t pid = spawn(argv, NULL);
    int status = 0;
    check(pid > 0 && waitpid(pid, &status, WNOHANG) == 0, "waitpid WNOHANG of a running child: 0");
    check(kill(pid, 0) == 0, "kill sig 0 of a child: 0");
    check(kill(pid, SIGCHLD) == 0 && waitpid(pid, &status, WNOHANG) == 0,
          "SIGCHLD is dropped by default");
    check(kill(pid, SIGURG) == 0 && kill(pid, SIGCONT) == 0 && kill(pid, SIGWINCH) == 0 &&
              waitpid(pid, &status, WNOHANG) == 0,
          "SIGURG, SIGCONT, SIGWINCH (picolibc numbers) are dropped by default");
    check(kill(pid, SIGTERM) == 0, "kill SIGTERM: 0");
    status = wait_for(pid);
    check(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "the child ended by SIGTERM");
    check(kill(pid, SIGTERM) == -1 && errno == ESRCH, "kill of a reaped pid: ESRCH");
    check(kill(-30000, SIGTERM) == -1 && errno == ESRCH, "kill of a group nobody has: ESRCH");
    check(signal(SIGKILL, SIG_IGN) == SIG_ERR && errno == EINVAL, "ignore SIGKILL: EINVAL");
    check(signal(SIGCONT, SIG_IGN) == SIG_DFL && signal(SIGCONT, SIG_DFL) == SIG_IGN,
          "ignore SIGCONT, then default again");
    check(setpgid(0, 0) == 0 && getpgrp() == getpid() && getpgid(0) == getpid(),
          "setpgid(0, 0), getpgrp, getpgid: the caller leads its group");
    check(getpgid(100000) == -1 && errno == ESRCH, "getpgid of a pid past the range of pm: ESRCH");
}

static void check_fault(void)
{
    char *argv[] = { "pmtest", "fault", NULL };
    pid_t pid = spawn(argv, NULL);
    int status = wait_for(pid);
    check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "a faulting child: SIGSEGV");
    uint64_t addr = 0, pc = 0, kind = 0;
    long r = pm_faultinfo(pm_cap(), pid, &addr, &pc, &kind);
    printf("pmtest: faultinfo: segmentation fault at 0x%lx (pid %d), pc 0x%lx, kind %lu\n",
           (unsigned long)addr, (int)pid, (unsigned long)pc, (unsigned long)kind);
    check(r == 0 && addr == 0xdead0000 && kind == 5, "faultinfo of the reaped child");
    check(pm_faultinfo(pm_cap(), 1, &addr, &pc, &kind) == -ESRCH, "faultinfo of pid 1: ESRCH");
}

static void check_sbrk(void)
{
    char *argv[] = { "pmtest", "sbrk", NULL };
    int status = wait_for(spawn(argv, NULL));
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sbrk: heap pages, huge sbrk ENOMEM");
}

static void check_hostile(void)
{
    seL4_CPtr pm = pm_cap();
    check(pm_spawn(pm, 1u << 30, 5, 0, 8, 0, 0, 0, 0, -1) == -EINVAL,
          "spawn with the path outside the window: EINVAL");
    check(pm_kill(pm, 1, 99) == -EINVAL, "kill with signal 99: EINVAL");
    check(pm_waitpid(pm, 12345, 0, NULL) == -ECHILD, "waitpid of a stranger: ECHILD");
    check(pm_getpgid(pm, 30000) == -ESRCH, "getpgid of no process: ESRCH");
    check(pm_nanosleep(pm, 1000) == -ENOSYS, "nanosleep without a timer: ENOSYS");
    char *argv[] = { "pmtest", NULL };
    pid_t pid = -1;
    check(posix_spawn(&pid, "/bin/nothere", NULL, NULL, argv, NULL) == ENOENT,
          "spawn of a missing program: ENOENT");
    check(posix_spawn(&pid, "/etc/pmtest", NULL, NULL, argv, NULL) == ENOENT,
          "spawn outside /bin: ENOENT");
}

static void check_no_leak(void)
{
    seL4_CPtr pm = pm_cap();
    uint64_t total = 0, before = 0, after = 0;
    pm_meminfo(pm, &total, &before, NULL, NULL);
    char *argv[] = { "pmtest", "exit", "3", NULL };
    int good = 0;
    for (int i = 0; i < SPAWNS; i++) {
        int status = wait_for(spawn(argv, NULL));
        good += WIFEXITED(status) && WEXITSTATUS(status) == 3;
    }
    pm_meminfo(pm, &total, &after, NULL, NULL);
    printf("pmtest: %d of %d spawns exited with status 3; free %lu KiB of %lu before, %lu after\n",
           good, SPAWNS, (unsigned long)(before >> 10), (unsigned long)(total >> 10),
           (unsigned long)(after >> 10));
    check(good == SPAWNS && before == after, "1000 spawns without a leak");
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        return child(argc, argv);
    }
    check(getpid() == 1 && getppid() == 0, "getpid 1, getppid 0");
    check_exit();
    check_args();
    check_kill();
    check_fault();
    check_sbrk();
    check_hostile();
    check_no_leak();
    printf("pmtest: %s (%d failed)\n", failures == 0 ? "all checks passed" : "FAILED", failures);
    return failures;
}
