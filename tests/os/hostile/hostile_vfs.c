/* /bin/hostile's requests to vfs (proto/vfs.proto): for each method, the
 * ways it must be refused and the errno vfs answers for each. Never sent
 * (they would succeed and change something, or block): a read of the
 * console (0, 1, 2) or of its pipe's read end, a write to the console or
 * to its pipe, close, dup2 onto a descriptor, chdir, tcsetpgrp of the
 * console, a valid open, mkdir, rmdir, unlink or rename, pipe. */
#include "hostile.h"

#include <errno.h>
#include <keel/proto/vfs_defs.h>

const method_t vfs_methods[] = {
    { VFS_OPEN, 4 },        { VFS_CLOSE, 1 },     { VFS_READ, 3 },       { VFS_WRITE, 3 },
    { VFS_LSEEK, 3 },       { VFS_STAT, 2 },      { VFS_FSTAT, 1 },      { VFS_ISATTY, 1 },
    { VFS_PIPE, 0 },        { VFS_DUP, 1 },       { VFS_DUP2, 2 },       { VFS_CHDIR, 2 },
    { VFS_GETCWD, 2 },      { VFS_GETDENTS, 3 },  { VFS_MKDIR, 3 },      { VFS_RMDIR, 2 },
    { VFS_UNLINK, 2 },      { VFS_RENAME, 4 },    { VFS_TCGETPGRP, 1 },  { VFS_TCSETPGRP, 2 },
    { VFS_FTRUNCATE, 2 },   { VFS_FSYNC, 1 },     { VFS_SYNC, 0 },       { VFS_LINK, 4 },
    { VFS_SYMLINK, 4 },     { VFS_READLINK, 4 },  { VFS_UTIME, 4 },      { VFS_ACCESS, 3 },
    { VFS_FCNTL, 3 },       { VFS_LSTAT, 2 },     { VFS_STATFS, 2 },     { VFS_PROC_CREATE, 4 },
    { VFS_PROC_WINDOW, 3 }, { VFS_PROC_EXIT, 1 }, { VFS_PROC_LOAD, 6 },  { VFS_CLOCK, 2 },
    { VFS_UNMOUNT, 0 },     { VFS_SOCKET, 2 },    { VFS_BIND, 3 },       { VFS_LISTEN, 2 },
    { VFS_ACCEPT, 2 },      { VFS_CONNECT, 3 },   { VFS_SENDTO, 6 },     { VFS_RECVFROM, 4 },
    { VFS_SHUTDOWN, 2 },    { VFS_SOCKNAME, 2 },  { VFS_SETSOCKOPT, 3 }, { VFS_GETSOCKOPT, 2 },
    { VFS_POLL, 3 },        { VFS_NETINFO, 2 },   { VFS_LOCK, 5 },       { VFS_PREAD, 4 },
    { VFS_PWRITE, 4 },      { VFS_USAGE, 0 },
};
const size_t vfs_nmethods = sizeof(vfs_methods) / sizeof(vfs_methods[0]);

#define AT_FROM 0
#define AT_TO 8192
#define MODE_MAX 07777
#define DIRENT_DOT 24 /* bytes of the first record, "." */

static const char *pick(hostile_t *h, const char *const *names, size_t n)
{
    return names[rng_below(h, n)];
}
static int64_t pick_int(hostile_t *h, const int64_t *values, size_t n)
{
    return values[rng_below(h, n)];
}
/* One of the arguments, at random: strings (PICK) or numbers (PICK_INT). */
#define PICK(h, ...)                                                                               \
    pick(h, (const char *const[]){ __VA_ARGS__ },                                                  \
         sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))
