/* lockcheck DIR: fcntl's record locks between processes (docs/posix.md
 * "Record locks"; tests/tests.list os.fs.locks). The parent takes locks
 * on DIR/lockcheck.dat and runs `lockcheck --child PATH STEP` for each
 * step, which checks from another process what the parent holds; each
 * check prints a line only when it fails. Ends with `lockcheck: N checks,
 * F failed`.
 *
 * Steps of the child: 1 the parent's write lock on [0, 100) is seen and
 * refused, a read lock beyond it is taken; 2 after the parent unlocked
 * [40, 60) the hole can be locked and the rest not; 3 after the parent
 * closed another descriptor of the file, nothing is held. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int checks, failed;

static void check(int ok, const char *what)
{
    checks++;
    if (!ok) {
        failed++;
        printf("lockcheck: FAILED: %s (errno %d)\n", what, errno);
    }
}

static int set_lock(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    return fcntl(fd, cmd, &l);
}

/* F_GETLK of `type` on [start, start + len): the lock in the way. */
static struct flock get_lock(int fd, short type, off_t start, off_t len)
{
    struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    if (fcntl(fd, F_GETLK, &l) != 0) {
        l.l_type = -1;
    }
    return l;
}

static int child(const char *path, int step, pid_t parent)
{
    int fd = open(path, O_RDWR);
    check(fd >= 0, "the child opens the file");
    if (step == 1) {
        struct flock in_way = get_lock(fd, F_RDLCK, 10, 1);
        check(in_way.l_type == F_WRLCK && in_way.l_start == 0 && in_way.l_len == 100 &&
                  in_way.l_pid == parent,
              "F_GETLK finds the parent's write lock on [0, 100)");
        check(set_lock(fd, F_SETLK, F_WRLCK, 50, 10) == -1 && errno == EAGAIN,
              "a write lock inside the parent's is refused with EAGAIN");
        check(set_lock(fd, F_SETLK, F_RDLCK, 99, 1) == -1 && errno == EAGAIN,
              "a read lock on its last byte is refused");
        check(set_lock(fd, F_SETLK, F_RDLCK, 100, 50) == 0, "a read lock after it is taken");
        check(get_lock(fd, F_WRLCK, 100, 50).l_type == F_UNLCK,
              "F_GETLK does not report the caller's own locks");
    } else if (step == 2) {
        check(set_lock(fd, F_SETLK, F_WRLCK, 40, 20) == 0, "the unlocked hole [40, 60) is taken");
        check(set_lock(fd, F_SETLK, F_WRLCK, 39, 1) == -1 && errno == EAGAIN,
              "the byte before the hole is still the parent's");
        check(set_lock(fd, F_SETLK, F_WRLCK, 60, 1) == -1 && errno == EAGAIN,
              "the byte after the hole is still the parent's");
        check(get_lock(fd, F_WRLCK, 1000, 0).l_type == F_RDLCK,
              "the parent's read lock from 1000 on, without end, is seen");
    } else {
        check(set_lock(fd, F_SETLK, F_WRLCK, 0, 0) == 0,
              "after the parent's close, the whole file is free");
    }
    return failed == 0 ? 0 : 1;
}

static void run_child(const char *path, int step)
{
    char step_text[4], parent[16];
    snprintf(step_text, sizeof(step_text), "%d", step);
    snprintf(parent, sizeof(parent), "%d", (int)getpid());
    char *argv[] = { "lockcheck", "--child", (char *)path, step_text, parent, NULL };
    pid_t pid;
    int status = -1;
    check(posix_spawn(&pid, "/bin/lockcheck", NULL, NULL, argv, environ) == 0 &&
              waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          step == 1   ? "child step 1"
          : step == 2 ? "child step 2"
                      : "child step 3");
}

static void errors(int fd, const char *path)
{
    int reading = open(path, O_RDONLY);
    check(set_lock(reading, F_SETLK, F_WRLCK, 0, 1) == -1 && errno == EBADF,
          "a write lock through a read-only descriptor is EBADF");
    close(reading);
    check(set_lock(fd, F_SETLK, 7, 0, 1) == -1 && errno == EINVAL, "an unknown type is EINVAL");
    check(set_lock(fd, F_SETLK, F_WRLCK, -5, 1) == -1 && errno == EINVAL,
          "a range before the start is EINVAL");
    check(set_lock(99, F_SETLK, F_WRLCK, 0, 1) == -1 && errno == EBADF,
          "a descriptor out of range is EBADF");
    int pipe_ends[2];
    check(pipe(pipe_ends) == 0 && set_lock(pipe_ends[1], F_SETLK, F_WRLCK, 0, 1) == -1 &&
              errno == EINVAL,
          "a lock on a pipe is EINVAL");
    close(pipe_ends[0]);
    close(pipe_ends[1]);
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--child") == 0) {
        return child(argv[2], atoi(argv[3]), (pid_t)atoi(argv[4]));
    }
    if (argc != 2) {
        fprintf(stderr, "usage: lockcheck DIR\n");
        return 2;
    }
    char path[256];
    snprintf(path, sizeof(path), "%s/lockcheck.dat", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0, "the parent creates the file");
    errors(fd, path);
    check(set_lock(fd, F_SETLK, F_WRLCK, 0, 100) == 0, "the parent's write lock on [0, 100)");
    check(set_lock(fd, F_SETLK, F_RDLCK, 1000, 0) == 0, "the parent's read lock from 1000 on");
    run_child(path, 1);
    check(set_lock(fd, F_SETLK, F_UNLCK, 40, 20) == 0, "the parent unlocks [40, 60)");
    run_child(path, 2);
    int other = open(path, O_RDONLY);
    check(other >= 0 && close(other) == 0, "the parent closes another descriptor of the file");
    run_child(path, 3);
    check(set_lock(fd, F_SETLKW, F_WRLCK, 0, 0) == 0, "F_SETLKW with nothing in the way");
    close(fd);
    unlink(path);
    printf("lockcheck: %d checks, %d failed\n", checks, failed);
    return failed == 0 ? 0 : 1;
}
