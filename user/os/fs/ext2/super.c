/* Mounting (the superblock's checks, the features this library reads and
 * writes), the superblock's counters, commits and sync, statfs, unmount,
 * and the bracket every public call runs in. */
#include "internal.h"

#include <errno.h>
#include <string.h>

static int sb_read(ext2_fs_t *fs)
{
    fs->stats.reads++;
    if (fs->dev.read(fs->dev.ctx, SB_OFFSET / 512, SB_SIZE / 512, fs->sb) != 0) {
        return fs_corrupt(fs, NULL, 0, "device read failed at the superblock", NO_VALUE);
    }
    return 0;
}

static int sb_write(ext2_fs_t *fs)
{
    le32_put(fs->sb + SB_WTIME, fs->now);
    fs->stats.writes++;
    if (fs->dev.write(fs->dev.ctx, SB_OFFSET / 512, SB_SIZE / 512, fs->sb) != 0) {
        fs->broken = true;
        return fs_corrupt(fs, NULL, 0, "device write failed at the superblock", NO_VALUE);
    }
    fs->sb_dirty = false;
    return 0;
}

static int dev_flush(ext2_fs_t *fs)
{
    fs->stats.flushes++;
    if (fs->dev.flush(fs->dev.ctx) != 0) {
        fs->broken = true;
        return fs_corrupt(fs, NULL, 0, "device flush failed", NO_VALUE);
    }
    return 0;
}

static uint64_t div_round_up(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

/* The sizes and counts of the superblock, each checked against the others
 * and the device before anything is derived from it. */
static int sb_check_geometry(ext2_fs_t *fs)
{
    const uint8_t *sb = fs->sb;
    if (le16_get(sb + SB_MAGIC) != EXT2_MAGIC) {
        return fs_corrupt(fs, NULL, 0, "no ext2 magic number in the superblock",
                          le16_get(sb + SB_MAGIC));
    }
    uint32_t rev = le32_get(sb + SB_REV_LEVEL);
    if (rev > EXT2_DYNAMIC_REV) {
        return fs_corrupt(fs, NULL, 0, "unknown revision", rev);
    }
    fs->log_block_size = le32_get(sb + SB_LOG_BLOCK_SIZE) + 10;
    if (fs->log_block_size > 12) {
        return fs_corrupt(fs, NULL, 0, "block size not 1, 2 or 4 KiB: log2",
                          le32_get(sb + SB_LOG_BLOCK_SIZE) + 10ull);
    }
    fs->block_size = 1u << fs->log_block_size;
    fs->sectors_per_block = fs->block_size / 512;
    fs->addr_per_block = fs->block_size / 4;
    fs->blocks_count = le32_get(sb + SB_BLOCKS_COUNT);
    fs->inodes_count = le32_get(sb + SB_INODES_COUNT);
    fs->first_data_block = le32_get(sb + SB_FIRST_DATA_BLOCK);
    fs->blocks_per_group = le32_get(sb + SB_BLOCKS_PER_GROUP);
    fs->inodes_per_group = le32_get(sb + SB_INODES_PER_GROUP);
    fs->inode_size =
        rev == EXT2_GOOD_OLD_REV ? EXT2_GOOD_OLD_INODE_SIZE : le16_get(sb + SB_INODE_SIZE);
    fs->first_ino =
        rev == EXT2_GOOD_OLD_REV ? EXT2_GOOD_OLD_FIRST_INO : le32_get(sb + SB_FIRST_INO);
    if (fs->first_data_block != (fs->block_size == 1024 ? 1u : 0u)) {
        return fs_corrupt(fs, NULL, 0, "first data block wrong for the block size",
                          fs->first_data_block);
    }
    uint32_t bits = fs->block_size * 8;
    if (fs->blocks_per_group < 8 || fs->blocks_per_group > bits || fs->blocks_per_group % 8) {
        return fs_corrupt(fs, NULL, 0, "bad blocks per group", fs->blocks_per_group);
    }
    if (fs->inodes_per_group == 0 || fs->inodes_per_group > bits) {
        return fs_corrupt(fs, NULL, 0, "bad inodes per group", fs->inodes_per_group);
    }
    if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE || fs->inode_size > fs->block_size ||
        (fs->inode_size & (fs->inode_size - 1)) != 0) {
        return fs_corrupt(fs, NULL, 0, "bad inode size", fs->inode_size);
    }
    if (fs->blocks_count <= fs->first_data_block + 1) {
        return fs_corrupt(fs, NULL, 0, "bad block count", fs->blocks_count);
    }
    if ((uint64_t)fs->blocks_count * fs->sectors_per_block > fs->dev.sectors) {
        return fs_corrupt(fs, NULL, 0, "file system larger than the device: blocks",
                          fs->blocks_count);
    }
    fs->groups =
        (uint32_t)div_round_up(fs->blocks_count - fs->first_data_block, fs->blocks_per_group);
    if ((uint64_t)fs->groups * fs->inodes_per_group != fs->inodes_count) {
        return fs_corrupt(fs, NULL, 0, "inode count is not groups times inodes per group",
                          fs->inodes_count);
    }
    if (fs->first_ino <= EXT2_ROOT_INO || fs->first_ino >= fs->inodes_count) {
        return fs_corrupt(fs, NULL, 0, "bad first inode", fs->first_ino);
    }
    return 0;
}

