/* The tree of vfs (docs/os.md "vfs"): nodes in a fixed table, a directory's
 * entries are the linked nodes whose parent it is, and regular files keep
 * their bytes in blocks of a fixed pool. /bin's files point into the
 * archive region rs maps (read-only); /dev holds the devices. */
#include "vfs.h"

#include <errno.h>
#include <keel/os/archive.h>
#include <stdio.h>
#include <string.h>

node_t nodes[NODE_MAX];
static unsigned char blocks[BLOCK_COUNT][BLOCK_SIZE];
static bool block_used[BLOCK_COUNT];

static long node_alloc(void)
{
    for (int i = 0; i < NODE_MAX; i++) {
        if (nodes[i].type == NODE_FREE) {
            memset(&nodes[i], 0, sizeof(nodes[i]));
            memset(nodes[i].block, 0xff, sizeof(nodes[i].block));
            return i;
        }
    }
    return -ENOSPC;
}

static void node_free(uint16_t n)
{
    tree_truncate(&nodes[n], 0);
    nodes[n].type = NODE_FREE;
}

long tree_new(uint16_t dir, const char *name, uint8_t type, uint16_t mode)
{
    size_t len = strlen(name);
    if (len == 0 || len > NODE_NAME_MAX) {
        return -ENAMETOOLONG;
    }
    long n = node_alloc();
    if (n < 0) {
        return n;
    }
    node_t *nd = &nodes[n];
    nd->type = type;
    nd->parent = dir;
    nd->mode = mode & 07777;
    nd->linked = true;
    memcpy(nd->name, name, len + 1);
    return n;
}

void tree_ref(uint16_t n)
{
    nodes[n].refs++;
}

void tree_unref(uint16_t n)
{
    if (--nodes[n].refs == 0 && !nodes[n].linked) {
        node_free(n);
    }
}

long tree_find_child(uint16_t dir, const char *name, size_t len)
{
    for (int i = 1; i < NODE_MAX; i++) {
        const node_t *nd = &nodes[i];
        if (nd->type != NODE_FREE && nd->linked && nd->parent == dir &&
            strncmp(nd->name, name, len) == 0 && nd->name[len] == '\0') {
            return i;
        }
    }
    return -ENOENT;
}

/* One step of a walk from `at` by the component name[0..len). */
static long step(uint16_t at, const char *name, size_t len)
{
    if (nodes[at].type != NODE_DIR || !nodes[at].linked) {
        return nodes[at].type == NODE_DIR ? -ENOENT : -ENOTDIR;
    }
    if (len > NODE_NAME_MAX) {
        return -ENAMETOOLONG;
    }
    if (len == 1 && name[0] == '.') {
        return at;
    }
    if (len == 2 && name[0] == '.' && name[1] == '.') {
        return nodes[at].parent;
    }
    return tree_find_child(at, name, len);
}

/* Walk every component of path but the last; *last is the last one (empty
 * for "/"; it may end in slashes). -ENOENT if the last one's directory was
 * removed (a process's directory lives on until it leaves). */
long tree_lookup_parent(uint16_t cwd, const char *path, uint16_t *dir, const char **last)
{
    uint16_t at = path[0] == '/' ? ROOT_NODE : cwd;
    const char *p = path;
    for (;;) {
        while (*p == '/') {
            p++;
        }
        const char *end = strchr(p, '/');
        const char *rest = end;
        while (rest != NULL && *rest == '/') {
            rest++;
        }
        if (end == NULL || *rest == '\0') {
            size_t len = end == NULL ? strlen(p) : (size_t)(end - p);
            if (len > NODE_NAME_MAX) {
                return -ENAMETOOLONG;
            }
            if (nodes[at].type != NODE_DIR) {
                return -ENOTDIR;
            }
            if (!nodes[at].linked) {
                return -ENOENT; /* a removed directory takes no new entries */
            }
            *dir = at;
            *last = p;
            return 0;
        }
        long next = step(at, p, (size_t)(end - p));
        if (next < 0) {
            return next;
        }
        at = (uint16_t)next;
        p = rest;
    }
}

/* The length of the last component (it may end in slashes). */
static size_t last_len(const char *last)
{
    const char *slash = strchr(last, '/');
    return slash == NULL ? strlen(last) : (size_t)(slash - last);
}

