/* Descriptors: read, write, pread, pwrite, open, close, lseek, stat, fstat,
 * isatty, pipe, dup, dup2 -- each a vfs call, data through the data window. Without vfs
 * (a component started before it), writes to 1 and 2 go to the early
 * console. */
#include "convert.h"
#include "libos.h"

#include <errno.h>
#include <fcntl.h>
#include <keel/proto/vfs.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes one vfs call may move through the window. */
static size_t window_chunk(size_t want)
{
    size_t n = libos()->window_size;
    if (n > VFS_IO_MAX) {
        n = VFS_IO_MAX;
    }
    return want < n ? want : n;
}

static bool early_console(int fd)
{
    return libos()->vfs == 0 && (fd == STDOUT_FILENO || fd == STDERR_FILENO);
}

/* One vfs read or pread (at NULL: read) of at most a window's worth: a
 * short count is allowed (and what a pipe or the console gives), so a
 * second call that might block is never made. */
static ssize_t read_window(int fd, void *buf, size_t count, const off_t *at)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        errno = EBADF;
        return -1;
    }
    size_t chunk = window_chunk(count);
    if (chunk == 0 && count != 0) {
        errno = ENOBUFS;
        return -1;
    }
    long r = at != NULL ? vfs_pread(vfs, fd, *at, 0, chunk) : vfs_read(vfs, fd, 0, chunk);
    if (r > (long)chunk) {
        r = -EIO; /* more than asked: a broken server */
    }
    if (r > 0) {
        memcpy(buf, libos()->window, (size_t)r);
    }
    return libos_result(r);
}

ssize_t read(int fd, void *buf, size_t count)
{
    return read_window(fd, buf, count, NULL);
}

/* One vfs request (docs/posix.md): the descriptor's offset stays. */
ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
    if (offset < 0) {
        errno = EINVAL;
        return -1;
    }
    return read_window(fd, buf, count, &offset);
}

/* All of buf, a window's worth at a time, with write (at NULL) or pwrite
 * at *at onwards; a failure after some bytes were written returns their
 * count. */
static ssize_t write_windows(int fd, const void *buf, size_t count, const off_t *at)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        errno = EBADF;
        return -1;
    }
    const unsigned char *from = buf;
    size_t done = 0;
    do {
        size_t chunk = window_chunk(count - done);
        if (chunk == 0 && count != 0) {
            errno = ENOBUFS;
            return done > 0 ? (ssize_t)done : -1;
        }
        memcpy(libos()->window, from + done, chunk);
        long r = at != NULL ? vfs_pwrite(vfs, fd, *at + (off_t)done, 0, chunk)
                            : vfs_write(vfs, fd, 0, chunk);
        if (r < 0 || r > (long)chunk) {
            return done > 0 ? (ssize_t)done : libos_result(r < 0 ? r : -EIO);
        }
        if (r == 0 && chunk != 0) {
            break; /* no progress: do not spin */
        }
        done += (size_t)r;
    } while (done < count);
    return (ssize_t)done;
}

ssize_t write(int fd, const void *buf, size_t count)
{
    if (early_console(fd)) {
        libos_console_write(buf, count);
        return (ssize_t)count;
    }
    return write_windows(fd, buf, count, NULL);
}

/* One vfs request for up to a window's worth (docs/posix.md): the
 * descriptor's offset stays; O_APPEND does not move the bytes to the end. */
ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    if (offset < 0 || count > (size_t)(INT64_MAX - offset)) {
        errno = EINVAL;
        return -1;
    }
    return write_windows(fd, buf, count, &offset);
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if ((flags & O_CREAT) != 0) {
        va_list args;
        va_start(args, flags);
        mode = (mode_t)va_arg(args, int);
        va_end(args);
    }
    uint64_t wire;
    int error = libos_open_flags(flags, &wire);
    if (error != 0) {
        errno = error;
        return -1;
    }
    /* O_NOFOLLOW: a last component that is a symbolic link is ELOOP. Asked
     * before the open, so a link made in between is followed (vfs has no
     * such flag yet: docs/posix.md). */
    struct stat st;
    if ((flags & O_NOFOLLOW) != 0 && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        errno = ELOOP;
        return -1;
    }
    seL4_CPtr vfs = libos_vfs();
    long length = vfs != 0 ? libos_put_path(0, path) : -1;
    if (length < 0) {
        return -1;
    }
    return (int)libos_result(vfs_open(vfs, 0, (uint64_t)length, wire, mode & 07777));
}

