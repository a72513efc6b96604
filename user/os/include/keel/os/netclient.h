/* The client's side of a network channel (keel/os/net.h), in libos
 * (user/os/lib/netclient.c): requests kept in slots the caller numbers
 * until their completion, so that a restarted driver gets again every one
 * it had not completed (docs/os.md "Driver channels"). The caller owns
 * the slots and the buffers: it puts a request into a free slot, polls,
 * and takes each slot the poll marked done. Single-threaded. */
#pragma once

#include <keel/os/channel.h>
#include <keel/os/net.h>
#include <stdbool.h>
#include <stdint.h>

#define KEEL_NET_SLOTS 64 /* slot numbers 0 .. 63; the cookie's low 8 bits */

typedef struct keel_net_slot {
    keel_ring_entry_t request;
    bool busy;       /* put, its completion not taken by the caller */
    bool done;       /* completed: status and length below */
    uint32_t status; /* KEEL_NET_OK or KEEL_NET_BAD_REQUEST */
    uint32_t length; /* RX: the frame's bytes */
} keel_net_slot_t;

typedef struct keel_net_client {
    keel_channel_end_t end;
    uint8_t *region; /* the channel region: buffers from one page in */
    uint64_t region_size;
    seL4_CPtr own;       /* the notification the driver's signals arrive on */
    uint32_t epoch;      /* of the driver instance caught up with */
    uint32_t restarts;   /* driver instances seen after the first */
    uint64_t generation; /* the high bits of the next cookie */
    uint64_t mac;        /* from INFO: the first byte in the lowest 8 bits */
    uint32_t mtu;
    keel_net_slot_t slot[KEEL_NET_SLOTS + 1]; /* the last: keel_net_open's INFO */
} keel_net_client_t;

/* The channel `name` of the start page and the process's notification;
 * asks INFO and waits for it. 0, or -ENODEV (no such channel or
 * notification, or a region smaller than min_size). */
int keel_net_open(keel_net_client_t *c, const char *name, uint64_t min_size);

/* Put a request into slot (< KEEL_NET_SLOTS, the caller's to choose):
 * op KEEL_NET_TX or KEEL_NET_RX on the buffer at region offset `offset`. */
void keel_net_put(keel_net_client_t *c, unsigned slot, uint32_t op, uint64_t offset,
                  uint32_t length);

/* Take the driver's completions (marking their slots done) and catch up
 * with a restarted driver. */
void keel_net_poll(keel_net_client_t *c);

/* Wait until the driver (or anybody) signals; rs's heartbeat pings are
 * answered. */
void keel_net_wait(keel_net_client_t *c);