/* The groups' fixed areas must fit in a group: superblock, descriptors and
 * reserved descriptors, two bitmaps and the inode table. */
static int sb_check_groups(ext2_fs_t *fs)
{
    fs->gdt_blocks = (uint32_t)div_round_up((uint64_t)fs->groups * GD_SIZE, fs->block_size);
    fs->reserved_gdt = 0;
    if (fs->compat & COMPAT_RESIZE_INODE) {
        fs->reserved_gdt = le16_get(fs->sb + SB_RESERVED_GDT_BLOCKS);
        if (fs->reserved_gdt > fs->addr_per_block) {
            return fs_corrupt(fs, NULL, 0, "too many reserved descriptor blocks", fs->reserved_gdt);
        }
    }
    fs->itable_blocks =
        (uint32_t)div_round_up((uint64_t)fs->inodes_per_group * fs->inode_size, fs->block_size);
    uint64_t fixed = 1ull + fs->gdt_blocks + fs->reserved_gdt + 2 + fs->itable_blocks;
    if (fixed >= fs->blocks_per_group) {
        return fs_corrupt(fs, NULL, 0, "group metadata does not fit in a group: blocks", fixed);
    }
    /* The last group must hold at least its own fixed areas. */
    uint32_t last = fs->groups - 1;
    uint64_t last_fixed = 2ull + fs->itable_blocks;
    if (group_has_super(fs, last)) {
        last_fixed += 1ull + fs->gdt_blocks + fs->reserved_gdt;
    }
    if (group_block_count(fs, last) <= last_fixed) {
        return fs_corrupt(fs, NULL, 0, "last group too small", group_block_count(fs, last));
    }
    if (le32_get(fs->sb + SB_FREE_BLOCKS) > fs->blocks_count ||
        le32_get(fs->sb + SB_FREE_INODES) > fs->inodes_count ||
        le32_get(fs->sb + SB_R_BLOCKS_COUNT) > fs->blocks_count) {
        return fs_corrupt(fs, NULL, 0, "free counts larger than the totals", NO_VALUE);
    }
    return 0;
}

/* INCOMPAT features we do not know make the disk unreadable to us; unknown
 * RO_COMPAT features make it read-only. 0, or 1 when forced read-only. */
static int sb_check_features(ext2_fs_t *fs)
{
    fs->compat = fs->incompat = fs->ro_compat = 0;
    if (le32_get(fs->sb + SB_REV_LEVEL) == EXT2_GOOD_OLD_REV) {
        return 0;
    }
    fs->compat = le32_get(fs->sb + SB_FEATURE_COMPAT);
    fs->incompat = le32_get(fs->sb + SB_FEATURE_INCOMPAT);
    fs->ro_compat = le32_get(fs->sb + SB_FEATURE_RO_COMPAT);
    uint32_t unknown = fs->incompat & ~INCOMPAT_SUPPORTED;
    if (unknown & INCOMPAT_RECOVER) {
        fs_note(fs, NULL, 0, "the journal needs recovery (ext3/ext4): not mounted");
        return -EINVAL;
    }
    if (unknown != 0) {
        fs_note(fs, "unsupported INCOMPAT features", unknown,
                "(extents, 64bit, flex_bg, meta_bg, ...): not mounted");
        return -EINVAL;
    }
    if (fs->ro_compat & ~RO_COMPAT_SUPPORTED) {
        fs_note(fs, "unsupported RO_COMPAT features", fs->ro_compat & ~RO_COMPAT_SUPPORTED,
                "mounted read-only");
        return 1;
    }
    return 0;
}

