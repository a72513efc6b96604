/* Unit tests of the ext2 library (user/os/fs/ext2) on the host, under ASan
 * and UBSan, over an image in memory that the test formats itself (one
 * group): the block cache (LRU eviction, write-back of dirty blocks,
 * pinning, device errors), the block map at every level's boundary
 * (allocation, i_blocks, freeing back to the same free count), directory
 * entry checks (each malformed entry gives EIO and a log line), readdir's
 * cookie, the superblock's checks, the clean flag, and the order of the
 * writes of a commit under EXT2_MOUNT_SYNC_META. tests/host/test_ext2.py
 * checks the library against e2fsprogs. */
#include "../../user/os/fs/ext2/internal.h"

#include <errno.h>
#include <harness.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- a device in memory ---------------------------------------------------- */

#define WRITE_LOG 4096

typedef struct memdev {
    uint8_t *data;
    size_t size;
    long reads_left, writes_left; /* requests before they fail (-1: never) */
    unsigned writes, flushes;
    uint64_t written[WRITE_LOG]; /* first sector of each write */
    unsigned logged;
    char last_log[200];
    unsigned log_lines;
} memdev_t;

static int mem_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    memdev_t *m = ctx;
    if (m->reads_left == 0 || (sector + count) * 512 > m->size) {
        return -EIO;
    }
    if (m->reads_left > 0) {
        m->reads_left--;
    }
    memcpy(buf, m->data + sector * 512, (size_t)count * 512);
    return 0;
}

static int mem_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    memdev_t *m = ctx;
    if (m->writes_left == 0 || (sector + count) * 512 > m->size) {
        return -EIO;
    }
    if (m->writes_left > 0) {
        m->writes_left--;
    }
    if (m->logged < WRITE_LOG) {
        m->written[m->logged++] = sector;
    }
    m->writes++;
    memcpy(m->data + sector * 512, buf, (size_t)count * 512);
    return 0;
}

static int mem_flush(void *ctx)
{
    memdev_t *m = ctx;
    m->flushes++;
    return 0;
}

static void mem_log(void *ctx, const char *message)
{
    memdev_t *m = ctx;
    snprintf(m->last_log, sizeof(m->last_log), "%s", message);
    m->log_lines++;
}

/* --- a one-group file system, made here ------------------------------------ */

enum {
    BS = 1024,
    BLOCKS = 8192,
    INODES = 256,
    ISIZE = 256,
    SB_BLOCK = 1,
    GDT_BLOCK = 2,
    BBITMAP = 3,
    IBITMAP = 4,
    ITABLE = 5,
    ITABLE_BLOCKS = INODES * ISIZE / BS,
    ROOT_BLOCK = ITABLE + ITABLE_BLOCKS,
    FIRST_FREE = ROOT_BLOCK + 1,
};

static void set_bits(uint8_t *map, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to; i++) {
        map[i / 8] |= (uint8_t)(1u << (i % 8));
    }
}

/* Format data (BLOCKS blocks of 1 KiB): revision 1, filetype, sparse_super,
 * large_file; a root directory with "." and "..". */
