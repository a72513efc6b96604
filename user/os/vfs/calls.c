/* The file calls that came with the disk (proto/vfs.proto methods 21-31):
 * ftruncate, fsync, sync, link, symlink, readlink, utime, access, fcntl,
 * lstat, statfs. On the disk each is a request to the ext2 server; vfs's
 * own tree has no links and no times (docs/storage.md). */
#include "vfs.h"

#include <errno.h>
#include <string.h>

#define ACCESS_X 1u
#define ACCESS_W 2u

long proto_vfs_ftruncate(void *ctx, seL4_Word badge, int64_t fd, uint64_t length)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0) {
        return r;
    }
    if ((o->flags & 3) == VFS_O_RDONLY) {
        return -EBADF; /* POSIX: EINVAL or EBADF; Linux says EINVAL for a read-only fd too */
    }
    if (o->kind == OF_DISK) {
        if (o->dir) {
            return -EISDIR;
        }
        r = disk_ino_call(KEEL_FS_TRUNCATE, o->ino, length, 0, NULL);
        fcache_forget(o->ino);
        return r;
    }
    if (o->kind != OF_NODE || nodes[o->index].type != NODE_REG) {
        return -EINVAL;
    }
    return tree_truncate(&nodes[o->index], length);
}

long proto_vfs_fsync(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0) {
        return r;
    }
    return o->kind == OF_DISK ? disk_ino_call(KEEL_FS_FSYNC, o->ino, 0, 0, NULL) : 0;
}

long proto_vfs_sync(void *ctx, seL4_Word badge)
{
    (void)ctx;
    CALLER(p);
    (void)p;
    return disk_mounted() ? disk_path_call(KEEL_FS_SYNC, "/", NULL, 0, 0, NULL) : 0;
}

long proto_vfs_link(void *ctx, seL4_Word badge, const char *from, const char *to)
{
    (void)ctx;
    CALLER(p);
    char abs_from[VFS_PATH_MAX], abs_to[VFS_PATH_MAX];
    long from_to = route(p, &from, abs_from), to_to = route(p, &to, abs_to);
    if (from_to < 0 || to_to < 0) {
        return from_to < 0 ? from_to : to_to;
    }
    if (from_to == ROUTE_DISK && to_to == ROUTE_DISK) {
        return disk_path_call(KEEL_FS_LINK, abs_from, abs_to, 0, 0, NULL);
    }
    long r = exists(p, from_to, disk_mounted() ? abs_from : from, false);
    if (r == 0) {
        r = exists(p, to_to, disk_mounted() ? abs_to : to, true);
    }
    return r < 0 ? r : from_to != to_to ? -EXDEV : -EPERM;
}

long proto_vfs_symlink(void *ctx, seL4_Word badge, const char *target, const char *path)
{
    (void)ctx;
    CALLER(p);
    char abs[VFS_PATH_MAX];
    long r = route(p, &path, abs);
    if (r == ROUTE_DISK) {
        /* the target is kept as written: it is resolved when the link is */
        return disk_path_call(KEEL_FS_SYMLINK, target, abs, 0, 0, NULL);
    }
    r = r < 0 ? r : exists(p, r, disk_mounted() ? abs : path, true);
    return r < 0 ? r : -EPERM;
}

long proto_vfs_readlink(void *ctx, seL4_Word badge, const char *path, void *buf, size_t buf_length)
{
    (void)ctx;
    CALLER(p);
    char abs[VFS_PATH_MAX];
    long r = route(p, &path, abs);
    if (r == ROUTE_DISK) {
        r = disk_path_call(KEEL_FS_READLINK, abs, NULL, 0, 0, NULL);
        if (r > 0) {
            r = (size_t)r < buf_length ? r : (long)buf_length;
            memcpy(buf, disk_data(), (size_t)r);
        }
        return r;
    }
    r = r < 0 ? r : exists(p, r, disk_mounted() ? abs : path, false);
    return r < 0 ? r : -EINVAL;
}

