/* Directories: linear lists of entries tiling each block. Every block is
 * checked whole when read (record lengths aligned, inside the block and
 * long enough for their names; names without '/' or NUL; inode numbers
 * usable; file types known), then walked. An indexed directory (dir_index)
 * reads the same way: its index hides in entries ext2 readers skip; a
 * change drops the index flag. */
#include "internal.h"

#include <errno.h>
#include <string.h>

#define NO_PREV UINT32_MAX
#define MIN_REC_LEN DE_REC_LEN_FOR(1)

/* What one visit of dir_walk sees: the entry at loc, in pinned block b. */
typedef int dir_visit_fn(ext2_fs_t *fs, void *arg, buf_t *b, const dir_loc_t *loc);

static uint32_t name_len_of(const ext2_fs_t *fs, const uint8_t *e)
{
    if (fs->incompat & INCOMPAT_FILETYPE) {
        return e[DE_NAME_LEN];
    }
    return le16_get(e + DE_NAME_LEN);
}

int dir_check_name(const char *name, size_t len)
{
    if (len == 0) {
        return -ENOENT;
    }
    if (len > EXT2_NAME_MAX) {
        return -ENAMETOOLONG;
    }
    if (memchr(name, '/', len) != NULL || memchr(name, '\0', len) != NULL) {
        return -EINVAL;
    }
    return 0;
}

static bool is_dot_name(const uint8_t *name, uint32_t len)
{
    return (len == 1 || len == 2) && memcmp(name, "..", len) == 0;
}

static int check_entry(ext2_fs_t *fs, const inode_t *dir, const uint8_t *e, uint32_t room,
                       uint64_t pos)
{
    if (room < MIN_REC_LEN) {
        return fs_corrupt(fs, "directory", dir->ino, "entry header past the block end", pos);
    }
    uint32_t rec = le16_get(e + DE_REC_LEN), len = name_len_of(fs, e), ino = le32_get(e);
    if (rec < MIN_REC_LEN || rec % 4 != 0 || rec > room) {
        return fs_corrupt(fs, "directory", dir->ino, "entry with a bad rec_len at byte", pos);
    }
    if (DE_REC_LEN_FOR(len) > rec || (ino != 0 && (len == 0 || len > EXT2_NAME_MAX))) {
        return fs_corrupt(fs, "directory", dir->ino, "entry name longer than its record", pos);
    }
    if (ino == 0) {
        return 0;
    }
    if (ino > fs->inodes_count || (ino < fs->first_ino && ino != EXT2_ROOT_INO)) {
        return fs_corrupt(fs, "directory", dir->ino, "entry names a reserved or no inode", ino);
    }
    if (dir_check_name((const char *)e + DE_NAME, len) < 0) {
        return fs_corrupt(fs, "directory", dir->ino, "entry name with '/' or NUL at byte", pos);
    }
    if (ino == EXT2_ROOT_INO && !is_dot_name(e + DE_NAME, len)) {
        return fs_corrupt(fs, "directory", dir->ino, "entry other than . or .. names the root",
                          pos);
    }
    if ((fs->incompat & INCOMPAT_FILETYPE) && e[DE_FILE_TYPE] > EXT2_FT_SYMLINK) {
        return fs_corrupt(fs, "directory", dir->ino, "entry of an unknown file type",
                          e[DE_FILE_TYPE]);
    }
    return 0;
}

/* Pin directory block lblk, checked. */
static int dir_block_get(ext2_fs_t *fs, const inode_t *dir, uint64_t lblk, buf_t **out)
{
    uint32_t block;
    int rc = bmap_lookup(fs, dir, lblk, &block);
    if (rc < 0) {
        return rc;
    }
    if (block == 0) {
        return fs_corrupt(fs, "directory", dir->ino, "hole at block", lblk);
    }
    if ((rc = buf_get(fs, block, BUF_TREE, out)) < 0) {
        return rc;
    }
    for (uint32_t off = 0; off < fs->block_size; off += le16_get((*out)->data + off + DE_REC_LEN)) {
        rc = check_entry(fs, dir, (*out)->data + off, fs->block_size - off,
                         lblk * fs->block_size + off);
        if (rc < 0) {
            buf_put(fs, *out);
            return rc;
        }
    }
    return 0;
}

