/* rename: POSIX semantics on ext2. Everything that can refuse is checked
 * first (names, types, emptiness, a directory moved below itself); then
 * the new name is made to point at the inode (a new entry, or the entry
 * of a replaced inode retargeted), the old name removed, and a moved
 * directory's ".." and its parents' link counts updated, in steps that
 * each commit under EXT2_MOUNT_SYNC_META (docs/ext2.md "Crashes"). */
#include "internal.h"

#include <errno.h>

/* How far up ".." is followed before a tree is called looped. */
#define DEPTH_MAX (EXT2_PATH_MAX / 2)

/* -EINVAL if moved is new_parent or one of its ancestors. */
static int check_not_ancestor(ext2_fs_t *fs, uint32_t moved, uint32_t new_parent)
{
    uint32_t cur = new_parent;
    for (uint32_t depth = 0; depth < DEPTH_MAX; depth++) {
        if (cur == moved) {
            return -EINVAL;
        }
        if (cur == EXT2_ROOT_INO) {
            return 0;
        }
        inode_t in;
        uint32_t up;
        int rc = inode_get(fs, cur, &in);
        if (rc == 0 && !is_dir(&in)) {
            rc = fs_corrupt(fs, "directory", cur, "\"..\" names a non-directory", NO_VALUE);
        }
        if (rc < 0 || (rc = dir_parent(fs, &in, &up)) < 0) {
            return rc;
        }
        if (up == cur) {
            return fs_corrupt(fs, "directory", cur, "is its own parent", NO_VALUE);
        }
        cur = up;
    }
    return fs_corrupt(fs, "directory", new_parent, "\"..\" chain too deep or looped", NO_VALUE);
}

typedef struct rename_args {
    inode_t *od, *nd; /* the same inode_t when the directories are the same */
    const char *old_name, *new_name;
    size_t old_len, new_len;
} rename_args_t;

/* The checks between the source inode src and what the new name holds
 * (dst, when *exists). */
static int check_replace(ext2_fs_t *fs, const rename_args_t *a, const inode_t *src,
                         const inode_t *dst, bool exists)
{
    /* Below itself first, as Linux: rename("a", "a/file") is EINVAL. */
    if (is_dir(src) && a->od != a->nd) {
        uint32_t parent;
        int rc = check_not_ancestor(fs, src->ino, a->nd->ino);
        if (rc < 0 || (rc = dir_parent(fs, src, &parent)) < 0) {
            return rc; /* its ".." must be readable before anything moves */
        }
        if (!exists && a->nd->links >= EXT2_LINK_MAX) {
            return -EMLINK;
        }
    }
    if (exists) {
        if (is_dir(src) && !is_dir(dst)) {
            return -ENOTDIR;
        }
        if (!is_dir(src) && is_dir(dst)) {
            return -EISDIR;
        }
        if (is_dir(dst)) {
            int rc = dir_is_empty(fs, dst);
            if (rc != 1) {
                return rc < 0 ? rc : -ENOTEMPTY;
            }
        }
    }
    return 0;
}

/* The old name goes (dir_find again: the directories may have changed). */
static int remove_old_name(ext2_fs_t *fs, const rename_args_t *a, const inode_t *src)
{
    dir_loc_t oloc = { 0 };
    int rc = dir_find(fs, a->od, a->old_name, a->old_len, &oloc);
    if (rc == 0 && oloc.ino != src->ino) {
        rc = fs_corrupt(fs, "directory", a->od->ino, "entry changed under rename", oloc.ino);
    }
    return rc < 0 ? rc : dir_remove(fs, a->od, &oloc);
}

static int put_dirs(ext2_fs_t *fs, const rename_args_t *a)
{
    int rc = inode_put(fs, a->od);
    return rc < 0 || a->od == a->nd ? rc : inode_put(fs, a->nd);
}

/* A non-directory: first the new name, with the link count raised before
 * it (the disk never holds more names than links), then the old name and
 * the extra link go, and the replaced inode's link. */
static int move_file(ext2_fs_t *fs, const rename_args_t *a, inode_t *src, inode_t *dst,
                     const dir_loc_t *nloc, uint32_t *orphan)
{
    src->links++;
    int rc = inode_put(fs, src);
    if (rc == 0) {
        rc = nloc != NULL
                 ? dir_retarget(fs, a->nd, nloc, src->ino, inode_dirent_type(src))
                 : dir_add(fs, a->nd, a->new_name, a->new_len, src->ino, inode_dirent_type(src));
    }
    if (rc < 0) {
        src->links--;
        inode_put(fs, src);
        return rc;
    }
    if ((rc = put_dirs(fs, a)) < 0 || (rc = op_checkpoint(fs)) < 0 ||
        (rc = remove_old_name(fs, a, src)) < 0) {
        return rc;
    }
    src->links--;
    src->ctime = fs->now;
    if ((rc = inode_put(fs, src)) < 0 || (nloc != NULL && (rc = drop_link(fs, dst, orphan)) < 0)) {
        return rc;
    }
    return put_dirs(fs, a);
}

