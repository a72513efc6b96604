/* statvfs (POSIX), which picolibc leaves to the system: libos's files.c
 * asks vfs (proto/vfs.proto statfs) for the file system holding a path. */
#pragma once

#include <sys/types.h>

struct statvfs {
    unsigned long f_bsize;  /* block size */
    unsigned long f_frsize; /* fundamental block size: the same */
    fsblkcnt_t f_blocks;    /* blocks, in f_frsize units */
    fsblkcnt_t f_bfree;     /* free blocks */
    fsblkcnt_t f_bavail;    /* free blocks an unprivileged caller may use */
    fsfilcnt_t f_files;     /* inodes */
    fsfilcnt_t f_ffree;
    fsfilcnt_t f_favail;
    unsigned long f_fsid;
    unsigned long f_flag;
    unsigned long f_namemax;
};

#define ST_RDONLY 1
#define ST_NOSUID 2

int statvfs(const char *path, struct statvfs *buf);
