/* vfs's requests to the ext2 server (keel/os/fs.h): each checked, then
 * done with the ext2 library. vfs is trusted no more than any client: a
 * path without its NUL, a length past the data area, an inode that is not
 * held open are refused. */
#include "ops.h"

#include <errno.h>
#include <keel/os/dirent.h>
#include <string.h>

#define O_ACCMODE_BITS 3u
#define O_CREAT_BIT 0x40u
#define O_TRUNC_BIT 0x200u
#define O_EXCL_BIT 0x800u
#define O_DIRECTORY_BIT 0x10000u
#define S_TYPE(mode) ((mode)&0170000u)
#define S_DIR 0040000u
#define S_REG 0100000u

static open_inode_t *open_find(uint32_t ino)
{
    for (unsigned i = 0; i < OPEN_MAX; i++) {
        if (fs_state.open[i].count > 0 && fs_state.open[i].ino == ino) {
            return &fs_state.open[i];
        }
    }
    return NULL;
}

static long open_hold(uint32_t ino)
{
    open_inode_t *o = open_find(ino);
    for (unsigned i = 0; o == NULL && i < OPEN_MAX; i++) {
        if (fs_state.open[i].count == 0) {
            o = &fs_state.open[i];
            o->ino = ino;
        }
    }
    if (o == NULL) {
        return -ENFILE;
    }
    o->count++;
    return 0;
}

/* A name was dropped: an inode left without links is freed now unless vfs
 * holds it open (then at its last close). */
static void dropped(uint32_t ino)
{
    if (ino != 0 && open_find(ino) == NULL) {
        ext2_release(&fs_state.fs, ino);
    }
}

static long attr_of(uint32_t ino, keel_fs_attr_t *out)
{
    ext2_attr_t a;
    int r = ext2_getattr(&fs_state.fs, ino, &a);
    if (r < 0) {
        return r;
    }
    *out = (keel_fs_attr_t){ .ino = a.ino,
                             .mode = a.mode,
                             .nlink = a.nlink,
                             .size = a.size,
                             .blocks = a.blocks,
                             .atime = a.atime,
                             .mtime = a.mtime,
                             .ctime = a.ctime,
                             .uid = a.uid,
                             .gid = a.gid,
                             .generation = a.generation };
    return 0;
}

/* A READ's result r, with the inode's attributes (vfs's file cache learns
 * the size and generation from them). */
static long attr_after(long r, uint32_t ino, keel_fs_attr_t *out)
{
    long a = attr_of(ino, out);
    return a < 0 ? a : r;
}

/* The path at `at` in the region, if NUL-terminated within its place. */
static const char *path_at(uint32_t at)
{
    const char *p = (const char *)fs_state.region + at;
    return memchr(p, '\0', KEEL_FS_PATH_MAX) != NULL ? p : NULL;
}

/* --- names looked up ------------------------------------------------------
 *
 * The inodes paths resolved to since the last request that changed
 * anything (names, modes, links): a stat of a deep path costs a directory
 * search and an inode read per component, this one look in a table. Any
 * request but the ones that only read (names_keep) empties it; so does a
 * restart. Only successes, and paths of at most NAME_PATH_MAX bytes. */

#define NAMES 64
#define NAME_PATH_MAX 128

static struct {
    struct {
        uint32_t hash, ino;
        unsigned flags;
        char path[NAME_PATH_MAX + 1]; /* "" : empty */
    } entry[NAMES];
    unsigned next; /* replaced next, round robin */
} names;

static uint32_t path_hash(const char *path, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (unsigned char)path[i]) * 16777619u;
    }
    return h;
}

static void names_forget(void)
{
    for (unsigned i = 0; i < NAMES; i++) {
        names.entry[i].path[0] = '\0';
    }
}

/* An operation on an inode vfs holds open (on_open_inode): no path. */
static bool on_inode(uint32_t op)
{
    return op == KEEL_FS_CLOSE || op == KEEL_FS_READ || op == KEEL_FS_WRITE ||
           op == KEEL_FS_TRUNCATE || op == KEEL_FS_GETATTR || op == KEEL_FS_READDIR ||
           op == KEEL_FS_FSYNC;
}

/* Does request q leave every name's resolution as it was? */
static bool names_keep(const keel_fs_request_t *q)
{
    if (on_inode(q->op)) {
        return true; /* a truncate or a write changes no name */
    }
    switch (q->op) {
    case KEEL_FS_LOOKUP:
    case KEEL_FS_READLINK:
    case KEEL_FS_SYNC:
    case KEEL_FS_STATFS:
    case KEEL_FS_REOPEN:
        return true;
    case KEEL_FS_OPEN:
        return !(q->flags & O_CREAT_BIT);
    default:
        return false;
    }
}

