/* Reading a program file through vfs (proc_load): pm builds a process from
 * a file wherever vfs keeps it -- on the disk, or in the boot archive on a
 * system without one -- reading it a part at a time into the load area
 * after the windows in the pool pm and vfs share.
 *
 * pm keeps a copy of each program it read (its bytes up to the end of its
 * last segment) in a large page of its own, as a page cache would: the
 * next spawn of the program asks vfs only who the file is now (a read of
 * no bytes) and builds from the copy if the file is the same -- device,
 * inode, size and change time. A change time has whole seconds, so a
 * program changed within the second pm reads it could change again
 * unseen: pm keeps no copy of a file changed less than two seconds ago
 * (by its own clock, the one vfs stamps files with). When the page is
 * full the copies are dropped all at once. A program too big for the
 * page is read part by part while it is built, as the builder asks: a
 * part of PM_LOAD_PART bytes serves many of its pages. */
#include "pm.h"
#include <errno.h>
#include <keel/printf.h>
#include <keel/proto/vfs.h>
#include <keel/string.h>

#define PAGE_MASK ((uint64_t)(1u << seL4_PageBits) - 1)
#define COPIES_MAX 32
#define FRESH_SECONDS 2 /* a change this recent may hide the next one */

typedef struct file_id {
    uint64_t size, dev, ino;
    int64_t ctime; /* -1: may change unseen (vfs's tree) */
} file_id_t;

typedef struct program_copy {
    file_id_t id;
    uint64_t at, length; /* in the page */
} program_copy_t;

static struct {
    unsigned char *base; /* NULL: no page */
    uint64_t used;
    unsigned count;
    program_copy_t copy[COPIES_MAX];
} copies;

void pm_programs_init(seL4_CPtr untyped, seL4_CPtr slot)
{
    seL4_Error err =
        seL4_Untyped_Retype(untyped, seL4_ARM_LargePageObject, 0, KEEL_SLOT_CNODE, 0, 0, slot, 1);
    if (err == seL4_NoError) {
        err = kb_host_map(&pm_host, slot, PM_PROGRAMS_VADDR);
    }
    if (err != seL4_NoError) {
        printf("pm: no memory for copies of programs (error %d): each is read whole\n", (int)err);
        return;
    }
    copies.base = (unsigned char *)PM_PROGRAMS_VADDR;
}

static const unsigned char *load_area(void)
{
    return pm.pool + PM_LOAD_AT;
}

/* proc_load: `length` bytes (0: only who the file is) from `offset`. */
static long load(pm_program_t *f, uint64_t offset, uint64_t length, file_id_t *id)
{
    return vfs_proc_load(pm.vfs, f->parent, PM_LOAD_PATH_AT, f->path_length, offset, PM_LOAD_AT,
                         length, &id->size, &id->dev, &id->ino, &id->ctime);
}

/* The part of the file from `offset` (a page boundary) into the load area. */
static bool read_part(pm_program_t *f, uint64_t offset)
{
    file_id_t id;
    long r = load(f, offset, PM_LOAD_PART, &id);
    if (r < 0) {
        f->error = r;
        return false;
    }
    if (offset != 0 && id.size != f->size) {
        f->error = -EIO; /* the file changed under the build */
        return false;
    }
    f->size = id.size;
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

static bool same_file(const file_id_t *a, const file_id_t *b)
{
    return a->size == b->size && a->dev == b->dev && a->ino == b->ino && a->ctime == b->ctime;
}

static const program_copy_t *find_copy(const file_id_t *id)
{
    for (unsigned i = 0; i < copies.count; i++) {
        if (same_file(&copies.copy[i].id, id)) {
            return &copies.copy[i];
        }
    }
    return NULL;
}

/* Room for a copy of `length` bytes (the old copies go if the page is
 * full), or NULL: none kept for this file. */
static program_copy_t *new_copy(const file_id_t *id, uint64_t length)
{
    int64_t now = pm_now_seconds();
    if (copies.base == NULL || length > ((uint64_t)1 << PM_PROGRAMS_BITS) || id->ctime < 0 ||
        now == 0 || id->ctime > now - FRESH_SECONDS) {
        return NULL;
    }
    if (copies.count == COPIES_MAX || length > ((uint64_t)1 << PM_PROGRAMS_BITS) - copies.used) {
        copies.count = 0;
        copies.used = 0;
    }
    program_copy_t *c = &copies.copy[copies.count];
    *c = (program_copy_t){ .id = *id, .at = copies.used, .length = length };
    return c;
}

/* Where the file's bytes end: the end of its last segment. */
static uint64_t extent(const kb_elf_t *elf)
{
    uint64_t end = 0;
    for (uint32_t i = 0; i < elf->nsegments; i++) {
        const kb_segment_t *s = &elf->segment[i];
        end = s->offset + s->filesz > end ? s->offset + s->filesz : end;
    }
    return end;
}

/* Read [0, c->length) of the file into the copy, the first part already
 * in the load area; then keep it. */
static long fill_copy(pm_program_t *f, program_copy_t *c)
{
    unsigned char *to = copies.base + c->at;
    for (uint64_t at = 0; at < c->length; at += f->have) {
        if (at > 0 && !read_part(f, at)) {
            return f->error;
        }
        if (f->have == 0) {
            return -EIO; /* shorter than its segments: it changed */
        }
        uint64_t n = c->length - at < f->have ? c->length - at : f->have;
        memcpy(to + at, load_area(), n);
    }
    copies.used += (c->length + 15) & ~(uint64_t)15;
    copies.count++;
    f->reader = kb_memory_reader(to);
    return 0;
}

/* The path into the load area for vfs; 0 or -ENOENT. */
static long set_path(pm_program_t *f, int64_t parent, const char *path)
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
    return 0;
}

/* vfs lets pm read only files with an execute bit, but its -EACCES for
 * another says the file is there all the same (the boot script, read by
 * the shell, needs none). */
long pm_file_exists(const char *path)
{
    pm_program_t f;
    file_id_t id;
    long r = set_path(&f, 0, path);
    if (r == 0) {
        r = load(&f, 0, 0, &id);
    }
    return r == -EACCES ? 0 : r;
}

long pm_program_open(pm_program_t *f, int64_t parent, const char *path, kb_elf_t *elf)
{
    long r = set_path(f, parent, path);
    if (r < 0) {
        return r;
    }
    file_id_t id;
    r = load(f, 0, 0, &id);
    if (r < 0) {
        return r;
    }
    const program_copy_t *kept = find_copy(&id);
    if (kept != NULL &&
        kb_elf_check_start(copies.base + kept->at, kept->length, id.size, elf) == NULL) {
        f->size = id.size;
        f->reader = kb_memory_reader(copies.base + kept->at);
        return 0;
    }
    if (!read_part(f, 0)) {
        return f->error;
    }
    if (kb_elf_check_start(load_area(), f->have, f->size, elf) != NULL) {
        return -ENOEXEC;
    }
    program_copy_t *c = new_copy(&id, extent(elf));
    if (c != NULL && id.size == f->size) {
        return fill_copy(f, c);
    }
    f->reader = (kb_reader_t){ .bytes = program_bytes, .ctx = f };
    return 0;
}
