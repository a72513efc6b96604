/* The console's uart driver (docs/os.md "Driver channels"): the PL011 of
 * QEMU virt at 0x09000000, receive interrupt SPI 1 (INTID 33). Its one
 * client is vfs, through the channel "chan" (keel/os/uart.h): bytes to send
 * arrive in the request ring, bytes received leave in the completion ring.
 * Receive is interrupt-driven; transmit polls the FIFO's full flag. The
 * kernel may still print on the same UART (a panic); it only transmits.
 * Grants: "regs" (the device page), "rx" (the IRQ), "chan" and
 * "chan.notify" (the channel and vfs's notification), "notify" (its own).
 *
 * Restarts lose and repeat nothing (docs/reliability.md, "Channels"): the
 * driver records in the channel page, after every byte it writes to or
 * reads from the data register, how far it got through the request at the
 * ring's tail and the completion slot at the ring's head
 * (keel_uart_progress), and moves either index only when that entry is
 * done. A new instance goes on from the record. What no record can cover is
 * the instant between the data register access and the store that
 * records it: a driver that dies exactly there sends that byte twice, or
 * loses that received byte -- a PL011 counts neither. */
#include "../grant.h"

#include <keel/os/uart.h>
#include <stdint.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_IMSC 0x38
#define UART_ICR 0x44
#define UART_FR_RXFE (1u << 4)
#define UART_FR_TXFF (1u << 5)
#define UART_INT_RX (1u << 4) /* receive: RXIM, RXIC */
#define UART_INT_RT (1u << 6) /* receive timeout: RTIM, RTIC */

static volatile uint32_t *regs;
static driver_client_t vfs; /* the one client */
static keel_channel_t *chan;
static seL4_CPtr irq;

static uint32_t reg_read(unsigned offset)
{
    return regs[offset / 4];
}

static void reg_write(unsigned offset, uint32_t value)
{
    regs[offset / 4] = value;
}

/* The data register access and the store that records it in the channel
 * page, as two adjacent instructions whatever the compiler schedules: the
 * boundary between them is the only moment at which a driver that dies
 * sends a byte twice or loses a received one (docs/reliability.md). */
static void send_and_count(uint32_t byte, volatile uint32_t *count, uint32_t sent)
{
    __asm__ volatile("str %w0, [%1]\n\tstr %w2, [%3]"
                     :
                     : "r"(byte), "r"(&regs[UART_DR / 4]), "r"(sent), "r"(count)
                     : "memory");
}

static uint32_t receive_and_keep(volatile uint32_t *record)
{
    uint32_t value;
    __asm__ volatile("ldr %w0, [%1]\n\tstr %w0, [%2]"
                     : "=&r"(value)
                     : "r"(&regs[UART_DR / 4]), "r"(record)
                     : "memory");
    return value;
}

/* The driver's record of its progress, in the channel page after the
 * rings (keel/os/uart.h). */
static keel_uart_progress_t *progress(void)
{
    return keel_uart_progress(chan);
}

/* How many of the n bytes of the request at ring index `index` an instance
 * already sent: none if the record is about another entry (then it is
 * made about this one), never more than n. */
static size_t tx_already_sent(uint32_t index, size_t n)
{
    keel_uart_progress_t *p = progress();
    if (p->tx_index != index) {
        p->tx_sent = 0;
        p->tx_index = index; /* after the count: a record about `index` is never stale */
    }
    uint32_t sent = p->tx_sent;
    return sent < n ? sent : n;
}

/* Send what is left of the request at the ring's tail, counting each byte
 * in the record right after it went to the data register. */
static void send_entry(const keel_ring_entry_t *e)
{
    unsigned char bytes[KEEL_UART_INLINE];
    size_t n = e->op == KEEL_UART_TX ? keel_uart_unpack(e, bytes) : 0;
    volatile uint32_t *sent = &progress()->tx_sent;
    for (size_t i = tx_already_sent(chan->request.tail, n); i < n; i++) {
        while (reg_read(UART_FR) & UART_FR_TXFF) {
        }
        send_and_count(bytes[i], sent, (uint32_t)(i + 1));
    }
}

/* Send every byte vfs queued; an entry leaves the ring once all of it is
 * sent, so that a new instance finds the one this one was in the middle
 * of. A ring that was full is one vfs waits to refill from its own queue:
 * it is signalled once the ring is empty. */
static void transmit(void)
{
    keel_ring_entry_t e;
    if (!driver_client_ready(&vfs)) {
        return;
    }
    bool was_full = keel_ring_full(&chan->request);
    while (keel_ring_peek(&chan->request, &e)) {
        send_entry(&e);
        keel_ring_advance(&chan->request);
    }
    if (was_full) {
        seL4_Signal(vfs.signal);
    }
}

