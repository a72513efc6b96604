/* The console channel between vfs and the uart driver (docs/os.md "Driver
 * channels"): a keel/os/ring.h channel of one page whose entries carry
 * their bytes inline, in `cookie` and `offset` (up to 16 bytes, the first
 * in the low byte of cookie), `length` of them, so that no data region is
 * shared. vfs puts KEEL_UART_TX requests (bytes to send) in the request
 * ring and signals; the driver puts KEEL_UART_RX completions (bytes
 * received) in the completion ring and signals. Nothing else: transmit has
 * no completion. */
#pragma once

#include <keel/os/ring.h>
#include <stddef.h>
#include <stdint.h>

#define KEEL_UART_TX 1
#define KEEL_UART_RX 2
#define KEEL_UART_INLINE 16

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
