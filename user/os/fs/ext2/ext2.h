/* Keel's ext2 library (docs/ext2.md): a file system of revision 1 as
 * `mke2fs -t ext2` makes it, over a caller's block device and in caller
 * memory (no allocation, no global state, no stdio), checking everything it
 * reads from the disk. The ext2 server wraps it; tests/host/ext2tool.c
 * drives it on the host.
 *
 * Every function returns >= 0 on success or a negated errno value (by its
 * symbolic name: the numbers differ between libcs). -EIO means a device
 * error or a corrupted structure on the disk (the device's log hook says
 * which); the file system stays usable for what is intact. Calls are not
 * reentrant: one thread uses an ext2_fs_t at a time. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXT2_ROOT_INO 2u
#define EXT2_NAME_MAX 255u
#define EXT2_PATH_MAX 4096u   /* the longest path ext2_resolve expands */
#define EXT2_SYMLINK_LOOPS 40 /* symbolic links one resolution may follow */
#define EXT2_LINK_MAX 32000u  /* links of one inode (subdirectories + 2 for a directory) */

/* The block device: 512-byte sectors. read/write return 0 or -EIO. */
typedef struct ext2_blockdev {
    void *ctx;
    int (*read)(void *ctx, uint64_t sector, uint32_t count, void *buf);
    int (*write)(void *ctx, uint64_t sector, uint32_t count, const void *buf);
    int (*flush)(void *ctx);                     /* make earlier writes durable */
    void (*log)(void *ctx, const char *message); /* optional: why something gave EIO */
    uint64_t sectors;                            /* the device's size */
} ext2_blockdev_t;

/* Mount flags. */
#define EXT2_MOUNT_READONLY 0x1u
/* After each operation that changed the file system, write what it changed
 * (data, then the metadata in an order that leaves at most leaked space if
 * the writes are cut short) and flush: the disk holds each operation whole
 * or not at all. Without it: write-back, blocks reach the disk on eviction,
 * ext2_sync, ext2_fsync and ext2_unmount. */
#define EXT2_MOUNT_SYNC_META 0x2u
/* Leave the orphan list alone at mount: a restarted server whose client
 * (vfs) still holds those inodes open, and releases them later. */
#define EXT2_MOUNT_KEEP_ORPHANS 0x4u

/* ext2_mount's positive result: mounted read-only, though read-write was
 * asked, because of a feature this library cannot write. */
#define EXT2_MOUNTED_READONLY 1

/* File types of ext2_readdir (the on-disk file_type codes). */
#define EXT2_FT_UNKNOWN 0u
#define EXT2_FT_REG 1u
#define EXT2_FT_DIR 2u
#define EXT2_FT_CHR 3u
#define EXT2_FT_BLK 4u
#define EXT2_FT_FIFO 5u
#define EXT2_FT_SOCK 6u
#define EXT2_FT_SYMLINK 7u

typedef struct ext2_attr {
    uint32_t ino;
    uint16_t mode; /* type and permission bits, as st_mode */
    uint16_t nlink;
    uint32_t uid, gid;
    uint64_t size;
    uint32_t atime, mtime, ctime; /* seconds since 1970 */
    uint64_t blocks;              /* 512-byte units, indirect blocks included */
    uint32_t rdev_major, rdev_minor;
    uint32_t generation; /* one more at each allocation of the inode */
} ext2_attr_t;

/* What ext2_setattr changes: the fields whose bit is in `valid`. */
#define EXT2_SET_MODE 0x01u /* permission bits (07777) only; the type stays */
#define EXT2_SET_UID 0x02u
#define EXT2_SET_GID 0x04u
#define EXT2_SET_ATIME 0x08u
#define EXT2_SET_MTIME 0x10u

typedef struct ext2_setattr {
    unsigned valid;
    uint16_t mode;
    uint32_t uid, gid;
    uint32_t atime, mtime;
} ext2_setattr_t;

typedef struct ext2_statfs {
    uint32_t block_size;
    uint64_t blocks, blocks_free, blocks_avail; /* avail: free less the reserved */
    uint64_t inodes, inodes_free;
    uint32_t name_max;
} ext2_statfs_t;

/* ext2_readdir's callback: one entry. Nonzero stops the walk before this
 * entry, which the next call (from the same cookie) delivers again. It may
 * not call the library (-EBUSY): collect, then look at what it gave. */
typedef int ext2_dirent_cb(void *arg, uint32_t ino, unsigned type, const char *name, size_t len);

