/* The block cache: a fixed number of block buffers in the caller's memory,
 * found through a hash of block numbers, evicted least recently used
 * first, written back when evicted dirty (or at a commit or sync). A
 * pinned buffer (between buf_get and buf_put) is never evicted. Under
 * EXT2_MOUNT_SYNC_META eviction prefers clean blocks, then dirty data, and
 * writes dirty metadata only when nothing else is left (counted in
 * stats.early_meta: the operation is then no longer all-or-nothing). */
#include "internal.h"

#include <errno.h>
#include <string.h>

#define BUF_VALID 0x1u
#define BUF_DIRTY 0x2u

static uintptr_t align_up(uintptr_t p, uintptr_t a)
{
    return (p + a - 1) & ~(a - 1);
}

int bcache_init(ext2_fs_t *fs, void *memory, size_t bytes)
{
    ext2_bcache_t *c = &fs->cache;
    uintptr_t start = (uintptr_t)memory, end = start + bytes;
    uintptr_t p = align_up(start, 8);
    size_t per = sizeof(buf_t) + sizeof(int32_t) + fs->block_size;
    if (memory == NULL || end < start || end - p < 128) {
        return -ENOMEM;
    }
    size_t n = (size_t)(end - p - 128) / per;
    if (n < EXT2_CACHE_MIN_BLOCKS) {
        return -ENOMEM;
    }
    if (n > 1u << 20) {
        n = 1u << 20;
    }
    uint32_t buckets = 1;
    while (buckets * 2 <= n) {
        buckets *= 2;
    }
    c->entries = (buf_t *)p;
    p += n * sizeof(buf_t);
    c->buckets = (int32_t *)align_up(p, 4);
    p = (uintptr_t)(c->buckets + buckets);
    c->data = (uint8_t *)align_up(p, 64);
    c->count = (uint32_t)n;
    c->hash_mask = buckets - 1;
    c->pinned = 0;
    c->clock = 0;
    c->dirty_head = -1;
    memset(c->dirty_count, 0, sizeof(c->dirty_count));
    for (uint32_t i = 0; i < buckets; i++) {
        c->buckets[i] = -1;
    }
    for (uint32_t i = 0; i < c->count; i++) {
        c->entries[i] = (buf_t){
            .next = -1, .dnext = -1, .dprev = -1, .data = c->data + (size_t)i * fs->block_size
        };
    }
    return 0;
}

static int32_t *chain_head(ext2_fs_t *fs, uint32_t block)
{
    uint32_t h = (block * 2654435761u) >> 7;
    return &fs->cache.buckets[h & fs->cache.hash_mask];
}

static buf_t *lookup(ext2_fs_t *fs, uint32_t block)
{
    for (int32_t i = *chain_head(fs, block); i >= 0; i = fs->cache.entries[i].next) {
        buf_t *b = &fs->cache.entries[i];
        if (b->block == block) {
            return b;
        }
    }
    return NULL;
}

static int32_t index_of(const ext2_fs_t *fs, const buf_t *b)
{
    return (int32_t)(b - fs->cache.entries);
}

/* A buffer becomes dirty: onto the dirty list, counted under its kind. */
static void mark_dirty(ext2_fs_t *fs, buf_t *b)
{
    if (b->flags & BUF_DIRTY) {
        return;
    }
    ext2_bcache_t *c = &fs->cache;
    b->flags |= BUF_DIRTY;
    b->dprev = -1;
    b->dnext = c->dirty_head;
    if (c->dirty_head >= 0) {
        c->entries[c->dirty_head].dprev = index_of(fs, b);
    }
    c->dirty_head = index_of(fs, b);
    c->dirty_count[b->kind]++;
}

static void mark_clean(ext2_fs_t *fs, buf_t *b)
{
    if (!(b->flags & BUF_DIRTY)) {
        return;
    }
    ext2_bcache_t *c = &fs->cache;
    b->flags &= (uint16_t)~BUF_DIRTY;
    if (b->dprev >= 0) {
        c->entries[b->dprev].dnext = b->dnext;
    } else {
        c->dirty_head = b->dnext;
    }
    if (b->dnext >= 0) {
        c->entries[b->dnext].dprev = b->dprev;
    }
    b->dnext = b->dprev = -1;
    c->dirty_count[b->kind]--;
}

