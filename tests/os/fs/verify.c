/* fstree verify: the tree on the disk against the model the plan left
 * (fstree_plan with fs.live false): every name there with its type; a
 * file's size, link count and bytes (holes read as zeros; a hard link's
 * are its inode's), read through and at drawn places; a symbolic link's
 * target; every directory holding exactly the model's names, each once,
 * with their d_type. */
#include "fstree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <splitmix64.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_SIZE (32u << 10) /* a read's most: libos's data window */
#define NAMES_SHOWN 10        /* names missing or extra shown per directory */

static unsigned checks;
static char path[FSTREE_PATH];

static void bad(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    printf("fstree: verify %s: ", path);
    vprintf(fmt, args);
    printf(": FAILED\n");
    va_end(args);
    fs.failed++;
}

bool fstree_check_read(int n, int fd, uint64_t off, uint64_t len, const char *what)
{
    unsigned char *got = fstree_buffer, *want = fstree_buffer + READ_SIZE;
    if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off) {
        fstree_fail(what);
        return false;
    }
    while (len > 0) {
        ssize_t r = read(fd, got, len < READ_SIZE ? (size_t)len : READ_SIZE);
        if (r <= 0) {
            if (r < 0) {
                fstree_fail(what);
            } else {
                printf("fstree: %s: end of file at %" PRIu64 ", %" PRIu64 " bytes early: FAILED\n",
                       what, off, len);
                fs.failed++;
            }
            return false;
        }
        fstree_expected(n, off, (size_t)r, want);
        if (memcmp(got, want, (size_t)r) != 0) {
            size_t i = 0;
            while (got[i] == want[i]) {
                i++;
            }
            printf("fstree: %s: byte %" PRIu64 " is 0x%02x, want 0x%02x: FAILED\n", what, off + i,
                   got[i], want[i]);
            fs.failed++;
            return false;
        }
        off += (uint64_t)r;
        len -= (uint64_t)r;
    }
    return true;
}

/* The file's bytes, read from the start to its end (where a read gives
 * 0), then a few reads at places drawn from the node's number (none of
 * the plan's draws), and SEEK_END at its size. */
static void check_content(int n)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fstree_fail(path);
        return;
    }
    uint64_t size = fs.node[n].size;
    if (fstree_check_read(n, fd, 0, size, path)) {
        ssize_t r = read(fd, fstree_buffer, 1);
        if (r != 0) {
            bad("a read at its end gave %zd", r);
        }
        uint64_t state = (uint64_t)n;
        for (int k = 0; k < 3 && size > 0; k++) {
            uint64_t off = splitmix64_next(&state) % size;
            uint64_t len = 1 + splitmix64_next(&state) % 70000;
            fstree_check_read(n, fd, off, len < size - off ? len : size - off, path);
        }
        off_t end = lseek(fd, 0, SEEK_END);
        if (end != (off_t)size) {
            bad("lseek SEEK_END gave %lld", (long long)end);
        }
    }
    close(fd);
}

static int compare_nodes(const void *a, const void *b)
{
    return strcmp(fs.node[*(const int *)a].name, fs.node[*(const int *)b].name);
}

static const char *wanted_name;

static int compare_wanted(const void *key, const void *member)
{
    (void)key;
    return strcmp(wanted_name, fs.node[*(const int *)member].name);
}

/* Directory n's entries, as readdir gives them: the model's names, each
 * once, with its type. Nothing is copied: each name is looked up among
 * the model's, sorted. */
