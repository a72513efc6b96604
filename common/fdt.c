/* Flattened device tree reader and compactor: see fdt.h. The blob is big-endian; tokens are
 * 4-byte aligned within the structure block. */
#include <fdt.h>
#include <memops.h>

enum {
    FDT_BEGIN_NODE = 1,
    FDT_END_NODE = 2,
    FDT_PROP = 3,
    FDT_NOP = 4,
    FDT_END = 9,
};

static uint32_t read_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint64_t fdt_read_cells(const void *cells, uint32_t count)
{
    const uint8_t *p = cells;
    uint64_t value = 0;
    for (uint32_t i = 0; i < count; i++) {
        value = (value << 32) | read_be32(p + 4 * i);
    }
    return value;
}

uint32_t fdt_blob_size(const void *blob)
{
    const uint8_t *p = blob;
    return read_be32(p) == FDT_MAGIC ? read_be32(p + 4) : 0;
}

bool fdt_init(fdt_t *fdt, const void *blob, size_t max_size)
{
    const uint8_t *p = blob;
    if (max_size < 40 || read_be32(p) != FDT_MAGIC) {
        return false;
    }
    uint32_t total = read_be32(p + 4);
    uint32_t off_struct = read_be32(p + 8);
    uint32_t off_strings = read_be32(p + 12);
    uint32_t version = read_be32(p + 20);
    uint32_t size_strings = read_be32(p + 32);
    uint32_t size_struct = read_be32(p + 36);
    if (total > max_size || version < 16 || (off_struct & 3) != 0) {
        return false;
    }
    /* 64-bit sums: the 32-bit fields must not wrap around. */
    if ((uint64_t)off_struct + size_struct > total ||
        (uint64_t)off_strings + size_strings > total) {
        return false;
    }
    fdt->blob = p;
    fdt->total_size = total;
    fdt->struct_offset = off_struct;
    fdt->struct_size = size_struct & ~3u;
    fdt->strings_offset = off_strings;
    fdt->strings_size = size_strings;
    return true;
}

static uint32_t token_at(const fdt_t *fdt, uint32_t offset)
{
    if (offset + 4 > fdt->struct_size) {
        return FDT_END;
    }
    return read_be32(fdt->blob + fdt->struct_offset + offset);
}

/* Length of the NUL-terminated string at p, or -1 if no NUL before limit. */
static int32_t bounded_strlen(const uint8_t *p, uint32_t limit)
{
    for (uint32_t i = 0; i < limit; i++) {
        if (p[i] == '\0') {
            return (int32_t)i;
        }
    }
    return -1;
}

/* Name of the node whose BEGIN_NODE token is at `node`, or NULL if corrupt. */
static const char *node_name(const fdt_t *fdt, uint32_t node, uint32_t *name_len)
{
    const uint8_t *name = fdt->blob + fdt->struct_offset + node + 4;
    if (node + 4 > fdt->struct_size) {
        return NULL;
    }
    int32_t len = bounded_strlen(name, fdt->struct_size - node - 4);
    if (len < 0) {
        return NULL;
    }
    *name_len = (uint32_t)len;
    return (const char *)name;
}

/* Offset of the token after the one at `offset`; 0 if the tree is corrupt
 * (0 can never follow another token, so it serves as the error value). */
static uint32_t next_token(const fdt_t *fdt, uint32_t offset)
{
    uint32_t name_len;
    switch (token_at(fdt, offset)) {
    case FDT_BEGIN_NODE:
        if (node_name(fdt, offset, &name_len) == NULL) {
            return 0;
        }
        return offset + 4 + ((name_len + 1 + 3) & ~3u);
    case FDT_PROP: {
        if (offset + 12 > fdt->struct_size) {
            return 0;
        }
        uint32_t len = read_be32(fdt->blob + fdt->struct_offset + offset + 4);
        uint64_t next = (uint64_t)offset + 12 + (((uint64_t)len + 3) & ~3ull);
        return next > fdt->struct_size ? 0 : (uint32_t)next;
    }
    case FDT_END_NODE:
    case FDT_NOP:
        return offset + 4;
    default:
        return 0;
    }
}

/* Does the path component [comp, comp+comp_len) name the node `name`? */
static bool component_matches(const char *comp, uint32_t comp_len, const char *name,
                              uint32_t name_len)
{
    uint32_t i = 0;
    for (; i < comp_len; i++) {
        if (i >= name_len || comp[i] != name[i]) {
            return false;
        }
    }
    return i == name_len || name[i] == '@';
}

static uint32_t path_component_length(const char *path)
{
    uint32_t len = 0;
    while (path[len] != '\0' && path[len] != '/') {
        len++;
    }
    return len;
}

