/* Inodes: finding an inode's slot in its group's table, decoding it into an
 * inode_t and checking it before anyone uses it, writing it back, and
 * initialising a new one. */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* The cache buffer and byte offset of inode ino's table slot (pinned). */
static int inode_slot(ext2_fs_t *fs, uint32_t ino, buf_t **b, uint8_t **raw)
{
    if (ino == 0 || ino > fs->inodes_count) {
        return fs_corrupt(fs, "inode", ino, "number out of range", NO_VALUE);
    }
    uint32_t group = (ino - 1) / fs->inodes_per_group;
    uint32_t index = (ino - 1) % fs->inodes_per_group;
    buf_t *gb;
    uint8_t *gd;
    int rc = group_get(fs, group, &gb, &gd);
    if (rc < 0) {
        return rc;
    }
    uint64_t byte = (uint64_t)index * fs->inode_size;
    uint32_t block = le32_get(gd + GD_INODE_TABLE) + (uint32_t)(byte >> fs->log_block_size);
    buf_put(fs, gb);
    rc = buf_get(fs, block, BUF_INODE, b);
    if (rc < 0) {
        return rc;
    }
    *raw = (*b)->data + (byte & (fs->block_size - 1));
    return 0;
}

uint64_t inode_xattr_sectors(const ext2_fs_t *fs, const inode_t *in)
{
    return in->file_acl != 0 ? fs->sectors_per_block : 0;
}

bool inode_has_block_map(const ext2_fs_t *fs, const inode_t *in)
{
    if (is_reg(in) || is_dir(in)) {
        return true;
    }
    return is_symlink(in) && in->blocks > inode_xattr_sectors(fs, in);
}

uint8_t inode_dirent_type(const inode_t *in)
{
    switch (in->mode & S_TYPE_MASK) {
    case S_TYPE_REG:
        return EXT2_FT_REG;
    case S_TYPE_DIR:
        return EXT2_FT_DIR;
    case S_TYPE_CHR:
        return EXT2_FT_CHR;
    case S_TYPE_BLK:
        return EXT2_FT_BLK;
    case S_TYPE_FIFO:
        return EXT2_FT_FIFO;
    case S_TYPE_SOCK:
        return EXT2_FT_SOCK;
    case S_TYPE_LNK:
        return EXT2_FT_SYMLINK;
    default:
        return EXT2_FT_UNKNOWN;
    }
}

static void decode(const ext2_fs_t *fs, const uint8_t *raw, uint32_t ino, inode_t *in)
{
    in->ino = ino;
    in->mode = le16_get(raw + IN_MODE);
    in->uid = le16_get(raw + IN_UID) | (uint32_t)le16_get(raw + IN_UID_HIGH) << 16;
    in->gid = le16_get(raw + IN_GID) | (uint32_t)le16_get(raw + IN_GID_HIGH) << 16;
    in->size = le32_get(raw + IN_SIZE) | (uint64_t)le32_get(raw + IN_SIZE_HIGH) << 32;
    in->atime = le32_get(raw + IN_ATIME);
    in->ctime = le32_get(raw + IN_CTIME);
    in->mtime = le32_get(raw + IN_MTIME);
    in->dtime = le32_get(raw + IN_DTIME);
    in->links = le16_get(raw + IN_LINKS);
    in->flags = le32_get(raw + IN_FLAGS);
    in->blocks = le32_get(raw + IN_BLOCKS);
    if (fs->ro_compat & 0x0008u) { /* huge_file (read-only mounts only) */
        in->blocks |= (uint64_t)le16_get(raw + IN_BLOCKS_HIGH) << 32;
        if (in->flags & EXT4_HUGE_FILE_FL) {
            in->blocks *= fs->sectors_per_block;
        }
    }
    for (int i = 0; i < EXT2_N_BLOCKS; i++) {
        in->block[i] = le32_get(raw + IN_BLOCK + 4 * i);
    }
    in->file_acl = le32_get(raw + IN_FILE_ACL);
    in->generation = le32_get(raw + IN_GENERATION);
}

static bool block_ok(const ext2_fs_t *fs, uint32_t block)
{
    return block == 0 || (block >= fs->first_data_block && block < fs->blocks_count);
}

/* Sizes consistent with the type: a file within the size limit, a
 * directory a whole number of blocks, a symbolic link shorter than a block
 * and stored in the inode exactly when it is shorter than 60 bytes. */
static int check_size(ext2_fs_t *fs, const inode_t *in)
{
    if (is_reg(in) && in->size > fs->max_file_size) {
        return fs_corrupt(fs, "inode", in->ino, "file size beyond the limit", in->size);
    }
    if (is_dir(in) &&
        (in->size == 0 || in->size % fs->block_size != 0 || in->size > DIR_SIZE_MAX)) {
        return fs_corrupt(fs, "inode", in->ino, "bad directory size", in->size);
    }
    if (is_symlink(in)) {
        bool slow = inode_has_block_map(fs, in);
        if (in->size == 0 || in->size >= fs->block_size ||
            slow != (in->size > EXT2_FAST_SYMLINK_MAX)) {
            return fs_corrupt(fs, "inode", in->ino, "bad symbolic link size", in->size);
        }
    }
    return 0;
}

