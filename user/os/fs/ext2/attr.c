/* Attributes: getattr (an inode as stat sees it) and setattr (permission
 * bits, owner, atime and mtime). Access times: reads never update atime
 * (as with Linux's noatime); it is set when an inode is made and by
 * setattr, so reading costs no write. */
#include "internal.h"

#include <errno.h>

/* A device number from i_block: the old 16-bit form in block[0], else
 * the new 32-bit form in block[1]. */
static void device_number(const inode_t *in, uint32_t *major, uint32_t *minor)
{
    uint32_t type = in->mode & S_TYPE_MASK;
    *major = *minor = 0;
    if (type != S_TYPE_CHR && type != S_TYPE_BLK) {
        return;
    }
    if (in->block[0] != 0) {
        *major = (in->block[0] >> 8) & 0xffu;
        *minor = in->block[0] & 0xffu;
    } else {
        *major = (in->block[1] >> 8) & 0xfffu;
        *minor = (in->block[1] & 0xffu) | ((in->block[1] >> 12) & 0xfff00u);
    }
}

int ext2_getattr(ext2_fs_t *fs, uint32_t ino, ext2_attr_t *out)
{
    int rc = op_begin(fs, false);
    if (rc < 0) {
        return rc;
    }
    inode_t in;
    if ((rc = inode_get(fs, ino, &in)) == 0) {
        *out = (ext2_attr_t){
            .ino = ino,
            .mode = in.mode,
            .nlink = in.links,
            .uid = in.uid,
            .gid = in.gid,
            .size = in.size,
            .atime = in.atime,
            .mtime = in.mtime,
            .ctime = in.ctime,
            .blocks = in.blocks,
            .generation = in.generation,
        };
        device_number(&in, &out->rdev_major, &out->rdev_minor);
    }
    return op_end(fs, rc);
}

static int do_setattr(ext2_fs_t *fs, uint32_t ino, const ext2_setattr_t *what)
{
    inode_t in;
    int rc = inode_get(fs, ino, &in);
    if (rc < 0) {
        return rc;
    }
    if (what->valid &
        ~(EXT2_SET_MODE | EXT2_SET_UID | EXT2_SET_GID | EXT2_SET_ATIME | EXT2_SET_MTIME)) {
        return -EINVAL;
    }
    if (in.flags & EXT2_IMMUTABLE_FL) {
        return -EPERM;
    }
    if (what->valid & EXT2_SET_MODE) {
        in.mode = (uint16_t)((in.mode & S_TYPE_MASK) | (what->mode & S_PERM_MASK));
    }
    if (what->valid & EXT2_SET_UID) {
        in.uid = what->uid;
    }
    if (what->valid & EXT2_SET_GID) {
        in.gid = what->gid;
    }
    if (what->valid & EXT2_SET_ATIME) {
        in.atime = what->atime;
    }
    if (what->valid & EXT2_SET_MTIME) {
        in.mtime = what->mtime;
    }
    in.ctime = fs->now;
    return inode_put(fs, &in);
}

int ext2_setattr(ext2_fs_t *fs, uint32_t ino, const ext2_setattr_t *what)
{
    int rc = op_begin(fs, true);
    return rc < 0 ? rc : op_end(fs, do_setattr(fs, ino, what));
}