/* A directory (a second name for it would be worse than none): room for
 * the new name made first, then out of the old parent (a cut here leaves
 * it unconnected: e2fsck puts it in lost+found), then into the new one
 * with its "..", then the replaced empty directory dropped. */
static int move_dir(ext2_fs_t *fs, const rename_args_t *a, inode_t *src, inode_t *dst,
                    const dir_loc_t *nloc, uint32_t *orphan)
{
    bool moving = a->od != a->nd;
    int rc = 0;
    if (nloc == NULL && ((rc = dir_reserve(fs, a->nd, a->new_len)) < 0 ||
                         (rc = inode_put(fs, a->nd)) < 0 || (rc = op_checkpoint(fs)) < 0)) {
        return rc;
    }
    if ((rc = remove_old_name(fs, a, src)) < 0) {
        return rc;
    }
    if (moving && a->od->links > 1) {
        a->od->links--;
    }
    if ((rc = put_dirs(fs, a)) < 0 || (rc = op_checkpoint(fs)) < 0) {
        return rc;
    }
    if (moving) {
        a->nd->links++;
        rc = dir_set_parent(fs, src, a->nd->ino);
    }
    src->ctime = fs->now;
    if (rc < 0 || (rc = inode_put(fs, src)) < 0) {
        return rc;
    }
    rc = nloc != NULL ? dir_retarget(fs, a->nd, nloc, src->ino, EXT2_FT_DIR)
                      : dir_add(fs, a->nd, a->new_name, a->new_len, src->ino, EXT2_FT_DIR);
    if (rc < 0 || (rc = put_dirs(fs, a)) < 0 || nloc == NULL) {
        return rc;
    }
    if ((rc = op_checkpoint(fs)) < 0 || (rc = drop_link(fs, dst, orphan)) < 0) {
        return rc;
    }
    if (a->nd->links > 1) {
        a->nd->links--; /* the replaced directory's ".." */
    }
    return put_dirs(fs, a);
}

static int rename_in(ext2_fs_t *fs, rename_args_t *a, uint32_t *orphan)
{
    dir_loc_t oloc = { 0 }, nloc = { 0 };
    inode_t src, dst;
    int rc = dir_find(fs, a->od, a->old_name, a->old_len, &oloc);
    if (rc < 0 || (rc = inode_get(fs, oloc.ino, &src)) < 0) {
        return rc;
    }
    if (oloc.ino == a->od->ino) {
        return fs_corrupt(fs, "directory", a->od->ino, "holds itself", NO_VALUE);
    }
    rc = dir_find(fs, a->nd, a->new_name, a->new_len, &nloc);
    bool exists = rc == 0;
    if (rc < 0 && rc != -ENOENT) {
        return rc;
    }
    if (exists && nloc.ino == oloc.ino) {
        return 0; /* two names of one inode: nothing to do */
    }
    if (exists && nloc.ino == a->nd->ino) {
        return fs_corrupt(fs, "directory", a->nd->ino, "holds itself", NO_VALUE);
    }
    if (exists && (rc = inode_get(fs, nloc.ino, &dst)) < 0) {
        return rc;
    }
    if ((rc = check_replace(fs, a, &src, &dst, exists)) < 0) {
        return rc;
    }
    const dir_loc_t *replace = exists ? &nloc : NULL;
    return is_dir(&src) ? move_dir(fs, a, &src, &dst, replace, orphan)
                        : move_file(fs, a, &src, &dst, replace, orphan);
}

static int do_rename(ext2_fs_t *fs, uint32_t old_dir, const char *old_name, size_t old_len,
                     uint32_t new_dir, const char *new_name, size_t new_len, uint32_t *orphan)
{
    int rc = dir_check_name(old_name, old_len);
    if (rc < 0 || (rc = dir_check_name(new_name, new_len)) < 0) {
        return rc;
    }
    if (is_dot(old_name, old_len) || is_dot(new_name, new_len)) {
        return -EINVAL;
    }
    inode_t od, nd;
    if ((rc = dir_for_change(fs, old_dir, &od)) < 0) {
        return rc;
    }
    if (new_dir != old_dir && (rc = dir_for_change(fs, new_dir, &nd)) < 0) {
        return rc;
    }
    rename_args_t a = { &od, new_dir != old_dir ? &nd : &od, old_name, new_name, old_len, new_len };
    return rename_in(fs, &a, orphan);
}

int ext2_rename(ext2_fs_t *fs, uint32_t old_dir, const char *old_name, size_t old_len,
                uint32_t new_dir, const char *new_name, size_t new_len, uint32_t *dropped)
{
    int rc = op_begin(fs, true);
    if (rc < 0) {
        return rc;
    }
    uint32_t orphan = 0;
    rc = op_end(fs, do_rename(fs, old_dir, old_name, old_len, new_dir, new_name, new_len, &orphan));
    return finish_drop(fs, rc, orphan, dropped);
}
