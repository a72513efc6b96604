/* The client's side of a block channel (keel/os/blk.h), in libos
 * (user/os/lib/blkclient.c): requests kept until their completion, so
 * that a restarted driver gets again every one it had not finished
 * (docs/storage.md "The block channel"). Single-threaded: the caller
 * waits for completions on its own notification, and the notification
 * bits that were not the channel's are kept for it in `other_bits`. */
#pragma once

#include <keel/os/blk.h>
#include <keel/os/channel.h>
#include <stdbool.h>
#include <stdint.h>

/* Buffers live in the channel region from here on (the rings fill the
 * first page). */
#define KEEL_BLK_DATA 4096u

typedef struct keel_blk_slot {
    keel_ring_entry_t request;
    bool busy;      /* started, its result not yet taken */
    bool done;      /* completed */
    int32_t result; /* bytes done, or a negated errno */
} keel_blk_slot_t;

typedef struct keel_blk_client {
    keel_channel_end_t end;
    seL4_CPtr own;     /* the notification the driver's signals arrive on */
    uint32_t epoch;    /* of the driver instance the client has caught up with */
    uint32_t restarts; /* driver instances seen after the first */
    uint8_t *region;   /* the channel region: buffers at KEEL_BLK_DATA.. */
    uint64_t region_size;
    uint64_t sectors;     /* the disk's size */
    uint32_t largest;     /* bytes in one request */
    uint64_t generation;  /* the high bits of the next cookie */
    uint32_t staged;      /* requests in the ring the driver does not see yet */
    seL4_Word other_bits; /* notification bits seen while waiting, not the channel's */
    keel_blk_slot_t slot[KEEL_RING_SLOTS];
    /* keel_blk_supervise */
    seL4_CPtr rs;
    const char *driver;
    uint64_t stall_ticks; /* of the counter */
    uint64_t since;       /* the wait's start or its last completion */
    uint32_t stalls;      /* restarts asked for */
} keel_blk_client_t;

/* The channel region `name` of the start page (with NAME.notify) and the
 * process's own notification: asks the driver for the disk's size. 0, or
 * -ENODEV (no such channel, no notification), -EIO (the driver is down). */
int keel_blk_open(keel_blk_client_t *c, const char *name);

/* Start a request: its slot (>= 0), or -EAGAIN when every slot is busy,
 * -EINVAL for a buffer outside the data part of the region. The buffer is
 * region[offset .. offset + length) and stays the caller's to keep
 * unchanged until the request completes. */
int keel_blk_start(keel_blk_client_t *c, uint32_t op, uint64_t sector, uint64_t offset,
                   uint32_t length);

/* keel_blk_start without showing the request to the driver: it goes with
 * every other staged one at keel_blk_publish, all at once (the driver then
 * does all of them even if this client dies meanwhile). */
int keel_blk_stage(keel_blk_client_t *c, uint32_t op, uint64_t sector, uint64_t offset,
                   uint32_t length);
void keel_blk_publish(keel_blk_client_t *c);

/* Wait for the request in `slot` and free the slot: bytes done, or -EIO
 * (the device failed, the driver is down), -EINVAL (the driver refused it),
 * -EROFS. */
int keel_blk_wait(keel_blk_client_t *c, int slot);

/* keel_blk_start, then keel_blk_wait. */
int keel_blk_io(keel_blk_client_t *c, uint32_t op, uint64_t sector, uint64_t offset,
                uint32_t length);

/* A driver can be alive and stuck: answering rs's heartbeat while it
 * completes nothing (a bit flipped in its state, a device that stopped).
 * Once this is called, a wait that sees no completion for `stall_ms`
 * asks rs (the endpoint `rs`) to restart the component `driver` (a string
 * that must outlive the client), and catches up with the new instance as
 * after any restart. The wait looks at the time when its notification
 * wakes it: the heartbeat's pings do, so a client without a heartbeat
 * never finds a stall. */
void keel_blk_supervise(keel_blk_client_t *c, seL4_CPtr rs, const char *driver, uint32_t stall_ms);

/* Take what the driver answered, and catch up with a restart of it. The
 * caller's main loop calls it when the channel's bit is in its
 * notification word. */
void keel_blk_poll(keel_blk_client_t *c);
