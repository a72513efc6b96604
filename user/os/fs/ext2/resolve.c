/* Path resolution for the host tool and the server: components looked up
 * one by one from a start directory (the root for absolute paths),
 * symbolic links expanded in fs->path (their target, then the rest of the
 * path), at most EXT2_SYMLINK_LOOPS of them, so no link cycle loops. */
#include "internal.h"

#include <errno.h>
#include <string.h>

typedef struct walk {
    const char *p, *end; /* what is left: in the caller's path or in fs->path */
    uint32_t cur;        /* where the walk stands */
    int links;           /* symbolic links followed */
} walk_t;

static void skip_slashes(walk_t *w)
{
    while (w->p < w->end && *w->p == '/') {
        w->p++;
    }
}

/* Replace what is left of the path by the link's target followed by it;
 * the walk goes on from the link's directory (or the root). */
static int expand_link(ext2_fs_t *fs, walk_t *w, const inode_t *link)
{
    if (++w->links > EXT2_SYMLINK_LOOPS) {
        return -ELOOP;
    }
    size_t target = (size_t)link->size, rest = (size_t)(w->end - w->p);
    size_t total = target + (rest != 0) + rest; /* target "/" rest */
    if (total > sizeof(fs->path)) {
        return -ENAMETOOLONG;
    }
    memmove(fs->path + total - rest, w->p, rest);
    if (rest != 0) {
        fs->path[target] = '/';
    }
    int rc = symlink_target(fs, link, fs->path, target);
    if (rc < 0) {
        return rc;
    }
    w->p = fs->path;
    w->end = fs->path + total;
    if (fs->path[0] == '/') {
        w->cur = EXT2_ROOT_INO;
    }
    skip_slashes(w);
    return 0;
}

/* One component: look it up in w->cur and step to it (or expand it). */
static int step(ext2_fs_t *fs, walk_t *w, unsigned flags, bool *dir_wanted)
{
    const char *name = w->p;
    while (w->p < w->end && *w->p != '/') {
        w->p++;
    }
    size_t len = (size_t)(w->p - name);
    bool slash = w->p < w->end;
    skip_slashes(w);
    bool last = w->p == w->end;
    inode_t dir, in;
    dir_loc_t loc = { 0 };
    int rc = inode_get(fs, w->cur, &dir);
    if (rc < 0) {
        return rc;
    }
    if (!is_dir(&dir)) {
        return -ENOTDIR;
    }
    if ((rc = dir_check_name(name, len)) < 0 || (rc = dir_find(fs, &dir, name, len, &loc)) < 0 ||
        (rc = inode_get(fs, loc.ino, &in)) < 0) {
        return rc;
    }
    if (is_symlink(&in) && (!last || slash || !(flags & EXT2_RESOLVE_NOFOLLOW))) {
        if (last && slash) {
            *dir_wanted = true;
        }
        return expand_link(fs, w, &in);
    }
    if (last && slash) {
        *dir_wanted = true;
    }
    w->cur = loc.ino;
    return 0;
}

static int resolve(ext2_fs_t *fs, uint32_t start, const char *path, size_t len, unsigned flags,
                   uint32_t *ino)
{
    if (len == 0) {
        return -ENOENT;
    }
    walk_t w = { path, path + len, path[0] == '/' ? EXT2_ROOT_INO : start, 0 };
    bool dir_wanted = false;
    skip_slashes(&w);
    while (w.p < w.end) {
        int rc = step(fs, &w, flags, &dir_wanted);
        if (rc < 0) {
            return rc;
        }
    }
    if (dir_wanted) {
        inode_t in;
        int rc = inode_get(fs, w.cur, &in);
        if (rc < 0) {
            return rc;
        }
        if (!is_dir(&in)) {
            return -ENOTDIR;
        }
    }
    *ino = w.cur;
    return 0;
}

int ext2_resolve(ext2_fs_t *fs, uint32_t start, const char *path, size_t len, unsigned flags,
                 uint32_t *ino)
{
    int rc = op_begin(fs, false);
    return rc < 0 ? rc : op_end(fs, resolve(fs, start, path, len, flags, ino));
}

static int resolve_parent(ext2_fs_t *fs, uint32_t start, const char *path, size_t len,
                          uint32_t *dir, const char **name, size_t *name_len)
{
    size_t end = len;
    while (end > 0 && path[end - 1] == '/') {
        end--;
    }
    size_t begin = end;
    while (begin > 0 && path[begin - 1] != '/') {
        begin--;
    }
    if (begin == end) {
        return len == 0 ? -ENOENT : -EINVAL; /* "" or only slashes: no name */
    }
    *name = path + begin;
    *name_len = end - begin;
    if (begin == 0) {
        *dir = start;
        return 0;
    }
    return resolve(fs, start, path, begin, 0, dir);
}

int ext2_resolve_parent(ext2_fs_t *fs, uint32_t start, const char *path, size_t len, uint32_t *dir,
                        const char **name, size_t *name_len)
{
    int rc = op_begin(fs, false);
    return rc < 0 ? rc : op_end(fs, resolve_parent(fs, start, path, len, dir, name, name_len));
}
