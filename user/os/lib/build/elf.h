/* Checking an ELF before a process is built from it (docs/os.md, "The
 * process builder"): rs checks each component's, pm each program's. Plain
 * C with no system calls, so the host tests run it under ASan and UBSan
 * (tests/host/rscheck.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KB_PAGE 4096ull
#define KB_ELF_MAX_SEGMENTS 8

/* A loadable segment of a checked ELF. */
typedef struct kb_segment {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t offset; /* in the file */
    uint64_t filesz;
    uint32_t flags; /* KB_SEG_* */
} kb_segment_t;

#define KB_SEG_X 1u
#define KB_SEG_W 2u
#define KB_SEG_R 4u

typedef struct kb_elf {
    uint64_t entry;
    uint32_t nsegments;
    kb_segment_t segment[KB_ELF_MAX_SEGMENTS];
    uint64_t end; /* page-aligned end of the highest segment: where the heap starts */
} kb_elf_t;

/* Check an ELF of `size` bytes at `data` (8-byte aligned) the way the
 * builder loads it: a little-endian AArch64 ELF64 executable whose PT_LOAD
 * segments lie in [KB_PAGE, KEEL_REGIONS_VADDR), inside the file, never
 * writable and executable, no two on one page; the entry in an executable
 * segment. Fills *elf. NULL, or what is wrong. */
const char *kb_elf_check(const void *data, uint64_t size, kb_elf_t *elf);
/* The same for a file of `size` bytes of which only the first `have` are
 * at `start` (a builder that reads the file in parts): its headers must
 * lie in them. */
const char *kb_elf_check_start(const void *start, uint64_t have, uint64_t size, kb_elf_t *elf);
