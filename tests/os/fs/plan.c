/* fstree's plan: the tree `fstree make` writes and `fstree verify`
 * expects, one sequence of steps drawn from the seed, done on the disk
 * (fs.live) and always in the model (fs.node, fs.extent). The host's copy
 * is tests/host/fstree_model.py Plan: the same steps and draws in the
 * same order. */
#include "fstree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <splitmix64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KIB 1024u
#define MIB (1024u * 1024u)
#define SIZED_FILES 27 /* the sizes below and the random ones, not the big file */
#define RANDOM_FILES 6
#define DEEP_LEVELS 30
#define MANY 2000
#define MANY_NEW 300
#define DRAIN 500u

/* Around every boundary of a file's block map for 1 KiB and 4 KiB blocks
 * (12 direct blocks, then single and double indirect ones). */
static const uint32_t sizes[] = { 0,     1,     511,   512,    513,    1023,   1024,
                                  1025,  4095,  4096,  4097,   12287,  12288,  12289,
                                  49151, 49152, 49153, 274431, 274432, 274433, 1048576 };
_Static_assert(sizeof(sizes) / sizeof(sizes[0]) + RANDOM_FILES == SIZED_FILES, "sized files");

typedef struct plan {
    int top, sizes, sparse, many, deep, mod;
    int file[SIZED_FILES];
    int big;
    int chain[DEEP_LEVELS + 1]; /* chain[1..30]: deep/d01/.../d30 */
    int entry[MANY];            /* many/'s first entries */
} plan_t;

static plan_t plan;
static char paths[2][FSTREE_PATH];
static char message[2 * FSTREE_PATH + 64];

static uint64_t draw(uint64_t n)
{
    return splitmix64_next(&fs.rng) % n;
}

static void plan_broken(const char *why)
{
    printf("fstree: the plan outgrew its tables (%s)\n", why);
    exit(3);
}

const char *fstree_path(int node, int which)
{
    int chain[64];
    int depth = 0;
    for (int n = node; n >= 0; n = fs.node[n].parent) {
        if (depth == 64) {
            plan_broken("depth");
        }
        chain[depth++] = n;
    }
    char *buf = paths[which];
    size_t len = 0;
    for (int i = depth - 1; i >= 0; i--) {
        const char *name = fs.node[chain[i]].name ? fs.node[chain[i]].name : "(removed)";
        size_t n = strlen(name);
        if (len + n + 2 > FSTREE_PATH) {
            plan_broken("path");
        }
        if (i != depth - 1) {
            buf[len++] = '/';
        }
        memcpy(buf + len, name, n);
        len += n;
    }
    buf[len] = '\0';
    return buf;
}

static int node_new(int parent, const char *name, node_type_t type)
{
    if (fs.nodes == FSTREE_NODES) {
        plan_broken("nodes");
    }
    int n = fs.nodes++;
    char *copy = strdup(name);
    if (copy == NULL) {
        plan_broken("memory");
    }
    fs.node[n] = (node_t){
        .parent = parent, .name = copy, .type = (uint8_t)type, .first = -1, .last = -1, .inode = n
    };
    return n;
}

const char *fstree_target(int n)
{
    for (int i = 0; i < fs.symlinks; i++) {
        if (fs.symlink[i].node == n) {
            return fs.symlink[i].target;
        }
    }
    return "";
}

unsigned fstree_names(int i)
{
    unsigned names = 0;
    for (int n = 0; n < fs.nodes; n++) {
        names += fs.node[n].type == NODE_FILE && fs.node[n].inode == i;
    }
    return names;
}

static int do_mkdir(int parent, const char *name)
{
    int n = node_new(parent, name, NODE_DIR);
    if (fs.live && mkdir(fstree_path(n, 0), 0755) != 0) {
        fstree_fail(fstree_path(n, 0));
    }
    return n;
}

/* A descriptor of file n (mode 0644 if made), or -1: not live, or failed
 * (reported). */
static int file_open(int n, int flags)
{
    if (!fs.live) {
        return -1;
    }
    const char *path = fstree_path(n, 0);
    int fd = open(path, flags, 0644);
    if (fd < 0) {
        fstree_fail(path);
    }
    return fd;
}

static void file_close(int n, int fd)
{
    if (fd >= 0 && close(fd) != 0) {
        fstree_fail(fstree_path(n, 0));
    }
}

static void extent_add(int n, uint64_t start, uint64_t end)
{
    if (fs.extents == FSTREE_EXTENTS) {
        plan_broken("extents");
    }
    int16_t e = (int16_t)fs.extents++;
    fs.extent[e] = (extent_t){ .start = start, .end = end, .stream = fstree_stream(n), .next = -1 };
    node_t *f = &fs.node[n];
    if (f->last >= 0) {
        fs.extent[f->last].next = e;
    } else {
        f->first = e;
    }
    f->last = e;
}

