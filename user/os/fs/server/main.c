/* The ext2 server (docs/storage.md "The ext2 server"): the ext2 library
 * (user/os/fs/ext2) over the disk of the virtio-blk driver (a block
 * channel, keel/os/blkclient.h), serving vfs through a file-system channel
 * (keel/os/fs.h), one request at a time. Grants (system/keel.system):
 * "disk" (the block channel), "vfs" (the file-system channel), "notify".
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

/* The block cache: 4 MiB of blocks. */
static unsigned char cache[4u << 20] __attribute__((aligned(64)));

static const keel_startinfo_t *startinfo(void)
{
    return (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
}

/* --- the disk under the library --------------------------------------- */

/* The largest piece one request moves: the driver's limit and the data
 * part of the block channel's region. */
static uint32_t piece_max(void)
{
    uint64_t room = srv.disk.region_size - KEEL_BLK_DATA;
    return srv.disk.largest < room ? srv.disk.largest : (uint32_t)room;
}

static int disk_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    (void)ctx;
    unsigned char *out = buf;
    uint64_t bytes = (uint64_t)count * KEEL_BLK_SECTOR;
    while (bytes > 0) {
        uint32_t n = bytes < piece_max() ? (uint32_t)bytes : piece_max();
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
    while (bytes > 0) {
        uint32_t n = bytes < piece_max() ? (uint32_t)bytes : piece_max();
        memcpy(srv.disk.region + KEEL_BLK_DATA, in, n);
        if (keel_blk_io(&srv.disk, KEEL_BLK_WRITE, sector, KEEL_BLK_DATA, n) != (int)n) {
            return -EIO;
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
    return keel_blk_io(&srv.disk, KEEL_BLK_FLUSH, 0, 0, 0) < 0 ? -EIO : 0;
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
        memcpy(srv.region + KEEL_FS_REPLY_AT, &reply, sizeof(reply));
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

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    const keel_startinfo_t *si = startinfo();
    const keel_startcap_t *own = keel_startinfo_find(si, "notify");
    srv.vfs = keel_channel_end(si, "vfs");
    const keel_startcap_t *region = keel_startinfo_find(si, "vfs");
    if (own == NULL || srv.vfs.rings == NULL || region->size < KEEL_FS_REGION_SIZE) {
        printf("ext2: no channel 'vfs' of %u bytes, or no notification; stopping\n",
               KEEL_FS_REGION_SIZE);
        return 1;
    }
    srv.region = (unsigned char *)srv.vfs.rings;
    int r = keel_blk_open(&srv.disk, "disk");
    if (r < 0) {
        printf("ext2: the disk: %s; stopping\n", strerror(-r));
        return 1;
    }
    ext2_blockdev_t dev = { .read = disk_read,
                            .write = disk_write,
                            .flush = disk_flush,
                            .log = disk_log,
                            .sectors = srv.disk.sectors };
    r = ext2_mount(&srv.fs, &dev, cache, sizeof(cache), EXT2_MOUNT_SYNC_META);
    if (r < 0) {
        printf("ext2: cannot mount the disk: %s; stopping\n", strerror(-r));
        return 1;
    }
    ext2_statfs_t st;
    ext2_statfs(&srv.fs, &st);
    printf("ext2: mounted %llu MiB (%u-byte blocks), %llu MiB free%s; restarts of the disk: %u\n",
           (unsigned long long)(st.blocks * st.block_size >> 20), st.block_size,
           (unsigned long long)(st.blocks_free * st.block_size >> 20),
           r == EXT2_MOUNTED_READONLY ? ", read-only" : "", srv.disk.restarts);
    srv.vfs_epoch = keel_channel_open(srv.vfs.rings);
    seL4_Signal(srv.vfs.signal);
    loop(own->cptr);
}
