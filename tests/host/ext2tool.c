/* ext2tool: the ext2 library (user/os/fs/ext2) on the host, over an image
 * file, for tests/host/test_ext2.py and for looking at images by hand.
 *
 *   ext2tool [OPTIONS] IMAGE COMMAND ARGS...
 *
 * Options: -r read-only, -s EXT2_MOUNT_SYNC_META, -v statistics at the end
 * (stderr), -c BLOCKS cache size,
 * -t SECONDS the time stamps, -w N fail every device write after the first
 * N (a dying disk), -k N stop the process dead at write N+1 (a crash: no
 * unmount, nothing more written).
 *
 * Commands: ls, stat, cat, readat, put, write, pattern, truncate, mkdir, rm, rmdir,
 * mv, ln, symlink, readlink, chmod, df, tree, sync, and script FILE (one
 * command a line, in one mount; `expect ERRNAME COMMAND...` expects that
 * error; `open H PATH` / `close H` hold an inode open under handle H so
 * that rm leaves it to close; `crash` ends the process without unmounting;
 * `#` starts a comment). Exit status 0, or 1 with a message on stderr. */
#include "../../user/os/fs/ext2/ext2.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct image {
    int fd;
    long writes_left;  /* -w: device writes before they fail (-1: never) */
    long writes_crash; /* -k: device writes before the process dies (-1: never) */
} image_t;

#define HANDLES 16

typedef struct tool {
    ext2_fs_t fs;
    image_t image;
    struct {
        char name[32];
        uint32_t ino;
    } handles[HANDLES];
} tool_t;

static tool_t tool;

static const struct {
    int code;
    const char *name;
} errnames[] = {
    { ENOENT, "ENOENT" },       { EIO, "EIO" },
    { EEXIST, "EEXIST" },       { ENOTDIR, "ENOTDIR" },
    { EISDIR, "EISDIR" },       { EINVAL, "EINVAL" },
    { ENOSPC, "ENOSPC" },       { EROFS, "EROFS" },
    { EMLINK, "EMLINK" },       { ENAMETOOLONG, "ENAMETOOLONG" },
    { ENOTEMPTY, "ENOTEMPTY" }, { ELOOP, "ELOOP" },
    { EFBIG, "EFBIG" },         { EPERM, "EPERM" },
    { ENOMEM, "ENOMEM" },       { EBUSY, "EBUSY" },
};

static const char *errname(int rc)
{
    for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++) {
        if (errnames[i].code == -rc) {
            return errnames[i].name;
        }
    }
    return "E?";
}

/* The block device over the image file. */
static int image_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    image_t *im = ctx;
    size_t bytes = (size_t)count * 512;
    return pread(im->fd, buf, bytes, (off_t)(sector * 512)) == (ssize_t)bytes ? 0 : -EIO;
}

static int image_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    image_t *im = ctx;
    if (im->writes_crash == 0) {
        fflush(stdout);
        _exit(0); /* a crash: nothing more reaches the disk */
    }
    if (im->writes_crash > 0) {
        im->writes_crash--;
    }
    if (im->writes_left == 0) {
        return -EIO;
    }
    if (im->writes_left > 0) {
        im->writes_left--;
    }
    size_t bytes = (size_t)count * 512;
    return pwrite(im->fd, buf, bytes, (off_t)(sector * 512)) == (ssize_t)bytes ? 0 : -EIO;
}

static int image_flush(void *ctx)
{
    image_t *im = ctx;
    if (im->writes_left == 0) {
        return -EIO;
    }
    return fdatasync(im->fd) == 0 ? 0 : -EIO;
}

static void image_log(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "ext2tool: %s\n", message);
}

/* --- paths -------------------------------------------------------------- */

static int resolve(const char *path, unsigned flags, uint32_t *ino)
{
    return ext2_resolve(&tool.fs, EXT2_ROOT_INO, path, strlen(path), flags, ino);
}

