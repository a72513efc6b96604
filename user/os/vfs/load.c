/* pm's reads of program files (proc_load): pm builds a process from a
 * file it reads here in parts, wherever the file is -- on the disk, or in
 * the tree's /bin (the boot archive) on a system without one. The path is
 * resolved as the spawning process would resolve it; the file must be a
 * regular file with an execute bit, as execve asks. */
#include "vfs.h"

#include <errno.h>
#include <string.h>

#define S_IFMT_BITS 0170000u
#define S_IFREG_BITS 0100000u

/* Resolution of a path pm names for the boot's first program: the root. */
static const proc_t root_process = { .cwd = ROOT_NODE, .cwd_path = "/" };

static long executable(uint64_t mode)
{
    return (mode & S_IFMT_BITS) == S_IFREG_BITS && (mode & 0111) != 0 ? 0 : -EACCES;
}

/* The disk file pm is reading: held open from the read of its start
 * (offset 0) until pm starts reading another -- a process's build asks for
 * a few parts of one file in a row, and one open serves them all (a
 * restarted server has it opened again with vfs's other files). */
static struct {
    long of;       /* its open file, -1 none */
    uint64_t size; /* when it was opened */
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
    held.of = ofile_alloc(OF_DISK, 0, VFS_O_RDONLY);
    ofiles[held.of].refs = 1;
    ofiles[held.of].ino = (uint32_t)attr.ino;
    held.size = attr.size;
    strcpy(held.path, abs);
    return executable(attr.mode);
}

static long load_from_disk(const char *abs, uint64_t offset, void *buf, size_t length,
                           uint64_t *size)
{
    long r = 0;
    if (offset == 0 || held.of < 0 || strcmp(held.path, abs) != 0) {
        r = open_held(abs);
    }
    if (r < 0) {
        drop_held();
        return r;
    }
    *size = held.size;
    if (length == 0 || offset >= held.size) {
        return 0;
    }
    r = disk_ino_call(KEEL_FS_READ, ofiles[held.of].ino, offset, length, NULL);
    if (r > 0) {
        memcpy(buf, disk_data(), (size_t)r < length ? (size_t)r : length);
    }
    return r;
}

static long load_from_tree(const proc_t *p, const char *path, uint64_t offset, void *buf,
                           size_t length, uint64_t *size)
{
    uint16_t n;
    long r = tree_lookup(p->cwd, path, &n);
    if (r < 0) {
        return r;
    }
    uint64_t mode, ino, dev, nlink;
    node_status(n, &(status_t){ &mode, size, &ino, &dev, &nlink });
    if ((r = executable(mode)) < 0) {
        return r;
    }
    return tree_read(&nodes[n], offset, buf, length);
}

long proto_vfs_proc_load(void *ctx, seL4_Word badge, int64_t pid, const char *path, uint64_t offset,
                         void *buf, size_t buf_length, uint64_t *size)
{
    (void)ctx, (void)badge;
    const proc_t *p = pid == 0 ? &root_process : proc_find((seL4_Word)pid);
    if (p == NULL) {
        return -ESRCH;
    }
    *size = 0;
    char abs[VFS_PATH_MAX];
    long to = route(p, &path, abs);
    if (to < 0) {
        return to;
    }
    return to == ROUTE_DISK ? load_from_disk(abs, offset, buf, buf_length, size)
                            : load_from_tree(p, path, offset, buf, buf_length, size);
}
