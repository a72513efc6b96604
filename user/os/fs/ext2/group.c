/* Block groups: where each group's blocks are, which of them hold fixed
 * metadata (superblock and descriptor copies, the reserved descriptor
 * blocks of resize_inode, bitmaps, inode table), and the group descriptors,
 * checked each time one is used. */
#include "internal.h"

#include <errno.h>

uint32_t group_of_block(const ext2_fs_t *fs, uint32_t block)
{
    return (block - fs->first_data_block) / fs->blocks_per_group;
}

uint32_t group_first_block(const ext2_fs_t *fs, uint32_t group)
{
    return fs->first_data_block + group * fs->blocks_per_group;
}

/* The last group may be shorter than the others. */
uint32_t group_block_count(const ext2_fs_t *fs, uint32_t group)
{
    uint32_t first = group_first_block(fs, group);
    uint32_t left = fs->blocks_count - first;
    return left < fs->blocks_per_group ? left : fs->blocks_per_group;
}

static bool is_power_of(uint32_t n, uint32_t base)
{
    while (n > 1 && n % base == 0) {
        n /= base;
    }
    return n == 1;
}

/* sparse_super: copies of the superblock and descriptors only in groups 0,
 * 1 and the powers of 3, 5 and 7; without it in every group. */
bool group_has_super(const ext2_fs_t *fs, uint32_t group)
{
    if (group <= 1 || !(fs->ro_compat & RO_COMPAT_SPARSE_SUPER)) {
        return true;
    }
    return is_power_of(group, 3) || is_power_of(group, 5) || is_power_of(group, 7);
}

/* Blocks at the start of the group taken by the superblock copy, the
 * descriptors and the reserved descriptor blocks. */
static uint32_t group_super_blocks(const ext2_fs_t *fs, uint32_t group)
{
    return group_has_super(fs, group) ? 1 + fs->gdt_blocks + fs->reserved_gdt : 0;
}

/* The blocks of a group after its superblock area: [first, end). */
typedef struct {
    uint32_t first, end;
} span_t;

static span_t group_span(const ext2_fs_t *fs, uint32_t group)
{
    uint32_t start = group_first_block(fs, group);
    return (span_t){ start + group_super_blocks(fs, group), start + group_block_count(fs, group) };
}

static bool inside(span_t g, uint32_t block, uint32_t count)
{
    return block >= g.first && block < g.end && count <= g.end - block;
}

/* A descriptor is usable if its bitmaps and inode table lie inside its
 * group, after the superblock area, without overlapping each other, and
 * its counts fit the group. */
static int check_desc(ext2_fs_t *fs, uint32_t group, const uint8_t *gd)
{
    uint32_t bb = le32_get(gd + GD_BLOCK_BITMAP), ib = le32_get(gd + GD_INODE_BITMAP);
    uint32_t it = le32_get(gd + GD_INODE_TABLE);
    span_t g = group_span(fs, group); /* once: it takes divisions */
    if (!inside(g, bb, 1)) {
        return fs_corrupt(fs, "group", group, "block bitmap outside its group", bb);
    }
    if (!inside(g, ib, 1) || ib == bb) {
        return fs_corrupt(fs, "group", group, "inode bitmap outside its group", ib);
    }
    if (!inside(g, it, fs->itable_blocks)) {
        return fs_corrupt(fs, "group", group, "inode table outside its group", it);
    }
    if ((bb >= it && bb - it < fs->itable_blocks) || (ib >= it && ib - it < fs->itable_blocks)) {
        return fs_corrupt(fs, "group", group, "a bitmap inside the inode table", it);
    }
    if (le16_get(gd + GD_FREE_BLOCKS) > group_block_count(fs, group)) {
        return fs_corrupt(fs, "group", group, "free block count larger than the group",
                          le16_get(gd + GD_FREE_BLOCKS));
    }
    if (le16_get(gd + GD_FREE_INODES) > fs->inodes_per_group ||
        le16_get(gd + GD_USED_DIRS) > fs->inodes_per_group) {
        return fs_corrupt(fs, "group", group, "inode counts larger than the group",
                          le16_get(gd + GD_FREE_INODES));
    }
    return 0;
}

int group_get(ext2_fs_t *fs, uint32_t group, buf_t **b, uint8_t **gd)
{
    if (group >= fs->groups) {
        return fs_corrupt(fs, "group", group, "does not exist", NO_VALUE);
    }
    uint32_t per_block = fs->block_size / GD_SIZE;
    int rc = buf_get(fs, fs->first_data_block + 1 + group / per_block, BUF_MAP, b);
    if (rc < 0) {
        return rc;
    }
    *gd = (*b)->data + (group % per_block) * GD_SIZE;
    rc = check_desc(fs, group, *gd);
    if (rc < 0) {
        buf_put(fs, *b);
        *b = NULL;
    }
    return rc;
}

int group_check_all(ext2_fs_t *fs)
{
    uint64_t free_blocks = 0, free_inodes = 0;
    for (uint32_t g = 0; g < fs->groups; g++) {
        buf_t *b;
        uint8_t *gd;
        int rc = group_get(fs, g, &b, &gd);
        if (rc < 0) {
            return rc;
        }
        free_blocks += le16_get(gd + GD_FREE_BLOCKS);
        free_inodes += le16_get(gd + GD_FREE_INODES);
        buf_put(fs, b);
    }
    /* The superblock's totals are only a summary (e2fsck recomputes them);
     * a mismatch is noted, the descriptors are what allocation uses. */
    if (free_blocks != le32_get(fs->sb + SB_FREE_BLOCKS) ||
        free_inodes != le32_get(fs->sb + SB_FREE_INODES)) {
        fs_note(fs, NULL, 0, "superblock free counts differ from the groups': taking the groups'");
        le32_put(fs->sb + SB_FREE_BLOCKS, (uint32_t)free_blocks);
        le32_put(fs->sb + SB_FREE_INODES, (uint32_t)free_inodes);
        fs->sb_dirty = true;
    }
    return 0;
}

int group_is_meta(ext2_fs_t *fs, uint32_t block, bool *meta)
{
    uint32_t group = group_of_block(fs, block);
    uint32_t first = group_first_block(fs, group);
    if (block - first < group_super_blocks(fs, group)) {
        *meta = true;
        return 0;
    }
    buf_t *b;
    uint8_t *gd;
    int rc = group_get(fs, group, &b, &gd);
    if (rc < 0) {
        return rc;
    }
    uint32_t it = le32_get(gd + GD_INODE_TABLE);
    *meta = block == le32_get(gd + GD_BLOCK_BITMAP) || block == le32_get(gd + GD_INODE_BITMAP) ||
            (block >= it && block - it < fs->itable_blocks);
    buf_put(fs, b);
    return 0;
}
