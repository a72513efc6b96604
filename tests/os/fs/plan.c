/* fstree's plan: the tree `fstree make` writes and `fstree verify`
 * expects, one sequence of steps drawn from the seed, done on the disk
 * (fs.live) and always in the model (fs.node, fs.extent). The host's copy
 * is tests/host/fstree_model.py plan(): the same steps and draws in the
 * same order. */
#include "fstree.h"

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
        const char *name = fs.node[chain[i]].name;
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
    fs.node[n] = (node_t){ .parent = parent, .name = copy, .type = type, .first = -1, .last = -1 };
    return n;
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
    int e = fs.extents++;
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
    const char *path = fstree_path(n, 0);
    if (seek && lseek(fd, (off_t)off, SEEK_SET) != (off_t)off) {
        fstree_fail(path);
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
            fstree_fail(path);
            return;
        }
        if ((uint64_t)done != chunk) {
            printf("fstree: %s: write of %" PRIu64 " bytes at %" PRIu64 " wrote %zd\n", path, chunk,
                   pos, done);
            fs.failed++;
            return;
        }
        pos += chunk;
    }
}

static int do_create(int parent, const char *name, uint64_t len, uint32_t limit)
{
    int n = node_new(parent, name, NODE_FILE);
    int fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, 0, len, limit, false);
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
    fs.node[n].type = NODE_GONE;
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
    int there = child_named(parent, name);
    if (there >= 0 && there != n) {
        fs.node[there].type = NODE_GONE;
    }
    free(fs.node[n].name);
    fs.node[n].name = strdup(name);
    if (fs.node[n].name == NULL) {
        plan_broken("memory");
    }
    fs.node[n].parent = parent;
}

/* Files of every size; six of random sizes; the big one. Odd ones are
 * written in calls of up to 5000 bytes, the others in calls of up to 80
 * KiB, which libos splits at its window. */
static void make_sizes(uint64_t big)
{
    char name[64];
    unsigned i;
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        snprintf(name, sizeof(name), "s%02u-%" PRIu32, i, sizes[i]);
        plan.file[i] = do_create(plan.sizes, name, sizes[i],
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

/* Files with holes: writes past the end after lseek. */
static void make_sparse(void)
{
    int n = node_new(plan.sparse, "hole-start", NODE_FILE);
    int fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, MIB + 7, 100, FSTREE_WRITE_SMALL, true);
    file_close(n, fd);

    n = node_new(plan.sparse, "hole-double", NODE_FILE);
    fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, 0, 10, FSTREE_WRITE_SMALL, false);
    file_write(n, fd, 4 * MIB + 48 * KIB + 3 * 4096 + 5, 5000, FSTREE_WRITE_SMALL, true);
    file_close(n, fd);

    n = node_new(plan.sparse, "scattered", NODE_FILE);
    fd = file_open(n, O_RDWR | O_CREAT | O_EXCL);
    for (int k = 0; k < 6; k++) {
        uint64_t off = draw(8 * MIB);
        uint64_t len = 1 + draw(20000);
        file_write(n, fd, off, len, FSTREE_WRITE_SMALL, true);
    }
    file_close(n, fd);

    /* An lseek past the end alone does not make the file longer. */
    n = node_new(plan.sparse, "seek-no-write", NODE_FILE);
    fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, 0, 100, FSTREE_WRITE_SMALL, false);
    if (fd >= 0 && lseek(fd, MIB, SEEK_CUR) != (off_t)(MIB + 100)) {
        fstree_fail("lseek SEEK_CUR past the end");
    }
    file_close(n, fd);

    /* Past 64 MiB + 268 KiB: triple indirect with 1 KiB blocks. */
    n = node_new(plan.sparse, "far", NODE_FILE);
    fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, 64 * MIB + 300 * KIB + 3, 1, FSTREE_WRITE_SMALL, true);
    file_close(n, fd);

    /* A hole filled afterwards. */
    n = node_new(plan.sparse, "filled", NODE_FILE);
    fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, 12388, 50, FSTREE_WRITE_SMALL, true);
    file_write(n, fd, 0, 12388, FSTREE_WRITE_SMALL, true);
    file_close(n, fd);

    /* A hole inside one block. */
    n = node_new(plan.sparse, "hole-in-block", NODE_FILE);
    fd = file_open(n, O_WRONLY | O_CREAT | O_EXCL);
    file_write(n, fd, 0, 1000, FSTREE_WRITE_SMALL, false);
    file_write(n, fd, 3000, 1000, FSTREE_WRITE_SMALL, true);
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
        int fd = file_open(n, O_WRONLY | O_TRUNC);
        next_generation(n);
        fs.node[n].size = 0;
        fs.node[n].first = fs.node[n].last = -1;
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
}

/* A call that must fail with errno `want` (or `also`, when not 0). */
static void expect_errno(const char *what, long r, int want, int also)
{
    if (r >= 0) {
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
    expect_errno("open of a file with a slash after it", open(path_plus(plan.file[1], "/", 0), O_RDONLY),
                 ENOTDIR, 0);
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
        close(fd);
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

#include <time.h>
static void lap(const char *what)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("TIMING %s %lld.%03ld\n", what, (long long)t.tv_sec, t.tv_nsec / 1000000);
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
    lap("make_sizes(big);");
    make_sparse();
    lap("make_sparse();");
    make_deep();
    lap("make_deep();");
    make_many();
    lap("make_many();");
    rewrite(big);
    lap("rewrite(big);");
    if (fs.live) {
        check_errors();
    }
    remove_and_rename();
    lap("remove_and_rename();");
    reuse();
    lap("reuse();");
}
