/* sh: running a parsed list -- expansion of each command, builtins (cd,
 * exit, export, jobs, kill, pwd, unset, wait), PATH lookup and pipelines through
 * posix_spawn, the report of how a command ended, and background jobs
 * (sh.h). */
#include "sh.h"

#include "../common/killcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Keel's libos may provide these (weak: absent on the host and until it
 * does). keel_fault_info: the address of the fault that killed pid. */
int keel_fault_info(pid_t pid, uintptr_t *address) __attribute__((weak));
int keel_set_foreground(pid_t pgid) __attribute__((weak));

void sh_set_foreground(pid_t pgid)
{
#ifdef SH_HOST
    (void)pgid; /* the host shell leaves the terminal's process groups alone */
#else
    if (keel_set_foreground != NULL) {
        keel_set_foreground(pgid);
    }
#endif
}

/* A command after expansion. */
typedef struct {
    char **argv; /* NULL-terminated */
    size_t argc;
    char **assigns; /* NAME=value words before the command name */
    size_t nassigns;
    redir_t *redirs; /* targets expanded */
    size_t nredirs;
    int *opened; /* open_redirections: the fd opened for each, -1 for a dup */
} expanded_t;

static bool is_assignment(const char *raw)
{
    size_t i = 0;
    if (raw[0] != '_' && !(raw[0] >= 'A' && raw[0] <= 'Z') && !(raw[0] >= 'a' && raw[0] <= 'z')) {
        return false;
    }
    while (raw[i] == '_' || (raw[i] >= 'A' && raw[i] <= 'Z') || (raw[i] >= 'a' && raw[i] <= 'z') ||
           (raw[i] >= '0' && raw[i] <= '9')) {
        i++;
    }
    return raw[i] == '=';
}

static void expand_command(const command_t *cmd, expanded_t *e)
{
    memset(e, 0, sizeof(*e));
    e->argv = sh_alloc((cmd->nwords + 1) * sizeof(char *));
    e->assigns = sh_alloc((cmd->nwords + 1) * sizeof(char *));
    for (size_t i = 0; i < cmd->nwords; i++) {
        bool drop;
        char *word = sh_expand(cmd->words[i], &drop);
        if (e->argc == 0 && is_assignment(cmd->words[i])) {
            e->assigns[e->nassigns++] = word;
        } else if (drop) {
            free(word);
        } else {
            e->argv[e->argc++] = word;
        }
    }
    e->argv[e->argc] = NULL;
    e->redirs = sh_alloc((cmd->nredirs + 1) * sizeof(redir_t));
    for (size_t i = 0; i < cmd->nredirs; i++) {
        e->redirs[i] = cmd->redirs[i];
        e->redirs[i].target = sh_expand(cmd->redirs[i].target, NULL);
    }
    e->nredirs = cmd->nredirs;
    e->opened = sh_alloc((cmd->nredirs + 1) * sizeof(int));
}

static void expanded_free(expanded_t *e)
{
    for (size_t i = 0; i < e->argc; i++) {
        free(e->argv[i]);
    }
    for (size_t i = 0; i < e->nassigns; i++) {
        free(e->assigns[i]);
    }
    for (size_t i = 0; i < e->nredirs; i++) {
        free(e->redirs[i].target);
    }
    free(e->argv);
    free(e->assigns);
    free(e->redirs);
    free(e->opened);
}

/* NAME=value into the shell's environment (every variable is exported). */
static int assign(const char *word)
{
    const char *eq = strchr(word, '=');
    char *name = sh_strdup(word);
    name[eq - word] = '\0';
    int r = setenv(name, eq + 1, 1);
    free(name);
    return r == 0 ? 0 : 1;
}

/* Redirections: files are opened by the shell (so that errors name the
 * file) and handed to the child with dup2. opened[i] is the fd for
 * redirs[i], -1 for a dup. */