/* The largest file: what the block map reaches, within i_blocks' 32 bits
 * of 512-byte units (the data and its indirect blocks; huge_file is not
 * supported). Past 2 GiB a file needs large_file, which inode_put sets on
 * the first such file as Linux does; revision 0 has no feature flags, so
 * there files stop at 2 GiB. */
static void set_max_file_size(ext2_fs_t *fs)
{
    uint64_t by_map = bmap_max_blocks(fs) * fs->block_size;
    /* Data blocks plus one indirect per addr_per_block data blocks must
     * stay below 2^32 sectors. */
    uint64_t sectors_max = 0xffffffffull - 4 * fs->sectors_per_block;
    uint64_t data_blocks = sectors_max / fs->sectors_per_block;
    data_blocks -= data_blocks / fs->addr_per_block + 3;
    uint64_t by_blocks = data_blocks * fs->block_size;
    fs->max_file_size = by_map < by_blocks ? by_map : by_blocks;
    if (le32_get(fs->sb + SB_REV_LEVEL) == EXT2_GOOD_OLD_REV) {
        fs->max_file_size = 0x7fffffffull;
    }
}

static int commit(ext2_fs_t *fs);

static int mount_readwrite(ext2_fs_t *fs)
{
    uint16_t state = le16_get(fs->sb + SB_STATE);
    if (!(state & EXT2_STATE_VALID)) {
        fs_note(fs, NULL, 0, "was not cleanly unmounted (run e2fsck)");
    }
    if (state & EXT2_STATE_ERROR) {
        fs_note(fs, NULL, 0, "has errors recorded (run e2fsck)");
    }
    le16_put(fs->sb + SB_STATE, state & (uint16_t)~EXT2_STATE_VALID);
    le16_put(fs->sb + SB_MNT_COUNT, (uint16_t)(le16_get(fs->sb + SB_MNT_COUNT) + 1));
    le32_put(fs->sb + SB_MTIME, fs->now);
    int rc = sb_write(fs);
    if (rc == 0) {
        rc = dev_flush(fs);
    }
    /* Nobody has anything open yet (unless the caller says it still
     * holds them): what the orphan list holds goes. */
    if (rc == 0 && !(fs->flags & EXT2_MOUNT_KEEP_ORPHANS) && (rc = orphan_release_all(fs)) == 0) {
        rc = commit(fs);
    }
    bcache_unpin_all(fs);
    return rc;
}

int ext2_mount(ext2_fs_t *fs, const ext2_blockdev_t *dev, void *cache, size_t cache_bytes,
               unsigned flags)
{
    /* The settings (ext2_set_time, ext2_set_owner) survive: a caller may
     * make them on a zeroed ext2_fs_t before mounting. */
    uint32_t now = fs->now, uid = fs->uid, gid = fs->gid;
    memset(fs, 0, offsetof(ext2_fs_t, sb));
    fs->now = now;
    fs->uid = uid;
    fs->gid = gid;
    if (dev == NULL || dev->read == NULL ||
        flags & ~(EXT2_MOUNT_READONLY | EXT2_MOUNT_SYNC_META | EXT2_MOUNT_KEEP_ORPHANS) ||
        (!(flags & EXT2_MOUNT_READONLY) && (dev->write == NULL || dev->flush == NULL))) {
        return -EINVAL;
    }
    fs->dev = *dev;
    fs->flags = flags;
    fs->readonly = (flags & EXT2_MOUNT_READONLY) != 0;
    if (dev->sectors < (SB_OFFSET + SB_SIZE) / 512) {
        return fs_corrupt(fs, NULL, 0, "device smaller than a superblock", dev->sectors);
    }
    int rc = sb_read(fs);
    if (rc < 0) {
        return rc;
    }
    if ((rc = sb_check_geometry(fs)) < 0 || (rc = sb_check_features(fs)) < 0) {
        return rc;
    }
    int forced_ro = rc == 1 && !fs->readonly;
    fs->readonly |= rc == 1;
    if ((rc = sb_check_groups(fs)) < 0) {
        return rc;
    }
    set_max_file_size(fs);
    if ((rc = bcache_init(fs, cache, cache_bytes)) < 0) {
        return rc;
    }
    fs->mounted = true;
    inode_t root;
    if ((rc = group_check_all(fs)) < 0 || (rc = inode_get(fs, EXT2_ROOT_INO, &root)) < 0) {
        fs->mounted = false;
        return rc;
    }
    if (!is_dir(&root)) {
        fs->mounted = false;
        return fs_corrupt(fs, "inode", EXT2_ROOT_INO, "the root is not a directory", root.mode);
    }
    if (!fs->readonly && (rc = mount_readwrite(fs)) < 0) {
        fs->mounted = false;
        return rc;
    }
    return forced_ro ? EXT2_MOUNTED_READONLY : 0;
}

