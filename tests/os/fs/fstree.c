/* fstree: make a tree of files from a seed, verify it, or print the sums
 * of any tree -- the Keel side of tests/host/test_disk.py, which checks
 * the disk afterwards with e2fsck and debugfs (docs/storage.md "Tests
 * against the host's tools").
 *
 *     fstree make SEED ROOT [BIG]     make the tree under ROOT (which must
 *                                     not exist); BIG: the big file's size
 *     fstree verify SEED ROOT [BIG]   check ROOT against what make left
 *     fstree sums ROOT                a line per entry under ROOT, sorted
 *     fstree far SEED PATH OFFSET     a file with 1000 bytes at OFFSET
 *     fstree df PATH                  statvfs of PATH's file system
 *
 * Every byte a file holds is a function of the seed, the file's stream
 * (its node and generation) and the offset (fstree_content); the host
 * computes the same. Each ends with one line, `fstree: make: N failed`,
 * `fstree: verify: N checks, M failed`, `fstree: sums: N entries` or
 * `fstree: far: N failed`, and exits 1 if something failed. */
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
#include <sys/statvfs.h>
#include <unistd.h>

/* The default big file: past 4 MiB + 48 KiB, where a file of 4 KiB blocks
 * starts needing its double indirect block. */
#define BIG_DEFAULT (4194304u + 49152u + 8192u + 777u)

/* Content is cut in units of 512 bytes: a header naming the stream and
 * the unit, then 496 bytes of the table from a place both choose. */
#define UNIT 512u
#define UNIT_HEADER 16u
#define TABLE_WORDS 1088u /* 8 KiB of places, and room for a unit after the last */
#define TABLE_PLACES 1024u
#define TABLE_SALT UINT64_C(0x7ab1e5eed0c0ffee)
#define HEADER_TAG UINT64_C(0x5eed)

fstree_t fs;
unsigned char fstree_buffer[FSTREE_BUFFER];
static unsigned char table[TABLE_WORDS * 8];

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (unsigned char)(v >> (8 * i));
    }
}

void fstree_table(uint64_t seed)
{
    uint64_t state = seed ^ TABLE_SALT;
    for (unsigned i = 0; i < TABLE_WORDS; i++) {
        put_le64(table + 8 * i, splitmix64_next(&state));
    }
}

static void unit_bytes(uint32_t stream, uint64_t unit, unsigned char *out)
{
    put_le64(out, ((uint64_t)stream << 32) | HEADER_TAG);
    put_le64(out + 8, unit);
    uint64_t place = (unit * 0x9e37u + (uint64_t)stream * 0x85ebu) % TABLE_PLACES;
    memcpy(out + UNIT_HEADER, table + place * 8, UNIT - UNIT_HEADER);
}

void fstree_content(uint32_t stream, uint64_t off, size_t len, unsigned char *out)
{
    unsigned char unit[UNIT];
    while (len > 0) {
        size_t at = (size_t)(off % UNIT);
        size_t n = UNIT - at < len ? UNIT - at : len;
        if (n == UNIT) {
            unit_bytes(stream, off / UNIT, out);
        } else {
            unit_bytes(stream, off / UNIT, unit);
            memcpy(out, unit + at, n);
        }
        out += n;
        off += n;
        len -= n;
    }
}

uint32_t fstree_stream(int node)
{
    return ((uint32_t)node << 8) | (fs.node[node].generation & 0xffu);
}

void fstree_expected(int node, uint64_t off, size_t len, unsigned char *out)
{
    memset(out, 0, len);
    for (int e = fs.node[node].first; e >= 0; e = fs.extent[e].next) {
        const extent_t *x = &fs.extent[e];
        uint64_t from = x->start > off ? x->start : off;
        uint64_t to = x->end < off + len ? x->end : off + len;
        if (from < to) {
            fstree_content(x->stream, from, (size_t)(to - from), out + (from - off));
        }
    }
}

void fstree_fail(const char *what)
{
    printf("fstree: %s: %s\n", what, strerror(errno));
    fs.failed++;
}

/* --- sums ---------------------------------------------------------------- */

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[i] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n-- > 0) {
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

/* A path as sums prints it: bytes outside '!'..'~', and '%', as %XX, so
 * that a line splits on its spaces whatever the names hold. */
static void print_path(const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        if (*p <= ' ' || *p > '~' || *p == '%') {
            printf("%%%02X", *p);
        } else {
            putchar(*p);
        }
    }
}

/* The size and CRC-32 of the file at path (following links): 0, or -1
 * after printing why. */