static bool open_redirections(const expanded_t *e, int *opened)
{
    for (size_t i = 0; i < e->nredirs; i++) {
        const redir_t *r = &e->redirs[i];
        int flags = r->kind == REDIR_IN       ? O_RDONLY
                    : r->kind == REDIR_APPEND ? O_WRONLY | O_CREAT | O_APPEND
                                              : O_WRONLY | O_CREAT | O_TRUNC;
        opened[i] = -1;
        if (r->kind == REDIR_DUP) {
            continue;
        }
        opened[i] = open(r->target, flags, 0644);
        if (opened[i] < 0) {
            fprintf(stderr, "sh: %s: %s\n", r->target, strerror(errno));
            for (size_t j = 0; j < i; j++) {
                if (opened[j] >= 0) {
                    close(opened[j]);
                }
            }
            return false;
        }
    }
    return true;
}

static void close_opened(const expanded_t *e, const int *opened)
{
    for (size_t i = 0; i < e->nredirs; i++) {
        if (opened[i] >= 0) {
            close(opened[i]);
        }
    }
}

/* Apply the redirections of a builtin to the shell itself; `saved`
 * remembers what to restore (fd, its copy). */
typedef struct {
    int fd;
    int copy;
} saved_fd_t;

static size_t redirect_self(const expanded_t *e, const int *opened, saved_fd_t *saved)
{
    size_t n = 0;
    for (size_t i = 0; i < e->nredirs; i++) {
        const redir_t *r = &e->redirs[i];
        saved[n].fd = r->fd;
        saved[n].copy = dup(r->fd);
        n++;
        if (r->kind != REDIR_DUP) {
            dup2(opened[i], r->fd);
        } else if (strcmp(r->target, "-") == 0) {
            close(r->fd);
        } else {
            dup2(atoi(r->target), r->fd);
        }
    }
    return n;
}

static void restore_self(saved_fd_t *saved, size_t n)
{
    fflush(stdout);
    fflush(stderr);
    while (n-- > 0) {
        if (saved[n].copy >= 0) {
            dup2(saved[n].copy, saved[n].fd);
            close(saved[n].copy);
        } else {
            close(saved[n].fd);
        }
    }
}

/* Background jobs: the processes of each pipeline started with `&`, kept
 * until every one of them has been reaped. */
typedef struct {
    pid_t pid;
    bool ended;
    int wstatus; /* once ended */
} job_proc_t;

typedef struct {
    job_proc_t *procs; /* those that started */
    size_t count;
    pid_t pgid;
    pid_t last; /* its [PID] and $!: the last process */
} job_t;

static job_t *jobs;
static size_t njobs;

/* A wait status as $? says it: the exit status, or 128 + the signal. */
static int exit_code(int wstatus)
{
    if (WIFEXITED(wstatus)) {
        return WEXITSTATUS(wstatus);
    }
    return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : 1;
}

/* The job with a process `pid` (its index in *index), or NULL; with
 * `running`, only one that has not ended (pm may give an ended one's pid
 * to another process). */
static job_t *job_of(pid_t pid, bool running, size_t *index)
{
    for (size_t i = 0; i < njobs; i++) {
        for (size_t k = 0; k < jobs[i].count; k++) {
            if (jobs[i].procs[k].pid == pid && !(running && jobs[i].procs[k].ended)) {
                *index = i;
                return &jobs[i];
            }
        }
    }
    return NULL;
}

static job_proc_t *job_proc(const job_t *j, pid_t pid, bool running)
{
    for (size_t k = 0; k < j->count; k++) {
        if (j->procs[k].pid == pid && !(running && j->procs[k].ended)) {
            return &j->procs[k];
        }
    }
    return NULL;
}

static bool job_done(const job_t *j)
{
    for (size_t k = 0; k < j->count; k++) {
        if (!j->procs[k].ended) {
            return false;
        }
    }
    return true;
}

static void remove_job(size_t i)
{
    free(jobs[i].procs);
    memmove(&jobs[i], &jobs[i + 1], (njobs - i - 1) * sizeof(*jobs));
    njobs--;
}

