/* cachecheck DIR: vfs's file cache (docs/storage.md "The file cache")
 * against every way a file's bytes change. Each check keeps a model of
 * the file in memory, changes the file one way while a descriptor has
 * read (and so cached) it, and reads the whole file back through that
 * descriptor and through a new one: size and every byte must be the
 * model's. Ways: overwrite through another descriptor, ftruncate down and
 * a write past the end (the hole reads as zeros), open with O_TRUNC,
 * O_APPEND from two descriptors, unlink and a new file with the same
 * inode number and size (only the generation tells them apart), rename of
 * another file over it, a file larger than the cache read twice, reads
 * at odd offsets and lengths across page boundaries; and the names vfs
 * knows to be absent, made by each call that can make one. Prints
 * `cachecheck: NAME: FAILED ...` for each failure and
 * `cachecheck: N checks, F failed` at the end; exits 0 only with none. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODEL_MAX (64u << 10)
#define BIG_SIZE (3u << 20) /* more than the cache's 2 MiB */
#define CHUNK (32u << 10)

static unsigned char model[MODEL_MAX], got[MODEL_MAX], chunk[CHUNK], want[CHUNK];
static size_t model_size;
static unsigned checks, failures;
static char path[256], other[256];

static void failed(const char *name, const char *what, long detail)
{
    printf("cachecheck: %s: FAILED %s (%ld)\n", name, what, detail);
    failures++;
}

static uint8_t byte_at(uint64_t at, unsigned seed)
{
    return (uint8_t)((at * 131 + (at >> 12) * 7 + seed) % 251);
}

static void model_fill(size_t from, size_t to, unsigned seed)
{
    for (size_t i = from; i < to; i++) {
        model[i] = byte_at(i, seed);
    }
    if (to > model_size) {
        model_size = to;
    }
}

static int write_at(int fd, size_t at, size_t n)
{
    if (lseek(fd, (off_t)at, SEEK_SET) != (off_t)at) {
        return -1;
    }
    return write(fd, model + at, n) == (ssize_t)n ? 0 : -1;
}

/* The whole file through fd from offset 0 in reads of `step` bytes: it
 * must be the model, and then end. */
static void expect_model(const char *name, int fd, size_t step)
{
    checks++;
    if (lseek(fd, 0, SEEK_SET) != 0) {
        failed(name, "lseek", errno);
        return;
    }
    size_t have = 0;
    for (;;) {
        size_t ask = step < MODEL_MAX - have ? step : MODEL_MAX - have;
        ssize_t r = read(fd, got + have, ask);
        if (r < 0) {
            failed(name, "read", errno);
            return;
        }
        if (r == 0 || ask == 0) {
            break;
        }
        have += (size_t)r;
    }
    if (have != model_size) {
        failed(name, "size read", (long)have);
        return;
    }
    for (size_t i = 0; i < have; i++) {
        if (got[i] != model[i]) {
            failed(name, "byte differs at", (long)i);
            return;
        }
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size != model_size) {
        failed(name, "fstat size", fstat(fd, &st) == 0 ? (long)st.st_size : -errno);
    }
}

/* Through fd (which has the file cached) and through a new descriptor. */
static void expect_both(const char *name, int fd)
{
    expect_model(name, fd, 4096);
    int fresh = open(path, O_RDONLY);
    if (fresh < 0) {
        failed(name, "open", errno);
        return;
    }
    expect_model(name, fresh, 5000);
    close(fresh);
}

static int create_model(unsigned seed, size_t size)
{
    model_size = 0;
    model_fill(0, size, seed);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0 && write_at(fd, 0, size) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void overwrite_elsewhere(void)
{
    int fd = create_model(1, 40000);
    expect_both("cached", fd);
    int w = open(path, O_WRONLY);
    model_fill(5000, 9000, 2);
    if (w < 0 || write_at(w, 5000, 4000) != 0) {
        failed("overwrite", "write", errno);
    }
    close(w);
    expect_both("overwrite through another descriptor", fd);
    close(fd);
}

static void truncate_and_hole(void)
{
    int fd = create_model(3, 40000);
    expect_both("before truncate", fd);
    if (ftruncate(fd, 6000) != 0) {
        failed("truncate", "ftruncate", errno);
    }
    model_size = 6000;
    expect_both("ftruncate down", fd);
    memset(model + 6000, 0, 20000 - 6000);
    model_fill(20000, 20100, 4);
    if (write_at(fd, 20000, 100) != 0) {
        failed("hole", "write", errno);
    }
    expect_both("write past the end: the hole reads as zeros", fd);
    close(fd);
}

static void open_truncate(void)
{
    int fd = create_model(5, 30000);
    expect_both("before O_TRUNC", fd);
    int w = open(path, O_WRONLY | O_TRUNC);
    model_size = 0;
    model_fill(0, 1000, 6);
    if (w < 0 || write_at(w, 0, 1000) != 0) {
        failed("O_TRUNC", "open and write", errno);
    }
    close(w);
    expect_both("open with O_TRUNC", fd);
    close(fd);
}

static void append_two(void)
{
    int fd = create_model(7, 3000);
    expect_both("before O_APPEND", fd);
    int a = open(path, O_WRONLY | O_APPEND), b = open(path, O_WRONLY | O_APPEND);
    for (unsigned i = 0; i < 6; i++) {
        size_t at = model_size, n = 1500 + i * 100;
        model_fill(at, at + n, 8 + i);
        if (write(i % 2 ? a : b, model + at, n) != (ssize_t)n) {
            failed("O_APPEND", "write", errno);
        }
        expect_model("O_APPEND from two descriptors", fd, 4096);
    }
    close(a);
    close(b);
    close(fd);
}

/* The same name, inode number and size, other bytes: a hole where the
 * old file's cached pages were. */
static void reused_inode(void)
{
    int fd = create_model(20, 12288);
    expect_both("before unlink", fd);
    struct stat before, after;
    fstat(fd, &before);
    close(fd);
    unlink(path);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
    memset(model, 0, 8192);
    model_fill(8192, 12288, 21);
    checks++;
    if (fd < 0 || write_at(fd, 8192, 4096) != 0) {
        failed("unlink and create", "open and write", errno);
    } else if (fstat(fd, &after) != 0 || after.st_ino != before.st_ino) {
        failed("unlink and create", "the inode number is not the same one again",
               (long)after.st_ino);
    }
    expect_both("unlink and a new file with the inode number", fd);
    close(fd);
}

static void renamed_over(void)
{
    int fd = create_model(30, 9000);
    expect_both("before rename", fd);
    close(fd);
    int o = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    model_size = 0;
    model_fill(0, 9000, 31);
    if (o < 0 || write_at(o, 0, 9000) != 0 || rename(other, path) != 0) {
        failed("rename", "write and rename", errno);
    }
    close(o);
    fd = open(path, O_RDONLY);
    expect_both("rename of another file over it", fd);
    close(fd);
}

static void odd_reads(void)
{
    int fd = create_model(40, 50000);
    static const size_t steps[] = { 1, 7, 4095, 4097, 12345, 32768 };
    for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        expect_model("reads of odd lengths", fd, steps[i]);
    }
    checks++;
    char c;
    if (lseek(fd, 50000 + 4096, SEEK_SET) < 0 || read(fd, &c, 1) != 0) {
        failed("past the end", "read did not say end of file", errno);
    }
    close(fd);
}