static void mini_mkfs(uint8_t *data)
{
    memset(data, 0, (size_t)BLOCKS * BS);
    uint8_t *sb = data + 1024;
    le32_put(sb + SB_INODES_COUNT, INODES);
    le32_put(sb + SB_BLOCKS_COUNT, BLOCKS);
    le32_put(sb + SB_FREE_BLOCKS, BLOCKS - FIRST_FREE);
    le32_put(sb + SB_FREE_INODES, INODES - 10);
    le32_put(sb + SB_FIRST_DATA_BLOCK, 1);
    le32_put(sb + SB_BLOCKS_PER_GROUP, BLOCKS);
    le32_put(sb + SB_INODES_PER_GROUP, INODES);
    le16_put(sb + SB_MAGIC, EXT2_MAGIC);
    le16_put(sb + SB_STATE, EXT2_STATE_VALID);
    le32_put(sb + SB_REV_LEVEL, EXT2_DYNAMIC_REV);
    le32_put(sb + SB_FIRST_INO, 11);
    le16_put(sb + SB_INODE_SIZE, ISIZE);
    le32_put(sb + SB_FEATURE_INCOMPAT, INCOMPAT_FILETYPE);
    le32_put(sb + SB_FEATURE_RO_COMPAT, RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE);
    uint8_t *gd = data + GDT_BLOCK * BS;
    le32_put(gd + GD_BLOCK_BITMAP, BBITMAP);
    le32_put(gd + GD_INODE_BITMAP, IBITMAP);
    le32_put(gd + GD_INODE_TABLE, ITABLE);
    le16_put(gd + GD_FREE_BLOCKS, BLOCKS - FIRST_FREE);
    le16_put(gd + GD_FREE_INODES, INODES - 10);
    le16_put(gd + GD_USED_DIRS, 1);
    /* Bit i of the block bitmap is block i + 1; the last bit (block 8192)
     * lies past the end and is set as padding. */
    set_bits(data + BBITMAP * BS, 0, FIRST_FREE - 1);
    set_bits(data + BBITMAP * BS, BLOCKS - 1, BS * 8);
    set_bits(data + IBITMAP * BS, 0, 10);
    set_bits(data + IBITMAP * BS, INODES, BS * 8);
    uint8_t *root = data + ITABLE * BS + 1 * ISIZE;
    le16_put(root + IN_MODE, S_TYPE_DIR | 0755);
    le32_put(root + IN_SIZE, BS);
    le16_put(root + IN_LINKS, 2);
    le32_put(root + IN_BLOCKS, BS / 512);
    le32_put(root + IN_BLOCK, ROOT_BLOCK);
    uint8_t *dir = data + ROOT_BLOCK * BS;
    le32_put(dir, EXT2_ROOT_INO);
    le16_put(dir + DE_REC_LEN, 12);
    dir[DE_NAME_LEN] = 1;
    dir[DE_FILE_TYPE] = EXT2_FT_DIR;
    dir[DE_NAME] = '.';
    le32_put(dir + 12, EXT2_ROOT_INO);
    le16_put(dir + 12 + DE_REC_LEN, BS - 12);
    dir[12 + DE_NAME_LEN] = 2;
    dir[12 + DE_FILE_TYPE] = EXT2_FT_DIR;
    memcpy(dir + 12 + DE_NAME, "..", 2);
}

typedef struct fixture {
    memdev_t dev;
    ext2_blockdev_t blockdev;
    ext2_fs_t fs;
    void *cache;
} fixture_t;

static fixture_t fx;

/* A freshly formatted image, mounted with a cache of cache_blocks. */
static int setup(unsigned flags, uint32_t cache_blocks)
{
    free(fx.dev.data);
    free(fx.cache);
    memset(&fx, 0, sizeof(fx));
    fx.dev.size = (size_t)BLOCKS * BS;
    fx.dev.data = malloc(fx.dev.size);
    fx.dev.reads_left = fx.dev.writes_left = -1;
    mini_mkfs(fx.dev.data);
    fx.blockdev = (ext2_blockdev_t){ &fx.dev, mem_read, mem_write, mem_flush, mem_log, BLOCKS * 2 };
    size_t bytes = EXT2_CACHE_BYTES(cache_blocks, BS);
    fx.cache = malloc(bytes);
    ext2_set_time(&fx.fs, 1000);
    return ext2_mount(&fx.fs, &fx.blockdev, fx.cache, bytes, flags);
}

static uint32_t free_blocks(void)
{
    ext2_statfs_t s;
    ext2_statfs(&fx.fs, &s);
    return (uint32_t)s.blocks_free;
}

/* --- mount ------------------------------------------------------------------ */

TEST(mounts_the_test_image_and_marks_it_not_clean_until_unmount)
{
    ASSERT_EQ(setup(0, 64), 0);
    EXPECT_EQ(le16_get(fx.dev.data + 1024 + SB_STATE) & EXT2_STATE_VALID, 0);
    EXPECT_EQ(fx.fs.cache.count >= 64, 1);
    EXPECT_EQ(ext2_unmount(&fx.fs), 0);
    EXPECT_EQ(le16_get(fx.dev.data + 1024 + SB_STATE) & EXT2_STATE_VALID, EXT2_STATE_VALID);
}