/* A buffer's kind, kept counted if it is dirty. */
static void set_kind(ext2_fs_t *fs, buf_t *b, enum buf_kind kind)
{
    if (b->flags & BUF_DIRTY) {
        fs->cache.dirty_count[b->kind]--;
        fs->cache.dirty_count[kind]++;
    }
    b->kind = (uint8_t)kind;
}

static void unhash(ext2_fs_t *fs, buf_t *b)
{
    mark_clean(fs, b);
    int32_t index = (int32_t)(b - fs->cache.entries);
    for (int32_t *link = chain_head(fs, b->block); *link >= 0;
         link = &fs->cache.entries[*link].next) {
        if (*link == index) {
            *link = b->next;
            break;
        }
    }
    b->next = -1;
    b->flags = 0;
}

static void rehash(ext2_fs_t *fs, buf_t *b, uint32_t block)
{
    int32_t *head = chain_head(fs, block);
    b->block = block;
    b->next = *head;
    *head = (int32_t)(b - fs->cache.entries);
    b->flags = BUF_VALID;
}

static int write_buf(ext2_fs_t *fs, buf_t *b)
{
    int rc = dev_write_blocks(fs, b->block, 1, b->data);
    if (rc < 0) {
        return rc;
    }
    mark_clean(fs, b);
    return 0;
}

/* Eviction order: empty, clean, dirty data, dirty metadata; least recently
 * used first within each. */
static unsigned victim_rank(const ext2_fs_t *fs, const buf_t *b)
{
    if (!(b->flags & BUF_VALID)) {
        return 0;
    }
    if (!(b->flags & BUF_DIRTY)) {
        return 1;
    }
    if (b->kind == BUF_DATA || !(fs->flags & EXT2_MOUNT_SYNC_META)) {
        return 2;
    }
    return 3;
}

/* An unpinned buffer made free for reuse (written first if dirty). */
static int take_victim(ext2_fs_t *fs, buf_t **out)
{
    buf_t *best = NULL;
    unsigned best_rank = 4;
    for (uint32_t i = 0; i < fs->cache.count; i++) {
        buf_t *b = &fs->cache.entries[i];
        if (b->pins != 0) {
            continue;
        }
        unsigned rank = victim_rank(fs, b);
        if (rank < best_rank || (rank == best_rank && b->used < best->used)) {
            best = b;
            best_rank = rank;
            if (rank == 0) {
                break;
            }
        }
    }
    if (best == NULL) {
        return fs_corrupt(fs, NULL, 0, "block cache: every buffer is pinned", NO_VALUE);
    }
    if (best_rank >= 2) {
        if (best_rank == 3) {
            fs->stats.early_meta++;
            fs->op_early = true;
        }
        int rc = write_buf(fs, best);
        if (rc < 0) {
            return rc;
        }
    }
    if (best->flags & BUF_VALID) {
        unhash(fs, best);
    }
    *out = best;
    return 0;
}

static int check_block(ext2_fs_t *fs, uint32_t block)
{
    if (block >= fs->blocks_count || block < fs->first_data_block) {
        return fs_corrupt(fs, "block", block, "outside the file system", NO_VALUE);
    }
    return 0;
}

static void pin(ext2_fs_t *fs, buf_t *b, enum buf_kind kind)
{
    if (b->pins++ == 0) {
        fs->cache.pinned++;
    }
    set_kind(fs, b, kind);
    b->used = ++fs->cache.clock;
}

