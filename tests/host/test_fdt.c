/* Host tests of the flattened-device-tree reader (common/fdt.c): lookups in
 * device trees dumped from QEMU (tests/host/data, see docs/testing.md), small
 * trees built here, and corrupted trees, which must be rejected or survived
 * without any read outside the blob (ASan checks every access). */
#include <harness.h>

#include <fdt.h>
#include <stdlib.h>
#include <string.h>

#define DTB_1G "tests/host/data/virt-1g.dtb"
#define DTB_2G_APPEND "tests/host/data/virt-2g-append.dtb"

/* ---- a tiny writer for test trees ------------------------------------- */

enum { TOKEN_BEGIN_NODE = 1, TOKEN_END_NODE = 2, TOKEN_PROP = 3, TOKEN_NOP = 4, TOKEN_END = 9 };
enum { HEADER_SIZE = 40, RESERVE_MAP_SIZE = 16 }; /* an empty map: one (terminating) entry */

typedef struct builder {
    uint8_t structure[4096];
    uint32_t struct_len;
    char strings[1024];
    uint32_t strings_len;
} builder_t;

/* Where the blocks go: dtc's order, or the structure block last in the blob
 * (so that a read past its end is also a read past the buffer). */
typedef enum { LAYOUT_STANDARD, LAYOUT_STRUCT_LAST } layout_t;

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void emit32(builder_t *b, uint32_t v)
{
    put_be32(b->structure + b->struct_len, v);
    b->struct_len += 4;
}

static void emit_bytes(builder_t *b, const void *data, uint32_t len)
{
    memcpy(b->structure + b->struct_len, data, len);
    b->struct_len += len;
    while (b->struct_len % 4 != 0) {
        b->structure[b->struct_len++] = 0;
    }
}

static uint32_t string_offset(builder_t *b, const char *name)
{
    for (uint32_t at = 0; at < b->strings_len; at += (uint32_t)strlen(b->strings + at) + 1) {
        if (strcmp(b->strings + at, name) == 0) {
            return at;
        }
    }
    uint32_t at = b->strings_len;
    memcpy(b->strings + at, name, strlen(name) + 1);
    b->strings_len += (uint32_t)strlen(name) + 1;
    return at;
}

static void begin_node(builder_t *b, const char *name)
{
    emit32(b, TOKEN_BEGIN_NODE);
    emit_bytes(b, name, (uint32_t)strlen(name) + 1);
}

static void end_node(builder_t *b)
{
    emit32(b, TOKEN_END_NODE);
}

static void prop(builder_t *b, const char *name, const void *data, uint32_t len)
{
    emit32(b, TOKEN_PROP);
    emit32(b, len);
    emit32(b, string_offset(b, name));
    emit_bytes(b, data, len);
}

static void prop_cells(builder_t *b, const char *name, const uint32_t *cells, uint32_t count)
{
    uint8_t data[64];
    for (uint32_t i = 0; i < count; i++) {
        put_be32(data + 4 * i, cells[i]);
    }
    prop(b, name, data, 4 * count);
}

static void prop_u32(builder_t *b, const char *name, uint32_t value)
{
    prop_cells(b, name, &value, 1);
}

/* The finished blob in a malloc'd buffer of exactly *size bytes. */
static uint8_t *finish(const builder_t *b, layout_t layout, size_t *size)
{
    uint32_t struct_at, strings_at;
    uint32_t first = HEADER_SIZE + RESERVE_MAP_SIZE;
    if (layout == LAYOUT_STANDARD) {
        struct_at = first;
        strings_at = struct_at + b->struct_len;
    } else {
        strings_at = first;
        struct_at = (strings_at + b->strings_len + 3) & ~3u;
    }
    uint32_t total =
        layout == LAYOUT_STANDARD ? strings_at + b->strings_len : struct_at + b->struct_len;
    uint8_t *blob = calloc(1, total);
    put_be32(blob + 0, FDT_MAGIC);
    put_be32(blob + 4, total);
    put_be32(blob + 8, struct_at);
    put_be32(blob + 12, strings_at);
    put_be32(blob + 16, HEADER_SIZE); /* memory reservation map: empty */
    put_be32(blob + 20, 17);
    put_be32(blob + 24, 16);
    put_be32(blob + 32, b->strings_len);
    put_be32(blob + 36, b->struct_len);
    memcpy(blob + struct_at, b->structure, b->struct_len);
    memcpy(blob + strings_at, b->strings, b->strings_len);
    *size = total;
    return blob;
}

/* A tree like QEMU's in miniature: root cells 2/2, two memory nodes, chosen. */
static uint8_t *small_tree(layout_t layout, size_t *size)
{
    static builder_t b;
    memset(&b, 0, sizeof(b));
    begin_node(&b, "");
    prop_u32(&b, "#address-cells", 2);
    prop_u32(&b, "#size-cells", 2);
    begin_node(&b, "memory@40000000");
    prop(&b, "device_type", "memory", 7);
    prop_cells(&b, "reg", (const uint32_t[]){ 0, 0x40000000, 0, 0x20000000 }, 4);
    end_node(&b);
    begin_node(&b, "cpus");
    begin_node(&b, "cpu@0");
    prop_u32(&b, "reg", 0);
    end_node(&b);
    end_node(&b);
    begin_node(&b, "memory@80000000");
    prop_cells(&b, "reg", (const uint32_t[]){ 0, 0x80000000, 1, 0 }, 4);
    end_node(&b);
    begin_node(&b, "chosen");
    prop(&b, "bootargs", "test=x", 7);
    end_node(&b);
    end_node(&b);
    emit32(&b, TOKEN_END);
    return finish(&b, layout, size);
}

/* ---- checks shared by many tests --------------------------------------- */

static uint8_t *load(const char *path, size_t *size, fdt_t *fdt)
{
    uint8_t *blob = harness_read_file(path, size);
    if (blob != NULL && !harness_check(fdt_init(fdt, blob, *size), __FILE__, __LINE__,
                                       "fdt_init rejects %s", path)) {
        free(blob);
        return NULL;
    }
    return blob;
}

/* A property returned by the reader must lie inside the blob: callers trust
 * its length. */
static void check_prop_inside(const fdt_t *fdt, const void *value, uint32_t len)
{
    if (value == NULL) {
        return;
    }
    const uint8_t *p = value;
    const uint8_t *end = fdt->blob + fdt->total_size;
    harness_check(p >= fdt->blob && p <= end && len <= (uint64_t)(end - p), __FILE__, __LINE__,
                  "property at blob offset %td with length %u extends past the blob (%u bytes)",
                  p - fdt->blob, len, fdt->total_size);
}

