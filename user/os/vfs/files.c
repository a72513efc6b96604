/* vfs's descriptor methods (proto/vfs.proto): open files and descriptors,
 * and every handler that works on the tree. A request from a pid vfs does
 * not know is -ESRCH; a descriptor that is not open is -EBADF. */
#include "vfs.h"

#include <errno.h>
#include <keel/os/dirent.h>
#include <string.h>

ofile_t ofiles[OFILE_MAX];

long ofile_alloc(uint8_t kind, uint16_t index, uint64_t flags)
{
    for (int i = 0; i < OFILE_MAX; i++) {
        if (ofiles[i].kind == OF_FREE) {
            ofiles[i] = (ofile_t){ .kind = kind, .refs = 0, .index = index, .flags = flags };
            if (kind == OF_NODE) {
                tree_ref(index);
            }
            return i;
        }
    }
    return -ENFILE;
}

bool ofile_available(int want)
{
    for (int i = 0; i < OFILE_MAX && want > 0; i++) {
        want -= ofiles[i].kind == OF_FREE;
    }
    return want <= 0;
}

void ofile_unref(uint16_t of)
{
    ofile_t *o = &ofiles[of];
    if (--o->refs > 0) {
        return;
    }
    if (o->kind == OF_NODE) {
        tree_unref(o->index);
    } else if (o->kind == OF_DISK) {
        disk_ino_call(KEEL_FS_CLOSE, o->ino, 0, 0, NULL);
    } else if (o->kind == OF_PIPE_READ) {
        pipes[o->index].readers--;
    } else if (o->kind == OF_PIPE_WRITE) {
        pipes[o->index].writers--;
    } else if (o->kind == OF_SOCKET) {
        sock_release(o);
    }
    if (o->kind == OF_PIPE_READ || o->kind == OF_PIPE_WRITE) {
        pipe_t *pp = &pipes[o->index];
        pp->used = pp->readers + pp->writers > 0;
    }
    o->kind = OF_FREE;
}

long fd_free(const proc_t *p, int64_t lowest)
{
    for (int64_t fd = lowest; fd < FD_COUNT; fd++) {
        if (p->fd[fd] < 0) {
            return fd;
        }
    }
    return -EMFILE;
}

/* Give `of` the lowest free descriptor >= lowest. */
long fd_install(proc_t *p, uint16_t of, int64_t lowest)
{
    long fd = fd_free(p, lowest);
    if (fd >= 0) {
        p->fd[fd] = (int16_t)of;
        ofiles[of].refs++;
    }
    return fd;
}

static void fd_close(proc_t *p, int64_t fd)
{
    if (p->fd[fd] >= 0) {
        locks_release(p->pid, &ofiles[p->fd[fd]]); /* any close of the file, as POSIX */
        ofile_unref((uint16_t)p->fd[fd]);
        p->fd[fd] = -1;
    }
}

void proc_close_all(proc_t *p)
{
    for (int fd = 0; fd < FD_COUNT; fd++) {
        fd_close(p, fd);
    }
}

/* The caller and its open file `fd`. */
long lookup_fd(seL4_Word badge, int64_t fd, proc_t **p, ofile_t **o)
{
    *p = proc_find(badge);
    if (*p == NULL) {
        return -ESRCH;
    }
    if ((*p)->fd[fd] < 0) {
        return -EBADF;
    }
    *o = &ofiles[(*p)->fd[fd]];
    return 0;
}

/* With the disk (disk.c): the caller's path made absolute and clean in
 * abs (VFS_PATH_MAX bytes), and where it goes; a path for the tree is then
 * abs (the process's cwd is the root). Without the disk: the tree. */
long route(const proc_t *p, const char **path, char *abs)
{
    if (!disk_mounted()) {
        return ROUTE_TREE;
    }
    long r = disk_route(p, *path, abs);
    if (r == ROUTE_TREE) {
        *path = abs;
    }
    return r;
}

