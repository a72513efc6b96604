/* fstree verify: the tree on the disk against the model the plan left
 * (fstree_plan with fs.live false): every node there with its type, size,
 * link count and bytes (holes read as zeros), every directory holding
 * exactly the model's names with their types. */
#include "fstree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_SIZE (32u << 10) /* a read's most: libos's data window */
#define NAMES_SHOWN 10                /* names missing or extra shown per directory */

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

/* The file's bytes, read to its end, against the model's. */
static void check_content(int n)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fstree_fail(path);
        return;
    }
    unsigned char *got = fstree_buffer, *want = fstree_buffer + READ_SIZE;
    uint64_t off = 0;
    ssize_t r;
    while ((r = read(fd, got, READ_SIZE)) > 0) {
        if (off + (uint64_t)r > fs.node[n].size) {
            bad("read %zd bytes at %" PRIu64 ", past its size %" PRIu64, r, off, fs.node[n].size);
            break;
        }
        fstree_expected(n, off, (size_t)r, want);
        if (memcmp(got, want, (size_t)r) != 0) {
            size_t i = 0;
            while (got[i] == want[i]) {
                i++;
            }
            bad("byte %" PRIu64 " is 0x%02x, want 0x%02x", off + i, got[i], want[i]);
            break;
        }
        off += (uint64_t)r;
    }
    if (r < 0) {
        fstree_fail(path);
    } else if (r == 0 && off != fs.node[n].size) {
        bad("read %" PRIu64 " bytes to the end, size %" PRIu64, off, fs.node[n].size);
    }
    close(fd);
}

static int compare_nodes(const void *a, const void *b)
{
    return strcmp(fs.node[*(const int *)a].name, fs.node[*(const int *)b].name);
}

/* Directory n's entries: the model's names, each with its type. */
static void check_listing(int n)
{
    listing_t l;
    if (fstree_list(path, &l) != 0) {
        fstree_list_free(&l);
        return;
    }
    size_t count = 0;
    for (int c = 0; c < fs.nodes; c++) {
        count += fs.node[c].type != NODE_GONE && fs.node[c].parent == n;
    }
    int *child = malloc((count + 1) * sizeof(*child));
    if (child == NULL) {
        bad("out of memory");
        fstree_list_free(&l);
        return;
    }
    size_t k = 0;
    for (int c = 0; c < fs.nodes; c++) {
        if (fs.node[c].type != NODE_GONE && fs.node[c].parent == n) {
            child[k++] = c;
        }
    }
    qsort(child, count, sizeof(*child), compare_nodes);
    size_t i = 0, j = 0;
    unsigned shown = 0;
    while (i < l.count || j < count) {
        const char *want = j < count ? fs.node[child[j]].name : NULL;
        int order = i == l.count ? 1 : j == count ? -1 : strcmp(l.name[i], want);
        if (order < 0) {
            if (shown++ < NAMES_SHOWN) {
                bad("holds %s, which it should not", l.name[i]);
            }
            i++;
        } else if (order > 0) {
            if (shown++ < NAMES_SHOWN) {
                bad("lacks %s", want);
            }
            j++;
        } else {
            unsigned char type = (unsigned char)l.name[i][strlen(l.name[i]) + 1];
            unsigned char type_want = fs.node[child[j]].type == NODE_DIR ? DT_DIR : DT_REG;
            if (type != type_want) {
                bad("entry %s has type %u, want %u", want, type, type_want);
            }
            i++;
            j++;
        }
    }
    checks++;
    free(child);
    fstree_list_free(&l);
}

static void check_node(int n)
{
    snprintf(path, sizeof(path), "%s", fstree_path(n, 0));
    struct stat st;
    checks++;
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
    if (!S_ISREG(st.st_mode)) {
        bad("not a file (mode 0%o)", (unsigned)st.st_mode);
        return;
    }
    if (st.st_nlink != 1) {
        bad("%u links, want 1", (unsigned)st.st_nlink);
    }
    if ((uint64_t)st.st_size != fs.node[n].size) {
        bad("size %" PRIu64 ", want %" PRIu64, (uint64_t)st.st_size, fs.node[n].size);
    }
    check_content(n);
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