long proto_vfs_utime(void *ctx, seL4_Word badge, const char *path, int64_t atime, int64_t mtime)
{
    (void)ctx;
    CALLER(p);
    char abs[VFS_PATH_MAX];
    long r = route(p, &path, abs);
    if (r == ROUTE_DISK) {
        keel_fs_request_t times = { .atime = atime, .mtime = mtime };
        return disk_setattr(abs, KEEL_FS_SET_ATIME | KEEL_FS_SET_MTIME, &times);
    }
    return r < 0 ? r : exists(p, r, disk_mounted() ? abs : path, false);
}

/* Every process is the owner: read always, write but not in the tree's
 * read-only parts (its devices are writable: /dev/null takes anything),
 * execute with an x bit (a directory: search). */
long proto_vfs_access(void *ctx, seL4_Word badge, const char *path, uint64_t mode)
{
    (void)ctx;
    CALLER(p);
    char abs[VFS_PATH_MAX];
    uint64_t type_mode = 0, size, ino, dev, nlink;
    int64_t mtime;
    bool read_only = false;
    long r = route(p, &path, abs);
    if (r == ROUTE_DISK) {
        r = disk_stat(abs, 0, &type_mode, &size, &ino, &nlink, &mtime);
    } else if (r >= 0) {
        uint16_t n;
        r = tree_lookup(p->cwd, path, &n);
        if (r == 0) {
            node_status(n, &(status_t){ &type_mode, &size, &ino, &dev, &nlink });
            read_only = nodes[n].fixed && nodes[n].type != NODE_DEV;
        }
    }
    if (r < 0) {
        return r;
    }
    if ((mode & ACCESS_W) && read_only) {
        return -EROFS;
    }
    if ((mode & ACCESS_X) && (type_mode & 0111) == 0) {
        return -EACCES;
    }
    return 0;
}

long proto_vfs_fcntl(void *ctx, seL4_Word badge, int64_t fd, uint64_t cmd, int64_t arg)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0) {
        return r;
    }
    switch (cmd) {
    case VFS_FCNTL_DUPFD:
        return arg > VFS_FD_MAX ? -EINVAL : fd_install(p, (uint16_t)p->fd[fd], arg);
    case VFS_FCNTL_GETFL:
        return (long)o->flags;
    case VFS_FCNTL_SETFL:
        o->flags = (o->flags & ~(uint64_t)(VFS_O_APPEND | VFS_O_NONBLOCK)) |
                   ((uint64_t)arg & (VFS_O_APPEND | VFS_O_NONBLOCK));
        return 0;
    default: /* GETFD, SETFD: no exec, so no close-on-exec */
        return 0;
    }
}

long proto_vfs_lstat(void *ctx, seL4_Word badge, const char *path, uint64_t *mode, uint64_t *size,
                     uint64_t *ino, uint64_t *dev, uint64_t *nlink, int64_t *mtime)
{
    CALLER(p);
    char abs[VFS_PATH_MAX];
    const char *original = path;
    long r = route(p, &path, abs);
    if (r == ROUTE_DISK) {
        *dev = 3;
        return disk_stat(abs, KEEL_FS_NOFOLLOW, mode, size, ino, nlink, mtime);
    }
    return proto_vfs_stat(ctx, badge, original, mode, size, ino, dev, nlink, mtime);
}

long proto_vfs_statfs(void *ctx, seL4_Word badge, const char *path, uint64_t *bsize,
                      uint64_t *blocks, uint64_t *bfree, uint64_t *bavail, uint64_t *files,
                      uint64_t *ffree)
{
    (void)ctx;
    CALLER(p);
    char abs[VFS_PATH_MAX];
    long r = route(p, &path, abs);
    if (r == ROUTE_DISK) {
        keel_fs_statfs_t st;
        r = disk_statfs(abs, &st);
        *bsize = st.block_size;
        *blocks = st.blocks;
        *bfree = st.blocks_free;
        *bavail = st.blocks_avail;
        *files = st.inodes;
        *ffree = st.inodes_free;
        return r;
    }
    r = r < 0 ? r : exists(p, r, disk_mounted() ? abs : path, false);
    if (r == 0) {
        tree_statfs(bsize, blocks, bfree, files, ffree);
        *bavail = *bfree;
    }
    return r;
}