/* The length of the write call at pos: from 1 to limit bytes, a function
 * of the stream and the place only (no draw: the host need not know). */
static uint64_t chunk_length(uint32_t stream, uint64_t pos, uint32_t limit)
{
    uint64_t state = ((uint64_t)stream << 40) ^ pos;
    return 1 + splitmix64_next(&state) % limit;
}

/* Bytes [off, off + len) of file n's current stream: in the model, and on
 * the disk through fd (if open) in calls of up to limit bytes. With seek,
 * an lseek to off comes first; else the descriptor must be at off (or
 * opened with O_APPEND at a file of off bytes). */
static void file_write(int n, int fd, uint64_t off, uint64_t len, uint32_t limit, bool seek)
{
    node_t *f = &fs.node[n];
    if (len > 0) {
        extent_add(n, off, off + len);
        if (off + len > f->size) {
            f->size = off + len;
        }
    }
    if (fd < 0) {
        return;
    }
    uint32_t stream = fstree_stream(n);
    if (seek && lseek(fd, (off_t)off, SEEK_SET) != (off_t)off) {
        fstree_fail(fstree_path(n, 0));
        return;
    }
    for (uint64_t pos = off; pos < off + len;) {
        uint64_t chunk = chunk_length(stream, pos, limit);
        if (chunk > off + len - pos) {
            chunk = off + len - pos;
        }
        fstree_content(stream, pos, (size_t)chunk, fstree_buffer);
        ssize_t done = write(fd, fstree_buffer, (size_t)chunk);
        if (done < 0) {
            fstree_fail(fstree_path(n, 0));
            return;
        }
        if ((uint64_t)done != chunk) {
            printf("fstree: %s: write of %" PRIu64 " bytes at %" PRIu64 " wrote %zd\n",
                   fstree_path(n, 0), chunk, pos, done);
            fs.failed++;
            return;
        }
        pos += chunk;
    }
}

/* Open file n with O_TRUNC: in the model it is empty, and what is
 * written next comes from a new stream. */
static int file_open_truncated(int n)
{
    int fd = file_open(n, O_WRONLY | O_TRUNC);
    fs.node[n].generation++;
    fs.node[n].size = 0;
    fs.node[n].first = fs.node[n].last = -1;
    return fd;
}

/* The model's file n cut or grown to size: bytes past it are gone, and
 * read as zeros if the file grows again. */
static void model_truncate(int n, uint64_t size)
{
    for (int e = fs.node[n].first; e >= 0; e = fs.extent[e].next) {
        extent_t *x = &fs.extent[e];
        x->end = x->end < size ? x->end : size;
        x->start = x->start < x->end ? x->start : x->end;
    }
    fs.node[n].size = size;
}

static void file_truncate(int n, int fd, uint64_t size)
{
    if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
        fstree_fail(fstree_path(n, 0));
    }
    model_truncate(n, size);
}

static void path_truncate(int n, uint64_t size)
{
    if (fs.live && truncate(fstree_path(n, 0), (off_t)size) != 0) {
        fstree_fail(fstree_path(n, 0));
    }
    model_truncate(n, size);
}

static int do_create(int parent, const char *name, uint64_t len, uint32_t limit)
{
    int n = node_new(parent, name, NODE_FILE);
    int fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, 0, len, limit, false);
    file_close(n, fd);
    return n;
}

/* Gone from the model: its name is freed (a program has 1 MiB). */
static void gone(int n)
{
    fs.node[n].type = NODE_GONE;
    free(fs.node[n].name);
    fs.node[n].name = NULL;
}

/* As do_create, with an fsync before the close. */
static int do_create_synced(int parent, const char *name, uint64_t len, uint32_t limit)
{
    int n = node_new(parent, name, NODE_FILE);
    int fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, 0, len, limit, false);
    if (fd >= 0 && fsync(fd) != 0) {
        fstree_fail(fstree_path(n, 0));
    }
    file_close(n, fd);
    return n;
}

static void do_remove(int n)
{
    if (fs.live) {
        const char *path = fstree_path(n, 0);
        if ((fs.node[n].type == NODE_DIR ? rmdir(path) : unlink(path)) != 0) {
            fstree_fail(path);
        }
    }
    gone(n);
}

static int child_named(int parent, const char *name)
{
    for (int n = 0; n < fs.nodes; n++) {
        if (fs.node[n].type != NODE_GONE && fs.node[n].parent == parent &&
            strcmp(fs.node[n].name, name) == 0) {
            return n;
        }
    }
    return -1;
}