int buf_get(ext2_fs_t *fs, uint32_t block, enum buf_kind kind, buf_t **out)
{
    int rc = check_block(fs, block);
    if (rc < 0) {
        return rc;
    }
    buf_t *b = lookup(fs, block);
    if (b != NULL) {
        fs->stats.hits++;
        /* A dirty block keeps the class it was dirtied in (a block this
         * operation allocated stays new); a clean one takes the reader's. */
        pin(fs, b, (b->flags & BUF_DIRTY) ? (enum buf_kind)b->kind : kind);
        *out = b;
        return 0;
    }
    fs->stats.misses++;
    rc = take_victim(fs, &b);
    if (rc < 0) {
        return rc;
    }
    rc = dev_read_blocks(fs, block, 1, b->data);
    if (rc < 0) {
        return rc;
    }
    rehash(fs, b, block);
    pin(fs, b, kind);
    *out = b;
    return 0;
}

int buf_get_new(ext2_fs_t *fs, uint32_t block, enum buf_kind kind, buf_t **out)
{
    int rc = check_block(fs, block);
    if (rc < 0) {
        return rc;
    }
    buf_t *b = lookup(fs, block);
    if (b == NULL) {
        rc = take_victim(fs, &b);
        if (rc < 0) {
            return rc;
        }
        rehash(fs, b, block);
    }
    memset(b->data, 0, fs->block_size);
    pin(fs, b, kind);
    mark_dirty(fs, b);
    *out = b;
    return 0;
}

void buf_dirty(ext2_fs_t *fs, buf_t *b)
{
    mark_dirty(fs, b);
}

void buf_put(ext2_fs_t *fs, buf_t *b)
{
    if (b != NULL && b->pins > 0 && --b->pins == 0) {
        fs->cache.pinned--;
    }
}

buf_t *buf_peek(ext2_fs_t *fs, uint32_t block)
{
    return lookup(fs, block);
}

void buf_forget(ext2_fs_t *fs, uint32_t block)
{
    buf_t *b = lookup(fs, block);
    if (b == NULL) {
        return;
    }
    mark_clean(fs, b);
    if (b->pins == 0) {
        unhash(fs, b);
    }
}

int bcache_write_kind(ext2_fs_t *fs, enum buf_kind kind)
{
    int result = 0;
    for (int32_t i = fs->cache.dirty_head, next; i >= 0 && fs->cache.dirty_count[kind] > 0;
         i = next) {
        buf_t *b = &fs->cache.entries[i];
        next = b->dnext; /* a written buffer leaves the list */
        if (b->kind == kind) {
            int rc = write_buf(fs, b);
            if (rc < 0) {
                result = rc;
            }
        }
    }
    return result;
}

bool bcache_has_dirty(ext2_fs_t *fs, enum buf_kind kind)
{
    return fs->cache.dirty_count[kind] > 0;
}

void bcache_discard_dirty(ext2_fs_t *fs)
{
    for (int32_t i = fs->cache.dirty_head, next; i >= 0; i = next) {
        buf_t *b = &fs->cache.entries[i];
        next = b->dnext;
        if (b->pins == 0) {
            unhash(fs, b);
        }
    }
}

uint32_t bcache_unpin_all(ext2_fs_t *fs)
{
    uint32_t pinned = fs->cache.pinned;
    if (pinned == 0) {
        return 0; /* every buf_get had its buf_put: nothing to visit */
    }
    for (uint32_t i = 0; i < fs->cache.count; i++) {
        fs->cache.entries[i].pins = 0;
    }
    fs->cache.pinned = 0;
    return pinned;
}

int dev_read_blocks(ext2_fs_t *fs, uint32_t block, uint32_t count, void *buf)
{
    fs->stats.reads++;
    uint64_t sector = (uint64_t)block * fs->sectors_per_block;
    if (fs->dev.read(fs->dev.ctx, sector, count * fs->sectors_per_block, buf) != 0) {
        return fs_corrupt(fs, "block", block, "device read failed", NO_VALUE);
    }
    return 0;
}

int dev_write_blocks(ext2_fs_t *fs, uint32_t block, uint32_t count, const void *buf)
{
    fs->stats.writes++;
    uint64_t sector = (uint64_t)block * fs->sectors_per_block;
    if (fs->dev.write(fs->dev.ctx, sector, count * fs->sectors_per_block, buf) != 0) {
        fs->broken = true;
        return fs_corrupt(fs, "block", block, "device write failed", NO_VALUE);
    }
    return 0;
}
