/* The timer driver (docs/os.md "timer"): serves proto/timer.proto on the
 * EL1 physical timer, which the OS kernel exports to EL0
 * (CONFIG_EXPORT_PTMR_USER: CNTP_CVAL_EL0, CNTP_CTL_EL0, CNTPCT_EL0 and
 * CNTFRQ_EL0 from here), its interrupt PPI 30. The kernel's own tick is the
 * virtual timer; this one is the driver's alone.
 *
 * A sleep is a deferred reply: the driver saves the caller's reply
 * capability in a slot of its own (deadlines.h: one per waiting client, at
 * the top of its CNode), keeps the deadlines in order, programs the
 * earliest into the compare register and answers each client when the
 * interrupt says its deadline has come. A client that is gone meanwhile
 * keeps its slot only until the slots run out (take_slot).
 * Grants: "timer" (its endpoint), "tick" (the IRQ), "notify" (its own). */
#include "../grant.h"
#include "deadlines.h"

#include <errno.h>
#include <keel/printf.h>
#include <keel/proto/timer_server.h>
#include <sel4/sel4.h>

/* The saved reply capabilities: slot i of deadlines.h is CNode slot
 * REPLY_SLOT_FIRST + i, above everything rs grants; one more slot below
 * them to move a reply capability aside (reply_present). */
#define REPLY_SLOT_FIRST ((1u << KEEL_CNODE_BITS) - DEADLINES_MAX)
#define SCRATCH_SLOT (REPLY_SLOT_FIRST - 1)
#define CNTP_CTL_ENABLE 1ul /* IMASK (bit 1) clear: the compare interrupts */

static struct {
    deadlines_t sleeping;
    uint64_t frequency; /* CNTFRQ_EL0 */
    seL4_CPtr irq;
} timer;

static uint64_t counter(void)
{
    uint64_t value;
    /* The isb keeps the read from being taken before earlier instructions. */
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(value) : : "memory");
    return value;
}

static uint64_t counter_frequency(void)
{
    uint64_t value;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(value));
    return value;
}

static void set_compare(uint64_t at)
{
    __asm__ volatile("msr cntp_cval_el0, %0; isb" : : "r"(at) : "memory");
}

static void set_control(uint64_t control)
{
    __asm__ volatile("msr cntp_ctl_el0, %0; isb" : : "r"(control) : "memory");
}

/* The compare register holds the earliest deadline; with nobody asleep the
 * timer is off. A deadline already past fires at once, so none is missed. */
static void program_timer(void)
{
    uint64_t earliest;
    if (deadlines_earliest(&timer.sleeping, &earliest)) {
        set_compare(earliest);
        set_control(CNTP_CTL_ENABLE);
    } else {
        set_control(0);
    }
}

/* Answer every client whose deadline has come, earliest first. A client
 * that is gone (pm ended it) left its slot empty: the kernel deleted the
 * reply capability, and NBSend on an empty slot does nothing. */
static void wake_due(void)
{
    uint64_t now = counter();
    for (int slot = deadlines_take_due(&timer.sleeping, now); slot >= 0;
         slot = deadlines_take_due(&timer.sleeping, now)) {
        seL4_NBSend(REPLY_SLOT_FIRST + (seL4_CPtr)slot, proto_timer_sleep_reply(0));
    }
}

/* Does `reply` still hold a reply capability? Not if its caller ended
 * meanwhile (the kernel deleted the capability) or sent its request without
 * Call (SaveCaller then saved nothing). Moving it aside and back tells: a
 * Move from an empty slot fails. */
static bool reply_present(seL4_CPtr reply)
{
    if (seL4_CNode_Move(KEEL_SLOT_CNODE, SCRATCH_SLOT, seL4_WordBits, KEEL_SLOT_CNODE, reply,
                        seL4_WordBits) != seL4_NoError) {
        return false;
    }
    seL4_CNode_Move(KEEL_SLOT_CNODE, reply, seL4_WordBits, KEEL_SLOT_CNODE, SCRATCH_SLOT,
                    seL4_WordBits);
    return true;
}

/* A slot for `badge` until `deadline`. When every slot is taken, first free
 * those nobody waits on any more (reply_present), so that clients that
 * ended asleep or never called cannot keep the others out; -1 if none. */
static int take_slot(seL4_Word badge, uint64_t deadline)
{
    deadlines_t *d = &timer.sleeping;
    int slot = deadlines_add(d, badge, deadline);
    if (slot >= 0) {
        return slot;
    }
    for (unsigned i = d->count; i-- > 0;) { /* backwards: a removal moves only later ones */
        if (!reply_present(REPLY_SLOT_FIRST + d->order[i])) {
            deadlines_remove(d, d->order[i]);
        }
    }
    return deadlines_add(d, badge, deadline);
}

long proto_timer_sleep(void *ctx, seL4_Word badge, uint64_t ns)
{
    (void)ctx;
    if (ns == 0) {
        return 0;
    }
    uint64_t deadline = deadlines_add_saturated(counter(), deadlines_ticks(ns, timer.frequency));
    int slot = take_slot(badge, deadline);
    if (slot < 0) {
        return -EAGAIN;
    }
    seL4_CPtr reply = REPLY_SLOT_FIRST + (seL4_CPtr)slot;
    if (seL4_CNode_SaveCaller(KEEL_SLOT_CNODE, reply, seL4_WordBits) != seL4_NoError) {
        deadlines_remove(&timer.sleeping, slot);
        return -EAGAIN;
    }
    program_timer();
    return KEEL_PROTO_DEFERRED;
}

long proto_timer_now(void *ctx, seL4_Word badge, uint64_t *ns)
{
    (void)ctx;
    (void)badge;
    *ns = deadlines_ns(counter(), timer.frequency);
    return 0;
}

/* The interrupt: wake whoever is due, move the compare value past now (or
 * turn the timer off) so that the level drops, then acknowledge. */
static void tick(void)
{
    wake_due();
    program_timer();
    seL4_IRQHandler_Ack(timer.irq);
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    seL4_CPtr endpoint = driver_grant("timer", KEEL_CAP_SERVICE)->cptr;
    const keel_startcap_t *irq = driver_grant("tick", KEEL_CAP_IRQ);
    timer.irq = irq->cptr;
    timer.frequency = counter_frequency();
    set_control(0);
    seL4_IRQHandler_Ack(timer.irq);
    printf("timer: EL1 physical timer at %lu Hz, PPI 30\n", (unsigned long)timer.frequency);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(endpoint, &badge);
    for (;;) {
        if (badge & KEEL_BADGE_NOTIFY) {
            if (badge & irq->badge & ~KEEL_BADGE_NOTIFY) {
                tick();
            }
            info = seL4_Recv(endpoint, &badge);
            continue;
        }
        keel_proto_request_t req = { .badge = badge };
        seL4_MessageInfo_t reply;
        if (proto_timer_dispatch(&req, info, &reply)) {
            info = seL4_ReplyRecv(endpoint, reply, &badge);
        } else {
            info = seL4_Recv(endpoint, &badge);
        }
    }
}
