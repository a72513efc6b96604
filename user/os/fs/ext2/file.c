/* Regular files: read, write and truncate over the block map. Whole blocks
 * not in the cache go straight between the caller's buffer and the device
 * (runs of consecutive blocks in one request), so file data does not push
 * metadata out of the cache. Bytes past the end of a file in its last
 * block are kept zero, so that growing a file shows zeroes. */
#include "internal.h"

#include <errno.h>
#include <string.h>

#define RUN_MAX 64u /* blocks per device request, read or written */

/* Blocks written or freed between two commits of a long operation under
 * EXT2_MOUNT_SYNC_META: few enough that what they dirty stays cached. */
static uint64_t step_blocks(const ext2_fs_t *fs)
{
    return fs->cache.count / 4 + 1;
}

static int check_regular(const inode_t *in)
{
    if (is_dir(in)) {
        return -EISDIR;
    }
    return is_reg(in) ? 0 : -EINVAL;
}

/* Read whole blocks from lblk on into buf: a run of blocks that follow
 * each other on the disk and are not cached, in one request. *got: blocks
 * read (>= 1). */
static int read_run(ext2_fs_t *fs, const inode_t *in, uint64_t lblk, uint32_t block, uint64_t max,
                    uint8_t *buf, uint32_t *got)
{
    uint32_t n = 1;
    while (n < max && n < RUN_MAX && block + n < fs->blocks_count &&
           buf_peek(fs, block + n) == NULL) {
        uint32_t next;
        int rc = bmap_lookup(fs, in, lblk + n, &next);
        if (rc < 0) {
            return rc;
        }
        if (next != block + n) {
            break;
        }
        n++;
    }
    *got = n;
    return dev_read_blocks(fs, block, n, buf);
}

/* Copy bytes [pos, pos + chunk) of one block (inside it) into buf. */
static int read_part(ext2_fs_t *fs, uint32_t block, uint32_t at, uint32_t chunk, uint8_t *buf)
{
    if (block == 0) {
        memset(buf, 0, chunk);
        return 0;
    }
    buf_t *b;
    int rc = buf_get(fs, block, BUF_DATA, &b);
    if (rc < 0) {
        return rc;
    }
    memcpy(buf, b->data + at, chunk);
    buf_put(fs, b);
    return 0;
}

static int file_read(ext2_fs_t *fs, const inode_t *in, uint64_t offset, uint8_t *buf, size_t len)
{
    if (offset >= in->size) {
        return 0;
    }
    size_t n = in->size - offset < len ? (size_t)(in->size - offset) : len;
    size_t done = 0;
    while (done < n) {
        uint64_t pos = offset + done, lblk = pos >> fs->log_block_size;
        uint32_t at = (uint32_t)(pos & (fs->block_size - 1)), block;
        size_t chunk = fs->block_size - at < n - done ? fs->block_size - at : n - done;
        int rc = bmap_lookup(fs, in, lblk, &block);
        if (rc < 0) {
            return rc;
        }
        if (chunk == fs->block_size && block != 0 && buf_peek(fs, block) == NULL) {
            uint32_t got;
            rc = read_run(fs, in, lblk, block, (n - done) / fs->block_size, buf + done, &got);
            chunk = (size_t)got * fs->block_size;
        } else {
            rc = read_part(fs, block, at, (uint32_t)chunk, buf + done);
        }
        if (rc < 0) {
            return rc;
        }
        done += chunk;
    }
    return (int)done;
}

int ext2_read(ext2_fs_t *fs, uint32_t ino, uint64_t offset, void *buf, size_t len)
{
    int rc = op_begin(fs, false);
    if (rc < 0) {
        return rc;
    }
    inode_t in;
    if ((rc = inode_get(fs, ino, &in)) == 0 && (rc = check_regular(&in)) == 0) {
        rc = file_read(fs, &in, offset, buf, len > INT32_MAX ? INT32_MAX : len);
    }
    return op_end(fs, rc);
}