static int file_sum(const char *path, uint64_t *size, uint32_t *crc)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return -1;
    }
    *size = 0;
    *crc = 0;
    ssize_t n;
    while ((n = read(fd, fstree_buffer, FSTREE_BUFFER)) > 0) {
        *crc = crc_update(*crc, fstree_buffer, (size_t)n);
        *size += (uint64_t)n;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return n < 0 ? -1 : 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's entries but . and .., sorted by name (strcmp); each
 * name's d_type is the byte after its NUL. */
typedef struct listing {
    char **name;
    size_t count;
} listing_t;

/* List directory path: 0, or -1 after printing why (l then holds what
 * was read, to be freed all the same). */
static int list_dir(const char *path, listing_t *l)
{
    *l = (listing_t){ 0 };
    DIR *dir = opendir(path);
    if (dir == NULL) {
        fstree_fail(path);
        return -1;
    }
    size_t room = 0;
    struct dirent *d;
    errno = 0;
    while ((d = readdir(dir)) != NULL) {
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) {
            continue;
        }
        if (l->count == room) {
            room = room ? 2 * room : 64;
            char **names = realloc(l->name, room * sizeof(*names));
            if (names == NULL) {
                break;
            }
            l->name = names;
        }
        size_t len = strlen(d->d_name);
        char *copy = malloc(len + 2);
        if (copy == NULL) {
            break;
        }
        memcpy(copy, d->d_name, len + 1);
        copy[len + 1] = (char)d->d_type;
        l->name[l->count++] = copy;
        errno = 0;
    }
    int r = errno != 0 ? -1 : 0;
    if (r != 0) {
        fstree_fail(path);
    }
    closedir(dir);
    qsort(l->name, l->count, sizeof(*l->name), compare_names);
    return r;
}

static void free_listing(listing_t *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->name[i]);
    }
    free(l->name);
}

static unsigned sums_entries;

/* What a symbolic link at path leads to, after its line's start: its
 * target, then what stat finds there (following it). */
static void sums_link(const char *path)
{
    char target[FSTREE_PATH];
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n < 0) {
        printf(" ?\n");
        fstree_fail(path);
        return;
    }
    target[n] = '\0';
    putchar(' ');
    print_path(target);
    struct stat st;
    uint64_t size;
    uint32_t crc;
    if (stat(path, &st) != 0) {
        printf(" %s\n", errno == ENOENT ? "ENOENT" : strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        printf(" dir\n");
    } else if (file_sum(path, &size, &crc) == 0) {
        printf(" %" PRIu64 " %08" PRIx32 "\n", size, crc);
    } else {
        printf(" ?\n");
        fstree_fail(path);
    }
}

/* One line per entry under dir (path in buf, of length len), depth
 * first, each directory's entries in strcmp order:
 *     d PATH                   a directory (then its entries)
 *     f PATH SIZE CRC          a file: its size and the CRC-32 of its bytes
 *     l PATH TARGET SIZE CRC   a symbolic link, and the file it leads to
 *     l PATH TARGET dir        ... to a directory (not walked)
 *     l PATH TARGET ENOENT     ... to nothing
 * PATH relative to the root of the walk. A d_type readdir gave that is
 * not what lstat says is a failure. */
static void sums_walk(char *buf, size_t len, size_t root_len)
{
    listing_t l;
    if (list_dir(buf, &l) != 0) {
        free_listing(&l);
        return;
    }
    for (size_t i = 0; i < l.count; i++) {
        size_t name_len = strlen(l.name[i]);
        unsigned char dtype = (unsigned char)l.name[i][name_len + 1];
        if (len + 1 + name_len >= FSTREE_PATH) {
            errno = ENAMETOOLONG;
            fstree_fail(l.name[i]);
            continue;
        }
        buf[len] = '/';
        memcpy(buf + len + 1, l.name[i], name_len + 1);
        sums_entries++;
        struct stat st;
        if (lstat(buf, &st) != 0) {
            fstree_fail(buf);
            buf[len] = '\0';
            continue;
        }
        unsigned char type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
        if (type != dtype) {
            printf("fstree: %s: readdir's type %u, lstat's %u: FAILED\n", buf, dtype, type);
            fs.failed++;
        }
        printf("%s ", type == DT_LNK ? "l" : type == DT_DIR ? "d" : "f");
        print_path(buf + root_len + 1);
        uint64_t size;
        uint32_t crc;
        if (type == DT_LNK) {
            sums_link(buf);
        } else if (type == DT_DIR) {
            printf("\n");
            sums_walk(buf, len + 1 + name_len, root_len);
        } else if (file_sum(buf, &size, &crc) == 0) {
            printf(" %" PRIu64 " %08" PRIx32 "\n", size, crc);
        } else {
            printf(" ?\n");
            fstree_fail(buf);
        }
        buf[len] = '\0';
    }
    free_listing(&l);
}

static int sums(const char *root)
{
    static char buf[FSTREE_PATH];
    size_t len = strlen(root);
    while (len > 1 && root[len - 1] == '/') {
        len--;
    }
    if (len >= FSTREE_PATH) {
        errno = ENAMETOOLONG;
        fstree_fail(root);
        return 1;
    }
    memcpy(buf, root, len);
    buf[len] = '\0';
    crc_init();
    sums_walk(buf, len, len);
    printf("fstree: sums: %u entries\n", sums_entries);
    return fs.failed ? 1 : 0;
}

/* --- far ------------------------------------------------------------------ */

