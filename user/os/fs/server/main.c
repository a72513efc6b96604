/* The ext2 server (docs/storage.md "The ext2 server"): the ext2 library
 * (user/os/fs/ext2) over the disk of the virtio-blk driver (a block
 * channel, keel/os/blkclient.h), serving vfs through a file-system channel
 * (keel/os/fs.h), one request at a time. Grants (system/keel.system):
 * "disk" (the block channel), "vfs" (the file-system channel), "notify",
 * and "rs" with the argument `--driver NAME`: the driver's component,
 * which rs restarts when a wait of the server sees nothing complete for
 * STALL_MS (keel_blk_supervise).
 *
 * Every operation that changes the file system is written to the disk
 * before it is answered (EXT2_MOUNT_SYNC_META: its data, then its
 * metadata, then a flush), so a crash of this server loses nothing vfs was
 * told is done; file data written earlier also reaches the disk by then. */
#include "server.h"

#include <errno.h>
#include <keel/os/heartbeat.h>
#include <keel/os/start.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

server_t srv;
fs_state_t fs_state;

/* A disk request takes milliseconds; a flush on a busy host can take
 * seconds. A wrong restart costs only the requests asked again. */
#define STALL_MS 10000u

/* The block cache: 4 MiB of blocks. */
static unsigned char cache[4u << 20] __attribute__((aligned(64)));

static const keel_startinfo_t *startinfo(void)
{
    return (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
}

/* --- the disk under the library ------------------------------------------
 *
 * Reads go to the driver at once, through the first part of the block
 * channel's data region. Writes and flushes are kept, their data in the
 * rest of the region, until the operation in hand is over (or a read of
 * a sector they write comes, or the room is full); then all of them go
 * into the ring and the driver sees them with one store
 * (keel_blk_publish). A crash of this server therefore leaves an
 * operation's writes either all with the driver -- which does them,
 * whoever asked -- or none: with the library's commit order and the
 * driver's flush barriers, the disk holds whole operations only. */

#define READ_ROOM (128u * 1024) /* the reads' part of the region */

typedef struct kept {
    uint32_t op;
    uint32_t length;
    uint64_t sector;
    uint64_t offset; /* of its data in the region */
} kept_t;

static struct {
    kept_t request[KEEL_RING_SLOTS - 1];
    unsigned count;
    uint64_t used; /* bytes of the writes' part the kept writes hold */
} batch;

static uint64_t write_room(void)
{
    return srv.disk.region_size - KEEL_BLK_DATA - READ_ROOM;
}

/* Every kept request to the driver at once, then wait for all: 0 or -EIO. */
static int batch_finish(void)
{
    int slot[KEEL_RING_SLOTS - 1];
    int r = 0;
    for (unsigned i = 0; i < batch.count; i++) {
        const kept_t *k = &batch.request[i];
        slot[i] = keel_blk_stage(&srv.disk, k->op, k->sector, k->offset, k->length);
    }
    keel_blk_publish(&srv.disk);
    for (unsigned i = 0; i < batch.count; i++) {
        if (slot[i] < 0 || keel_blk_wait(&srv.disk, slot[i]) < 0) {
            r = -EIO;
        }
    }
    batch.count = 0;
    batch.used = 0;
    return r;
}

/* Does kept request k write any of sectors [sector, sector + count)? */
static bool writes_into(const kept_t *k, uint64_t sector, uint64_t count)
{
    return k->op == KEEL_BLK_WRITE && k->sector < sector + count &&
           sector < k->sector + k->length / KEEL_BLK_SECTOR;
}

/* A kept write of sectors that overlap [sector, sector + n bytes) since
 * the last kept flush: the driver may do two such writes in either order
 * (virtio orders nothing but a flush), so they may not go in one batch. */
static kept_t *overlapping_write(uint64_t sector, uint32_t n)
{
    for (unsigned i = batch.count; i-- > 0 && batch.request[i].op != KEEL_BLK_FLUSH;) {
        if (writes_into(&batch.request[i], sector, n / KEEL_BLK_SECTOR)) {
            return &batch.request[i];
        }
    }
    return NULL;
}

static int keep(uint32_t op, uint64_t sector, const void *data, uint32_t n)
{
    kept_t *same = op == KEEL_BLK_WRITE ? overlapping_write(sector, n) : NULL;
    if (same != NULL && same->sector == sector && same->length == n) {
        memcpy(srv.disk.region + same->offset, data, n); /* the later data wins */
        return 0;
    }
    if (same != NULL || batch.count == KEEL_RING_SLOTS - 1 || batch.used + n > write_room()) {
        int r = batch_finish(); /* in pieces: too big, or overlapping writes */
        if (r < 0) {
            return r;
        }
    }
    uint64_t offset = KEEL_BLK_DATA + READ_ROOM + batch.used;
    if (n > 0) {
        memcpy(srv.disk.region + offset, data, n);
    }
    batch.request[batch.count++] = (kept_t){ op, n, sector, offset };
    batch.used += n;
    return 0;
}

/* Does a kept write cover any of sectors [sector, sector + count)? */
static bool kept_overlap(uint64_t sector, uint64_t count)
{
    for (unsigned i = 0; i < batch.count; i++) {
        if (writes_into(&batch.request[i], sector, count)) {
            return true;
        }
    }
    return false;
}

static int disk_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    (void)ctx;
    if (kept_overlap(sector, count) && batch_finish() < 0) {
        return -EIO;
    }
    unsigned char *out = buf;
    uint64_t bytes = (uint64_t)count * KEEL_BLK_SECTOR;
    uint32_t piece = srv.disk.largest < READ_ROOM ? srv.disk.largest : READ_ROOM;
    while (bytes > 0) {
        uint32_t n = bytes < piece ? (uint32_t)bytes : piece;
        if (keel_blk_io(&srv.disk, KEEL_BLK_READ, sector, KEEL_BLK_DATA, n) != (int)n) {
            return -EIO;
        }
        memcpy(out, srv.disk.region + KEEL_BLK_DATA, n);
        out += n;
        sector += n / KEEL_BLK_SECTOR;
        bytes -= n;
    }
    return 0;
}