TEST(superblock_fields_are_checked)
{
    static const struct {
        unsigned offset, size;
        uint32_t value;
        int rc;
    } cases[] = {
        { SB_MAGIC, 2, 0x1234, -EIO },
        { SB_LOG_BLOCK_SIZE, 4, 3, -EIO },
        { SB_BLOCKS_PER_GROUP, 4, 0, -EIO },
        { SB_BLOCKS_PER_GROUP, 4, 8193 * 8, -EIO },
        { SB_BLOCKS_PER_GROUP, 4, 1001, -EIO },
        { SB_INODES_PER_GROUP, 4, 0, -EIO },
        { SB_INODES_PER_GROUP, 4, 255, -EIO }, /* groups x per group != count */
        { SB_FIRST_DATA_BLOCK, 4, 0, -EIO },
        { SB_BLOCKS_COUNT, 4, BLOCKS + 1, -EIO },
        { SB_INODE_SIZE, 2, 100, -EIO },
        { SB_INODE_SIZE, 2, 2048, -EIO },
        { SB_FIRST_INO, 4, 1, -EIO },
        { SB_FREE_BLOCKS, 4, BLOCKS + 5, -EIO },
        { SB_REV_LEVEL, 4, 7, -EIO },
        { SB_FEATURE_INCOMPAT, 4, INCOMPAT_FILETYPE | INCOMPAT_EXTENTS, -EINVAL },
        { SB_FEATURE_INCOMPAT, 4, INCOMPAT_FILETYPE | INCOMPAT_RECOVER, -EINVAL },
        { SB_FEATURE_RO_COMPAT, 4, 0x400, EXT2_MOUNTED_READONLY },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ASSERT_EQ(setup(0, 64), 0);
        ext2_unmount(&fx.fs);
        uint8_t *field = fx.dev.data + 1024 + cases[i].offset;
        if (cases[i].size == 2) {
            le16_put(field, (uint16_t)cases[i].value);
        } else {
            le32_put(field, cases[i].value);
        }
        size_t bytes = EXT2_CACHE_BYTES(64, BS);
        fx.dev.log_lines = 0;
        int rc = ext2_mount(&fx.fs, &fx.blockdev, fx.cache, bytes, 0);
        EXPECT_EQ(rc, cases[i].rc);
        EXPECT_TRUE(rc == 0 || fx.dev.log_lines > 0); /* every refusal says why */
        if (rc >= 0) {
            uint32_t ino;
            EXPECT_EQ(ext2_mkdir(&fx.fs, EXT2_ROOT_INO, "x", 1, 0755, &ino), -EROFS);
            ext2_unmount(&fx.fs);
        }
    }
}

TEST(group_descriptor_outside_its_group_refused)
{
    ASSERT_EQ(setup(0, 64), 0);
    ext2_unmount(&fx.fs);
    le32_put(fx.dev.data + GDT_BLOCK * BS + GD_INODE_TABLE, BLOCKS - 2);
    size_t bytes = EXT2_CACHE_BYTES(64, BS);
    EXPECT_EQ(ext2_mount(&fx.fs, &fx.blockdev, fx.cache, bytes, 0), -EIO);
    EXPECT_TRUE(strstr(fx.dev.last_log, "inode table") != NULL);
    le32_put(fx.dev.data + GDT_BLOCK * BS + GD_INODE_TABLE, ITABLE);
    le32_put(fx.dev.data + GDT_BLOCK * BS + GD_BLOCK_BITMAP, ITABLE + 1);
    EXPECT_EQ(ext2_mount(&fx.fs, &fx.blockdev, fx.cache, bytes, 0), -EIO);
}

TEST(a_cache_too_small_is_refused)
{
    ASSERT_EQ(setup(0, 64), 0);
    ext2_unmount(&fx.fs);
    EXPECT_EQ(ext2_mount(&fx.fs, &fx.blockdev, fx.cache, EXT2_CACHE_BYTES(4, BS), 0), -ENOMEM);
    EXPECT_EQ(ext2_mount(&fx.fs, &fx.blockdev, NULL, 0, 0), -ENOMEM);
}

/* --- the block cache ------------------------------------------------------- */

/* Pin and unpin block b through the cache. */
static void touch(uint32_t b)
{
    buf_t *buf;
    if (buf_get(&fx.fs, b, BUF_TREE, &buf) == 0) {
        buf_put(&fx.fs, buf);
    }
}

