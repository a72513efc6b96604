/* Record locks (proto/vfs.proto "lock"; docs/posix.md "Record locks"):
 * fcntl's POSIX locks, kept by vfs for every process, so that two
 * processes (two sqlite3 on one database) see each other's. A lock is a
 * byte range of one file held by one process; a process's own locks
 * never conflict with each other (a new one replaces them where it
 * overlaps). Nothing waits here: F_SETLKW is libos's retry. */
#include "vfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define LOCK_MAX 64
#define NO_END UINT64_MAX

/* The file a lock is on: a disk inode or a node of the tree. */
typedef struct lock_key {
    bool disk;
    uint32_t id;
} lock_key_t;

typedef struct lock {
    bool used;
    lock_key_t key;
    int64_t pid;
    uint64_t type;       /* VFS_LOCK_RDLCK or VFS_LOCK_WRLCK */
    uint64_t start, end; /* [start, end); NO_END: without end */
} lock_t;

static lock_t locks[LOCK_MAX];

static bool key_of(const ofile_t *o, lock_key_t *key)
{
    if (o->kind == OF_DISK && !o->dir) {
        *key = (lock_key_t){ .disk = true, .id = o->ino };
        return true;
    }
    if (o->kind == OF_NODE && nodes[o->index].type == NODE_REG) {
        *key = (lock_key_t){ .disk = false, .id = o->index };
        return true;
    }
    return false;
}

static bool same_file(const lock_t *l, lock_key_t key)
{
    return l->used && l->key.disk == key.disk && l->key.id == key.id;
}

static bool overlaps(const lock_t *l, uint64_t start, uint64_t end)
{
    return l->start < end && start < l->end;
}

/* The first lock of another process that a lock of `type` on [start,
 * end) would meet, or NULL. */
static const lock_t *conflict(lock_key_t key, int64_t pid, uint64_t type, uint64_t start,
                              uint64_t end)
{
    for (int i = 0; i < LOCK_MAX; i++) {
        const lock_t *l = &locks[i];
        if (same_file(l, key) && l->pid != pid && overlaps(l, start, end) &&
            (type == VFS_LOCK_WRLCK || l->type == VFS_LOCK_WRLCK)) {
            return l;
        }
    }
    return NULL;
}

static int free_entries(void)
{
    int n = 0;
    for (int i = 0; i < LOCK_MAX; i++) {
        n += !locks[i].used;
    }
    return n;
}

static lock_t *new_entry(void)
{
    for (int i = 0; i < LOCK_MAX; i++) {
        if (!locks[i].used) {
            return &locks[i];
        }
    }
    return NULL; /* the caller counted free entries first */
}

/* Take [start, end) out of pid's locks on the file: a lock inside it goes,
 * one across an edge is cut, one around it is split in two (the one new
 * entry the caller made sure of). */
static void cut_out(lock_key_t key, int64_t pid, uint64_t start, uint64_t end)
{
    for (int i = 0; i < LOCK_MAX; i++) {
        lock_t *l = &locks[i];
        if (!same_file(l, key) || l->pid != pid || !overlaps(l, start, end)) {
            continue;
        }
        if (l->start < start && l->end > end) {
            lock_t *right = new_entry();
            *right = *l;
            right->start = end;
            l->end = start;
        } else if (l->start < start) {
            l->end = start;
        } else if (l->end > end) {
            l->start = end;
        } else {
            l->used = false;
        }
    }
}

void locks_release(int64_t pid, const ofile_t *o)
{
    lock_key_t key;
    if (key_of(o, &key)) {
        cut_out(key, pid, 0, NO_END);
    }
}

long proto_vfs_lock(void *ctx, seL4_Word badge, int64_t fd, uint64_t cmd, uint64_t type,
                    int64_t start, int64_t length, uint64_t *found_type, int64_t *found_start,
                    int64_t *found_length, int64_t *found_pid)
{
    (void)ctx;
    proc_t *p;
    ofile_t *o;
    lock_key_t key;
    long r = lookup_fd(badge, fd, &p, &o);
    if (r < 0) {
        return r;
    }
    if (!key_of(o, &key)) {
        return -EINVAL;
    }
    uint64_t begin = (uint64_t)start;
    uint64_t end =
        length == 0 || (uint64_t)length > NO_END - begin ? NO_END : begin + (uint64_t)length;
    if (cmd == VFS_LOCK_GET) {
        const lock_t *l = type == VFS_LOCK_UNLCK ? NULL : conflict(key, p->pid, type, begin, end);
        *found_type = l != NULL ? l->type : VFS_LOCK_UNLCK;
        *found_start = l != NULL ? (int64_t)l->start : start;
        *found_length = l == NULL ? length : l->end == NO_END ? 0 : (int64_t)(l->end - l->start);
        *found_pid = l != NULL ? l->pid : 0;
        return 0;
    }
    uint64_t access = o->flags & 3;
    if ((type == VFS_LOCK_RDLCK && access == VFS_O_WRONLY) ||
        (type == VFS_LOCK_WRLCK && access == VFS_O_RDONLY)) {
        return -EBADF;
    }
    if (type != VFS_LOCK_UNLCK && conflict(key, p->pid, type, begin, end) != NULL) {
        return -EAGAIN;
    }
    if (free_entries() < 1 + (type != VFS_LOCK_UNLCK)) { /* a split, the new lock */
        return -ENOLCK;
    }
    cut_out(key, p->pid, begin, end);
    if (type != VFS_LOCK_UNLCK) {
        *new_entry() = (lock_t){
            .used = true, .key = key, .pid = p->pid, .type = type, .start = begin, .end = end
        };
    }
    *found_type = type;
    *found_start = start;
    *found_length = length;
    *found_pid = p->pid;
    return 0;
}