static int big_pass(int fd, unsigned pass)
{
    checks++;
    if (lseek(fd, 0, SEEK_SET) != 0) {
        return -1;
    }
    for (uint64_t at = 0; at < BIG_SIZE; at += CHUNK) {
        if (read(fd, chunk, CHUNK) != CHUNK) {
            failed("larger than the cache", "read", (long)pass);
            return -1;
        }
        for (unsigned i = 0; i < CHUNK; i++) {
            if (chunk[i] != byte_at(at + i, 50)) {
                failed("larger than the cache", "byte differs at", (long)(at + i));
                return -1;
            }
        }
    }
    return 0;
}

static void larger_than_cache(void)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    for (uint64_t at = 0; fd >= 0 && at < BIG_SIZE; at += CHUNK) {
        for (unsigned i = 0; i < CHUNK; i++) {
            want[i] = byte_at(at + i, 50);
        }
        if (write(fd, want, CHUNK) != CHUNK) {
            failed("larger than the cache", "write", errno);
            break;
        }
    }
    for (unsigned pass = 0; pass < 2 && big_pass(fd, pass) == 0; pass++) {
    }
    close(fd);
}

/* stat of `name` must give `expected` (0, or the errno). */
static void expect_stat(const char *check, const char *name, int expected)
{
    struct stat st;
    checks++;
    int found = stat(name, &st) == 0 ? 0 : errno;
    if (found != expected) {
        failed(check, name, found);
    }
}

/* vfs's names known to be absent (docs/storage.md): a name looked up and
 * missing must be found as soon as any call makes it -- create, mkdir,
 * rename, link, symlink -- and missing again once removed. Each name is
 * looked up twice first, so that the second answer is vfs's memory. */
static void absent_names(const char *dir)
{
    char name[256], from[256], target[256];
    snprintf(name, sizeof(name), "%s/absent", dir);
    snprintf(from, sizeof(from), "%s/absent-from", dir);
    snprintf(target, sizeof(target), "%s/absent-target", dir);
    unlink(name);
    expect_stat("absent", name, ENOENT);
    expect_stat("absent", name, ENOENT);
    int fd = open(name, O_CREAT | O_WRONLY, 0644);
    close(fd);
    expect_stat("absent: created", name, 0);
    unlink(name);
    expect_stat("absent: unlinked", name, ENOENT);
    expect_stat("absent: unlinked", name, ENOENT);
    mkdir(name, 0755);
    expect_stat("absent: mkdir", name, 0);
    rmdir(name);
    expect_stat("absent: rmdir", name, ENOENT);
    fd = open(from, O_CREAT | O_WRONLY, 0644);
    close(fd);
    rename(from, name);
    expect_stat("absent: renamed", name, 0);
    expect_stat("absent: renamed away", from, ENOENT);
    expect_stat("absent: renamed away", from, ENOENT);
    link(name, from);
    expect_stat("absent: linked", from, 0);
    unlink(from);
    unlink(name);
    expect_stat("absent: dangling", name, ENOENT);
    symlink(target, name); /* dangling: stat ENOENT, lstat finds it */
    expect_stat("absent: dangling symlink", name, ENOENT);
    struct stat st;
    checks++;
    if (lstat(name, &st) != 0) {
        failed("absent: lstat of the symlink", name, errno);
    }
    fd = open(target, O_CREAT | O_WRONLY, 0644);
    close(fd);
    expect_stat("absent: symlink's target made", name, 0);
    unlink(name);
    unlink(target);
    expect_stat("absent: all gone", target, ENOENT);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: cachecheck DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/cached", argv[1]);
    snprintf(other, sizeof(other), "%s/other", argv[1]);
    overwrite_elsewhere();
    truncate_and_hole();
    open_truncate();
    append_two();
    reused_inode();
    renamed_over();
    odd_reads();
    larger_than_cache();
    absent_names(argv[1]);
    unlink(path);
    printf("cachecheck: %u checks, %u failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