static void check_listing(int n)
{
    size_t count = 0;
    for (int c = 0; c < fs.nodes; c++) {
        count += fs.node[c].type != NODE_GONE && fs.node[c].parent == n;
    }
    int *child = malloc((count + 1) * sizeof(*child));
    unsigned char *seen = calloc(count + 1, 1);
    DIR *dir = opendir(path);
    if (child == NULL || seen == NULL || dir == NULL) {
        fstree_fail(path);
        goto out;
    }
    size_t k = 0;
    for (int c = 0; c < fs.nodes; c++) {
        if (fs.node[c].type != NODE_GONE && fs.node[c].parent == n) {
            child[k++] = c;
        }
    }
    qsort(child, count, sizeof(*child), compare_nodes);
    unsigned shown = 0;
    struct dirent *d;
    errno = 0;
    while ((d = readdir(dir)) != NULL) {
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) {
            continue;
        }
        wanted_name = d->d_name;
        int *found = bsearch(d->d_name, child, count, sizeof(*child), compare_wanted);
        if (found == NULL || seen[found - child]) {
            if (shown++ < NAMES_SHOWN) {
                bad(found == NULL ? "holds %s, which it should not" : "gives %s twice", d->d_name);
            }
        } else {
            seen[found - child] = 1;
            unsigned type = fs.node[*found].type;
            unsigned char want = type == NODE_DIR ? DT_DIR : type == NODE_SYMLINK ? DT_LNK : DT_REG;
            if (d->d_type != want) {
                bad("entry %s has type %u, want %u", d->d_name, d->d_type, want);
            }
        }
        errno = 0;
    }
    if (errno != 0) {
        fstree_fail(path);
    }
    for (size_t j = 0; j < count; j++) {
        if (!seen[j] && shown++ < NAMES_SHOWN) {
            bad("lacks %s", fs.node[child[j]].name);
        }
    }
    checks++;
out:
    if (dir != NULL) {
        closedir(dir);
    }
    free(child);
    free(seen);
}

/* A symbolic link: itself (lstat), its target (readlink). */
static void check_symlink(int n)
{
    struct stat st;
    char target[FSTREE_PATH];
    const char *want = fstree_target(n);
    if (lstat(path, &st) != 0) {
        fstree_fail(path);
        return;
    }
    if (!S_ISLNK(st.st_mode)) {
        bad("not a symbolic link (mode 0%o)", (unsigned)st.st_mode);
        return;
    }
    if ((uint64_t)st.st_size != strlen(want)) {
        bad("size %" PRIu64 ", want %zu", (uint64_t)st.st_size, strlen(want));
    }
    ssize_t r = readlink(path, target, sizeof(target));
    if (r < 0) {
        fstree_fail(path);
    } else if ((size_t)r != strlen(want) || memcmp(target, want, (size_t)r) != 0) {
        bad("readlink gave %.*s, want %s", (int)r, target, want);
    }
}

static void check_node(int n)
{
    snprintf(path, sizeof(path), "%s", fstree_path(n, 0));
    struct stat st;
    checks++;
    if (fs.node[n].type == NODE_SYMLINK) {
        check_symlink(n);
        return;
    }
    if (stat(path, &st) != 0) {
        fstree_fail(path);
        return;
    }
    if (fs.node[n].type == NODE_DIR) {
        unsigned subdirs = 0;
        for (int c = 0; c < fs.nodes; c++) {
            subdirs += fs.node[c].type == NODE_DIR && fs.node[c].parent == n;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad("not a directory (mode 0%o)", (unsigned)st.st_mode);
            return;
        }
        if (st.st_nlink != 2 + subdirs) {
            bad("%u links, want %u", (unsigned)st.st_nlink, 2 + subdirs);
        }
        check_listing(n);
        return;
    }
    int inode = fs.node[n].inode;
    if (!S_ISREG(st.st_mode)) {
        bad("not a file (mode 0%o)", (unsigned)st.st_mode);
        return;
    }
    if (st.st_nlink != fstree_names(inode)) {
        bad("%u links, want %u", (unsigned)st.st_nlink, fstree_names(inode));
    }
    if ((uint64_t)st.st_size != fs.node[inode].size) {
        bad("size %" PRIu64 ", want %" PRIu64, (uint64_t)st.st_size, fs.node[inode].size);
    }
    check_content(inode);
    checks++;
}

unsigned fstree_verify(void)
{
    for (int n = 0; n < fs.nodes; n++) {
        if (fs.node[n].type != NODE_GONE) {
            check_node(n);
        }
    }
    printf("fstree: verify: %u checks, %u failed\n", checks, fs.failed);
    return fs.failed;
}
