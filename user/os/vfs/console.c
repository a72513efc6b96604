/* The console's way in and out: the uart driver's channel "uart" (docs/os.md
 * "Driver channels", keel/os/uart.h), or, without one or once rs has given
 * up restarting the driver (KEEL_CHANNEL_DOWN), the kernel's debug console
 * for output; then a read finds no input (-EIO) instead of waiting for
 * ever. */
#include "vfs.h"

#include <keel/os/channel.h>
#include <keel/os/uart.h>
#include <keel/syscalls.h>

static keel_channel_t *uart;
static seL4_CPtr uart_signal;
static seL4_Word uart_bit;
static uint32_t uart_epoch; /* the driver instance vfs caught up with */

/* A new instance of the driver started (at boot, or restarted): let it go
 * on. Nothing is queued again or dropped: the bytes to send stay in the
 * request ring until the driver has sent all of an entry, the new
 * instance goes on from the old one's record of what it sent and received
 * (keel/os/uart.h, docs/reliability.md "Channels"), and the completions
 * the old one put stay in the ring for take_input. catch_up takes no
 * input itself: uart_put calls it while the tty echoes a typed byte, and
 * input taken there would reach the tty before the rest of the entry
 * being echoed (typed lines came out reordered). */
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

/* Up to KEEL_UART_INLINE bytes per request; a full ring waits for the
 * driver (which runs at a higher priority) to take some. */
static void uart_put(const unsigned char *p, size_t length)
{
    while (length > 0) {
        keel_ring_entry_t e = { .op = KEEL_UART_TX };
        e.length = (uint32_t)keel_uart_pack(&e, p, length);
        while (!keel_ring_put(&uart->request, e) && !keel_channel_down(uart)) {
            catch_up(); /* a driver waiting for vfs empties no ring */
            seL4_Signal(uart_signal);
            seL4_Yield();
        }
        p += e.length;
        length -= e.length;
    }
}

void console_output(const void *buf, size_t length)
{
    const unsigned char *p = buf;
    if (uart != NULL && !keel_channel_down(uart)) {
        uart_put(p, length);
        seL4_Signal(uart_signal);
        return;
    }
    for (size_t i = 0; i < length; i++) {
        seL4_DebugPutChar((char)p[i]);
    }
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
}