static int parent_of(const char *path, uint32_t *dir, const char **name, size_t *len)
{
    return ext2_resolve_parent(&tool.fs, EXT2_ROOT_INO, path, strlen(path), dir, name, len);
}

static bool held(uint32_t ino)
{
    for (int i = 0; i < HANDLES; i++) {
        if (tool.handles[i].ino == ino) {
            return true;
        }
    }
    return false;
}

/* --- commands ------------------------------------------------------------- */

typedef int command_fn(char **argv);

static char type_char(uint16_t mode)
{
    switch (mode & 0170000) {
    case 0040000:
        return 'd';
    case 0100000:
        return 'f';
    case 0120000:
        return 'l';
    case 0020000:
        return 'c';
    case 0060000:
        return 'b';
    case 0010000:
        return 'p';
    case 0140000:
        return 's';
    default:
        return '?';
    }
}

/* The entries of a directory (all of them, "." and ".." too). */
typedef struct entry {
    uint32_t ino;
    unsigned type;
    char name[EXT2_NAME_MAX + 1];
} entry_t;

typedef struct entries {
    entry_t *v;
    size_t n, cap;
} entries_t;

static int collect(void *arg, uint32_t ino, unsigned type, const char *name, size_t len)
{
    entries_t *e = arg;
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        e->v = realloc(e->v, e->cap * sizeof(entry_t));
        if (e->v == NULL) {
            abort();
        }
    }
    e->v[e->n].ino = ino;
    e->v[e->n].type = type;
    memcpy(e->v[e->n].name, name, len);
    e->v[e->n].name[len] = '\0';
    e->n++;
    return 0;
}

/* Read a directory, resuming from the cookie after each stop; on an error
 * nothing is left allocated. */
static int list_dir(uint32_t dir, entries_t *out)
{
    uint64_t cookie = 0;
    *out = (entries_t){ 0 };
    int rc;
    while ((rc = ext2_readdir(&tool.fs, dir, &cookie, collect, out)) > 0) {
    }
    if (rc < 0) {
        free(out->v);
        *out = (entries_t){ 0 };
    }
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const entry_t *)a)->name, ((const entry_t *)b)->name);
}

static int cmd_ls(char **argv)
{
    uint32_t dir;
    entries_t e;
    int rc = resolve(argv[0], 0, &dir);
    if (rc < 0 || (rc = list_dir(dir, &e)) < 0) {
        return rc;
    }
    for (size_t i = 0; i < e.n; i++) {
        printf("%u %u %s\n", e.v[i].ino, e.v[i].type, e.v[i].name);
    }
    free(e.v);
    return 0;
}

static int cmd_stat(char **argv)
{
    uint32_t ino;
    ext2_attr_t a;
    int rc = resolve(argv[0], EXT2_RESOLVE_NOFOLLOW, &ino);
    if (rc < 0 || (rc = ext2_getattr(&tool.fs, ino, &a)) < 0) {
        return rc;
    }
    printf("ino %u\nmode %o\nnlink %u\nuid %u\ngid %u\nsize %llu\nblocks %llu\n"
           "atime %u\nmtime %u\nctime %u\n",
           a.ino, a.mode, a.nlink, a.uid, a.gid, (unsigned long long)a.size,
           (unsigned long long)a.blocks, a.atime, a.mtime, a.ctime);
    return 0;
}

/* CRC-32 (the zlib polynomial), to compare file contents with Python's
 * zlib.crc32; table-driven, files reach tens of MiB. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    if (table[1] == 0) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) {
                c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
            }
            table[i] = c;
        }
    }
    crc = ~crc;
    while (n--) {
        crc = table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
    }
    return ~crc;
}

/* Read all of a file, handing each piece to fn (stdout or a checksum). */
static int read_all(uint32_t ino, void (*fn)(void *, const uint8_t *, size_t), void *arg)
{
    static uint8_t buf[1 << 16];
    for (uint64_t off = 0;;) {
        int n = ext2_read(&tool.fs, ino, off, buf, sizeof(buf));
        if (n <= 0) {
            return n;
        }
        fn(arg, buf, (size_t)n);
        off += (uint64_t)n;
    }
}