/* Offset of the root node: the first BEGIN_NODE, after any NOPs. */
static uint32_t root_offset(const fdt_t *fdt)
{
    uint32_t offset = 0;
    while (token_at(fdt, offset) == FDT_NOP) {
        offset += 4;
    }
    return offset;
}

int fdt_path_offset(const fdt_t *fdt, const char *path)
{
    uint32_t offset = root_offset(fdt);
    if (path[0] != '/' || token_at(fdt, offset) != FDT_BEGIN_NODE) {
        return -1;
    }
    path++; /* the root node matches the leading '/' */
    int depth = 0;
    int matched = 0; /* depth of the deepest node on the path found so far */
    for (;;) {
        uint32_t token = token_at(fdt, offset);
        if (token == FDT_BEGIN_NODE) {
            depth++;
            if (depth > FDT_MAX_DEPTH) {
                return -1;
            }
            if (depth == matched + 1) {
                while (*path == '/') {
                    path++;
                }
                uint32_t comp_len = path_component_length(path);
                uint32_t name_len;
                const char *name = node_name(fdt, offset, &name_len);
                if (name == NULL) {
                    return -1;
                }
                if (comp_len == 0 && depth == 1) {
                    return (int)offset; /* the root itself */
                }
                if (depth > 1 && component_matches(path, comp_len, name, name_len)) {
                    matched = depth;
                    path += comp_len;
                    while (*path == '/') {
                        path++;
                    }
                    if (*path == '\0') {
                        return (int)offset;
                    }
                } else if (depth == 1) {
                    matched = 1; /* the root, consumed by the leading '/' */
                }
            }
        } else if (token == FDT_END_NODE) {
            if (depth <= matched) {
                return -1; /* left the subtree that had to contain the rest */
            }
            depth--;
        } else if (token != FDT_PROP && token != FDT_NOP) {
            return -1;
        }
        offset = next_token(fdt, offset);
        if (offset == 0) {
            return -1;
        }
    }
}

static bool string_equals(const fdt_t *fdt, uint32_t name_offset, const char *name)
{
    if (name_offset >= fdt->strings_size) {
        return false;
    }
    const uint8_t *s = fdt->blob + fdt->strings_offset + name_offset;
    uint32_t limit = fdt->strings_size - name_offset;
    uint32_t i = 0;
    for (; name[i] != '\0'; i++) {
        if (i >= limit || s[i] != (uint8_t)name[i]) {
            return false;
        }
    }
    return i < limit && s[i] == '\0';
}

const void *fdt_get_prop(const fdt_t *fdt, int node, const char *name, uint32_t *len)
{
    if (node < 0 || token_at(fdt, (uint32_t)node) != FDT_BEGIN_NODE) {
        return NULL;
    }
    uint32_t offset = next_token(fdt, (uint32_t)node);
    while (offset != 0) {
        uint32_t token = token_at(fdt, offset);
        if (token == FDT_PROP) {
            if (next_token(fdt, offset) == 0) {
                return NULL; /* header or value runs past the structure block */
            }
            const uint8_t *prop = fdt->blob + fdt->struct_offset + offset;
            if (string_equals(fdt, read_be32(prop + 8), name)) {
                *len = read_be32(prop + 4);
                return prop + 12;
            }
        } else if (token != FDT_NOP) {
            return NULL; /* properties precede subnodes */
        }
        offset = next_token(fdt, offset);
    }
    return NULL;
}

int fdt_next_node_named(const fdt_t *fdt, int node, const char *prefix)
{
    /* The root never matches: only its descendants are searched. */
    uint32_t offset = next_token(fdt, node < 0 ? root_offset(fdt) : (uint32_t)node);
    uint32_t prefix_len = path_component_length(prefix);
    while (offset != 0) {
        uint32_t token = token_at(fdt, offset);
        if (token == FDT_END) {
            return -1;
        }
        if (token == FDT_BEGIN_NODE) {
            uint32_t name_len;
            const char *name = node_name(fdt, offset, &name_len);
            if (name == NULL) {
                return -1;
            }
            if (component_matches(prefix, prefix_len, name, name_len)) {
                return (int)offset;
            }
        }
        offset = next_token(fdt, offset);
    }
    return -1;
}

static uint32_t root_cells(const fdt_t *fdt, const char *name, uint32_t fallback)
{
    uint32_t len = 0;
    const void *p = fdt_get_prop(fdt, fdt_path_offset(fdt, "/"), name, &len);
    return (p != NULL && len == 4) ? (uint32_t)fdt_read_cells(p, 1) : fallback;
}

