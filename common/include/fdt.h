/* A freestanding reader for flattened device trees (DTB, version 16/17),
 * and a compactor. Shared by the kernel (RAM size at boot, the compact copy
 * it hands to the root task) and libkeel (boot arguments). Every read is
 * bounds-checked against the blob's size, so a corrupt tree yields "not
 * found", a failed fdt_init or no compact copy, never a wild access. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40 /* version 17 */
#define FDT_MAX_DEPTH 16

typedef struct fdt {
    const uint8_t *blob;
    uint32_t total_size;
    uint32_t struct_offset; /* of the structure block, from blob */
    uint32_t struct_size;
    uint32_t strings_offset;
    uint32_t strings_size;
} fdt_t;

typedef struct fdt_range {
    uint64_t base;
    uint64_t size;
} fdt_range_t;

/* Size the header claims (0 if the magic is wrong). Reads 8 bytes. */
uint32_t fdt_blob_size(const void *blob);

/* Validate the header of the blob, which must be readable for max_size
 * bytes. On success fills *fdt and returns true. */
bool fdt_init(fdt_t *fdt, const void *blob, size_t max_size);

/* Offset (within the structure block) of the node with this absolute path,
 * e.g. "/chosen" or "/memory". A path component without '@' also matches a
 * node name with a unit address ("memory" matches "memory@40000000").
 * Returns -1 if absent or the tree is malformed. "/" is the root node. */
int fdt_path_offset(const fdt_t *fdt, const char *path);

/* Property `name` of the node at `node`; its length in *len. NULL if absent. */
const void *fdt_get_prop(const fdt_t *fdt, int node, const char *name, uint32_t *len);

/* Next node after `node` in depth-first order whose name begins with `prefix`
 * (followed by '\0' or '@'); pass -1 to start at the beginning. -1 at the end. */
int fdt_next_node_named(const fdt_t *fdt, int node, const char *prefix);

/* A big-endian number of `cells` 32-bit cells (1 or 2). */
uint64_t fdt_read_cells(const void *cells, uint32_t count);

/* All RAM ranges from the /memory nodes' "reg" properties, decoded with the
 * root's #address-cells/#size-cells. Returns how many were stored (at most
 * max), or -1 if the tree is malformed. */
int fdt_memory_ranges(const fdt_t *fdt, fdt_range_t *out, int max);

/* A compact copy of a device tree blob: the header (version 17), the memory
 * reservation block, the structure block through its END token and the
 * strings block, back to back from offset FDT_HEADER_SIZE with no free space
 * (each block at the alignment the format requires: the reservation block at
 * 40, the structure block 4-byte aligned after it), totalsize their sum.
 * The whole source blob is validated first (header, every token, every
 * property name, blocks inside totalsize and disjoint): a malformed blob
 * gives no copy.
 *
 * fdt_compact_size: the copy's size for the blob (readable for max_size
 * bytes), 0 if it is malformed. fdt_compact: writes the copy to out (which
 * must not overlap the blob) and returns its size; 0 if the blob is
 * malformed or the copy does not fit in out_size bytes. */
uint32_t fdt_compact_size(const void *blob, size_t max_size);
uint32_t fdt_compact(const void *blob, size_t max_size, void *out, size_t out_size);
