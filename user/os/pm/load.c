/* Reading a program file through vfs (proc_load): pm builds a process from
 * a file wherever vfs keeps it -- on the disk, or in the boot archive on a
 * system without one -- reading it a part at a time into the load area
 * after the windows in the pool pm and vfs share. The builder asks for the
 * ELF's segments in file order, a page at a time; a part of PM_LOAD_PART
 * bytes serves many of its pages, so a program of 60 KiB of segments
 * costs vfs two or three requests. */
#include "pm.h"
#include <errno.h>
#include <keel/proto/vfs.h>
#include <keel/string.h>

#define PAGE_MASK ((uint64_t)(1u << seL4_PageBits) - 1)

static const unsigned char *load_area(void)
{
    return pm.pool + PM_LOAD_AT;
}

/* The part of the file from `offset` (a page boundary) into the load area. */
static bool read_part(pm_program_t *f, uint64_t offset)
{
    uint64_t size = 0;
    long r = vfs_proc_load(pm.vfs, f->parent, PM_LOAD_PATH_AT, f->path_length, offset, PM_LOAD_AT,
                           PM_LOAD_PART, &size);
    if (r < 0) {
        f->error = r;
        return false;
    }
    if (offset != 0 && size != f->size) {
        f->error = -EIO; /* the file changed under the build */
        return false;
    }
    f->size = size;
    f->at = offset;
    f->have = (uint64_t)r;
    return true;
}

static const void *program_bytes(void *ctx, uint64_t offset, uint64_t len)
{
    pm_program_t *f = ctx;
    if (offset < f->at || offset + len > f->at + f->have) {
        if (!read_part(f, offset & ~PAGE_MASK)) {
            return NULL;
        }
        if (offset + len > f->at + f->have) {
            f->error = -EIO; /* shorter than when it was checked */
            return NULL;
        }
    }
    return load_area() + (offset - f->at);
}

long pm_program_open(pm_program_t *f, int64_t parent, const char *path, kb_elf_t *elf)
{
    if (pm.vfs == 0) {
        return -ENOENT;
    }
    size_t length = strlen(path); /* at most VFS_PATH_MAX: pm.proto's limit is the same */
    if (length == 0 || length > VFS_PATH_MAX) {
        return -ENOENT;
    }
    memcpy(pm.pool + PM_LOAD_PATH_AT, path, length);
    *f = (pm_program_t){ .parent = parent, .path_length = length };
    if (!read_part(f, 0)) {
        return f->error;
    }
    if (kb_elf_check_start(load_area(), f->have, f->size, elf) != NULL) {
        return -ENOEXEC;
    }
    f->reader = (kb_reader_t){ .bytes = program_bytes, .ctx = f };
    return 0;
}
