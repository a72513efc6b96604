/* What the files of the ext2 library share among themselves: the block
 * cache, group descriptors, the decoded inode, the block map, allocation,
 * directories, and the operation bracket. Not for callers (ext2.h). */
#pragma once

#include "ext2.h"
#include "layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* report.c: one log line through dev.log. fs_corrupt logs "ext2: OBJECT
 * NUMBER: PROBLEM (VALUE)" and returns -EIO; NO_VALUE leaves out the value,
 * a NULL object the object. */
#define NO_VALUE UINT64_MAX
int fs_corrupt(ext2_fs_t *fs, const char *object, uint64_t number, const char *problem,
               uint64_t value);
void fs_note(ext2_fs_t *fs, const char *object, uint64_t number, const char *message);

/* bcache.c: the block cache. A buffer is one cached block, pinned between
 * buf_get and buf_put (a pinned buffer is never evicted or reused). Its
 * kind says which write class it belongs to under EXT2_MOUNT_SYNC_META. */
enum buf_kind {
    BUF_DATA = 0,  /* file contents: written first, may be written early */
    BUF_MAP = 1,   /* bitmaps and group descriptors (and the superblock) */
    BUF_NEW = 2,   /* metadata blocks allocated by this operation */
    BUF_INODE = 3, /* inode table blocks */
    BUF_TREE = 4,  /* existing directory, indirect and symlink blocks */
    BUF_KINDS = 5,
};

typedef struct ext2_cache_entry {
    uint32_t block;
    uint16_t flags; /* BUF_VALID, BUF_DIRTY */
    uint8_t kind;   /* enum buf_kind */
    uint8_t pins;
    int32_t next;         /* hash chain */
    int32_t dnext, dprev; /* the dirty list, while BUF_DIRTY */
    uint64_t used;        /* LRU stamp */
    uint8_t *data;
} buf_t;

_Static_assert(sizeof(buf_t) <= EXT2_CACHE_ENTRY_BYTES, "EXT2_CACHE_BYTES is too small");

int bcache_init(ext2_fs_t *fs, void *memory, size_t bytes);
/* Pin block (read from the device if not cached). -EIO for a block outside
 * the file system or a device error. */
int buf_get(ext2_fs_t *fs, uint32_t block, enum buf_kind kind, buf_t **out);
/* Pin block without reading it, zero-filled and dirty: a block just
 * allocated, whose old contents do not matter. */
int buf_get_new(ext2_fs_t *fs, uint32_t block, enum buf_kind kind, buf_t **out);
void buf_dirty(ext2_fs_t *fs, buf_t *b);
void buf_put(ext2_fs_t *fs, buf_t *b); /* NULL is fine */
/* The cached copy of block (not pinned), or NULL. */
buf_t *buf_peek(ext2_fs_t *fs, uint32_t block);
/* A freed block: drop its cached copy without writing it. */
void buf_forget(ext2_fs_t *fs, uint32_t block);
/* Write every dirty block of one kind. -EIO (and fs->broken) on a device
 * error; the blocks that failed stay dirty. */
int bcache_write_kind(ext2_fs_t *fs, enum buf_kind kind);
bool bcache_has_dirty(ext2_fs_t *fs, enum buf_kind kind);
/* Drop every dirty block (a failed operation's changes). */
void bcache_discard_dirty(ext2_fs_t *fs);
/* Unpin everything (after a library bug left pins); how many were pinned. */
uint32_t bcache_unpin_all(ext2_fs_t *fs);
/* Whole-block device I/O for file data that bypasses the cache. */
int dev_read_blocks(ext2_fs_t *fs, uint32_t block, uint32_t count, void *buf);
int dev_write_blocks(ext2_fs_t *fs, uint32_t block, uint32_t count, const void *buf);

/* group.c: group descriptors and the fixed metadata of each group. */
uint32_t group_of_block(const ext2_fs_t *fs, uint32_t block);
uint32_t group_first_block(const ext2_fs_t *fs, uint32_t group);
uint32_t group_block_count(const ext2_fs_t *fs, uint32_t group);
bool group_has_super(const ext2_fs_t *fs, uint32_t group);
/* Pin the descriptor of group: *gd points into (*b)->data. Checked on every
 * call (bitmaps and inode table inside the group). */