int fdt_memory_ranges(const fdt_t *fdt, fdt_range_t *out, int max)
{
    uint32_t address_cells = root_cells(fdt, "#address-cells", 2);
    uint32_t size_cells = root_cells(fdt, "#size-cells", 1);
    if (address_cells < 1 || address_cells > 2 || size_cells < 1 || size_cells > 2) {
        return -1;
    }
    uint32_t entry_size = 4 * (address_cells + size_cells);
    int count = 0;
    for (int node = fdt_next_node_named(fdt, -1, "memory"); node >= 0;
         node = fdt_next_node_named(fdt, node, "memory")) {
        uint32_t len = 0;
        const uint8_t *reg = fdt_get_prop(fdt, node, "reg", &len);
        if (reg == NULL) {
            continue;
        }
        for (uint32_t at = 0; at + entry_size <= len && count < max; at += entry_size) {
            out[count].base = fdt_read_cells(reg + at, address_cells);
            out[count].size = fdt_read_cells(reg + at + 4 * address_cells, size_cells);
            count++;
        }
    }
    return count;
}

/* ---- compaction ---------------------------------------------------------- */

/* Header fields (byte offsets) and sizes of the blob format (version 17). */
enum {
    HDR_MAGIC = 0,
    HDR_TOTALSIZE = 4,
    HDR_OFF_STRUCT = 8,
    HDR_OFF_STRINGS = 12,
    HDR_OFF_RSVMAP = 16,
    HDR_VERSION = 20,
    HDR_LAST_COMP_VERSION = 24,
    HDR_BOOT_CPUID = 28,
    HDR_SIZE_STRINGS = 32,
    HDR_SIZE_STRUCT = 36,
    RESERVE_ENTRY_SIZE = 16,
};

/* Where the blocks of a valid blob lie, each as long as it really is. */
typedef struct fdt_layout {
    uint32_t rsvmap_offset, rsvmap_size; /* the entries and the terminating one */
    uint32_t struct_offset, struct_size; /* up to and including FDT_END */
    uint32_t strings_offset, strings_size;
    uint32_t boot_cpuid;
} fdt_layout_t;

static void write_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Size of the memory reservation block at `offset` up to its terminating
 * (0, 0) entry; 0 if it runs past `total` unterminated. */
static uint32_t reservation_map_size(const uint8_t *blob, uint32_t offset, uint32_t total)
{
    for (uint64_t at = offset; at + RESERVE_ENTRY_SIZE <= total; at += RESERVE_ENTRY_SIZE) {
        if (fdt_read_cells(blob + at, 2) == 0 && fdt_read_cells(blob + at + 8, 2) == 0) {
            return (uint32_t)(at + RESERVE_ENTRY_SIZE - offset);
        }
    }
    return 0;
}

/* Does the property at `offset` name a NUL-terminated string inside the
 * strings block? (Its header is known to be inside the structure block.) */
static bool property_name_valid(const fdt_t *fdt, uint32_t offset)
{
    uint32_t name = read_be32(fdt->blob + fdt->struct_offset + offset + 8);
    return name < fdt->strings_size &&
           bounded_strlen(fdt->blob + fdt->strings_offset + name, fdt->strings_size - name) >= 0;
}

/* Length of the structure block through its END token if it is well formed
 * within fdt->struct_size: NOPs, one root node whose nodes all close, NOPs,
 * END; every name terminated, every property inside the block and named in
 * the strings block. 0 if not. */
static uint32_t structure_length(const fdt_t *fdt)
{
    uint32_t depth = 0;
    bool root_seen = false;
    for (uint32_t offset = 0; (uint64_t)offset + 4 <= fdt->struct_size;) {
        uint32_t token = token_at(fdt, offset);
        if (token == FDT_END) {
            return root_seen && depth == 0 ? offset + 4 : 0;
        }
        uint32_t next = next_token(fdt, offset);
        if (next == 0) {
            return 0;
        }
        if (token == FDT_BEGIN_NODE) {
            if (root_seen && depth == 0) {
                return 0; /* a second root */
            }
            root_seen = true;
            depth++;
        } else if (token == FDT_END_NODE) {
            if (depth == 0) {
                return 0;
            }
            depth--;
        } else if (token == FDT_PROP && (depth == 0 || !property_name_valid(fdt, offset))) {
            return 0;
        }
        offset = next;
    }
    return 0;
}

static bool ranges_overlap(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
    return a_size != 0 && b_size != 0 && (uint64_t)a < (uint64_t)b + b_size &&
           (uint64_t)b < (uint64_t)a + a_size;
}

/* The header's offsets and sizes: aligned as the format requires, after the
 * header, inside totalsize (which fits in max_size). */