static void to_stdout(void *arg, const uint8_t *p, size_t n)
{
    (void)arg;
    fwrite(p, 1, n, stdout);
}

static void to_crc(void *arg, const uint8_t *p, size_t n)
{
    uint32_t *crc = arg;
    *crc = crc32_update(*crc, p, n);
}

static int cmd_cat(char **argv)
{
    uint32_t ino;
    int rc = resolve(argv[0], 0, &ino);
    return rc < 0 ? rc : read_all(ino, to_stdout, NULL);
}

/* readat PATH OFFSET LEN: those bytes (fewer at the end) to stdout. */
static int cmd_readat(char **argv)
{
    uint32_t ino;
    int rc = resolve(argv[0], 0, &ino);
    uint64_t off = strtoull(argv[1], NULL, 0), len = strtoull(argv[2], NULL, 0);
    static uint8_t buf[1 << 16];
    while (rc >= 0 && len > 0) {
        rc = ext2_read(&tool.fs, ino, off, buf, len < sizeof(buf) ? (size_t)len : sizeof(buf));
        if (rc <= 0) {
            break;
        }
        fwrite(buf, 1, (size_t)rc, stdout);
        off += (uint64_t)rc;
        len -= (uint64_t)rc;
    }
    return rc < 0 ? rc : 0;
}

/* The inode at path, created (a regular file) when missing. */
static int open_or_create(const char *path, uint32_t *ino)
{
    int rc = resolve(path, 0, ino);
    if (rc != -ENOENT) {
        return rc;
    }
    uint32_t dir;
    const char *name;
    size_t len;
    if ((rc = parent_of(path, &dir, &name, &len)) < 0) {
        return rc;
    }
    return ext2_create(&tool.fs, dir, name, len, 0644, ino);
}

/* Write all of buf, as a program would: after a short write, again from
 * where it stopped (the call that makes no progress gives the error). */
static int write_fully(uint32_t ino, uint64_t offset, const uint8_t *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        int rc = ext2_write(&tool.fs, ino, offset + done, buf + done, n - done);
        if (rc <= 0) {
            return rc < 0 ? rc : -ENOSPC;
        }
        done += (size_t)rc;
    }
    return 0;
}

/* Write a host file's bytes at offset. */
static int write_host_file(uint32_t ino, uint64_t offset, const char *host)
{
    FILE *f = fopen(host, "rb");
    if (f == NULL) {
        fprintf(stderr, "ext2tool: %s: %s\n", host, strerror(errno));
        return -ENOENT;
    }
    static uint8_t buf[1 << 16];
    int rc = 0;
    size_t n;
    while (rc >= 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        rc = write_fully(ino, offset, buf, n);
        offset += n;
    }
    fclose(f);
    return rc;
}

static int cmd_put(char **argv)
{
    uint32_t ino;
    int rc = open_or_create(argv[1], &ino);
    if (rc < 0 || (rc = ext2_truncate(&tool.fs, ino, 0)) < 0) {
        return rc;
    }
    return write_host_file(ino, 0, argv[0]);
}

static int cmd_write(char **argv)
{
    uint32_t ino;
    int rc = open_or_create(argv[0], &ino);
    return rc < 0 ? rc : write_host_file(ino, strtoull(argv[1], NULL, 0), argv[2]);
}

/* The bytes `pattern` writes: a function of the seed and the position in
 * the file, so the tests can compute them (test_ext2.py, pattern()). */
static uint8_t pattern_byte(uint32_t seed, uint64_t pos)
{
    return (uint8_t)(seed * 131u + (uint32_t)pos * 7u + (uint32_t)(pos >> 10) * 13u);
}