static const char *const probe_paths[] = {
    "/",           "/chosen",   "/memory",        "/memory@40000000",
    "/cpus/cpu@0", "/cpus/cpu", "/pl011@9000000", "/intc@8000000/its@8080000",
    "/a/b/c/d",    "//chosen",
};
static const char *const probe_props[] = {
    "reg", "bootargs", "#address-cells", "#size-cells", "compatible", "device_type", "",
};

/* Every lookup the reader offers, on a tree that may be corrupt: each must
 * return in bounds (ASan reports any access outside the buffer). */
static void exercise_reader(const uint8_t *blob, size_t size)
{
    fdt_t fdt;
    if (size >= 8) {
        (void)fdt_blob_size(blob);
    }
    if (!fdt_init(&fdt, blob, size)) {
        return;
    }
    for (size_t i = 0; i < sizeof(probe_paths) / sizeof(probe_paths[0]); i++) {
        int node = fdt_path_offset(&fdt, probe_paths[i]);
        if (node < 0) {
            continue;
        }
        harness_check((uint32_t)node < fdt.struct_size, __FILE__, __LINE__,
                      "%s at offset %d, outside the structure block", probe_paths[i], node);
        for (size_t j = 0; j < sizeof(probe_props) / sizeof(probe_props[0]); j++) {
            uint32_t len = 0;
            check_prop_inside(&fdt, fdt_get_prop(&fdt, node, probe_props[j], &len), len);
        }
    }
    int previous = -1;
    for (int node = fdt_next_node_named(&fdt, -1, "memory"); node >= 0;
         node = fdt_next_node_named(&fdt, node, "memory")) {
        if (!harness_check(node > previous, __FILE__, __LINE__,
                           "fdt_next_node_named went back from %d to %d", previous, node)) {
            break;
        }
        previous = node;
    }
    fdt_range_t ranges[8];
    int count = fdt_memory_ranges(&fdt, ranges, 8);
    harness_check(count >= -1 && count <= 8, __FILE__, __LINE__, "fdt_memory_ranges -> %d", count);
}

/* A copy of blob in a buffer of exactly size bytes, for ASan. */
static uint8_t *copy_of(const uint8_t *blob, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, blob, size);
    return copy;
}

/* The header of a compact copy of `size` bytes: version 17, the blocks back
 * to back from offset 40 (reservation block, structure, strings), totalsize
 * their end. */
static bool check_compact_header(const uint8_t *out, uint32_t size)
{
    uint32_t rsvmap = get_be32(out + 16), structure = get_be32(out + 8);
    uint32_t strings = get_be32(out + 12), struct_size = get_be32(out + 36);
    bool ok = get_be32(out) == FDT_MAGIC && get_be32(out + 4) == size && get_be32(out + 20) == 17 &&
              get_be32(out + 24) == 16 && rsvmap == HEADER_SIZE && structure > rsvmap &&
              (structure - rsvmap) % RESERVE_MAP_SIZE == 0 && strings == structure + struct_size &&
              struct_size % 4 == 0 && size == strings + get_be32(out + 32);
    return harness_check(ok, __FILE__, __LINE__,
                         "compact header: totalsize %u (copy %u) rsvmap %u struct %u+%u "
                         "strings %u+%u version %u/%u",
                         get_be32(out + 4), size, rsvmap, structure, struct_size, strings,
                         get_be32(out + 32), get_be32(out + 20), get_be32(out + 24));
}

/* What a lookup finds in the original must be what it finds in the compact
 * copy (the structure block is copied whole, so node offsets agree too). */
static void check_same_tree(const uint8_t *blob, size_t size, const uint8_t *out, uint32_t out_size)
{
    fdt_t a, b;
    if (!fdt_init(&a, blob, size)) {
        return; /* e.g. version 16: the reader wants a structure size */
    }
    if (!harness_check(fdt_init(&b, out, out_size), __FILE__, __LINE__,
                       "the reader rejects a compact copy")) {
        return;
    }
    for (size_t i = 0; i < sizeof(probe_paths) / sizeof(probe_paths[0]); i++) {
        int node = fdt_path_offset(&a, probe_paths[i]);
        harness_check(node == fdt_path_offset(&b, probe_paths[i]), __FILE__, __LINE__,
                      "%s: at %d in the original, %d in the copy", probe_paths[i], node,
                      fdt_path_offset(&b, probe_paths[i]));
        for (size_t j = 0; node >= 0 && j < sizeof(probe_props) / sizeof(probe_props[0]); j++) {
            uint32_t len_a = 0, len_b = 0;
            const void *va = fdt_get_prop(&a, node, probe_props[j], &len_a);
            const void *vb = fdt_get_prop(&b, node, probe_props[j], &len_b);
            harness_check(
                (va == NULL && vb == NULL) ||
                    (va != NULL && vb != NULL && len_a == len_b && memcmp(va, vb, len_a) == 0),
                __FILE__, __LINE__, "%s %s differs in the copy", probe_paths[i], probe_props[j]);
        }
    }
    fdt_range_t ra[8], rb[8];
    int count = fdt_memory_ranges(&a, ra, 8);
    harness_check(count == fdt_memory_ranges(&b, rb, 8) &&
                      (count <= 0 || memcmp(ra, rb, sizeof(ra[0]) * (size_t)count) == 0),
                  __FILE__, __LINE__, "memory ranges differ in the copy");
}

/* Compaction of a tree that may be corrupt: no copy, or one (in a buffer of
 * exactly its size, so ASan sees any write past it) that is compact, that
 * compacts to itself, and in which every lookup finds what it finds in the
 * original. */
static void exercise_compaction(const uint8_t *blob, size_t size)
{
    uint32_t compact = fdt_compact_size(blob, size);
    if (compact == 0) {
        uint8_t spare[64];
        harness_check(fdt_compact(blob, size, spare, sizeof(spare)) == 0, __FILE__, __LINE__,
                      "fdt_compact accepts what fdt_compact_size rejects");
        return;
    }
    uint8_t *out = malloc(compact);
    uint8_t *again = malloc(compact);
    if (harness_check(fdt_compact(blob, size, out, compact) == compact, __FILE__, __LINE__,
                      "fdt_compact disagrees with fdt_compact_size (%u)", compact) &&
        check_compact_header(out, compact)) {
        harness_check(fdt_compact(out, compact, again, compact) == compact &&
                          memcmp(out, again, compact) == 0,
                      __FILE__, __LINE__, "compacting a compact copy changes it");
        check_same_tree(blob, size, out, compact);
        exercise_reader(out, compact);
    }
    free(again);
    free(out);
}

