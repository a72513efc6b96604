/* picolibc's standard streams and its start and end: stdin, stdout and
 * stderr are tinystdio buffered files over read and write (stdout and
 * stderr line-buffered); the start-up (user/os/lib/start) calls
 * keel_init_hook before main and keel_exit_hook with main's value. */
#include <keel/os/start.h>
#include <stdio-bufio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STDIN_BUFFER 256
#define STDOUT_BUFFER 1024
#define STDERR_BUFFER 256

static char stdin_buffer[STDIN_BUFFER];
static char stdout_buffer[STDOUT_BUFFER];
static char stderr_buffer[STDERR_BUFFER];

static struct __file_bufio stdin_file =
    FDEV_SETUP_BUFIO(STDIN_FILENO, stdin_buffer, STDIN_BUFFER, read, write, lseek, close, __SRD, 0);
static struct __file_bufio stdout_file = FDEV_SETUP_BUFIO(
    STDOUT_FILENO, stdout_buffer, STDOUT_BUFFER, read, write, lseek, close, __SWR, __BLBF);
static struct __file_bufio stderr_file = FDEV_SETUP_BUFIO(
    STDERR_FILENO, stderr_buffer, STDERR_BUFFER, read, write, lseek, close, __SWR, __BLBF);

FILE *const stdin = &stdin_file.xfile.cfile.file;
FILE *const stdout = &stdout_file.xfile.cfile.file;
FILE *const stderr = &stderr_file.xfile.cfile.file;

extern char **environ;
void __libc_init_array(void);

/* The environment the start page holds, copied to the heap: picolibc's
 * setenv writes a shorter value over the old one in place, and the start
 * page is read-only. Without the memory, the start page's (getenv works;
 * setenv of an existing name may fault). An empty one (the components':
 * pm's heap cannot grow before its loop runs) stays as it is: setenv
 * makes a new array for a new name. */
static char **environment_copy(char **envp)
{
    size_t n = 0;
    while (envp != NULL && envp[n] != NULL) {
        n++;
    }
    if (n == 0) {
        return envp;
    }
    char **copy = malloc((n + 1) * sizeof(*copy));
    if (copy == NULL) {
        return envp;
    }
    for (size_t i = 0; i < n; i++) {
        copy[i] = strdup(envp[i]);
        if (copy[i] == NULL) { /* give back what was copied */
            while (i-- > 0) {
                free(copy[i]);
            }
            free(copy);
            return envp;
        }
    }
    copy[n] = NULL;
    return copy;
}

/* Before main: the environment for getenv, then the constructors. */
void keel_init_hook(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)argv;
    environ = environment_copy(envp);
    __libc_init_array();
}

/* main returned: exit() runs the atexit functions and the destructors
 * (flush_stdio among them), then _exit tells pm. */
void keel_exit_hook(int status)
{
    exit(status);
}

/* tinystdio keeps no list of open files: the standard streams are flushed
 * here, a FILE a program opened itself is flushed by fclose. */
static void __attribute__((destructor)) flush_stdio(void)
{
    fflush(stdout);
    fflush(stderr);
}