TEST(cache_evicts_the_least_recently_used)
{
    ASSERT_EQ(setup(EXT2_MOUNT_READONLY, EXT2_CACHE_MIN_BLOCKS), 0);
    uint32_t n = fx.fs.cache.count;
    touch(1000);
    for (uint32_t i = 0; i < n - 1; i++) {
        touch(2000 + i);
        touch(1000); /* kept in use: never the oldest */
    }
    uint64_t misses = fx.fs.stats.misses;
    touch(1000);
    EXPECT_EQ(fx.fs.stats.misses, misses);
    touch(5000); /* evicts 2000, the least recently used */
    touch(2001);
    EXPECT_EQ(fx.fs.stats.misses, misses + 1);
    touch(2000);
    EXPECT_EQ(fx.fs.stats.misses, misses + 2);
}

TEST(cache_writes_a_dirty_block_when_it_is_evicted)
{
    ASSERT_EQ(setup(0, EXT2_CACHE_MIN_BLOCKS), 0);
    /* Every buffer dirty (clean ones would go first), 3000 the oldest. */
    for (uint32_t i = 0; i < fx.fs.cache.count; i++) {
        buf_t *b;
        ASSERT_EQ(buf_get(&fx.fs, 3000 + i, BUF_TREE, &b), 0);
        memset(b->data, 0x5a, BS);
        buf_dirty(&fx.fs, b);
        buf_put(&fx.fs, b);
    }
    EXPECT_EQ(fx.dev.data[3000 * BS], 0); /* write-back: not yet */
    touch(5000);
    EXPECT_EQ(fx.dev.data[3000 * BS], 0x5a);
    EXPECT_EQ(fx.dev.data[3000 * BS + BS - 1], 0x5a);
    EXPECT_EQ(fx.dev.data[3001 * BS], 0); /* only what had to go */
}

TEST(a_pinned_block_is_never_evicted)
{
    ASSERT_EQ(setup(EXT2_MOUNT_READONLY, EXT2_CACHE_MIN_BLOCKS), 0);
    buf_t *pinned;
    ASSERT_EQ(buf_get(&fx.fs, 3000, BUF_TREE, &pinned), 0);
    uint8_t *data = pinned->data;
    fx.dev.data[3000 * BS] = 0x77; /* the cache must not read it again */
    for (uint32_t i = 0; i < 3 * fx.fs.cache.count; i++) {
        touch(4000 + i);
    }
    EXPECT_TRUE(pinned->data == data);
    EXPECT_EQ(pinned->block, 3000);
    EXPECT_EQ(data[0], 0);
    buf_put(&fx.fs, pinned);
}

TEST(every_buffer_pinned_gives_eio_not_a_crash)
{
    ASSERT_EQ(setup(EXT2_MOUNT_READONLY, EXT2_CACHE_MIN_BLOCKS), 0);
    uint32_t n = fx.fs.cache.count;
    buf_t **held = calloc(n, sizeof(buf_t *));
    for (uint32_t i = 0; i < n; i++) {
        ASSERT_EQ(buf_get(&fx.fs, 100 + i, BUF_TREE, &held[i]), 0);
    }
    buf_t *extra;
    EXPECT_EQ(buf_get(&fx.fs, 5000, BUF_TREE, &extra), -EIO);
    for (uint32_t i = 0; i < n; i++) {
        buf_put(&fx.fs, held[i]);
    }
    EXPECT_EQ(fx.fs.cache.pinned, 0);
    free(held);
}

TEST(device_errors_come_back_as_eio)
{
    ASSERT_EQ(setup(0, EXT2_CACHE_MIN_BLOCKS), 0);
    uint32_t ino;
    fx.dev.reads_left = 0;
    buf_t *b;
    EXPECT_EQ(buf_get(&fx.fs, 6000, BUF_TREE, &b), -EIO);
    EXPECT_TRUE(strstr(fx.dev.last_log, "device read failed") != NULL);
    fx.dev.reads_left = -1;
    fx.dev.writes_left = 0;
    EXPECT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "f", 1, 0644, &ino), 0); /* cached */
    EXPECT_EQ(ext2_sync(&fx.fs), -EIO);
    EXPECT_EQ(ext2_mkdir(&fx.fs, EXT2_ROOT_INO, "d", 1, 0755, &ino), -EIO); /* broken */
    fx.dev.writes_left = -1;
    EXPECT_EQ(ext2_unmount(&fx.fs), -EIO); /* what never reached the disk is lost */
}