/* The last component of a path as the caller wrote it, which cleaning
 * takes away: "." or "..", or none (the root). The tree's split() sees
 * them; the disk's requests are answered as the tree would. */
enum last_kind { LAST_NAME, LAST_DOT, LAST_ROOT };

static enum last_kind last_kind(const char *path)
{
    size_t end = strlen(path);
    while (end > 0 && path[end - 1] == '/') {
        end--;
    }
    if (end == 0) {
        return LAST_ROOT;
    }
    size_t start = end;
    while (start > 0 && path[start - 1] != '/') {
        start--;
    }
    bool dot = (end - start == 1 && path[start] == '.') ||
               (end - start == 2 && path[start] == '.' && path[start + 1] == '.');
    return dot ? LAST_DOT : LAST_NAME;
}

/* What removing or renaming (from) a dot or the root is. */
static long removable_kind(const char *path)
{
    enum last_kind k = last_kind(path);
    return k == LAST_DOT ? -EINVAL : k == LAST_ROOT ? -EBUSY : 0;
}

/* A path's last component, split off by split(). */
typedef struct {
    uint16_t dir;                 /* the directory it is in */
    bool slash;                   /* a slash follows it: it must be a directory */
    char name[NODE_NAME_MAX + 1]; /* empty for "/" */
} last_t;

static long split(const proc_t *p, const char *path, last_t *last)
{
    const char *at;
    long r = tree_lookup_parent(p->cwd, path, &last->dir, &at);
    if (r < 0) {
        return r;
    }
    size_t len = strcspn(at, "/");
    memcpy(last->name, at, len);
    last->name[len] = '\0';
    last->slash = at[len] == '/';
    return 0;
}

/* "name/" names a directory only: as Linux, -ENOTDIR for anything else. */
static long slash_check(const last_t *last, uint16_t n)
{
    return last->slash && nodes[n].type != NODE_DIR ? -ENOTDIR : 0;
}

/* Entries may be made in dir: not in /bin or /dev (the root is fixed only
 * so that nothing removes it). */
static bool dir_writable(uint16_t dir)
{
    return !nodes[dir].fixed || dir == ROOT_NODE;
}

static bool is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static long open_node(const proc_t *p, const char *path, uint64_t flags, uint64_t mode)
{
    last_t last;
    long r = split(p, path, &last);
    if (r < 0) {
        return r;
    }
    long n =
        last.name[0] == '\0' ? last.dir : tree_find_child(last.dir, last.name, strlen(last.name));
    if (is_dot(last.name)) {
        uint16_t found;
        r = tree_lookup(p->cwd, path, &found);
        n = r < 0 ? r : found;
    }
    if (n == -ENOENT && (flags & VFS_O_CREAT)) {
        if (last.slash) {
            return -EISDIR; /* a regular file is never "name/" */
        }
        return dir_writable(last.dir) ? tree_new(last.dir, last.name, NODE_REG, (uint16_t)mode)
                                      : -EROFS;
    }
    if (n >= 0 && (flags & VFS_O_CREAT) && (flags & VFS_O_EXCL)) {
        return -EEXIST;
    }
    return n >= 0 && (r = slash_check(&last, (uint16_t)n)) < 0 ? r : n;
}

static long open_check(node_t *nd, uint64_t flags)
{
    uint64_t access = flags & 3;
    if ((flags & VFS_O_DIRECTORY) && nd->type != NODE_DIR) {
        return -ENOTDIR;
    }
    if (nd->type == NODE_DIR && (access != VFS_O_RDONLY || (flags & VFS_O_TRUNC))) {
        return -EISDIR;
    }
    if (nd->rodata != NULL && (access != VFS_O_RDONLY || (flags & VFS_O_TRUNC))) {
        return -EROFS;
    }
    if (nd->type == NODE_REG && (flags & VFS_O_TRUNC) && access != VFS_O_RDONLY) {
        tree_truncate(nd, 0);
    }
    return 0;
}