static int cmd_pattern(char **argv)
{
    uint32_t ino;
    int rc = open_or_create(argv[0], &ino);
    uint64_t off = strtoull(argv[1], NULL, 0), len = strtoull(argv[2], NULL, 0);
    uint32_t seed = (uint32_t)strtoul(argv[3], NULL, 0);
    static uint8_t buf[1 << 16];
    while (rc >= 0 && len > 0) {
        size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
        for (size_t i = 0; i < n; i++) {
            buf[i] = pattern_byte(seed, off + i);
        }
        rc = write_fully(ino, off, buf, n);
        off += n;
        len -= n;
    }
    return rc < 0 ? rc : 0;
}

static int cmd_truncate(char **argv)
{
    uint32_t ino;
    int rc = resolve(argv[0], 0, &ino);
    return rc < 0 ? rc : ext2_truncate(&tool.fs, ino, strtoull(argv[1], NULL, 0));
}

static int cmd_mkdir(char **argv)
{
    uint32_t dir, ino;
    const char *name;
    size_t len;
    int rc = parent_of(argv[0], &dir, &name, &len);
    return rc < 0 ? rc : ext2_mkdir(&tool.fs, dir, name, len, 0755, &ino);
}

/* rm and rmdir: the library frees the inode at once unless a handle
 * holds it (then close does). */
static int remove_path(const char *path, bool dir_wanted)
{
    uint32_t dir, ino = 0, dropped = 0;
    const char *name;
    size_t len;
    int rc = parent_of(path, &dir, &name, &len);
    if (rc < 0) {
        return rc;
    }
    rc = ext2_lookup(&tool.fs, dir, name, len, &ino);
    uint32_t *keep = rc == 0 && held(ino) ? &dropped : NULL;
    return dir_wanted ? ext2_rmdir(&tool.fs, dir, name, len, keep)
                      : ext2_unlink(&tool.fs, dir, name, len, keep);
}

static int cmd_rm(char **argv)
{
    return remove_path(argv[0], false);
}

static int cmd_rmdir(char **argv)
{
    return remove_path(argv[0], true);
}

static int cmd_mv(char **argv)
{
    uint32_t od, nd, target = 0, dropped = 0;
    const char *on, *nn;
    size_t ol, nl;
    int rc = parent_of(argv[0], &od, &on, &ol);
    if (rc < 0 || (rc = parent_of(argv[1], &nd, &nn, &nl)) < 0) {
        return rc;
    }
    rc = ext2_lookup(&tool.fs, nd, nn, nl, &target);
    uint32_t *keep = rc == 0 && held(target) ? &dropped : NULL;
    return ext2_rename(&tool.fs, od, on, ol, nd, nn, nl, keep);
}

static int cmd_ln(char **argv)
{
    uint32_t ino, dir;
    const char *name;
    size_t len;
    int rc = resolve(argv[0], EXT2_RESOLVE_NOFOLLOW, &ino);
    if (rc < 0 || (rc = parent_of(argv[1], &dir, &name, &len)) < 0) {
        return rc;
    }
    return ext2_link(&tool.fs, ino, dir, name, len);
}

static int cmd_symlink(char **argv)
{
    uint32_t dir, ino;
    const char *name;
    size_t len;
    int rc = parent_of(argv[1], &dir, &name, &len);
    return rc < 0 ? rc : ext2_symlink(&tool.fs, dir, name, len, argv[0], strlen(argv[0]), &ino);
}

static int cmd_readlink(char **argv)
{
    uint32_t ino;
    char target[4096];
    int rc = resolve(argv[0], EXT2_RESOLVE_NOFOLLOW, &ino);
    if (rc < 0 || (rc = ext2_readlink(&tool.fs, ino, target, sizeof(target))) < 0) {
        return rc;
    }
    printf("%.*s\n", rc, target);
    return 0;
}

static int cmd_chmod(char **argv)
{
    uint32_t ino;
    ext2_setattr_t what = { .valid = EXT2_SET_MODE, .mode = (uint16_t)strtoul(argv[0], NULL, 8) };
    int rc = resolve(argv[1], 0, &ino);
    return rc < 0 ? rc : ext2_setattr(&tool.fs, ino, &what);
}

