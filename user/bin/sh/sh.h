/* sh: Keel's command-line shell (docs/os.md "The shell and the utilities").
 * The parsed form of a line, the parser, word expansion and the runner.
 *
 * Calls it uses: read write open close stat isatty getpid _exit chdir getcwd
 * posix_spawn (+ file actions addclose/adddup2, attribute setpgroup) waitpid
 * (WNOHANG too) signal pipe dup dup2, and picolibc's stdio, string, stdlib
 * (getenv setenv). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum {
    REDIR_IN,     /* n<file  (n = 0) */
    REDIR_OUT,    /* n>file  (n = 1) */
    REDIR_APPEND, /* n>>file (n = 1) */
    REDIR_DUP,    /* n>&m, n<&m; target "-" closes n */
} redir_kind_t;

typedef struct {
    int fd;
    redir_kind_t kind;
    char *target; /* the raw word, expanded when the command runs */
} redir_t;

typedef struct {
    char **words; /* raw words: quotes and $ are kept for expansion */
    size_t nwords;
    redir_t *redirs;
    size_t nredirs;
} command_t;

typedef enum { NEXT_SEQ, NEXT_AND, NEXT_OR } next_op_t;

typedef struct {
    command_t *cmds;
    size_t ncmds;
    next_op_t next;  /* how the following pipeline depends on this one */
    bool background; /* `... &`: started, not waited for (a job) */
} pipeline_t;

typedef struct {
    pipeline_t *items;
    size_t count;
} list_t;

typedef enum { PARSE_OK, PARSE_INCOMPLETE, PARSE_ERROR } parse_result_t;

/* Parse `text` (any number of lines) into `list`. PARSE_INCOMPLETE: the
 * text ends inside a quote, after a backslash or after | && ||, so more
 * input may complete it. PARSE_ERROR prints the message. */
parse_result_t sh_parse(const char *text, list_t *list);
void sh_list_free(list_t *list);

/* The shell's state that expansion reads. */
typedef struct {
    int status; /* $? */
    int argc;   /* $0.. $9 and $# */
    char **argv;
    bool interactive;
    bool exiting; /* `exit` ran: stop reading */
    int exit_status;
    pid_t last_job; /* $!: the last process of the last background job, 0: none yet */
} shell_t;

extern shell_t shell;

/* Expand one raw word: quotes removed, $VAR ${VAR} $? $$ $# $! $0..$9
 * substituted. *drop is set for an unquoted word that expands to nothing
 * and only consisted of expansions (POSIX removes it). */
char *sh_expand(const char *raw, bool *drop);

/* Run a parsed list, setting shell.status. */
void sh_run_list(const list_t *list);

/* Reap the background jobs that ended, without waiting for the others;
 * an interactive shell says how each ended (`[PID] done`). */
void sh_reap_jobs(void);

/* The foreground process group (the one the terminal's Ctrl-C reaches):
 * a no-op on the host, libos's call on Keel when it exists. */
void sh_set_foreground(pid_t pgid);

/* Allocation that ends the shell on failure (status 2). */
void *sh_alloc(size_t size);
void *sh_grow(void *array, size_t count, size_t size);
char *sh_strdup(const char *s);
