/* The file calls that came with the disk (docs/posix.md): ftruncate,
 * fsync, sync, link, symlink, readlink, utime, utimes, access, fcntl
 * (with its record locks), chmod, fchmod, lstat, statvfs -- vfs calls,
 * paths and data in the data window. */
#include "convert.h"
#include "libos.h"

#include <errno.h>
#include <fcntl.h>
#include <keel/proto/vfs.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#define NAME_MAX_DISK 255

/* vfs and a path at the window's start, or 0 (errno set). */
static seL4_CPtr with_path(const char *path, uint64_t *length)
{
    seL4_CPtr vfs = libos_vfs();
    long n = vfs != 0 ? libos_put_path(0, path) : -1;
    if (n < 0) {
        return 0;
    }
    *length = (uint64_t)n;
    return vfs;
}

/* vfs and two paths in the window, the second right after the first. */
static seL4_CPtr with_paths(const char *a, const char *b, uint64_t *a_length, uint64_t *b_length)
{
    seL4_CPtr vfs = with_path(a, a_length);
    long n = vfs != 0 ? libos_put_path(*a_length, b) : -1;
    if (n < 0) {
        return 0;
    }
    *b_length = (uint64_t)n;
    return vfs;
}

int ftruncate(int fd, off_t length)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        return -1;
    }
    if (length < 0) {
        errno = EINVAL;
        return -1;
    }
    return (int)libos_result(vfs_ftruncate(vfs, fd, (uint64_t)length));
}

int truncate(const char *path, off_t length)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0) {
        return -1;
    }
    int r = ftruncate(fd, length);
    int saved = errno;
    close(fd);
    errno = saved;
    return r;
}

int fsync(int fd)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    return vfs != 0 ? (int)libos_result(vfs_fsync(vfs, fd)) : -1;
}

void sync(void)
{
    seL4_CPtr vfs = libos_vfs();
    if (vfs != 0) {
        vfs_sync(vfs);
    }
}

int link(const char *from, const char *to)
{
    uint64_t a, b;
    seL4_CPtr vfs = with_paths(from, to, &a, &b);
    return vfs != 0 ? (int)libos_result(vfs_link(vfs, 0, a, a, b)) : -1;
}

int symlink(const char *target, const char *path)
{
    uint64_t a, b;
    seL4_CPtr vfs = with_paths(target, path, &a, &b);
    return vfs != 0 ? (int)libos_result(vfs_symlink(vfs, 0, a, a, b)) : -1;
}

/* The target comes back into the window after the path. */
ssize_t readlink(const char *path, char *buf, size_t size)
{
    uint64_t length;
    seL4_CPtr vfs = with_path(path, &length);
    if (vfs == 0) {
        return -1;
    }
    const libos_env_t *env = libos();
    size_t room = env->window_size - length;
    size_t want = size < room ? size : room;
    if (want > VFS_PATH_MAX) {
        want = VFS_PATH_MAX;
    }
    if (want == 0) {
        errno = size == 0 ? EINVAL : ENOBUFS;
        return -1;
    }
    long r = vfs_readlink(vfs, 0, length, length, want);
    if (r > (long)want) {
        r = -EIO;
    }
    if (r > 0) {
        memcpy(buf, env->window + length, (size_t)r);
    }
    return (ssize_t)libos_result(r);
}

static int set_times(const char *path, time_t atime, time_t mtime)
{
    uint64_t length;
    seL4_CPtr vfs = with_path(path, &length);
    if (vfs == 0) {
        return -1;
    }
    if (atime < 0 || mtime < 0 || atime > 0xffffffff || mtime > 0xffffffff) {
        errno = EINVAL;
        return -1;
    }
    return (int)libos_result(vfs_utime(vfs, 0, length, atime, mtime));
}

int utime(const char *path, const struct utimbuf *times)
{
    time_t now = time(NULL);
    return times != NULL ? set_times(path, times->actime, times->modtime)
                         : set_times(path, now, now);
}

int utimes(const char *path, const struct timeval times[2])
{
    time_t now = time(NULL);
    return times != NULL ? set_times(path, times[0].tv_sec, times[1].tv_sec)
                         : set_times(path, now, now);
}

int access(const char *path, int mode)
{
    uint64_t length;
    seL4_CPtr vfs = with_path(path, &length);
    if (vfs == 0) {
        return -1;
    }
    if ((mode & ~(R_OK | W_OK | X_OK)) != 0) {
        errno = EINVAL;
        return -1;
    }
    uint64_t wire = ((mode & R_OK) ? 4 : 0) | ((mode & W_OK) ? 2 : 0) | ((mode & X_OK) ? 1 : 0);
    return (int)libos_result(vfs_access(vfs, 0, length, wire));
}

/* The absolute byte range [*start, *start + *length) of a struct flock
 * (length 0: without end), or EINVAL. */
static int lock_range(int fd, const struct flock *lock, int64_t *start, int64_t *length)
{
    int64_t base = 0;
    if (lock->l_whence == SEEK_CUR || lock->l_whence == SEEK_END) {
        struct stat st;
        off_t at = lock->l_whence == SEEK_CUR ? lseek(fd, 0, SEEK_CUR)
                   : fstat(fd, &st) == 0      ? st.st_size
                                              : -1;
        if (at < 0) {
            return errno;
        }
        base = at;
    } else if (lock->l_whence != SEEK_SET) {
        return EINVAL;
    }
    int64_t from = base + lock->l_start, len = lock->l_len;
    if (len < 0) { /* the bytes before l_start */
        from += len;
        len = -len;
    }
    if (from < 0 || (len > 0 && from > INT64_MAX - len)) {
        return EINVAL;
    }
    *start = from;
    *length = len;
    return 0;
}