/* Visit every entry at byte position >= from, in order, until visit
 * returns nonzero (which dir_walk returns). */
static int dir_walk(ext2_fs_t *fs, const inode_t *dir, uint64_t from, dir_visit_fn *visit,
                    void *arg)
{
    uint64_t blocks = dir->size / fs->block_size;
    for (uint64_t lblk = from / fs->block_size; lblk < blocks; lblk++) {
        buf_t *b;
        int rc = dir_block_get(fs, dir, lblk, &b);
        if (rc < 0) {
            return rc;
        }
        uint32_t prev = NO_PREV;
        for (uint32_t off = 0; off < fs->block_size; off += le16_get(b->data + off + DE_REC_LEN)) {
            if (lblk * fs->block_size + off >= from) {
                dir_loc_t loc = { (uint32_t)lblk, b->block, off, prev, le32_get(b->data + off) };
                if ((rc = visit(fs, arg, b, &loc)) != 0) {
                    buf_put(fs, b);
                    return rc;
                }
            }
            prev = off;
        }
        buf_put(fs, b);
    }
    return 0;
}

typedef struct name_query {
    const char *name;
    size_t len;
    dir_loc_t *loc;
} name_query_t;

static bool entry_is(const ext2_fs_t *fs, const uint8_t *e, const char *name, size_t len)
{
    return le32_get(e) != 0 && name_len_of(fs, e) == len && memcmp(e + DE_NAME, name, len) == 0;
}

static int visit_find(ext2_fs_t *fs, void *arg, buf_t *b, const dir_loc_t *loc)
{
    name_query_t *q = arg;
    if (!entry_is(fs, b->data + loc->offset, q->name, q->len)) {
        return 0;
    }
    *q->loc = *loc;
    return 1;
}

int dir_find(ext2_fs_t *fs, const inode_t *dir, const char *name, size_t len, dir_loc_t *loc)
{
    name_query_t q = { name, len, loc };
    int rc = dir_walk(fs, dir, 0, visit_find, &q);
    return rc == 1 ? 0 : rc < 0 ? rc : -ENOENT;
}

static void put_entry(ext2_fs_t *fs, uint8_t *e, uint32_t ino, uint32_t rec, const char *name,
                      size_t len, uint8_t type)
{
    le32_put(e + DE_INODE, ino);
    le16_put(e + DE_REC_LEN, (uint16_t)rec);
    e[DE_NAME_LEN] = (uint8_t)len;
    e[DE_FILE_TYPE] = (fs->incompat & INCOMPAT_FILETYPE) ? type : 0;
    memcpy(e + DE_NAME, name, len);
}

typedef struct new_entry {
    const char *name;
    size_t len;
    uint32_t ino;
    uint8_t type;
} new_entry_t;

/* Put the new entry into this entry's slack (or in its place if unused)
 * when it fits; with no name (a reservation) only say that it fits. */
static int visit_slack(ext2_fs_t *fs, void *arg, buf_t *b, const dir_loc_t *loc)
{
    const new_entry_t *n = arg;
    uint8_t *e = b->data + loc->offset;
    uint32_t rec = le16_get(e + DE_REC_LEN);
    uint32_t used = loc->ino != 0 ? DE_REC_LEN_FOR(name_len_of(fs, e)) : 0;
    if (rec - used < DE_REC_LEN_FOR(n->len)) {
        return 0;
    }
    if (n->name == NULL) {
        return 1;
    }
    if (used != 0) {
        le16_put(e + DE_REC_LEN, (uint16_t)used);
    }
    put_entry(fs, e + used, n->ino, rec - used, n->name, n->len, n->type);
    buf_dirty(fs, b);
    return 1;
}

