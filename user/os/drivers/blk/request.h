/* The virtio-blk driver's checks of its clients' requests and the device
 * addresses of a request's buffer (blk.c), apart from the device and the
 * channels so the host builds them as they are (make fuzz:
 * tests/fuzz/fuzz_blkreq.c). */
#pragma once

#include <keel/os/blk.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLK_F_SIZE_MAX 1 /* feature bits (VIRTIO 1.1, 5.2.3) */
#define BLK_F_SEG_MAX 2
#define BLK_F_RO 5
#define BLK_F_FLUSH 9

#define PAGE 4096u
#define LARGEST_REQUEST (128u * 1024)
#define SEGMENTS_MAX (LARGEST_REQUEST / PAGE + 1)
#define REGION_PAGES_MAX 1024 /* a client's channel region: 4 MiB */

/* What the driver takes from its clients, from the device's features and
 * configuration. */
typedef struct blk_limits {
    uint64_t capacity;      /* 512-byte sectors */
    uint32_t largest;       /* bytes in one request */
    uint32_t segments_max;  /* data segments in one request */
    uint32_t segment_bytes; /* the largest segment (size_max, if the device says) */
    bool read_only;
} blk_limits_t;

/* The limits of a device with `features` and `capacity`, whose
 * configuration says seg_max and size_max (read only with their feature
 * bits): NULL, or why the driver cannot serve it. */
const char *blk_limits(uint64_t features, uint64_t capacity, uint32_t seg_max, uint32_t size_max,
                       blk_limits_t *out);

/* A request entry judged against the limits and the client's channel
 * region of `pages` pages: KEEL_BLK_OK only if a read's or write's buffer
 * lies inside the data region (past the rings' page) and its sectors
 * inside the disk. */
uint32_t blk_check(const blk_limits_t *limits, uint32_t pages, const keel_ring_entry_t *e);

/* The physically contiguous runs of a checked buffer, from the physical
 * address of each page of the region (paddr), none longer than the
 * device's segment_bytes: how many, at most the pages the buffer covers
 * (so at most segments_max). */
unsigned blk_segments(const blk_limits_t *limits, const uint64_t *paddr, uint64_t buffer,
                      uint32_t length, uint64_t *addr, uint32_t *len);