/* fstree far SEED PATH OFFSET: a new file of FAR_LENGTH bytes of stream
 * FAR_STREAM at OFFSET, with a hole before them (past 4 GiB: the large
 * file size, the triple indirect block); read back; then a write past the
 * largest file ext2 can hold must fail (EFBIG, or EINVAL from the lseek)
 * and leave the size alone. The host finds the bytes in the image. */
#define FAR_STREAM 0xfa7u
#define FAR_LENGTH 1000u
#define FAR_BEFORE 100u /* zeros read back before them */
#define FAR_TOO_FAR (UINT64_C(1) << 50)

static void far_expect(const char *path, bool ok, const char *what)
{
    if (!ok) {
        printf("fstree: %s: %s: FAILED\n", path, what);
        fs.failed++;
    }
}

static int far(const char *path, uint64_t off)
{
    errno = EINVAL; /* an offset with no room for the zeros before */
    int fd = off < FAR_BEFORE ? -1 : open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        fstree_fail(path);
        printf("fstree: far: %u failed\n", fs.failed);
        return 1;
    }
    unsigned char *data = fstree_buffer, *back = fstree_buffer + FAR_BEFORE + FAR_LENGTH;
    memset(data, 0, FAR_BEFORE);
    fstree_content(FAR_STREAM, off, FAR_LENGTH, data + FAR_BEFORE);
    if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off ||
        write(fd, data + FAR_BEFORE, FAR_LENGTH) != FAR_LENGTH) {
        fstree_fail(path);
    }
    struct stat st;
    far_expect(path, fstat(fd, &st) == 0 && (uint64_t)st.st_size == off + FAR_LENGTH,
               "size after the write");
    size_t got = 0;
    ssize_t r = 1;
    if (lseek(fd, (off_t)(off - FAR_BEFORE), SEEK_SET) == (off_t)(off - FAR_BEFORE)) {
        while (got < FAR_BEFORE + FAR_LENGTH &&
               (r = read(fd, back + got, FAR_BEFORE + FAR_LENGTH - got)) > 0) {
            got += (size_t)r;
        }
    }
    far_expect(path, got == FAR_BEFORE + FAR_LENGTH && memcmp(data, back, got) == 0,
               "the hole's end and the bytes read back");
    errno = 0;
    off_t at = lseek(fd, (off_t)FAR_TOO_FAR, SEEK_SET);
    if (at == (off_t)FAR_TOO_FAR) {
        ssize_t w = write(fd, "x", 1);
        if (w >= 0 || errno != EFBIG) {
            printf("fstree: %s: a write at 2^50: %s, want EFBIG: FAILED\n", path,
                   w >= 0 ? "written" : strerror(errno));
            fs.failed++;
        }
    } else if (errno != EINVAL) {
        fstree_fail("lseek to 2^50");
    }
    far_expect(path, fstat(fd, &st) == 0 && (uint64_t)st.st_size == off + FAR_LENGTH,
               "size after the write past the largest file");
    if (close(fd) != 0) {
        fstree_fail(path);
    }
    printf("fstree: far: %u failed\n", fs.failed);
    return fs.failed ? 1 : 0;
}

/* --- df ------------------------------------------------------------------- */

/* fstree df PATH: statvfs of the file system holding PATH, in one line the
 * host compares with dumpe2fs. */
static int df(const char *path)
{
    struct statvfs v;
    if (statvfs(path, &v) != 0) {
        fstree_fail(path);
        return 1;
    }
    printf("fstree: df: bsize %lu blocks %llu bfree %llu bavail %llu files %llu ffree %llu\n",
           v.f_bsize, (unsigned long long)v.f_blocks, (unsigned long long)v.f_bfree,
           (unsigned long long)v.f_bavail, (unsigned long long)v.f_files,
           (unsigned long long)v.f_ffree);
    return 0;
}

/* --- main ---------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: fstree make SEED ROOT [BIG]\n"
                    "       fstree verify SEED ROOT [BIG]\n"
                    "       fstree sums ROOT\n"
                    "       fstree far SEED PATH OFFSET\n"
                    "       fstree df PATH\n");
    return 2;
}

static bool number(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    *out = v;
    return errno == 0 && end != s && *end == '\0' && s[0] != '-';
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "sums") == 0) {
        return sums(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "df") == 0) {
        return df(argv[2]);
    }
    uint64_t seed, big = BIG_DEFAULT;
    if (argc == 5 && strcmp(argv[1], "far") == 0) {
        uint64_t off;
        if (!number(argv[2], &seed) || !number(argv[4], &off)) {
            return usage();
        }
        fstree_table(seed);
        return far(argv[3], off);
    }
    if ((argc != 4 && argc != 5) || !number(argv[2], &seed) ||
        (argc == 5 && !number(argv[4], &big))) {
        return usage();
    }
    bool make = strcmp(argv[1], "make") == 0;
    if (!make && strcmp(argv[1], "verify") != 0) {
        return usage();
    }
    fstree_table(seed);
    fs.live = make;
    fstree_plan(argv[3], seed, big);
    if (make) {
        printf("fstree: make: %u failed\n", fs.failed);
        return fs.failed ? 1 : 0;
    }
    return fstree_verify() ? 1 : 0;
}
