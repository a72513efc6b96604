/* The timer driver (docs/os.md "The timer driver"): timeouts on the EL1
 * physical timer, which the OS kernel exports to EL0
 * (CONFIG_EXPORT_PTMR_USER: CNTP_CVAL_EL0 and CNTP_CTL_EL0 from here), its
 * interrupt PPI 30. The kernel's own tick is the virtual timer; this one is
 * the driver's alone.
 *
 * Each client has a channel (keel/os/timer.h): it asks for timeouts at
 * deadlines of the generic counter in the request ring, the driver answers
 * each in the completion ring when its deadline has come. The driver keeps
 * every client's timeouts in deadline order (deadlines.h), programs the
 * earliest of them into the compare register, and looks at the rings
 * whenever the interrupt or a client signals.
 * Grants: "tick" (the IRQ), "notify" (its own notification), and a channel
 * per client (NAME and NAME.notify). */
#include "../grant.h"
#include "deadlines.h"

#include <keel/os/timer.h>

#define CLIENTS_MAX 8
#define CNTP_CTL_ENABLE 1ul /* IMASK (bit 1) clear: the compare interrupts */

typedef struct client {
    driver_client_t c;
    deadlines_t timeouts;
} client_t;

static struct {
    client_t client[CLIENTS_MAX];
    unsigned nclients;
    seL4_CPtr irq;
    seL4_Word irq_bit;
} timer;

static void set_compare(uint64_t at)
{
    __asm__ volatile("msr cntp_cval_el0, %0; isb" : : "r"(at) : "memory");
}

static void set_control(uint64_t control)
{
    __asm__ volatile("msr cntp_ctl_el0, %0; isb" : : "r"(control) : "memory");
}

static bool answer(client_t *cl, uint64_t cookie, uint32_t status)
{
    return keel_ring_put(&cl->c.chan->completion,
                         (keel_ring_entry_t){ .cookie = cookie, .op = status });
}

/* Take the client's requests while an answer would fit (keel/os/timer.h). */
static bool take_requests(client_t *cl)
{
    keel_ring_entry_t e;
    bool answered = false;
    while (!keel_ring_full(&cl->c.chan->completion) && keel_ring_get(&cl->c.chan->request, &e)) {
        if (e.op == KEEL_TIMER_SET) {
            if (deadlines_add(&cl->timeouts, e.cookie, e.offset) < 0) {
                answered |= answer(cl, e.cookie, KEEL_TIMER_FULL);
            }
        } else if (e.op == KEEL_TIMER_CANCEL) {
            int slot = deadlines_find(&cl->timeouts, e.cookie);
            if (slot >= 0) {
                deadlines_remove(&cl->timeouts, slot);
            }
        } else {
            answered |= answer(cl, e.cookie, KEEL_TIMER_BAD_REQUEST);
        }
    }
    return answered;
}

/* Answer the client's timeouts that are due, earliest first, while the
 * completion ring has room; the rest wait for the client's signal. */
static bool fire_due(client_t *cl, uint64_t now)
{
    bool answered = false;
    while (!keel_ring_full(&cl->c.chan->completion)) {
        int slot = deadlines_take_due(&cl->timeouts, now);
        if (slot < 0) {
            break;
        }
        answered |= answer(cl, cl->timeouts.tag[slot], KEEL_TIMER_FIRED);
    }
    return answered;
}

/* The compare register holds the earliest deadline of the clients that
 * have room for its answer; with none the timer is off (a full client is
 * looked at again when it signals, not in an interrupt storm). A deadline
 * already past fires at once, so none is missed. */
static void program_timer(void)
{
    uint64_t earliest = UINT64_MAX, deadline;
    bool any = false;
    for (unsigned i = 0; i < timer.nclients; i++) {
        client_t *cl = &timer.client[i];
        if (!keel_ring_full(&cl->c.chan->completion) &&
            deadlines_earliest(&cl->timeouts, &deadline)) {
            earliest = deadline < earliest ? deadline : earliest;
            any = true;
        }
    }
    if (any) {
        set_compare(earliest);
        set_control(CNTP_CTL_ENABLE);
    } else {
        set_control(0);
    }
}

/* Whatever woke the driver, the rings of every client that has caught up
 * with this instance are looked at: requests first (a timeout already due
 * fires in the same pass), then what is due. A client not caught up has
 * no timeouts here yet. */
static void serve(void)
{
    uint64_t now = keel_counter();
    for (unsigned i = 0; i < timer.nclients; i++) {
        client_t *cl = &timer.client[i];
        if (!driver_client_ready(&cl->c)) {
            continue;
        }
        bool answered = take_requests(cl);
        answered |= fire_due(cl, now);
        if (answered) {
            seL4_Signal(cl->c.signal);
        }
    }
    program_timer();
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    const keel_startcap_t *irq = driver_grant("tick", KEEL_CAP_IRQ);
    seL4_CPtr own = driver_grant("notify", KEEL_CAP_NOTIFICATION)->cptr;
    driver_client_t clients[CLIENTS_MAX];
    timer.nclients = driver_clients(clients, CLIENTS_MAX);
    for (unsigned i = 0; i < timer.nclients; i++) {
        timer.client[i].c = clients[i];
    }
    timer.irq = irq->cptr;
    timer.irq_bit = irq->badge & ~KEEL_BADGE_NOTIFY;
    set_control(0);
    seL4_IRQHandler_Ack(timer.irq);
    char names[128];
    printf("timer: EL1 physical timer at %lu Hz, PPI 30; clients: %s\n",
           (unsigned long)keel_counter_frequency(),
           driver_client_names(clients, timer.nclients, names, sizeof(names)));
    for (;;) {
        seL4_Word bits = driver_wait(own);
        serve();
        if (bits & timer.irq_bit) {
            seL4_IRQHandler_Ack(timer.irq); /* after serve(): the level has dropped */
        }
    }
}