long proto_vfs_open(void *ctx, seL4_Word badge, const char *path, uint64_t flags, uint64_t mode)
{
    (void)ctx;
    CALLER(p);
    if ((flags & 3) == 3) {
        return -EINVAL;
    }
    char abs[VFS_PATH_MAX];
    long route_to = route(p, &path, abs);
    if (route_to != ROUTE_TREE) {
        return route_to < 0 ? route_to : disk_open(p, abs, flags, mode);
    }
    if (fd_free(p, 0) < 0) {
        return -EMFILE;
    }
    if (!ofile_available(1)) {
        return -ENFILE;
    }
    long n = open_node(p, path, flags, mode);
    if (n < 0) {
        return n;
    }
    long r = open_check(&nodes[n], flags);
    if (r < 0) {
        return r;
    }
    long of = ofile_alloc(OF_NODE, (uint16_t)n, flags);
    return fd_install(p, (uint16_t)of, 0);
}

long proto_vfs_close(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r == 0) {
        fd_close(p, fd);
        waiters_retry(); /* a pipe end may have closed */
    }
    return r;
}

/* A read or write that would wait: the caller waits for it, unless its
 * open file is O_NONBLOCK. */
static long wait_unless_nonblock(uint8_t kind, proc_t *p, uint16_t of, const void *buf,
                                 size_t length)
{
    if (ofiles[of].flags & VFS_O_NONBLOCK) {
        return -EAGAIN;
    }
    return waiter_defer(kind, p, of, (void *)(uintptr_t)buf, length);
}

static long read_dev(node_t *nd, proc_t *p, uint16_t of, void *buf, size_t length)
{
    switch (nd->dev) {
    case DEV_CONSOLE: {
        long r = tty_try_read(buf, length);
        return r == -EAGAIN ? wait_unless_nonblock(WAIT_CONSOLE_READ, p, of, buf, length) : r;
    }
    case DEV_ZERO:
        memset(buf, 0, length);
        return (long)length;
    default:
        return 0;
    }
}

/* What lseek moves and pread and pwrite use: not a pipe, a socket or a
 * device. */
static bool seekable(const ofile_t *o)
{
    return o->kind == OF_DISK || (o->kind == OF_NODE && nodes[o->index].type != NODE_DEV);
}

/* read (at NULL: from the descriptor's offset, which moves past the bytes
 * read) and pread (from *at, the descriptor's offset left alone). */
static long read_at(seL4_Word badge, int64_t fd, const uint64_t *at, void *buf, size_t length)
{
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0) {
        return r;
    }
    if (at != NULL && !seekable(o)) {
        return -ESPIPE;
    }
    uint16_t of = (uint16_t)p->fd[fd];
    if (o->kind == OF_PIPE_READ) {
        r = length == 0 ? 0 : pipe_try_read(&pipes[o->index], buf, length);
        return r == -EAGAIN ? wait_unless_nonblock(WAIT_PIPE_READ, p, of, buf, length) : r;
    }
    if (o->kind == OF_SOCKET) {
        return sock_read(p, of, buf, length, VFS_READ);
    }
    if ((o->kind != OF_NODE && o->kind != OF_DISK) || (o->flags & 3) == VFS_O_WRONLY) {
        return -EBADF;
    }
    uint64_t from = at != NULL ? *at : o->offset;
    if (o->kind == OF_DISK) {
        r = disk_read(o, from, buf, length);
    } else {
        node_t *nd = &nodes[o->index];
        if (nd->type == NODE_DIR) {
            return -EISDIR;
        }
        if (nd->type == NODE_DEV) {
            return read_dev(nd, p, of, buf, length);
        }
        r = tree_read(nd, from, buf, length);
    }
    if (r > 0 && at == NULL) {
        o->offset = from + (uint64_t)r;
    }
    return r;
}

/* write (at NULL: at the descriptor's offset, or the end with O_APPEND;
 * the offset then follows the bytes written) and pwrite (at *at whatever
 * the flags, the offset left alone). */
