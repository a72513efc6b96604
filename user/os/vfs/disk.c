/* The disk under vfs (docs/storage.md "vfs and the ext2 server"): when the
 * system description gives vfs a file-system channel "fs", the ext2 server
 * behind it holds "/", and vfs's own tree keeps /dev, /run (files in
 * memory, for what processes share and need not keep, as Linux's /run)
 * and, only if vfs has a files grant "bin" (a boot archive's programs),
 * /bin; else /bin is the disk's. Every path is made absolute from the
 * caller's directory (a path string, cwd_path) and lexically clean
 * ("." and ".." taken out, as Plan 9 does: ".." is the directory the path
 * named before it; path.c), then goes to the tree or to the disk by its first
 * component.
 *
 * vfs asks the server one request at a time and waits for the answer
 * (MINIX's VFS before its worker threads did the same): the server
 * answers from its cache or after its disk requests, a few milliseconds.
 * While it waits vfs answers rs's heartbeat and keeps every other bit of
 * its notification for its loop. A restarted server is caught up: every
 * inode vfs holds open is opened again, then the request in hand is asked
 * again. */
#include "path.h"
#include "vfs.h"

#include <errno.h>
#include <keel/os/channel.h>
#include <keel/os/heartbeat.h>
#include <keel/os/timer.h>
#include <stdio.h>
#include <string.h>

static struct {
    keel_channel_end_t end;
    unsigned char *region;
    seL4_CPtr own;
    uint32_t epoch;    /* of the server instance vfs has caught up with */
    uint64_t cookie;   /* of the request in hand */
    seL4_Word stashed; /* notification bits seen while waiting */
    uint32_t restarts;
    bool repeated;    /* the request in hand was asked again of a new instance */
    bool clock_known; /* pm's clock method: the time at a counter value */
    int64_t clock_seconds;
    uint64_t clock_counter;
} disk;

long proto_vfs_unmount(void *ctx, seL4_Word badge)
{
    (void)ctx, (void)badge;
    return disk_mounted() ? disk_path_call(KEEL_FS_UNMOUNT, "/", NULL, 0, 0, NULL) : 0;
}

long proto_vfs_clock(void *ctx, seL4_Word badge, int64_t seconds, uint64_t counter)
{
    (void)ctx, (void)badge;
    disk.clock_seconds = seconds;
    disk.clock_counter = counter;
    disk.clock_known = true;
    return 0;
}

/* Seconds since 1970; 0 until pm has said (a few milliseconds into the
 * boot), which the server takes as "no time yet". */
static int64_t now(void)
{
    if (!disk.clock_known) {
        return 0;
    }
    uint64_t elapsed = (keel_counter() - disk.clock_counter) / keel_counter_frequency();
    return disk.clock_seconds + (int64_t)elapsed;
}

bool disk_mounted(void)
{
    return disk.end.rings != NULL;
}

void disk_init(const keel_startinfo_t *si)
{
    keel_channel_end_t end = keel_channel_end(si, "fs");
    const keel_startcap_t *region = keel_startinfo_find(si, "fs");
    const keel_startcap_t *own = keel_startinfo_find(si, "notify");
    if (end.rings == NULL || own == NULL || region->size < KEEL_FS_REGION_SIZE) {
        return;
    }
    disk.end = end;
    disk.region = (unsigned char *)end.rings;
    fcache_init();
    disk.own = own->cptr;
    tree_new(ROOT_NODE, "run", NODE_DIR, 01777); /* stays in memory: disk_route */
}

seL4_Word disk_take_stashed(void)
{
    seL4_Word bits = disk.stashed;
    disk.stashed = 0;
    return bits;
}

/* --- paths ---------------------------------------------------------------- */

long disk_route(const proc_t *p, const char *path, char *out)
{
    long r = path_clean(p->cwd_path, path, out);
    if (r < 0) {
        return r;
    }
    size_t first = strcspn(out + 1, "/");
    bool tree = first == 3 && (memcmp(out + 1, "dev", 3) == 0 || memcmp(out + 1, "run", 3) == 0 ||
                               (memcmp(out + 1, "bin", 3) == 0 && tree_holds_bin()));
    return tree ? ROUTE_TREE : ROUTE_DISK;
}

