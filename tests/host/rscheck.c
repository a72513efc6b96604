/* rs's checks of the boot archive (user/os/rs/check.h), run on the host
 * under ASan and UBSan by tests/host/test_mksystem.py:
 *
 *   rscheck ARCHIVE                 check it as rs does: "ok: ..." (exit 0)
 *                                   or "rejected: <rs's message>" (exit 1)
 *   rscheck --fuzz N SEED ARCHIVE   N corrupted copies: random bytes of the
 *                                   archive's index, the description and
 *                                   the ELF headers changed, or the archive
 *                                   cut short; each is checked, and what is
 *                                   accepted is read the way rs reads it.
 *
 * Each file rs reads is checked from its own buffer of exactly its size, so
 * a check that lets a read past the end through is an ASan report. */
#include "../../user/os/rs/check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct blob {
    unsigned char *data;
    size_t size;
} blob_t;

static char reason[256];

static blob_t copy_of(const void *data, size_t size)
{
    blob_t b = { malloc(size != 0 ? size : 1), size };
    if (b.data == NULL) {
        perror("rscheck");
        exit(2);
    }
    memcpy(b.data, data, size);
    return b;
}

/* Read every byte rs would read from a checked description. */
static unsigned long walk_sysdesc(const keel_sysdesc_t *d, const void *archive)
{
    unsigned long sum = 0;
    for (uint32_t i = 0; i < d->ncomponents; i++) {
        const keel_sysdesc_component_t *c = &rs_components(d)[i];
        const char *args = rs_string(d, c->args);
        for (uint32_t k = 0; k < c->args_size; k++) {
            sum += (unsigned char)args[k];
        }
        sum += strlen(c->name) + strlen(c->elf);
        for (uint32_t g = 0; g < c->ngrants; g++) {
            const keel_sysdesc_grant_t *gr = &rs_grants(d)[c->first_grant + g];
            sum += strlen(gr->name) + gr->badge + gr->vaddr;
            if (gr->kind == KEEL_GRANT_SERVE || gr->kind == KEEL_GRANT_USE) {
                sum += strlen(rs_services(d)[gr->target].name);
            } else if (gr->kind == KEEL_GRANT_CHANNEL) {
                sum += rs_channels(d)[gr->target].end[0];
            } else if (gr->kind == KEEL_GRANT_FILES) {
                sum += rs_files_layout(archive, rs_string(d, gr->string)).size;
            }
        }
    }
    return sum;
}

static unsigned long walk_elf(const blob_t *elf, const kb_elf_t *info)
{
    unsigned long sum = 0;
    for (uint32_t i = 0; i < info->nsegments; i++) {
        const kb_segment_t *s = &info->segment[i];
        for (uint64_t k = 0; k < s->filesz; k++) {
            sum += elf->data[s->offset + k];
        }
    }
    return sum;
}

/* Each component's ELF, as rs_build checks it. */
static const char *check_elves(const keel_sysdesc_t *d, const void *archive, unsigned long *sum)
{
    for (uint32_t i = 0; i < d->ncomponents; i++) {
        const keel_sysdesc_component_t *c = &rs_components(d)[i];
        const keel_archive_entry_t *e = keel_archive_find(archive, c->elf);
        blob_t elf = copy_of((const char *)archive + e->offset, e->size);
        kb_elf_t info;
        const char *error = kb_elf_check(elf.data, elf.size, &info);
        if (error == NULL) {
            *sum += walk_elf(&elf, &info);
        } else {
            snprintf(reason, sizeof(reason), "ELF %s of %s: %s", c->elf, c->name, error);
        }
        free(elf.data);
        if (error != NULL) {
            return reason;
        }
    }
    return NULL;
}

