/* PL031 RTC driver (pl031.h). The counter register counts seconds; when it
 * equals the match register the raw interrupt status bit is set, and with
 * the mask bit set the interrupt line stays high until the bit is cleared
 * through the interrupt clear register. */
#include "pl031.h"
#include <keel/printf.h>
#include <sel4/sel4.h>
#include <stdint.h>

/* Register offsets (32-bit registers). */
#define RTC_DR 0x000   /* data: current counter (read-only) */
#define RTC_MR 0x004   /* match */
#define RTC_LR 0x008   /* load: sets the counter */
#define RTC_CR 0x00C   /* control: bit 0 starts the counter */
#define RTC_IMSC 0x010 /* interrupt mask set/clear: bit 0 enables */
#define RTC_RIS 0x014  /* raw interrupt status */
#define RTC_MIS 0x018  /* masked interrupt status */
#define RTC_ICR 0x01C  /* interrupt clear: write 1 */
#define RTC_INT_BIT 1u

typedef struct pl031_state {
    volatile uint32_t *regs;
    driver_reply_t alarm_waiter;
    uint32_t alarm_at;
} pl031_state_t;

static uint32_t reg_read(pl031_state_t *s, unsigned offset)
{
    return s->regs[offset / 4];
}

static void reg_write(pl031_state_t *s, unsigned offset, uint32_t value)
{
    s->regs[offset / 4] = value;
}

static int pl031_init(driver_t *drv, bool restart)
{
    pl031_state_t *s = drv->state;
    (void)restart;
    if (drv->env->device == NULL || drv->env->irq_handler == 0) {
        return -1;
    }
    s->regs = (volatile uint32_t *)drv->env->device;
    s->alarm_waiter.slot = 0;
    /* Quiet the device: no alarm interrupt until a client asks for one. A
     * restarted driver may find the line raised by its predecessor. */
    reg_write(s, RTC_IMSC, 0);
    reg_write(s, RTC_ICR, RTC_INT_BIT);
    if (restart) {
        driver_irq_ack(drv);
    }
    if ((reg_read(s, RTC_CR) & 1) == 0) {
        reg_write(s, RTC_CR, 1);
    }
    return 0;
}

/* The alarm interrupt: clear it at the device, answer the waiting client,
 * then let the kernel deliver the next one. */
static void pl031_notify(driver_t *drv, seL4_Word bits)
{
    pl031_state_t *s = drv->state;
    if (!(bits & DRIVER_IRQ_BIT)) {
        return;
    }
    if (reg_read(s, RTC_MIS) & RTC_INT_BIT) {
        reg_write(s, RTC_IMSC, 0);
        reg_write(s, RTC_ICR, RTC_INT_BIT);
        if (driver_reply_pending(&s->alarm_waiter)) {
            seL4_SetMR(0, reg_read(s, RTC_DR));
            seL4_SetMR(1, s->alarm_at);
            driver_reply(drv, &s->alarm_waiter, DRIVER_OK, 2);
        }
    }
    driver_irq_ack(drv);
}

static enum driver_status do_read(driver_t *drv, driver_request_t *req)
{
    pl031_state_t *s = drv->state;
    seL4_SetMR(0, reg_read(s, RTC_DR));
    req->reply_length = 1;
    return DRIVER_REPLY;
}

static enum driver_status do_alarm(driver_t *drv, driver_request_t *req)
{
    pl031_state_t *s = drv->state;
    seL4_Word seconds = req->length >= 1 ? seL4_GetMR(0) : 0;
    if (seconds < 1 || seconds > RTC_ALARM_MAX) {
        req->reply_label = DRIVER_EINVAL;
        return DRIVER_REPLY;
    }
    if (driver_reply_pending(&s->alarm_waiter)) {
        req->reply_label = DRIVER_EBUSY;
        return DRIVER_REPLY;
    }
    enum driver_status status = driver_defer(drv, req, &s->alarm_waiter);
    if (status != DRIVER_DEFERRED) {
        return status;
    }
    s->alarm_at = reg_read(s, RTC_DR) + (uint32_t)seconds;
    reg_write(s, RTC_ICR, RTC_INT_BIT);
    reg_write(s, RTC_MR, s->alarm_at);
    reg_write(s, RTC_IMSC, RTC_INT_BIT);
    return DRIVER_DEFERRED;
}

static const driver_call_t pl031_calls[] = {
    { RTC_READ, do_read },
    { RTC_ALARM, do_alarm },
    { 0, NULL },
};

static const driver_ops_t pl031_ops = {
    .init = pl031_init,
    .notify = pl031_notify,
    .calls = pl031_calls,
};

void pl031_main(const driver_env_t *env)
{
    static pl031_state_t state;
    driver_run(&pl031_ops, &state, env);
}
