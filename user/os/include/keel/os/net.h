/* The network channel (docs/network.md "The channel"): the one client of
 * the virtio-net driver sends and receives Ethernet frames through the
 * rings of its channel (keel/os/ring.h). The channel's first page holds
 * the rings; the pages after it are the client's data region, its
 * buffers, which the device reads and writes directly (the driver holds
 * their frames and so their physical addresses). Every buffer the client
 * owns; the driver only borrows it between a request and its completion.
 *
 * A request entry:
 *   cookie  the client's tag, echoed in the completion
 *   length  TX: the frame's bytes (KEEL_NET_FRAME_MIN .. KEEL_NET_FRAME_MAX,
 *           without the frame check sequence); RX: the buffer's room, at
 *           least KEEL_NET_FRAME_MAX
 *   op      KEEL_NET_TX/RX/INFO in bits 0-7; in bits 8-31 the buffer's
 *           place in the channel region in 64-byte units (past the rings'
 *           page, inside one page: a buffer never spans two)
 * A completion entry: the cookie, op = status, length = the frame's bytes
 * (RX; 0 for a TX). INFO answers offset = the MAC address (the first
 * byte in the lowest 8 bits) and length = the MTU.
 *
 * A TX completes when the device has taken the frame; an RX when a frame
 * arrived in its buffer. The driver holds the RX buffers the client gives
 * until frames come, so a client keeps some posted.
 *
 * A restarted driver (docs/os.md "Driver channels"): the client takes
 * what the old instance completed and queues again what it had not: its
 * RX buffers, and its TX frames (a frame may then go out twice, which
 * IP allows: TCP drops the duplicate, as it recovers a frame lost). */
#pragma once

#include <keel/os/ring.h>
#include <stdint.h>

#define KEEL_NET_FRAME_MIN 14u   /* an Ethernet header */
#define KEEL_NET_FRAME_MAX 1514u /* header and 1500 bytes of payload */
#define KEEL_NET_MTU 1500u
#define KEEL_NET_PLACE_UNIT 64u
#define KEEL_NET_PLACE_SHIFT 8

enum keel_net_op {
    KEEL_NET_TX = 1,   /* send the frame in the buffer */
    KEEL_NET_RX = 2,   /* fill the buffer with the next frame that arrives */
    KEEL_NET_INFO = 3, /* the MAC address and the MTU */
};

enum keel_net_status {
    KEEL_NET_OK = 0,
    KEEL_NET_BAD_REQUEST = 1, /* an unknown op, a bad buffer or length */
};

static inline keel_ring_entry_t keel_net_request(uint64_t cookie, uint32_t op,
                                                 uint64_t region_offset, uint32_t length)
{
    uint32_t place = (uint32_t)(region_offset / KEEL_NET_PLACE_UNIT);
    return (keel_ring_entry_t){
        .cookie = cookie, .offset = 0, .length = length, .op = op | place << KEEL_NET_PLACE_SHIFT
    };
}

static inline uint32_t keel_net_op(const keel_ring_entry_t *e)
{
    return e->op & ((1u << KEEL_NET_PLACE_SHIFT) - 1);
}

/* Where the request's buffer starts in the channel region, in bytes. */
static inline uint64_t keel_net_buffer(const keel_ring_entry_t *e)
{
    return (uint64_t)(e->op >> KEEL_NET_PLACE_SHIFT) * KEEL_NET_PLACE_UNIT;
}