/* NULL if rs would accept the archive (and build from it), else why not. */
static const char *check_archive(const blob_t *archive, unsigned long *sum)
{
    int error = keel_archive_check(archive->data, archive->size);
    if (error != KEEL_ARCHIVE_OK) {
        snprintf(reason, sizeof(reason), "archive: %s", keel_archive_strerror(error));
        return reason;
    }
    const keel_archive_entry_t *e = keel_archive_find(archive->data, KEEL_SYSDESC_FILE);
    if (e == NULL) {
        return "archive: no system description";
    }
    blob_t desc = copy_of(archive->data + e->offset, e->size);
    const char *why = rs_sysdesc_check((const keel_sysdesc_t *)desc.data, desc.size, archive->data);
    if (why != NULL) {
        snprintf(reason, sizeof(reason), "description: %s", why);
    } else {
        *sum += walk_sysdesc((const keel_sysdesc_t *)desc.data, archive->data);
        why = check_elves((const keel_sysdesc_t *)desc.data, archive->data, sum);
    }
    free(desc.data);
    return why;
}

static blob_t read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    blob_t b = { malloc(size > 0 ? (size_t)size : 1), size > 0 ? (size_t)size : 0 };
    if (b.data == NULL || fread(b.data, 1, b.size, f) != b.size) {
        perror(path);
        exit(2);
    }
    fclose(f);
    return b;
}

/* --- fuzzing ------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A byte range of the original worth corrupting: the header and index,
 * the description, or the headers of one of the files. */
static void pick_target(const blob_t *b, size_t *start, size_t *len)
{
    const keel_archive_header_t *h = (const keel_archive_header_t *)b->data;
    const keel_archive_entry_t *e = keel_archive_entries(b->data);
    uint64_t choice = rng() % (h->nfiles + 1);
    if (choice == h->nfiles) {
        *start = 0;
        *len = sizeof(*h) + h->nfiles * sizeof(*e);
    } else {
        *start = e[choice].offset;
        *len = strcmp(e[choice].name, KEEL_SYSDESC_FILE) == 0 ? e[choice].size : 512;
        *len = *len < e[choice].size ? *len : e[choice].size;
    }
}

static const unsigned char interesting[] = { 0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 0x10, 0x40 };

static void mutate(blob_t *m, const blob_t *original)
{
    size_t start, len;
    pick_target(original, &start, &len);
    unsigned changes = 1 + (unsigned)(rng() % 4);
    for (unsigned i = 0; i < changes && len > 0; i++) {
        size_t at = start + rng() % len;
        m->data[at] = rng() % 2 ? (unsigned char)rng() : interesting[rng() % sizeof(interesting)];
    }
    if (rng() % 16 == 0) {
        m->size = rng() % m->size; /* cut short */
    }
}

static int fuzz(const blob_t *original, unsigned long n, uint64_t seed)
{
    unsigned long sum = 0;
    if (check_archive(original, &sum) != NULL) {
        printf("rejected: %s (the original must pass)\n", reason);
        return 1;
    }
    rng_state = seed * 2654435761u + 1;
    unsigned long accepted = 0;
    for (unsigned long i = 0; i < n; i++) {
        blob_t m = copy_of(original->data, original->size);
        mutate(&m, original);
        if (m.size != original->size) { /* the buffer must end where the archive does */
            blob_t cut = copy_of(m.data, m.size);
            free(m.data);
            m = cut;
        }
        accepted += check_archive(&m, &sum) == NULL;
        free(m.data);
    }
    printf("fuzz: %lu corrupted archives, %lu accepted, %lu rejected (sum %lu)\n", n, accepted,
           n - accepted, sum);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--fuzz") == 0) {
        blob_t b = read_file(argv[4]);
        int status = fuzz(&b, strtoul(argv[2], NULL, 0), strtoull(argv[3], NULL, 0));
        free(b.data);
        return status;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: rscheck ARCHIVE | rscheck --fuzz N SEED ARCHIVE\n");
        return 2;
    }
    blob_t b = read_file(argv[1]);
    unsigned long sum = 0;
    const char *why = check_archive(&b, &sum);
    if (why != NULL) {
        printf("rejected: %s\n", why);
    } else {
        printf("ok: %u files\n", ((const keel_archive_header_t *)b.data)->nfiles);
    }
    free(b.data);
    return why != NULL;
}