static long resolve(const char *path, unsigned flags, uint32_t *ino)
{
    if (path == NULL) {
        return -EINVAL;
    }
    size_t len = strlen(path);
    uint32_t h = path_hash(path, len);
    for (unsigned i = 0; len <= NAME_PATH_MAX && i < NAMES; i++) {
        if (names.entry[i].hash == h && names.entry[i].flags == flags &&
            names.entry[i].path[0] != '\0' && strcmp(names.entry[i].path, path) == 0) {
            *ino = names.entry[i].ino;
            return 0;
        }
    }
    long r = ext2_resolve(&fs_state.fs, EXT2_ROOT_INO, path, len, flags, ino);
    if (r == 0 && len <= NAME_PATH_MAX && len > 0) {
        unsigned i = names.next++ % NAMES;
        names.entry[i].hash = h;
        names.entry[i].ino = *ino;
        names.entry[i].flags = flags;
        memcpy(names.entry[i].path, path, len + 1);
    }
    return r;
}

typedef struct parent {
    uint32_t dir;
    const char *name;
    size_t len;
} parent_t;

static long parent_of(const char *path, parent_t *p)
{
    return path == NULL ? -EINVAL
                        : ext2_resolve_parent(&fs_state.fs, EXT2_ROOT_INO, path, strlen(path),
                                              &p->dir, &p->name, &p->len);
}

static bool trailing_slash(const char *path)
{
    size_t n = strlen(path);
    return n > 1 && path[n - 1] == '/';
}

/* A path ending in '/' names a directory, but the calls that work on a
 * name in its parent (ext2_resolve_parent drops the slash) would not
 * see it: what the whole path says first -- ENOTDIR for a file, ENOENT
 * for nothing (0 with may_be_missing). */
static long slash_names_dir(const char *path, bool may_be_missing)
{
    uint32_t ino;
    if (path == NULL || !trailing_slash(path)) {
        return 0;
    }
    long r = resolve(path, 0, &ino);
    return r == -ENOENT && may_be_missing ? 0 : r;
}

static long do_open(const keel_fs_request_t *q, const char *path, keel_fs_attr_t *attr)
{
    uint32_t ino;
    long r = resolve(path, 0, &ino);
    if (r == -ENOENT && (q->flags & O_CREAT_BIT) && trailing_slash(path)) {
        return -EISDIR; /* a regular file is never "name/" */
    }
    if (r == -ENOENT && (q->flags & O_CREAT_BIT)) {
        parent_t p;
        r = parent_of(path, &p);
        if (r == 0) {
            r = ext2_create(&fs_state.fs, p.dir, p.name, p.len, (uint16_t)(q->mode & 07777), &ino);
        }
    } else if (r == 0 && (q->flags & O_CREAT_BIT) && (q->flags & O_EXCL_BIT)) {
        r = -EEXIST;
    }
    if (r == 0) {
        r = attr_of(ino, attr);
    }
    if (r < 0) {
        return r;
    }
    bool writing = (q->flags & O_ACCMODE_BITS) != 0;
    if (S_TYPE(attr->mode) == S_DIR && writing) {
        return -EISDIR;
    }
    if (S_TYPE(attr->mode) != S_DIR && (q->flags & O_DIRECTORY_BIT)) {
        return -ENOTDIR;
    }
    if (S_TYPE(attr->mode) == S_REG && writing && (q->flags & O_TRUNC_BIT) && attr->size != 0) {
        r = ext2_truncate(&fs_state.fs, ino, 0);
        attr->size = 0;
    }
    return r < 0 ? r : open_hold(ino);
}

static long do_close(uint32_t ino)
{
    open_inode_t *o = open_find(ino);
    if (o == NULL) {
        return -EBADF;
    }
    if (--o->count == 0) {
        return ext2_release(&fs_state.fs, ino);
    }
    return 0;
}

/* --- readdir: records of keel/os/dirent.h into the data area ---------- */

typedef struct dirents {
    unsigned char *buf;
    size_t size, used;
} dirents_t;

static int put_dirent(void *arg, uint32_t ino, unsigned type, const char *name, size_t len)
{
    static const uint8_t vfs_type[] = {
        [EXT2_FT_REG] = 8,  [EXT2_FT_DIR] = 4,   [EXT2_FT_CHR] = 2,     [EXT2_FT_BLK] = 6,
        [EXT2_FT_FIFO] = 1, [EXT2_FT_SOCK] = 12, [EXT2_FT_SYMLINK] = 10
    };
    dirents_t *d = arg;
    uint8_t t = type < sizeof(vfs_type) ? vfs_type[type] : 0;
    size_t next = keel_dirent_put(d->buf, d->size, d->used, ino, t, name, len);
    if (next == 0) {
        return 1; /* no room: this entry comes first next time */
    }
    d->used = next;
    return 0;
}

