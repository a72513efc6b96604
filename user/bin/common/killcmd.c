/* kill [-SIGNAL | -s SIGNAL] PID...: send SIGNAL (a name such as INT or
 * SIGINT, or a number; TERM by default) to each PID (a negative one: to
 * every process of group -PID). kill -l lists the names. Status 1 if a
 * signal could not be sent, 2 on a usage error. Both /bin/kill and the
 * shell's builtin (which, as the parent of its background jobs, may
 * signal them) run it. Calls: kill, write (stdio). */
#include "killcmd.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

static const struct {
    const char *name;
    int number;
} signals[] = {
    { "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "ILL", SIGILL },
    { "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "FPE", SIGFPE },   { "KILL", SIGKILL },
    { "SEGV", SIGSEGV }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
};

#define SIGNAL_COUNT (sizeof(signals) / sizeof(signals[0]))

static int usage(const char *why, const char *what)
{
    fprintf(stderr, "kill: %s%s\nusage: kill [-SIGNAL | -s SIGNAL] PID... | kill -l\n", why, what);
    return 2;
}

/* A signal name (with or without SIG) or number; -1 if unknown. */
static int parse_signal(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*s != '\0' && *end == '\0') {
        return n >= 0 && n < 64 ? (int)n : -1; /* 0: only check that pid exists */
    }
    if (strncasecmp(s, "SIG", 3) == 0) {
        s += 3;
    }
    for (size_t i = 0; i < SIGNAL_COUNT; i++) {
        if (strcasecmp(s, signals[i].name) == 0) {
            return signals[i].number;
        }
    }
    return -1;
}

static bool parse_pid(const char *s, pid_t *pid)
{
    char *end;
    long n = strtol(s, &end, 10);
    *pid = (pid_t)n;
    return *s != '\0' && *end == '\0' && (long)*pid == n;
}

int kill_command(int argc, char **argv)
{
    int sig = SIGTERM;
    int i = 1;
    if (i < argc && strcmp(argv[i], "-l") == 0) {
        for (size_t k = 0; k < SIGNAL_COUNT; k++) {
            printf("%d %s\n", signals[k].number, signals[k].name);
        }
        return 0;
    }
    if (i < argc && strcmp(argv[i], "-s") == 0) {
        if (i + 1 >= argc) {
            return usage("-s needs a signal", "");
        }
        sig = parse_signal(argv[i + 1]);
        if (sig < 0) {
            return usage("unknown signal ", argv[i + 1]);
        }
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0) {
        sig = parse_signal(argv[i] + 1);
        if (sig < 0) {
            return usage("unknown signal ", argv[i] + 1);
        }
        i++;
    }
    if (i < argc && strcmp(argv[i], "--") == 0) {
        i++;
    }
    if (i >= argc) {
        return usage("no process id", "");
    }
    int status = 0;
    for (; i < argc; i++) {
        pid_t pid;
        if (!parse_pid(argv[i], &pid)) {
            fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
            status = status == 0 ? 2 : status;
        } else if (kill(pid, sig) != 0) {
            fprintf(stderr, "kill: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        }
    }
    return status;
}
