/* A libFuzzer target over the ext2 library (user/os/fs/ext2, docs/ext2.md):
 * the input is a disk image (padded or cut to IMAGE_SIZE: seeds are 128 KiB
 * images of 1 KiB blocks from tests/fuzz/make_ext2_seeds.py). It is
 * mounted read-write over a device in memory, the whole tree walked (every
 * directory listed, every name looked up again, every file read, every link
 * read), then changed (files written across the indirect boundary,
 * truncated, renamed, linked, removed; directories made and moved), synced,
 * unmounted, and mounted and walked again. Nothing may crash, hang or
 * touch memory it should not; errors are fine. The boot block, which ext2
 * leaves alone, steers the device: byte 0 nonzero makes every write after
 * the (4 x byte 0)th fail, byte 1 the same for reads. */
#include "../../user/os/fs/ext2/ext2.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IMAGE_SIZE (128u * 1024)
#define CACHE_BLOCKS 32
#define WALK_DEPTH 12
#define READ_BUDGET (512u * 1024) /* file bytes read per walk */

typedef struct device {
    uint8_t image[IMAGE_SIZE];
    long reads_left, writes_left;
} device_t;

static device_t device;
static uint8_t cache[EXT2_CACHE_BYTES(CACHE_BLOCKS, 4096)];
static ext2_fs_t fs;

static int dev_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    device_t *d = ctx;
    if (d->reads_left == 0 || sector > IMAGE_SIZE / 512 || count > IMAGE_SIZE / 512 - sector) {
        return -1;
    }
    d->reads_left -= d->reads_left > 0;
    memcpy(buf, d->image + sector * 512, (size_t)count * 512);
    return 0;
}

static int dev_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    device_t *d = ctx;
    if (d->writes_left == 0 || sector > IMAGE_SIZE / 512 || count > IMAGE_SIZE / 512 - sector) {
        return -1;
    }
    d->writes_left -= d->writes_left > 0;
    memcpy(d->image + sector * 512, buf, (size_t)count * 512);
    return 0;
}

static int dev_flush(void *ctx)
{
    device_t *d = ctx;
    return d->writes_left == 0 ? -1 : 0;
}

typedef struct walk {
    uint32_t read_left;
    uint32_t first_file, first_dir; /* found on the way, for the changes */
    uint8_t seen[4096 / 8];         /* directories listed (by inode, the first 4096) */
} walk_t;

static void walk_dir(walk_t *w, uint32_t dir, int depth);

/* Look at one entry of dir: its attributes, its contents, its name again. */
static void visit(walk_t *w, uint32_t dir, uint32_t ino, const char *name, size_t len, int depth)
{
    ext2_attr_t a;
    uint32_t again;
    if (ext2_getattr(&fs, ino, &a) < 0) {
        return;
    }
    ext2_lookup(&fs, dir, name, len, &again);
    static uint8_t buf[8192];
    switch (a.mode & 0170000) {
    case 0100000:
        if (w->first_file == 0) {
            w->first_file = ino;
        }
        for (uint64_t off = 0; w->read_left > 0;) {
            int n = ext2_read(&fs, ino, off, buf, sizeof(buf));
            if (n <= 0) {
                break;
            }
            off += (uint64_t)n;
            w->read_left = (uint32_t)n < w->read_left ? w->read_left - (uint32_t)n : 0;
        }
        break;
    case 0120000:
        ext2_readlink(&fs, ino, (char *)buf, sizeof(buf));
        break;
    case 0040000:
        if (w->first_dir == 0 && !(len <= 2 && name[0] == '.')) {
            w->first_dir = ino;
        }
        if (!(len <= 2 && memcmp(name, "..", len) == 0)) {
            walk_dir(w, ino, depth + 1);
        }
        break;
    default:
        break;
    }
}

/* A directory is read in batches (readdir's callback may not call the
 * library), each looked at before the next is read from the cookie. */
#define BATCH 16

typedef struct batch {
    unsigned n;
    uint32_t ino[BATCH];
    uint8_t len[BATCH];
    char name[BATCH][EXT2_NAME_MAX + 1];
} batch_t;

static int collect(void *arg, uint32_t ino, unsigned type, const char *name, size_t len)
{
    batch_t *b = arg;
    (void)type;
    if (b->n == BATCH) {
        return 1; /* full: this entry comes first in the next batch */
    }
    b->ino[b->n] = ino;
    b->len[b->n] = (uint8_t)len;
    memcpy(b->name[b->n], name, len);
    b->n++;
    return 0;
}