/* --- the channel ---------------------------------------------------------- */

/* Open every inode vfs holds again in a new server instance. */
static void reopen_all(void);

/* Until the server signals, or rs's heartbeat comes (answered): true if
 * the server signalled. The caller looks at the channel again either way,
 * so that a new instance whose signal never reached vfs is found within a
 * heartbeat (it happened, rarely, under load: docs/storage.md). */
static bool wait_for_server(void)
{
    for (;;) {
        seL4_Word raw;
        seL4_Wait(disk.own, &raw);
        seL4_Word bits = keel_heartbeat_answer(keel_startinfo(), raw) & ~KEEL_BADGE_NOTIFY;
        disk.stashed |= bits & ~disk.end.bit;
        if (bits & disk.end.bit) {
            return true;
        }
        if (raw & KEEL_BADGE_HEARTBEAT) {
            return false;
        }
    }
}

/* The request in the region is asked (again). */
static void put_request(void)
{
    keel_channel_drop_requests(disk.end.rings);
    keel_ring_put(&disk.end.rings->request, (keel_ring_entry_t){ .cookie = disk.cookie });
    seL4_Signal(disk.end.signal);
}

/* Take completions until this request's; false if the server restarted
 * meanwhile (it is asked again). */
static bool answered(void)
{
    keel_ring_entry_t done;
    while (keel_ring_get(&disk.end.rings->completion, &done)) {
        if (done.cookie == disk.cookie) {
            return true;
        }
    }
    return false;
}

static void absent_forget(void);

/* A new server instance: take what the old one left, let the new one
 * start, open again what vfs holds, then ask the request in hand again. */
static void catch_up(keel_fs_request_t *saved, char *paths)
{
    keel_ring_entry_t stale;
    while (keel_ring_get(&disk.end.rings->completion, &stale)) {
    }
    keel_channel_drop_requests(disk.end.rings);
    disk.restarts += disk.epoch != 0;
    disk.epoch = keel_channel_accept(disk.end.rings);
    absent_forget(); /* (nothing it did can make a name appear; to be sure) */
    seL4_Signal(disk.end.signal);
    reopen_all();
    memcpy(disk.region + KEEL_FS_REQUEST_AT, saved, sizeof(*saved));
    memcpy(disk.region + KEEL_FS_PATH_AT, paths, 2 * KEEL_FS_PATH_MAX);
}

/* The round trip: the request (and its paths) are in the region; the reply
 * is copied out to *reply. -EIO if the server is down for good. */
static long call(keel_fs_reply_t *reply)
{
    static keel_fs_request_t saved;
    static char paths[2 * KEEL_FS_PATH_MAX];
    memcpy(&saved, disk.region + KEEL_FS_REQUEST_AT, sizeof(saved));
    memcpy(paths, disk.region + KEEL_FS_PATH_AT, sizeof(paths));
    disk.cookie++;
    disk.repeated = false;
    bool asked = false, signalled = true;
    for (;;) {
        if (keel_channel_down(disk.end.rings)) {
            return -EIO;
        }
        if (keel_channel_restarted(disk.end.rings, disk.epoch)) {
            if (!signalled) {
                printf("vfs: a new file-system server found at a heartbeat, not by its signal\n");
            }
            catch_up(&saved, paths);
            disk.repeated |= asked; /* the old instance may have done it */
            asked = false;
        }
        if (!asked && keel_channel_ready(disk.end.rings, disk.epoch)) {
            put_request();
            asked = true;
        }
        if (asked && answered()) {
            break;
        }
        signalled = wait_for_server();
    }
    memcpy(reply, disk.region + KEEL_FS_REPLY_AT, sizeof(*reply));
    return reply->result < 0 && reply->result >= -4095 ? reply->result
           : reply->result < 0                         ? -EIO
                                                       : reply->result;
}