/* Counters, for tests and the server's statistics. */
typedef struct ext2_stats {
    uint64_t hits, misses;  /* block cache lookups */
    uint64_t reads, writes; /* device requests */
    uint64_t flushes;       /* device flushes */
    uint64_t commits;       /* EXT2_MOUNT_SYNC_META commits */
    uint64_t early_meta;    /* metadata written before its operation ended (cache full) */
    uint64_t rollbacks;     /* failed operations whose changes were dropped */
} ext2_stats_t;

/* The block cache's private state (bcache.c); its entries and blocks live in
 * the memory given to ext2_mount. */
struct ext2_cache_entry;
typedef struct ext2_bcache {
    struct ext2_cache_entry *entries;
    int32_t *buckets; /* hash chains by block number, -1 ends */
    uint8_t *data;    /* count blocks */
    uint32_t count, hash_mask;
    uint32_t pinned; /* entries in use: none between calls */
    uint64_t clock;  /* last-use stamps for LRU */
    /* The dirty buffers: a list (through their dnext/dprev) and how many
     * of each kind, so that a commit visits only them. */
    int32_t dirty_head;
    uint32_t dirty_count[8];
} ext2_bcache_t;

/* A mounted file system. Private: only this library's functions touch the
 * fields. About 6.5 KiB (two copies of the superblock and a path buffer). */
typedef struct ext2_fs {
    ext2_blockdev_t dev;
    ext2_bcache_t cache;
    unsigned flags; /* EXT2_MOUNT_* as mounted */
    bool mounted;
    bool readonly;     /* asked, or forced by a feature */
    bool broken;       /* a device write failed: no more changes */
    bool sb_dirty;     /* the superblock copy differs from the disk */
    bool op_active;    /* inside a call (readdir's callback may not call in) */
    bool op_write;     /* the running operation may change the disk */
    bool op_drops;     /* the running operation removed references (super.c, commit) */
    bool op_early;     /* ... and had metadata written early (cache full) */
    uint32_t now;      /* ext2_set_time */
    uint32_t uid, gid; /* ext2_set_owner: owner of new inodes */

    /* From the superblock, checked at mount. */
    uint32_t block_size, log_block_size; /* log2 of block_size */
    uint32_t sectors_per_block, addr_per_block;
    uint32_t blocks_count, inodes_count, first_data_block;
    uint32_t blocks_per_group, inodes_per_group, inode_size, first_ino;
    uint32_t groups, gdt_blocks, reserved_gdt, itable_blocks;
    uint32_t compat, incompat, ro_compat;
    uint64_t max_file_size;

    ext2_stats_t stats;
    uint8_t sb[1024];         /* the primary superblock */
    uint8_t sb_saved[1024];   /* at the start of an operation, for rollback */
    char path[EXT2_PATH_MAX]; /* ext2_resolve's symlink expansion */
} ext2_fs_t;

/* The cache memory ext2_mount needs for n blocks of block_size bytes (it
 * takes as many as fit, at least EXT2_CACHE_MIN_BLOCKS). */
#define EXT2_CACHE_MIN_BLOCKS 24u
#define EXT2_CACHE_ENTRY_BYTES 40u
#define EXT2_CACHE_BYTES(n, block_size)                                                            \
    ((size_t)(n) * ((block_size) + EXT2_CACHE_ENTRY_BYTES + 8u) + 256u)

/* Mount the file system on dev, with `cache` (cache_bytes, any alignment) as
 * the block cache; dev is copied. 0, EXT2_MOUNTED_READONLY, -EINVAL (bad
 * arguments, or an INCOMPAT feature this library cannot read), -ENOMEM
 * (cache too small), -EIO (no ext2 superblock, a corrupted one, a device
 * error). Read-write marks the superblock not clean on the disk until
 * ext2_unmount, and frees the inodes on the orphan list (unlinked while
 * open when the file system was last in use: nobody has them open now),
 * unless EXT2_MOUNT_KEEP_ORPHANS says somebody still does. */
int ext2_mount(ext2_fs_t *fs, const ext2_blockdev_t *dev, void *cache, size_t cache_bytes,
               unsigned flags);
/* Write everything, mark the file system clean, flush. The fs is unmounted
 * even when this returns -EIO. */
int ext2_unmount(ext2_fs_t *fs);
/* Write every dirty block, the superblock, flush. ext2_fsync does the same
 * (the cache does not know which blocks belong to which file). */
int ext2_sync(ext2_fs_t *fs);
int ext2_fsync(ext2_fs_t *fs, uint32_t ino);
int ext2_statfs(ext2_fs_t *fs, ext2_statfs_t *out);

/* Timestamps and owner for what follows; kept by ext2_mount, so they may
 * be set on a zeroed ext2_fs_t before it (for the mount time). */