TEST(blocks_outside_the_file_system_are_refused)
{
    ASSERT_EQ(setup(EXT2_MOUNT_READONLY, EXT2_CACHE_MIN_BLOCKS), 0);
    buf_t *b;
    EXPECT_EQ(buf_get(&fx.fs, BLOCKS, BUF_TREE, &b), -EIO);
    EXPECT_EQ(buf_get(&fx.fs, 0, BUF_TREE, &b), -EIO);
    EXPECT_EQ(buf_get(&fx.fs, UINT32_MAX, BUF_TREE, &b), -EIO);
}

/* --- the block map ---------------------------------------------------------- */

/* Logical blocks at each level's edges with 1 KiB blocks (256 per
 * indirect block): the last direct, the first single indirect, ... */
static const uint64_t edges[] = {
    0, 11, 12, 12 + 255, 12 + 256, 12 + 256 + 65535, 12 + 256 + 65536, 12 + 256 + 65536 + 16777215,
};
/* Blocks each edge costs alone in a file: data plus indirect blocks. */
static const uint32_t edge_cost[] = { 1, 1, 2, 2, 3, 3, 4, 4 };

TEST(block_map_allocates_and_frees_each_level)
{
    ASSERT_EQ(setup(0, 64), 0);
    uint32_t ino;
    ASSERT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "f", 1, 0644, &ino), 0);
    EXPECT_EQ(bmap_max_blocks(&fx.fs), 12 + 256 + 65536 + 16777216ull);
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        uint32_t before = free_blocks();
        inode_t in;
        ASSERT_EQ(inode_get(&fx.fs, ino, &in), 0);
        uint32_t block, again;
        bool fresh;
        ASSERT_EQ(bmap_alloc(&fx.fs, &in, edges[i], &block, &fresh), 0);
        EXPECT_TRUE(fresh);
        EXPECT_EQ(in.blocks, edge_cost[i] * 2u);
        EXPECT_EQ(free_blocks(), before - edge_cost[i]);
        ASSERT_EQ(bmap_lookup(&fx.fs, &in, edges[i], &again), 0);
        EXPECT_EQ(again, block);
        if (edges[i] + 1 < bmap_max_blocks(&fx.fs)) {
            ASSERT_EQ(bmap_lookup(&fx.fs, &in, edges[i] + 1, &again), 0);
            EXPECT_EQ(again, 0); /* a hole */
        }
        ASSERT_EQ(bmap_alloc(&fx.fs, &in, edges[i], &again, &fresh), 0);
        EXPECT_FALSE(fresh);
        EXPECT_EQ(again, block);
        ASSERT_EQ(bmap_truncate(&fx.fs, &in, edges[i] + 1), 0); /* keeps it */
        EXPECT_EQ(free_blocks(), before - edge_cost[i]);
        ASSERT_EQ(bmap_truncate(&fx.fs, &in, edges[i]), 0);
        EXPECT_EQ(in.blocks, 0);
        EXPECT_EQ(free_blocks(), before);
        for (int k = 0; k < EXT2_N_BLOCKS; k++) {
            EXPECT_EQ(in.block[k], 0);
        }
        op_end(&fx.fs, 0);
    }
    inode_t in;
    ASSERT_EQ(inode_get(&fx.fs, ino, &in), 0);
    uint32_t block;
    bool fresh;
    EXPECT_EQ(bmap_alloc(&fx.fs, &in, bmap_max_blocks(&fx.fs), &block, &fresh), -EFBIG);
    EXPECT_EQ(ext2_unmount(&fx.fs), 0);
}

