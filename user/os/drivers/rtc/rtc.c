/* The rtc driver (docs/os.md "The rtc driver"): reads the PL031 real-time
 * clock of QEMU virt at 0x09010000 for its clients: its data register
 * counts seconds since 1970 (QEMU starts it at the host's time). Each
 * client has a channel (keel/os/rtc.h): a KEEL_RTC_READ request is
 * answered with the seconds; a KEEL_RTC_TICK request about a second later,
 * by the match register's alarm interrupt (SPI 2). The clock is never set.
 * Grants: "regs" (the device page), "alarm" (the IRQ), "notify" (its own
 * notification), and a channel per client (NAME and NAME.notify). */
#include "../grant.h"

#include <keel/os/rtc.h>

#define RTC_DR 0x000         /* data: the current seconds */
#define RTC_MR 0x004         /* match: the alarm's seconds */
#define RTC_IMSC 0x010       /* interrupt mask: 1 lets the alarm interrupt */
#define RTC_ICR 0x01C        /* interrupt clear */
#define RTC_PERIPH_ID0 0xFE0 /* 0x31 for the PL031 */
#define RTC_PL031_ID0 0x31
#define RTC_INT_ALARM 1u
#define CLIENTS_MAX 8

typedef struct client {
    driver_client_t c;
    bool tick_pending; /* a TICK waits for the alarm */
    uint64_t tick_cookie;
} client_t;

static struct {
    volatile uint32_t *regs;
    client_t client[CLIENTS_MAX];
    unsigned nclients;
    bool alarm_set;
} rtc;

static uint32_t reg_read(unsigned offset)
{
    return rtc.regs[offset / 4];
}

static void reg_write(unsigned offset, uint32_t value)
{
    rtc.regs[offset / 4] = value;
}

static bool answer(const client_t *cl, uint64_t cookie, uint32_t status)
{
    keel_ring_entry_t done = { .cookie = cookie, .op = status };
    if (status == KEEL_RTC_DONE) {
        done.offset = reg_read(RTC_DR); /* 32 bits of seconds: until 2106 */
    }
    return keel_ring_put(&cl->c.chan->completion, done);
}

/* Take the client's requests while an answer fits (keel/os/rtc.h). */
static bool take_requests(client_t *cl)
{
    keel_ring_entry_t e;
    bool answered = false;
    while (!keel_ring_full(&cl->c.chan->completion) && keel_ring_get(&cl->c.chan->request, &e)) {
        if (e.op == KEEL_RTC_READ) {
            answered |= answer(cl, e.cookie, KEEL_RTC_DONE);
        } else if (e.op == KEEL_RTC_TICK && !cl->tick_pending) {
            cl->tick_pending = true;
            cl->tick_cookie = e.cookie;
        } else {
            answered |= answer(cl, e.cookie, KEEL_RTC_BAD_REQUEST);
        }
    }
    return answered;
}

/* The alarm rang: every pending tick that fits is answered. */
static bool ring_ticks(client_t *cl)
{
    if (!cl->tick_pending || keel_ring_full(&cl->c.chan->completion)) {
        return false;
    }
    cl->tick_pending = false;
    return answer(cl, cl->tick_cookie, KEEL_RTC_DONE);
}

/* The alarm is set a second ahead while any tick is pending. */
static void set_alarm(void)
{
    bool wanted = false;
    for (unsigned i = 0; i < rtc.nclients; i++) {
        wanted |= rtc.client[i].tick_pending;
    }
    if (wanted && !rtc.alarm_set) {
        reg_write(RTC_MR, reg_read(RTC_DR) + 1);
        reg_write(RTC_IMSC, RTC_INT_ALARM);
        rtc.alarm_set = true;
    }
}

static void serve(bool alarm)
{
    if (alarm) {
        reg_write(RTC_IMSC, 0);
        reg_write(RTC_ICR, RTC_INT_ALARM);
        rtc.alarm_set = false;
    }
    for (unsigned i = 0; i < rtc.nclients; i++) {
        client_t *cl = &rtc.client[i];
        if (!driver_client_ready(&cl->c)) {
            continue; /* a restart: the client has not caught up yet */
        }
        bool answered = take_requests(cl);
        if (alarm) {
            answered |= ring_ticks(cl);
        }
        if (answered) {
            seL4_Signal(cl->c.signal);
        }
    }
    set_alarm();
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    rtc.regs = (volatile uint32_t *)driver_grant("regs", KEEL_CAP_REGION)->vaddr;
    const keel_startcap_t *irq = driver_grant("alarm", KEEL_CAP_IRQ);
    seL4_CPtr own = driver_grant("notify", KEEL_CAP_NOTIFICATION)->cptr;
    driver_client_t clients[CLIENTS_MAX];
    rtc.nclients = driver_clients(clients, CLIENTS_MAX);
    for (unsigned i = 0; i < rtc.nclients; i++) {
        rtc.client[i].c = clients[i];
    }
    if ((reg_read(RTC_PERIPH_ID0) & 0xff) != RTC_PL031_ID0) {
        printf("rtc: no PL031 at its device page (id 0x%x); stopping\n", reg_read(RTC_PERIPH_ID0));
        keel_exit_hook(1);
    }
    reg_write(RTC_IMSC, 0); /* whatever an earlier instance left */
    reg_write(RTC_ICR, RTC_INT_ALARM);
    seL4_IRQHandler_Ack(irq->cptr);
    char names[128];
    printf("rtc: PL031, %u seconds since 1970; clients: %s\n", reg_read(RTC_DR),
           driver_client_names(clients, rtc.nclients, names, sizeof(names)));
    seL4_Word alarm_bit = irq->badge & ~KEEL_BADGE_NOTIFY;
    for (;;) {
        seL4_Word bits = driver_wait(own);
        serve((bits & alarm_bit) != 0);
        if (bits & alarm_bit) {
            seL4_IRQHandler_Ack(irq->cptr); /* after serve(): the level has dropped */
        }
    }
}