/* Rename n to parent/name; a file there before is replaced. */
static void do_rename(int n, int parent, const char *name)
{
    if (fs.live) {
        const char *from = fstree_path(n, 0);
        const char *dir = fstree_path(parent, 1);
        char *to = paths[1];
        size_t len = strlen(dir);
        if (len + strlen(name) + 2 > FSTREE_PATH) {
            plan_broken("path");
        }
        to[len] = '/';
        strcpy(to + len + 1, name);
        if (rename(from, to) != 0) {
            snprintf(message, sizeof(message), "rename %s %s", from, to);
            fstree_fail(message);
        }
    }
    char *copy = strdup(name); /* name may be n's own */
    if (copy == NULL) {
        plan_broken("memory");
    }
    int there = child_named(parent, name);
    if (there >= 0 && there != n) {
        gone(there);
    }
    free(fs.node[n].name);
    fs.node[n].name = copy;
    fs.node[n].parent = parent;
}

/* Files of every size (each fsync'd); six of random sizes; the big one.
 * Odd ones are written in calls of up to 5000 bytes, the others in calls
 * of up to 80 KiB, which libos splits at its window. */
static void make_sizes(uint64_t big)
{
    char name[64];
    unsigned i;
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        snprintf(name, sizeof(name), "s%02u-%" PRIu32, i, sizes[i]);
        plan.file[i] = do_create_synced(plan.sizes, name, sizes[i],
                                        i % 2 ? FSTREE_WRITE_SMALL : FSTREE_WRITE_MAX);
    }
    for (unsigned k = 0; k < RANDOM_FILES; k++, i++) {
        uint64_t size = draw(300000);
        snprintf(name, sizeof(name), "r%u-%" PRIu64, k, size);
        plan.file[i] = do_create(plan.sizes, name, size, FSTREE_WRITE_MAX);
    }
    snprintf(name, sizeof(name), "big-%" PRIu64, big);
    plan.big = do_create(plan.sizes, name, big, FSTREE_WRITE_MAX);
}

/* Sparse files made of writes after an lseek each, holes between them:
 * at the start, in the double indirect range of 4 KiB blocks, past 64 MiB
 * + 268 KiB (triple indirect with 1 KiB blocks), filled afterwards,
 * inside one block. */
typedef struct span {
    uint64_t off, len;
} span_t;

static const struct {
    const char *name;
    span_t span[2]; /* a len of 0 ends them */
} sparse_files[] = {
    { "hole-start", { { MIB + 7, 100 } } },
    { "hole-double", { { 0, 10 }, { 4 * MIB + 48 * KIB + 3 * 4096 + 5, 5000 } } },
    { "far", { { 64 * MIB + 300 * KIB + 3, 1 } } },
    { "filled", { { 12388, 50 }, { 0, 12388 } } },
    { "hole-in-block", { { 0, 1000 }, { 3000, 1000 } } },
};

/* A new file in sparse/, opened O_RDWR: its node; its descriptor in *fd. */
static int sparse_new(const char *name, int *fd)
{
    int n = node_new(plan.sparse, name, NODE_FILE);
    *fd = file_open(n, O_RDWR | O_CREAT | O_EXCL);
    return n;
}

/* The files above, six writes at drawn places, an lseek past the end
 * alone (the file stays as long), double indirect blocks then O_TRUNC. */
static void make_sparse(void)
{
    int fd;
    for (size_t i = 0; i < sizeof(sparse_files) / sizeof(sparse_files[0]); i++) {
        int n = sparse_new(sparse_files[i].name, &fd);
        for (const span_t *w = sparse_files[i].span; w < sparse_files[i].span + 2 && w->len; w++) {
            file_write(n, fd, w->off, w->len, FSTREE_WRITE_SMALL, true);
        }
        file_close(n, fd);
    }

    int n = sparse_new("scattered", &fd);
    for (int k = 0; k < 6; k++) {
        uint64_t off = draw(8 * MIB);
        uint64_t len = 1 + draw(20000);
        file_write(n, fd, off, len, FSTREE_WRITE_SMALL, true);
    }
    file_close(n, fd);

    n = sparse_new("seek-no-write", &fd);
    file_write(n, fd, 0, 100, FSTREE_WRITE_SMALL, false);
    if (fd >= 0 && lseek(fd, MIB, SEEK_CUR) != (off_t)(MIB + 100)) {
        fstree_fail("lseek SEEK_CUR past the end");
    }
    file_close(n, fd);

    n = sparse_new("trunc-double", &fd);
    file_write(n, fd, 4 * MIB + 100 * KIB, 10, FSTREE_WRITE_SMALL, true);
    file_close(n, fd);
    fd = file_open_truncated(n);
    file_write(n, fd, 0, 10, FSTREE_WRITE_SMALL, false);
    file_close(n, fd);
}