void ext2_set_time(ext2_fs_t *fs, uint32_t seconds_since_1970)
{
    fs->now = seconds_since_1970;
}

void ext2_set_owner(ext2_fs_t *fs, uint32_t uid, uint32_t gid)
{
    fs->uid = uid;
    fs->gid = gid;
}

void sb_add_free_blocks(ext2_fs_t *fs, int32_t delta)
{
    le32_put(fs->sb + SB_FREE_BLOCKS, le32_get(fs->sb + SB_FREE_BLOCKS) + (uint32_t)delta);
    fs->sb_dirty = true;
}

void sb_add_free_inodes(ext2_fs_t *fs, int32_t delta)
{
    le32_put(fs->sb + SB_FREE_INODES, le32_get(fs->sb + SB_FREE_INODES) + (uint32_t)delta);
    fs->sb_dirty = true;
}

void sb_set_large_file(ext2_fs_t *fs)
{
    if (!(fs->ro_compat & RO_COMPAT_LARGE_FILE) &&
        le32_get(fs->sb + SB_REV_LEVEL) >= EXT2_DYNAMIC_REV) {
        fs->ro_compat |= RO_COMPAT_LARGE_FILE;
        le32_put(fs->sb + SB_FEATURE_RO_COMPAT, fs->ro_compat);
        fs->sb_dirty = true;
    }
}

/* The order of a commit's classes (docs/ext2.md "Crashes"). An operation
 * that adds references writes the bitmaps first, then what it initialised
 * (new blocks, then inodes and their link counts), then the existing
 * blocks that come to point at them; one that removes references
 * (op_drops: an entry removed, a link dropped, anything freed) writes the
 * removal first, then the inodes, the bitmaps last. A commit cut short
 * then leaves at most space or inodes marked used that nothing uses, or a
 * link count too high: never a pointer to something free or uninitialised.
 * No operation does both in one commit (rename commits in steps). */
static const enum buf_kind alloc_order[] = { BUF_MAP, BUF_NEW, BUF_INODE, BUF_TREE };
static const enum buf_kind drop_order[] = { BUF_NEW, BUF_TREE, BUF_INODE, BUF_MAP };

static bool class_dirty(ext2_fs_t *fs, enum buf_kind kind)
{
    return bcache_has_dirty(fs, kind) || (kind == BUF_MAP && fs->sb_dirty);
}

/* Write one class, then flush so that the next cannot overtake it. */
static int commit_class(ext2_fs_t *fs, enum buf_kind kind)
{
    if (!class_dirty(fs, kind)) {
        return 0;
    }
    int rc = bcache_write_kind(fs, kind);
    if (rc == 0 && kind == BUF_MAP && fs->sb_dirty) {
        rc = sb_write(fs);
    }
    return rc < 0 ? rc : dev_flush(fs);
}

/* Write every dirty block: file data first, then the metadata classes in
 * the order above. */
