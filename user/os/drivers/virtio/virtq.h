/* A split virtqueue (OASIS VIRTIO 1.1, section 2.6) in memory only its
 * driver and the device touch: the descriptor table, the driver ("avail")
 * ring and the device ("used") ring, each in a page of the driver's dma
 * grant. The driver chains descriptors into a request, publishes the
 * chain's head in the avail ring, and takes heads back from the used ring
 * when the device is done with them. */
#pragma once

#include "mmio.h"

#include <stdbool.h>
#include <stdint.h>

#define VIRTQ_MAX 256 /* entries: the descriptor table then fills its page */

#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u /* the device writes this buffer */

typedef struct virtq_desc {
    uint64_t addr; /* physical */
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} virtq_desc_t;

typedef struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[VIRTQ_MAX];
} virtq_avail_t;

typedef struct virtq_used_elem {
    uint32_t id;  /* the head of a chain the device is done with */
    uint32_t len; /* bytes it wrote into the chain */
} virtq_used_elem_t;

typedef struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    virtq_used_elem_t ring[VIRTQ_MAX];
} virtq_used_t;

/* A page of the driver's memory and its physical address. */
typedef struct virtq_page {
    void *vaddr;
    uint64_t paddr;
} virtq_page_t;

typedef struct virtq {
    virtio_mmio_t dev;
    uint32_t index; /* which of the device's queues */
    uint16_t size;  /* entries, a power of two */
    volatile virtq_desc_t *desc;
    volatile virtq_avail_t *avail;
    volatile virtq_used_t *used;
    uint16_t free_head; /* the free descriptors, chained through next */
    uint16_t nfree;
    uint16_t last_used;               /* the used ring's entries before it are taken */
    uint16_t chain_length[VIRTQ_MAX]; /* per submitted head; 0: not with the device */
} virtq_t;

/* Queue `index` of the device with at most `want` entries (the device may
 * offer fewer), its three parts in three pages; made ready. NULL, or why
 * not. */
const char *virtq_setup(virtq_t *q, virtio_mmio_t dev, uint32_t index, uint16_t want,
                        virtq_page_t desc, virtq_page_t avail, virtq_page_t used);

/* A chain of n free descriptors: its head, or -1 if fewer are free. The
 * caller fills each (virtq_fill) following virtq_next from the head. */
int virtq_alloc(virtq_t *q, unsigned n);

static inline uint16_t virtq_next(const virtq_t *q, uint16_t id)
{
    return q->desc[id].next;
}

/* Descriptor id describes `len` bytes at physical `addr`; `last` ends the
 * chain, `device_writes` makes it a buffer the device fills. */
void virtq_fill(virtq_t *q, uint16_t id, uint64_t addr, uint32_t len, bool device_writes,
                bool last);

/* Publish the chain at `head` to the device and tell it. */
void virtq_submit(virtq_t *q, uint16_t head);

/* The next chain the device is done with (its head and the bytes it
 * wrote); false when there is none. The chain is freed: the caller reads
 * what it needs of its buffers before its next virtq_alloc. A head the
 * device names that it does not have is skipped. */
bool virtq_take_used(virtq_t *q, uint16_t *head, uint32_t *written);
