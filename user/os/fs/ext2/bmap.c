/* The block map of an inode: i_block[0..11] map logical blocks 0-11
 * directly, i_block[12] is a single indirect block (addr_per_block
 * entries), [13] double and [14] triple indirect. Lookup, allocation of a
 * missing block with the indirect blocks on its way, and freeing of
 * everything past a logical block. Every entry read from an indirect block
 * is checked to lie inside the file system. */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* The slots leading to one logical block: off[0] in i_block, off[1..depth]
 * in the indirect blocks below it. */
typedef struct map_path {
    int depth;
    uint32_t off[4];
} map_path_t;

uint64_t bmap_max_blocks(const ext2_fs_t *fs)
{
    uint64_t a = fs->addr_per_block;
    return EXT2_NDIR_BLOCKS + a + a * a + a * a * a;
}

static int map_path(const ext2_fs_t *fs, uint64_t lblk, map_path_t *p)
{
    uint64_t a = fs->addr_per_block;
    if (lblk < EXT2_NDIR_BLOCKS) {
        *p = (map_path_t){ 0, { (uint32_t)lblk, 0, 0, 0 } };
        return 0;
    }
    lblk -= EXT2_NDIR_BLOCKS;
    if (lblk < a) {
        *p = (map_path_t){ 1, { EXT2_IND_BLOCK, (uint32_t)lblk, 0, 0 } };
        return 0;
    }
    lblk -= a;
    if (lblk < a * a) {
        *p = (map_path_t){ 2, { EXT2_DIND_BLOCK, (uint32_t)(lblk / a), (uint32_t)(lblk % a), 0 } };
        return 0;
    }
    lblk -= a * a;
    if (lblk < a * a * a) {
        *p = (map_path_t){ 3,
                           { EXT2_TIND_BLOCK, (uint32_t)(lblk / (a * a)), (uint32_t)(lblk / a % a),
                             (uint32_t)(lblk % a) } };
        return 0;
    }
    return -EFBIG;
}

/* Entry i of an indirect block, checked. */
static int entry_get(ext2_fs_t *fs, const buf_t *b, uint32_t i, uint32_t *out)
{
    uint32_t e = le32_get(b->data + 4 * i);
    if (e != 0 && (e < fs->first_data_block || e >= fs->blocks_count)) {
        return fs_corrupt(fs, "indirect block", b->block, "entry outside the file system", e);
    }
    *out = e;
    return 0;
}

int bmap_lookup(ext2_fs_t *fs, const inode_t *in, uint64_t lblk, uint32_t *block)
{
    map_path_t p;
    int rc = map_path(fs, lblk, &p);
    if (rc < 0) {
        return rc;
    }
    uint32_t cur = in->block[p.off[0]];
    for (int level = 1; level <= p.depth && cur != 0; level++) {
        buf_t *b;
        if ((rc = buf_get(fs, cur, BUF_TREE, &b)) < 0) {
            return rc;
        }
        rc = entry_get(fs, b, p.off[level], &cur);
        buf_put(fs, b);
        if (rc < 0) {
            return rc;
        }
    }
    *block = cur;
    return 0;
}

/* Where to look for a new block at slot i of `slots` (an inode's i_block or
 * an indirect block's entries, n of them): just after the nearest mapped
 * slot before it, else just after the indirect block holding it, else the
 * start of the inode's group. */
static uint32_t goal_near(ext2_fs_t *fs, const inode_t *in, const uint8_t *slots, uint32_t i,
                          uint32_t holder)
{
    for (uint32_t j = i; j-- > 0;) {
        uint32_t e = le32_get(slots + 4 * j);
        if (e != 0) {
            return e + (i - j);
        }
    }
    if (holder != 0) {
        return holder + 1;
    }
    return group_first_block(fs, (in->ino - 1) / fs->inodes_per_group);
}

/* Allocate n blocks, each after the previous if it can; all or none. */
static int alloc_run(ext2_fs_t *fs, uint32_t goal, uint32_t n, uint32_t *out)
{
    for (uint32_t i = 0; i < n; i++) {
        int rc = alloc_block(fs, i == 0 ? goal : out[i - 1] + 1, &out[i]);
        if (rc < 0) {
            while (i-- > 0) {
                free_block(fs, out[i]);
            }
            return rc;
        }
    }
    return 0;
}

/* Walk to lblk: the deepest existing block on the path (0: the inode
 * itself) and the level whose slot is empty (depth + 1 when mapped). */
static int walk(ext2_fs_t *fs, const inode_t *in, const map_path_t *p, buf_t **holder, int *missing,
                uint32_t *mapped)
{
    *holder = NULL;
    uint32_t cur = in->block[p->off[0]];
    if (cur == 0) {
        *missing = 0;
        return 0;
    }
    for (int level = 1; level <= p->depth; level++) {
        buf_t *b;
        int rc = buf_get(fs, cur, BUF_TREE, &b);
        if (rc < 0) {
            return rc;
        }
        uint32_t next;
        if ((rc = entry_get(fs, b, p->off[level], &next)) < 0) {
            buf_put(fs, b);
            return rc;
        }
        if (next == 0) {
            *holder = b;
            *missing = level;
            return 0;
        }
        buf_put(fs, b);
        cur = next;
    }
    *missing = p->depth + 1;
    *mapped = cur;
    return 0;
}