static int dir_append_block(ext2_fs_t *fs, inode_t *dir, const new_entry_t *n)
{
    if (dir->size + fs->block_size > DIR_SIZE_MAX) {
        return -ENOSPC;
    }
    uint32_t block;
    bool fresh;
    int rc = bmap_alloc(fs, dir, dir->size / fs->block_size, &block, &fresh);
    if (rc < 0) {
        return rc == -EFBIG ? -ENOSPC : rc;
    }
    buf_t *b;
    if ((rc = buf_get_new(fs, block, BUF_NEW, &b)) < 0) {
        return rc;
    }
    if (n->name != NULL) {
        put_entry(fs, b->data, n->ino, fs->block_size, n->name, n->len, n->type);
    } else {
        put_entry(fs, b->data, 0, fs->block_size, "", 0, 0);
    }
    buf_put(fs, b);
    dir->size += fs->block_size;
    return 0;
}

int dir_add(ext2_fs_t *fs, inode_t *dir, const char *name, size_t len, uint32_t ino, uint8_t type)
{
    new_entry_t n = { name, len, ino, type };
    int rc = dir_walk(fs, dir, 0, visit_slack, &n);
    if (rc == 0) {
        rc = dir_append_block(fs, dir, &n);
    }
    if (rc < 0) {
        return rc;
    }
    dir_changed(fs, dir);
    return 0;
}

int dir_reserve(ext2_fs_t *fs, inode_t *dir, size_t len)
{
    new_entry_t n = { NULL, len, 0, 0 };
    int rc = dir_walk(fs, dir, 0, visit_slack, &n);
    if (rc == 0) {
        rc = dir_append_block(fs, dir, &n);
        if (rc == 0) {
            dir_changed(fs, dir);
        }
    }
    return rc < 0 ? rc : 0;
}

/* Pin the block of loc and check loc still names the entry it did. */
static int loc_get(ext2_fs_t *fs, const inode_t *dir, const dir_loc_t *loc, buf_t **b)
{
    int rc = dir_block_get(fs, dir, loc->lblk, b);
    if (rc < 0) {
        return rc;
    }
    const uint8_t *data = (*b)->data;
    bool ok = (*b)->block == loc->block && le32_get(data + loc->offset) == loc->ino;
    if (loc->prev != NO_PREV) {
        ok = ok && loc->prev + le16_get(data + loc->prev + DE_REC_LEN) == loc->offset;
    }
    if (!ok) {
        buf_put(fs, *b);
        return fs_corrupt(fs, "directory", dir->ino, "entry moved under an operation", loc->offset);
    }
    return 0;
}

int dir_remove(ext2_fs_t *fs, inode_t *dir, const dir_loc_t *loc)
{
    buf_t *b;
    int rc = loc_get(fs, dir, loc, &b);
    if (rc < 0) {
        return rc;
    }
    uint8_t *e = b->data + loc->offset;
    fs->op_drops = true;
    if (loc->prev != NO_PREV) {
        uint8_t *p = b->data + loc->prev;
        le16_put(p + DE_REC_LEN, (uint16_t)(le16_get(p + DE_REC_LEN) + le16_get(e + DE_REC_LEN)));
    } else {
        le32_put(e + DE_INODE, 0);
    }
    buf_dirty(fs, b);
    buf_put(fs, b);
    dir_changed(fs, dir);
    return 0;
}

int dir_retarget(ext2_fs_t *fs, inode_t *dir, const dir_loc_t *loc, uint32_t ino, uint8_t type)
{
    buf_t *b;
    int rc = loc_get(fs, dir, loc, &b);
    if (rc < 0) {
        return rc;
    }
    uint8_t *e = b->data + loc->offset;
    le32_put(e + DE_INODE, ino);
    e[DE_FILE_TYPE] = (fs->incompat & INCOMPAT_FILETYPE) ? type : e[DE_FILE_TYPE];
    buf_dirty(fs, b);
    buf_put(fs, b);
    dir_changed(fs, dir);
    return 0;
}

static int visit_nonempty(ext2_fs_t *fs, void *arg, buf_t *b, const dir_loc_t *loc)
{
    (void)arg;
    const uint8_t *e = b->data + loc->offset;
    return loc->ino != 0 && !is_dot_name(e + DE_NAME, name_len_of(fs, e));
}