long tree_lookup(uint16_t cwd, const char *path, uint16_t *out)
{
    uint16_t dir;
    const char *last;
    long r = tree_lookup_parent(cwd, path, &dir, &last);
    if (r < 0) {
        return r;
    }
    size_t len = last_len(last);
    long n = len == 0 ? dir : step(dir, last, len);
    if (n < 0) {
        return n;
    }
    if (last[len] == '/' && nodes[n].type != NODE_DIR) {
        return -ENOTDIR;
    }
    *out = (uint16_t)n;
    return 0;
}

long tree_read(node_t *n, uint64_t offset, void *buf, size_t length)
{
    if (offset >= n->size) {
        return 0;
    }
    size_t count = length < n->size - offset ? length : (size_t)(n->size - offset);
    if (n->rodata != NULL) {
        memcpy(buf, n->rodata + offset, count);
        return (long)count;
    }
    for (size_t done = 0; done < count;) {
        uint64_t at = offset + done;
        size_t in_block = BLOCK_SIZE - at % BLOCK_SIZE;
        size_t chunk = count - done < in_block ? count - done : in_block;
        int16_t b = n->block[at / BLOCK_SIZE];
        if (b < 0) {
            memset((unsigned char *)buf + done, 0, chunk);
        } else {
            memcpy((unsigned char *)buf + done, blocks[b] + at % BLOCK_SIZE, chunk);
        }
        done += chunk;
    }
    return (long)count;
}

static long block_alloc(void)
{
    for (int i = 0; i < BLOCK_COUNT; i++) {
        if (!block_used[i]) {
            block_used[i] = true;
            memset(blocks[i], 0, BLOCK_SIZE);
            return i;
        }
    }
    return -ENOSPC;
}

/* Write what fits below FILE_MAX and in the pool; -ENOSPC (-EFBIG at the
 * size limit) only if not one byte could be written. */
long tree_write(node_t *n, uint64_t offset, const void *buf, size_t length)
{
    if (n->rodata != NULL) {
        return -EROFS;
    }
    size_t done = 0;
    while (done < length) {
        uint64_t at = offset + done;
        if (at >= FILE_MAX) {
            if (done == 0) {
                return -EFBIG;
            }
            break;
        }
        int16_t *b = &n->block[at / BLOCK_SIZE];
        if (*b < 0) {
            long nb = block_alloc();
            if (nb < 0) {
                if (done == 0) {
                    return nb;
                }
                break;
            }
            *b = (int16_t)nb;
        }
        size_t in_block = BLOCK_SIZE - at % BLOCK_SIZE;
        size_t chunk = length - done < in_block ? length - done : in_block;
        memcpy(blocks[*b] + at % BLOCK_SIZE, (const unsigned char *)buf + done, chunk);
        done += chunk;
    }
    if (offset + done > n->size) {
        n->size = offset + done;
    }
    return (long)done;
}

/* Set the file's size: blocks wholly past it go back to the pool, the
 * rest of its last block is zeroed (a later growth reads zeros there). */
long tree_truncate(node_t *n, uint64_t size)
{
    if (n->rodata != NULL) {
        return -EROFS;
    }
    if (size > FILE_MAX) {
        return -EFBIG;
    }
    for (uint64_t i = (size + BLOCK_SIZE - 1) / BLOCK_SIZE; i < FILE_BLOCKS; i++) {
        if (n->block[i] >= 0) {
            block_used[n->block[i]] = false;
            n->block[i] = -1;
        }
    }
    if (size % BLOCK_SIZE != 0 && n->block[size / BLOCK_SIZE] >= 0) {
        memset(blocks[n->block[size / BLOCK_SIZE]] + size % BLOCK_SIZE, 0,
               BLOCK_SIZE - size % BLOCK_SIZE);
    }
    n->size = size;
    return 0;
}

void tree_statfs(uint64_t *bsize, uint64_t *nblocks, uint64_t *bfree, uint64_t *files,
                 uint64_t *ffree)
{
    *bsize = BLOCK_SIZE;
    *nblocks = BLOCK_COUNT;
    *files = NODE_MAX;
    *bfree = *ffree = 0;
    for (int i = 0; i < BLOCK_COUNT; i++) {
        *bfree += !block_used[i];
    }
    for (int i = 0; i < NODE_MAX; i++) {
        *ffree += nodes[i].type == NODE_FREE;
    }
}