static int cmd_df(char **argv)
{
    (void)argv;
    ext2_statfs_t s;
    int rc = ext2_statfs(&tool.fs, &s);
    if (rc == 0) {
        printf("bsize %u blocks %llu free %llu avail %llu inodes %llu ifree %llu\n", s.block_size,
               (unsigned long long)s.blocks, (unsigned long long)s.blocks_free,
               (unsigned long long)s.blocks_avail, (unsigned long long)s.inodes,
               (unsigned long long)s.inodes_free);
    }
    return rc;
}

static int cmd_sync(char **argv)
{
    (void)argv;
    return ext2_sync(&tool.fs);
}

/* tree: every name below a directory, sorted, one line each:
 * "PATH TYPE MODE NLINK SIZE EXTRA", EXTRA the CRC-32 of a file's bytes (up
 * to TREE_CRC_MAX), a
 * link's target, "-" otherwise. A directory reached twice (a cycle or a
 * hard link to a directory) is an error, not a loop. */
#define TREE_CRC_MAX (256ull << 20) /* larger files get "-" (a sparse one may be TiBs) */

typedef struct tree_walk {
    uint8_t *seen; /* directories visited, by inode number */
    uint32_t seen_size;
} tree_walk_t;

static int tree_line(const char *path, uint32_t ino, ext2_attr_t *a)
{
    int rc = ext2_getattr(&tool.fs, ino, a);
    if (rc < 0) {
        return rc;
    }
    char extra[4200] = "-";
    if (type_char(a->mode) == 'f' && a->size <= TREE_CRC_MAX) {
        uint32_t crc = 0;
        if ((rc = read_all(ino, to_crc, &crc)) < 0) {
            return rc;
        }
        snprintf(extra, sizeof(extra), "%08x", crc);
    } else if (type_char(a->mode) == 'l') {
        char target[4096];
        if ((rc = ext2_readlink(&tool.fs, ino, target, sizeof(target))) < 0) {
            return rc;
        }
        snprintf(extra, sizeof(extra), "%.*s", rc, target);
    }
    printf("%s %c %o %u %llu %s\n", path, type_char(a->mode), a->mode & 07777, a->nlink,
           (unsigned long long)a->size, extra);
    return 0;
}

static int tree_dir(tree_walk_t *w, const char *path, uint32_t dir)
{
    if (dir >= w->seen_size || w->seen[dir]) {
        fprintf(stderr, "ext2tool: %s: directory %u reached twice\n", path, dir);
        return -EIO;
    }
    w->seen[dir] = 1;
    entries_t e;
    int rc = list_dir(dir, &e);
    if (rc < 0) {
        return rc;
    }
    qsort(e.v, e.n, sizeof(entry_t), by_name);
    for (size_t i = 0; i < e.n && rc == 0; i++) {
        if (strcmp(e.v[i].name, ".") == 0 || strcmp(e.v[i].name, "..") == 0) {
            continue;
        }
        char *child = malloc(strlen(path) + strlen(e.v[i].name) + 2);
        sprintf(child, "%s/%s", strcmp(path, "/") == 0 ? "" : path, e.v[i].name);
        ext2_attr_t a;
        rc = tree_line(child, e.v[i].ino, &a);
        if (rc == 0 && type_char(a.mode) == 'd') {
            rc = tree_dir(w, child, e.v[i].ino);
        }
        free(child);
    }
    free(e.v);
    return rc;
}

static int cmd_tree(char **argv)
{
    uint32_t dir;
    ext2_statfs_t s;
    int rc = resolve(argv[0], 0, &dir);
    if (rc < 0 || (rc = ext2_statfs(&tool.fs, &s)) < 0) {
        return rc;
    }
    tree_walk_t w = { calloc(s.inodes + 1, 1), (uint32_t)s.inodes + 1 };
    rc = tree_dir(&w, argv[0], dir);
    free(w.seen);
    return rc;
}

static int cmd_open(char **argv)
{
    for (int i = 0; i < HANDLES; i++) {
        if (tool.handles[i].ino == 0) {
            snprintf(tool.handles[i].name, sizeof(tool.handles[i].name), "%s", argv[0]);
            return resolve(argv[1], 0, &tool.handles[i].ino);
        }
    }
    return -ENOMEM;
}