static keel_fs_request_t *request(uint32_t op)
{
    keel_fs_request_t *q = (keel_fs_request_t *)(disk.region + KEEL_FS_REQUEST_AT);
    memset(q, 0, sizeof(*q));
    q->op = op;
    q->now = now();
    return q;
}

static void set_path(uint32_t at, const char *path)
{
    size_t len = strlen(path);
    memcpy(disk.region + at, path, len + 1); /* disk_route made it shorter than VFS_PATH_MAX */
}

static long path_call(uint32_t op, const char *path, const char *path2, uint32_t flags,
                      uint64_t mode, keel_fs_attr_t *attr);

/* A change of a name that reached the disk before the server crashed is
 * refused when vfs asks the new instance again: the name it removed is
 * gone (ENOENT), the name it made is there (EEXIST). What the name was
 * before the first asking tells a change done from one refused: vfs
 * looks first (no other request runs in between), and a repeat's refusal
 * of a change that was possible is its success. */
enum name_before { NAME_UNKNOWN, NAME_WAS_THERE, NAME_WAS_ABSENT };

static enum name_before look_before(uint32_t op, const char *path, const char *path2,
                                    uint32_t flags)
{
    const char *name = op == KEEL_FS_LINK || op == KEEL_FS_SYMLINK ? path2 : path;
    bool removes = op == KEEL_FS_UNLINK || op == KEEL_FS_RMDIR || op == KEEL_FS_RENAME;
    bool makes =
        op == KEEL_FS_MKDIR || op == KEEL_FS_LINK || op == KEEL_FS_SYMLINK ||
        (op == KEEL_FS_OPEN && (flags & (VFS_O_CREAT | VFS_O_EXCL)) == (VFS_O_CREAT | VFS_O_EXCL));
    if (!removes && !makes) {
        return NAME_UNKNOWN;
    }
    keel_fs_attr_t attr;
    long r = path_call(KEEL_FS_LOOKUP, name, NULL, KEEL_FS_NOFOLLOW, 0, &attr);
    return r == 0 ? NAME_WAS_THERE : r == -ENOENT ? NAME_WAS_ABSENT : NAME_UNKNOWN;
}

/* Names known to be absent. SQLite asks whether a journal is there before
 * every transaction, reading ones too (speedtest1: 28,000 lookups that
 * find nothing), and each was a round trip to the server and a walk of a
 * directory. vfs is the server's only client, so every change that could
 * make a name appear passes through here: the last ABSENT_MAX lookups
 * that found nothing are kept, and all are forgotten at any path call
 * that could make a name (all but a lookup, a readlink and an open
 * without O_CREAT) and when the server is caught up after a restart. */
#define ABSENT_MAX 8

static struct {
    uint32_t flags; /* the lookup's: KEEL_FS_NOFOLLOW or not */
    uint32_t length;
    char path[KEEL_FS_PATH_MAX];
} absent[ABSENT_MAX];
static unsigned absent_count, absent_next;

static bool absent_known(const char *path, uint32_t flags)
{
    size_t length = strlen(path);
    for (unsigned i = 0; i < absent_count; i++) {
        if (absent[i].flags == flags && absent[i].length == length &&
            memcmp(absent[i].path, path, length) == 0) {
            return true;
        }
    }
    return false;
}

static void absent_remember(const char *path, uint32_t flags)
{
    size_t length = strlen(path);
    if (length >= KEEL_FS_PATH_MAX) {
        return;
    }
    unsigned i = absent_next;
    absent_next = (absent_next + 1) % ABSENT_MAX;
    absent_count += absent_count < ABSENT_MAX;
    absent[i].flags = flags;
    absent[i].length = (uint32_t)length;
    memcpy(absent[i].path, path, length);
}

static void absent_forget(void)
{
    absent_count = 0;
    absent_next = 0;
}