static int check_inode(ext2_fs_t *fs, const inode_t *in)
{
    uint32_t type = in->mode & S_TYPE_MASK;
    if (type != S_TYPE_REG && type != S_TYPE_DIR && type != S_TYPE_LNK && type != S_TYPE_CHR &&
        type != S_TYPE_BLK && type != S_TYPE_FIFO && type != S_TYPE_SOCK) {
        return fs_corrupt(fs, "inode", in->ino, "in use but of no file type: mode", in->mode);
    }
    if (in->flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL)) {
        return fs_corrupt(fs, "inode", in->ino, "extents or inline data without the feature",
                          in->flags);
    }
    if (in->blocks < inode_xattr_sectors(fs, in) || !block_ok(fs, in->file_acl)) {
        return fs_corrupt(fs, "inode", in->ino, "bad extended attribute block", in->file_acl);
    }
    int rc = check_size(fs, in);
    if (rc < 0) {
        return rc;
    }
    if (inode_has_block_map(fs, in)) {
        for (int i = 0; i < EXT2_N_BLOCKS; i++) {
            if (!block_ok(fs, in->block[i])) {
                return fs_corrupt(fs, "inode", in->ino, "block pointer outside the file system",
                                  in->block[i]);
            }
        }
    }
    return 0;
}

int inode_peek(ext2_fs_t *fs, uint32_t ino, inode_t *out)
{
    buf_t *b;
    uint8_t *raw;
    int rc = inode_slot(fs, ino, &b, &raw);
    if (rc < 0) {
        return rc;
    }
    decode(fs, raw, ino, out);
    buf_put(fs, b);
    return 0;
}

int inode_get(ext2_fs_t *fs, uint32_t ino, inode_t *out)
{
    bool used;
    int rc = inode_in_use(fs, ino, &used);
    if (rc < 0) {
        return rc;
    }
    if (!used) {
        return fs_corrupt(fs, "inode", ino, "is not in use", NO_VALUE);
    }
    if ((rc = inode_peek(fs, ino, out)) < 0) {
        return rc;
    }
    return check_inode(fs, out);
}

/* A timestamp's seconds; its extra word (nanoseconds, epoch bits) is
 * cleared when the seconds change and the inode has room for it. */
static void put_time(const ext2_fs_t *fs, uint8_t *raw, unsigned at, unsigned extra, uint32_t t)
{
    if (le32_get(raw + at) == t) {
        return;
    }
    le32_put(raw + at, t);
    if (fs->inode_size > EXT2_GOOD_OLD_INODE_SIZE &&
        EXT2_GOOD_OLD_INODE_SIZE + le16_get(raw + IN_EXTRA_ISIZE) >= extra + 4) {
        le32_put(raw + extra, 0);
    }
}

int inode_put(ext2_fs_t *fs, const inode_t *in)
{
    if (in->blocks > 0xffffffffull) {
        return fs_corrupt(fs, "inode", in->ino, "block count beyond 32 bits", in->blocks);
    }
    if (is_reg(in) && in->size > 0x7fffffffull) {
        sb_set_large_file(fs);
    }
    buf_t *b;
    uint8_t *raw;
    int rc = inode_slot(fs, in->ino, &b, &raw);
    if (rc < 0) {
        return rc;
    }
    le16_put(raw + IN_MODE, in->mode);
    le16_put(raw + IN_UID, (uint16_t)in->uid);
    le16_put(raw + IN_UID_HIGH, (uint16_t)(in->uid >> 16));
    le16_put(raw + IN_GID, (uint16_t)in->gid);
    le16_put(raw + IN_GID_HIGH, (uint16_t)(in->gid >> 16));
    le32_put(raw + IN_SIZE, (uint32_t)in->size);
    le32_put(raw + IN_SIZE_HIGH, (uint32_t)(in->size >> 32));
    put_time(fs, raw, IN_ATIME, IN_ATIME_EXTRA, in->atime);
    put_time(fs, raw, IN_CTIME, IN_CTIME_EXTRA, in->ctime);
    put_time(fs, raw, IN_MTIME, IN_MTIME_EXTRA, in->mtime);
    le32_put(raw + IN_DTIME, in->dtime);
    le16_put(raw + IN_LINKS, in->links);
    le32_put(raw + IN_BLOCKS, (uint32_t)in->blocks);
    le32_put(raw + IN_FLAGS, in->flags);
    for (int i = 0; i < EXT2_N_BLOCKS; i++) {
        le32_put(raw + IN_BLOCK + 4 * i, in->block[i]);
    }
    le32_put(raw + IN_FILE_ACL, in->file_acl);
    buf_dirty(fs, b);
    buf_put(fs, b);
    return 0;
}

int inode_init(ext2_fs_t *fs, uint32_t ino, uint16_t mode, uint16_t links, inode_t *out)
{
    buf_t *b;
    uint8_t *raw;
    int rc = inode_slot(fs, ino, &b, &raw);
    if (rc < 0) {
        return rc;
    }
    uint32_t generation = le32_get(raw + IN_GENERATION) + 1;
    memset(raw, 0, fs->inode_size);
    le32_put(raw + IN_GENERATION, generation);
    if (fs->inode_size >= EXT2_GOOD_OLD_INODE_SIZE + IN_NEW_EXTRA_ISIZE) {
        le16_put(raw + IN_EXTRA_ISIZE, IN_NEW_EXTRA_ISIZE);
        le32_put(raw + IN_CRTIME, fs->now);
    }
    buf_dirty(fs, b);
    buf_put(fs, b);
    *out = (inode_t){
        .ino = ino,
        .mode = mode,
        .links = links,
        .uid = fs->uid,
        .gid = fs->gid,
        .atime = fs->now,
        .ctime = fs->now,
        .mtime = fs->now,
        .generation = generation,
    };
    return inode_put(fs, out);
}

void inode_touch(ext2_fs_t *fs, inode_t *in, bool atime)
{
    in->mtime = in->ctime = fs->now;
    if (atime) {
        in->atime = fs->now;
    }
}
