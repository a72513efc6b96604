/* vfs's descriptor methods on the disk's files (disk.c): each a request to
 * the ext2 server, the data through the channel's data area (one client's
 * window to it, or back: vfs copies, so that what a client changes in its
 * window meanwhile changes nothing the server reads). */
#include "vfs.h"

#include <errno.h>
#include <string.h>

long disk_open(proc_t *p, const char *path, uint64_t flags, uint64_t mode)
{
    if (fd_free(p, 0) < 0) {
        return -EMFILE;
    }
    if (!ofile_available(1)) {
        return -ENFILE;
    }
    keel_fs_attr_t attr;
    long r = disk_path_call(KEEL_FS_OPEN, path, NULL, (uint32_t)flags, mode, &attr);
    if (r < 0) {
        return r;
    }
    fcache_described((uint32_t)attr.ino, &attr);
    long of = ofile_alloc(OF_DISK, 0, flags);
    ofiles[of].ino = (uint32_t)attr.ino;
    ofiles[of].dir = (attr.mode >> 12) == VFS_TYPE_DIR;
    return fd_install(p, (uint16_t)of, 0);
}

long disk_read(ofile_t *o, uint64_t at, void *buf, size_t length)
{
    return o->dir ? -EISDIR : fcache_read(o->ino, at, buf, length);
}

long disk_write(ofile_t *o, uint64_t *at, bool append, const void *buf, size_t length)
{
    if (append) {
        keel_fs_attr_t attr;
        long r = disk_ino_call(KEEL_FS_GETATTR, o->ino, 0, 0, &attr);
        if (r < 0) {
            return r;
        }
        fcache_described(o->ino, &attr);
        *at = attr.size;
    }
    if (length == 0) {
        return 0;
    }
    memcpy(disk_data(), buf, length);
    long r = disk_ino_call(KEEL_FS_WRITE, o->ino, *at, length, NULL);
    fcache_wrote(o->ino, *at, length, r);
    return r;
}

long disk_lseek(ofile_t *o, int64_t offset, uint64_t whence)
{
    int64_t base = (int64_t)o->offset;
    if (whence == VFS_SEEK_SET) {
        base = 0;
    } else if (whence == VFS_SEEK_END) {
        keel_fs_attr_t attr;
        long r = disk_ino_call(KEEL_FS_GETATTR, o->ino, 0, 0, &attr);
        if (r < 0) {
            return r;
        }
        base = (int64_t)attr.size;
    }
    int64_t to;
    if (__builtin_add_overflow(base, offset, &to) || to < 0) {
        return -EINVAL;
    }
    o->offset = (uint64_t)to;
    return to;
}

/* The directory's records from the server's cookie (the open file's
 * offset) on. */
long disk_getdents(ofile_t *o, void *buf, size_t length)
{
    if (!o->dir) {
        return -ENOTDIR;
    }
    keel_fs_attr_t next;
    size_t ask = length < KEEL_FS_DATA_MAX ? length : KEEL_FS_DATA_MAX;
    long r = disk_ino_call(KEEL_FS_READDIR, o->ino, o->offset, ask, &next);
    if (r < 0) {
        return r;
    }
    if ((size_t)r > ask) {
        return -EIO; /* the server claims more than it was given room for */
    }
    memcpy(buf, disk_data(), (size_t)r);
    o->offset = next.size;
    return r;
}

static void status(const keel_fs_attr_t *a, uint64_t *mode, uint64_t *size, uint64_t *ino,
                   uint64_t *nlink, int64_t *mtime)
{
    *mode = a->mode;
    *size = a->size;
    *ino = a->ino;
    *nlink = a->nlink;
    *mtime = a->mtime;
}

long disk_stat(const char *path, uint32_t flags, uint64_t *mode, uint64_t *size, uint64_t *ino,
               uint64_t *nlink, int64_t *mtime)
{
    keel_fs_attr_t a;
    long r = disk_path_call(KEEL_FS_LOOKUP, path, NULL, flags, 0, &a);
    if (r == 0) {
        status(&a, mode, size, ino, nlink, mtime);
    }
    return r;
}

long disk_fstat(ofile_t *o, uint64_t *mode, uint64_t *size, uint64_t *ino, uint64_t *nlink,
                int64_t *mtime)
{
    keel_fs_attr_t a;
    long r = disk_ino_call(KEEL_FS_GETATTR, o->ino, 0, 0, &a);
    if (r == 0) {
        fcache_described(o->ino, &a);
        status(&a, mode, size, ino, nlink, mtime);
    }
    return r;
}