static bool keeps_names(uint32_t op, uint32_t flags)
{
    return op == KEEL_FS_LOOKUP || op == KEEL_FS_READLINK ||
           (op == KEEL_FS_OPEN && (flags & VFS_O_CREAT) == 0);
}

long disk_path_call(uint32_t op, const char *path, const char *path2, uint32_t flags, uint64_t mode,
                    keel_fs_attr_t *attr)
{
    if (op == KEEL_FS_LOOKUP && absent_known(path, flags)) {
        return -ENOENT;
    }
    if (!keeps_names(op, flags)) {
        absent_forget();
    }
    enum name_before before = look_before(op, path, path2, flags);
    long r = path_call(op, path, path2, flags, mode, attr);
    if (op == KEEL_FS_LOOKUP && r == -ENOENT) {
        absent_remember(path, flags);
    }
    if (!disk.repeated) {
        return r;
    }
    if (r == -ENOENT && before == NAME_WAS_THERE) {
        printf("vfs: a removal done before the server's crash, answered as done\n");
        return 0;
    }
    if (r == -EEXIST && before == NAME_WAS_ABSENT) {
        printf("vfs: a creation done before the server's crash, answered as done\n");
        /* an exclusive create: the file it made, opened */
        return op == KEEL_FS_OPEN
                   ? path_call(op, path, path2, flags & ~(uint32_t)VFS_O_EXCL, mode, attr)
                   : 0;
    }
    return r;
}

static long path_call(uint32_t op, const char *path, const char *path2, uint32_t flags,
                      uint64_t mode, keel_fs_attr_t *attr)
{
    keel_fs_request_t *q = request(op);
    q->flags = flags;
    q->mode = mode;
    set_path(KEEL_FS_PATH_AT, path);
    set_path(KEEL_FS_PATH2_AT, path2 != NULL ? path2 : "");
    keel_fs_reply_t reply;
    long r = call(&reply);
    if (attr != NULL) {
        *attr = reply.attr;
    }
    return r;
}

long disk_ino_call(uint32_t op, uint64_t ino, uint64_t offset, uint64_t length,
                   keel_fs_attr_t *attr)
{
    keel_fs_request_t *q = request(op);
    q->ino = ino;
    q->offset = offset;
    q->length = length;
    keel_fs_reply_t reply;
    long r = call(&reply);
    if (attr != NULL) {
        *attr = reply.attr;
    }
    return r;
}

long disk_setattr(const char *path, uint32_t flags, const keel_fs_request_t *values)
{
    keel_fs_request_t *q = request(KEEL_FS_SETATTR);
    q->flags = flags;
    q->mode = values->mode;
    q->atime = values->atime;
    q->mtime = values->mtime;
    set_path(KEEL_FS_PATH_AT, path);
    keel_fs_reply_t reply;
    return call(&reply);
}

long disk_statfs(const char *path, keel_fs_statfs_t *out)
{
    request(KEEL_FS_STATFS);
    set_path(KEEL_FS_PATH_AT, path);
    keel_fs_reply_t reply;
    long r = call(&reply);
    *out = reply.statfs;
    return r;
}

unsigned char *disk_data(void)
{
    return disk.region + KEEL_FS_DATA_AT;
}

static void reopen_all(void)
{
    keel_fs_reply_t reply;
    for (int i = 0; i < OFILE_MAX; i++) {
        if (ofiles[i].kind != OF_DISK) {
            continue;
        }
        keel_fs_request_t *q = request(KEEL_FS_REOPEN);
        q->ino = ofiles[i].ino;
        keel_ring_put(&disk.end.rings->request, (keel_ring_entry_t){ .cookie = ++disk.cookie });
        seL4_Signal(disk.end.signal);
        while (!answered()) {
            (void)wait_for_server(); /* a restart meanwhile: the next catch-up does it again */
            if (keel_channel_restarted(disk.end.rings, disk.epoch) ||
                keel_channel_down(disk.end.rings)) {
                return;
            }
        }
        memcpy(&reply, disk.region + KEEL_FS_REPLY_AT, sizeof(reply));
    }
}