/* deep/d01/.../d30 (d15 with a 204-byte name), a file every fifth level
 * and one at the bottom. */
static void make_deep(void)
{
    char name[256];
    int parent = plan.deep;
    for (int level = 1; level <= DEEP_LEVELS; level++) {
        if (level == 15) {
            memcpy(name, "d15-", 4);
            memset(name + 4, 'L', 200);
            name[204] = '\0';
        } else {
            snprintf(name, sizeof(name), "d%02d", level);
        }
        parent = plan.chain[level] = do_mkdir(parent, name);
        if (level % 5 == 0) {
            snprintf(name, sizeof(name), "f%02d", level);
            do_create(parent, name, draw(6000), FSTREE_WRITE_SMALL);
        }
    }
    do_create(parent, "bottom", 20000, FSTREE_WRITE_SMALL);
}

/* 2000 entries in many/: names of 6 to 69 bytes, every hundredth a
 * directory, every tenth file with bytes. */
static void make_many(void)
{
    char name[80];
    for (int i = 0; i < MANY; i++) {
        int len = snprintf(name, sizeof(name), "n%04d-", i);
        for (int j = 0; j < (i * 37) % 64; j++) {
            name[len++] = (char)('a' + (i + j) % 26);
        }
        name[len] = '\0';
        if (i % 100 == 50) {
            plan.entry[i] = do_mkdir(plan.many, name);
        } else {
            uint64_t size = i % 10 == 0 ? draw(3000) : 0;
            plan.entry[i] = do_create(plan.many, name, size, FSTREE_WRITE_SMALL);
        }
    }
}

/* A new generation of file n: its bytes from now on come from another
 * stream, so that a write lost would show. */
static void next_generation(int n)
{
    fs.node[n].generation++;
}

/* Overwrites (O_WRONLY and O_RDWR), appends (O_APPEND after an lseek to
 * 0: the write goes to the end all the same), O_TRUNC, a part of the big
 * file rewritten. */
static void rewrite(uint64_t big)
{
    for (int k = 0; k < 8; k++) {
        int n = plan.file[draw(SIZED_FILES)];
        int fd = file_open(n, k % 2 ? O_RDWR : O_WRONLY);
        next_generation(n);
        uint64_t off = draw(fs.node[n].size + 1);
        uint64_t len = 1 + draw(20000);
        file_write(n, fd, off, len, FSTREE_WRITE_SMALL, true);
        file_close(n, fd);
    }
    for (int k = 0; k < 4; k++) {
        int n = plan.file[draw(SIZED_FILES)];
        int fd = file_open(n, O_WRONLY | O_APPEND);
        next_generation(n);
        uint64_t len = 1 + draw(10000);
        if (fd >= 0 && lseek(fd, 0, SEEK_SET) != 0) {
            fstree_fail(fstree_path(n, 0));
        }
        file_write(n, fd, fs.node[n].size, len, FSTREE_WRITE_SMALL, false);
        file_close(n, fd);
    }
    for (int k = 0; k < 3; k++) {
        int n = plan.file[draw(SIZED_FILES)];
        int fd = file_open_truncated(n);
        uint64_t len = 0;
        if (draw(3) != 0) {
            len = draw(70000);
        }
        file_write(n, fd, 0, len, FSTREE_WRITE_SMALL, false);
        file_close(n, fd);
    }
    if (big > 0) {
        int fd = file_open(plan.big, O_RDWR);
        next_generation(plan.big);
        uint64_t off = draw(big + 1);
        uint64_t len = 1 + draw(20000);
        file_write(plan.big, fd, off, len, FSTREE_WRITE_SMALL, true);
        file_close(plan.big, fd);
    }
    /* The 1 MiB file emptied: its indirect blocks must be freed. */
    int fd = file_open_truncated(plan.file[20]);
    file_write(plan.file[20], fd, 0, 3000, FSTREE_WRITE_SMALL, false);
    file_close(plan.file[20], fd);
}

/* A call that must fail with errno `want` (or `also`, when not 0); with
 * want 0, one that must succeed. */
static void expect_errno(const char *what, long r, int want, int also)
{
    if (want == 0) {
        if (r < 0) {
            printf("fstree: check %s: %s, want success: FAILED\n", what, strerror(errno));
            fs.failed++;
        }
    } else if (r >= 0) {
        printf("fstree: check %s: succeeded, want %s: FAILED\n", what, strerror(want));
        fs.failed++;
    } else if (errno != want && (also == 0 || errno != also)) {
        int got = errno;
        printf("fstree: check %s: got %s (%d), want %s (%d): FAILED\n", what, strerror(got), got,
               strerror(want), want);
        fs.failed++;
    }
}