TEST(block_map_frees_a_partly_kept_indirect_block_only_when_empty)
{
    ASSERT_EQ(setup(0, 64), 0);
    uint32_t ino;
    ASSERT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "f", 1, 0644, &ino), 0);
    uint32_t before = free_blocks();
    static uint8_t data[40 * BS];
    memset(data, 0xab, sizeof(data));
    ASSERT_EQ(ext2_write(&fx.fs, ino, 0, data, sizeof(data)), (int)sizeof(data));
    EXPECT_EQ(free_blocks(), before - 41); /* 40 data + 1 indirect */
    ASSERT_EQ(ext2_truncate(&fx.fs, ino, 20 * BS + 1), 0);
    EXPECT_EQ(free_blocks(), before - 22);
    ASSERT_EQ(ext2_truncate(&fx.fs, ino, 12 * BS), 0);
    EXPECT_EQ(free_blocks(), before - 12);
    ext2_attr_t a;
    ASSERT_EQ(ext2_getattr(&fx.fs, ino, &a), 0);
    EXPECT_EQ(a.blocks, 24);
    ASSERT_EQ(ext2_truncate(&fx.fs, ino, 13 * BS), 0); /* a hole: nothing allocated */
    EXPECT_EQ(free_blocks(), before - 12);
    uint8_t tail[BS];
    EXPECT_EQ(ext2_read(&fx.fs, ino, 12 * BS, tail, sizeof(tail)), BS);
    EXPECT_EQ(tail[0] | tail[BS - 1], 0);
    EXPECT_EQ(ext2_unmount(&fx.fs), 0);
}

TEST(indirect_entries_outside_the_file_system_give_eio)
{
    ASSERT_EQ(setup(0, 64), 0);
    uint32_t ino;
    ASSERT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "f", 1, 0644, &ino), 0);
    uint8_t byte = 1;
    ASSERT_EQ(ext2_write(&fx.fs, ino, 12 * BS + 5, &byte, 1), 1);
    inode_t in;
    ASSERT_EQ(inode_get(&fx.fs, ino, &in), 0);
    ASSERT_EQ(ext2_unmount(&fx.fs), 0);
    le32_put(fx.dev.data + (size_t)in.block[EXT2_IND_BLOCK] * BS, BLOCKS + 7);
    size_t bytes = EXT2_CACHE_BYTES(64, BS);
    ASSERT_EQ(ext2_mount(&fx.fs, &fx.blockdev, fx.cache, bytes, 0), 0);
    uint8_t buf[16];
    EXPECT_EQ(ext2_read(&fx.fs, ino, 12 * BS, buf, sizeof(buf)), -EIO);
    EXPECT_TRUE(strstr(fx.dev.last_log, "indirect block") != NULL);
    EXPECT_EQ(ext2_truncate(&fx.fs, ino, 0), -EIO);
    EXPECT_EQ(fx.fs.cache.pinned, 0);
}

/* --- directories ------------------------------------------------------------- */

/* The root's block with the entry "victim" after ".." (and one after it). */
static uint8_t *root_with_victim(void)
{
    uint32_t ino;
    if (setup(0, 64) != 0 || ext2_create(&fx.fs, EXT2_ROOT_INO, "victim", 6, 0644, &ino) != 0 ||
        ext2_create(&fx.fs, EXT2_ROOT_INO, "after", 5, 0644, &ino) != 0 ||
        ext2_unmount(&fx.fs) != 0) {
        return NULL;
    }
    return fx.dev.data + ROOT_BLOCK * BS;
}

