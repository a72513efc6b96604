/* The process: _exit, getpid, getppid, kill, waitpid, sbrk, signal,
 * raise -- pm calls. A component without pm (started by rs) exits by
 * suspending itself, and takes its heap from a "heap" region if rs gave it
 * one. */
#include "convert.h"
#include "libos.h"

#include <errno.h>
#include <keel/gen/invocations.h>
#include <keel/os/start.h>
#include <keel/os/startinfo.h>
#include <keel/proto/pm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Say how a process without pm ended, then tell its builder and stop. */
static __attribute__((noreturn)) void exit_without_pm(int status)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    char line[KEEL_NAME_MAX + 40];
    int n = snprintf(line, sizeof(line), "%.*s: exit status %d\n", KEEL_NAME_MAX - 1,
                     si->magic == KEEL_STARTINFO_MAGIC ? si->name : "?", status);
    libos_console_write(line, n > 0 && (size_t)n < sizeof(line) ? (size_t)n : 0);
    keel_os_exit(status);
}

void _exit(int status)
{
    seL4_CPtr pm = libos()->pm;
    if (pm != 0) {
        pm_exit(pm, status & 0xff); /* does not return unless pm refuses */
    }
    exit_without_pm(status & 0xff);
}

/* Without pm: the pid the start page gives (0 for a component). */
pid_t getpid(void)
{
    seL4_CPtr pm = libos()->pm;
    if (pm == 0) {
        return (pid_t)((const keel_startinfo_t *)KEEL_STARTINFO_VADDR)->pid;
    }
    return (pid_t)libos_result(pm_getpid(pm));
}

pid_t getppid(void)
{
    seL4_CPtr pm = libos()->pm;
    return pm != 0 ? (pid_t)libos_result(pm_getppid(pm)) : 0;
}

/* Process groups (pm.proto's setpgid and getpgid); a pid outside pm's
 * range is no process: ESRCH (the server would say EINVAL). */
int setpgid(pid_t pid, pid_t pgid)
{
    seL4_CPtr pm = libos_pm();
    if (pm == 0) {
        return -1;
    }
    if (pid < 0 || pgid < 0) {
        errno = EINVAL;
        return -1;
    }
    if (pid > PM_PID_MAX || pgid > PM_PID_MAX) {
        errno = pid > PM_PID_MAX ? ESRCH : EPERM;
        return -1;
    }
    return (int)libos_result(pm_setpgid(pm, pid, pgid));
}

pid_t getpgid(pid_t pid)
{
    seL4_CPtr pm = libos_pm();
    if (pm == 0) {
        return -1;
    }
    if (pid < 0 || pid > PM_PID_MAX) {
        errno = ESRCH;
        return -1;
    }
    return (pid_t)libos_result(pm_getpgid(pm, pid));
}

pid_t getpgrp(void)
{
    return getpgid(0);
}

/* Keel's own (the shell's crash report): the address of the fault that
 * ended pid, as pm kept it. */
int keel_fault_info(pid_t pid, uintptr_t *address)
{
    seL4_CPtr pm = libos_pm();
    uint64_t addr, pc, kind;
    if (pm == 0 || libos_result(pm_faultinfo(pm, pid, &addr, &pc, &kind)) < 0) {
        return -1;
    }
    *address = (uintptr_t)addr;
    return 0;
}

int kill(pid_t pid, int sig)
{
    seL4_CPtr pm = libos_pm();
    return pm != 0 ? (int)libos_result(pm_kill(pm, pid, sig)) : -1;
}

/* Only WNOHANG among the options; pid -1 and 0 both mean any child. */
pid_t waitpid(pid_t pid, int *status, int options)
{
    if ((options & ~WNOHANG) != 0) {
        errno = EINVAL;
        return -1;
    }
    seL4_CPtr pm = libos_pm();
    if (pm == 0) {
        return -1;
    }
    int64_t wire_status = 0;
    long r = pm_waitpid(pm, pid, (options & WNOHANG) != 0 ? PM_WNOHANG : 0, &wire_status);
    if (r > 0 && status != NULL) {
        *status = (int)wire_status;
    }
    return (pid_t)libos_result(r);
}

pid_t wait(int *status)
{
    return waitpid(-1, status, 0);
}

/* The break of a local heap (a "heap" region), or pm's. */
static uintptr_t local_break;

void *sbrk(ptrdiff_t increment)
{
    const libos_env_t *env = libos();
    if (env->heap_local) {
        uintptr_t current = local_break != 0 ? local_break : env->heap_start;
        if ((increment > 0 && (uintptr_t)increment > env->heap_end - current) ||
            (increment < 0 && (uintptr_t)-increment > current - env->heap_start)) {
            errno = ENOMEM;
            return (void *)-1;
        }
        local_break = current + (uintptr_t)increment;
        return (void *)current;
    }
    if (env->pm == 0) {
        errno = ENOMEM;
        return (void *)-1;
    }
    long r = pm_sbrk(env->pm, increment);
    if (r < 0) {
        errno = r == -EINVAL ? ENOMEM : (int)-r; /* an increment beyond the range */
        return (void *)-1;
    }
    return (void *)(uintptr_t)r;
}

/* Signals. pm applies the default action (end the process) or ignores a
 * signal sent by kill(); a handler function runs only for raise() in the
 * process itself -- pm has no way yet to interrupt a thread to run one,
 * so for a signal from elsewhere a handled signal takes the default
 * action (docs/posix.md). */
static _sig_func_ptr handlers[NSIG];

_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
    if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP) {
        errno = EINVAL;
        return SIG_ERR;
    }
    seL4_CPtr pm = libos()->pm;
    if (pm != 0) {
        uint64_t action = handler == SIG_IGN ? PM_SIG_IGNORE : PM_SIG_DEFAULT;
        long r = pm_signal(pm, sig, action);
        if (r < 0) {
            errno = (int)-r;
            return SIG_ERR;
        }
    }
    _sig_func_ptr old = handlers[sig];
    handlers[sig] = handler;
    return old;
}

int raise(int sig)
{
    if (sig <= 0 || sig >= NSIG) {
        errno = EINVAL;
        return -1;
    }
    _sig_func_ptr handler = handlers[sig];
    if (handler == SIG_IGN) {
        return 0;
    }
    if (handler != SIG_DFL && handler != SIG_ERR) {
        handlers[sig] = SIG_DFL; /* as ISO C allows: reset before the call */
        handler(sig);
        return 0;
    }
    if (libos()->pm != 0) {
        return kill(getpid(), sig);
    }
    exit_without_pm(128 + sig);
}

/* No signal is ever delivered asynchronously, so there is nothing to mask. */
int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    (void)how;
    (void)set;
    if (old != NULL) {
        sigemptyset(old);
    }
    return 0;
}