/* The pipeline's processes that started become a job; an interactive
 * shell says [PID], the last one's, which $! holds. The status: 0, or why
 * the last command did not start. */
static int start_job(const pipeline_t *p, const pid_t *pids, pid_t pgid, int status)
{
    job_t j = { .procs = sh_alloc(p->ncmds * sizeof(job_proc_t)), .pgid = pgid };
    for (size_t i = 0; i < p->ncmds; i++) {
        if (pids[i] > 0) {
            j.procs[j.count++] = (job_proc_t){ .pid = pids[i] };
            j.last = pids[i];
        }
    }
    if (j.count == 0) {
        free(j.procs);
        return status;
    }
    jobs = sh_grow(jobs, njobs, sizeof(*jobs));
    jobs[njobs++] = j;
    shell.last_job = j.last;
    if (shell.interactive) {
        fprintf(stderr, "[%ld]\n", (long)j.last);
    }
    return pids[p->ncmds - 1] > 0 ? 0 : status;
}

/* How a job ended, by its last process: `[PID] done`, `[PID] exit N`,
 * `[PID] killed by signal N`. */
static void report_job(const job_t *j)
{
    const job_proc_t *last = job_proc(j, j->last, false);
    int w = last->wstatus;
    if (WIFEXITED(w) && WEXITSTATUS(w) == 0) {
        fprintf(stderr, "[%ld] done\n", (long)j->last);
    } else if (WIFEXITED(w)) {
        fprintf(stderr, "[%ld] exit %d\n", (long)j->last, WEXITSTATUS(w));
    } else if (WIFSIGNALED(w)) {
        fprintf(stderr, "[%ld] killed by signal %d\n", (long)j->last, WTERMSIG(w));
    }
}

void sh_reap_jobs(void)
{
    int wstatus;
    pid_t pid;
    /* Any child: also those of ended processes that pm gave the shell as
     * pid 1, which are reaped without a word. */
    while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
        size_t i;
        job_t *j = job_of(pid, true, &i);
        if (j == NULL) {
            continue;
        }
        job_proc_t *jp = job_proc(j, pid, true);
        jp->ended = true;
        jp->wstatus = wstatus;
        if (job_done(j)) {
            if (shell.interactive) {
                report_job(j);
            }
            remove_job(i);
        }
    }
}

/* Wait for every process of jobs[i]; the status of process `pid`'s end.
 * The job has the terminal meanwhile: the shell cannot cut its own
 * waitpid short, so Ctrl-C ends the job instead. */
static int wait_job(size_t i, pid_t pid)
{
    job_t *j = &jobs[i];
    if (shell.interactive && j->pgid > 0) {
        sh_set_foreground(j->pgid);
    }
    for (size_t k = 0; k < j->count; k++) {
        job_proc_t *jp = &j->procs[k];
        if (!jp->ended && waitpid(jp->pid, &jp->wstatus, 0) == jp->pid) {
            jp->ended = true;
        }
    }
    if (shell.interactive && j->pgid > 0) {
        sh_set_foreground(getpid());
    }
    const job_proc_t *jp = job_proc(j, pid, false);
    int status = jp->ended ? exit_code(jp->wstatus) : 127;
    remove_job(i);
    return status;
}

/* wait: every job (status 0), or the jobs of the PIDs named (the status
 * of the last one's end; 127 for a pid that is no job's). */
static int builtin_wait(char **argv)
{
    if (argv[1] == NULL) {
        while (njobs > 0) {
            wait_job(0, jobs[0].last);
        }
        return 0;
    }
    int status = 0;
    for (size_t a = 1; argv[a] != NULL; a++) {
        char *end;
        long pid = strtol(argv[a], &end, 10);
        size_t i;
        if (argv[a][0] == '\0' || *end != '\0' || pid <= 0) {
            fprintf(stderr, "wait: %s: not a pid\n", argv[a]);
            status = 2;
        } else if (job_of((pid_t)pid, false, &i) == NULL) {
            fprintf(stderr, "wait: %ld: no such job\n", pid);
            status = 127;
        } else {
            status = wait_job(i, (pid_t)pid);
        }
    }
    return status;
}