static int commit(ext2_fs_t *fs)
{
    const enum buf_kind *order = fs->op_drops ? drop_order : alloc_order;
    int rc = commit_class(fs, BUF_DATA);
    for (int i = 0; i < 4 && rc == 0; i++) {
        rc = commit_class(fs, order[i]);
    }
    if (rc == 0) {
        fs->op_drops = false;
    }
    return rc;
}

int op_begin(ext2_fs_t *fs, bool write)
{
    if (!fs->mounted) {
        return -EINVAL;
    }
    if (fs->op_active) {
        return -EBUSY; /* a readdir callback calling back in */
    }
    if (write && fs->readonly) {
        return -EROFS;
    }
    if (write && fs->broken) {
        return -EIO;
    }
    fs->op_active = true;
    fs->op_write = write;
    if (write && (fs->flags & EXT2_MOUNT_SYNC_META)) {
        memcpy(fs->sb_saved, fs->sb, sizeof(fs->sb));
        fs->op_early = false;
    }
    return 0;
}

int op_end(ext2_fs_t *fs, int rc)
{
    uint32_t left = bcache_unpin_all(fs);
    if (left != 0) {
        fs_note(fs, "block cache: buffers left pinned", left, "(a library bug)");
    }
    bool write = fs->op_write;
    fs->op_write = false;
    fs->op_active = false;
    if (!write || !(fs->flags & EXT2_MOUNT_SYNC_META)) {
        return rc;
    }
    if (rc < 0 && !fs->op_early) {
        /* Nothing of the failed operation reached the disk: forget it. */
        for (int kind = BUF_MAP; kind < BUF_KINDS; kind++) {
            if (class_dirty(fs, (enum buf_kind)kind)) {
                fs->stats.rollbacks++;
                break;
            }
        }
        bcache_discard_dirty(fs);
        memcpy(fs->sb, fs->sb_saved, sizeof(fs->sb));
        fs->sb_dirty = false;
        fs->op_drops = false;
        return rc;
    }
    int crc = commit(fs);
    fs->stats.commits++;
    fs->op_early = false;
    return crc < 0 ? crc : rc;
}

int op_checkpoint(ext2_fs_t *fs)
{
    if (!(fs->flags & EXT2_MOUNT_SYNC_META)) {
        return 0;
    }
    fs->stats.commits++;
    int rc = commit(fs);
    memcpy(fs->sb_saved, fs->sb, sizeof(fs->sb));
    fs->op_early = false;
    return rc;
}

int ext2_sync(ext2_fs_t *fs)
{
    if (!fs->mounted) {
        return -EINVAL;
    }
    if (fs->readonly) {
        return 0;
    }
    int rc = commit(fs);
    return rc < 0 ? rc : dev_flush(fs);
}

int ext2_fsync(ext2_fs_t *fs, uint32_t ino)
{
    (void)ino;
    return ext2_sync(fs);
}

int ext2_statfs(ext2_fs_t *fs, ext2_statfs_t *out)
{
    if (!fs->mounted) {
        return -EINVAL;
    }
    uint32_t free_blocks = le32_get(fs->sb + SB_FREE_BLOCKS);
    uint32_t reserved = le32_get(fs->sb + SB_R_BLOCKS_COUNT);
    *out = (ext2_statfs_t){
        .block_size = fs->block_size,
        .blocks = fs->blocks_count - fs->first_data_block,
        .blocks_free = free_blocks,
        .blocks_avail = free_blocks > reserved ? free_blocks - reserved : 0,
        .inodes = fs->inodes_count,
        .inodes_free = le32_get(fs->sb + SB_FREE_INODES),
        .name_max = EXT2_NAME_MAX,
    };
    return 0;
}

int ext2_unmount(ext2_fs_t *fs)
{
    if (!fs->mounted) {
        return -EINVAL;
    }
    int rc = fs->broken ? -EIO : 0; /* what was not written is lost */
    if (!fs->readonly && !fs->broken) {
        rc = commit(fs);
        if (rc == 0) {
            le16_put(fs->sb + SB_STATE, le16_get(fs->sb + SB_STATE) | EXT2_STATE_VALID);
            rc = sb_write(fs);
        }
        if (rc == 0) {
            rc = dev_flush(fs);
        }
    }
    fs->mounted = false;
    return rc;
}
