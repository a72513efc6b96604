/* The console channel between vfs and the uart driver (docs/os.md "Driver
 * channels"): a keel/os/ring.h channel of one page whose entries carry
 * their bytes inline, in `cookie` and `offset` (up to 16 bytes, the first
 * in the low byte of cookie), `length` of them, so that no data region is
 * shared. vfs puts KEEL_UART_TX requests (bytes to send) in the request
 * ring and signals; the driver puts KEEL_UART_RX completions (bytes
 * received) in the completion ring and signals. Nothing else: transmit has
 * no completion.
 *
 * The driver's progress lives in the same page, right after the rings
 * (keel_uart_progress), so that a restarted driver neither loses nor
 * repeats a byte (docs/reliability.md, "Channels"): how much of the
 * request at the ring's tail is already sent, and which bytes are
 * already received for the completion slot at the ring's head. */
#pragma once

#include <keel/os/ring.h>
#include <stddef.h>
#include <stdint.h>

#define KEEL_UART_TX 1
#define KEEL_UART_RX 2
#define KEEL_UART_INLINE 16

/* The driver's record of its progress, in the channel page right after
 * the rings (keel_uart_progress). Written by the driver alone, one store
 * per byte right after the data register access, so that a new instance
 * goes on where the old one stopped; vfs never touches it (the driver
 * still takes it as hostile: it never reads past an entry because of
 * it).
 *
 * Transmit: tx_sent bytes of the request at index tx_index (the ring's
 * tail) are in the data register; the tail moves on once all are. A
 * record about another index means none yet.
 *
 * Receive: the bytes taken from the FIFO for the completion slot at the
 * ring's head, not yet put there (the driver puts a slot when it is full
 * or the FIFO empty), each as the data register gave it, the first
 * KEEL_UART_RX_NONE ending them. rx_index_inverted is that index's
 * complement, so that a new page, all zero, is about index 0xffffffff,
 * which the ring reaches only long after the driver first wrote the
 * record, rather than about index 0 with sixteen NUL bytes. */
#define KEEL_UART_RX_NONE 0xffffffffu /* no data register value: its bits 31-12 read as zero */

typedef struct keel_uart_progress {
    volatile uint32_t tx_index;
    volatile uint32_t tx_sent;
    volatile uint32_t rx_index_inverted;
    volatile uint32_t rx[KEEL_UART_INLINE];
} keel_uart_progress_t;

_Static_assert(sizeof(keel_channel_t) + sizeof(keel_uart_progress_t) <= 4096,
               "the console channel is one page (pages=1)");

static inline keel_uart_progress_t *keel_uart_progress(keel_channel_t *c)
{
    return (keel_uart_progress_t *)(c + 1);
}

/* Put up to KEEL_UART_INLINE of bytes[0..n) in e; returns how many. */
static inline size_t keel_uart_pack(keel_ring_entry_t *e, const unsigned char *bytes, size_t n)
{
    size_t count = n < KEEL_UART_INLINE ? n : KEEL_UART_INLINE;
    uint64_t word[2] = { 0, 0 };
    for (size_t i = 0; i < count; i++) {
        word[i / 8] |= (uint64_t)bytes[i] << (8 * (i % 8));
    }
    e->cookie = word[0];
    e->offset = word[1];
    return count;
}

/* The bytes of e into out[KEEL_UART_INLINE]; returns how many (a length
 * above KEEL_UART_INLINE, from a confused peer, is cut to it). */
static inline size_t keel_uart_unpack(const keel_ring_entry_t *e, unsigned char *out)
{
    size_t count = e->length < KEEL_UART_INLINE ? e->length : KEEL_UART_INLINE;
    uint64_t word[2] = { e->cookie, e->offset };
    for (size_t i = 0; i < count; i++) {
        out[i] = (unsigned char)(word[i / 8] >> (8 * (i % 8)));
    }
    return count;
}