/* The path of node n with a suffix, in paths[which]. */
static const char *path_plus(int n, const char *suffix, int which)
{
    const char *base = fstree_path(n, which);
    size_t len = strlen(base);
    if (len + strlen(suffix) + 1 > FSTREE_PATH) {
        plan_broken("path");
    }
    strcpy(paths[which] + len, suffix);
    return base;
}

/* Calls that must fail, each leaving the tree as it was. */
static void check_errors(void)
{
    expect_errno("mkdir of an existing directory", mkdir(fstree_path(plan.sizes, 0), 0755), EEXIST,
                 0);
    expect_errno("rmdir of a directory not empty", rmdir(fstree_path(plan.deep, 0)), ENOTEMPTY,
                 EEXIST);
    expect_errno("rmdir of a file", rmdir(fstree_path(plan.file[0], 0)), ENOTDIR, 0);
    expect_errno("unlink of a directory", unlink(fstree_path(plan.mod, 0)), EISDIR, EPERM);
    expect_errno("open of a missing file", open(path_plus(plan.top, "/missing", 0), O_RDONLY),
                 ENOENT, 0);
    expect_errno("open O_CREAT|O_EXCL of a file",
                 open(fstree_path(plan.file[1], 0), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST, 0);
    expect_errno("open of a file with a slash after it",
                 open(path_plus(plan.file[1], "/", 0), O_RDONLY), ENOTDIR, 0);
    expect_errno("mkdir under a file", mkdir(path_plus(plan.file[1], "/x", 0), 0755), ENOTDIR, 0);
    expect_errno("open of a directory for writing", open(fstree_path(plan.mod, 0), O_WRONLY),
                 EISDIR, 0);
    expect_errno("rename of a directory into itself",
                 rename(fstree_path(plan.deep, 0), path_plus(plan.chain[1], "/x", 1)), EINVAL, 0);
    expect_errno("rename of a file over a directory",
                 rename(fstree_path(plan.file[1], 0), fstree_path(plan.mod, 1)), EISDIR, 0);
    expect_errno("rename of a directory over a file",
                 rename(fstree_path(plan.mod, 0), fstree_path(plan.file[1], 1)), ENOTDIR, 0);
    expect_errno("rename of a directory over one not empty",
                 rename(fstree_path(plan.mod, 0), fstree_path(plan.deep, 1)), ENOTEMPTY, EEXIST);
    int fd = open(fstree_path(plan.file[1], 0), O_RDONLY);
    if (fd < 0) {
        fstree_fail(fstree_path(plan.file[1], 0));
    } else {
        expect_errno("lseek before the start", lseek(fd, -1, SEEK_SET), EINVAL, 0);
        expect_errno("write to a descriptor opened O_RDONLY", write(fd, "x", 1), EBADF, 0);
        expect_errno("ftruncate of a descriptor opened O_RDONLY", ftruncate(fd, 0), EINVAL, EBADF);
        close(fd);
    }
    expect_errno("truncate to a negative size", truncate(fstree_path(plan.file[1], 0), -1), EINVAL,
                 0);
    fd = open(fstree_path(plan.mod, 0), O_RDONLY);
    if (fd >= 0) {
        expect_errno("read of a directory", read(fd, fstree_buffer, 16), EISDIR, 0);
        close(fd);
    }
    /* A name of 256 bytes; a path of 1100 (a name at most 255 bytes). */
    char *name = (char *)fstree_buffer;
    memset(name, 'n', 256);
    name[256] = '\0';
    snprintf(message, sizeof(message), "%s/%s", fstree_path(plan.mod, 0), name);
    expect_errno("open O_CREAT of a name of 256 bytes", open(message, O_WRONLY | O_CREAT, 0644),
                 ENAMETOOLONG, 0);
    size_t len = strlen(fstree_path(plan.mod, 0));
    while (len < 1100) {
        len += (size_t)snprintf(message + len, sizeof(message) - len, "/%.200s", name);
    }
    expect_errno("mkdir of a path of 1100 bytes", mkdir(message, 0755), ENAMETOOLONG, ENOENT);
}

/* probe/f there (made again if a call removed it), probe/new not. */
static void probe_reset(const char *file, const char *new_name)
{
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fstree_fail(file);
    } else {
        close(fd);
    }
    unlink(new_name);
}

