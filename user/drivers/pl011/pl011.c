/* PL011 receive driver (pl011.h). The receive interrupt is raised while the
 * receive FIFO (or holding register) has data, the receive timeout
 * interrupt when data sat there a while; both go away when the data has
 * been read, and the clear register drops any latched status. */
#include "pl011.h"
#include <keel/printf.h>
#include <sel4/sel4.h>
#include <stdint.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_IMSC 0x38
#define UART_MIS 0x40
#define UART_ICR 0x44
#define UART_FR_RXFE (1u << 4)
#define UART_INT_RX (1u << 4) /* RXIM / RXMIS / RXIC */
#define UART_INT_RT (1u << 6) /* RTIM / RTMIS / RTIC */

typedef struct pl011_state {
    volatile uint32_t *regs;
    uint8_t buffer[UART_BUFFER_SIZE];
    seL4_Word head; /* next byte to hand out */
    seL4_Word count;
    seL4_Word dropped;
    seL4_Word interrupts;
    driver_reply_t reader;
    seL4_Word reader_wants;
} pl011_state_t;

static uint32_t reg_read(pl011_state_t *s, unsigned offset)
{
    return s->regs[offset / 4];
}

static void reg_write(pl011_state_t *s, unsigned offset, uint32_t value)
{
    s->regs[offset / 4] = value;
}

/* Move every byte the UART holds into the buffer. */
static void drain(pl011_state_t *s)
{
    while ((reg_read(s, UART_FR) & UART_FR_RXFE) == 0) {
        uint8_t byte = (uint8_t)(reg_read(s, UART_DR) & 0xff);
        if (s->count == UART_BUFFER_SIZE) {
            s->dropped++;
            continue;
        }
        s->buffer[(s->head + s->count) % UART_BUFFER_SIZE] = byte;
        s->count++;
    }
}

/* Take n buffered bytes into MR1.. (8 per word, first byte lowest); MR0 = n. */
static seL4_Word take_bytes(pl011_state_t *s, seL4_Word n)
{
    seL4_Word words = (n + 7) / 8;
    for (seL4_Word w = 0; w < words; w++) {
        seL4_Word word = 0;
        for (seL4_Word b = 0; b < 8 && w * 8 + b < n; b++) {
            word |= (seL4_Word)s->buffer[s->head] << (8 * b);
            s->head = (s->head + 1) % UART_BUFFER_SIZE;
            s->count--;
        }
        seL4_SetMR((int)(1 + w), word);
    }
    seL4_SetMR(0, n);
    return 1 + words;
}

static void serve_reader(driver_t *drv)
{
    pl011_state_t *s = drv->state;
    if (driver_reply_pending(&s->reader) && s->count >= s->reader_wants) {
        seL4_Word length = take_bytes(s, s->reader_wants);
        driver_reply(drv, &s->reader, DRIVER_OK, length);
    }
}

static int pl011_init(driver_t *drv, bool restart)
{
    pl011_state_t *s = drv->state;
    (void)restart;
    if (drv->env->device == NULL || drv->env->irq_handler == 0) {
        return -1;
    }
    s->regs = (volatile uint32_t *)drv->env->device;
    s->head = s->count = s->dropped = s->interrupts = 0;
    s->reader.slot = 0;
    /* Receive interrupts on; the transmit bits stay as the kernel left them. */
    reg_write(s, UART_IMSC, reg_read(s, UART_IMSC) | UART_INT_RX | UART_INT_RT);
    reg_write(s, UART_ICR, UART_INT_RX | UART_INT_RT);
    drain(s);
    driver_irq_ack(drv); /* in case a predecessor left it masked */
    return 0;
}

static void pl011_notify(driver_t *drv, seL4_Word bits)
{
    pl011_state_t *s = drv->state;
    if (!(bits & DRIVER_IRQ_BIT)) {
        return;
    }
    s->interrupts++;
    /* Clear before draining: a byte that arrives meanwhile raises the
     * interrupt again instead of waiting unseen in the FIFO. */
    reg_write(s, UART_ICR, UART_INT_RX | UART_INT_RT);
    drain(s);
    driver_irq_ack(drv);
    serve_reader(drv);
}

static enum driver_status do_read(driver_t *drv, driver_request_t *req)
{
    pl011_state_t *s = drv->state;
    seL4_Word n = req->length >= 1 ? seL4_GetMR(0) : 0;
    if (n < 1 || n > UART_READ_MAX) {
        req->reply_label = DRIVER_EINVAL;
        return DRIVER_REPLY;
    }
    if (driver_reply_pending(&s->reader)) {
        req->reply_label = DRIVER_EBUSY;
        return DRIVER_REPLY;
    }
    if (s->count >= n) {
        req->reply_length = take_bytes(s, n);
        return DRIVER_REPLY;
    }
    enum driver_status status = driver_defer(drv, req, &s->reader);
    if (status == DRIVER_DEFERRED) {
        s->reader_wants = n;
    }
    return status;
}

static enum driver_status do_stats(driver_t *drv, driver_request_t *req)
{
    pl011_state_t *s = drv->state;
    seL4_SetMR(0, s->count);
    seL4_SetMR(1, s->dropped);
    seL4_SetMR(2, s->interrupts);
    req->reply_length = 3;
    return DRIVER_REPLY;
}

static const driver_call_t pl011_calls[] = {
    { UART_READ, do_read },
    { UART_STATS, do_stats },
    { 0, NULL },
};

static const driver_ops_t pl011_ops = {
    .init = pl011_init,
    .notify = pl011_notify,
    .calls = pl011_calls,
};

void pl011_main(const driver_env_t *env)
{
    static pl011_state_t state;
    driver_run(&pl011_ops, &state, env);
}