static int cmd_close(char **argv)
{
    for (int i = 0; i < HANDLES; i++) {
        if (tool.handles[i].ino != 0 && strcmp(tool.handles[i].name, argv[0]) == 0) {
            uint32_t ino = tool.handles[i].ino;
            tool.handles[i].ino = 0;
            return held(ino) ? 0 : ext2_release(&tool.fs, ino);
        }
    }
    return -ENOENT;
}

/* hcat H: the contents of an open (perhaps unlinked) handle. */
static int cmd_hcat(char **argv)
{
    for (int i = 0; i < HANDLES; i++) {
        if (tool.handles[i].ino != 0 && strcmp(tool.handles[i].name, argv[0]) == 0) {
            return read_all(tool.handles[i].ino, to_stdout, NULL);
        }
    }
    return -ENOENT;
}

static int cmd_crash(char **argv)
{
    (void)argv;
    fflush(stdout);
    _exit(0);
}

static int run_script(const char *file);

static int cmd_script(char **argv)
{
    return run_script(argv[0]);
}

static const struct command {
    const char *name;
    int args;
    command_fn *fn;
} commands[] = {
    { "ls", 1, cmd_ls },
    { "stat", 1, cmd_stat },
    { "cat", 1, cmd_cat },
    { "put", 2, cmd_put },
    { "write", 3, cmd_write },
    { "pattern", 4, cmd_pattern },
    { "truncate", 2, cmd_truncate },
    { "mkdir", 1, cmd_mkdir },
    { "rm", 1, cmd_rm },
    { "rmdir", 1, cmd_rmdir },
    { "mv", 2, cmd_mv },
    { "ln", 2, cmd_ln },
    { "symlink", 2, cmd_symlink },
    { "readlink", 1, cmd_readlink },
    { "chmod", 2, cmd_chmod },
    { "df", 0, cmd_df },
    { "tree", 1, cmd_tree },
    { "sync", 0, cmd_sync },
    { "open", 2, cmd_open },
    { "close", 1, cmd_close },
    { "hcat", 1, cmd_hcat },
    { "crash", 0, cmd_crash },
    { "script", 1, cmd_script },
    { "readat", 3, cmd_readat },
};

/* Run one command (argv[0] its name); its result. */
static int run(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[0], commands[i].name) == 0) {
            if (argc - 1 != commands[i].args) {
                fprintf(stderr, "ext2tool: %s takes %d arguments\n", argv[0], commands[i].args);
                return -EINVAL;
            }
            return commands[i].fn(argv + 1);
        }
    }
    fprintf(stderr, "ext2tool: unknown command %s\n", argv[0]);
    return -EINVAL;
}

static void report(int argc, char **argv, int rc)
{
    fprintf(stderr, "ext2tool:");
    for (int i = 0; i < argc; i++) {
        fprintf(stderr, " %s", argv[i]);
    }
    fprintf(stderr, ": %s (%s)\n", strerror(-rc), errname(rc));
}

/* One script line: "[expect ERRNAME] COMMAND ARGS". 0, or the failure. */
static int run_line(char *line, int number)
{
    char *argv[16];
    int argc = 0;
    for (char *w = strtok(line, " \t\r\n"); w != NULL && argc < 16; w = strtok(NULL, " \t\r\n")) {
        argv[argc++] = w;
    }
    if (argc == 0 || argv[0][0] == '#') {
        return 0;
    }
    const char *expected = NULL;
    if (strcmp(argv[0], "expect") == 0 && argc >= 3) {
        expected = argv[1];
        memmove(argv, argv + 2, (size_t)(argc - 2) * sizeof(char *));
        argc -= 2;
    }
    int rc = run(argc, argv);
    if (expected == NULL) {
        if (rc < 0) {
            fprintf(stderr, "ext2tool: script line %d:", number);
            report(argc, argv, rc);
        }
        return rc < 0 ? rc : 0;
    }
    if (rc >= 0 || strcmp(errname(rc), expected) != 0) {
        fprintf(stderr, "ext2tool: script line %d: expected %s, got %s\n", number, expected,
                rc >= 0 ? "success" : errname(rc));
        return -EINVAL;
    }
    return 0;
}