/* A path ending in a slash names a directory: every call given one for
 * a file, or for a name to make a file at, must fail and change nothing
 * (for a directory it is allowed). Then calls on symbolic links that must
 * not follow them. In probe/, outside the model, emptied and removed
 * afterwards whatever the calls did; f is made again before each call. */
static void check_trailing_slashes(void)
{
    char dir[FSTREE_PATH], file[FSTREE_PATH + 8], slash[FSTREE_PATH + 8];
    char new_name[FSTREE_PATH + 8], new_slash[FSTREE_PATH + 8], other[FSTREE_PATH + 264];
    struct stat st;
    snprintf(dir, sizeof(dir), "%s", path_plus(plan.top, "/probe", 0));
    snprintf(file, sizeof(file), "%s/f", dir);
    snprintf(slash, sizeof(slash), "%s/f/", dir);
    snprintf(new_name, sizeof(new_name), "%s/new", dir);
    snprintf(new_slash, sizeof(new_slash), "%s/new/", dir);
    if (mkdir(dir, 0755) != 0) {
        fstree_fail(dir);
        return;
    }
    probe_reset(file, new_name);
    expect_errno("stat of a file with a slash after it", stat(slash, &st), ENOTDIR, 0);
    expect_errno("unlink of a file with a slash after it", unlink(slash), ENOTDIR, 0);
    probe_reset(file, new_name);
    expect_errno("truncate of a file with a slash after it", truncate(slash, 0), ENOTDIR, 0);
    probe_reset(file, new_name);
    expect_errno("rename of a file with a slash after it", rename(slash, new_name), ENOTDIR, 0);
    probe_reset(file, new_name);
    expect_errno("link of a file with a slash after it", link(slash, new_name), ENOTDIR, 0);
    probe_reset(file, new_name);
    expect_errno("rename of a file to a new name with a slash after it", rename(file, new_slash),
                 ENOTDIR, 0);
    probe_reset(file, new_name);
    expect_errno("open O_CREAT of a new name with a slash after it",
                 open(new_slash, O_WRONLY | O_CREAT, 0644), EISDIR, ENOTDIR);
    if (stat(new_name, &st) == 0) {
        printf("fstree: check open O_CREAT of a new name with a slash after it: made %s: FAILED\n",
               new_name);
        fs.failed++;
    }
    unlink(new_name);
    expect_errno("mkdir of a new name with a slash after it", mkdir(new_slash, 0755), 0, 0);
    expect_errno("rename of a directory over a file with a slash after it",
                 rename(new_slash, slash), ENOTDIR, 0);
    expect_errno("rmdir of a directory with a slash after it", rmdir(new_slash), 0, 0);

    /* Symbolic links: O_CREAT|O_EXCL does not follow one (nor make its
     * target); rmdir of one to a directory is refused. */
    snprintf(other, sizeof(other), "%s/link", dir);
    if (symlink("target", other) != 0 || symlink(".", new_name) != 0) {
        fstree_fail(other);
    }
    expect_errno("open O_CREAT|O_EXCL of a dangling link",
                 open(other, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST, 0);
    snprintf(other, sizeof(other), "%s/target", dir);
    if (stat(other, &st) == 0) {
        printf("fstree: check open O_CREAT|O_EXCL of a dangling link: made %s: FAILED\n", other);
        fs.failed++;
    }
    expect_errno("rmdir of a link to a directory", rmdir(new_name), ENOTDIR, 0);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(other, sizeof(other), "%s/%s", dir, e->d_name);
            if ((e->d_type == DT_DIR ? rmdir(other) : unlink(other)) != 0) {
                fstree_fail(other);
            }
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    if (rmdir(dir) != 0) {
        fstree_fail(dir);
    }
}

/* Unlinks (a third of many/'s files), renames within many/ (some over
 * other files), across directories, of directories; rmdirs. */
static void remove_and_rename(void)
{
    for (int i = 0; i < MANY; i++) {
        if (fs.node[plan.entry[i]].type == NODE_FILE && draw(100) < 35) {
            do_remove(plan.entry[i]);
        }
    }
    do_remove(plan.file[3]);
    do_remove(plan.file[22]);

    char name[80];
    for (int k = 0; k < 40; k++) {
        int i = (int)draw(MANY);
        if (fs.node[plan.entry[i]].type == NODE_FILE) {
            snprintf(name, sizeof(name), "m%04d-%d", i, k);
            do_rename(plan.entry[i], plan.many, name);
        }
    }
    for (int k = 0; k < 5; k++) {
        int a = (int)draw(MANY);
        int b = (int)draw(MANY);
        int na = plan.entry[a], nb = plan.entry[b];
        if (a != b && fs.node[na].type == NODE_FILE && fs.node[nb].type == NODE_FILE) {
            snprintf(name, sizeof(name), "%s", fs.node[nb].name);
            do_rename(na, plan.many, name);
        }
    }

    do_rename(plan.file[5], plan.chain[20], "moved-s05");
    do_rename(plan.file[7], plan.mod, "s07");
    for (int i = 7; i < MANY; i++) {
        if (fs.node[plan.entry[i]].type == NODE_FILE) {
            do_rename(plan.entry[i], plan.mod, "from-many");
            break;
        }
    }
    do_rename(plan.chain[11], plan.top, "moved11");
    do_rename(plan.entry[150], plan.many, "renamed-dir");

    for (int i = 50; i < MANY; i += 100) {
        if ((i / 100) % 2 == 0) {
            do_remove(plan.entry[i]);
        }
    }
    do_remove(do_mkdir(plan.mod, "empty"));
    do_remove(do_mkdir(do_mkdir(plan.mod, "keep"), "gone"));

    /* A directory over an empty one; a file onto its own name. */
    int ra = do_mkdir(plan.mod, "ra");
    do_create(ra, "inside", 100, FSTREE_WRITE_SMALL);
    do_mkdir(plan.mod, "rb");
    do_rename(ra, plan.mod, "rb");
    do_rename(plan.file[9], plan.sizes, fs.node[plan.file[9]].name);
}

/* ftruncate and truncate: a file cut mid-block into its direct blocks
 * and grown again with a hole (the bytes past the cut must read as
 * zeros), one cut by path into the single indirect range of 1 KiB blocks,
 * one grown only, into the double indirect range of 4 KiB blocks. */
static void truncates(void)
{
    int n = plan.file[19];
    int fd = file_open(n, O_RDWR);
    file_truncate(n, fd, 5000 + draw(10000));
    file_truncate(n, fd, 100000);
    file_write(n, fd, 90000, 1000, FSTREE_WRITE_SMALL, true);
    file_close(n, fd);
    path_truncate(plan.file[18], 12289);
    fd = file_open(plan.file[2], O_WRONLY);
    file_truncate(plan.file[2], fd, 4 * MIB + 48 * KIB + 1);
    file_close(plan.file[2], fd);
}

/* A second name for file n's inode: parent/name. */
static void do_link(int n, int parent, const char *name)
{
    int l = node_new(parent, name, NODE_FILE);
    fs.node[l].inode = fs.node[n].inode;
    if (fs.live && link(fstree_path(n, 0), fstree_path(l, 1)) != 0) {
        snprintf(message, sizeof(message), "link %s %s", fstree_path(n, 0), fstree_path(l, 1));
        fstree_fail(message);
    }
}

static int do_symlink(int parent, const char *name, const char *target)
{
    int l = node_new(parent, name, NODE_SYMLINK);
    if (fs.symlinks == FSTREE_SYMLINKS) {
        plan_broken("symlinks");
    }
    fs.symlink[fs.symlinks++] = (symlink_target_t){ .node = l, .target = strdup(target) };
    if (fs.symlink[fs.symlinks - 1].target == NULL) {
        plan_broken("memory");
    }
    if (fs.live && symlink(target, fstree_path(l, 0)) != 0) {
        fstree_fail(fstree_path(l, 0));
    }
    return l;
}

/* Hard links (one outliving the file's first name) and symbolic links:
 * short (in the inode), long (in a block), to a directory, dangling;
 * followed in paths, and the calls on them that must fail. */
static void links(void)
{
    do_link(plan.file[10], plan.mod, "hard-s10");
    do_link(plan.file[11], plan.chain[30], "hard-s11");
    do_remove(plan.file[11]);
    char target[128] = "";
    for (int i = 0; i < 40; i++) {
        strcat(target, "./");
    }
    strcat(target, "../sizes/s04-513");
    do_symlink(plan.mod, "sym-fast", "../sizes/s02-511");
    do_symlink(plan.mod, "sym-slow", target);
    do_symlink(plan.mod, "sym-dir", "../deep");
    do_symlink(plan.mod, "sym-dangling", "/nowhere/at/all");
    do_remove(do_symlink(plan.mod, "sym-removed", "../sizes/s06-1024"));
    do_rename(do_symlink(plan.mod, "sym-to-rename", "../sizes/s08-4095"), plan.mod, "sym-renamed");
    if (!fs.live) {
        return;
    }
    struct stat st;
    const char *path = path_plus(plan.mod, "/sym-dir/d01", 0);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("fstree: %s: not a directory through the link: FAILED\n", path);
        fs.failed++;
    }
    path = path_plus(plan.mod, "/sym-slow", 0);
    if (stat(path, &st) != 0 || (uint64_t)st.st_size != fs.node[plan.file[4]].size) {
        printf("fstree: %s: not file s04 through the link: FAILED\n", path);
        fs.failed++;
    }
    expect_errno("link of a directory",
                 link(fstree_path(plan.deep, 0), path_plus(plan.mod, "/d", 1)), EPERM, 0);
    expect_errno("link to a name taken",
                 link(fstree_path(plan.file[0], 0), path_plus(plan.mod, "/hard-s10", 1)), EEXIST,
                 0);
    expect_errno("symlink to a name taken", symlink("x", path_plus(plan.mod, "/sym-fast", 0)),
                 EEXIST, 0);
    expect_errno("readlink of a file",
                 readlink(fstree_path(plan.file[0], 0), target, sizeof(target)), EINVAL, 0);
    expect_errno("open of a dangling link", open(path_plus(plan.mod, "/sym-dangling", 0), O_RDONLY),
                 ENOENT, 0);
}

