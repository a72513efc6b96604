/* sh: the entry point -- `sh`, `sh FILE [ARGS]`, `sh -c 'COMMANDS' [ARGS]`
 * -- reading lines (continued while a quote, a backslash or | && || is
 * open), the prompt when stdin is a terminal, the background jobs that
 * ended reaped before each line, allocation helpers (sh.h). */
#include "sh.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

shell_t shell;

static __attribute__((noreturn)) void out_of_memory(void)
{
    static const char msg[] = "sh: out of memory\n";
    write(2, msg, sizeof(msg) - 1);
    _exit(2);
}

void *sh_alloc(size_t size)
{
    void *p = malloc(size == 0 ? 1 : size);
    if (p == NULL) {
        out_of_memory();
    }
    return p;
}

void *sh_grow(void *array, size_t count, size_t size)
{
    void *p = realloc(array, (count + 1) * size);
    if (p == NULL) {
        out_of_memory();
    }
    return p;
}

char *sh_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(sh_alloc(n), s, n);
}

/* Input: a file descriptor read a byte at a time for stdin (the programs
 * the shell runs share it, so it must not read ahead), in blocks otherwise. */
typedef struct {
    int fd;
    char buf[512];
    size_t pos;
    size_t len;
    bool eof;
} input_t;

static int input_byte(input_t *in)
{
    if (in->pos == in->len) {
        size_t want = in->fd == 0 ? 1 : sizeof(in->buf);
        ssize_t n;
        do {
            n = read(in->fd, in->buf, want);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
            if (n < 0) { /* the console's driver down for good: EIO */
                fprintf(stderr, "sh: reading input: %s\n", strerror(errno));
            }
            in->eof = true;
            return -1;
        }
        in->pos = 0;
        in->len = (size_t)n;
    }
    return (unsigned char)in->buf[in->pos++];
}

/* Append one line (with its newline) to *text; false at end of input
 * with nothing read. */
static bool read_line(input_t *in, char **text, size_t *len)
{
    bool any = false;
    int c;
    while ((c = input_byte(in)) >= 0) {
        any = true;
        *text = sh_grow(*text, *len + 1, 1);
        (*text)[(*len)++] = (char)c;
        (*text)[*len] = '\0';
        if (c == '\n') {
            break;
        }
    }
    return any;
}

static void prompt(bool continuation)
{
    if (!shell.interactive) {
        return;
    }
    char cwd[256];
    if (continuation) {
        fputs("> ", stderr);
    } else if (getcwd(cwd, sizeof(cwd)) != NULL) {
        fprintf(stderr, "%s $ ", cwd);
    } else {
        fputs("$ ", stderr);
    }
    fflush(stderr);
}

/* Parse and run `text`; false if it is incomplete. */
static bool run_text(const char *text, bool at_end)
{
    list_t list;
    parse_result_t r = sh_parse(text, &list);
    if (r == PARSE_INCOMPLETE && !at_end) {
        return false;
    }
    if (r == PARSE_INCOMPLETE) {
        fprintf(stderr, "sh: syntax error: unexpected end of input\n");
    }
    if (r != PARSE_OK) {
        shell.status = 2;
        if (!shell.interactive) {
            shell.exiting = true;
            shell.exit_status = 2;
        }
        return true;
    }
    sh_run_list(&list);
    sh_list_free(&list);
    return true;
}

static void run_input(int fd)
{
    input_t in = { .fd = fd };
    char *text = NULL;
    size_t len = 0;
    while (!shell.exiting) {
        if (len == 0) {
            sh_reap_jobs(); /* before the prompt: `[PID] done` of the jobs that ended */
        }
        prompt(len > 0);
        bool got = read_line(&in, &text, &len);
        if (!got && len == 0) {
            break;
        }
        if (run_text(text, !got || in.eof)) {
            len = 0;
        }
    }
    free(text);
    if (shell.interactive && !shell.exiting) {
        fputc('\n', stderr);
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: sh [FILE [ARG...]] | sh -c COMMANDS [NAME [ARG...]]\n");
    return 2;
}

int main(int argc, char **argv)
{
    shell.argc = argc > 0 ? 1 : 0;
    shell.argv = argv;
    if (getenv("PATH") == NULL) {
        setenv("PATH", "/bin", 1);
    }
    char cwd[512];
    if (getcwd(cwd, sizeof(cwd)) != NULL) {
        setenv("PWD", cwd, 1);
    }
    if (argc > 1 && strcmp(argv[1], "-c") == 0) {
        if (argc < 3) {
            return usage();
        }
        shell.argc = argc - 3;
        shell.argv = argv + 3;
        if (shell.argc == 0) {
            shell.argc = 1;
            shell.argv = argv;
        }
        char *text = sh_strdup(argv[2]); /* on the heap, where ASan sees an overread */
        run_text(text, true);
        free(text);
    } else if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
        return usage();
    } else if (argc > 1) {
        int fd = open(argv[1], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
            return 127;
        }
        shell.argc = argc - 1;
        shell.argv = argv + 1;
        run_input(fd);
        close(fd);
    } else {
        shell.interactive = isatty(0) != 0;
        if (shell.interactive) {
            signal(SIGINT, SIG_IGN);     /* Ctrl-C ends the foreground pipeline, not the shell */
            sh_set_foreground(getpid()); /* at the prompt it reaches no job, nor a group gone */
        }
        run_input(0);
    }
    sh_reap_jobs(); /* the jobs still running go on without the shell */
    fflush(stdout);
    return shell.exiting ? shell.exit_status : shell.status;
}