#define PICK_INT(h, ...)                                                                           \
    pick_int(h, (const int64_t[]){ __VA_ARGS__ },                                                  \
             sizeof((const int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t))

/* A path in the read-only part of vfs's tree: /dev, and also /bin on a
 * system without a disk (the archive's programs; with a disk /bin is the
 * disk's, where these requests would succeed). */
#define READ_ONLY(h, bin, dev) ((h)->disk ? (dev) : PICK(h, bin, dev))

/* One of its descriptors that is not the console: the file, the directory
 * or a pipe end. */
static int64_t not_a_tty(hostile_t *h)
{
    int64_t fds[] = { h->fd_file, h->fd_dir, h->fd_pipe_read, h->fd_pipe_write };
    return fds[rng_below(h, 4)];
}

/* An access mode and flags that never create (no O_CREAT with O_EXCL). */
static uint64_t plain_flags(hostile_t *h, uint64_t access)
{
    return access | (rng_one_in(h, 2) ? VFS_O_TRUNC : 0) | (rng_one_in(h, 2) ? VFS_O_APPEND : 0);
}

/* One bit that is no open flag (and sometimes more). */
static uint64_t unknown_flag(hostile_t *h)
{
    uint64_t bit;
    do {
        bit = (uint64_t)1 << rng_below(h, 64);
    } while (bit & VFS_O_FLAGS);
    return bit | (rng_one_in(h, 4) ? rng_next(h) & ~(uint64_t)VFS_O_FLAGS : 0);
}

static void open_path(hostile_t *h, request_t *r, const char *path, uint64_t flags,
                      const char *what, long expect)
{
    put_path(h, r, 0, AT_FROM, path);
    r->mr[2] = flags;
    r->mr[3] = rng_below(h, MODE_MAX + 1);
    request_set(r, VFS_OPEN, 4, what, expect);
}

static void open_request(hostile_t *h, request_t *r)
{
    uint64_t rw = 1 + rng_below(h, 2);
    switch (rng_below(h, 9)) {
    case 0: /* O_CREAT or not: the walk fails before a name is made */
        r->mr[2] = plain_flags(h, rng_below(h, 3)) | (rng_next(h) & VFS_O_CREAT);
        r->mr[3] = rng_below(h, MODE_MAX + 1);
        request_set(r, VFS_OPEN, 4, "open: a bad path", put_bad_path(h, r, 0, AT_FROM));
        break;
    case 1:
        open_path(h, r, "/bin/sh", (rng_next(h) & VFS_O_FLAGS) | unknown_flag(h),
                  "open: unknown flags", -EINVAL);
        break;
    case 2:
        open_path(h, r, "/bin/sh", 0, "open: mode out of range", -EINVAL);
        r->mr[3] = bad_u64_above(h, MODE_MAX);
        break;
    case 3:
        open_path(h, r, "/bin/sh", plain_flags(h, 3), "open: access mode 3", -EINVAL);
        break;
    case 4:
        if (h->disk) { /* /dev's devices are writable: a name that is not there */
            open_path(h, r, "/dev/hostile.new", plain_flags(h, rw) | VFS_O_CREAT,
                      "open: create in /dev", -EROFS);
            break;
        }
        open_path(h, r, PICK(h, "/bin/sh", "/bin/true", "/bin/./sh"),
                  plain_flags(h, rw) | (rng_next(h) & VFS_O_CREAT), "open: /bin for writing",
                  -EROFS);
        break;
    case 5:
        open_path(h, r, PICK(h, "/bin/sh", "/tmp", "/dev/null"),
                  plain_flags(h, rng_below(h, 3)) | VFS_O_CREAT | VFS_O_EXCL,
                  "open: O_EXCL of what exists", -EEXIST);
        break;
    case 6:
        open_path(h, r, PICK(h, "/bin/sh", "/dev/null", "/dev/console"),
                  plain_flags(h, rng_below(h, 3)) | VFS_O_DIRECTORY, "open: O_DIRECTORY of a file",
                  -ENOTDIR);
        break;
    case 7:
        open_path(h, r, PICK(h, "/", "/tmp", "/bin", "/dev/"), plain_flags(h, rw),
                  "open: a directory for writing", -EISDIR);
        break;
    default:
        open_path(h, r, READ_ONLY(h, "/bin/hostile.new", "/dev/hostile.new"),
                  plain_flags(h, rng_below(h, 3)) | VFS_O_CREAT, "open: create in /bin or /dev",
                  -EROFS);
        break;
    }
}

/* A request on a bad descriptor: close, fstat, dup, isatty, tcgetpgrp,
 * dup2 (its first), lseek. */
static void fd_request(hostile_t *h, request_t *r)
{
    static const method_t one_fd[] = { { VFS_CLOSE, 1 },  { VFS_FSTAT, 1 },     { VFS_DUP, 1 },
                                       { VFS_ISATTY, 1 }, { VFS_TCGETPGRP, 1 }, { VFS_DUP2, 2 },
                                       { VFS_LSEEK, 3 } };
    const method_t *m = &one_fd[rng_below(h, sizeof(one_fd) / sizeof(one_fd[0]))];
    int64_t fd;
    request_set(r, m->label, m->words, "a descriptor that is not open", bad_fd(h, &fd));
    r->mr[0] = (seL4_Word)fd;
    r->mr[1] = rng_below(h, VFS_FD_MAX + 1); /* dup2's newfd; lseek's offset */
    r->mr[2] = rng_below(h, 3);              /* lseek's whence */
}

/* What read and write are both refused for, `choice` 0 or 1: a buffer
 * outside the window, a descriptor that is not open. */
static void io_refusal(hostile_t *h, request_t *r, uint64_t choice, const char *outside,
                       const char *not_open)
{
    if (choice == 0) {
        r->mr[0] = rng_below(h, VFS_FD_MAX + 1);
        put_bad_buffer(h, r, 1, 0, VFS_IO_MAX);
        r->what = outside;
        r->expect = -EINVAL;
    } else {
        int64_t fd;
        r->expect = bad_fd(h, &fd);
        r->mr[0] = (seL4_Word)fd;
        r->what = not_open;
    }
}

static void read_request(hostile_t *h, request_t *r)
{
    request_set(r, VFS_READ, 3, "", 0);
    put_buffer(h, r, 1, 0, 4096);
    uint64_t choice = rng_below(h, 4);
    if (choice < 2) {
        io_refusal(h, r, choice, "read: a buffer outside the window",
                   "read: a descriptor that is not open");
    } else if (choice == 2) {
        r->mr[0] = (seL4_Word)h->fd_pipe_write;
        request_set(r, VFS_READ, 3, "read: a pipe's write end", -EBADF);
    } else {
        r->mr[0] = (seL4_Word)h->fd_dir;
        request_set(r, VFS_READ, 3, "read: a directory", -EISDIR);
    }
}

static void write_request(hostile_t *h, request_t *r)
{
    request_set(r, VFS_WRITE, 3, "", 0);
    put_buffer(h, r, 1, 0, 4096);
    uint64_t choice = rng_below(h, 3);
    if (choice < 2) {
        io_refusal(h, r, choice, "write: a buffer outside the window",
                   "write: a descriptor that is not open");
    } else {
        r->mr[0] = (seL4_Word)PICK_INT(h, h->fd_pipe_read, h->fd_file, h->fd_dir);
        request_set(r, VFS_WRITE, 3, "write: a read-only descriptor", -EBADF);
    }
}

static void lseek_request(hostile_t *h, request_t *r)
{
    r->mr[1] = rng_next(h);
    r->mr[2] = rng_below(h, 3);
    switch (rng_below(h, 4)) {
    case 0:
        r->mr[0] = rng_below(h, VFS_FD_MAX + 1);
        r->mr[2] = bad_u64_above(h, VFS_SEEK_END);
        request_set(r, VFS_LSEEK, 3, "lseek: unknown whence", -EINVAL);
        break;
    case 1:
        r->mr[0] = (seL4_Word)PICK_INT(h, 0, 1, 2, h->fd_pipe_read, h->fd_pipe_write);
        request_set(r, VFS_LSEEK, 3, "lseek: the console or a pipe", -ESPIPE);
        break;
    case 2:
        r->mr[0] = (seL4_Word)h->fd_file;
        r->mr[1] = (seL4_Word)rng_range(h, INT64_MIN, -1);
        r->mr[2] = rng_below(h, 2); /* SET, or CUR from 0: it never moves */
        request_set(r, VFS_LSEEK, 3, "lseek: before the start", -EINVAL);
        break;
    default:
        r->mr[0] = (seL4_Word)h->fd_file;
        r->mr[1] = (seL4_Word)(rng_one_in(h, 2) ? INT64_MAX - (int64_t)rng_below(h, 1024)
                                                : rng_range(h, INT64_MIN, -(INT64_C(1) << 40)));
        r->mr[2] = VFS_SEEK_END;
        request_set(r, VFS_LSEEK, 3, "lseek: past the end of the range", -EINVAL);
        break;
    }
}

/* pread and pwrite: what read and write are refused for, and a negative
 * offset, and what cannot seek. None that would read or write is sent. */
static void positional_request(hostile_t *h, request_t *r)
{
    bool pwrite = rng_one_in(h, 2);
    request_set(r, pwrite ? VFS_PWRITE : VFS_PREAD, 4, "", 0);
    r->mr[0] = rng_below(h, VFS_FD_MAX + 1);
    r->mr[1] = rng_below(h, UINT64_C(1) << 40);
    put_buffer(h, r, 2, 0, 4096);
    int64_t fd;
    switch (rng_below(h, 5)) {
    case 0:
        put_bad_buffer(h, r, 2, 0, VFS_IO_MAX);
        r->what =
            pwrite ? "pwrite: a buffer outside the window" : "pread: a buffer outside the window";
        r->expect = -EINVAL;
        break;
    case 1:
        r->expect = bad_fd(h, &fd);
        r->mr[0] = (seL4_Word)fd;
        r->what = pwrite ? "pwrite: a descriptor that is not open"
                         : "pread: a descriptor that is not open";
        break;
    case 2:
        r->mr[1] = (seL4_Word)rng_range(h, INT64_MIN, -1);
        r->what = pwrite ? "pwrite: a negative offset" : "pread: a negative offset";
        r->expect = -EINVAL;
        break;
    case 3:
        r->mr[0] = (seL4_Word)PICK_INT(h, 0, 1, 2, h->fd_pipe_read, h->fd_pipe_write);
        r->what = pwrite ? "pwrite: the console or a pipe" : "pread: the console or a pipe";
        r->expect = -ESPIPE;
        break;
    default:
        if (pwrite) {
            r->mr[0] = (seL4_Word)PICK_INT(h, h->fd_file, h->fd_dir);
            request_set(r, VFS_PWRITE, 4, "pwrite: a read-only descriptor", -EBADF);
        } else {
            r->mr[0] = (seL4_Word)h->fd_dir;
            request_set(r, VFS_PREAD, 4, "pread: a directory", -EISDIR);
        }
        break;
    }
}

static void tty_request(hostile_t *h, request_t *r)
{
    int64_t fd;
    switch (rng_below(h, 4)) {
    case 0:
        r->mr[0] = (seL4_Word)not_a_tty(h);
        request_set(r, PICK_INT(h, VFS_ISATTY, VFS_TCGETPGRP), 1,
                    "isatty or tcgetpgrp: not a terminal", -ENOTTY);
        break;
    case 1:
        r->mr[0] = (seL4_Word)not_a_tty(h);
        r->mr[1] = (seL4_Word)rng_range(h, 1, VFS_PID_MAX);
        request_set(r, VFS_TCSETPGRP, 2, "tcsetpgrp: not a terminal", -ENOTTY);
        break;
    case 2:
        r->mr[0] = rng_below(h, 3);
        r->mr[1] = (seL4_Word)bad_i64(h, 1, VFS_PID_MAX);
        request_set(r, VFS_TCSETPGRP, 2, "tcsetpgrp: group out of range", -EINVAL);
        break;
    default:
        request_set(r, VFS_TCSETPGRP, 2, "tcsetpgrp: a descriptor that is not open",
                    bad_fd(h, &fd));
        r->mr[0] = (seL4_Word)fd;
        r->mr[1] = (seL4_Word)rng_range(h, 1, VFS_PID_MAX);
        break;
    }
}

static void dup2_request(hostile_t *h, request_t *r)
{
    r->mr[0] = (seL4_Word)not_a_tty(h);
    r->mr[1] = (seL4_Word)bad_i64(h, 0, VFS_FD_MAX);
    request_set(r, VFS_DUP2, 2, "dup2: new descriptor out of range", -EINVAL);
}

static void getdents_request(hostile_t *h, request_t *r)
{
    int64_t fd;
    put_buffer(h, r, 1, DIRENT_DOT, 4096);
    switch (rng_below(h, 4)) {
    case 0:
        r->mr[0] = (seL4_Word)h->fd_dir;
        put_bad_buffer(h, r, 1, 0, VFS_IO_MAX);
        request_set(r, VFS_GETDENTS, 3, "getdents: a buffer outside the window", -EINVAL);
        break;
    case 1:
        r->mr[0] = (seL4_Word)h->fd_dir;
        put_buffer(h, r, 1, 0, DIRENT_DOT - 1);
        request_set(r, VFS_GETDENTS, 3, "getdents: a buffer too small for a record", -EINVAL);
        break;
    case 2:
        r->mr[0] = (seL4_Word)PICK_INT(h, 0, h->fd_file, h->fd_pipe_read, h->fd_pipe_write);
        request_set(r, VFS_GETDENTS, 3, "getdents: not a directory", -ENOTDIR);
        break;
    default:
        request_set(r, VFS_GETDENTS, 3, "getdents: a descriptor that is not open", bad_fd(h, &fd));
        r->mr[0] = (seL4_Word)fd;
        break;
    }
}

static void getcwd_request(hostile_t *h, request_t *r)
{
    if (rng_one_in(h, 2)) {
        put_bad_buffer(h, r, 0, 1, VFS_IO_MAX);
        request_set(r, VFS_GETCWD, 2, "getcwd: a buffer outside the window", -EINVAL);
    } else {
        put_buffer(h, r, 0, 1, 1); /* no directory's name fits in one byte */
        request_set(r, VFS_GETCWD, 2, "getcwd: a buffer too small", -ERANGE);
    }
}

/* stat, chdir, rmdir, unlink, mkdir of a bad path. */
static void path_request(hostile_t *h, request_t *r)
{
    static const method_t one_path[] = {
        { VFS_STAT, 2 }, { VFS_CHDIR, 2 }, { VFS_RMDIR, 2 }, { VFS_UNLINK, 2 }, { VFS_MKDIR, 3 }
    };
    const method_t *m = &one_path[rng_below(h, sizeof(one_path) / sizeof(one_path[0]))];
    r->mr[2] = rng_below(h, MODE_MAX + 1); /* mkdir's mode */
    request_set(r, m->label, m->words, "a bad path", put_bad_path(h, r, 0, AT_FROM));
}

static void tree_request(hostile_t *h, request_t *r)
{
    r->mr[2] = rng_below(h, MODE_MAX + 1);
    switch (rng_below(h, 8)) {
    case 0:
        put_path(h, r, 0, AT_FROM, PICK(h, "/bin/sh", "/dev/null", "/bin/sh/"));
        request_set(r, VFS_CHDIR, 2, "chdir: not a directory", -ENOTDIR);
        break;
    case 1:
        put_path(h, r, 0, AT_FROM, PICK(h, "/", "/tmp", "/bin", "/dev", "/tmp/", "/bin/."));
        request_set(r, VFS_MKDIR, 3, "mkdir: what exists", -EEXIST);
        break;
    case 2:
        put_path(h, r, 0, AT_FROM, READ_ONLY(h, "/bin/hostile.new", "/dev/hostile.new"));
        request_set(r, VFS_MKDIR, 3, "mkdir: in /bin or /dev", -EROFS);
        break;
    case 3:
        put_path(h, r, 0, AT_FROM, "/tmp/hostile.new");
        r->mr[2] = bad_u64_above(h, MODE_MAX);
        request_set(r, VFS_MKDIR, 3, "mkdir: mode out of range", -EINVAL);
        break;
    case 4:
        put_path(h, r, 0, AT_FROM,
                 h->disk ? PICK(h, "/dev", "/dev/null", "/dev/zero")
                         : PICK(h, "/bin", "/dev", "/bin/sh", "/dev/null", "/bin/true/"));
        request_set(r, PICK_INT(h, VFS_RMDIR, VFS_UNLINK), 2, "rmdir or unlink: of /bin or /dev",
                    -EROFS);
        break;
    case 5:
        put_path(h, r, 0, AT_FROM, PICK(h, "/", "//", "///"));
        request_set(r, PICK_INT(h, VFS_RMDIR, VFS_UNLINK), 2, "rmdir or unlink: the root", -EBUSY);
        break;
    case 6:
        put_path(h, r, 0, AT_FROM, PICK(h, "/tmp/.", "/tmp/..", "/bin/."));
        request_set(r, VFS_RMDIR, 2, "rmdir: a dot", -EINVAL);
        break;
    default:
        put_path(h, r, 0, AT_FROM, PICK(h, "/tmp", "/home", "/tmp/"));
        request_set(r, VFS_UNLINK, 2, "unlink: a directory", -EISDIR);
        break;
    }
}

static void rename_request(hostile_t *h, request_t *r)
{
    put_path(h, r, 0, AT_FROM, "/tmp");
    put_path(h, r, 2, AT_TO, "/tmp/hostile.new");
    switch (rng_below(h, 6)) {
    case 0:
        request_set(r, VFS_RENAME, 4, "rename: from a bad path", put_bad_path(h, r, 0, AT_FROM));
        break;
    case 1:
        request_set(r, VFS_RENAME, 4, "rename: to a bad path", put_bad_path(h, r, 2, AT_TO));
        break;
    case 2:
        put_path(h, r, 0, AT_FROM,
                 h->disk ? PICK(h, "/dev/null", "/dev")
                         : PICK(h, "/bin/sh", "/dev/null", "/bin", "/dev"));
        request_set(r, VFS_RENAME, 4, "rename: from /bin or /dev", h->disk ? -EXDEV : -EROFS);
        break;
    case 3:
        request_set(r, VFS_RENAME, 4, "rename: a directory into itself", -EINVAL);
        break;
    case 4:
        put_path(h, r, 2, AT_TO,
                 h->disk ? "/dev/hostile.new"
                         : PICK(h, "/bin/hostile.new", "/dev/hostile.new", "/bin/sh"));
        /* from /tmp: with the disk, another file system (as Linux, EXDEV) */
        request_set(r, VFS_RENAME, 4, "rename: into /bin or /dev", h->disk ? -EXDEV : -EROFS);
        break;
    default:
        put_path(h, r, PICK_INT(h, 0, 2), PICK_INT(h, AT_FROM, AT_TO), "/");
        request_set(r, VFS_RENAME, 4, "rename: from or to the root", -EBUSY);
        break;
    }
}

/* pm's methods: privileged, whatever the arguments. */
static void privileged_request(hostile_t *h, request_t *r)
{
    static const method_t pm_only[] = { { VFS_PROC_CREATE, 4 }, { VFS_PROC_WINDOW, 3 },
                                        { VFS_PROC_EXIT, 1 },   { VFS_PROC_LOAD, 6 },
                                        { VFS_CLOCK, 2 },       { VFS_UNMOUNT, 0 } };
    const method_t *m = &pm_only[rng_below(h, sizeof(pm_only) / sizeof(pm_only[0]))];
    if (rng_one_in(h, 2)) {
        r->mr[0] = (seL4_Word)(rng_one_in(h, 2) ? h->pid : rng_range(h, 1, VFS_PID_MAX));
    }
    request_set(r, m->label, m->words, "a method only pm may call", -EPERM);
}

void vfs_request(hostile_t *h, request_t *r)
{
    /* open twice: it has the most ways to fail */
    static void (*const kinds[])(hostile_t *, request_t *) = {
        open_request, fd_request,     read_request,     write_request,      lseek_request,
        tty_request,  dup2_request,   getdents_request, getcwd_request,     path_request,
        tree_request, rename_request, open_request,     privileged_request, positional_request,
    };
    kinds[rng_below(h, sizeof(kinds) / sizeof(kinds[0]))](h, r);
}