/* Files unlinked while open: still read and written through the
 * descriptor, freed at its close -- the second by fstree's exit. */
static void open_unlinked(void)
{
    int n = node_new(plan.mod, "orphan", NODE_FILE);
    int fd = file_open(n, O_RDWR | O_CREAT | O_EXCL);
    file_write(n, fd, 0, 10000, FSTREE_WRITE_SMALL, false);
    do_remove(n);
    file_write(n, fd, 10000, 5000, FSTREE_WRITE_SMALL, false);
    if (fd >= 0) {
        fstree_check_read(n, fd, 0, 15000, "an unlinked file still open");
    }
    file_close(n, fd);

    n = node_new(plan.mod, "orphan-at-exit", NODE_FILE);
    fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, 0, 70000, FSTREE_WRITE_MAX, false);
    do_remove(n);
}

/* A directory emptied by unlinking each entry readdir gives while it
 * reads on (as rm -r does): every entry must come once. */
static void drain(void)
{
    int d = do_mkdir(plan.top, "drain");
    char name[160];
    for (unsigned i = 0; i < DRAIN; i++) {
        int len = snprintf(name, sizeof(name), "%03u-", i);
        memset(name + len, (int)('a' + i % 26), (i * 13) % 120);
        name[len + (int)((i * 13) % 120)] = '\0';
        do_create(d, name, 0, FSTREE_WRITE_SMALL);
    }
    if (fs.live) {
        unsigned seen = 0;
        const char *path = fstree_path(d, 0);
        DIR *dir = opendir(path);
        struct dirent *e;
        while (dir != NULL && (e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(message, sizeof(message), "%s/%s", path, e->d_name);
                if (unlink(message) != 0) {
                    fstree_fail(message);
                }
                seen++;
            }
        }
        if (dir == NULL) {
            fstree_fail(path);
        } else {
            closedir(dir);
        }
        if (seen != DRAIN) {
            printf("fstree: %s: readdir while unlinking gave %u entries of %u: FAILED\n", path,
                   seen, DRAIN);
            fs.failed++;
        }
    }
    for (int n = 0; n < fs.nodes; n++) {
        if (fs.node[n].parent == d) {
            gone(n);
        }
    }
    do_remove(d);
}

