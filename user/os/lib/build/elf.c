/* Checking an ELF before a component or program is built from it (elf.h). */
#include "elf.h"
#include <keel/os/startinfo.h>

#define EM_AARCH64 183
#define ET_EXEC 2
#define PT_LOAD 1

typedef struct elf64_ehdr {
    unsigned char ident[16];
    uint16_t type;
    uint16_t machine;
    uint32_t version;
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
} elf64_ehdr_t;

typedef struct elf64_phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
} elf64_phdr_t;

static const char *check_header(const elf64_ehdr_t *h, uint64_t have, uint64_t size)
{
    if (have < sizeof(*h) || h->ident[0] != 0x7f || h->ident[1] != 'E' || h->ident[2] != 'L' ||
        h->ident[3] != 'F') {
        return "not an ELF file";
    }
    if (h->ident[4] != 2 || h->ident[5] != 1 || h->machine != EM_AARCH64) {
        return "not a little-endian AArch64 ELF64 file";
    }
    if (h->type != ET_EXEC) {
        return "not an executable";
    }
    if (h->phentsize != sizeof(elf64_phdr_t) || h->phoff % 8 != 0 || h->phoff > size ||
        (size - h->phoff) / sizeof(elf64_phdr_t) < h->phnum) {
        return "the program header table is malformed or outside the file";
    }
    if (h->phoff > have || (have - h->phoff) / sizeof(elf64_phdr_t) < h->phnum) {
        return "the program header table is not in the file's first part";
    }
    return NULL;
}

static uint32_t segment_flags(uint32_t pflags)
{
    /* ELF: PF_X 1, PF_W 2, PF_R 4 -- the same bits as KB_SEG_*. */
    return pflags & (KB_SEG_X | KB_SEG_W | KB_SEG_R);
}

static const char *check_segment(const elf64_phdr_t *p, uint64_t size)
{
    if (p->filesz > p->memsz) {
        return "a segment has more file bytes than memory bytes";
    }
    if (p->offset > size || p->filesz > size - p->offset) {
        return "a segment lies beyond the end of the file";
    }
    if (p->vaddr < KB_PAGE || p->vaddr > KEEL_REGIONS_VADDR ||
        p->memsz > KEEL_REGIONS_VADDR - p->vaddr) {
        return "a segment lies outside [0x1000, KEEL_REGIONS_VADDR)";
    }
    if ((p->flags & KB_SEG_W) && (p->flags & KB_SEG_X)) {
        return "a segment is writable and executable";
    }
    return NULL;
}

static uint64_t first_page(const kb_segment_t *s)
{
    return s->vaddr / KB_PAGE;
}

static uint64_t end_page(const kb_segment_t *s)
{
    return (s->vaddr + s->memsz + KB_PAGE - 1) / KB_PAGE;
}

static bool share_a_page(const kb_segment_t *a, const kb_segment_t *b)
{
    return first_page(a) < end_page(b) && first_page(b) < end_page(a);
}

static bool entry_executable(const kb_elf_t *elf)
{
    for (uint32_t i = 0; i < elf->nsegments; i++) {
        const kb_segment_t *s = &elf->segment[i];
        if ((s->flags & KB_SEG_X) && elf->entry >= s->vaddr && elf->entry - s->vaddr < s->memsz) {
            return true;
        }
    }
    return false;
}

static const char *add_segment(kb_elf_t *elf, const elf64_phdr_t *p)
{
    if (elf->nsegments == KB_ELF_MAX_SEGMENTS) {
        return "more than 8 loadable segments";
    }
    kb_segment_t s = {
        .vaddr = p->vaddr,
        .memsz = p->memsz,
        .offset = p->offset,
        .filesz = p->filesz,
        .flags = segment_flags(p->flags),
    };
    for (uint32_t i = 0; i < elf->nsegments; i++) {
        if (share_a_page(&s, &elf->segment[i])) {
            return "two segments share a page";
        }
    }
    elf->segment[elf->nsegments++] = s;
    uint64_t end = end_page(&s) * KB_PAGE;
    elf->end = end > elf->end ? end : elf->end;
    return NULL;
}

const char *kb_elf_check(const void *data, uint64_t size, kb_elf_t *elf)
{
    return kb_elf_check_start(data, size, size, elf);
}

const char *kb_elf_check_start(const void *start, uint64_t have, uint64_t size, kb_elf_t *elf)
{
    const elf64_ehdr_t *h = start;
    const char *data = start;
    const char *error = check_header(h, have, size);
    if (error != NULL) {
        return error;
    }
    *elf = (kb_elf_t){ .entry = h->entry };
    const elf64_phdr_t *phdr = (const elf64_phdr_t *)(data + h->phoff);
    for (uint16_t i = 0; i < h->phnum; i++) {
        if (phdr[i].type != PT_LOAD || phdr[i].memsz == 0) {
            continue;
        }
        error = check_segment(&phdr[i], size);
        if (error == NULL) {
            error = add_segment(elf, &phdr[i]);
        }
        if (error != NULL) {
            return error;
        }
    }
    if (elf->nsegments == 0) {
        return "no loadable segment";
    }
    return entry_executable(elf) ? NULL : "the entry point is not in an executable segment";
}
