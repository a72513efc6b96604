/* The file-system channel (docs/storage.md "vfs and the ext2 server"):
 * vfs asks a file-system server through the rings of a channel
 * (keel/os/ring.h), one request at a time. The channel's first page holds
 * the rings; the request, the reply, two paths and the data are at fixed
 * places of the pages after it. A request entry carries the operation in
 * `op` and vfs's sequence number in `cookie`; the completion echoes the
 * cookie, and the reply block holds the result.
 *
 * Paths are absolute, without "." or ".." components (vfs made them so),
 * NUL-terminated within KEEL_FS_PATH_MAX. Every field comes from the other
 * side and is checked before use: the server treats vfs as it would any
 * client, vfs treats the server's reply the same way. */
#pragma once

#include <stdint.h>

enum keel_fs_op {
    KEEL_FS_LOOKUP = 1,    /* path (flags KEEL_FS_NOFOLLOW) -> attr */
    KEEL_FS_OPEN = 2,      /* path, flags (VFS O_* bits), mode -> attr; the inode is held open */
    KEEL_FS_CLOSE = 3,     /* ino: one open reference fewer */
    KEEL_FS_READ = 4,      /* ino, offset, length -> result bytes in the data area, attr */
    KEEL_FS_WRITE = 5,     /* ino, offset, length bytes of the data area -> result bytes */
    KEEL_FS_TRUNCATE = 6,  /* ino, offset (the new size) */
    KEEL_FS_GETATTR = 7,   /* ino -> attr */
    KEEL_FS_READDIR = 8,   /* ino, offset (cookie), length -> records (keel/os/dirent.h) and
                              attr.size = the next cookie */
    KEEL_FS_MKDIR = 9,     /* path, mode */
    KEEL_FS_RMDIR = 10,    /* path */
    KEEL_FS_UNLINK = 11,   /* path */
    KEEL_FS_RENAME = 12,   /* path -> path2 */
    KEEL_FS_LINK = 13,     /* path (existing) -> path2 (new) */
    KEEL_FS_SYMLINK = 14,  /* path2 (the link) holding path (the target) */
    KEEL_FS_READLINK = 15, /* path -> result bytes in the data area */
    KEEL_FS_SETATTR = 16,  /* path; flags KEEL_FS_SET_*: mode, atime, mtime */
    KEEL_FS_SYNC = 17,     /* everything to the disk */
    KEEL_FS_FSYNC = 18,    /* ino's data and metadata to the disk */
    KEEL_FS_STATFS = 19,   /* -> statfs */
    KEEL_FS_REOPEN = 20,   /* ino: held open again (vfs after a restart of the server) */
    KEEL_FS_UNMOUNT = 21,  /* the system stops: written out, marked clean; nothing after */
};

#define KEEL_FS_NOFOLLOW 0x1u /* LOOKUP: a final symbolic link is not followed */
#define KEEL_FS_SET_MODE 0x1u /* SETATTR */
#define KEEL_FS_SET_ATIME 0x2u
#define KEEL_FS_SET_MTIME 0x4u

#define KEEL_FS_PATH_MAX 1024
#define KEEL_FS_DATA_MAX 65536

typedef struct keel_fs_attr {
    uint64_t ino;
    uint64_t mode; /* type and permission bits, S_IF* as Linux numbers them */
    uint64_t nlink;
    uint64_t size;
    uint64_t blocks; /* 512-byte units */
    int64_t atime, mtime, ctime;
    uint64_t uid, gid;
    uint64_t generation; /* a new one each time the inode number is given out */
} keel_fs_attr_t;

typedef struct keel_fs_request {
    uint32_t op;
    uint32_t flags;
    uint64_t ino;
    uint64_t offset;
    uint64_t length;
    uint64_t mode;
    int64_t atime, mtime;
    int64_t now; /* seconds since 1970: timestamps of what changes */
} keel_fs_request_t;

typedef struct keel_fs_statfs {
    uint64_t block_size;
    uint64_t blocks, blocks_free, blocks_avail;
    uint64_t inodes, inodes_free;
} keel_fs_statfs_t;

typedef struct keel_fs_reply {
    int64_t result; /* >= 0, or a negated errno (picolibc's numbers) */
    keel_fs_attr_t attr;
    keel_fs_statfs_t statfs;
} keel_fs_reply_t;

/* Where each part lives in the channel region. */
#define KEEL_FS_REQUEST_AT 0x1000u
#define KEEL_FS_REPLY_AT 0x1400u
#define KEEL_FS_PATH_AT 0x2000u
#define KEEL_FS_PATH2_AT (KEEL_FS_PATH_AT + KEEL_FS_PATH_MAX)
#define KEEL_FS_DATA_AT 0x3000u
#define KEEL_FS_REGION_SIZE (KEEL_FS_DATA_AT + KEEL_FS_DATA_MAX) /* 19 pages */

_Static_assert(sizeof(keel_fs_request_t) <= KEEL_FS_REPLY_AT - KEEL_FS_REQUEST_AT, "request");
_Static_assert(sizeof(keel_fs_reply_t) <= KEEL_FS_PATH_AT - KEEL_FS_REPLY_AT, "reply");
_Static_assert(KEEL_FS_PATH2_AT + KEEL_FS_PATH_MAX <= KEEL_FS_DATA_AT, "paths");