static long write_at(seL4_Word badge, int64_t fd, const uint64_t *at, const void *buf,
                     size_t length)
{
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0) {
        return r;
    }
    if (at != NULL && !seekable(o)) {
        return -ESPIPE;
    }
    uint16_t of = (uint16_t)p->fd[fd];
    if (o->kind == OF_PIPE_WRITE) {
        r = length == 0 ? 0 : pipe_try_write(&pipes[o->index], buf, length);
        return r == -EAGAIN ? wait_unless_nonblock(WAIT_PIPE_WRITE, p, of, buf, length) : r;
    }
    if (o->kind == OF_SOCKET) {
        return sock_write(p, of, buf, length, VFS_WRITE);
    }
    if ((o->kind != OF_NODE && o->kind != OF_DISK) || (o->flags & 3) == VFS_O_RDONLY) {
        return -EBADF;
    }
    bool append = at == NULL && (o->flags & VFS_O_APPEND);
    uint64_t to = at != NULL ? *at : o->offset;
    if (o->kind == OF_DISK) {
        r = disk_write(o, &to, append, buf, length);
    } else {
        node_t *nd = &nodes[o->index];
        if (nd->type == NODE_DEV) {
            if (nd->dev == DEV_CONSOLE) {
                r = tty_try_write(buf, length);
                return r == -EAGAIN ? wait_unless_nonblock(WAIT_CONSOLE_WRITE, p, of, buf, length)
                                    : r;
            }
            return (long)length;
        }
        if (length == 0) {
            return 0;
        }
        to = append ? nd->size : to;
        r = tree_write(nd, to, buf, length);
    }
    if (r > 0 && at == NULL) {
        o->offset = to + (uint64_t)r;
    }
    return r;
}

long proto_vfs_read(void *ctx, seL4_Word badge, int64_t fd, void *buf, size_t buf_length)
{
    (void)ctx;
    return read_at(badge, fd, NULL, buf, buf_length);
}

long proto_vfs_write(void *ctx, seL4_Word badge, int64_t fd, const void *buf, size_t buf_length)
{
    (void)ctx;
    return write_at(badge, fd, NULL, buf, buf_length);
}

/* The dispatch has refused a negative offset (-EINVAL). */
long proto_vfs_pread(void *ctx, seL4_Word badge, int64_t fd, int64_t offset, void *buf,
                     size_t buf_length)
{
    (void)ctx;
    uint64_t at = (uint64_t)offset;
    return read_at(badge, fd, &at, buf, buf_length);
}

long proto_vfs_pwrite(void *ctx, seL4_Word badge, int64_t fd, int64_t offset, const void *buf,
                      size_t buf_length)
{
    (void)ctx;
    uint64_t at = (uint64_t)offset;
    return write_at(badge, fd, &at, buf, buf_length);
}

long proto_vfs_lseek(void *ctx, seL4_Word badge, int64_t fd, int64_t offset, uint64_t whence)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0) {
        return r;
    }
    if (o->kind == OF_DISK) {
        return disk_lseek(o, offset, whence);
    }
    if (!seekable(o)) {
        return -ESPIPE;
    }
    int64_t base = whence == VFS_SEEK_SET   ? 0
                   : whence == VFS_SEEK_CUR ? (int64_t)o->offset
                                            : (int64_t)nodes[o->index].size;
    int64_t to;
    if (__builtin_add_overflow(base, offset, &to) || to < 0) {
        return -EINVAL;
    }
    o->offset = (uint64_t)to;
    return to;
}

void node_status(uint16_t n, const status_t *st)
{
    static const uint8_t type[] = {
        [NODE_DIR] = VFS_TYPE_DIR, [NODE_REG] = VFS_TYPE_REG, [NODE_DEV] = VFS_TYPE_CHR
    };
    const node_t *nd = &nodes[n];
    *st->mode = (uint64_t)type[nd->type] << 12 | nd->mode;
    *st->size = nd->type == NODE_REG ? nd->size : 0;
    *st->ino = n + 1u;
    *st->dev = 1;
    *st->nlink = nd->type == NODE_DIR ? 2 : 1;
}