/* Zero the bytes of the block holding byte `from` that lie at and past it. */
static int zero_tail(ext2_fs_t *fs, const inode_t *in, uint64_t from)
{
    uint32_t at = (uint32_t)(from & (fs->block_size - 1)), block;
    if (at == 0) {
        return 0;
    }
    int rc = bmap_lookup(fs, in, from >> fs->log_block_size, &block);
    if (rc < 0 || block == 0) {
        return rc;
    }
    buf_t *b;
    if ((rc = buf_get(fs, block, BUF_DATA, &b)) < 0) {
        return rc;
    }
    memset(b->data + at, 0, fs->block_size - at);
    buf_dirty(fs, b);
    buf_put(fs, b);
    return 0;
}

/* Whole blocks on their way straight to the device: consecutive on the
 * disk and in the caller's buffer, written in one request. */
typedef struct run {
    uint32_t block, count;
    const uint8_t *src;
} run_t;

static int run_flush(ext2_fs_t *fs, run_t *r)
{
    uint32_t count = r->count;
    r->count = 0;
    return count != 0 ? dev_write_blocks(fs, r->block, count, r->src) : 0;
}

static int run_add(ext2_fs_t *fs, run_t *r, uint32_t block, const uint8_t *src)
{
    if (r->count != 0 && (block != r->block + r->count || r->count == RUN_MAX ||
                          src != r->src + (size_t)r->count * fs->block_size)) {
        int rc = run_flush(fs, r);
        if (rc < 0) {
            return rc;
        }
    }
    if (r->count++ == 0) {
        r->block = block;
        r->src = src;
    }
    return 0;
}

/* Write bytes [at, at + chunk) of logical block lblk from buf: a whole
 * block not cached joins the run, the rest goes through the cache. */
static int write_block(ext2_fs_t *fs, inode_t *in, uint64_t lblk, uint32_t at, uint32_t chunk,
                       const uint8_t *buf, run_t *run)
{
    uint32_t block;
    bool fresh;
    int rc = bmap_alloc(fs, in, lblk, &block, &fresh);
    if (rc < 0) {
        return rc;
    }
    bool meta = false;
    if (!fresh && ((rc = group_is_meta(fs, block, &meta)) < 0 || meta)) {
        /* Never file data over the file system's own blocks. */
        return rc < 0 ? rc : fs_corrupt(fs, "inode", in->ino, "maps a metadata block", block);
    }
    buf_t *b = buf_peek(fs, block);
    if (chunk == fs->block_size && b == NULL) {
        return run_add(fs, run, block, buf);
    }
    rc = fresh ? buf_get_new(fs, block, BUF_DATA, &b) : buf_get(fs, block, BUF_DATA, &b);
    if (rc < 0) {
        return rc;
    }
    memcpy(b->data + at, buf, chunk);
    buf_dirty(fs, b);
    buf_put(fs, b);
    return 0;
}

/* The data so far written, the inode's new size and times, and under
 * EXT2_MOUNT_SYNC_META a commit: what is written so far is on the disk. */
static int write_progress(ext2_fs_t *fs, inode_t *in, uint64_t end, run_t *run)
{
    int rc = run_flush(fs, run);
    if (rc < 0) {
        return rc;
    }
    if (end > in->size) {
        in->size = end;
    }
    inode_touch(fs, in, false);
    rc = inode_put(fs, in);
    return rc < 0 ? rc : op_checkpoint(fs);
}

static int file_write(ext2_fs_t *fs, inode_t *in, uint64_t offset, const uint8_t *buf, size_t len)
{
    if (offset >= fs->max_file_size) {
        return -EFBIG;
    }
    if (len > fs->max_file_size - offset) {
        len = (size_t)(fs->max_file_size - offset);
    }
    int rc = offset > in->size ? zero_tail(fs, in, in->size) : 0;
    size_t done = 0;
    uint64_t since_commit = 0;
    run_t run = { 0, 0, NULL };
    while (rc == 0 && done < len) {
        uint64_t pos = offset + done;
        uint32_t at = (uint32_t)(pos & (fs->block_size - 1));
        size_t chunk = fs->block_size - at < len - done ? fs->block_size - at : len - done;
        rc = write_block(fs, in, pos >> fs->log_block_size, at, (uint32_t)chunk, buf + done, &run);
        if (rc == 0) {
            done += chunk;
            if (++since_commit == step_blocks(fs) && done < len) {
                rc = write_progress(fs, in, offset + done, &run);
                since_commit = 0;
            }
        }
    }
    if (done == 0) {
        return rc;
    }
    /* What the run held was counted as done: if it cannot be written, the
     * call fails as a whole (the device is gone: fs->broken). */
    int prc = write_progress(fs, in, offset + done, &run);
    return prc < 0 ? prc : (int)done;
}