/* The absolute path of directory n, NUL-terminated; -ERANGE if it does not
 * fit, -ENOENT if it was removed. */
long tree_path(uint16_t n, char *out, size_t size)
{
    char tmp[VFS_PATH_MAX + 1];
    size_t pos = sizeof(tmp) - 1;
    tmp[pos] = '\0';
    for (uint16_t at = n; at != ROOT_NODE; at = nodes[at].parent) {
        if (!nodes[at].linked) {
            return -ENOENT;
        }
        size_t len = strlen(nodes[at].name);
        if (len + 1 > pos) {
            return -ERANGE;
        }
        pos -= len;
        memcpy(tmp + pos, nodes[at].name, len);
        tmp[--pos] = '/';
    }
    if (pos == sizeof(tmp) - 1) {
        tmp[--pos] = '/';
    }
    size_t total = sizeof(tmp) - pos; /* with the NUL */
    if (total > size) {
        return -ERANGE;
    }
    memcpy(out, tmp + pos, total);
    return (long)total;
}

/* a is n or one of n's directories. */
bool tree_is_ancestor(uint16_t a, uint16_t n)
{
    for (uint16_t at = n;; at = nodes[at].parent) {
        if (at == a) {
            return true;
        }
        if (at == ROOT_NODE) {
            return false;
        }
    }
}

bool tree_dir_empty(uint16_t dir)
{
    for (int i = 1; i < NODE_MAX; i++) {
        if (nodes[i].type != NODE_FREE && nodes[i].linked && nodes[i].parent == dir) {
            return false;
        }
    }
    return true;
}

static uint16_t fixed_dir(const char *name)
{
    long n = tree_new(ROOT_NODE, name, NODE_DIR, 0555);
    nodes[n].fixed = true;
    return (uint16_t)n;
}

static void add_dev(uint16_t dev_dir, const char *name, uint8_t kind)
{
    long n = tree_new(dev_dir, name, NODE_DEV, 0666);
    nodes[n].dev = kind;
    nodes[n].fixed = true;
}

/* /bin: every file of the archive region named "bin/NAME". */
static bool archive_bin;

bool tree_holds_bin(void)
{
    return archive_bin;
}

static void add_bin(uint16_t bin_dir, const keel_startcap_t *bin)
{
    if (bin == NULL) {
        return;
    }
    archive_bin = true;
    const void *archive = (const void *)bin->vaddr;
    int error = keel_archive_check(archive, bin->size);
    if (error != KEEL_ARCHIVE_OK) {
        printf("vfs: region bin: %s; /bin stays empty\n", keel_archive_strerror(error));
        return;
    }
    const keel_archive_header_t *h = archive;
    const keel_archive_entry_t *e = keel_archive_entries(archive);
    for (uint32_t i = 0; i < h->nfiles; i++) {
        const char *name = strncmp(e[i].name, "bin/", 4) == 0 ? e[i].name + 4 : NULL;
        if (name == NULL || *name == '\0' || strchr(name, '/') != NULL) {
            continue;
        }
        long n = tree_new(bin_dir, name, NODE_REG, 0555);
        if (n < 0) {
            break;
        }
        nodes[n].fixed = true;
        nodes[n].rodata = (const unsigned char *)archive + e[i].offset;
        nodes[n].size = e[i].size;
    }
}

void tree_init(const keel_startcap_t *bin)
{
    node_t *root = &nodes[ROOT_NODE];
    memset(root->block, 0xff, sizeof(root->block));
    root->type = NODE_DIR;
    root->parent = ROOT_NODE;
    root->mode = 0755;
    root->linked = true;
    root->fixed = true;
    tree_new(ROOT_NODE, "tmp", NODE_DIR, 01777);
    tree_new(ROOT_NODE, "home", NODE_DIR, 0755);
    add_bin(fixed_dir("bin"), bin);
    uint16_t dev = fixed_dir("dev");
    add_dev(dev, "console", DEV_CONSOLE);
    add_dev(dev, "null", DEV_NULL);
    add_dev(dev, "zero", DEV_ZERO);
}
