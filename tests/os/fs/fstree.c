/* fstree: make a tree of files from a seed, verify it, or print the sums
 * of any tree -- the Keel side of tests/host/test_disk.py, which checks
 * the disk afterwards with e2fsck and debugfs (docs/storage.md "Tests
 * against the host's tools").
 *
 *     fstree make SEED ROOT [BIG]     make the tree under ROOT (which must
 *                                     not exist); BIG: the big file's size
 *     fstree verify SEED ROOT [BIG]   check ROOT against what make left
 *     fstree sums ROOT                a line per entry under ROOT, sorted
 *
 * Every byte a file holds is a function of the seed, the file's stream
 * (its node and generation) and the offset (fstree_content); the host
 * computes the same. Each ends with one line, `fstree: make: N failed`,
 * `fstree: verify: N checks, M failed` or `fstree: sums: N entries`, and
 * exits 1 if something failed. */
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

#ifndef DT_LNK
#define DT_LNK 10 /* ext2's symbolic links, as vfs's getdents gives them */
#endif

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

int fstree_list(const char *path, listing_t *l)
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

void fstree_list_free(listing_t *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->name[i]);
    }
    free(l->name);
}

static unsigned sums_entries;

/* One line per entry under dir (path in buf, of length len), depth
 * first, each directory's entries in strcmp order:
 *     d PATH            a directory (then its entries)
 *     f PATH SIZE CRC   a file: its size and the CRC-32 of its bytes
 *     l PATH SIZE CRC   a symbolic link to a file (what open reads)
 *     l PATH dir        ... to a directory (not followed further)
 *     l PATH ERRNO      ... that stat cannot follow (ENOENT: dangling)
 * PATH relative to the root of the walk. */
static void sums_walk(char *buf, size_t len, size_t root_len)
{
    listing_t l;
    if (fstree_list(buf, &l) != 0) {
        fstree_list_free(&l);
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
        struct stat st = { 0 };
        int r = stat(buf, &st);
        int err = errno;
        const char *kind = dtype == DT_LNK ? "l" : S_ISDIR(st.st_mode) ? "d" : "f";
        sums_entries++;
        if (r != 0 && dtype != DT_LNK) {
            fstree_fail(buf);
            continue;
        }
        printf("%s ", kind);
        print_path(buf + root_len + 1);
        uint64_t size;
        uint32_t crc;
        if (r != 0) {
            printf(" %s\n", err == ENOENT ? "ENOENT" : strerror(err));
        } else if (S_ISDIR(st.st_mode)) {
            printf(dtype == DT_LNK ? " dir\n" : "\n");
            if (dtype != DT_LNK) {
                sums_walk(buf, len + 1 + name_len, root_len);
            }
        } else if (file_sum(buf, &size, &crc) == 0) {
            printf(" %" PRIu64 " %08" PRIx32 "\n", size, crc);
        } else {
            printf(" ?\n");
            fstree_fail(buf);
        }
        buf[len] = '\0';
    }
    fstree_list_free(&l);
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

/* --- main ---------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: fstree make SEED ROOT [BIG]\n"
                    "       fstree verify SEED ROOT [BIG]\n"
                    "       fstree sums ROOT\n");
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
    uint64_t seed, big = BIG_DEFAULT;
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
