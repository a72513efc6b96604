/* The boot archive (docs/os.md, "The boot archive"): named files in one
 * blob, written by tools/mksystem.py and linked into rs's image. A header,
 * an index of fixed-size entries, then the files, each starting on a page
 * boundary (so that rs can map a file's pages into a process as they are)
 * and in index order. rs hands pm a region holding an archive of the same
 * format with only the files pm may read (/bin).
 *
 * The archive is build output, but readers treat it as untrusted input:
 * keel_archive_check() bounds every field before anything else is read. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define KEEL_ARCHIVE_MAGIC 0x314352414c45454bull /* "KEELARC1" */
#define KEEL_ARCHIVE_VERSION 1
#define KEEL_ARCHIVE_ALIGN 4096ull /* every file's offset is a multiple */
#define KEEL_ARCHIVE_NAME_MAX 48   /* with the terminating NUL */

typedef struct keel_archive_header {
    uint64_t magic; /* KEEL_ARCHIVE_MAGIC */
    uint32_t version;
    uint32_t nfiles;
    uint64_t size; /* bytes of the whole archive, the last file's padding included */
    uint64_t reserved;
} keel_archive_header_t;

typedef struct keel_archive_entry {
    char name[KEEL_ARCHIVE_NAME_MAX]; /* NUL-terminated and NUL-padded: "system", "bin/sh" */
    uint64_t offset;                  /* from the archive's start; KEEL_ARCHIVE_ALIGN-aligned */
    uint64_t size;                    /* bytes */
} keel_archive_entry_t;

_Static_assert(sizeof(keel_archive_header_t) == 32, "archive header layout");
_Static_assert(sizeof(keel_archive_entry_t) == 64, "archive entry layout");

enum keel_archive_error {
    KEEL_ARCHIVE_OK = 0,
    KEEL_ARCHIVE_SHORT,     /* smaller than its header or its index */
    KEEL_ARCHIVE_BAD_MAGIC, /* not an archive, or another version */
    KEEL_ARCHIVE_BAD_SIZE,  /* the header's size disagrees with the blob */
    KEEL_ARCHIVE_BAD_NAME,  /* an empty or unterminated name, or one given twice */
    KEEL_ARCHIVE_BAD_FILE,  /* a file misaligned, out of bounds or out of order */
};

static inline const char *keel_archive_strerror(int error)
{
    switch (error) {
    case KEEL_ARCHIVE_OK:
        return "ok";
    case KEEL_ARCHIVE_SHORT:
        return "shorter than its header and index";
    case KEEL_ARCHIVE_BAD_MAGIC:
        return "bad magic or version";
    case KEEL_ARCHIVE_BAD_SIZE:
        return "its size field disagrees with its length";
    case KEEL_ARCHIVE_BAD_NAME:
        return "a file name is empty, unterminated or repeated";
    case KEEL_ARCHIVE_BAD_FILE:
        return "a file is misaligned, out of bounds or out of order";
    default:
        return "unknown error";
    }
}

static inline const keel_archive_entry_t *keel_archive_entries(const void *archive)
{
    return (const keel_archive_entry_t *)((const keel_archive_header_t *)archive + 1);
}

/* True if `name` is a NUL-terminated string of 1..max-1 characters. */
static inline bool keel_archive_name_ok(const char *name, uint64_t max)
{
    for (uint64_t i = 0; i < max; i++) {
        if (name[i] == '\0') {
            return i > 0;
        }
    }
    return false;
}

static inline bool keel_archive_same_name(const char *a, const char *b)
{
    for (uint64_t i = 0; i < KEEL_ARCHIVE_NAME_MAX; i++) {
        if (a[i] != b[i]) {
            return false;
        }
        if (a[i] == '\0') {
            return true;
        }
    }
    return true;
}

static inline int keel_archive_check_entry(const keel_archive_entry_t *e, uint64_t data_start,
                                           uint64_t size)
{
    if (!keel_archive_name_ok(e->name, KEEL_ARCHIVE_NAME_MAX)) {
        return KEEL_ARCHIVE_BAD_NAME;
    }
    if (e->offset % KEEL_ARCHIVE_ALIGN != 0 || e->offset < data_start || e->offset > size ||
        e->size > size - e->offset) {
        return KEEL_ARCHIVE_BAD_FILE;
    }
    return KEEL_ARCHIVE_OK;
}

/* Check a whole archive of `len` bytes at `archive` (8-byte aligned): 0 or
 * an enum keel_archive_error. After success every entry's name is a string
 * and its bytes lie inside the archive. */
static inline int keel_archive_check(const void *archive, uint64_t len)
{
    const keel_archive_header_t *h = (const keel_archive_header_t *)archive;
    if (len < sizeof(*h)) {
        return KEEL_ARCHIVE_SHORT;
    }
    if (h->magic != KEEL_ARCHIVE_MAGIC || h->version != KEEL_ARCHIVE_VERSION) {
        return KEEL_ARCHIVE_BAD_MAGIC;
    }
    if (h->size > len || h->size < sizeof(*h)) {
        return KEEL_ARCHIVE_BAD_SIZE;
    }
    if (h->nfiles > (h->size - sizeof(*h)) / sizeof(keel_archive_entry_t)) {
        return KEEL_ARCHIVE_SHORT;
    }
    const keel_archive_entry_t *entry = keel_archive_entries(archive);
    uint64_t next = sizeof(*h) + h->nfiles * sizeof(keel_archive_entry_t);
    for (uint32_t i = 0; i < h->nfiles; i++) {
        int error = keel_archive_check_entry(&entry[i], next, h->size);
        if (error != KEEL_ARCHIVE_OK) {
            return error;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (keel_archive_same_name(entry[i].name, entry[j].name)) {
                return KEEL_ARCHIVE_BAD_NAME;
            }
        }
        next = entry[i].offset + entry[i].size;
    }
    return KEEL_ARCHIVE_OK;
}

/* The entry named `name` of a checked archive, or NULL. */
static inline const keel_archive_entry_t *keel_archive_find(const void *archive, const char *name)
{
    const keel_archive_header_t *h = (const keel_archive_header_t *)archive;
    const keel_archive_entry_t *entry = keel_archive_entries(archive);
    for (uint32_t i = 0; i < h->nfiles; i++) {
        const char *a = entry[i].name;
        const char *b = name;
        while (*a != '\0' && *a == *b) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0') {
            return &entry[i];
        }
    }
    return 0;
}
