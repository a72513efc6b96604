/* fstree, the disk tests' program (docs/storage.md "Tests against the
 * host's tools"): what its parts share. The plan (plan.c) makes a tree of
 * files from a seed, or only its model; verify.c checks a tree against the
 * model; fstree.c holds main, the content of files, the sums and the
 * other modes. tests/host/fstree_model.py computes the same plan, content
 * and sums on the host: a change here must be made there too. */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef DT_LNK
#define DT_LNK 10 /* a symbolic link, as vfs's getdents gives its type */
#endif

/* The plan's nodes: the root, every directory and file it makes. */
#define FSTREE_NODES 3000
#define FSTREE_EXTENTS 1024
#define FSTREE_SYMLINKS 8
#define FSTREE_PATH 1024
/* The I/O buffer: larger than vfs's 64 KiB so that libos splits writes. */
#define FSTREE_BUFFER (80u << 10)
#define FSTREE_WRITE_MAX (80u << 10) /* the longest write call of the plan */
#define FSTREE_WRITE_SMALL 5000u     /* the longest for most small files */

/* A node is a name: a directory, a file, or a symbolic link. A file's
 * bytes are its inode's, the node that made the file: a hard link is a
 * file node of another's inode. NODE_GONE: the name was removed (its
 * inode's bytes stay while another name holds them). */
typedef enum { NODE_GONE, NODE_DIR, NODE_FILE, NODE_SYMLINK } node_type_t;

/* A run of bytes written: [start, end) of the file holds stream `stream`'s
 * bytes at the same offsets. Later extents of a file cover earlier ones;
 * bytes no extent covers are zero (holes). */
typedef struct extent {
    uint64_t start, end;
    uint32_t stream;
    int next; /* the file's next extent, -1 at the last */
} extent_t;

typedef struct node {
    uint64_t size;
    char *name;          /* the root's is the path it was given; NULL once gone */
    int32_t parent;      /* -1 for the root */
    int32_t inode;       /* the node whose size and extents it has (itself, but for a hard link) */
    int16_t first, last; /* its extents, -1 when none */
    uint8_t type;        /* node_type_t */
    uint8_t generation;  /* each rewrite of the file's bytes a new stream */
} node_t;
_Static_assert(sizeof(node_t) == 32, "3000 nodes in 96 KiB: a program has 1 MiB");

/* A symbolic link's target. */
typedef struct symlink_target {
    int node;
    char *target;
} symlink_target_t;

typedef struct fstree {
    uint64_t seed;
    uint64_t rng; /* splitmix64's state: the plan's draws */
    bool live;    /* do each step on the disk too, not only in the model */
    unsigned failed;
    int nodes;
    node_t node[FSTREE_NODES];
    int extents;
    extent_t extent[FSTREE_EXTENTS];
    int symlinks;
    symlink_target_t symlink[FSTREE_SYMLINKS];
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

/* Read [off, off + len) of file n through fd (after an lseek) and compare
 * it with the model: true if the same, else false after printing where
 * they differ (what: the file, for the message). */
bool fstree_check_read(int n, int fd, uint64_t off, uint64_t len, const char *what);

/* Symbolic link n's target. */
const char *fstree_target(int n);
/* The live names of inode i (its link count in the model). */
unsigned fstree_names(int i);

/* "fstree: WHAT: strerror(errno)" and one more failure. */
void fstree_fail(const char *what);