void ext2_set_time(ext2_fs_t *fs, uint32_t seconds_since_1970);
void ext2_set_owner(ext2_fs_t *fs, uint32_t uid, uint32_t gid);

int ext2_getattr(ext2_fs_t *fs, uint32_t ino, ext2_attr_t *out);
/* ctime becomes now. */
int ext2_setattr(ext2_fs_t *fs, uint32_t ino, const ext2_setattr_t *what);

/* The inode named `name` (len bytes, no NUL needed) in directory dir:
 * -ENOENT, -ENOTDIR, -ENAMETOOLONG. */
int ext2_lookup(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);
/* Path resolution from start (absolute paths from the root), following
 * symbolic links (at most EXT2_SYMLINK_LOOPS: -ELOOP); with
 * EXT2_RESOLVE_NOFOLLOW a final symbolic link is not followed. A trailing
 * slash asks for a directory. */
#define EXT2_RESOLVE_NOFOLLOW 0x1u
int ext2_resolve(ext2_fs_t *fs, uint32_t start, const char *path, size_t len, unsigned flags,
                 uint32_t *ino);
/* The directory holding the last component of path, and that component
 * (pointing into path; trailing slashes are not part of it): for the calls
 * that create or remove a name. -EINVAL for a path without a last name
 * ("/"); the name may be "." or "..", which those calls refuse. */
int ext2_resolve_parent(ext2_fs_t *fs, uint32_t start, const char *path, size_t len, uint32_t *dir,
                        const char **name, size_t *name_len);

/* Bytes read (0 at or past the end); holes read as zeroes. -EISDIR for a
 * directory. Reads do not change atime (see ext2_setattr). */
int ext2_read(ext2_fs_t *fs, uint32_t ino, uint64_t offset, void *buf, size_t len);
/* Bytes written, fewer than len when the disk filled (0 < result < len),
 * -ENOSPC when none; -EFBIG at or past the size limit. len is at most
 * INT32_MAX. mtime and ctime become now. */
int ext2_write(ext2_fs_t *fs, uint32_t ino, uint64_t offset, const void *buf, size_t len);
/* Grow (the new part is a hole) or shrink, freeing blocks and the indirect
 * blocks that no longer map anything. */
int ext2_truncate(ext2_fs_t *fs, uint32_t ino, uint64_t size);

/* New entries. mode: permission bits (the type is implied). -EEXIST,
 * -ENOSPC, -EMLINK, -ENAMETOOLONG, -EINVAL (a name with '/', ".", ".."). */
int ext2_create(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
                uint32_t *ino);
int ext2_mkdir(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
               uint32_t *ino);
int ext2_symlink(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, const char *target,
                 size_t target_len, uint32_t *ino);
/* Another name for ino (not a directory: -EPERM). */
int ext2_link(ext2_fs_t *fs, uint32_t ino, uint32_t dir, const char *name, size_t len);
/* The target of a symbolic link, up to size bytes, no NUL added: its length. */
int ext2_readlink(ext2_fs_t *fs, uint32_t ino, char *buf, size_t size);

/* Removing names. Each drops a link; when the inode's link count reaches 0
 * its number goes to *dropped (else 0 does). With dropped NULL the inode is
 * freed at once; otherwise the caller calls ext2_release when nobody has it
 * open any more (until then it reads and writes as before). */
int ext2_unlink(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint32_t *dropped);
/* -ENOTEMPTY, -ENOTDIR, -EINVAL for "." and "..". */
int ext2_rmdir(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint32_t *dropped);
/* POSIX rename: replaces a non-directory, or an empty directory by a
 * directory (-EISDIR, -ENOTDIR, -ENOTEMPTY otherwise); -EINVAL moving a
 * directory into itself or below, or naming "." or ".."; a directory moved
 * to another parent has its ".." and both parents' link counts updated.
 * *dropped as for ext2_unlink (the replaced inode). */
int ext2_rename(ext2_fs_t *fs, uint32_t old_dir, const char *old_name, size_t old_len,
                uint32_t new_dir, const char *new_name, size_t new_len, uint32_t *dropped);
/* The caller's last reference to ino is gone: an inode without links is
 * freed now (its blocks too). 0 and nothing done otherwise. */
int ext2_release(ext2_fs_t *fs, uint32_t ino);

/* Entries of dir from *cookie (0: the first), advancing *cookie past each
 * entry delivered. 0 at the end of the directory, 1 when cb stopped. */
int ext2_readdir(ext2_fs_t *fs, uint32_t dir, uint64_t *cookie, ext2_dirent_cb *cb, void *arg);