TEST(each_malformed_directory_entry_gives_eio_and_a_log_line)
{
    static const struct {
        unsigned offset; /* from the victim entry (at 24) */
        unsigned size;
        uint32_t value;
        const char *log;
    } cases[] = {
        { DE_REC_LEN, 2, 0, "rec_len" },
        { DE_REC_LEN, 2, 13, "rec_len" },
        { DE_REC_LEN, 2, 4000, "rec_len" },
        { DE_REC_LEN, 2, 8, "rec_len" },
        { DE_NAME_LEN, 1, 255, "name longer" },
        { DE_NAME_LEN, 1, 0, "name longer" },
        { DE_INODE, 4, INODES + 1, "reserved or no inode" },
        { DE_INODE, 4, 7, "reserved or no inode" },
        { DE_NAME + 2, 1, '/', "'/'" },
        { DE_NAME + 2, 1, 0, "'/'" },
        { DE_FILE_TYPE, 1, 9, "file type" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t *block = root_with_victim();
        ASSERT_TRUE(block != NULL);
        uint8_t *field = block + 24 + cases[i].offset;
        if (cases[i].size == 1) {
            *field = (uint8_t)cases[i].value;
        } else if (cases[i].size == 2) {
            le16_put(field, (uint16_t)cases[i].value);
        } else {
            le32_put(field, cases[i].value);
        }
        size_t bytes = EXT2_CACHE_BYTES(64, BS);
        ASSERT_EQ(ext2_mount(&fx.fs, &fx.blockdev, fx.cache, bytes, 0), 0);
        uint32_t ino;
        uint64_t cookie = 0;
        fx.dev.last_log[0] = '\0';
        EXPECT_EQ(ext2_lookup(&fx.fs, EXT2_ROOT_INO, "other", 5, &ino), -EIO);
        if (strstr(fx.dev.last_log, cases[i].log) == NULL) {
            harness_check(false, __FILE__, __LINE__, "case %zu: log \"%s\", want \"%s\"", i,
                          fx.dev.last_log, cases[i].log);
        }
        EXPECT_EQ(ext2_readdir(&fx.fs, EXT2_ROOT_INO, &cookie, NULL, NULL), -EIO);
        EXPECT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "new", 3, 0644, &ino), -EIO);
        EXPECT_EQ(fx.fs.cache.pinned, 0);
        ext2_unmount(&fx.fs);
    }
}

typedef struct seen {
    unsigned count[200];
    unsigned calls, stop_every;
} seen_t;

static int count_entry(void *arg, uint32_t ino, unsigned type, const char *name, size_t len)
{
    seen_t *s = arg;
    (void)ino;
    (void)type;
    if (s->stop_every != 0 && ++s->calls % s->stop_every == 0) {
        return 1; /* not consumed: delivered again by the next call */
    }
    if (len > 1 && name[0] == 'n') {
        s->count[atoi(name + 1)]++;
    }
    return 0;
}

TEST(readdir_resumes_from_its_cookie_across_changes)
{
    ASSERT_EQ(setup(0, 64), 0);
    char name[16];
    uint32_t ino;
    for (int i = 0; i < 200; i++) {
        int len = snprintf(name, sizeof(name), "n%d", i);
        ASSERT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, name, (size_t)len, 0644, &ino), 0);
    }
    seen_t s = { .stop_every = 7 };
    uint64_t cookie = 0;
    int rc, rounds = 0;
    while ((rc = ext2_readdir(&fx.fs, EXT2_ROOT_INO, &cookie, count_entry, &s)) == 1) {
        if (++rounds == 10) { /* removing names already delivered moves nothing */
            for (int i = 0; i < 30; i++) {
                int len = snprintf(name, sizeof(name), "n%d", i);
                ASSERT_EQ(ext2_unlink(&fx.fs, EXT2_ROOT_INO, name, (size_t)len, NULL), 0);
            }
        }
    }
    EXPECT_EQ(rc, 0);
    EXPECT_TRUE(rounds > 20);
    for (int i = 0; i < 200; i++) {
        EXPECT_EQ(s.count[i], 1);
    }
    EXPECT_EQ(ext2_readdir(&fx.fs, EXT2_ROOT_INO, &cookie, count_entry, &s), 0); /* at the end */
}

TEST(a_removed_entry_merges_into_the_one_before)
{
    ASSERT_EQ(setup(0, 64), 0);
    uint32_t ino;
    ASSERT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "a", 1, 0644, &ino), 0);
    ASSERT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "b", 1, 0644, &ino), 0);
    ASSERT_EQ(ext2_unlink(&fx.fs, EXT2_ROOT_INO, "a", 1, NULL), 0);
    ASSERT_EQ(ext2_sync(&fx.fs), 0);
    const uint8_t *block = fx.dev.data + ROOT_BLOCK * BS;
    EXPECT_EQ(le16_get(block + 12 + DE_REC_LEN), 12 + 12); /* ".." swallowed "a" */
    EXPECT_EQ(le32_get(block + 24), ino - 1);              /* a's bytes are left */
    EXPECT_EQ(block[36 + DE_NAME], 'b');
    /* "a" comes back into the slack of ".." */
    ASSERT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "c", 1, 0644, &ino), 0);
    ASSERT_EQ(ext2_sync(&fx.fs), 0);
    EXPECT_EQ(block[24 + DE_NAME], 'c');
}

/* --- the write policy ---------------------------------------------------- */