static void exercise(const uint8_t *blob, size_t size)
{
    exercise_reader(blob, size);
    exercise_compaction(blob, size);
}

static void exercise_copy(const uint8_t *blob, size_t size)
{
    uint8_t *copy = copy_of(blob, size);
    exercise(copy, size);
    free(copy);
}

/* ---- the device trees QEMU hands over ---------------------------------- */

TEST(qemu_dtb_header_accepted)
{
    size_t size;
    fdt_t fdt;
    uint8_t *blob = load(DTB_1G, &size, &fdt);
    ASSERT_TRUE(blob != NULL);
    EXPECT_EQ(fdt_blob_size(blob), size);
    EXPECT_EQ(fdt.total_size, size);
    EXPECT_EQ(fdt.struct_offset, get_be32(blob + 8));
    EXPECT_EQ(fdt.strings_offset, get_be32(blob + 12));
    free(blob);
}

TEST(qemu_dtb_paths_found)
{
    size_t size;
    fdt_t fdt;
    uint8_t *blob = load(DTB_1G, &size, &fdt);
    ASSERT_TRUE(blob != NULL);
    EXPECT_EQ(fdt_path_offset(&fdt, "/"), 0);
    int memory = fdt_path_offset(&fdt, "/memory");
    EXPECT_TRUE(memory > 0);
    EXPECT_EQ(fdt_path_offset(&fdt, "/memory@40000000"), memory);
    EXPECT_TRUE(fdt_path_offset(&fdt, "/chosen") > 0);
    EXPECT_TRUE(fdt_path_offset(&fdt, "/intc@8000000/its@8080000") > 0);
    EXPECT_TRUE(fdt_path_offset(&fdt, "/cpus/cpu-map/socket0/cluster0/core0") > 0);
    /* "cpu" matches cpu@0 but neither "cpus" nor "cpu-map" */
    int cpu = fdt_path_offset(&fdt, "/cpus/cpu");
    EXPECT_TRUE(cpu > 0);
    EXPECT_EQ(cpu, fdt_path_offset(&fdt, "/cpus/cpu@0"));
    uint32_t len = 0;
    const char *type = fdt_get_prop(&fdt, cpu, "device_type", &len);
    EXPECT_STREQ(type, "cpu");
    free(blob);
}

TEST(qemu_dtb_paths_absent)
{
    size_t size;
    fdt_t fdt;
    uint8_t *blob = load(DTB_1G, &size, &fdt);
    ASSERT_TRUE(blob != NULL);
    EXPECT_EQ(fdt_path_offset(&fdt, "/nonexistent"), -1);
    EXPECT_EQ(fdt_path_offset(&fdt, "/memory@4"), -1);
    EXPECT_EQ(fdt_path_offset(&fdt, "/mem"), -1);
    EXPECT_EQ(fdt_path_offset(&fdt, "/chosen/x"), -1);
    EXPECT_EQ(fdt_path_offset(&fdt, "/its@8080000"), -1); /* not at the top level */
    EXPECT_EQ(fdt_path_offset(&fdt, "chosen"), -1);       /* not absolute */
    EXPECT_EQ(fdt_path_offset(&fdt, ""), -1);
    free(blob);
}

TEST(qemu_dtb_properties)
{
    size_t size;
    fdt_t fdt;
    uint8_t *blob = load(DTB_1G, &size, &fdt);
    ASSERT_TRUE(blob != NULL);
    uint32_t len = 0;
    const void *cells = fdt_get_prop(&fdt, 0, "#address-cells", &len);
    ASSERT_TRUE(cells != NULL);
    EXPECT_EQ(len, 4);
    EXPECT_EQ(fdt_read_cells(cells, 1), 2);
    EXPECT_STREQ(fdt_get_prop(&fdt, 0, "model", &len), "linux,dummy-virt");
    const char *compatible =
        fdt_get_prop(&fdt, fdt_path_offset(&fdt, "/pl011@9000000"), "compatible", &len);
    ASSERT_TRUE(compatible != NULL);
    EXPECT_EQ(len, sizeof("arm,pl011\0arm,primecell"));
    EXPECT_MEMEQ(compatible, "arm,pl011\0arm,primecell", len);
    EXPECT_NULL(fdt_get_prop(&fdt, 0, "no-such-property", &len));
    EXPECT_NULL(fdt_get_prop(&fdt, 0, "model-", &len));
    EXPECT_NULL(fdt_get_prop(&fdt, 0, "mode", &len));
    EXPECT_NULL(fdt_get_prop(&fdt, -1, "model", &len));
    /* properties of subnodes are not properties of the parent */
    EXPECT_NULL(fdt_get_prop(&fdt, 0, "bootargs", &len));
    EXPECT_NULL(fdt_get_prop(&fdt, 0, "reg", &len));
    free(blob);
}