static long do_readdir(const keel_fs_request_t *q, keel_fs_attr_t *attr)
{
    if (open_find((uint32_t)q->ino) == NULL || q->length > KEEL_FS_DATA_MAX) {
        return -EBADF;
    }
    dirents_t d = { fs_state.region + KEEL_FS_DATA_AT, q->length, 0 };
    uint64_t cookie = q->offset;
    int r = ext2_readdir(&fs_state.fs, (uint32_t)q->ino, &cookie, put_dirent, &d);
    attr->size = cookie;
    if (r == 1 && d.used == 0) {
        return -EINVAL; /* not even one record fits */
    }
    return r < 0 ? r : (long)d.used;
}

/* --- names -------------------------------------------------------------- */

static long do_remove(const char *path, bool directory)
{
    parent_t p;
    uint32_t gone = 0;
    long r = slash_names_dir(path, false);
    if (r == 0) {
        r = parent_of(path, &p);
    }
    if (r == 0) {
        r = directory ? ext2_rmdir(&fs_state.fs, p.dir, p.name, p.len, &gone)
                      : ext2_unlink(&fs_state.fs, p.dir, p.name, p.len, &gone);
    }
    dropped(r == 0 ? gone : 0);
    return r;
}

static long do_rename(const char *from, const char *to)
{
    parent_t a, b;
    uint32_t gone = 0, ino;
    long r = slash_names_dir(from, false);
    if (r == 0) {
        r = slash_names_dir(to, true);
    }
    if (r == 0 && to != NULL && trailing_slash(to)) {
        /* "to/" must end as a directory: so must `from` be one */
        keel_fs_attr_t attr;
        r = resolve(from, EXT2_RESOLVE_NOFOLLOW, &ino);
        r = r < 0 ? r : attr_of(ino, &attr);
        r = r < 0 ? r : S_TYPE(attr.mode) == S_DIR ? 0 : -ENOTDIR;
    }
    if (r == 0) {
        r = parent_of(from, &a);
    }
    if (r == 0) {
        r = parent_of(to, &b);
    }
    if (r == 0) {
        r = ext2_rename(&fs_state.fs, a.dir, a.name, a.len, b.dir, b.name, b.len, &gone);
    }
    dropped(r == 0 ? gone : 0);
    return r;
}

static long do_link(const char *existing, const char *path)
{
    uint32_t ino;
    parent_t p;
    long r = resolve(existing, EXT2_RESOLVE_NOFOLLOW, &ino);
    if (r == 0) {
        r = parent_of(path, &p);
    }
    return r < 0 ? r : ext2_link(&fs_state.fs, ino, p.dir, p.name, p.len);
}

static long do_symlink(const char *target, const char *path)
{
    uint32_t ino;
    parent_t p;
    long r = target == NULL ? -EINVAL : parent_of(path, &p);
    return r < 0 ? r
                 : ext2_symlink(&fs_state.fs, p.dir, p.name, p.len, target, strlen(target), &ino);
}

static long do_setattr(const keel_fs_request_t *q, const char *path)
{
    uint32_t ino;
    long r = resolve(path, 0, &ino);
    if (r < 0) {
        return r;
    }
    ext2_setattr_t set = { .mode = (uint16_t)(q->mode & 07777),
                           .atime = (uint32_t)q->atime,
                           .mtime = (uint32_t)q->mtime };
    set.valid = ((q->flags & KEEL_FS_SET_MODE) ? EXT2_SET_MODE : 0) |
                ((q->flags & KEEL_FS_SET_ATIME) ? EXT2_SET_ATIME : 0) |
                ((q->flags & KEEL_FS_SET_MTIME) ? EXT2_SET_MTIME : 0);
    return ext2_setattr(&fs_state.fs, ino, &set);
}

static long do_statfs(keel_fs_statfs_t *out)
{
    ext2_statfs_t st;
    int r = ext2_statfs(&fs_state.fs, &st);
    *out = (keel_fs_statfs_t){ st.block_size,   st.blocks, st.blocks_free,
                               st.blocks_avail, st.inodes, st.inodes_free };
    return r;
}