/* kill: the kill command (../common/killcmd.c) run by the shell itself,
 * the parent of its background jobs, which pm lets it signal. */
static int builtin_kill(char **argv)
{
    int argc = 0;
    while (argv[argc] != NULL) {
        argc++;
    }
    fflush(stdout);
    return kill_command(argc, argv);
}

/* jobs: those that ended are reported (and forgotten), then the others
 * listed as `[PID] running`. */
static int builtin_jobs(char **argv)
{
    (void)argv;
    sh_reap_jobs();
    for (size_t i = 0; i < njobs; i++) {
        printf("[%ld] running\n", (long)jobs[i].last);
    }
    return 0;
}

static int builtin_cd(char **argv)
{
    const char *dir = argv[1] != NULL ? argv[1] : getenv("HOME");
    if (dir == NULL) {
        dir = "/";
    }
    if (argv[1] != NULL && argv[2] != NULL) {
        fprintf(stderr, "cd: too many arguments\n");
        return 2;
    }
    if (chdir(dir) != 0) {
        fprintf(stderr, "cd: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char cwd[512];
    if (getcwd(cwd, sizeof(cwd)) != NULL) {
        setenv("PWD", cwd, 1);
    }
    return 0;
}

static bool parse_status(const char *s, int *status)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0') {
        return false;
    }
    *status = (int)(v & 0xff);
    return true;
}

static int builtin_exit(char **argv)
{
    int status = shell.status;
    if (argv[1] != NULL && !parse_status(argv[1], &status)) {
        fprintf(stderr, "exit: %s: numeric argument required\n", argv[1]);
        status = 2;
    } else if (argv[1] != NULL && argv[2] != NULL) {
        fprintf(stderr, "exit: too many arguments\n");
        return 1;
    }
    shell.exiting = true;
    shell.exit_status = status;
    return status;
}

static int builtin_export(char **argv)
{
    int status = 0;
    if (argv[1] == NULL) {
        for (char **e = environ; *e != NULL; e++) {
            printf("export %s\n", *e);
        }
        return 0;
    }
    for (size_t i = 1; argv[i] != NULL; i++) {
        if (is_assignment(argv[i])) {
            status |= assign(argv[i]);
        } else if (strchr(argv[i], '=') != NULL || argv[i][0] == '\0') {
            fprintf(stderr, "export: %s: not a valid name\n", argv[i]);
            status = 1;
        } /* a bare NAME: every variable is exported already */
    }
    return status;
}

static int builtin_pwd(char **argv)
{
    (void)argv;
    char cwd[512];
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        fprintf(stderr, "pwd: %s\n", strerror(errno));
        return 1;
    }
    printf("%s\n", cwd);
    return 0;
}

static int builtin_unset(char **argv)
{
    for (size_t i = 1; argv[i] != NULL; i++) {
        unsetenv(argv[i]);
    }
    return 0;
}

typedef int (*builtin_fn)(char **argv);

static builtin_fn find_builtin(const char *name)
{
    static const struct {
        const char *name;
        builtin_fn fn;
    } builtins[] = {
        { "cd", builtin_cd },     { "exit", builtin_exit }, { "export", builtin_export },
        { "jobs", builtin_jobs }, { "pwd", builtin_pwd },   { "unset", builtin_unset },
        { "wait", builtin_wait }, { "kill", builtin_kill },
    };
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        if (strcmp(name, builtins[i].name) == 0) {
            return builtins[i].fn;
        }
    }
    return NULL;
}

/* A command with no name (assignments, redirections) or a builtin, run
 * by the shell itself. */