static int disk_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    (void)ctx;
    const unsigned char *in = buf;
    uint64_t bytes = (uint64_t)count * KEEL_BLK_SECTOR;
    uint32_t piece = srv.disk.largest;
    while (bytes > 0) {
        uint32_t n = bytes < piece ? (uint32_t)bytes : piece;
        int r = keep(KEEL_BLK_WRITE, sector, in, n);
        if (r < 0) {
            return r;
        }
        in += n;
        sector += n / KEEL_BLK_SECTOR;
        bytes -= n;
    }
    return 0;
}

static int disk_flush(void *ctx)
{
    (void)ctx;
    return keep(KEEL_BLK_FLUSH, 0, NULL, 0);
}

static void disk_log(void *ctx, const char *message)
{
    (void)ctx;
    printf("ext2: %s\n", message);
}

/* --- the channel from vfs --------------------------------------------- */

/* Take vfs's requests while an answer fits; true if one was answered. */
static bool serve_vfs(void)
{
    keel_channel_t *chan = srv.vfs.rings;
    keel_ring_entry_t e;
    bool answered = false;
    while (keel_channel_ready(chan, srv.vfs_epoch) && !keel_ring_full(&chan->completion) &&
           keel_ring_peek(&chan->request, &e)) {
        keel_fs_reply_t reply;
        fs_serve(&reply);

        if (batch_finish() < 0) {
            reply.result = -EIO; /* the disk failed what the operation wrote */
        }
        memcpy(fs_state.region + KEEL_FS_REPLY_AT, &reply, sizeof(reply));
        keel_ring_advance(&chan->request);
        answered |= keel_ring_put(&chan->completion, (keel_ring_entry_t){ .cookie = e.cookie });
    }
    return answered;
}

static void loop(seL4_CPtr own)
{
    for (;;) {
        seL4_Word bits = srv.disk.other_bits;
        srv.disk.other_bits = 0;
        if ((bits & srv.vfs.bit) == 0) {
            seL4_Wait(own, &bits);
            bits = keel_heartbeat_answer(startinfo(), bits) & ~KEEL_BADGE_NOTIFY;
        }
        if (bits & srv.disk.end.bit) {
            keel_blk_poll(&srv.disk); /* a restart of the driver: catch up */
        }
        if (serve_vfs()) {
            seL4_Signal(srv.vfs.signal);
        }
    }
}

/* `--driver NAME`: rs restarts NAME when the disk completes nothing. */
static void supervise_driver(int argc, char **argv, const keel_startinfo_t *si)
{
    const keel_startcap_t *rs = keel_startinfo_find(si, "rs");
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--driver") == 0 && rs != NULL) {
            keel_blk_supervise(&srv.disk, rs->cptr, argv[i + 1], STALL_MS);
        }
    }
}

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    const keel_startinfo_t *si = startinfo();
    const keel_startcap_t *own = keel_startinfo_find(si, "notify");
    srv.vfs = keel_channel_end(si, "vfs");
    const keel_startcap_t *region = keel_startinfo_find(si, "vfs");
    if (own == NULL || srv.vfs.rings == NULL || region->size < KEEL_FS_REGION_SIZE) {
        printf("ext2: no channel 'vfs' of %u bytes, or no notification; stopping\n",
               KEEL_FS_REGION_SIZE);
        return 1;
    }
    fs_state.region = (unsigned char *)srv.vfs.rings;
    int r = keel_blk_open(&srv.disk, "disk");
    if (r < 0) {
        printf("ext2: the disk: %s; stopping\n", strerror(-r));
        return 1;
    }
    supervise_driver(argc, argv, si);
    ext2_blockdev_t dev = { .read = disk_read,
                            .write = disk_write,
                            .flush = disk_flush,
                            .log = disk_log,
                            .sectors = srv.disk.sectors };
    /* A restart (vfs's channel has seen an instance before): vfs still
     * holds the inodes on the orphan list open and releases them later. */
    unsigned restart = srv.vfs.rings->driver_epoch != 0 ? EXT2_MOUNT_KEEP_ORPHANS : 0;
    r = ext2_mount(&fs_state.fs, &dev, cache, sizeof(cache), EXT2_MOUNT_SYNC_META | restart);
    if (r >= 0 && batch_finish() < 0) {
        r = -EIO;
    }
    if (r < 0) {
        printf("ext2: cannot mount the disk: %s; stopping\n", strerror(-r));
        return 1;
    }
    ext2_statfs_t st;
    ext2_statfs(&fs_state.fs, &st);
    printf("ext2: mounted %llu MiB (%u-byte blocks), %llu MiB free%s; restarts of the disk: %u\n",
           (unsigned long long)(st.blocks * st.block_size >> 20), st.block_size,
           (unsigned long long)(st.blocks_free * st.block_size >> 20),
           r == EXT2_MOUNTED_READONLY ? ", read-only" : "", srv.disk.restarts);
    srv.vfs_epoch = keel_channel_open(srv.vfs.rings);
    seL4_Signal(srv.vfs.signal);
    loop(own->cptr);
}
