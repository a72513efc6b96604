/* /bin/hostile: requests sent without Call (seL4_Send), which leave the
 * server no one to answer. A read of an empty pipe sent that way still
 * makes vfs save a reply capability -- an empty one -- and keep the
 * request waiting; if that took one of vfs's waiting slots per request,
 * one program could take them all and every other program's read of a
 * pipe or the console would fail with EAGAIN. The check: after such
 * reads, a read that must wait (for a child that writes to it) still
 * waits and gets the child's bytes. */
#include "hostile.h"

#include <keel/proto/vfs_defs.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNANSWERED 40 /* more than vfs's 32 waiting slots */

extern char **environ;

/* `echo x` with its output into `fd`. */
static pid_t start_echo(int fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    char *argv[] = { "echo", "x", NULL };
    pid_t pid = -1;
    int err = posix_spawn(&pid, "/bin/echo", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return err == 0 ? pid : -1;
}

/* Read fd with a raw Call (a short read may wait). */
static long raw_read(seL4_CPtr vfs, int fd, size_t length)
{
    seL4_SetMR(0, (seL4_Word)fd);
    seL4_SetMR(1, 0);
    seL4_SetMR(2, length);
    seL4_MessageInfo_t info = seL4_Call(vfs, seL4_MessageInfo_new(VFS_READ, 0, 0, 3));
    return seL4_MessageInfo_get_label(info) == 0 ? (long)seL4_GetMR(0) : -1;
}

bool unanswered_requests(hostile_t *h, seL4_CPtr vfs)
{
    int idle[2], data[2];
    if (pipe(idle) != 0 || pipe(data) != 0) {
        perror("hostile: pipe");
        return false;
    }
    for (int i = 0; i < UNANSWERED; i++) {
        seL4_SetMR(0, (seL4_Word)idle[0]);
        seL4_SetMR(1, 0);
        seL4_SetMR(2, 16);
        seL4_Send(vfs, seL4_MessageInfo_new(VFS_READ, 0, 0, 3));
    }
    pid_t child = start_echo(data[1]);
    long got = child > 0 ? raw_read(vfs, data[0], 16) : -1;
    bool ok = got == 2 && memcmp(h->window, "x\n", 2) == 0;
    int status = -1;
    ok &= child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0;
    printf("hostile: vfs: %d reads sent without Call, then a read that waits: %ld bytes: %s\n",
           UNANSWERED, got, ok ? "ok" : "FAILED");
    close(idle[0]);
    close(idle[1]);
    close(data[0]);
    close(data[1]);
    return ok;
}
