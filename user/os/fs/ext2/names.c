/* Names: lookup, create, mkdir, symlink, link, unlink, rmdir, readlink, and
 * release of an inode whose last link and last open reference are gone.
 * Each call checks what it can before it changes anything; when a later
 * step fails (no space for the directory entry), what it did is undone. */
#include "internal.h"

#include <errno.h>
#include <string.h>

bool is_dot(const char *name, size_t len)
{
    return (len == 1 || len == 2) && memcmp(name, "..", len) == 0;
}

int dir_for_change(ext2_fs_t *fs, uint32_t ino, inode_t *dir)
{
    int rc = inode_get(fs, ino, dir);
    if (rc < 0) {
        return rc;
    }
    if (!is_dir(dir)) {
        return -ENOTDIR;
    }
    return dir->links == 0 ? -ENOENT : 0;
}

int ext2_lookup(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
    int rc = op_begin(fs, false);
    if (rc < 0) {
        return rc;
    }
    inode_t in;
    dir_loc_t loc = { 0 };
    if ((rc = dir_check_name(name, len)) == 0 && (rc = inode_get(fs, dir, &in)) == 0) {
        rc = !is_dir(&in) ? -ENOTDIR : dir_find(fs, &in, name, len, &loc);
    }
    if (rc == 0) {
        *ino = loc.ino;
    }
    return op_end(fs, rc);
}

/* The checks of every call that adds `name` to `dir_ino`. */
static int prepare_add(ext2_fs_t *fs, uint32_t dir_ino, const char *name, size_t len, inode_t *dir)
{
    int rc = dir_check_name(name, len);
    if (rc < 0) {
        return rc;
    }
    if (is_dot(name, len)) {
        return -EEXIST;
    }
    if ((rc = dir_for_change(fs, dir_ino, dir)) < 0) {
        return rc;
    }
    dir_loc_t loc = { 0 };
    rc = dir_find(fs, dir, name, len, &loc);
    return rc == 0 ? -EEXIST : rc == -ENOENT ? 0 : rc;
}

/* Allocate and initialise an inode for a new name in dir_ino. */
static int new_inode(ext2_fs_t *fs, uint32_t dir_ino, uint16_t mode, uint16_t links, inode_t *in)
{
    bool dir = (mode & S_TYPE_MASK) == S_TYPE_DIR;
    uint32_t ino;
    int rc = alloc_inode(fs, dir_ino, dir, &ino);
    if (rc < 0) {
        return rc;
    }
    if ((rc = inode_init(fs, ino, mode, links, in)) < 0) {
        free_inode(fs, ino, dir);
    }
    return rc;
}

/* Give back a new inode that could not be linked in. */
static void undo_new(ext2_fs_t *fs, inode_t *in)
{
    in->links = 0;
    file_free_inode(fs, in);
}

/* Link the new inode `in` into dir as name, then write both. */
static int link_new(ext2_fs_t *fs, inode_t *dir, const char *name, size_t len, inode_t *in)
{
    int rc = dir_add(fs, dir, name, len, in->ino, inode_dirent_type(in));
    if (rc < 0) {
        undo_new(fs, in);
        return rc;
    }
    if (is_dir(in)) {
        dir->links++;
    }
    if ((rc = inode_put(fs, in)) < 0) {
        return rc;
    }
    return inode_put(fs, dir);
}

/* Allocate a new inode's block 0 (metadata: a directory's or a slow
 * symbolic link's), pinned and zeroed. */
static int first_block(ext2_fs_t *fs, inode_t *in, buf_t **b)
{
    uint32_t block;
    bool fresh;
    int rc = bmap_alloc(fs, in, 0, &block, &fresh);
    return rc < 0 ? rc : buf_get_new(fs, block, BUF_NEW, b);
}

/* A new directory's first block, "." and "..". */
static int mkdir_block(ext2_fs_t *fs, inode_t *in, uint32_t parent)
{
    buf_t *b;
    int rc = first_block(fs, in, &b);
    if (rc < 0) {
        return rc;
    }
    dir_init_block(fs, b->data, in->ino, parent);
    buf_put(fs, b);
    in->size = fs->block_size;
    return 0;
}

/* The target: in i_block's 60 bytes when shorter than that (a fast
 * symlink, no block), else in a block of its own, NUL-padded. */
static int symlink_store(ext2_fs_t *fs, inode_t *in, const char *target, size_t len)
{
    in->size = len;
    if (len <= EXT2_FAST_SYMLINK_MAX) {
        uint8_t text[4 * EXT2_N_BLOCKS] = { 0 };
        memcpy(text, target, len);
        for (int i = 0; i < EXT2_N_BLOCKS; i++) {
            in->block[i] = le32_get(text + 4 * i);
        }
        return 0;
    }
    buf_t *b;
    int rc = first_block(fs, in, &b);
    if (rc < 0) {
        return rc;
    }
    memcpy(b->data, target, len);
    buf_put(fs, b);
    return 0;
}