long proto_vfs_stat(void *ctx, seL4_Word badge, const char *path, uint64_t *mode, uint64_t *size,
                    uint64_t *ino, uint64_t *dev, uint64_t *nlink, int64_t *mtime)
{
    (void)ctx;
    CALLER(p);
    char abs[VFS_PATH_MAX];
    long r = route(p, &path, abs);
    if (r == ROUTE_DISK) {
        *dev = 3;
        return disk_stat(abs, 0, mode, size, ino, nlink, mtime);
    }
    uint16_t n;
    r = r < 0 ? r : tree_lookup(p->cwd, path, &n);
    if (r == 0) {
        node_status(n, &(status_t){ mode, size, ino, dev, nlink });
    }
    return r;
}

long proto_vfs_fstat(void *ctx, seL4_Word badge, int64_t fd, uint64_t *mode, uint64_t *size,
                     uint64_t *ino, uint64_t *dev, uint64_t *nlink, int64_t *mtime)
{
    (void)ctx, (void)mtime;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0) {
        return r;
    }
    if (o->kind == OF_NODE) {
        node_status(o->index, &(status_t){ mode, size, ino, dev, nlink });
        return 0;
    }
    if (o->kind == OF_DISK) {
        *dev = 3;
        return disk_fstat(o, mode, size, ino, nlink, mtime);
    }
    bool sock = o->kind == OF_SOCKET;
    *mode = (uint64_t)(sock ? VFS_TYPE_SOCK : VFS_TYPE_FIFO) << 12 | 0600;
    *size = sock ? 0 : pipes[o->index].count;
    *ino = NODE_MAX + 1u + o->index + (sock ? PIPE_MAX : 0u);
    *dev = 2;
    *nlink = 1;
    return 0;
}

static bool is_console(const ofile_t *o)
{
    return o->kind == OF_NODE && nodes[o->index].type == NODE_DEV &&
           nodes[o->index].dev == DEV_CONSOLE;
}

long proto_vfs_isatty(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    return r < 0 ? r : is_console(o) ? 1 : -ENOTTY;
}

long proto_vfs_pipe(void *ctx, seL4_Word badge, int64_t *rfd, int64_t *wfd)
{
    (void)ctx;
    CALLER(p);
    long first = fd_free(p, 0);
    if (first < 0 || fd_free(p, first + 1) < 0) {
        return -EMFILE;
    }
    if (!ofile_available(2)) {
        return -ENFILE;
    }
    uint16_t pi;
    long r = pipe_new(&pi);
    if (r < 0) {
        return r;
    }
    long rof = ofile_alloc(OF_PIPE_READ, pi, VFS_O_RDONLY);
    long wof = ofile_alloc(OF_PIPE_WRITE, pi, VFS_O_WRONLY);
    *rfd = fd_install(p, (uint16_t)rof, 0);
    *wfd = fd_install(p, (uint16_t)wof, 0);
    return 0;
}

long proto_vfs_dup(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    return r < 0 ? r : fd_install(p, (uint16_t)p->fd[fd], 0);
}

long proto_vfs_dup2(void *ctx, seL4_Word badge, int64_t fd, int64_t newfd)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0 || fd == newfd) {
        return r < 0 ? r : newfd;
    }
    fd_close(p, newfd);
    p->fd[newfd] = p->fd[fd];
    o->refs++;
    waiters_retry();
    return newfd;
}

/* Does the clean path name something (at least its directory, with
 * `parent`), on the disk or in the tree? */
