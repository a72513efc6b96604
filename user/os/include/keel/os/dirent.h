/* The records vfs's getdents writes into a client's data window
 * (proto/vfs.proto): back to back, each 8-byte aligned -- a header, the name
 * and its NUL, padding. vfs writes them with keel_dirent_put(), libos reads
 * them with keel_dirent_next(), which checks every field: a record comes
 * from shared memory. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KEEL_DIRENT_NAME_MAX 255

typedef struct keel_dirent {
    uint64_t ino;
    uint16_t reclen; /* bytes of the whole record: a multiple of 8 */
    uint8_t type;    /* VFS_TYPE_* (file type as S_IFMT >> 12), 0 unknown */
    uint8_t namelen; /* bytes of the name, without its NUL */
    uint32_t reserved;
    /* char name[namelen + 1], then zero padding to reclen */
} keel_dirent_t;

_Static_assert(sizeof(keel_dirent_t) == 16, "keel_dirent_t is 16 bytes");

/* Bytes of the record for a name of `namelen` bytes. */
static inline size_t keel_dirent_size(size_t namelen)
{
    return (sizeof(keel_dirent_t) + namelen + 1 + 7) & ~(size_t)7;
}

/* Write a record at buf + offset (offset a multiple of 8) if it fits in
 * `size` bytes; returns the offset after it, or 0 if it does not fit or the
 * name is empty, too long or holds a NUL. */
static inline size_t keel_dirent_put(unsigned char *buf, size_t size, size_t offset, uint64_t ino,
                                     uint8_t type, const char *name, size_t namelen)
{
    if (namelen == 0 || namelen > KEEL_DIRENT_NAME_MAX || offset > size ||
        keel_dirent_size(namelen) > size - offset) {
        return 0;
    }
    for (size_t i = 0; i < namelen; i++) {
        if (name[i] == '\0') {
            return 0;
        }
    }
    size_t reclen = keel_dirent_size(namelen);
    keel_dirent_t head = { .ino = ino,
                           .reclen = (uint16_t)reclen,
                           .type = type,
                           .namelen = (uint8_t)namelen,
                           .reserved = 0 };
    unsigned char *record = buf + offset;
    __builtin_memcpy(record, &head, sizeof(head));
    __builtin_memcpy(record + sizeof(head), name, namelen);
    for (size_t i = sizeof(head) + namelen; i < reclen; i++) {
        record[i] = 0;
    }
    return offset + reclen;
}

/* Read the record at buf + offset of the `size` bytes getdents filled: its
 * header into *out and its name (len + 1 bytes, NUL included) into
 * name_out, so that nothing is read twice from shared memory. Returns the
 * offset of the next record, or 0 if the record is malformed (misaligned,
 * past the end, a reclen that does not match the name, no NUL after it, a
 * NUL inside it, an empty name). */
static inline size_t keel_dirent_next(const unsigned char *buf, size_t size, size_t offset,
                                      keel_dirent_t *out, char name_out[KEEL_DIRENT_NAME_MAX + 1])
{
    if ((offset & 7) != 0 || offset > size || size - offset < sizeof(keel_dirent_t)) {
        return 0;
    }
    __builtin_memcpy(out, buf + offset, sizeof(*out));
    size_t reclen = out->reclen;
    if (out->namelen == 0 || reclen != keel_dirent_size(out->namelen) || reclen > size - offset) {
        return 0;
    }
    __builtin_memcpy(name_out, buf + offset + sizeof(*out), (size_t)out->namelen + 1);
    if (name_out[out->namelen] != '\0') {
        return 0;
    }
    for (size_t i = 0; i < out->namelen; i++) {
        if (name_out[i] == '\0') {
            return 0;
        }
    }
    return offset + reclen;
}