int group_get(ext2_fs_t *fs, uint32_t group, buf_t **b, uint8_t **gd);
/* Check every descriptor (mount). */
int group_check_all(ext2_fs_t *fs);
/* Whether block is a superblock, descriptor, reserved descriptor, bitmap or
 * inode-table block of its group (such a block is never allocated). */
int group_is_meta(ext2_fs_t *fs, uint32_t block, bool *meta);

/* The largest directory this library reads or grows. */
#define DIR_SIZE_MAX (1ull << 31)

/* inode.c: an inode decoded from its table slot. Fields not here (the
 * generation, extra space, osd fields we do not use) stay on the disk as
 * they are when inode_put writes the rest back. */
typedef struct inode {
    uint32_t ino;
    uint16_t mode, links;
    uint32_t uid, gid, flags;
    uint64_t size;
    uint32_t atime, ctime, mtime, dtime;
    uint64_t blocks; /* 512-byte units */
    uint32_t block[EXT2_N_BLOCKS];
    uint32_t file_acl;
    uint32_t generation;
} inode_t;

static inline bool is_dir(const inode_t *in)
{
    return (in->mode & S_TYPE_MASK) == S_TYPE_DIR;
}

static inline bool is_reg(const inode_t *in)
{
    return (in->mode & S_TYPE_MASK) == S_TYPE_REG;
}

static inline bool is_symlink(const inode_t *in)
{
    return (in->mode & S_TYPE_MASK) == S_TYPE_LNK;
}

/* Whether block numbers of the inode's i_block map data (files,
 * directories, slow symlinks), as opposed to a fast symlink's text or a
 * device number. */
bool inode_has_block_map(const ext2_fs_t *fs, const inode_t *in);
/* Blocks of the extended attribute block, counted in i_blocks (512 units). */
uint64_t inode_xattr_sectors(const ext2_fs_t *fs, const inode_t *in);
/* Read and check an allocated inode. -EIO for a number out of range, an
 * inode the bitmap says is free, or inconsistent fields. */
int inode_get(ext2_fs_t *fs, uint32_t ino, inode_t *out);
/* The slot of ino decoded, unchecked (for allocation's look at a free
 * slot). */
int inode_peek(ext2_fs_t *fs, uint32_t ino, inode_t *out);
/* Write in back into its table slot (dirty in the cache). */
int inode_put(ext2_fs_t *fs, const inode_t *in);
/* A fresh inode in slot ino (just allocated): zeroed, then mode, owner,
 * times and links written. */
int inode_init(ext2_fs_t *fs, uint32_t ino, uint16_t mode, uint16_t links, inode_t *out);
/* mtime and ctime (and atime) to now. */
void inode_touch(ext2_fs_t *fs, inode_t *in, bool atime);
uint8_t inode_dirent_type(const inode_t *in);

/* bmap.c: the block map (12 direct, single, double and triple indirect). */
uint64_t bmap_max_blocks(const ext2_fs_t *fs);
/* The block holding logical block lblk; 0 for a hole. */
int bmap_lookup(ext2_fs_t *fs, const inode_t *in, uint64_t lblk, uint32_t *block);
/* ... allocating it and any indirect block missing on the way (counted in
 * in->blocks; the caller writes the inode): all of them or, on an error,
 * none. *fresh says it was allocated now (its old contents are garbage). */
int bmap_alloc(ext2_fs_t *fs, inode_t *in, uint64_t lblk, uint32_t *block, bool *fresh);
/* Free every block that maps logical blocks >= first, and the indirect
 * blocks left mapping nothing. The caller writes the inode. */
int bmap_truncate(ext2_fs_t *fs, inode_t *in, uint64_t first);

/* alloc.c: bitmaps and free counts. goal: where to look first. */
int alloc_block(ext2_fs_t *fs, uint32_t goal, uint32_t *block);
int free_block(ext2_fs_t *fs, uint32_t block);
int alloc_inode(ext2_fs_t *fs, uint32_t parent, bool dir, uint32_t *ino);
int free_inode(ext2_fs_t *fs, uint32_t ino, bool dir);
int inode_in_use(ext2_fs_t *fs, uint32_t ino, bool *used);
/* Drop a reference to an extended attribute block; free it at zero. */
int xattr_release(ext2_fs_t *fs, uint32_t block);