/* What a new inode is: its mode and links, a symbolic link's target. */
typedef struct node {
    uint16_t mode, links;
    const char *target;
    size_t target_len;
} node_t;

/* create, mkdir and symlink: a new inode, filled (a directory's first
 * block, a link's target), then named in dir_ino. */
static int make_node(ext2_fs_t *fs, uint32_t dir_ino, const char *name, size_t len,
                     const node_t *node, uint32_t *ino)
{
    inode_t dir, in;
    bool is_new_dir = (node->mode & S_TYPE_MASK) == S_TYPE_DIR;
    int rc = prepare_add(fs, dir_ino, name, len, &dir);
    if (rc < 0) {
        return rc;
    }
    if (is_new_dir && dir.links >= EXT2_LINK_MAX) {
        return -EMLINK;
    }
    if ((rc = new_inode(fs, dir_ino, node->mode, node->links, &in)) < 0) {
        return rc;
    }
    *ino = in.ino;
    if (is_new_dir) {
        rc = mkdir_block(fs, &in, dir_ino);
    } else if (node->target != NULL) {
        rc = symlink_store(fs, &in, node->target, node->target_len);
    }
    if (rc < 0) {
        undo_new(fs, &in);
        return rc;
    }
    return link_new(fs, &dir, name, len, &in);
}

static int make_call(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, const node_t *node,
                     uint32_t *ino)
{
    int rc = op_begin(fs, true);
    return rc < 0 ? rc : op_end(fs, make_node(fs, dir, name, len, node, ino));
}

int ext2_create(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
                uint32_t *ino)
{
    node_t node = { (uint16_t)(S_TYPE_REG | (mode & S_PERM_MASK)), 1, NULL, 0 };
    return make_call(fs, dir, name, len, &node, ino);
}

int ext2_mkdir(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
               uint32_t *ino)
{
    node_t node = { (uint16_t)(S_TYPE_DIR | (mode & S_PERM_MASK)), 2, NULL, 0 };
    return make_call(fs, dir, name, len, &node, ino);
}

int ext2_symlink(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, const char *target,
                 size_t target_len, uint32_t *ino)
{
    if (target_len == 0) {
        return -ENOENT;
    }
    if (target_len >= fs->block_size) {
        return -ENAMETOOLONG;
    }
    if (memchr(target, '\0', target_len) != NULL) {
        return -EINVAL;
    }
    node_t node = { S_TYPE_LNK | 0777u, 1, target, target_len };
    return make_call(fs, dir, name, len, &node, ino);
}

/* Copy up to size bytes of the link's target into buf. */
int symlink_target(ext2_fs_t *fs, const inode_t *in, char *buf, size_t size)
{
    size_t n = in->size < size ? (size_t)in->size : size;
    if (!inode_has_block_map(fs, in)) {
        uint8_t text[4 * EXT2_N_BLOCKS];
        for (int i = 0; i < EXT2_N_BLOCKS; i++) {
            le32_put(text + 4 * i, in->block[i]);
        }
        if (memchr(text, '\0', (size_t)in->size) != NULL) {
            return fs_corrupt(fs, "inode", in->ino, "symbolic link target with a NUL", NO_VALUE);
        }
        memcpy(buf, text, n);
        return (int)n;
    }
    uint32_t block;
    int rc = bmap_lookup(fs, in, 0, &block);
    if (rc < 0) {
        return rc;
    }
    if (block == 0) {
        return fs_corrupt(fs, "inode", in->ino, "symbolic link without its block", NO_VALUE);
    }
    buf_t *b;
    if ((rc = buf_get(fs, block, BUF_TREE, &b)) < 0) {
        return rc;
    }
    bool nul = memchr(b->data, '\0', (size_t)in->size) != NULL;
    memcpy(buf, b->data, n);
    buf_put(fs, b);
    if (nul) {
        return fs_corrupt(fs, "inode", in->ino, "symbolic link target with a NUL", NO_VALUE);
    }
    return (int)n;
}

int ext2_readlink(ext2_fs_t *fs, uint32_t ino, char *buf, size_t size)
{
    int rc = op_begin(fs, false);
    if (rc < 0) {
        return rc;
    }
    inode_t in;
    if ((rc = inode_get(fs, ino, &in)) == 0) {
        rc = is_symlink(&in) ? symlink_target(fs, &in, buf, size) : -EINVAL;
    }
    return op_end(fs, rc);
}

