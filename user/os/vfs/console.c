/* The console's way in and out: the uart driver's channel "uart" (docs/os.md
 * "Driver channels", keel/os/uart.h), or, without one or once rs has given
 * up restarting the driver (KEEL_CHANNEL_DOWN), the kernel's debug console
 * for output; then a read finds no input (-EIO) instead of waiting for
 * ever. */
#include "vfs.h"

#include <keel/os/channel.h>
#include <keel/os/uart.h>
#include <keel/syscalls.h>
#include <stdint.h>

static keel_channel_t *uart;
static seL4_CPtr uart_signal;
static seL4_Word uart_bit;
static uint32_t uart_epoch; /* the driver instance vfs caught up with */

/* A new instance of the driver started (at boot, or restarted): let it go
 * on. Nothing is queued again or dropped: the bytes to send stay in the
 * request ring until the driver has sent all of an entry, the new
 * instance goes on from the old one's record of what it sent and received
 * (keel/os/uart.h, docs/reliability.md "Channels"), and the completions
 * the old one put stay in the ring for take_input -- which runs only from
 * vfs's loop, never from inside output (typed lines once came out
 * reordered when input was taken while the tty echoed a typed byte). */
static void catch_up(void)
{
    if (keel_channel_restarted(uart, uart_epoch)) {
        uart_epoch = keel_channel_accept(uart);
        seL4_Signal(uart_signal);
    }
}

void console_init(void)
{
    keel_channel_end_t end = keel_channel_end(keel_startinfo(), "uart");
    uart = end.rings; /* NULL without one: the debug console */
    uart_signal = end.signal;
    uart_bit = end.bit;
}

/* Console output waits here for room in the uart's request ring, so that
 * vfs never waits for the driver: while the driver is away (restarting,
 * waiting out its backoff) vfs serves everyone else, a writer finds the
 * queue full and waits as for a full pipe (WAIT_CONSOLE_WRITE), and vfs's
 * loop stays free to answer rs's heartbeat. */
#define QUEUE_BYTES 8192u
static unsigned char queue[QUEUE_BYTES];
static uint32_t queue_head, queue_tail; /* free-running: bytes put, bytes moved to the ring */

static bool through_uart(void)
{
    return uart != NULL && !keel_channel_down(uart);
}

size_t console_room(void)
{
    return through_uart() ? QUEUE_BYTES - (queue_head - queue_tail) : SIZE_MAX;
}

/* The debug console, byte by byte: no uart, or the uart down for good. */
static void debug_output(const unsigned char *p, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        seL4_DebugPutChar((char)p[i]);
    }
}

/* Move queued bytes to the ring, KEEL_UART_INLINE a request, while it has
 * room; the driver signals when it empties a ring it found full. With the
 * uart down for good, what is queued goes to the debug console, in order. */
static void pump(void)
{
    bool put = false;
    while (queue_head != queue_tail) {
        unsigned char bytes[KEEL_UART_INLINE];
        size_t n = 0;
        while (n < sizeof(bytes) && queue_tail + n != queue_head) {
            bytes[n] = queue[(queue_tail + n) % QUEUE_BYTES];
            n++;
        }
        if (!through_uart()) {
            debug_output(bytes, n);
            queue_tail += (uint32_t)n;
            continue;
        }
        keel_ring_entry_t e = { .op = KEEL_UART_TX };
        e.length = (uint32_t)keel_uart_pack(&e, bytes, n);
        if (!keel_ring_put(&uart->request, e)) {
            break;
        }
        queue_tail += e.length;
        put = true;
    }
    if (put) {
        seL4_Signal(uart_signal);
    }
}

size_t console_output(const void *buf, size_t length)
{
    const unsigned char *p = buf;
    if (!through_uart()) {
        pump(); /* what was queued before goes first */
        debug_output(p, length);
        return length;
    }
    size_t room = console_room();
    size_t n = length < room ? length : room;
    for (size_t i = 0; i < n; i++) {
        queue[queue_head++ % QUEUE_BYTES] = p[i];
    }
    pump();
    return n;
}

/* Typed bytes in the completion ring go to the tty. */
static void take_input(void)
{
    keel_ring_entry_t e;
    bool took = false;
    while (keel_ring_get(&uart->completion, &e)) {
        unsigned char bytes[KEEL_UART_INLINE];
        if (e.op == KEEL_UART_RX) {
            tty_input(bytes, keel_uart_unpack(&e, bytes));
        }
        took = true;
    }
    if (took) {
        seL4_Signal(uart_signal); /* room again: a driver that paused receiving goes on */
    }
}

bool console_input_gone(void)
{
    return uart != NULL && keel_channel_down(uart);
}

/* A notification from the driver: a new instance, input, or the channel
 * down for good (vfs's loop then answers the waiting readers). */
void console_notified(seL4_Word bits)
{
    if (uart == NULL || (bits & uart_bit) == 0) {
        return;
    }
    catch_up();
    take_input();
    pump();
}
