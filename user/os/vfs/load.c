/* pm's reads of program files (proc_load): pm builds a process from a
 * file it reads here in parts, wherever the file is -- on the disk, or in
 * the tree's /bin (the boot archive) on a system without one. The path is
 * resolved as the spawning process would resolve it; the file must be a
 * regular file with an execute bit, as execve asks. */
#include "vfs.h"

#include <errno.h>
#include <string.h>

#define DISK_DEV 3 /* the disk's device number, as stat says */

/* What pm learns of the file besides its bytes (proc_load's outputs). */
typedef struct {
    uint64_t size, dev, ino;
    int64_t ctime;
} load_id_t;

/* Resolution of a path pm names for the boot's first program: the root. */
static const proc_t root_process = { .cwd = ROOT_NODE, .cwd_path = "/" };

static long executable(uint64_t mode)
{
    return (mode >> 12) == VFS_TYPE_REG && (mode & 0111) != 0 ? 0 : -EACCES;
}

/* The disk file pm is reading: held open from the read of its start
 * (offset 0) until pm starts reading another -- a process's build asks for
 * a few parts of one file in a row, and one open serves them all (a
 * restarted server has it opened again with vfs's other files). */
static struct {
    long of;           /* its open file, -1 none */
    keel_fs_attr_t at; /* when it was opened */
    char path[VFS_PATH_MAX];
} held = { .of = -1 };

static void drop_held(void)
{
    if (held.of >= 0) {
        ofile_unref((uint16_t)held.of);
        held.of = -1;
    }
}

static long open_held(const char *abs)
{
    drop_held();
    if (!ofile_available(1)) {
        return -ENFILE;
    }
    keel_fs_attr_t attr;
    long r = disk_path_call(KEEL_FS_OPEN, abs, NULL, VFS_O_RDONLY, 0, &attr);
    if (r < 0) {
        return r;
    }
    fcache_described((uint32_t)attr.ino, &attr);
    held.of = ofile_alloc(OF_DISK, 0, VFS_O_RDONLY);
    ofiles[held.of].refs = 1;
    ofiles[held.of].ino = (uint32_t)attr.ino;
    held.at = attr;
    strcpy(held.path, abs);
    return executable(attr.mode);
}

static long load_from_disk(const char *abs, uint64_t offset, void *buf, size_t length,
                           load_id_t *id)
{
    long r = 0;
    if (length == 0) { /* only who the file is: no open, no close */
        keel_fs_attr_t attr;
        r = disk_path_call(KEEL_FS_LOOKUP, abs, NULL, 0, 0, &attr);
        if (r == 0 && (r = executable(attr.mode)) == 0) {
            *id = (load_id_t){ attr.size, DISK_DEV, attr.ino, attr.ctime };
        }
        return r;
    }
    if (offset == 0 || held.of < 0 || strcmp(held.path, abs) != 0) {
        r = open_held(abs);
    }
    if (r < 0) {
        drop_held();
        return r;
    }
    *id = (load_id_t){ held.at.size, DISK_DEV, held.at.ino, held.at.ctime };
    if (offset >= held.at.size) {
        return 0;
    }
    r = disk_ino_call(KEEL_FS_READ, ofiles[held.of].ino, offset, length, NULL);
    if (r > 0) {
        memcpy(buf, disk_data(), (size_t)r < length ? (size_t)r : length);
    }
    return r;
}

static long load_from_tree(const proc_t *p, const char *path, uint64_t offset, void *buf,
                           size_t length, load_id_t *id)
{
    uint16_t n;
    long r = tree_lookup(p->cwd, path, &n);
    if (r < 0) {
        return r;
    }
    uint64_t mode, nlink;
    node_status(n, &(status_t){ &mode, &id->size, &id->ino, &id->dev, &nlink });
    if ((r = executable(mode)) < 0) {
        return r;
    }
    id->ctime = nodes[n].rodata != NULL ? 0 : -1; /* the archive's never change */
    return tree_read(&nodes[n], offset, buf, length);
}

long proto_vfs_proc_load(void *ctx, seL4_Word badge, int64_t pid, const char *path, uint64_t offset,
                         void *buf, size_t buf_length, uint64_t *size, uint64_t *dev, uint64_t *ino,
                         int64_t *ctime)
{
    (void)ctx, (void)badge;
    const proc_t *p = pid == 0 ? &root_process : proc_find((seL4_Word)pid);
    if (p == NULL) {
        return -ESRCH;
    }
    load_id_t id = { 0, 0, 0, -1 };
    char abs[VFS_PATH_MAX];
    long r = route(p, &path, abs);
    if (r >= 0) {
        r = r == ROUTE_DISK ? load_from_disk(abs, offset, buf, buf_length, &id)
                            : load_from_tree(p, path, offset, buf, buf_length, &id);
    }
    *size = id.size;
    *dev = id.dev;
    *ino = id.ino;
    *ctime = id.ctime;
    return r;
}