long exists(const proc_t *p, long to, const char *abs, bool parent)
{
    char path[VFS_PATH_MAX];
    strcpy(path, abs);
    if (parent) {
        char *slash = strrchr(path, '/');
        slash[slash == path] = '\0'; /* "/x" -> "/" */
    }
    uint64_t mode, size, ino, nlink;
    int64_t mtime;
    last_t last;
    uint16_t n;
    if (to == ROUTE_DISK) {
        return disk_stat(path, 0, &mode, &size, &ino, &nlink, &mtime);
    }
    return parent ? split(p, abs, &last) : tree_lookup(p->cwd, path, &n);
}

/* A rename between the disk and vfs's tree: as Linux between two file
 * systems, EXDEV once both names could be looked up. */
static long across(const proc_t *p, long from_to, const char *from, long to_to, const char *to)
{
    long r = exists(p, from_to, from, false);
    if (r == 0) {
        r = exists(p, to_to, to, true);
    }
    return r < 0 ? r : -EXDEV;
}

/* With the disk: the working directory is the clean path, once it names a
 * directory (of the disk or the tree). */
static long chdir_path(proc_t *p, long to, const char *abs)
{
    uint64_t mode = 0, size, ino, nlink;
    int64_t mtime;
    uint16_t n;
    long r = to == ROUTE_DISK ? disk_stat(abs, 0, &mode, &size, &ino, &nlink, &mtime)
                              : tree_lookup(ROOT_NODE, abs, &n);
    if (r < 0) {
        return r;
    }
    bool dir = to == ROUTE_DISK ? (mode >> 12) == VFS_TYPE_DIR : nodes[n].type == NODE_DIR;
    if (!dir) {
        return -ENOTDIR;
    }
    size_t len = strlen(abs);
    while (len > 1 && abs[len - 1] == '/') {
        len--;
    }
    memcpy(p->cwd_path, abs, len);
    p->cwd_path[len] = '\0';
    return 0;
}

long proto_vfs_chdir(void *ctx, seL4_Word badge, const char *path)
{
    (void)ctx;
    CALLER(p);
    char abs[VFS_PATH_MAX];
    long r = route(p, &path, abs);
    if (r >= 0 && disk_mounted()) {
        return chdir_path(p, r, abs);
    }
    uint16_t n;
    r = r < 0 ? r : tree_lookup(p->cwd, path, &n);
    if (r < 0) {
        return r;
    }
    if (nodes[n].type != NODE_DIR) {
        return -ENOTDIR;
    }
    tree_ref(n);
    tree_unref(p->cwd);
    p->cwd = n;
    return 0;
}

long proto_vfs_getcwd(void *ctx, seL4_Word badge, void *buf, size_t buf_length)
{
    (void)ctx;
    CALLER(p);
    if (disk_mounted()) {
        /* a working directory removed since: ENOENT, as the tree says */
        char abs[VFS_PATH_MAX];
        long r = disk_route(p, p->cwd_path, abs);
        r = r < 0 ? r : exists(p, r, abs, false);
        if (r < 0) {
            return r;
        }
        size_t len = strlen(p->cwd_path) + 1;
        if (len > buf_length) {
            return -ERANGE;
        }
        memcpy(buf, p->cwd_path, len);
        return (long)len;
    }
    return tree_path(p->cwd, buf, buf_length);
}

/* Directory offsets: 0 ".", 1 "..", 2 + i the node i. */
static size_t dirent_at(uint16_t dir, uint64_t *offset, unsigned char *buf, size_t size, size_t at)
{
    for (; *offset < NODE_MAX + 2u; (*offset)++) {
        uint64_t i = *offset;
        const node_t *nd = i >= 2 ? &nodes[i - 2] : NULL;
        if (nd != NULL &&
            (nd->type == NODE_FREE || !nd->linked || nd->parent != dir || i - 2 == ROOT_NODE)) {
            continue;
        }
        const char *name = i == 0 ? "." : i == 1 ? ".." : nd->name;
        uint16_t n = i == 0 ? dir : i == 1 ? nodes[dir].parent : (uint16_t)(i - 2);
        uint8_t type = nodes[n].type == NODE_DIR   ? VFS_TYPE_DIR
                       : nodes[n].type == NODE_REG ? VFS_TYPE_REG
                                                   : VFS_TYPE_CHR;
        size_t next = keel_dirent_put(buf, size, at, n + 1u, type, name, strlen(name));
        if (next == 0) {
            return at;
        }
        at = next;
    }
    return at;
}