static int do_link(ext2_fs_t *fs, uint32_t ino, uint32_t dir_ino, const char *name, size_t len)
{
    inode_t in, dir;
    int rc = inode_get(fs, ino, &in);
    if (rc < 0) {
        return rc;
    }
    if (is_dir(&in)) {
        return -EPERM;
    }
    if (in.links == 0) {
        return -ENOENT;
    }
    if (in.links >= EXT2_LINK_MAX) {
        return -EMLINK;
    }
    if ((rc = prepare_add(fs, dir_ino, name, len, &dir)) < 0 ||
        (rc = dir_add(fs, &dir, name, len, ino, inode_dirent_type(&in))) < 0) {
        return rc;
    }
    in.links++;
    in.ctime = fs->now;
    if ((rc = inode_put(fs, &in)) < 0) {
        return rc;
    }
    return inode_put(fs, &dir);
}

int ext2_link(ext2_fs_t *fs, uint32_t ino, uint32_t dir, const char *name, size_t len)
{
    int rc = op_begin(fs, true);
    return rc < 0 ? rc : op_end(fs, do_link(fs, ino, dir, name, len));
}

int drop_link(ext2_fs_t *fs, inode_t *in, uint32_t *orphan)
{
    if (in->links == 0) {
        return fs_corrupt(fs, "inode", in->ino, "named but without links", NO_VALUE);
    }
    fs->op_drops = true;
    in->links = is_dir(in) ? 0 : (uint16_t)(in->links - 1);
    in->ctime = fs->now;
    *orphan = in->links == 0 ? in->ino : 0;
    if (in->links == 0) {
        orphan_add(fs, in); /* freed by ext2_release, or by the next mount */
    }
    return inode_put(fs, in);
}

/* unlink and rmdir: find the entry, check its inode, remove it. */
static int do_remove(ext2_fs_t *fs, uint32_t dir_ino, const char *name, size_t len, bool want_dir,
                     uint32_t *orphan)
{
    inode_t dir, in;
    dir_loc_t loc = { 0 };
    int rc = dir_check_name(name, len);
    if (rc < 0) {
        return rc;
    }
    if (is_dot(name, len)) {
        return !want_dir ? -EISDIR : len == 1 ? -EINVAL : -ENOTEMPTY;
    }
    if ((rc = dir_for_change(fs, dir_ino, &dir)) < 0 ||
        (rc = dir_find(fs, &dir, name, len, &loc)) < 0 || (rc = inode_get(fs, loc.ino, &in)) < 0) {
        return rc;
    }
    if (is_dir(&in) != want_dir) {
        return want_dir ? -ENOTDIR : -EISDIR;
    }
    if (want_dir && (rc = dir_is_empty(fs, &in)) != 1) {
        return rc < 0 ? rc : -ENOTEMPTY;
    }
    if ((rc = dir_remove(fs, &dir, &loc)) < 0 || (rc = drop_link(fs, &in, orphan)) < 0) {
        return rc;
    }
    if (want_dir && dir.links > 1) {
        dir.links--; /* the removed directory's ".." */
    }
    return inode_put(fs, &dir);
}

int finish_drop(ext2_fs_t *fs, int rc, uint32_t orphan, uint32_t *dropped)
{
    if (dropped != NULL) {
        *dropped = rc == 0 ? orphan : 0;
        return rc;
    }
    return rc == 0 && orphan != 0 ? ext2_release(fs, orphan) : rc;
}

static int remove_call(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, bool want_dir,
                       uint32_t *dropped)
{
    int rc = op_begin(fs, true);
    if (rc < 0) {
        return rc;
    }
    uint32_t orphan = 0;
    rc = op_end(fs, do_remove(fs, dir, name, len, want_dir, &orphan));
    return finish_drop(fs, rc, orphan, dropped);
}

int ext2_unlink(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint32_t *dropped)
{
    return remove_call(fs, dir, name, len, false, dropped);
}

int ext2_rmdir(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint32_t *dropped)
{
    return remove_call(fs, dir, name, len, true, dropped);
}

static int do_release(ext2_fs_t *fs, uint32_t ino)
{
    bool used;
    int rc = inode_in_use(fs, ino, &used);
    if (rc < 0 || !used) {
        return rc;
    }
    inode_t in;
    if ((rc = inode_get(fs, ino, &in)) < 0 || in.links != 0) {
        return rc;
    }
    if (ino < fs->first_ino) {
        return fs_corrupt(fs, "inode", ino, "reserved inode without links", NO_VALUE);
    }
    /* Off the orphan list first, in a commit of its own: a crash between
     * the two leaves a leak for e2fsck, not a list naming a free inode. */
    if ((rc = orphan_remove(fs, &in)) < 0 || (rc = inode_put(fs, &in)) < 0 ||
        (rc = op_checkpoint(fs)) < 0) {
        return rc;
    }
    return file_free_inode(fs, &in);
}

int ext2_release(ext2_fs_t *fs, uint32_t ino)
{
    int rc = op_begin(fs, true);
    if (rc == -EROFS) {
        return 0; /* nothing is ever dropped on a read-only mount */
    }
    if (rc < 0) {
        return rc;
    }
    return op_end(fs, do_release(fs, ino));
}