static int run_in_shell(const expanded_t *e, builtin_fn fn)
{
    int *opened = e->opened;
    if (!open_redirections(e, opened)) {
        return 1;
    }
    int status = 0;
    for (size_t i = 0; i < e->nassigns; i++) {
        status |= assign(e->assigns[i]);
    }
    if (fn != NULL) {
        saved_fd_t *saved = sh_alloc((e->nredirs + 1) * sizeof(*saved));
        size_t n = redirect_self(e, opened, saved);
        status = fn(e->argv);
        restore_self(saved, n);
        free(saved);
    }
    close_opened(e, opened);
    return status;
}

/* PATH lookup (default /bin); a name with a slash is used as it is. The
 * result is malloc'd; NULL with *status 127 (not found) or 126. */
static char *find_program(const char *name, int *status)
{
    struct stat st;
    *status = 127;
    if (strchr(name, '/') != NULL) {
        if (stat(name, &st) != 0) {
            fprintf(stderr, "sh: %s: %s\n", name, strerror(errno));
            return NULL;
        }
        return sh_strdup(name);
    }
    const char *path = getenv("PATH");
    if (path == NULL) {
        path = "/bin";
    }
    while (*name != '\0') {
        size_t len = strcspn(path, ":");
        char *full = sh_alloc(len + strlen(name) + 3);
        snprintf(full, len + strlen(name) + 3, "%.*s/%s", (int)len, len > 0 ? path : ".", name);
        if (stat(full, &st) == 0 && !S_ISDIR(st.st_mode)) {
            return full;
        }
        free(full);
        if (path[len] == '\0') {
            break;
        }
        path += len + 1;
    }
    fprintf(stderr, "sh: %s: not found\n", name);
    return NULL;
}

/* The child's environment: the shell's with the command's assignments. */
static char **child_environment(const expanded_t *e)
{
    size_t n = 0;
    while (environ[n] != NULL) {
        n++;
    }
    char **env = sh_alloc((n + e->nassigns + 1) * sizeof(char *));
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        bool replaced = false;
        for (size_t j = 0; j < e->nassigns && !replaced; j++) {
            size_t len = (size_t)(strchr(e->assigns[j], '=') - e->assigns[j]) + 1;
            replaced = strncmp(environ[i], e->assigns[j], len) == 0;
        }
        if (!replaced) {
            env[count++] = environ[i];
        }
    }
    for (size_t j = 0; j < e->nassigns; j++) {
        env[count++] = e->assigns[j];
    }
    env[count] = NULL;
    return env;
}

/* One process of a pipeline: its stdin/stdout from the pipes (fd -1:
 * the shell's own), its redirections, every other pipe end closed. */
typedef struct {
    int in;
    int out;
    int other;       /* the read end of the next pipe: the child must not hold it */
    pid_t pgid;      /* 0: a new group led by this process */
    bool background; /* a job's: in a group of its own, always */
} plumbing_t;

/* The first error of the file-action calls (0: none). */
static void first_error(int *err, int r)
{
    if (*err == 0) {
        *err = r;
    }
}

/* 0, or the error of a file action that cannot be taken (an fd beyond
 * what the system allows): the command must not run without it. */
static int file_actions(posix_spawn_file_actions_t *fa, const expanded_t *e, const int *opened,
                        const plumbing_t *pl)
{
    int err = 0;
    if (pl->in >= 0) {
        first_error(&err, posix_spawn_file_actions_adddup2(fa, pl->in, 0));
    }
    if (pl->out >= 0) {
        first_error(&err, posix_spawn_file_actions_adddup2(fa, pl->out, 1));
    }
    for (size_t i = 0; i < e->nredirs; i++) {
        const redir_t *r = &e->redirs[i];
        if (r->kind != REDIR_DUP) {
            if (opened[i] != r->fd) {
                first_error(&err, posix_spawn_file_actions_adddup2(fa, opened[i], r->fd));
            }
        } else if (strcmp(r->target, "-") == 0) {
            first_error(&err, posix_spawn_file_actions_addclose(fa, r->fd));
        } else {
            first_error(&err, posix_spawn_file_actions_adddup2(fa, atoi(r->target), r->fd));
        }
    }
    int temps[3] = { pl->in, pl->out, pl->other };
    for (size_t i = 0; i < 3 + e->nredirs; i++) {
        int fd = i < 3 ? temps[i] : opened[i - 3];
        bool target = fd <= 2;
        for (size_t j = 0; j < e->nredirs && !target; j++) {
            target = e->redirs[j].fd == fd;
        }
        if (fd >= 0 && !target) {
            first_error(&err, posix_spawn_file_actions_addclose(fa, fd));
        }
    }
    return err;
}