long proto_vfs_getdents(void *ctx, seL4_Word badge, int64_t fd, void *buf, size_t buf_length)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0) {
        return r;
    }
    if (o->kind == OF_DISK) {
        return disk_getdents(o, buf, buf_length);
    }
    if (o->kind != OF_NODE || nodes[o->index].type != NODE_DIR) {
        return -ENOTDIR;
    }
    size_t filled = dirent_at(o->index, &o->offset, buf, buf_length, 0);
    return filled == 0 && o->offset < NODE_MAX + 2u ? -EINVAL : (long)filled;
}

long proto_vfs_mkdir(void *ctx, seL4_Word badge, const char *path, uint64_t mode)
{
    (void)ctx;
    CALLER(p);
    const char *original = path; /* route() cleans path */
    char abs[VFS_PATH_MAX];
    long r = route(p, &path, abs);
    if (disk_mounted() && last_kind(original) != LAST_NAME) {
        return -EEXIST;
    }
    if (r == ROUTE_DISK) {
        return disk_path_call(KEEL_FS_MKDIR, abs, NULL, 0, mode, NULL);
    }
    last_t last;
    r = r < 0 ? r : split(p, path, &last);
    if (r < 0) {
        return r;
    }
    if (last.name[0] == '\0' || is_dot(last.name) ||
        tree_find_child(last.dir, last.name, strlen(last.name)) >= 0) {
        return -EEXIST;
    }
    if (!dir_writable(last.dir)) {
        return -EROFS;
    }
    r = tree_new(last.dir, last.name, NODE_DIR, (uint16_t)mode);
    return r < 0 ? r : 0;
}

/* Take node n out of its directory; it lives on while referenced. */
static void unlink_node(uint16_t n)
{
    nodes[n].linked = false;
    nodes[n].refs++;
    tree_unref(n);
}

static long removable(const proc_t *p, const char *path, uint16_t *out)
{
    last_t last;
    long r = split(p, path, &last);
    if (r < 0) {
        return r;
    }
    if (last.name[0] == '\0' || is_dot(last.name)) {
        return last.name[0] == '\0' ? -EBUSY : -EINVAL;
    }
    r = tree_find_child(last.dir, last.name, strlen(last.name));
    if (r < 0) {
        return r;
    }
    *out = (uint16_t)r;
    if (nodes[r].fixed) {
        return -EROFS;
    }
    return slash_check(&last, *out);
}

/* rmdir's and unlink's start: a dot or the root refused, a path of the
 * disk asked of the ext2 server (*done: the result is the answer), else
 * the tree's node in *n. */
static long remove_start(seL4_Word badge, const char *path, uint32_t disk_op, bool *done,
                         uint16_t *n)
{
    CALLER(p);
    const char *original = path; /* route() cleans path */
    char abs[VFS_PATH_MAX];
    long r = route(p, &path, abs);
    long refused = disk_mounted() ? removable_kind(original) : 0;
    *done = refused < 0 || r == ROUTE_DISK;
    if (refused == -EINVAL && r >= 0) {
        /* "a/." names a directory that must exist first, as on Linux:
         * ENOENT or ENOTDIR before EINVAL. */
        long found = exists(p, r, abs, false);
        return found < 0 ? found : refused;
    }
    if (refused < 0) {
        return r < 0 ? r : refused;
    }
    if (r == ROUTE_DISK) {
        return disk_path_call(disk_op, abs, NULL, 0, 0, NULL);
    }
    return r < 0 ? r : removable(p, path, n);
}

