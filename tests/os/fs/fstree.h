/* fstree, the disk tests' program (docs/storage.md "Tests against the
 * host's tools"): what its parts share. The plan (plan.c) makes a tree of
 * files from a seed, or only its model; verify.c checks a tree against the
 * model; fstree.c holds main, the content of files and the sums.
 * tests/host/fstree_model.py computes the same plan, content and sums on
 * the host: a change here must be made there too. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The plan's nodes: the root, every directory and file it makes. */
#define FSTREE_NODES 2400
#define FSTREE_EXTENTS 1024
#define FSTREE_PATH 1024
/* The I/O buffer: larger than vfs's 64 KiB so that libos splits writes. */
#define FSTREE_BUFFER (80u << 10)
#define FSTREE_WRITE_MAX (80u << 10) /* the longest write call of the plan */
#define FSTREE_WRITE_SMALL 5000u     /* the longest for most small files */

typedef enum { NODE_GONE, NODE_DIR, NODE_FILE } node_type_t;

/* A run of bytes written: [start, end) of the file holds stream `stream`'s
 * bytes at the same offsets. Later extents of a file cover earlier ones;
 * bytes no extent covers are zero (holes). */
typedef struct extent {
    uint64_t start, end;
    uint32_t stream;
    int next; /* the file's next extent, -1 at the last */
} extent_t;

typedef struct node {
    int parent; /* -1 for the root */
    char *name; /* the root's is the path it was given */
    node_type_t type;
    uint32_t generation; /* the file's contents so far: each rewrite a new stream */
    uint64_t size;
    int first, last; /* its extents, -1 when none */
} node_t;

typedef struct fstree {
    uint64_t seed;
    uint64_t rng; /* splitmix64's state: the plan's draws */
    bool live;    /* do each step on the disk too, not only in the model */
    unsigned failed;
    int nodes;
    node_t node[FSTREE_NODES];
    int extents;
    extent_t extent[FSTREE_EXTENTS];
} fstree_t;

extern fstree_t fs;
extern unsigned char fstree_buffer[FSTREE_BUFFER];

/* The bytes [off, off + len) of stream `stream` (fstree.c). */
void fstree_content(uint32_t stream, uint64_t off, size_t len, unsigned char *out);
/* The table the content is cut from, made from the seed (fstree.c). */
void fstree_table(uint64_t seed);
/* The stream a file's bytes come from now: its node and generation. */
uint32_t fstree_stream(int node);
/* The expected bytes [off, off + len) of file `node`, from its extents. */
void fstree_expected(int node, uint64_t off, size_t len, unsigned char *out);

/* Run the plan (plan.c): on the disk under root when fs.live, else only
 * the model. The root must not exist. */
void fstree_plan(const char *root, uint64_t seed, uint64_t big);
/* The path of a node in the model, in one of two buffers (which = 0, 1). */
const char *fstree_path(int node, int which);

/* Check the tree under the model's root against the model (verify.c):
 * prints a line per failure and the count. Returns the failures. */
unsigned fstree_verify(void);

/* A directory's entries but . and .., sorted by name (strcmp); each
 * name's d_type is the byte after its NUL. */
typedef struct listing {
    char **name;
    size_t count;
} listing_t;

/* List directory path: 0, or -1 after printing why (l is then what was
 * read, to be freed all the same). */
int fstree_list(const char *path, listing_t *l);
void fstree_list_free(listing_t *l);

/* "fstree: WHAT: strerror(errno)" and one more failure. */
void fstree_fail(const char *what);