/* dir.c: directory entries. A location names one entry by its block, its
 * offset and the entry before it in that block (UINT32_MAX: none). */
typedef struct dir_loc {
    uint32_t lblk, block, offset, prev;
    uint32_t ino;
} dir_loc_t;

int dir_check_name(const char *name, size_t len);
/* -ENOENT if name is not in dir. */
int dir_find(ext2_fs_t *fs, const inode_t *dir, const char *name, size_t len, dir_loc_t *loc);
/* Add an entry (dir may grow by a block: the caller writes dir). */
int dir_add(ext2_fs_t *fs, inode_t *dir, const char *name, size_t len, uint32_t ino, uint8_t type);
/* Make sure an entry of len bytes fits without growing dir (growing it by
 * an empty block now if not): the caller writes dir. */
int dir_reserve(ext2_fs_t *fs, inode_t *dir, size_t len);
int dir_remove(ext2_fs_t *fs, inode_t *dir, const dir_loc_t *loc);
/* Point an existing entry at another inode. */
int dir_retarget(ext2_fs_t *fs, inode_t *dir, const dir_loc_t *loc, uint32_t ino, uint8_t type);
/* 1 if dir holds nothing but "." and "..", 0 if it holds more. */
int dir_is_empty(ext2_fs_t *fs, const inode_t *dir);
int dir_parent(ext2_fs_t *fs, const inode_t *dir, uint32_t *parent);
int dir_set_parent(ext2_fs_t *fs, inode_t *dir, uint32_t parent);
/* Fill a new directory's first block ("." and ".."). */
void dir_init_block(ext2_fs_t *fs, uint8_t *data, uint32_t self, uint32_t parent);
/* A change to dir: timestamps, and the hash index (dir_index) is dropped
 * since entries are added without it. */
void dir_changed(ext2_fs_t *fs, inode_t *dir);

/* super.c: the bracket around every public call. op_begin(fs, true) for
 * one that may change the disk (-EROFS, -EIO when broken). op_end commits
 * (EXT2_MOUNT_SYNC_META) or rolls back a failed change, and returns rc
 * (or -EIO when the commit failed). */
int op_begin(ext2_fs_t *fs, bool write);
int op_end(ext2_fs_t *fs, int rc);
/* Mid-operation commit point of a long operation (a large write or
 * truncate) under EXT2_MOUNT_SYNC_META; nothing without it. */
int op_checkpoint(ext2_fs_t *fs);
void sb_add_free_blocks(ext2_fs_t *fs, int32_t delta);
void sb_add_free_inodes(ext2_fs_t *fs, int32_t delta);
void sb_set_large_file(ext2_fs_t *fs);

/* names.c, for rename.c */
bool is_dot(const char *name, size_t len); /* "." or ".." */
/* A directory that can take or lose entries: a directory still linked
 * (-ENOTDIR, -ENOENT). */
int dir_for_change(ext2_fs_t *fs, uint32_t ino, inode_t *dir);
/* One name of in is gone (a directory: all); written back. *orphan: its
 * number when no link is left, else 0. */
int drop_link(ext2_fs_t *fs, inode_t *in, uint32_t *orphan);
/* After the operation (rc its result): hand an orphan to the caller
 * (dropped) or, with dropped NULL, free it at once in an operation of its
 * own. */
int finish_drop(ext2_fs_t *fs, int rc, uint32_t orphan, uint32_t *dropped);

/* Copy up to size bytes of a symbolic link's target into buf: how many. */
int symlink_target(ext2_fs_t *fs, const inode_t *in, char *buf, size_t size);

/* orphan.c: the list of inodes without links still open. orphan_add
 * chains in (the caller writes it); orphan_remove unchains it; at a
 * read-write mount orphan_release_all frees what the list holds. */
void orphan_add(ext2_fs_t *fs, inode_t *in);
int orphan_remove(ext2_fs_t *fs, inode_t *in);
int orphan_release_all(ext2_fs_t *fs);

/* file.c */
/* Free everything of an unlinked inode (release). */
int file_free_inode(ext2_fs_t *fs, inode_t *in);
/* Shrink or grow the file to size (blocks freed in steps under
 * EXT2_MOUNT_SYNC_META, each a commit). */
int file_resize(ext2_fs_t *fs, inode_t *in, uint64_t size);