long proto_vfs_rmdir(void *ctx, seL4_Word badge, const char *path)
{
    (void)ctx;
    bool done;
    uint16_t n;
    long r = remove_start(badge, path, KEEL_FS_RMDIR, &done, &n);
    if (done || r < 0) {
        return r;
    }
    if (nodes[n].type != NODE_DIR) {
        return -ENOTDIR;
    }
    if (!tree_dir_empty(n)) {
        return -ENOTEMPTY;
    }
    unlink_node(n);
    return 0;
}

long proto_vfs_unlink(void *ctx, seL4_Word badge, const char *path)
{
    (void)ctx;
    bool done;
    uint16_t n;
    long r = remove_start(badge, path, KEEL_FS_UNLINK, &done, &n);
    if (done || r < 0) {
        return r;
    }
    if (nodes[n].type == NODE_DIR) {
        return -EISDIR;
    }
    unlink_node(n);
    return 0;
}

/* May `from` replace `to` (an existing node)? */
static long replace_check(uint16_t from, uint16_t to)
{
    bool from_dir = nodes[from].type == NODE_DIR;
    if (nodes[to].fixed) {
        return -EROFS;
    }
    if (from_dir && nodes[to].type != NODE_DIR) {
        return -ENOTDIR;
    }
    if (!from_dir && nodes[to].type == NODE_DIR) {
        return -EISDIR;
    }
    return from_dir && !tree_dir_empty(to) ? -ENOTEMPTY : 0;
}

long proto_vfs_rename(void *ctx, seL4_Word badge, const char *from, const char *to)
{
    (void)ctx;
    CALLER(p);
    char abs_from[VFS_PATH_MAX], abs_to[VFS_PATH_MAX];
    if (disk_mounted()) {
        long r = removable_kind(from);
        if (r == 0 && last_kind(to) != LAST_NAME) {
            r = -EBUSY;
        }
        if (r < 0) {
            return r;
        }
    }
    long from_to = route(p, &from, abs_from), to_to = route(p, &to, abs_to);
    if (from_to < 0 || to_to < 0) {
        return from_to < 0 ? from_to : to_to;
    }
    if (from_to != to_to) {
        return across(p, from_to, abs_from, to_to, abs_to);
    }
    if (from_to == ROUTE_DISK) {
        return disk_path_call(KEEL_FS_RENAME, abs_from, abs_to, 0, 0, NULL);
    }
    uint16_t n;
    last_t last;
    long r = removable(p, from, &n);
    if (r == 0) {
        r = split(p, to, &last);
    }
    if (r == 0) {
        r = slash_check(&last, n);
    }
    if (r < 0) {
        return r;
    }
    if (last.name[0] == '\0' || is_dot(last.name)) {
        return -EBUSY;
    }
    if (!dir_writable(last.dir)) {
        return -EROFS;
    }
    if (nodes[n].type == NODE_DIR && tree_is_ancestor(n, last.dir)) {
        return -EINVAL;
    }
    long old = tree_find_child(last.dir, last.name, strlen(last.name));
    if (old == n) {
        return 0;
    }
    if (old >= 0 && (r = replace_check(n, (uint16_t)old)) < 0) {
        return r;
    }
    if (old >= 0) {
        unlink_node((uint16_t)old);
    }
    nodes[n].parent = last.dir;
    strcpy(nodes[n].name, last.name);
    return 0;
}

static long console_fd(seL4_Word badge, int64_t fd)
{
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    return r < 0 ? r : is_console(o) ? 0 : -ENOTTY;
}

long proto_vfs_tcgetpgrp(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    long r = console_fd(badge, fd);
    return r < 0 ? r : tty_getpgrp();
}

long proto_vfs_tcsetpgrp(void *ctx, seL4_Word badge, int64_t fd, int64_t pgid)
{
    (void)ctx;
    long r = console_fd(badge, fd);
    if (r == 0) {
        tty_setpgrp(pgid);
    }
    return r;
}
