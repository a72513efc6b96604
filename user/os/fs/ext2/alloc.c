/* Allocation: the block and inode bitmaps of each group, with the group
 * descriptors' and the superblock's free counts (and used_dirs_count) kept
 * in step. A bit the bitmap calls free is checked before it is handed out:
 * never a group's fixed metadata block, never an inode whose table slot
 * still holds a live inode (both mean a corrupted bitmap: -EIO). */
#include "internal.h"

#include <errno.h>

static bool bit_get(const uint8_t *map, uint32_t bit)
{
    return (map[bit / 8] >> (bit % 8)) & 1u;
}

static void bit_set(uint8_t *map, uint32_t bit, bool on)
{
    if (on) {
        map[bit / 8] |= (uint8_t)(1u << (bit % 8));
    } else {
        map[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
    }
}

/* The first clear bit in [start, limit), or -1. */
static int64_t find_clear(const uint8_t *map, uint32_t start, uint32_t limit)
{
    uint32_t bit = start;
    while (bit < limit) {
        if (bit % 8 == 0 && limit - bit >= 8 && map[bit / 8] == 0xff) {
            bit += 8;
            continue;
        }
        if (!bit_get(map, bit)) {
            return bit;
        }
        bit++;
    }
    return -1;
}

/* Pin group g's descriptor and one of its bitmaps (GD_BLOCK_BITMAP or
 * GD_INODE_BITMAP); with skip_full, 0 (nothing pinned) when the
 * descriptor's count of that kind is 0. 1 when pinned. */
typedef struct group_map {
    buf_t *gb, *map;
    uint8_t *gd;
} group_map_t;

static int group_map_get(ext2_fs_t *fs, uint32_t g, unsigned bitmap, bool skip_full,
                         group_map_t *out)
{
    int rc = group_get(fs, g, &out->gb, &out->gd);
    if (rc < 0) {
        return rc;
    }
    unsigned count = bitmap == GD_BLOCK_BITMAP ? GD_FREE_BLOCKS : GD_FREE_INODES;
    if (skip_full && le16_get(out->gd + count) == 0) {
        buf_put(fs, out->gb);
        return 0;
    }
    if ((rc = buf_get(fs, le32_get(out->gd + bitmap), BUF_MAP, &out->map)) < 0) {
        buf_put(fs, out->gb);
        return rc;
    }
    return 1;
}

static void group_map_put(ext2_fs_t *fs, group_map_t *m)
{
    buf_put(fs, m->map);
    buf_put(fs, m->gb);
}

static void gd_add16(uint8_t *gd, unsigned field, int delta)
{
    le16_put(gd + field, (uint16_t)(le16_get(gd + field) + delta));
}

/* Take a clear bit of group g's block bitmap, from `start` on (wrapping):
 * 1 and *block when found, 0 when the group is full. */
static int take_in_group(ext2_fs_t *fs, uint32_t g, uint32_t start, uint32_t *block)
{
    group_map_t m;
    int rc = group_map_get(fs, g, GD_BLOCK_BITMAP, true, &m);
    if (rc <= 0) {
        return rc;
    }
    uint32_t n = group_block_count(fs, g);
    int64_t bit = find_clear(m.map->data, start, n);
    if (bit < 0) {
        bit = find_clear(m.map->data, 0, start < n ? start : n);
    }
    rc = 0;
    if (bit >= 0) {
        uint32_t found = group_first_block(fs, g) + (uint32_t)bit;
        bool meta;
        rc = group_is_meta(fs, found, &meta);
        if (rc == 0 && meta) {
            rc = fs_corrupt(fs, "group", g, "block bitmap calls a metadata block free", found);
        }
        if (rc == 0) {
            bit_set(m.map->data, (uint32_t)bit, true);
            buf_dirty(fs, m.map);
            gd_add16(m.gd, GD_FREE_BLOCKS, -1);
            buf_dirty(fs, m.gb);
            sb_add_free_blocks(fs, -1);
            *block = found;
            rc = 1;
        }
    }
    group_map_put(fs, &m);
    return rc;
}

int alloc_block(ext2_fs_t *fs, uint32_t goal, uint32_t *block)
{
    if (goal < fs->first_data_block || goal >= fs->blocks_count) {
        goal = fs->first_data_block;
    }
    uint32_t g0 = group_of_block(fs, goal);
    for (uint32_t k = 0; k < fs->groups; k++) {
        uint32_t g = (g0 + k) % fs->groups;
        int rc = take_in_group(fs, g, k == 0 ? goal - group_first_block(fs, g) : 0, block);
        if (rc != 0) {
            return rc < 0 ? rc : 0;
        }
    }
    return -ENOSPC;
}

int free_block(ext2_fs_t *fs, uint32_t block)
{
    if (block < fs->first_data_block || block >= fs->blocks_count) {
        return fs_corrupt(fs, "block", block, "freed but outside the file system", NO_VALUE);
    }
    bool meta;
    int rc = group_is_meta(fs, block, &meta);
    if (rc < 0) {
        return rc;
    }
    if (meta) {
        return fs_corrupt(fs, "block", block, "a metadata block would be freed", NO_VALUE);
    }
    uint32_t g = group_of_block(fs, block), bit = block - group_first_block(fs, g);
    group_map_t m;
    if ((rc = group_map_get(fs, g, GD_BLOCK_BITMAP, false, &m)) < 0) {
        return rc;
    }
    if (!bit_get(m.map->data, bit)) {
        /* Used twice (a corrupted map): freeing it once is enough. */
        fs_note(fs, "block", block, "freed but already free");
    } else if (le16_get(m.gd + GD_FREE_BLOCKS) < group_block_count(fs, g)) {
        bit_set(m.map->data, bit, false);
        buf_dirty(fs, m.map);
        gd_add16(m.gd, GD_FREE_BLOCKS, 1);
        buf_dirty(fs, m.gb);
        sb_add_free_blocks(fs, 1);
        fs->op_drops = true;
    }
    group_map_put(fs, &m);
    return 0;
}

int inode_in_use(ext2_fs_t *fs, uint32_t ino, bool *used)
{
    if (ino == 0 || ino > fs->inodes_count) {
        return fs_corrupt(fs, "inode", ino, "number out of range", NO_VALUE);
    }
    group_map_t m;
    int rc = group_map_get(fs, (ino - 1) / fs->inodes_per_group, GD_INODE_BITMAP, false, &m);
    if (rc < 0) {
        return rc;
    }
    *used = bit_get(m.map->data, (ino - 1) % fs->inodes_per_group);
    group_map_put(fs, &m);
    return 0;
}

/* Where a new inode goes: a directory to the group with the most free
 * blocks among those with free inodes (spreading directories out), a
 * file to its directory's group, else the next with a free inode. */
static int pick_group(ext2_fs_t *fs, uint32_t parent_group, bool dir, uint32_t k, uint32_t *out)
{
    uint32_t best = parent_group;
    if (dir && k == 0) {
        uint32_t best_free = 0;
        for (uint32_t i = 0; i < fs->groups; i++) {
            uint32_t g = (parent_group + i) % fs->groups;
            buf_t *gb;
            uint8_t *gd;
            int rc = group_get(fs, g, &gb, &gd);
            if (rc < 0) {
                return rc;
            }
            uint32_t blocks = le16_get(gd + GD_FREE_BLOCKS) + 1u;
            if (le16_get(gd + GD_FREE_INODES) != 0 && blocks > best_free) {
                best = g;
                best_free = blocks;
            }
            buf_put(fs, gb);
        }
    }
    *out = (best + k) % fs->groups;
    return 0;
}

/* Whether the table slot of ino holds no live inode (a free bit over a
 * live inode means a corrupted bitmap). */
static int slot_is_dead(ext2_fs_t *fs, uint32_t ino, bool *dead)
{
    inode_t probe;
    int rc = inode_peek(fs, ino, &probe);
    if (rc < 0) {
        return rc;
    }
    *dead = probe.links == 0 || probe.mode == 0;
    return 0;
}

/* Take a clear bit of group g's inode bitmap: 1 and *ino, or 0 if full. */
static int take_inode(ext2_fs_t *fs, uint32_t g, bool dir, uint32_t *ino)
{
    group_map_t m;
    int rc = group_map_get(fs, g, GD_INODE_BITMAP, true, &m);
    if (rc <= 0) {
        return rc;
    }
    uint64_t base = (uint64_t)g * fs->inodes_per_group;
    uint32_t start = base + 1 < fs->first_ino ? (uint32_t)(fs->first_ino - 1 - base) : 0;
    int64_t bit =
        start < fs->inodes_per_group ? find_clear(m.map->data, start, fs->inodes_per_group) : -1;
    rc = 0;
    if (bit >= 0) {
        uint32_t found = (uint32_t)(base + (uint64_t)bit + 1);
        bool dead;
        rc = slot_is_dead(fs, found, &dead);
        if (rc == 0 && !dead) {
            rc = fs_corrupt(fs, "inode", found, "inode bitmap calls a live inode free", NO_VALUE);
        }
        if (rc == 0) {
            bit_set(m.map->data, (uint32_t)bit, true);
            buf_dirty(fs, m.map);
            gd_add16(m.gd, GD_FREE_INODES, -1);
            if (dir) {
                gd_add16(m.gd, GD_USED_DIRS, 1);
            }
            buf_dirty(fs, m.gb);
            sb_add_free_inodes(fs, -1);
            *ino = found;
            rc = 1;
        }
    }
    group_map_put(fs, &m);
    return rc;
}

int alloc_inode(ext2_fs_t *fs, uint32_t parent, bool dir, uint32_t *ino)
{
    uint32_t parent_group = (parent - 1) / fs->inodes_per_group;
    for (uint32_t k = 0; k < fs->groups; k++) {
        uint32_t g;
        int rc = pick_group(fs, parent_group, dir, k, &g);
        if (rc == 0) {
            rc = take_inode(fs, g, dir, ino);
        }
        if (rc != 0) {
            return rc < 0 ? rc : 0;
        }
    }
    return -ENOSPC;
}

int free_inode(ext2_fs_t *fs, uint32_t ino, bool dir)
{
    uint32_t bit = (ino - 1) % fs->inodes_per_group;
    group_map_t m;
    int rc = group_map_get(fs, (ino - 1) / fs->inodes_per_group, GD_INODE_BITMAP, false, &m);
    if (rc < 0) {
        return rc;
    }
    if (!bit_get(m.map->data, bit)) {
        fs_note(fs, "inode", ino, "freed but already free");
    } else if (le16_get(m.gd + GD_FREE_INODES) < fs->inodes_per_group) {
        bit_set(m.map->data, bit, false);
        buf_dirty(fs, m.map);
        gd_add16(m.gd, GD_FREE_INODES, 1);
        if (dir && le16_get(m.gd + GD_USED_DIRS) > 0) {
            gd_add16(m.gd, GD_USED_DIRS, -1);
        }
        buf_dirty(fs, m.gb);
        sb_add_free_inodes(fs, 1);
        fs->op_drops = true;
    }
    group_map_put(fs, &m);
    return 0;
}

int xattr_release(ext2_fs_t *fs, uint32_t block)
{
    buf_t *b;
    int rc = buf_get(fs, block, BUF_TREE, &b);
    if (rc < 0) {
        return rc;
    }
    if (le32_get(b->data + XATTR_H_MAGIC) != XATTR_MAGIC) {
        buf_put(fs, b);
        return fs_corrupt(fs, "extended attribute block", block, "bad magic number", NO_VALUE);
    }
    uint32_t refs = le32_get(b->data + XATTR_H_REFCOUNT);
    if (refs > 1) {
        le32_put(b->data + XATTR_H_REFCOUNT, refs - 1);
        buf_dirty(fs, b);
        buf_put(fs, b);
        return 0;
    }
    buf_put(fs, b);
    buf_forget(fs, block);
    return free_block(fs, block);
}