int ext2_write(ext2_fs_t *fs, uint32_t ino, uint64_t offset, const void *buf, size_t len)
{
    int rc = op_begin(fs, true);
    if (rc < 0) {
        return rc;
    }
    inode_t in;
    if ((rc = inode_get(fs, ino, &in)) == 0 && (rc = check_regular(&in)) == 0) {
        if (in.flags & EXT2_IMMUTABLE_FL || (in.flags & EXT2_APPEND_FL && offset != in.size)) {
            rc = -EPERM;
        } else if (len > 0) {
            rc = file_write(fs, &in, offset, buf, len > INT32_MAX ? INT32_MAX : len);
        }
    }
    return op_end(fs, rc);
}

/* Free the blocks from logical block keep on, from the end backwards in
 * steps under EXT2_MOUNT_SYNC_META (each a commit, the size following),
 * so that no commit has to hold more than the cache. */
static int free_from(ext2_fs_t *fs, inode_t *in, uint64_t keep)
{
    uint64_t end = (in->size + fs->block_size - 1) >> fs->log_block_size;
    uint64_t step = (fs->flags & EXT2_MOUNT_SYNC_META) ? step_blocks(fs) * 32 : UINT64_MAX;
    /* A sparse tail costs no steps: nothing mapped, nothing to free. */
    while (end > keep && in->blocks > inode_xattr_sectors(fs, in)) {
        uint64_t first = end - keep > step ? end - step : keep, had = in->blocks;
        int rc = bmap_truncate(fs, in, first);
        if (rc < 0) {
            return rc;
        }
        end = first;
        if (end > keep && in->blocks != had) {
            if (is_reg(in) && in->size > end << fs->log_block_size) {
                in->size = end << fs->log_block_size;
            }
            if ((rc = inode_put(fs, in)) < 0 || (rc = op_checkpoint(fs)) < 0) {
                return rc;
            }
        }
    }
    /* Blocks mapped past the size (left by another implementation) too. */
    return bmap_truncate(fs, in, keep);
}

int file_resize(ext2_fs_t *fs, inode_t *in, uint64_t size)
{
    int rc;
    if (size < in->size) {
        uint64_t keep = (size + fs->block_size - 1) >> fs->log_block_size;
        if ((rc = zero_tail(fs, in, size)) < 0 || (rc = free_from(fs, in, keep)) < 0) {
            return rc;
        }
    } else if ((rc = zero_tail(fs, in, in->size)) < 0) {
        return rc;
    }
    in->size = size;
    return 0;
}

int ext2_truncate(ext2_fs_t *fs, uint32_t ino, uint64_t size)
{
    int rc = op_begin(fs, true);
    if (rc < 0) {
        return rc;
    }
    inode_t in;
    if ((rc = inode_get(fs, ino, &in)) == 0 && (rc = check_regular(&in)) == 0) {
        if (in.flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)) {
            rc = -EPERM;
        } else if (size > fs->max_file_size) {
            rc = -EFBIG;
        } else if ((rc = file_resize(fs, &in, size)) == 0) {
            inode_touch(fs, &in, false);
            rc = inode_put(fs, &in);
        }
    }
    return op_end(fs, rc);
}

int file_free_inode(ext2_fs_t *fs, inode_t *in)
{
    int rc = 0;
    if (inode_has_block_map(fs, in)) {
        rc = free_from(fs, in, 0);
    }
    if (rc == 0 && in->file_acl != 0) {
        /* A bad attribute block is logged and left (leaked), not fatal. */
        int xrc = xattr_release(fs, in->file_acl);
        if (fs->broken) {
            return xrc;
        }
        in->blocks -= in->blocks >= fs->sectors_per_block ? fs->sectors_per_block : in->blocks;
        in->file_acl = 0;
    }
    if (rc < 0) {
        return rc;
    }
    bool dir = is_dir(in);
    in->size = 0;
    in->links = 0;
    in->dtime = fs->now != 0 ? fs->now : 1;
    memset(in->block, 0, sizeof(in->block));
    if ((rc = inode_put(fs, in)) < 0) {
        return rc;
    }
    return free_inode(fs, in->ino, dir);
}