/* The completion ring was full, or vfs had not caught up with this
 * instance: the receive interrupt is masked until vfs signals. A new
 * instance starts so, so that vfs's first signal makes it put what the
 * old one had received and read what waits in the FIFO, whether or not
 * another byte arrives. */
static bool rx_paused = true;

static void set_rx_interrupt(bool on)
{
    uint32_t mask = reg_read(UART_IMSC);
    reg_write(UART_IMSC,
              on ? mask | UART_INT_RX | UART_INT_RT : mask & ~(UART_INT_RX | UART_INT_RT));
}

/* The bytes an instance already received for the completion slot at ring
 * index `index`, into bytes[]; how many. None if the record is about
 * another slot (then it is emptied and made about this one). */
static size_t rx_already_received(uint32_t index, unsigned char *bytes)
{
    keel_uart_progress_t *p = progress();
    if (p->rx_index_inverted != ~index) {
        for (size_t i = 0; i < KEEL_UART_INLINE; i++) {
            p->rx[i] = KEEL_UART_RX_NONE;
        }
        p->rx_index_inverted = ~index; /* after the bytes: a record about `index` is never stale */
    }
    size_t n = 0;
    while (n < KEEL_UART_INLINE && p->rx[n] != KEEL_UART_RX_NONE) {
        bytes[n] = (unsigned char)p->rx[n];
        n++;
    }
    return n;
}

/* The bytes for the completion slot at ring index `index`: those an
 * instance already received, then more from the FIFO until there are
 * KEEL_UART_INLINE or the FIFO is empty, each kept in the record right
 * after the load that takes it out of the FIFO; how many. */
static size_t receive_slot(uint32_t index, unsigned char *bytes)
{
    size_t n = rx_already_received(index, bytes);
    volatile uint32_t *record = progress()->rx;
    while (n < KEEL_UART_INLINE && (reg_read(UART_FR) & UART_FR_RXFE) == 0) {
        bytes[n] = (unsigned char)receive_and_keep(&record[n]);
        n++;
    }
    return n;
}

/* Move what the receive FIFO holds to vfs, KEEL_UART_INLINE bytes per
 * completion. While the completion ring is full the bytes stay in the
 * FIFO, the receive interrupt masked, until the client has taken some and
 * signals (main reads the FIFO then): no byte is dropped, QEMU holds the
 * rest back while the FIFO is full. The interrupt is cleared before the
 * FIFO is drained, not after: a byte that arrives between the last read
 * and a later clear would have its interrupt cleared while it waits in the
 * FIFO (QEMU raises the receive interrupt only when the FIFO goes from
 * empty to one byte), and input would stall. */
static void receive(void)
{
    bool any = false;
    if (!driver_client_ready(&vfs)) { /* a restart: vfs has not caught up yet */
        rx_paused = true;
        set_rx_interrupt(false);
        return;
    }
    reg_write(UART_ICR, UART_INT_RX | UART_INT_RT);
    while (!keel_ring_full(&chan->completion)) {
        unsigned char bytes[KEEL_UART_INLINE];
        size_t n = receive_slot(chan->completion.head, bytes);
        if (n == 0) {
            break;
        }
        keel_ring_entry_t e = { .op = KEEL_UART_RX };
        e.length = (uint32_t)keel_uart_pack(&e, bytes, n);
        any |= keel_ring_put(&chan->completion, e);
    }
    rx_paused = keel_ring_full(&chan->completion);
    set_rx_interrupt(!rx_paused);
    if (any) {
        seL4_Signal(vfs.signal);
    }
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    regs = (volatile uint32_t *)driver_grant("regs", KEEL_CAP_REGION)->vaddr;
    const keel_startcap_t *rx = driver_grant("rx", KEEL_CAP_IRQ);
    if (driver_clients(&vfs, 1) == 0) {
        printf("uart: no channel to its client; stopping\n");
        keel_exit_hook(1);
    }
    chan = vfs.chan;
    seL4_CPtr own = driver_grant("notify", KEEL_CAP_NOTIFICATION)->cptr;
    irq = rx->cptr;
    reg_write(UART_ICR, UART_INT_RX | UART_INT_RT);
    reg_write(UART_IMSC, reg_read(UART_IMSC) | UART_INT_RX | UART_INT_RT);
    seL4_IRQHandler_Ack(irq);
    printf("uart: PL011 receive interrupt on\n");
    for (;;) {
        seL4_Word bits = driver_wait(own);
        if (bits & rx->badge & ~KEEL_BADGE_NOTIFY) {
            receive();
            seL4_IRQHandler_Ack(irq);
        } else if (rx_paused) {
            receive(); /* the client signalled: it may have made room */
        }
        transmit();
    }
}