/* An operation on an inode vfs holds open. */
static long on_open_inode(const keel_fs_request_t *q, keel_fs_reply_t *reply)
{
    uint32_t ino = (uint32_t)q->ino;
    unsigned char *data = fs_state.region + KEEL_FS_DATA_AT;
    if (q->ino > UINT32_MAX || open_find(ino) == NULL) {
        return -EBADF;
    }
    if ((q->op == KEEL_FS_READ || q->op == KEEL_FS_WRITE) && q->length > KEEL_FS_DATA_MAX) {
        return -EINVAL;
    }
    long r;
    switch (q->op) {
    case KEEL_FS_CLOSE:
        return do_close(ino);
    case KEEL_FS_READ:
        r = ext2_read(&fs_state.fs, ino, q->offset, data, q->length);
        return r < 0 ? r : attr_after(r, ino, &reply->attr);
    case KEEL_FS_WRITE:
        return ext2_write(&fs_state.fs, ino, q->offset, data, q->length);
    case KEEL_FS_TRUNCATE:
        return ext2_truncate(&fs_state.fs, ino, q->offset);
    case KEEL_FS_GETATTR:
        return attr_of(ino, &reply->attr);
    case KEEL_FS_FSYNC:
        return ext2_fsync(&fs_state.fs, ino);
    default:
        return do_readdir(q, &reply->attr);
    }
}

static bool names_two_paths(uint32_t op)
{
    return op == KEEL_FS_RENAME || op == KEEL_FS_LINK || op == KEEL_FS_SYMLINK;
}

void fs_serve(keel_fs_reply_t *reply)
{
    keel_fs_request_t q;
    memcpy(&q, fs_state.region + KEEL_FS_REQUEST_AT,
           sizeof(q)); /* vfs cannot change it meanwhile */
    memset(reply, 0, sizeof(*reply));
    /* Only the paths the operation reads are looked at: the search for
     * each one's NUL goes a byte at a time. */
    const char *path = on_inode(q.op) ? NULL : path_at(KEEL_FS_PATH_AT);
    const char *path2 = names_two_paths(q.op) ? path_at(KEEL_FS_PATH2_AT) : NULL;
    uint32_t ino;
    long r;
    if (q.now > 0 && q.now <= UINT32_MAX) { /* 0: vfs has no time yet; the last one stays */
        ext2_set_time(&fs_state.fs, (uint32_t)q.now);
    }
    bool keep_names = names_keep(&q);
    if (!keep_names) {
        names_forget();
    }
    switch (q.op) {
    case KEEL_FS_LOOKUP:
        r = resolve(path, (q.flags & KEEL_FS_NOFOLLOW) ? EXT2_RESOLVE_NOFOLLOW : 0, &ino);
        r = r < 0 ? r : attr_of(ino, &reply->attr);
        break;
    case KEEL_FS_OPEN:
        r = do_open(&q, path, &reply->attr);
        break;
    case KEEL_FS_MKDIR: {
        parent_t p;
        r = parent_of(path, &p);
        r = r < 0
                ? r
                : ext2_mkdir(&fs_state.fs, p.dir, p.name, p.len, (uint16_t)(q.mode & 07777), &ino);
        break;
    }
    case KEEL_FS_RMDIR:
    case KEEL_FS_UNLINK:
        r = do_remove(path, q.op == KEEL_FS_RMDIR);
        break;
    case KEEL_FS_RENAME:
        r = do_rename(path, path2);
        break;
    case KEEL_FS_LINK:
        r = do_link(path, path2);
        break;
    case KEEL_FS_SYMLINK:
        r = do_symlink(path, path2);
        break;
    case KEEL_FS_READLINK:
        r = resolve(path, EXT2_RESOLVE_NOFOLLOW, &ino);
        r = r < 0 ? r
                  : ext2_readlink(&fs_state.fs, ino, (char *)fs_state.region + KEEL_FS_DATA_AT,
                                  KEEL_FS_DATA_MAX);
        break;
    case KEEL_FS_SETATTR:
        r = do_setattr(&q, path);
        break;
    case KEEL_FS_SYNC:
        r = ext2_sync(&fs_state.fs);
        break;
    case KEEL_FS_STATFS:
        r = do_statfs(&reply->statfs);
        break;
    case KEEL_FS_REOPEN:
        r = q.ino > UINT32_MAX ? -EINVAL : attr_of((uint32_t)q.ino, &reply->attr);
        r = r < 0 ? r : open_hold((uint32_t)q.ino);
        break;
    case KEEL_FS_UNMOUNT:
        r = ext2_unmount(&fs_state.fs); /* every later request: -EINVAL, not mounted */
        break;
    default:
        r = on_inode(q.op) ? on_open_inode(&q, reply) : -ENOSYS;
    }
    if (!keep_names) {
        names_forget(); /* what the request itself looked up may be gone */
    }
    reply->result = r;
}