static pid_t spawn_command(const expanded_t *e, const plumbing_t *pl, int *status)
{
    int *opened = e->opened;
    if (!open_redirections(e, opened)) {
        *status = 1;
        return -1;
    }
    char *path = find_program(e->argv[0], status);
    if (path == NULL) {
        close_opened(e, opened);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    int err = file_actions(&fa, e, opened, pl);
    /* A background job has a group of its own, which the terminal's Ctrl-C
     * never reaches; so has each pipeline of an interactive shell on Keel
     * (job control: the shell makes it the foreground group). A script's
     * other commands stay in its group. The host shell leaves the
     * terminal's groups alone. */
    short flags = 0;
#ifdef SH_HOST
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    flags = POSIX_SPAWN_SETSIGDEF;
    bool grouped = pl->background;
#else
    bool grouped = pl->background || shell.interactive;
#endif
    if (grouped) {
        posix_spawnattr_setpgroup(&attr, pl->pgid);
        flags |= POSIX_SPAWN_SETPGROUP;
    }
    posix_spawnattr_setflags(&attr, flags);
    char **env = child_environment(e);
    fflush(stdout);
    pid_t pid = -1;
    if (err == 0) {
        err = posix_spawn(&pid, path, &fa, &attr, e->argv, env);
    }
    if (err != 0) {
        fprintf(stderr, "sh: %s: %s\n", e->argv[0], strerror(err));
        *status = 126;
        pid = -1;
    }
    free(env);
    free(path);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close_opened(e, opened);
    return pid;
}

/* How a process ended: its exit status, or 128 + the signal with a report
 * (an Interrupt once per pipeline: *interrupted says it was reported). */
static int report_status(pid_t pid, int wstatus, bool *interrupted)
{
    if (WIFEXITED(wstatus)) {
        return WEXITSTATUS(wstatus);
    }
    if (!WIFSIGNALED(wstatus)) {
        return 1;
    }
    int sig = WTERMSIG(wstatus);
    uintptr_t address;
    if (sig == SIGINT) {
        if (!*interrupted) {
            fprintf(stderr, "Interrupt\n");
        }
        *interrupted = true;
    } else if (sig == SIGSEGV && keel_fault_info != NULL && keel_fault_info(pid, &address) == 0) {
        fprintf(stderr, "segmentation fault at 0x%lx (pid %ld)\n", (unsigned long)address,
                (long)pid);
    } else if (sig == SIGSEGV) {
        fprintf(stderr, "segmentation fault (pid %ld)\n", (long)pid);
    } else if (sig == SIGKILL) {
        fprintf(stderr, "Killed (pid %ld)\n", (long)pid);
    } else if (sig == SIGTERM) {
        fprintf(stderr, "Terminated (pid %ld)\n", (long)pid);
    } else {
        fprintf(stderr, "killed by signal %d (pid %ld)\n", sig, (long)pid);
    }
    return 128 + sig;
}

/* A background job's stdin, unless redirected: /dev/null, so that it never
 * takes the terminal's input from the shell. POSIX asks it of a shell
 * without job control; this one does it always. -1: the shell's stdin. */
static int null_input(void)
{
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "sh: /dev/null: %s\n", strerror(errno));
    }
    return fd;
}

