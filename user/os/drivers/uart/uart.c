/* The console's uart driver (docs/os.md "Driver channels"): the PL011 of
 * QEMU virt at 0x09000000, receive interrupt SPI 1 (INTID 33). Its one
 * client is vfs, through the channel "chan" (keel/os/uart.h): bytes to send
 * arrive in the request ring, bytes received leave in the completion ring.
 * Receive is interrupt-driven; transmit polls the FIFO's full flag. The
 * kernel may still print on the same UART (a panic); it only transmits.
 * Grants: "regs" (the device page), "rx" (the IRQ), "chan" and
 * "chan.notify" (the channel and vfs's notification), "notify" (its own). */
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

/* Send every byte vfs queued. */
static void transmit(void)
{
    keel_ring_entry_t e;
    if (!driver_client_ready(&vfs)) {
        return;
    }
    while (keel_ring_get(&chan->request, &e)) {
        unsigned char bytes[KEEL_UART_INLINE];
        size_t n = e.op == KEEL_UART_TX ? keel_uart_unpack(&e, bytes) : 0;
        for (size_t i = 0; i < n; i++) {
            while (reg_read(UART_FR) & UART_FR_TXFF) {
            }
            reg_write(UART_DR, bytes[i]);
        }
    }
}

static bool rx_paused; /* the completion ring was full: receive interrupt masked */

static void set_rx_interrupt(bool on)
{
    uint32_t mask = reg_read(UART_IMSC);
    reg_write(UART_IMSC,
              on ? mask | UART_INT_RX | UART_INT_RT : mask & ~(UART_INT_RX | UART_INT_RT));
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
    while (!keel_ring_full(&chan->completion) && (reg_read(UART_FR) & UART_FR_RXFE) == 0) {
        unsigned char bytes[KEEL_UART_INLINE];
        size_t n = 0;
        while (n < KEEL_UART_INLINE && (reg_read(UART_FR) & UART_FR_RXFE) == 0) {
            bytes[n++] = (unsigned char)(reg_read(UART_DR) & 0xff);
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
