/* The checks rs makes on what it reads from the boot archive before it
 * builds anything from it (docs/os.md, "How rs builds a component"): the
 * binary system description (and, with build/elf.h, each component's ELF). Plain C with no
 * system calls, so the host tests run the same code under ASan and UBSan
 * on corrupted archives (tests/host/test_rscheck.c). */
#pragma once

#include "../lib/build/elf.h"
#include <keel/os/sysdesc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_PAGE 4096ull
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