/* Fill the new indirect blocks new[0..n-2] (each pointing at the next
 * along the path), the last being the data block. */
static int link_chain(ext2_fs_t *fs, const map_path_t *p, int missing, const uint32_t *fresh,
                      uint32_t n)
{
    for (uint32_t i = 0; i + 1 < n; i++) {
        buf_t *b;
        int rc = buf_get_new(fs, fresh[i], BUF_NEW, &b);
        if (rc < 0) {
            return rc;
        }
        le32_put(b->data + 4 * p->off[missing + 1 + (int)i], fresh[i + 1]);
        buf_put(fs, b);
    }
    return 0;
}

int bmap_alloc(ext2_fs_t *fs, inode_t *in, uint64_t lblk, uint32_t *block, bool *fresh)
{
    map_path_t p;
    int rc = map_path(fs, lblk, &p);
    if (rc < 0) {
        return rc;
    }
    buf_t *holder;
    int missing;
    if ((rc = walk(fs, in, &p, &holder, &missing, block)) < 0) {
        return rc;
    }
    *fresh = missing <= p.depth;
    if (!*fresh) {
        return 0;
    }
    uint32_t n = (uint32_t)(p.depth - missing + 1), run[4];
    uint8_t slots_of_inode[4 * EXT2_N_BLOCKS];
    for (int i = 0; i < EXT2_N_BLOCKS; i++) {
        le32_put(slots_of_inode + 4 * i, in->block[i]);
    }
    uint32_t goal = holder != NULL ? goal_near(fs, in, holder->data, p.off[missing], holder->block)
                                   : goal_near(fs, in, slots_of_inode, p.off[0], 0);
    if ((rc = alloc_run(fs, goal, n, run)) < 0) {
        buf_put(fs, holder);
        return rc;
    }
    if ((rc = link_chain(fs, &p, missing, run, n)) < 0) {
        for (uint32_t i = 0; i < n; i++) {
            buf_forget(fs, run[i]);
            free_block(fs, run[i]);
        }
        buf_put(fs, holder);
        return rc;
    }
    if (holder != NULL) {
        le32_put(holder->data + 4 * p.off[missing], run[0]);
        buf_dirty(fs, holder);
        buf_put(fs, holder);
    } else {
        in->block[p.off[0]] = run[0];
    }
    in->blocks += (uint64_t)n * fs->sectors_per_block;
    *block = run[n - 1];
    return 0;
}

static int release_block(ext2_fs_t *fs, inode_t *in, uint32_t block)
{
    buf_forget(fs, block);
    in->blocks -= in->blocks >= fs->sectors_per_block ? fs->sectors_per_block : in->blocks;
    return free_block(fs, block);
}

/* Free what the indirect block `block` of `level` (1: its entries are data
 * blocks) maps from its relative logical block `from` on. *empty: it maps
 * nothing any more (the caller frees it). From 0 the whole tree goes and
 * its entries need not be cleared. */
static int free_tree(ext2_fs_t *fs, inode_t *in, uint32_t block, int level, uint64_t from,
                     bool *empty)
{
    uint64_t child_span = 1;
    for (int i = 1; i < level; i++) {
        child_span *= fs->addr_per_block;
    }
    buf_t *b;
    int rc = buf_get(fs, block, BUF_TREE, &b);
    if (rc < 0) {
        return rc;
    }
    bool whole = from == 0;
    uint32_t start = (uint32_t)(from / child_span);
    for (uint32_t i = start; i < fs->addr_per_block && rc == 0; i++) {
        uint32_t e;
        if ((rc = entry_get(fs, b, i, &e)) < 0 || e == 0) {
            continue;
        }
        bool child_empty = true;
        if (level > 1) {
            rc = free_tree(fs, in, e, level - 1, i == start ? from % child_span : 0, &child_empty);
        }
        if (rc == 0 && child_empty) {
            rc = release_block(fs, in, e);
            if (!whole) {
                le32_put(b->data + 4 * i, 0);
                buf_dirty(fs, b);
            }
        }
    }
    *empty = whole;
    for (uint32_t i = 0; i < fs->addr_per_block && !whole; i++) {
        *empty = le32_get(b->data + 4 * i) == 0;
        if (!*empty) {
            break;
        }
    }
    buf_put(fs, b);
    return rc;
}

int bmap_truncate(ext2_fs_t *fs, inode_t *in, uint64_t first)
{
    int rc = 0;
    for (uint64_t i = first; i < EXT2_NDIR_BLOCKS && rc == 0; i++) {
        if (in->block[i] != 0) {
            rc = release_block(fs, in, in->block[i]);
            in->block[i] = 0;
        }
    }
    uint64_t base = EXT2_NDIR_BLOCKS, span = 1;
    for (int level = 1; level <= 3 && rc == 0; level++) {
        int slot = EXT2_NDIR_BLOCKS + level - 1;
        span *= fs->addr_per_block;
        if (first < base + span && in->block[slot] != 0) {
            bool empty;
            rc = free_tree(fs, in, in->block[slot], level, first > base ? first - base : 0, &empty);
            if (rc == 0 && empty) {
                rc = release_block(fs, in, in->block[slot]);
                in->block[slot] = 0;
            }
        }
        base += span;
    }
    return rc;
}
