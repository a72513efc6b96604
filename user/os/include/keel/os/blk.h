/* The block channel (docs/storage.md "The block channel"): a client of the
 * virtio-blk driver reads and writes the disk's 512-byte sectors through
 * the rings of its channel (keel/os/ring.h). The channel's first page
 * holds the rings; the pages after it are the client's data region, which
 * the device reads and writes directly (the driver holds their frames and
 * so their physical addresses).
 *
 * A request entry:
 *   cookie  the client's tag, echoed in the completion
 *   offset  the first sector
 *   length  bytes: a multiple of 512, 1 .. the driver's largest request
 *   op      KEEL_BLK_READ/WRITE/FLUSH/INFO in bits 0-7; in bits 8-31 the
 *           buffer's place in the channel region in 512-byte units (at
 *           least one page in, so past the rings; the whole buffer inside)
 * A completion entry: the cookie, op = status, length = bytes done; INFO
 * answers offset = the disk's sectors and length = the largest request.
 *
 * FLUSH and INFO are barriers: the driver takes one only when every
 * request before it has completed, and takes nothing after a FLUSH until
 * it has completed. So a FLUSH covers every write before it, and a client
 * that starts again (a restarted client) learns from its first INFO that
 * what an earlier instance left with the driver is done.
 *
 * Requests complete in any order, and a restarted driver redoes every
 * request it had taken but not completed (the client queues again all it
 * has not seen completed: docs/os.md "Driver channels"). A read or write
 * of the same data to the same sectors is the same whether done once or
 * twice, so this is exact as long as a client never has two overlapping
 * writes, or a read and a write of one sector, in flight at once. */
#pragma once

#include <keel/os/ring.h>
#include <stdint.h>

#define KEEL_BLK_SECTOR 512u

enum keel_blk_op {
    KEEL_BLK_READ = 1,  /* length bytes from sector offset into the buffer */
    KEEL_BLK_WRITE = 2, /* the buffer to the disk */
    KEEL_BLK_FLUSH = 3, /* every completed write is durable when this completes */
    KEEL_BLK_INFO = 4,  /* the disk's size and the largest request */
};

enum keel_blk_status {
    KEEL_BLK_OK = 0,
    KEEL_BLK_IOERR = 1,       /* the device failed it */
    KEEL_BLK_BAD_REQUEST = 2, /* an unknown op, a bad buffer or length, past the disk's end */
    KEEL_BLK_READ_ONLY = 3,   /* a write to a read-only disk */
};

#define KEEL_BLK_PLACE_SHIFT 8
#define KEEL_BLK_PLACE_MAX ((1u << 24) - 1)

static inline keel_ring_entry_t keel_blk_request(uint64_t cookie, uint32_t op, uint64_t sector,
                                                 uint64_t region_offset, uint32_t length)
{
    uint32_t place = (uint32_t)(region_offset / KEEL_BLK_SECTOR);
    return (keel_ring_entry_t){ .cookie = cookie,
                                .offset = sector,
                                .length = length,
                                .op = op | place << KEEL_BLK_PLACE_SHIFT };
}

static inline uint32_t keel_blk_op(const keel_ring_entry_t *e)
{
    return e->op & ((1u << KEEL_BLK_PLACE_SHIFT) - 1);
}

/* Where the request's buffer starts in the channel region, in bytes. */
static inline uint64_t keel_blk_buffer(const keel_ring_entry_t *e)
{
    return (uint64_t)(e->op >> KEEL_BLK_PLACE_SHIFT) * KEEL_BLK_SECTOR;
}