/* List dir (once: a directory reached twice is a cycle or a hard link). */
static void walk_dir(walk_t *w, uint32_t dir, int depth)
{
    if (depth > WALK_DEPTH || dir >= 4096 || (w->seen[dir / 8] & (1u << (dir % 8)))) {
        return;
    }
    w->seen[dir / 8] |= (uint8_t)(1u << (dir % 8));
    uint64_t cookie = 0;
    int rc;
    do {
        batch_t b = { .n = 0 };
        rc = ext2_readdir(&fs, dir, &cookie, collect, &b);
        for (unsigned i = 0; i < b.n; i++) {
            visit(w, dir, b.ino[i], b.name[i], b.len[i], depth);
        }
    } while (rc == 1);
}

static void walk(walk_t *w)
{
    memset(w, 0, sizeof(*w));
    w->read_left = READ_BUDGET;
    walk_dir(w, EXT2_ROOT_INO, 0);
    ext2_statfs_t s;
    ext2_statfs(&fs, &s);
}

/* Changes that touch every kind of metadata, and what the walk found. */
static void change(const walk_t *w)
{
    static uint8_t data[20000];
    memset(data, 0x3c, sizeof(data));
    uint32_t f, d, l, dropped;
    const uint32_t root = EXT2_ROOT_INO;
    ext2_create(&fs, root, "fz", 2, 0644, &f);
    ext2_write(&fs, f, 0, data, 3000);
    ext2_write(&fs, f, 11 * 1024, data, sizeof(data));
    ext2_truncate(&fs, f, 5000);
    ext2_mkdir(&fs, root, "fzd", 3, 0755, &d);
    ext2_rename(&fs, root, "fz", 2, d, "moved", 5, NULL);
    ext2_link(&fs, f, root, "fzlink", 6);
    ext2_symlink(&fs, d, "sl", 2, "a-target-longer-than-sixty-bytes-so-that-it-takes-a-block-0123",
                 64, &l);
    ext2_unlink(&fs, root, "fzlink", 6, &dropped);
    if (w->first_file != 0) {
        ext2_write(&fs, w->first_file, 100, data, 2000);
        ext2_truncate(&fs, w->first_file, 50);
        ext2_link(&fs, w->first_file, d, "found", 5);
    }
    if (w->first_dir != 0) {
        ext2_mkdir(&fs, w->first_dir, "sub", 3, 0755, &l);
        ext2_rename(&fs, w->first_dir, "sub", 3, d, "sub2", 4, &dropped);
        ext2_release(&fs, dropped);
    }
    ext2_rmdir(&fs, root, "fzd", 3, &dropped); /* not empty: refused */
    ext2_unlink(&fs, d, "moved", 5, &dropped);
    ext2_release(&fs, dropped);
    ext2_setattr(&fs, f, &(ext2_setattr_t){ .valid = EXT2_SET_MODE, .mode = 0600 });
    ext2_fsync(&fs, f);
}

static void device_setup(const uint8_t *input, size_t size)
{
    memset(device.image, 0, sizeof(device.image));
    memcpy(device.image, input, size < IMAGE_SIZE ? size : IMAGE_SIZE);
    device.writes_left = device.image[0] != 0 ? 4l * device.image[0] : -1;
    device.reads_left = device.image[1] != 0 ? 4l * device.image[1] : -1;
}

static int mount(unsigned flags)
{
    ext2_blockdev_t dev = { &device, dev_read, dev_write, dev_flush, NULL, IMAGE_SIZE / 512 };
    memset(&fs, 0, sizeof(fs));
    ext2_set_time(&fs, 1700000000u);
    return ext2_mount(&fs, &dev, cache, sizeof(cache), flags);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    static walk_t w;
    device_setup(input, size);
    unsigned flags = size > 2 && (input[2] & 1) ? EXT2_MOUNT_SYNC_META : 0;
    if (mount(flags) < 0) {
        return 0;
    }
    walk(&w);
    change(&w);
    ext2_sync(&fs);
    ext2_unmount(&fs);
    device.writes_left = device.reads_left = -1;
    if (mount(EXT2_MOUNT_READONLY) >= 0) {
        walk(&w);
        ext2_unmount(&fs);
    }
    return 0;
}