TEST(qemu_dtb_bootargs)
{
    size_t size;
    fdt_t fdt;
    uint8_t *blob = load(DTB_2G_APPEND, &size, &fdt);
    ASSERT_TRUE(blob != NULL);
    uint32_t len = 0;
    const char *args = fdt_get_prop(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs", &len);
    EXPECT_STREQ(args, "test=x");
    EXPECT_EQ(len, 7);
    free(blob);
    blob = load(DTB_1G, &size, &fdt);
    ASSERT_TRUE(blob != NULL);
    EXPECT_NULL(fdt_get_prop(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs", &len));
    free(blob);
}

static void expect_single_range(const char *path, uint64_t base, uint64_t size_bytes)
{
    size_t size;
    fdt_t fdt;
    uint8_t *blob = load(path, &size, &fdt);
    ASSERT_TRUE(blob != NULL);
    fdt_range_t ranges[4];
    EXPECT_EQ(fdt_memory_ranges(&fdt, ranges, 4), 1);
    EXPECT_EQ(ranges[0].base, base);
    EXPECT_EQ(ranges[0].size, size_bytes);
    EXPECT_EQ(fdt_memory_ranges(&fdt, ranges, 0), 0);
    free(blob);
}

TEST(qemu_dtb_memory_1g)
{
    expect_single_range(DTB_1G, 0x40000000, 0x40000000);
}

TEST(qemu_dtb_memory_2g)
{
    expect_single_range(DTB_2G_APPEND, 0x40000000, 0x80000000);
}

TEST(qemu_dtb_nodes_by_name)
{
    size_t size;
    fdt_t fdt;
    uint8_t *blob = load(DTB_1G, &size, &fdt);
    ASSERT_TRUE(blob != NULL);
    const struct {
        const char *prefix;
        int count;
    } cases[] = { { "memory", 1 }, { "virtio_mmio", 32 }, { "cpu", 1 },   { "cpus", 1 },
                  { "its", 1 },    { "nothing", 0 },      { "virtio", 0 } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int count = 0;
        for (int n = fdt_next_node_named(&fdt, -1, cases[i].prefix); n >= 0 && count < 100;
             n = fdt_next_node_named(&fdt, n, cases[i].prefix)) {
            count++;
        }
        harness_check(count == cases[i].count, __FILE__, __LINE__, "%d nodes named %s, want %d",
                      count, cases[i].prefix, cases[i].count);
    }
    free(blob);
}

TEST(qemu_dtb_padded_and_bounded)
{
    size_t size;
    uint8_t *blob = harness_read_file(DTB_1G, &size);
    ASSERT_TRUE(blob != NULL);
    fdt_t fdt;
    /* QEMU's own dump has free space after the strings (totalsize 1 MiB). */
    size_t padded = size + 65536;
    uint8_t *big = calloc(1, padded);
    memcpy(big, blob, size);
    put_be32(big + 4, (uint32_t)padded);
    EXPECT_TRUE(fdt_init(&fdt, big, padded));
    fdt_range_t range;
    EXPECT_EQ(fdt_memory_ranges(&fdt, &range, 1), 1);
    /* totalsize beyond the readable size */
    EXPECT_FALSE(fdt_init(&fdt, big, padded - 1));
    EXPECT_FALSE(fdt_init(&fdt, blob, size - 1));
    EXPECT_TRUE(fdt_init(&fdt, blob, size));
    free(big);
    free(blob);
}

TEST(read_cells)
{
    const uint8_t cells[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
    EXPECT_EQ(fdt_read_cells(cells, 1), 0x11223344);
    EXPECT_EQ(fdt_read_cells(cells, 2), 0x1122334455667788ull);
    EXPECT_EQ(fdt_read_cells(cells + 4, 1), 0x55667788);
}

/* ---- trees built here --------------------------------------------------- */

TEST(built_tree_both_layouts)
{
    for (int layout = LAYOUT_STANDARD; layout <= LAYOUT_STRUCT_LAST; layout++) {
        size_t size;
        uint8_t *blob = small_tree((layout_t)layout, &size);
        fdt_t fdt;
        EXPECT_TRUE(fdt_init(&fdt, blob, size));
        fdt_range_t ranges[4];
        EXPECT_EQ(fdt_memory_ranges(&fdt, ranges, 4), 2);
        EXPECT_EQ(ranges[0].base, 0x40000000);
        EXPECT_EQ(ranges[0].size, 0x20000000);
        EXPECT_EQ(ranges[1].base, 0x80000000);
        EXPECT_EQ(ranges[1].size, 0x100000000ull);
        EXPECT_EQ(fdt_memory_ranges(&fdt, ranges, 1), 1);
        uint32_t len;
        EXPECT_STREQ(fdt_get_prop(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs", &len),
                     "test=x");
        EXPECT_TRUE(fdt_path_offset(&fdt, "/cpus/cpu") > 0);
        free(blob);
    }
}

/* One memory node; root cells as given (0 = property absent). */
static uint8_t *memory_tree(uint32_t address_cells, uint32_t size_cells, const uint32_t *reg,
                            uint32_t reg_cells, size_t *size)
{
    static builder_t b;
    memset(&b, 0, sizeof(b));
    begin_node(&b, "");
    if (address_cells) {
        prop_u32(&b, "#address-cells", address_cells);
    }
    if (size_cells) {
        prop_u32(&b, "#size-cells", size_cells);
    }
    begin_node(&b, "memory");
    prop_cells(&b, "reg", reg, reg_cells);
    end_node(&b);
    end_node(&b);
    emit32(&b, TOKEN_END);
    return finish(&b, LAYOUT_STANDARD, size);
}

TEST(memory_cells_1_1)
{
    const uint32_t reg[] = { 0x1000, 0x2000, 0x10000, 0x300 };
    size_t size;
    uint8_t *blob = memory_tree(1, 1, reg, 4, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    fdt_range_t r[4];
    EXPECT_EQ(fdt_memory_ranges(&fdt, r, 4), 2);
    EXPECT_EQ(r[0].base, 0x1000);
    EXPECT_EQ(r[0].size, 0x2000);
    EXPECT_EQ(r[1].base, 0x10000);
    EXPECT_EQ(r[1].size, 0x300);
    free(blob);
}

TEST(memory_cells_default_2_1)
{
    const uint32_t reg[] = { 0x1, 0x2000, 0x3000 };
    size_t size;
    uint8_t *blob = memory_tree(0, 0, reg, 3, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    fdt_range_t r[2];
    EXPECT_EQ(fdt_memory_ranges(&fdt, r, 2), 1);
    EXPECT_EQ(r[0].base, 0x100002000ull);
    EXPECT_EQ(r[0].size, 0x3000);
    free(blob);
}

TEST(memory_cells_unsupported)
{
    const uint32_t reg[] = { 0, 0, 0, 0, 0, 0 };
    size_t size;
    fdt_t fdt;
    fdt_range_t r[2];
    uint8_t *blob = memory_tree(3, 2, reg, 5, &size);
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    EXPECT_EQ(fdt_memory_ranges(&fdt, r, 2), -1);
    free(blob);
    blob = memory_tree(2, 3, reg, 5, &size);
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    EXPECT_EQ(fdt_memory_ranges(&fdt, r, 2), -1);
    free(blob);
}

TEST(memory_reg_partial_entry_ignored)
{
    const uint32_t reg[] = { 0x1000, 0x2000, 0x5000 };
    size_t size;
    uint8_t *blob = memory_tree(1, 1, reg, 3, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    fdt_range_t r[4];
    EXPECT_EQ(fdt_memory_ranges(&fdt, r, 4), 1);
    free(blob);
}

TEST(nop_tokens_skipped)
{
    static builder_t b;
    memset(&b, 0, sizeof(b));
    emit32(&b, TOKEN_NOP);
    begin_node(&b, "");
    emit32(&b, TOKEN_NOP);
    prop_u32(&b, "#address-cells", 1);
    emit32(&b, TOKEN_NOP);
    prop_u32(&b, "#size-cells", 1);
    begin_node(&b, "memory@0");
    emit32(&b, TOKEN_NOP);
    prop_cells(&b, "reg", (const uint32_t[]){ 0x100, 0x200 }, 2);
    end_node(&b);
    emit32(&b, TOKEN_NOP);
    begin_node(&b, "chosen");
    end_node(&b);
    end_node(&b);
    emit32(&b, TOKEN_END);
    size_t size;
    uint8_t *blob = finish(&b, LAYOUT_STANDARD, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    EXPECT_TRUE(fdt_path_offset(&fdt, "/chosen") > 0);
    fdt_range_t r;
    EXPECT_EQ(fdt_memory_ranges(&fdt, &r, 1), 1);
    EXPECT_EQ(r.base, 0x100);
    free(blob);
}

/* A chain of nested nodes "n" `depth` deep below the root, then /chosen. */
static uint8_t *deep_tree(int depth, size_t *size)
{
    static builder_t b;
    memset(&b, 0, sizeof(b));
    begin_node(&b, "");
    for (int i = 0; i < depth; i++) {
        begin_node(&b, "n");
    }
    prop(&b, "deepest", "", 0);
    for (int i = 0; i < depth; i++) {
        end_node(&b);
    }
    begin_node(&b, "chosen");
    end_node(&b);
    end_node(&b);
    emit32(&b, TOKEN_END);
    return finish(&b, LAYOUT_STRUCT_LAST, size);
}

static char *chain_path(int depth)
{
    char *path = malloc(2 * (size_t)depth + 1);
    for (int i = 0; i < depth; i++) {
        path[2 * i] = '/';
        path[2 * i + 1] = 'n';
    }
    path[2 * depth] = '\0';
    return path;
}

TEST(nesting_within_limit)
{
    size_t size;
    int depth = FDT_MAX_DEPTH - 1; /* plus the root: FDT_MAX_DEPTH levels */
    uint8_t *blob = deep_tree(depth, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    char *path = chain_path(depth);
    uint32_t len;
    int node = fdt_path_offset(&fdt, path);
    EXPECT_TRUE(node > 0);
    EXPECT_NOT_NULL(fdt_get_prop(&fdt, node, "deepest", &len));
    EXPECT_TRUE(fdt_path_offset(&fdt, "/chosen") > 0);
    free(path);
    free(blob);
}

TEST(nesting_overflow_survived)
{
    size_t size;
    int depth = 4 * FDT_MAX_DEPTH;
    uint8_t *blob = deep_tree(depth, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    char *path = chain_path(depth);
    /* Too deep for the reader: not found, but no harm done. */
    EXPECT_EQ(fdt_path_offset(&fdt, path), -1);
    int chosen = fdt_path_offset(&fdt, "/chosen");
    EXPECT_TRUE(chosen == -1 || chosen > 0);
    exercise(blob, size);
    free(path);
    free(blob);
}

/* ---- corrupt trees ------------------------------------------------------- */

TEST(header_rejected)
{
    size_t size;
    uint8_t *good = small_tree(LAYOUT_STANDARD, &size);
    const struct {
        uint32_t offset, value;
        const char *what;
    } cases[] = {
        { 0, 0xd00dfeef, "bad magic" },
        { 4, (uint32_t)size + 1, "totalsize beyond the buffer" },
        { 4, 0xffffffff, "huge totalsize" },
        { 8, 0xffffff00, "structure offset out of range" },
        { 8, 58, "unaligned structure offset" },
        { 12, 0xfffffff0, "strings offset out of range" },
        { 20, 15, "version 15" },
        { 20, 0, "version 0" },
        { 32, 0xffffffff, "strings size wraps" },
        { 32, (uint32_t)size, "strings block beyond totalsize" },
        { 36, 0xfffffffc, "structure size wraps" },
        { 36, (uint32_t)size, "structure block beyond totalsize" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t *bad = copy_of(good, size);
        put_be32(bad + cases[i].offset, cases[i].value);
        fdt_t fdt;
        harness_check(!fdt_init(&fdt, bad, size), __FILE__, __LINE__, "accepted: %s",
                      cases[i].what);
        free(bad);
    }
    fdt_t fdt;
    EXPECT_TRUE(fdt_init(&fdt, good, size));
    EXPECT_EQ(fdt_blob_size(good), size);
    good[0] ^= 1;
    EXPECT_EQ(fdt_blob_size(good), 0);
    free(good);
}

TEST(short_buffers_rejected)
{
    size_t size;
    uint8_t *good = small_tree(LAYOUT_STANDARD, &size);
    for (size_t length = 0; length < HEADER_SIZE; length++) {
        uint8_t *cut = copy_of(good, length);
        fdt_t fdt;
        harness_check(!fdt_init(&fdt, cut, length), __FILE__, __LINE__,
                      "accepted a %zu-byte buffer", length);
        free(cut);
    }
    free(good);
}

TEST(truncated_blobs_survived)
{
    /* Cut at every length, with the header claiming the cut size (so that some
     * pass fdt_init and the walkers meet the end of the data early). */
    for (int layout = LAYOUT_STANDARD; layout <= LAYOUT_STRUCT_LAST; layout++) {
        size_t size;
        uint8_t *good = small_tree((layout_t)layout, &size);
        for (size_t length = HEADER_SIZE; length < size; length++) {
            uint8_t *cut = copy_of(good, length);
            exercise(cut, length);
            put_be32(cut + 4, (uint32_t)length);
            uint32_t struct_at = get_be32(cut + 8), strings_at = get_be32(cut + 12);
            if (layout == LAYOUT_STRUCT_LAST && length > struct_at) {
                put_be32(cut + 36, (uint32_t)(length - struct_at));
            } else if (layout == LAYOUT_STANDARD && length > strings_at) {
                put_be32(cut + 32, (uint32_t)(length - strings_at));
            }
            exercise(cut, length);
            free(cut);
        }
        free(good);
    }
}

TEST(unterminated_node_name_survived)
{
    static builder_t b;
    memset(&b, 0, sizeof(b));
    begin_node(&b, "");
    emit32(&b, TOKEN_BEGIN_NODE);
    memcpy(b.structure + b.struct_len, "chosenXX", 8); /* no NUL before the end */
    b.struct_len += 8;
    size_t size;
    uint8_t *blob = finish(&b, LAYOUT_STRUCT_LAST, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    EXPECT_EQ(fdt_path_offset(&fdt, "/chosen"), -1);
    EXPECT_EQ(fdt_next_node_named(&fdt, -1, "chosen"), -1);
    exercise(blob, size);
    free(blob);
}

TEST(unterminated_property_name_survived)
{
    /* The strings block ends inside "bootargs" with no NUL, and it is the last
     * thing in the buffer. */
    static builder_t b;
    memset(&b, 0, sizeof(b));
    begin_node(&b, "");
    begin_node(&b, "chosen");
    prop(&b, "bootargs", "x", 2);
    end_node(&b);
    end_node(&b);
    emit32(&b, TOKEN_END);
    b.strings_len -= 1; /* drop the NUL */
    size_t size;
    uint8_t *blob = finish(&b, LAYOUT_STANDARD, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    uint32_t len;
    int chosen = fdt_path_offset(&fdt, "/chosen");
    EXPECT_TRUE(chosen > 0);
    EXPECT_NULL(fdt_get_prop(&fdt, chosen, "bootargs", &len));
    EXPECT_NULL(fdt_get_prop(&fdt, chosen, "bootargs-longer", &len));
    EXPECT_NULL(fdt_get_prop(&fdt, chosen, "boot", &len));
    exercise(blob, size);
    free(blob);
}

TEST(property_name_offset_out_of_range)
{
    size_t size;
    uint8_t *blob = small_tree(LAYOUT_STANDARD, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    int chosen = fdt_path_offset(&fdt, "/chosen");
    ASSERT_TRUE(chosen > 0);
    /* chosen: BEGIN_NODE "chosen\0" (12 bytes), then PROP len nameoff */
    uint8_t *nameoff = blob + fdt.struct_offset + (uint32_t)chosen + 12 + 8;
    const uint32_t bad[] = { fdt.strings_size, fdt.strings_size + 1, 0x7fffffff, 0xffffffff };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        put_be32(nameoff, bad[i]);
        uint32_t len;
        EXPECT_NULL(fdt_get_prop(&fdt, chosen, "bootargs", &len));
        exercise(blob, size);
    }
    free(blob);
}

TEST(property_length_past_the_end)
{
    /* The memory node's reg claims more bytes than the structure block has,
     * and the structure block is the last thing in the buffer. */
    const uint32_t lengths[] = { 20, 64, 0x1000, 0x7ffffff0, 0xfffffff0, 0xffffffff };
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        static builder_t b;
        memset(&b, 0, sizeof(b));
        begin_node(&b, "");
        prop_u32(&b, "#address-cells", 1);
        prop_u32(&b, "#size-cells", 1);
        begin_node(&b, "memory");
        emit32(&b, TOKEN_PROP);
        emit32(&b, lengths[i]);
        emit32(&b, string_offset(&b, "reg"));
        emit32(&b, 0x1000);
        emit32(&b, 0x2000);
        size_t size;
        uint8_t *blob = finish(&b, LAYOUT_STRUCT_LAST, &size);
        fdt_t fdt;
        ASSERT_TRUE(fdt_init(&fdt, blob, size));
        uint32_t len = 0;
        const void *reg = fdt_get_prop(&fdt, fdt_path_offset(&fdt, "/memory"), "reg", &len);
        check_prop_inside(&fdt, reg, len);
        exercise(blob, size);
        free(blob);
    }
}

TEST(property_header_cut_off)
{
    /* A PROP token in the last 4 bytes of the structure block, which is the
     * last thing in the buffer: its length and name offset are missing. */
    static builder_t b;
    memset(&b, 0, sizeof(b));
    begin_node(&b, "");
    emit32(&b, TOKEN_PROP);
    size_t size;
    uint8_t *blob = finish(&b, LAYOUT_STRUCT_LAST, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    uint32_t len;
    EXPECT_NULL(fdt_get_prop(&fdt, 0, "reg", &len));
    exercise(blob, size);
    free(blob);
}

TEST(missing_end_tokens_survived)
{
    static builder_t b;
    memset(&b, 0, sizeof(b));
    begin_node(&b, "");
    begin_node(&b, "memory");
    prop_cells(&b, "reg", (const uint32_t[]){ 0, 0x1000, 0x1000 }, 3);
    size_t size;
    uint8_t *blob = finish(&b, LAYOUT_STRUCT_LAST, &size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, blob, size));
    EXPECT_EQ(fdt_path_offset(&fdt, "/chosen"), -1);
    exercise(blob, size);
    free(blob);
}

/* Overwrite every 32-bit word of the blob with each of a few awkward values. */
static void corrupt_every_word(const uint8_t *good, size_t size, size_t first, size_t stride)
{
    static const uint32_t values[] = {
        0, 1, 2, 3, 4, 9, 0x7fffffff, 0xfffffffc, 0xffffffff, 0x00010000,
    };
    uint8_t *bad = copy_of(good, size);
    for (size_t at = first; at + 4 <= size; at += stride) {
        for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
            put_be32(bad + at, values[v]);
            exercise(bad, size);
        }
        memcpy(bad + at, good + at, 4);
    }
    free(bad);
}

TEST(corrupt_words_small_tree)
{
    for (int layout = LAYOUT_STANDARD; layout <= LAYOUT_STRUCT_LAST; layout++) {
        size_t size;
        uint8_t *good = small_tree((layout_t)layout, &size);
        corrupt_every_word(good, size, 0, 4);
        free(good);
    }
}

TEST(corrupt_words_qemu_dtb)
{
    size_t size;
    uint8_t *good = harness_read_file(DTB_2G_APPEND, &size);
    ASSERT_TRUE(good != NULL);
    /* The header, the start of the structure block (root properties, the
     * memory node), and a sparse sample of the rest. */
    corrupt_every_word(good, size < 1024 ? size : 1024, 0, 4);
    corrupt_every_word(good, size, 1024, 52);
    free(good);
}

TEST(random_corruption)
{
    harness_rng_t rng = { harness_seed() };
    size_t size;
    uint8_t *good = small_tree(LAYOUT_STRUCT_LAST, &size);
    for (int round = 0; round < 20000; round++) {
        uint8_t *bad = copy_of(good, size);
        int flips = 1 + (int)harness_rng_below(&rng, 4);
        for (int i = 0; i < flips; i++) {
            size_t at = HEADER_SIZE + harness_rng_below(&rng, size - HEADER_SIZE);
            bad[at] = (uint8_t)harness_rng_next(&rng);
        }
        exercise_copy(bad, size);
        free(bad);
    }
    free(good);
}

/* ---- compaction ---------------------------------------------------------- */

static void expect_no_copy(const uint8_t *blob, size_t size, const char *what)
{
    uint8_t *copy = copy_of(blob, size);
    uint8_t out[64];
    harness_check(fdt_compact_size(copy, size) == 0 &&
                      fdt_compact(copy, size, out, sizeof(out)) == 0,
                  __FILE__, __LINE__, "compacted: %s", what);
    free(copy);
}

/* QEMU's layout: the reservation block 8 bytes after the header, then the
 * structure and strings blocks, then free space up to `total`; built from
 * a compact blob (dtc's output). */
static uint8_t *padded_like_qemu(const uint8_t *compact, size_t total)
{
    uint32_t struct_size = get_be32(compact + 36), strings_size = get_be32(compact + 32);
    uint32_t rsvmap_size = get_be32(compact + 8) - get_be32(compact + 16);
    uint32_t rsvmap_at = HEADER_SIZE + 8, struct_at = rsvmap_at + rsvmap_size;
    uint32_t strings_at = struct_at + struct_size;
    uint8_t *blob = calloc(1, total);
    memcpy(blob, compact, HEADER_SIZE);
    memcpy(blob + rsvmap_at, compact + get_be32(compact + 16), rsvmap_size);
    memcpy(blob + struct_at, compact + get_be32(compact + 8), struct_size);
    memcpy(blob + strings_at, compact + get_be32(compact + 12), strings_size);
    put_be32(blob + 4, (uint32_t)total);
    put_be32(blob + 8, struct_at);
    put_be32(blob + 12, strings_at);
    put_be32(blob + 16, rsvmap_at);
    return blob;
}

/* dtc's output is compact already: its copy is the same bytes. */
TEST(compact_dtc_output_unchanged)
{
    const char *const paths[] = { DTB_1G, DTB_2G_APPEND };
    for (size_t i = 0; i < 2; i++) {
        size_t size;
        uint8_t *blob = harness_read_file(paths[i], &size);
        ASSERT_TRUE(blob != NULL);
        uint8_t *out = malloc(size);
        EXPECT_EQ(fdt_compact_size(blob, size), size);
        EXPECT_EQ(fdt_compact(blob, size, out, size), size);
        EXPECT_MEMEQ(out, blob, size);
        free(out);
        free(blob);
    }
}

/* The blob as QEMU hands it over (1 MiB, almost all free space) compacts to
 * what dtc makes of it, and its boot arguments and RAM are found there. */
TEST(compact_qemu_layout)
{
    size_t size;
    uint8_t *dtc = harness_read_file(DTB_2G_APPEND, &size);
    ASSERT_TRUE(dtc != NULL);
    const size_t qemu_size = 1u << 20;
    uint8_t *qemu = padded_like_qemu(dtc, qemu_size);
    uint8_t *out = malloc(size);
    EXPECT_EQ(fdt_compact_size(qemu, qemu_size), size);
    EXPECT_EQ(fdt_compact(qemu, qemu_size, out, size), size);
    EXPECT_MEMEQ(out, dtc, size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, out, size));
    uint32_t len = 0;
    EXPECT_STREQ(fdt_get_prop(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs", &len), "test=x");
    fdt_range_t range;
    EXPECT_EQ(fdt_memory_ranges(&fdt, &range, 1), 1);
    EXPECT_EQ(range.size, 0x80000000ull);
    exercise(qemu, qemu_size);
    free(out);
    free(qemu);
    free(dtc);
}

/* Strings before the structure block: the copy puts them back in order. */
TEST(compact_reorders_blocks)
{
    size_t size;
    uint8_t *blob = small_tree(LAYOUT_STRUCT_LAST, &size);
    uint32_t struct_size = get_be32(blob + 36), strings_size = get_be32(blob + 32);
    uint32_t want = HEADER_SIZE + RESERVE_MAP_SIZE + struct_size + strings_size;
    EXPECT_EQ(fdt_compact_size(blob, size), want);
    uint8_t *out = malloc(want);
    ASSERT_EQ(fdt_compact(blob, size, out, want), want);
    EXPECT_TRUE(check_compact_header(out, want));
    EXPECT_MEMEQ(out + HEADER_SIZE + RESERVE_MAP_SIZE, blob + get_be32(blob + 8), struct_size);
    EXPECT_MEMEQ(out + want - strings_size, blob + get_be32(blob + 12), strings_size);
    check_same_tree(blob, size, out, want);
    free(out);
    free(blob);
}

/* A reservation block with entries (8-byte aligned, not right after the
 * header) is copied whole, up to and including its terminator. */
TEST(compact_keeps_reservations)
{
    size_t small_size;
    uint8_t *small = small_tree(LAYOUT_STANDARD, &small_size);
    const uint32_t entries[2][4] = { { 0, 0x48000000, 0, 0x1000 }, { 1, 0, 0, 0x200000 } };
    uint32_t rsvmap_at = HEADER_SIZE + 24, rsvmap_size = 3 * RESERVE_MAP_SIZE;
    uint32_t blocks = (uint32_t)small_size - HEADER_SIZE - RESERVE_MAP_SIZE;
    size_t size = rsvmap_at + rsvmap_size + blocks;
    uint8_t *blob = calloc(1, size);
    memcpy(blob, small, HEADER_SIZE);
    for (int i = 0; i < 2; i++) {
        for (int c = 0; c < 4; c++) {
            put_be32(blob + rsvmap_at + RESERVE_MAP_SIZE * i + 4 * c, entries[i][c]);
        }
    }
    memcpy(blob + rsvmap_at + rsvmap_size, small + HEADER_SIZE + RESERVE_MAP_SIZE, blocks);
    uint32_t shift = rsvmap_at + rsvmap_size - HEADER_SIZE - RESERVE_MAP_SIZE;
    put_be32(blob + 4, (uint32_t)size);
    put_be32(blob + 8, get_be32(small + 8) + shift);
    put_be32(blob + 12, get_be32(small + 12) + shift);
    put_be32(blob + 16, rsvmap_at);
    uint32_t want = HEADER_SIZE + rsvmap_size + blocks;
    uint8_t *out = malloc(want);
    ASSERT_EQ(fdt_compact(blob, size, out, want), want);
    EXPECT_TRUE(check_compact_header(out, want));
    EXPECT_MEMEQ(out + HEADER_SIZE, blob + rsvmap_at, rsvmap_size);
    check_same_tree(blob, size, out, want);
    /* Without its terminator the block runs into the structure block. */
    memset(blob + rsvmap_at + 2 * RESERVE_MAP_SIZE, 0xff, 8);
    expect_no_copy(blob, size, "unterminated reservation block");
    free(out);
    free(blob);
    free(small);
}

/* Bytes after the END token that the header counts in the structure block
 * are left out; so is everything after the last block. */
TEST(compact_trims_structure_block)
{
    size_t size;
    uint8_t *tree = small_tree(LAYOUT_STRUCT_LAST, &size);
    size_t padded = size + 12;
    uint8_t *blob = calloc(1, padded);
    memcpy(blob, tree, size);
    memset(blob + size, 0xee, 8);
    put_be32(blob + 4, (uint32_t)padded);
    put_be32(blob + 36, get_be32(tree + 36) + 8);
    uint32_t want = (uint32_t)size; /* strings then structure: the same sum */
    EXPECT_EQ(fdt_compact_size(blob, padded), want);
    uint8_t *out = malloc(want);
    ASSERT_EQ(fdt_compact(blob, padded, out, want), want);
    EXPECT_EQ(get_be32(out + 36), get_be32(tree + 36));
    check_same_tree(blob, padded, out, want);
    free(out);
    free(blob);
    free(tree);
}

/* Version 16 has no structure size (the field is whatever it is): the
 * structure block is found by its END token; the copy is version 17. */
TEST(compact_version_16)
{
    size_t size;
    uint8_t *blob = small_tree(LAYOUT_STANDARD, &size);
    uint32_t struct_size = get_be32(blob + 36);
    put_be32(blob + 20, 16);
    put_be32(blob + 36, 0xdeadbeef);
    uint8_t *out = malloc(size);
    ASSERT_EQ(fdt_compact(blob, size, out, size), size);
    EXPECT_TRUE(check_compact_header(out, (uint32_t)size));
    EXPECT_EQ(get_be32(out + 36), struct_size);
    fdt_t fdt;
    ASSERT_TRUE(fdt_init(&fdt, out, size));
    uint32_t len;
    EXPECT_STREQ(fdt_get_prop(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs", &len), "test=x");
    free(out);
    free(blob);
}

/* Too small an output buffer: no copy, nothing written past it. */
TEST(compact_output_too_small)
{
    size_t size;
    uint8_t *blob = small_tree(LAYOUT_STANDARD, &size);
    uint8_t *out = malloc(size - 1);
    EXPECT_EQ(fdt_compact(blob, size, out, size - 1), 0);
    EXPECT_EQ(fdt_compact(blob, size, out, 0), 0);
    free(out);
    out = malloc(size);
    EXPECT_EQ(fdt_compact(blob, size, out, size), size);
    free(out);
    free(blob);
}

TEST(compact_rejects_bad_headers)
{
    size_t size;
    uint8_t *good = small_tree(LAYOUT_STANDARD, &size);
    uint32_t struct_at = get_be32(good + 8), strings_at = get_be32(good + 12);
    const struct {
        uint32_t offset, value;
        const char *what;
    } cases[] = {
        { 0, 0xd00dfeef, "bad magic" },
        { 4, (uint32_t)size + 1, "totalsize beyond the buffer" },
        { 4, HEADER_SIZE - 4, "totalsize below the header" },
        { 4, (uint32_t)size - 1, "strings block beyond totalsize" },
        { 8, struct_at + 2, "unaligned structure block" },
        { 8, 0, "structure block in the header" },
        { 8, (uint32_t)size + 4, "structure block beyond totalsize" },
        { 12, 8, "strings block in the header" },
        { 12, 0xfffffff0, "strings offset wraps" },
        { 16, HEADER_SIZE + 4, "unaligned reservation block" },
        { 16, 0, "reservation block in the header" },
        { 16, (uint32_t)size, "reservation block beyond totalsize" },
        { 20, 15, "version 15" },
        { 24, 18, "last compatible version 18" },
        { 32, 0xffffffff, "strings size wraps" },
        { 36, (uint32_t)size, "structure block beyond totalsize" },
        { 36, 0xfffffff8, "structure size wraps" },
        { 36, get_be32(good + 36) - 4, "END token beyond the structure block" },
        { 12, struct_at + 8, "strings block inside the structure block" },
        { 16, struct_at, "reservation block inside the structure block" },
        { 16, strings_at - 8, "reservation block runs into the strings block" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t *bad = copy_of(good, size);
        put_be32(bad + cases[i].offset, cases[i].value);
        expect_no_copy(bad, size, cases[i].what);
        free(bad);
    }
    for (size_t length = 0; length < HEADER_SIZE; length++) {
        expect_no_copy(good, length, "a buffer shorter than the header");
    }
    free(good);
}

/* A tree that ends where the builder stands (END appended unless `end`). */
static void expect_structure_rejected(builder_t *b, bool end, const char *what)
{
    if (end) {
        emit32(b, TOKEN_END);
    }
    size_t size;
    uint8_t *blob = finish(b, LAYOUT_STANDARD, &size);
    expect_no_copy(blob, size, what);
    free(blob);
    blob = finish(b, LAYOUT_STRUCT_LAST, &size);
    expect_no_copy(blob, size, what);
    free(blob);
}

static builder_t *fresh_builder(void)
{
    static builder_t b;
    memset(&b, 0, sizeof(b));
    return &b;
}

TEST(compact_rejects_bad_structure)
{
    builder_t *b = fresh_builder();
    begin_node(b, "");
    end_node(b);
    expect_structure_rejected(b, false, "no END token");

    b = fresh_builder();
    emit32(b, TOKEN_NOP);
    expect_structure_rejected(b, true, "no root node");

    b = fresh_builder();
    begin_node(b, "");
    begin_node(b, "chosen");
    end_node(b);
    expect_structure_rejected(b, true, "END inside the root node");

    b = fresh_builder();
    begin_node(b, "");
    end_node(b);
    end_node(b);
    expect_structure_rejected(b, true, "END_NODE without a node");

    b = fresh_builder();
    begin_node(b, "");
    end_node(b);
    begin_node(b, "");
    end_node(b);
    expect_structure_rejected(b, true, "two root nodes");

    b = fresh_builder();
    prop_u32(b, "#size-cells", 1);
    begin_node(b, "");
    end_node(b);
    expect_structure_rejected(b, true, "a property outside the root");

    b = fresh_builder();
    begin_node(b, "");
    emit32(b, 5);
    end_node(b);
    expect_structure_rejected(b, true, "unknown token");

    b = fresh_builder();
    begin_node(b, "");
    emit32(b, TOKEN_PROP);
    emit32(b, 0);
    emit32(b, 0x100);
    end_node(b);
    prop_u32(b, "x", 0); /* a strings block, inside the root */
    expect_structure_rejected(b, true, "property name offset outside the strings block");

    b = fresh_builder();
    begin_node(b, "");
    emit32(b, TOKEN_PROP);
    emit32(b, 0x1000);
    emit32(b, string_offset(b, "reg"));
    end_node(b);
    expect_structure_rejected(b, true, "property value beyond the structure block");

    b = fresh_builder();
    begin_node(b, "");
    emit32(b, TOKEN_BEGIN_NODE);
    memcpy(b->structure + b->struct_len, "chosenXX", 8);
    b->struct_len += 8;
    expect_structure_rejected(b, false, "unterminated node name");

    b = fresh_builder();
    begin_node(b, "");
    prop(b, "bootargs", "x", 2);
    end_node(b);
    b->strings_len -= 1;
    expect_structure_rejected(b, true, "unterminated property name");
}
