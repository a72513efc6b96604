/* The orphan list: inodes whose last link is gone but which are still open
 * (ext2_release not yet called) are chained from the superblock's
 * s_last_orphan through their i_dtime, as ext3 chains them, so that a
 * read-write mount after a crash or a restart of the server frees them
 * (nobody can have them open any more). */
#include "internal.h"

#include <errno.h>

static uint32_t list_head(const ext2_fs_t *fs)
{
    return le32_get(fs->sb + SB_LAST_ORPHAN);
}

static void set_head(ext2_fs_t *fs, uint32_t ino)
{
    le32_put(fs->sb + SB_LAST_ORPHAN, ino);
    fs->sb_dirty = true;
}

void orphan_add(ext2_fs_t *fs, inode_t *in)
{
    in->dtime = list_head(fs);
    set_head(fs, in->ino);
}

int orphan_remove(ext2_fs_t *fs, inode_t *in)
{
    uint32_t next = in->dtime;
    in->dtime = 0;
    if (list_head(fs) == in->ino) {
        set_head(fs, next);
        return 0;
    }
    uint32_t cur = list_head(fs);
    for (uint32_t steps = 0; cur != 0 && steps < fs->inodes_count; steps++) {
        inode_t prev;
        int rc = inode_get(fs, cur, &prev);
        if (rc < 0) {
            return rc;
        }
        if (prev.dtime == in->ino) {
            prev.dtime = next;
            return inode_put(fs, &prev);
        }
        cur = prev.dtime;
    }
    return 0; /* not listed (dropped before a crash cut the list): fine */
}

int orphan_release_all(ext2_fs_t *fs)
{
    uint32_t cur = list_head(fs), freed = 0;
    if (cur != 0) {
        set_head(fs, 0);
    }
    for (uint32_t steps = 0; cur != 0 && steps < fs->inodes_count; steps++) {
        inode_t in;
        if (cur < fs->first_ino || cur > fs->inodes_count) {
            fs_note(fs, "orphan list: inode", cur, "out of range (the rest is left to e2fsck)");
            break;
        }
        int rc = inode_get(fs, cur, &in);
        if (rc < 0) {
            break; /* logged; the rest is left to e2fsck */
        }
        cur = in.dtime;
        in.dtime = 0;
        if (in.links != 0) {
            rc = inode_put(fs, &in);
        } else {
            rc = file_free_inode(fs, &in);
            freed++;
        }
        if (rc < 0) {
            return rc;
        }
    }
    if (freed != 0) {
        fs_note(fs, "orphan list", freed, "inodes freed (unlinked while open when last mounted)");
    }
    return 0;
}