static int lock_type_to_wire(short type, uint64_t *wire)
{
    *wire = type == F_RDLCK   ? VFS_LOCK_RDLCK
            : type == F_WRLCK ? VFS_LOCK_WRLCK
            : type == F_UNLCK ? VFS_LOCK_UNLCK
                              : UINT64_MAX;
    return *wire == UINT64_MAX ? EINVAL : 0;
}

/* F_GETLK, F_SETLK, F_SETLKW through vfs's lock table (docs/posix.md
 * "Record locks"); F_SETLKW tries again every 10 ms while another process
 * holds a conflicting lock. */
static int record_lock(seL4_CPtr vfs, int fd, int cmd, struct flock *lock)
{
    if (lock == NULL) {
        errno = EFAULT;
        return -1;
    }
    int64_t start, length;
    uint64_t type;
    int error = lock_range(fd, lock, &start, &length);
    if (error == 0) {
        error = lock_type_to_wire(lock->l_type, &type);
    }
    if (error != 0) {
        errno = error;
        return -1;
    }
    uint64_t wire_cmd = cmd == F_GETLK ? VFS_LOCK_GET : VFS_LOCK_SET;
    uint64_t found_type;
    int64_t found_start, found_length, found_pid;
    long r;
    while ((r = vfs_lock(vfs, fd, wire_cmd, type, start, length, &found_type, &found_start,
                         &found_length, &found_pid)) == -EAGAIN &&
           cmd == F_SETLKW) {
        usleep(10000);
    }
    if (r < 0) {
        return (int)libos_result(r);
    }
    if (cmd == F_GETLK) {
        lock->l_type = found_type == VFS_LOCK_RDLCK   ? F_RDLCK
                       : found_type == VFS_LOCK_WRLCK ? F_WRLCK
                                                      : F_UNLCK;
        if (found_type != VFS_LOCK_UNLCK) {
            lock->l_whence = SEEK_SET;
            lock->l_start = (off_t)found_start;
            lock->l_len = (off_t)found_length;
            lock->l_pid = (short)found_pid;
        }
    }
    return 0;
}

int fcntl(int fd, int cmd, ...)
{
    va_list args;
    va_start(args, cmd);
    int arg = cmd == F_DUPFD || cmd == F_SETFL || cmd == F_SETFD ? va_arg(args, int) : 0;
    struct flock *lock =
        cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW ? va_arg(args, struct flock *) : NULL;
    va_end(args);
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        return -1;
    }
    uint64_t wire;
    switch (cmd) {
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
        return record_lock(vfs, fd, cmd, lock);
    case F_DUPFD:
        if (arg < 0) {
            errno = EINVAL;
            return -1;
        }
        return (int)libos_result(vfs_fcntl(vfs, fd, VFS_FCNTL_DUPFD, arg));
    case F_GETFD:
    case F_SETFD:
        return (int)libos_result(vfs_fcntl(vfs, fd, VFS_FCNTL_GETFD, 0));
    case F_GETFL: {
        long r = vfs_fcntl(vfs, fd, VFS_FCNTL_GETFL, 0);
        return r < 0 ? (int)libos_result(r) : libos_flags_from_wire((uint64_t)r);
    }
    case F_SETFL:
        /* as Linux, only the flags F_SETFL may change count: O_APPEND, O_NONBLOCK */
        if (libos_open_flags((arg & (O_APPEND | O_NONBLOCK)) | O_RDONLY, &wire) != 0) {
            errno = EINVAL;
            return -1;
        }
        return (int)libos_result(vfs_fcntl(vfs, fd, VFS_FCNTL_SETFL, (int64_t)wire));
    default:
        errno = EINVAL;
        return -1;
    }
}

/* chmod and fchmod: vfs keeps a file's permissions but has no call to
 * change them yet: a mode the file has already is success, any other
 * ENOSYS (docs/posix.md). */
static int same_mode(int found, const struct stat *st, mode_t mode)
{
    if (found != 0) {
        return -1;
    }
    if ((mode & ~(mode_t)07777) != 0) {
        errno = EINVAL;
        return -1;
    }
    if ((st->st_mode & 07777) != mode) {
        errno = ENOSYS;
        return -1;
    }
    return 0;
}

int chmod(const char *path, mode_t mode)
{
    struct stat st;
    return same_mode(stat(path, &st), &st, mode);
}

int fchmod(int fd, mode_t mode)
{
    struct stat st;
    return same_mode(fstat(fd, &st), &st, mode);
}

int lstat(const char *path, struct stat *st)
{
    uint64_t length;
    seL4_CPtr vfs = with_path(path, &length);
    if (vfs == 0) {
        return -1;
    }
    libos_wire_stat_t w;
    long r = vfs_lstat(vfs, 0, length, &w.mode, &w.size, &w.ino, &w.dev, &w.nlink, &w.mtime);
    if (r >= 0) {
        libos_stat_fill(st, &w);
    }
    return (int)libos_result(r);
}

int statvfs(const char *path, struct statvfs *buf)
{
    uint64_t length;
    seL4_CPtr vfs = with_path(path, &length);
    if (vfs == 0) {
        return -1;
    }
    uint64_t bsize, blocks, bfree, bavail, files, ffree;
    long r = vfs_statfs(vfs, 0, length, &bsize, &blocks, &bfree, &bavail, &files, &ffree);
    if (r < 0) {
        return (int)libos_result(r);
    }
    *buf = (struct statvfs){ .f_bsize = bsize,
                             .f_frsize = bsize,
                             .f_blocks = blocks,
                             .f_bfree = bfree,
                             .f_bavail = bavail,
                             .f_files = files,
                             .f_ffree = ffree,
                             .f_favail = ffree,
                             .f_namemax = NAME_MAX_DISK };
    return 0;
}
