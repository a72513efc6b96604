/* Conversions between the C library's types and the wire's (convert.h). */
#include "convert.h"

#include <errno.h>
#include <fcntl.h>
#include <keel/proto/vfs_defs.h>
#include <sys/types.h>

#define NS_PER_SECOND UINT64_C(1000000000)

long libos_result(long r)
{
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

/* Flags with a wire equivalent, and the flags accepted as no-ops. */
static const struct {
    int flag;
    uint64_t wire;
} open_flag_map[] = {
    { O_CREAT, VFS_O_CREAT }, { O_TRUNC, VFS_O_TRUNC },         { O_APPEND, VFS_O_APPEND },
    { O_EXCL, VFS_O_EXCL },   { O_DIRECTORY, VFS_O_DIRECTORY }, { O_NONBLOCK, VFS_O_NONBLOCK },
};
/* O_SYNC and O_DSYNC ask for what every write to the disk is already
 * (on the disk when it returns); O_NOFOLLOW is open's own check (io.c);
 * O_BINARY means nothing on POSIX. */
#ifndef O_BINARY
#define O_BINARY 0
#endif
#ifndef O_DSYNC
#define O_DSYNC O_SYNC
#endif
#define OPEN_FLAGS_IGNORED (O_NOCTTY | O_CLOEXEC | O_SYNC | O_DSYNC | O_NOFOLLOW | O_BINARY)

int libos_open_flags(int flags, uint64_t *wire)
{
    uint64_t out;
    switch (flags & O_ACCMODE) {
    case O_RDONLY:
        out = VFS_O_RDONLY;
        break;
    case O_WRONLY:
        out = VFS_O_WRONLY;
        break;
    case O_RDWR:
        out = VFS_O_RDWR;
        break;
    default:
        return EINVAL;
    }
    int rest = flags & ~O_ACCMODE & ~OPEN_FLAGS_IGNORED;
    for (size_t i = 0; i < sizeof(open_flag_map) / sizeof(open_flag_map[0]); i++) {
        if ((rest & open_flag_map[i].flag) != 0) {
            out |= open_flag_map[i].wire;
            rest &= ~open_flag_map[i].flag;
        }
    }
    if (rest != 0) {
        return EINVAL;
    }
    *wire = out;
    return 0;
}

int libos_flags_from_wire(uint64_t wire)
{
    int flags = (wire & 3) == VFS_O_WRONLY ? O_WRONLY
                : (wire & 3) == VFS_O_RDWR ? O_RDWR
                                           : O_RDONLY;
    for (size_t i = 0; i < sizeof(open_flag_map) / sizeof(open_flag_map[0]); i++) {
        if ((wire & open_flag_map[i].wire) != 0) {
            flags |= open_flag_map[i].flag;
        }
    }
    return flags;
}

void libos_stat_fill(struct stat *st, const libos_wire_stat_t *w)
{
    *st = (struct stat){ 0 };
    st->st_mode = (mode_t)w->mode;
    st->st_size = (off_t)w->size;
    st->st_ino = (ino_t)w->ino;
    st->st_dev = (dev_t)w->dev;
    st->st_nlink = (nlink_t)w->nlink;
    st->st_mtime = (time_t)w->mtime;
    st->st_atime = (time_t)w->mtime;
    st->st_ctime = (time_t)w->mtime;
    st->st_blksize = 512;
    st->st_blocks = (blkcnt_t)((w->size + 511) / 512);
}

/* Split before multiplying so that nothing overflows: the remainder is
 * below the frequency, and rem * 1e9 fits 64 bits for any frequency below
 * 2^34 Hz (the architecture fixes 1 GHz from Armv8.6 on). */
void libos_counter_to_timespec(uint64_t count, uint64_t frequency, struct timespec *ts)
{
    uint64_t seconds = count / frequency;
    uint64_t rem = count % frequency;
    ts->tv_sec = (time_t)seconds;
    ts->tv_nsec = (long)(rem * NS_PER_SECOND / frequency);
}

void libos_realtime(int64_t seconds, uint64_t at, uint64_t now, uint64_t frequency,
                    struct timespec *ts)
{
    libos_counter_to_timespec(now > at ? now - at : 0, frequency, ts);
    ts->tv_sec += (time_t)seconds;
}

int libos_timespec_to_ns(const struct timespec *ts, uint64_t *ns)
{
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || (uint64_t)ts->tv_nsec >= NS_PER_SECOND) {
        return EINVAL;
    }
    uint64_t seconds = (uint64_t)ts->tv_sec;
    if (seconds >= LIBOS_SLEEP_MAX_NS / NS_PER_SECOND) {
        *ns = LIBOS_SLEEP_MAX_NS;
        return 0;
    }
    *ns = seconds * NS_PER_SECOND + (uint64_t)ts->tv_nsec;
    return 0;
}