int close(int fd)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    return vfs != 0 ? (int)libos_result(vfs_close(vfs, fd)) : -1;
}

off_t lseek(int fd, off_t offset, int whence)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    return vfs != 0 ? (off_t)libos_result(vfs_lseek(vfs, fd, offset, (uint64_t)whence)) : -1;
}

int stat(const char *path, struct stat *st)
{
    seL4_CPtr vfs = libos_vfs();
    long length = vfs != 0 ? libos_put_path(0, path) : -1;
    if (length < 0) {
        return -1;
    }
    libos_wire_stat_t w;
    long r =
        vfs_stat(vfs, 0, (uint64_t)length, &w.mode, &w.size, &w.ino, &w.dev, &w.nlink, &w.mtime);
    if (r >= 0) {
        libos_stat_fill(st, &w);
    }
    return (int)libos_result(r);
}

int fstat(int fd, struct stat *st)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        return -1;
    }
    libos_wire_stat_t w;
    long r = vfs_fstat(vfs, fd, &w.mode, &w.size, &w.ino, &w.dev, &w.nlink, &w.mtime);
    if (r >= 0) {
        libos_stat_fill(st, &w);
    }
    return (int)libos_result(r);
}

/* The early console counts as a terminal for 1 and 2. */
int isatty(int fd)
{
    if (early_console(fd)) {
        return 1;
    }
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        if (errno == ENOSYS) {
            errno = ENOTTY; /* no vfs: only the early console is a terminal */
        }
        return 0;
    }
    long r = vfs_isatty(vfs, fd);
    if (r < 0) {
        errno = (int)-r;
        return 0;
    }
    return r > 0;
}

int pipe(int fds[2])
{
    seL4_CPtr vfs = libos_vfs();
    if (vfs == 0) {
        return -1;
    }
    int64_t rfd, wfd;
    long r = vfs_pipe(vfs, &rfd, &wfd);
    if (r >= 0) {
        fds[0] = (int)rfd;
        fds[1] = (int)wfd;
    }
    return (int)libos_result(r);
}

int dup(int fd)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    return vfs != 0 ? (int)libos_result(vfs_dup(vfs, fd)) : -1;
}

int dup2(int fd, int newfd)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs != 0 && (newfd < 0 || newfd > VFS_FD_MAX)) {
        errno = EBADF;
        return -1;
    }
    return vfs != 0 ? (int)libos_result(vfs_dup2(vfs, fd, newfd)) : -1;
}

/* The terminal's foreground process group (vfs: Ctrl-C signals it). */
pid_t tcgetpgrp(int fd)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    return vfs != 0 ? (pid_t)libos_result(vfs_tcgetpgrp(vfs, fd)) : -1;
}

int tcsetpgrp(int fd, pid_t pgid)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    return vfs != 0 ? (int)libos_result(vfs_tcsetpgrp(vfs, fd, pgid)) : -1;
}

/* Keel's own (the shell's job control): make pgid the foreground group of
 * whichever of 0, 1, 2 is the terminal. */
int keel_set_foreground(pid_t pgid)
{
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        if (libos()->vfs != 0 && vfs_tcsetpgrp(libos()->vfs, fd, pgid) == 0) {
            return 0;
        }
    }
    errno = ENOTTY;
    return -1;
}
