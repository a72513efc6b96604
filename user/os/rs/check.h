/* The checks rs makes on what it reads from the boot archive before it
 * builds anything from it (docs/os.md, "How rs builds a component"): the
 * binary system description and each component's ELF. Plain C with no
 * system calls, so the host tests run the same code under ASan and UBSan
 * on corrupted archives (tests/host/test_rscheck.c). */
#pragma once

#include <keel/os/sysdesc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_PAGE 4096ull
#define RS_ELF_MAX_SEGMENTS 8

/* A loadable segment of a checked ELF. */
typedef struct rs_segment {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t offset; /* in the file */
    uint64_t filesz;
    uint32_t flags; /* RS_SEG_* */
} rs_segment_t;

#define RS_SEG_X 1u
#define RS_SEG_W 2u
#define RS_SEG_R 4u

typedef struct rs_elf {
    uint64_t entry;
    uint32_t nsegments;
    rs_segment_t segment[RS_ELF_MAX_SEGMENTS];
    uint64_t end; /* page-aligned end of the highest segment: where the heap starts */
} rs_elf_t;

/* Check an ELF of `size` bytes at `data` (8-byte aligned) the way rs loads
 * it: a little-endian AArch64 ELF64 executable whose PT_LOAD segments lie
 * in [RS_PAGE, KEEL_REGIONS_VADDR), inside the file, never writable and
 * executable, no two on one page; the entry in an executable segment.
 * Fills *elf. NULL, or what is wrong. */
const char *rs_elf_check(const void *data, uint64_t size, rs_elf_t *elf);

/* Check a system description of `size` bytes at `desc` (8-byte aligned)
 * against the checked archive it came from: every offset, count, index,
 * name, size and address (the full list is in sysdesc.c). NULL, or what is
 * wrong, in a static buffer. */
const char *rs_sysdesc_check(const keel_sysdesc_t *desc, uint64_t size, const void *archive);

/* Tables of a checked description. */
static inline const keel_sysdesc_component_t *rs_components(const keel_sysdesc_t *d)
{
    return (const keel_sysdesc_component_t *)((const char *)d + d->components);
}

static inline const keel_sysdesc_grant_t *rs_grants(const keel_sysdesc_t *d)
{
    return (const keel_sysdesc_grant_t *)((const char *)d + d->grants);
}

static inline const keel_sysdesc_service_t *rs_services(const keel_sysdesc_t *d)
{
    return (const keel_sysdesc_service_t *)((const char *)d + d->services);
}

static inline const keel_sysdesc_channel_t *rs_channels(const keel_sysdesc_t *d)
{
    return (const keel_sysdesc_channel_t *)((const char *)d + d->channels);
}

static inline const char *rs_string(const keel_sysdesc_t *d, uint32_t offset)
{
    return (const char *)d + d->strings + offset;
}

/* Does archive entry `name` start with `prefix`? (A files grant.) */
bool rs_has_prefix(const char *name, const char *prefix);

/* The read-only archive a files grant maps: index pages (header and the
 * matching entries) and the matching files' pages. */
typedef struct rs_files_layout {
    uint32_t nfiles;
    uint64_t index_pages;
    uint64_t size; /* bytes of the whole region */
} rs_files_layout_t;

rs_files_layout_t rs_files_layout(const void *archive, const char *prefix);
