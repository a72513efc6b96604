/* A libFuzzer target over the ext2 server's answers to vfs
 * (user/os/fs/server/ops.c, built for the host as it is): vfs is trusted
 * no more than any client, so every request a broken or hostile vfs could
 * put in the channel's region must be answered, never crash the server or
 * leave the file system unmountable. Each input is a run of requests on a
 * fresh copy of an image mke2fs made (FSOPS_IMAGE: the "files" seed of
 * tests/fuzz/make_ext2_seeds.py: files across the indirect boundary, a
 * hole, links, nested directories), mounted as the server mounts it. A
 * request takes its operation (valid ones and beyond), inode, offset,
 * length, flags and mode from the input, each mostly from a table of
 * meaningful values, and its two paths from a table of names (or a path
 * area with no NUL at all); WRITE's bytes are in the data area. After
 * each: the result is a count no larger than asked or an errno. After the
 * run: unmount and a read-only mount must succeed and statfs must make
 * sense. */
#include "../../user/os/fs/server/ops.h"
#include "fuzz_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IMAGE_SIZE (128u * 1024)
#define CACHE_BLOCKS 32
#define REQUESTS_MAX 48

fs_state_t fs_state;

static uint8_t pristine[IMAGE_SIZE], image[IMAGE_SIZE];
static uint8_t cache[EXT2_CACHE_BYTES(CACHE_BLOCKS, 4096)];
static uint8_t region[KEEL_FS_REGION_SIZE];

static void require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_fsops: %s\n", what);
        abort();
    }
}

static int dev_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    (void)ctx;
    if (sector > IMAGE_SIZE / 512 || count > IMAGE_SIZE / 512 - sector) {
        return -EIO;
    }
    memcpy(buf, image + sector * 512, (size_t)count * 512);
    return 0;
}

static int dev_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    (void)ctx;
    if (sector > IMAGE_SIZE / 512 || count > IMAGE_SIZE / 512 - sector) {
        return -EIO;
    }
    memcpy(image + sector * 512, buf, (size_t)count * 512);
    return 0;
}

static int dev_flush(void *ctx)
{
    (void)ctx;
    return 0;
}

static int mount(unsigned flags)
{
    ext2_blockdev_t dev = {
        .read = dev_read, .write = dev_write, .flush = dev_flush, .sectors = IMAGE_SIZE / 512
    };
    return ext2_mount(&fs_state.fs, &dev, cache, sizeof(cache), flags);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *path = getenv("FSOPS_IMAGE");
    FILE *f = path != NULL ? fopen(path, "rb") : NULL;
    require(f != NULL, "FSOPS_IMAGE names no image (make fuzz-fsops sets it)");
    require(fread(pristine, 1, IMAGE_SIZE, f) == IMAGE_SIZE, "the image is not 128 KiB");
    fclose(f);
    return 0;
}

static const char *const names[] = {
    "/",
    "/f",
    "/d",
    "/d/e",
    "/d/small",
    "/holey",
    "/new",
    "/d/new",
    "/d/e/new",
    "/link",
    "/d/../f",
    "/f/x",
    "",
    "f",
    "/./d",
    "/d/",
    "//f",
    "/new/",
    "/d/e/../../new2",
    "/lnk",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static void put_path(input_t *in, uint32_t at)
{
    uint8_t choice = (uint8_t)take(in, 1);
    char *p = (char *)region + at;
    if (choice == 255) { /* no NUL anywhere in the path's area */
        memset(p, 'a', KEEL_FS_PATH_MAX);
        return;
    }
    snprintf(p, KEEL_FS_PATH_MAX, "%s", names[choice % NNAMES]);
}

static uint64_t pick(input_t *in, const uint64_t *table, size_t n)
{
    uint8_t choice = (uint8_t)take(in, 1);
    return choice < n ? table[choice] : take(in, 8);
}

static const uint64_t inodes[] = { 0, 1, 2, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 30, 31, 32 };
static const uint64_t offsets[] = { 0,
                                    1,
                                    511,
                                    1024,
                                    4095,
                                    4096,
                                    12288,
                                    65536,
                                    1u << 20,
                                    UINT32_MAX,
                                    (uint64_t)1 << 40,
                                    INT64_MAX,
                                    UINT64_MAX };
static const uint64_t lengths[] = {
    0, 1, 100, 1024, 4096, 8192, KEEL_FS_DATA_MAX, KEEL_FS_DATA_MAX + 1, UINT32_MAX, UINT64_MAX
};

static void one_request(input_t *in)
{
    keel_fs_request_t q = { 0 };
    q.op = (uint32_t)take(in, 1) % 26;
    q.ino = pick(in, inodes, sizeof(inodes) / sizeof(inodes[0]));
    q.offset = pick(in, offsets, sizeof(offsets) / sizeof(offsets[0]));
    q.length = pick(in, lengths, sizeof(lengths) / sizeof(lengths[0]));
    q.flags = (uint32_t)take(in, 4);
    q.mode = take(in, 2);
    q.atime = (int64_t)take(in, 4);
    q.mtime = (int64_t)take(in, 4);
    q.now = (int64_t)take(in, 4);
    memcpy(region + KEEL_FS_REQUEST_AT, &q, sizeof(q));
    put_path(in, KEEL_FS_PATH_AT);
    put_path(in, KEEL_FS_PATH2_AT);
    memset(region + KEEL_FS_DATA_AT, (int)take(in, 1), 4096);
    keel_fs_reply_t reply;
    fs_serve(&reply);
    require(reply.result >= -4095, "a result below -4095");
    if ((q.op == KEEL_FS_READ || q.op == KEEL_FS_WRITE) && reply.result > 0) {
        require((uint64_t)reply.result <= q.length, "more bytes than asked");
        require((uint64_t)reply.result <= KEEL_FS_DATA_MAX, "more bytes than the data area");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memcpy(image, pristine, IMAGE_SIZE);
    memset(&fs_state, 0, sizeof(fs_state));
    fs_state.region = region;
    require(mount(EXT2_MOUNT_SYNC_META) >= 0, "the pristine image does not mount");
    input_t in = { data, size, 0 };
    for (unsigned n = 0; n < REQUESTS_MAX && in.at < in.size; n++) {
        one_request(&in);
    }
    /* (an UNMOUNT request may have unmounted it: -EINVAL then) */
    int unmounted = ext2_unmount(&fs_state.fs);
    require(unmounted == 0 || unmounted == -EINVAL, "unmount after the requests failed");
    require(mount(EXT2_MOUNT_READONLY) >= 0, "the image does not mount after the requests");
    ext2_statfs_t st;
    require(ext2_statfs(&fs_state.fs, &st) == 0, "statfs failed");
    require(st.blocks_free <= st.blocks && st.inodes_free <= st.inodes, "statfs's counts");
    ext2_unmount(&fs_state.fs);
    return 0;
}