static bool header_valid(const uint8_t *p, size_t max_size)
{
    if (max_size < FDT_HEADER_SIZE || read_be32(p + HDR_MAGIC) != FDT_MAGIC) {
        return false;
    }
    uint32_t total = read_be32(p + HDR_TOTALSIZE);
    uint32_t off_rsvmap = read_be32(p + HDR_OFF_RSVMAP);
    uint32_t off_struct = read_be32(p + HDR_OFF_STRUCT);
    uint32_t off_strings = read_be32(p + HDR_OFF_STRINGS);
    uint32_t version = read_be32(p + HDR_VERSION);
    return total >= FDT_HEADER_SIZE && total <= max_size && version >= 16 &&
           read_be32(p + HDR_LAST_COMP_VERSION) <= 17 && off_rsvmap % 8 == 0 &&
           off_rsvmap >= FDT_HEADER_SIZE && off_struct % 4 == 0 && off_struct >= FDT_HEADER_SIZE &&
           off_struct <= total && off_strings >= FDT_HEADER_SIZE &&
           (uint64_t)off_strings + read_be32(p + HDR_SIZE_STRINGS) <= total &&
           (version < 17 || (uint64_t)off_struct + read_be32(p + HDR_SIZE_STRUCT) <= total);
}

/* Validate the whole blob and find its blocks; false if it is malformed. */
static bool compact_layout(const void *blob, size_t max_size, fdt_layout_t *l)
{
    const uint8_t *p = blob;
    if (!header_valid(p, max_size)) {
        return false;
    }
    uint32_t total = read_be32(p + HDR_TOTALSIZE);
    fdt_t fdt = {
        .blob = p,
        .total_size = total,
        .struct_offset = read_be32(p + HDR_OFF_STRUCT),
        .strings_offset = read_be32(p + HDR_OFF_STRINGS),
        .strings_size = read_be32(p + HDR_SIZE_STRINGS),
    };
    /* Version 16 has no structure size: the block may extend to the end. */
    fdt.struct_size = read_be32(p + HDR_VERSION) >= 17 ? read_be32(p + HDR_SIZE_STRUCT)
                                                       : total - fdt.struct_offset;
    l->rsvmap_offset = read_be32(p + HDR_OFF_RSVMAP);
    l->rsvmap_size = reservation_map_size(p, l->rsvmap_offset, total);
    l->struct_offset = fdt.struct_offset;
    l->struct_size = structure_length(&fdt);
    l->strings_offset = fdt.strings_offset;
    l->strings_size = fdt.strings_size;
    l->boot_cpuid = read_be32(p + HDR_BOOT_CPUID);
    return l->rsvmap_size != 0 && l->struct_size != 0 &&
           !ranges_overlap(l->rsvmap_offset, l->rsvmap_size, l->struct_offset, l->struct_size) &&
           !ranges_overlap(l->rsvmap_offset, l->rsvmap_size, l->strings_offset, l->strings_size) &&
           !ranges_overlap(l->struct_offset, l->struct_size, l->strings_offset, l->strings_size);
}

static uint32_t compact_size(const fdt_layout_t *l)
{
    return FDT_HEADER_SIZE + l->rsvmap_size + l->struct_size + l->strings_size;
}

uint32_t fdt_compact_size(const void *blob, size_t max_size)
{
    fdt_layout_t l;
    return compact_layout(blob, max_size, &l) ? compact_size(&l) : 0;
}

uint32_t fdt_compact(const void *blob, size_t max_size, void *out, size_t out_size)
{
    fdt_layout_t l;
    if (!compact_layout(blob, max_size, &l) || compact_size(&l) > out_size) {
        return 0;
    }
    const uint8_t *src = blob;
    uint8_t *dst = out;
    uint32_t rsvmap_at = FDT_HEADER_SIZE;
    uint32_t struct_at = rsvmap_at + l.rsvmap_size;
    uint32_t strings_at = struct_at + l.struct_size;
    uint32_t total = strings_at + l.strings_size;
    write_be32(dst + HDR_MAGIC, FDT_MAGIC);
    write_be32(dst + HDR_TOTALSIZE, total);
    write_be32(dst + HDR_OFF_STRUCT, struct_at);
    write_be32(dst + HDR_OFF_STRINGS, strings_at);
    write_be32(dst + HDR_OFF_RSVMAP, rsvmap_at);
    write_be32(dst + HDR_VERSION, 17);
    write_be32(dst + HDR_LAST_COMP_VERSION, 16);
    write_be32(dst + HDR_BOOT_CPUID, l.boot_cpuid);
    write_be32(dst + HDR_SIZE_STRINGS, l.strings_size);
    write_be32(dst + HDR_SIZE_STRUCT, l.struct_size);
    memcpy(dst + rsvmap_at, src + l.rsvmap_offset, l.rsvmap_size);
    memcpy(dst + struct_at, src + l.struct_offset, l.struct_size);
    memcpy(dst + strings_at, src + l.strings_offset, l.strings_size);
    return total;
}