static int run_script(const char *file)
{
    FILE *f = fopen(file, "r");
    if (f == NULL) {
        fprintf(stderr, "ext2tool: %s: %s\n", file, strerror(errno));
        return -ENOENT;
    }
    char line[8192];
    int rc = 0, number = 0;
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        rc = run_line(line, ++number);
    }
    fclose(f);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: ext2tool [-r] [-s] [-v] [-c BLOCKS] [-t SECONDS] [-w N] [-k N] IMAGE "
                    "COMMAND ARGS...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned flags = 0;
    bool show_stats = false;
    long cache_blocks = 256, now = (long)time(NULL);
    tool.image.writes_left = tool.image.writes_crash = -1;
    int opt;
    while ((opt = getopt(argc, argv, "+rsvc:t:w:k:")) != -1) {
        switch (opt) {
        case 'r':
            flags |= EXT2_MOUNT_READONLY;
            break;
        case 's':
            flags |= EXT2_MOUNT_SYNC_META;
            break;
        case 'v':
            show_stats = true;
            break;
        case 'c':
            cache_blocks = strtol(optarg, NULL, 0);
            break;
        case 't':
            now = strtol(optarg, NULL, 0);
            break;
        case 'w':
            tool.image.writes_left = strtol(optarg, NULL, 0);
            break;
        case 'k':
            tool.image.writes_crash = strtol(optarg, NULL, 0);
            break;
        default:
            usage();
        }
    }
    if (argc - optind < 2) {
        usage();
    }
    const char *path = argv[optind];
    tool.image.fd = open(path, (flags & EXT2_MOUNT_READONLY) ? O_RDONLY : O_RDWR);
    struct stat st;
    if (tool.image.fd < 0 || fstat(tool.image.fd, &st) != 0) {
        fprintf(stderr, "ext2tool: %s: %s\n", path, strerror(errno));
        return 1;
    }
    ext2_blockdev_t dev = { &tool.image, image_read, image_write,
                            image_flush, image_log,  (uint64_t)st.st_size / 512 };
    size_t cache_bytes = EXT2_CACHE_BYTES(cache_blocks, 4096);
    void *cache = malloc(cache_bytes);
    ext2_set_time(&tool.fs, (uint32_t)now); /* tool is zeroed: before mount */
    int rc = ext2_mount(&tool.fs, &dev, cache, cache_bytes, flags);
    if (rc < 0) {
        fprintf(stderr, "ext2tool: mount %s: %s (%s)\n", path, strerror(-rc), errname(rc));
        free(cache);
        return 1;
    }
    rc = run(argc - optind - 1, argv + optind + 1);
    if (rc < 0 && strcmp(argv[optind + 1], "script") != 0) {
        report(argc - optind - 1, argv + optind + 1, rc);
    }
    int urc = ext2_unmount(&tool.fs);
    if (show_stats) {
        const ext2_stats_t *c = &tool.fs.stats;
        fprintf(stderr,
                "stats: reads %llu writes %llu flushes %llu commits %llu early %llu "
                "rollbacks %llu hits %llu misses %llu\n",
                (unsigned long long)c->reads, (unsigned long long)c->writes,
                (unsigned long long)c->flushes, (unsigned long long)c->commits,
                (unsigned long long)c->early_meta, (unsigned long long)c->rollbacks,
                (unsigned long long)c->hits, (unsigned long long)c->misses);
    }
    if (urc < 0) {
        fprintf(stderr, "ext2tool: unmount: %s (%s)\n", strerror(-urc), errname(urc));
    }
    free(cache);
    fflush(stdout);
    return rc < 0 || urc < 0 ? 1 : 0;
}