/* New files where others were: blocks and entries freed above reused. */
static void reuse(void)
{
    char name[32];
    for (int k = 0; k < 3; k++) {
        snprintf(name, sizeof(name), "reuse%d", k);
        do_create(plan.mod, name, draw(200000), FSTREE_WRITE_MAX);
    }
    for (int i = 0; i < MANY_NEW; i++) {
        snprintf(name, sizeof(name), "new%04d", i);
        do_create(plan.many, name, i % 3 == 0 ? draw(2000) : 0, FSTREE_WRITE_SMALL);
    }
}

void fstree_plan(const char *root, uint64_t seed, uint64_t big)
{
    fs.seed = seed;
    fs.rng = seed;
    plan.top = node_new(-1, root, NODE_DIR);
    if (fs.live && mkdir(root, 0755) != 0) {
        fstree_fail(root);
        return;
    }
    plan.sizes = do_mkdir(plan.top, "sizes");
    plan.sparse = do_mkdir(plan.top, "sparse");
    plan.many = do_mkdir(plan.top, "many");
    plan.deep = do_mkdir(plan.top, "deep");
    plan.mod = do_mkdir(plan.top, "mod");
    make_sizes(big);
    make_sparse();
    make_deep();
    make_many();
    rewrite(big);
    if (fs.live) {
        check_errors();
        check_trailing_slashes();
    }
    remove_and_rename();
    reuse();
    truncates();
    links();
    open_unlinked();
    drain();
    if (fs.live) {
        sync();
    }
}