/* Spawn every command of the pipeline, each reading the pipe from the one
 * before; pids[i] = -1 for one that did not start (*status says why).
 * The process group of the pipeline (0: none made). A foreground one of an
 * interactive shell becomes the terminal's foreground group. */
static pid_t spawn_pipeline(const pipeline_t *p, pid_t *pids, int *status)
{
    int in = p->background ? null_input() : -1;
    pid_t pgid = 0;
    for (size_t i = 0; i < p->ncmds; i++) {
        int fds[2] = { -1, -1 };
        if (i + 1 < p->ncmds && pipe(fds) != 0) {
            fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
            fds[0] = fds[1] = -1;
        }
        expanded_t e;
        expand_command(&p->cmds[i], &e);
        plumbing_t pl = {
            .in = in, .out = fds[1], .other = fds[0], .pgid = pgid, .background = p->background
        };
        pids[i] = -1;
        if (e.argc == 0 || find_builtin(e.argv[0]) != NULL) {
            fprintf(stderr, "sh: %s: not supported %s\n", e.argc == 0 ? "an assignment" : e.argv[0],
                    p->ncmds > 1 ? "in a pipeline" : "in the background");
            *status = 1;
        } else {
            pids[i] = spawn_command(&e, &pl, status);
        }
        if (pgid == 0 && pids[i] > 0 && (shell.interactive || p->background)) {
            pgid = pids[i];
            if (!p->background) {
                sh_set_foreground(pgid);
            }
        }
        expanded_free(&e);
        if (in >= 0) {
            close(in);
        }
        if (fds[1] >= 0) {
            close(fds[1]);
        }
        in = fds[0];
    }
    return pgid;
}

/* Wait for every process, then report how each ended (after all the
 * pipeline printed, as other shells do); the status is the last
 * command's. */
static int wait_pipeline(const pipeline_t *p, const pid_t *pids, int status)
{
    int *wstatus = sh_alloc(p->ncmds * sizeof(*wstatus));
    bool *ended = sh_alloc(p->ncmds * sizeof(*ended));
    for (size_t i = 0; i < p->ncmds; i++) {
        ended[i] = pids[i] > 0 && waitpid(pids[i], &wstatus[i], 0) == pids[i];
    }
    bool interrupted = false;
    for (size_t i = 0; i < p->ncmds; i++) {
        bool last = i + 1 == p->ncmds;
        if (ended[i]) {
            int s = report_status(pids[i], wstatus[i], &interrupted);
            status = last ? s : status;
        } else if (last && pids[i] > 0) {
            status = 1;
        }
    }
    free(wstatus);
    free(ended);
    return status;
}

static int run_pipeline(const pipeline_t *p)
{
    if (p->ncmds == 1 && !p->background) {
        expanded_t e;
        expand_command(&p->cmds[0], &e);
        builtin_fn fn = e.argc > 0 ? find_builtin(e.argv[0]) : NULL;
        if (e.argc == 0 || fn != NULL) {
            int status = run_in_shell(&e, fn);
            expanded_free(&e);
            return status;
        }
        expanded_free(&e);
    }
    pid_t *pids = sh_alloc(p->ncmds * sizeof(*pids));
    int status = 0;
    pid_t pgid = spawn_pipeline(p, pids, &status);
    if (p->background) {
        status = start_job(p, pids, pgid, status);
    } else {
        status = wait_pipeline(p, pids, status);
        if (pgid != 0) {
            sh_set_foreground(getpid()); /* an interactive shell leads its own group */
        }
    }
    free(pids);
    return status;
}

void sh_run_list(const list_t *list)
{
    next_op_t prev = NEXT_SEQ;
    for (size_t i = 0; i < list->count && !shell.exiting; i++) {
        const pipeline_t *p = &list->items[i];
        bool skip =
            (prev == NEXT_AND && shell.status != 0) || (prev == NEXT_OR && shell.status == 0);
        if (!skip) {
            shell.status = run_pipeline(p);
        }
        prev = p->next;
    }
}