int dir_is_empty(ext2_fs_t *fs, const inode_t *dir)
{
    int rc = dir_walk(fs, dir, 0, visit_nonempty, NULL);
    return rc < 0 ? rc : rc == 0;
}

/* Block 0 must begin with "." (the directory itself) and "..": the byte
 * offset of "..". */
static int dotdot_get(ext2_fs_t *fs, const inode_t *dir, buf_t **b, uint32_t *off)
{
    int rc = dir_block_get(fs, dir, 0, b);
    if (rc < 0) {
        return rc;
    }
    const uint8_t *data = (*b)->data;
    uint32_t second = le16_get(data + DE_REC_LEN);
    if (!entry_is(fs, data, ".", 1) || le32_get(data) != dir->ino || second >= fs->block_size ||
        !entry_is(fs, data + second, "..", 2)) {
        buf_put(fs, *b);
        return fs_corrupt(fs, "directory", dir->ino, "does not start with . and ..", NO_VALUE);
    }
    *off = second;
    return 0;
}

int dir_parent(ext2_fs_t *fs, const inode_t *dir, uint32_t *parent)
{
    buf_t *b;
    uint32_t off;
    int rc = dotdot_get(fs, dir, &b, &off);
    if (rc < 0) {
        return rc;
    }
    *parent = le32_get(b->data + off);
    buf_put(fs, b);
    return 0;
}

int dir_set_parent(ext2_fs_t *fs, inode_t *dir, uint32_t parent)
{
    buf_t *b;
    uint32_t off;
    int rc = dotdot_get(fs, dir, &b, &off);
    if (rc < 0) {
        return rc;
    }
    le32_put(b->data + off, parent);
    buf_dirty(fs, b);
    buf_put(fs, b);
    dir_changed(fs, dir);
    return 0;
}

void dir_init_block(ext2_fs_t *fs, uint8_t *data, uint32_t self, uint32_t parent)
{
    uint32_t first = DE_REC_LEN_FOR(1);
    put_entry(fs, data, self, first, ".", 1, EXT2_FT_DIR);
    put_entry(fs, data + first, parent, fs->block_size - first, "..", 2, EXT2_FT_DIR);
}

void dir_changed(ext2_fs_t *fs, inode_t *dir)
{
    dir->mtime = dir->ctime = fs->now;
    dir->flags &= ~EXT2_INDEX_FL;
}

typedef struct readdir_state {
    uint64_t *cookie;
    ext2_dirent_cb *cb;
    void *arg;
} readdir_state_t;

static int visit_readdir(ext2_fs_t *fs, void *arg, buf_t *b, const dir_loc_t *loc)
{
    readdir_state_t *s = arg;
    const uint8_t *e = b->data + loc->offset;
    uint64_t next = (uint64_t)loc->lblk * fs->block_size + loc->offset + le16_get(e + DE_REC_LEN);
    if (loc->ino != 0) {
        unsigned type = e[DE_FILE_TYPE];
        if (!(fs->incompat & INCOMPAT_FILETYPE)) {
            inode_t in;
            int rc = inode_get(fs, loc->ino, &in);
            if (rc < 0) {
                return rc;
            }
            type = inode_dirent_type(&in);
        }
        if (s->cb(s->arg, loc->ino, type, (const char *)e + DE_NAME, name_len_of(fs, e)) != 0) {
            return 1;
        }
    }
    *s->cookie = next;
    return 0;
}

int ext2_readdir(ext2_fs_t *fs, uint32_t dir, uint64_t *cookie, ext2_dirent_cb *cb, void *arg)
{
    int rc = op_begin(fs, false);
    if (rc < 0) {
        return rc;
    }
    inode_t in;
    if ((rc = inode_get(fs, dir, &in)) == 0 && !is_dir(&in)) {
        rc = -ENOTDIR;
    }
    if (rc == 0) {
        readdir_state_t s = { cookie, cb, arg };
        rc = dir_walk(fs, &in, *cookie, visit_readdir, &s);
    }
    return op_end(fs, rc);
}