/* The position in the write log of the first write of a block. */
static int written_at(uint32_t block)
{
    for (unsigned i = 0; i < fx.dev.logged; i++) {
        if (fx.dev.written[i] == (uint64_t)block * 2) {
            return (int)i;
        }
    }
    return -1;
}

TEST(sync_meta_writes_bitmaps_then_inodes_then_entries)
{
    ASSERT_EQ(setup(EXT2_MOUNT_SYNC_META, 64), 0);
    fx.dev.logged = 0;
    unsigned flushes = fx.dev.flushes;
    uint32_t ino;
    ASSERT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "f", 1, 0644, &ino), 0);
    int bitmap = written_at(IBITMAP), table = written_at(ITABLE), dir = written_at(ROOT_BLOCK);
    EXPECT_TRUE(bitmap >= 0 && table > bitmap && dir > table);
    EXPECT_TRUE(fx.dev.flushes >= flushes + 3);
    EXPECT_EQ(bcache_has_dirty(&fx.fs, BUF_INODE) || bcache_has_dirty(&fx.fs, BUF_TREE), false);
    /* Removing: the entry first, the bitmap last. */
    fx.dev.logged = 0;
    ASSERT_EQ(ext2_unlink(&fx.fs, EXT2_ROOT_INO, "f", 1, NULL), 0);
    dir = written_at(ROOT_BLOCK);
    bitmap = written_at(IBITMAP);
    EXPECT_TRUE(dir >= 0 && bitmap > dir);
}

TEST(sync_meta_drops_a_failed_operation)
{
    ASSERT_EQ(setup(EXT2_MOUNT_SYNC_META, 64), 0);
    uint32_t ino;
    /* A full disk, and a root directory whose block has no room left. */
    ASSERT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "fill", 4, 0644, &ino), 0);
    static uint8_t chunk[64 * BS];
    for (uint64_t off = 0; ext2_write(&fx.fs, ino, off, chunk, sizeof(chunk)) > 0;
         off += sizeof(chunk)) {
    }
    char name[201];
    memset(name, 'n', 200);
    int rc = 0;
    for (char c = 'a'; rc == 0 && c <= 'z'; c++) {
        name[0] = c;
        rc = ext2_create(&fx.fs, EXT2_ROOT_INO, name, 200, 0644, &ino);
    }
    EXPECT_EQ(rc, -ENOSPC);
    /* That create had allocated its inode before the entry found no room:
     * the inode went back, nothing was written. */
    ext2_statfs_t before, after;
    ext2_statfs(&fx.fs, &before);
    unsigned writes = fx.dev.writes;
    uint64_t rollbacks = fx.fs.stats.rollbacks;
    EXPECT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, "zz", 2, 0644, &ino), 0); /* fits in slack */
    name[0] = '0';
    EXPECT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, name, 200, 0644, &ino), -ENOSPC);
    EXPECT_EQ(fx.fs.stats.rollbacks, rollbacks + 1);
    ext2_statfs(&fx.fs, &after);
    EXPECT_EQ(after.inodes_free, before.inodes_free - 1); /* "zz" only */
    EXPECT_TRUE(fx.dev.writes > writes);
    writes = fx.dev.writes;
    EXPECT_EQ(ext2_create(&fx.fs, EXT2_ROOT_INO, name, 200, 0644, &ino), -ENOSPC);
    EXPECT_EQ(fx.dev.writes, writes);
    EXPECT_EQ(ext2_unmount(&fx.fs), 0);
}

TEST(write_back_writes_nothing_until_sync)
{
    ASSERT_EQ(setup(0, 256), 0);
    unsigned writes = fx.dev.writes;
    uint32_t ino;
    ASSERT_EQ(ext2_mkdir(&fx.fs, EXT2_ROOT_INO, "d", 1, 0755, &ino), 0);
    ASSERT_EQ(ext2_create(&fx.fs, ino, "f", 1, 0644, &ino), 0);
    EXPECT_EQ(fx.dev.writes, writes);
    unsigned flushes = fx.dev.flushes;
    ASSERT_EQ(ext2_fsync(&fx.fs, ino), 0);
    EXPECT_TRUE(fx.dev.writes > writes);
    EXPECT_TRUE(fx.dev.flushes > flushes);
}
