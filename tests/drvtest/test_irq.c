/* IRQ control and IRQ handlers (ABI 5.4.4), driven by software-generated
 * interrupts: an SGI-signal cap raises SGI n on this core, which the kernel
 * delivers like a device interrupt when an IRQ handler for n exists. Each
 * test uses its own SGI so that a test that fails half-way cannot leave an
 * interrupt pending for the next. */
#include "drvtest.h"

#define MAX_IRQ 159
#define TIMER_IRQ 27
#define KT_TAG_IRQ_HANDLER 16
#define KT_TAG_SGI_SIGNAL 27

/* A handler for SGI `sgi` and a cap that raises it on this core. */
static bool sgi_pair(seL4_Word sgi, seL4_CPtr *handler, seL4_CPtr *signal)
{
    *handler = drv_slots(1);
    *signal = drv_slots(1);
    if (*handler == 0 || *signal == 0) {
        return false;
    }
    seL4_Error err = seL4_IRQControl_Get(seL4_CapIRQControl, sgi, KT_ROOT, *handler, KT_DEPTH);
    if (err == seL4_NoError) {
        err =
            seL4_IRQControl_IssueSGISignal(seL4_CapIRQControl, sgi, 0, KT_ROOT, *signal, KT_DEPTH);
    }
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "SGI %lu set-up failed (%d)", sgi, (int)err);
        return false;
    }
    return true;
}

/* A notification and a copy of it with `badge`. */
static bool badged_notification(seL4_Word badge, seL4_CPtr *ntfn, seL4_CPtr *badged)
{
    *ntfn = drv_object(seL4_NotificationObject, 0);
    *badged = *ntfn != 0 ? drv_mint(*ntfn, seL4_AllRights, badge) : 0;
    return *badged != 0;
}

static seL4_Word poll(seL4_CPtr ntfn)
{
    seL4_Word word = 0;
    seL4_Poll(ntfn, &word);
    return word;
}

static seL4_Word wait(seL4_CPtr ntfn)
{
    seL4_Word word = 0;
    seL4_Wait(ntfn, &word);
    return word;
}

DRV_TEST(irq_get_out_of_range)
{
    seL4_CPtr slot = drv_slots(1);
    KT_ASSERT_NE(slot, 0);
    KT_ASSERT_ERROR(seL4_IRQControl_Get(seL4_CapIRQControl, MAX_IRQ + 1, KT_ROOT, slot, KT_DEPTH),
                    seL4_RangeError, 0, MAX_IRQ);
    KT_ASSERT_ERROR(seL4_IRQControl_Get(seL4_CapIRQControl, ~0ul, KT_ROOT, slot, KT_DEPTH),
                    seL4_RangeError, 0, MAX_IRQ);
    KT_ASSERT_ERROR(
        seL4_IRQControl_GetTrigger(seL4_CapIRQControl, MAX_IRQ + 1, 0, KT_ROOT, slot, KT_DEPTH),
        seL4_RangeError, 0, MAX_IRQ);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
}

DRV_TEST(irq_get_reserved_timer)
{
    seL4_CPtr slot = drv_slots(1);
    KT_ASSERT_NE(slot, 0);
    KT_ASSERT_ERROR(seL4_IRQControl_Get(seL4_CapIRQControl, TIMER_IRQ, KT_ROOT, slot, KT_DEPTH),
                    seL4_RevokeFirst);
    KT_ASSERT_ERROR(
        seL4_IRQControl_GetTrigger(seL4_CapIRQControl, TIMER_IRQ, 1, KT_ROOT, slot, KT_DEPTH),
        seL4_RevokeFirst);
    KT_ASSERT_TAG(slot, KT_TAG_NULL);
}

/* An IRQ has at most one handler object; copies share it, and the IRQ is
 * free again only when the last copy is gone. */
DRV_TEST(irq_get_taken)
{
    const seL4_Word sgi = 2;
    seL4_CPtr a = drv_slots(3);
    KT_ASSERT_NE(a, 0);
    seL4_CPtr b = a + 1, c = a + 2;
    KT_ASSERT_OK(seL4_IRQControl_Get(seL4_CapIRQControl, sgi, KT_ROOT, a, KT_DEPTH));
    KT_ASSERT_TAG(a, KT_TAG_IRQ_HANDLER);
    KT_ASSERT_ERROR(seL4_IRQControl_Get(seL4_CapIRQControl, sgi, KT_ROOT, b, KT_DEPTH),
                    seL4_RevokeFirst);
    KT_ASSERT_ERROR(seL4_IRQControl_GetTrigger(seL4_CapIRQControl, sgi, 0, KT_ROOT, b, KT_DEPTH),
                    seL4_RevokeFirst);
    KT_ASSERT_TAG(b, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, c, KT_DEPTH, KT_ROOT, a, KT_DEPTH, seL4_AllRights));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, a, KT_DEPTH));
    KT_ASSERT_ERROR(seL4_IRQControl_Get(seL4_CapIRQControl, sgi, KT_ROOT, b, KT_DEPTH),
                    seL4_RevokeFirst);
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, c, KT_DEPTH));
    KT_ASSERT_OK(seL4_IRQControl_Get(seL4_CapIRQControl, sgi, KT_ROOT, b, KT_DEPTH));
    /* A destination that is not empty: DeleteFirst, after the IRQ checks. */
    KT_ASSERT_ERROR(seL4_IRQControl_Get(seL4_CapIRQControl, sgi + 1, KT_ROOT, b, KT_DEPTH),
                    seL4_DeleteFirst);
}

DRV_TEST(irq_delivered_to_notification)
{
    seL4_CPtr handler, signal, ntfn, badged;
    KT_ASSERT(sgi_pair(3, &handler, &signal));
    KT_ASSERT_TAG(signal, KT_TAG_SGI_SIGNAL);
    KT_ASSERT(badged_notification(0x40, &ntfn, &badged));
    KT_ASSERT_OK(seL4_IRQHandler_SetNotification(handler, badged));
    KT_ASSERT_EQ(poll(ntfn), 0);
    seL4_Signal(signal);
    KT_ASSERT_EQ(wait(ntfn), 0x40);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
    KT_ASSERT_EQ(poll(ntfn), 0);
}

/* The kernel masks the IRQ when it delivers it; the next one waits, pending
 * in the interrupt controller, until the handler is acknowledged. */
DRV_TEST(irq_no_second_delivery_before_ack)
{
    seL4_CPtr handler, signal, ntfn, badged;
    KT_ASSERT(sgi_pair(4, &handler, &signal));
    KT_ASSERT(badged_notification(0x8, &ntfn, &badged));
    KT_ASSERT_OK(seL4_IRQHandler_SetNotification(handler, badged));
    seL4_Signal(signal);
    KT_ASSERT_EQ(wait(ntfn), 0x8);
    seL4_Signal(signal);
    seL4_Yield();
    KT_ASSERT_EQ(poll(ntfn), 0);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
    KT_ASSERT_EQ(wait(ntfn), 0x8);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
    KT_ASSERT_EQ(poll(ntfn), 0);
}

DRV_TEST(irq_set_notification_replaces)
{
    seL4_CPtr handler, signal, a, a_badged, b, b_badged;
    KT_ASSERT(sgi_pair(5, &handler, &signal));
    KT_ASSERT(badged_notification(0x1, &a, &a_badged));
    KT_ASSERT(badged_notification(0x2, &b, &b_badged));
    KT_ASSERT_OK(seL4_IRQHandler_SetNotification(handler, a_badged));
    KT_ASSERT_OK(seL4_IRQHandler_SetNotification(handler, b_badged));
    seL4_Signal(signal);
    KT_ASSERT_EQ(wait(b), 0x2);
    KT_ASSERT_EQ(poll(a), 0);
    /* The handler holds its own copy: deleting ours changes nothing. */
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, b_badged, KT_DEPTH));
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
    seL4_Signal(signal);
    KT_ASSERT_EQ(wait(b), 0x2);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
}

/* Without a notification an interrupt is dropped (and masked until Ack). */
DRV_TEST(irq_clear)
{
    seL4_CPtr handler, signal, ntfn, badged;
    KT_ASSERT(sgi_pair(6, &handler, &signal));
    KT_ASSERT(badged_notification(0x20, &ntfn, &badged));
    KT_ASSERT_OK(seL4_IRQHandler_SetNotification(handler, badged));
    KT_ASSERT_OK(seL4_IRQHandler_Clear(handler));
    seL4_Signal(signal); /* the kernel reports "Undelivered IRQ" */
    seL4_Yield();
    KT_ASSERT_EQ(poll(ntfn), 0);
    KT_ASSERT_OK(seL4_IRQHandler_Clear(handler)); /* clearing twice is fine */
    KT_ASSERT_OK(seL4_IRQHandler_SetNotification(handler, badged));
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
    KT_ASSERT_EQ(poll(ntfn), 0); /* the dropped one does not come back */
    seL4_Signal(signal);
    KT_ASSERT_EQ(wait(ntfn), 0x20);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
}

DRV_TEST(irq_set_notification_errors)
{
    seL4_CPtr handler, signal, ntfn, badged;
    KT_ASSERT(sgi_pair(7, &handler, &signal));
    KT_ASSERT(badged_notification(0x1, &ntfn, &badged));
    seL4_CPtr endpoint = drv_object(seL4_EndpointObject, 0);
    seL4_CPtr receive_only = drv_mint(ntfn, seL4_CanRead, 0x2);
    seL4_CPtr empty = drv_slots(1);
    KT_ASSERT(endpoint != 0 && receive_only != 0 && empty != 0);
    KT_ASSERT_ERROR(seL4_IRQHandler_SetNotification(handler, endpoint), seL4_InvalidCapability, 0);
    KT_ASSERT_ERROR(seL4_IRQHandler_SetNotification(handler, receive_only), seL4_InvalidCapability,
                    0);
    KT_ASSERT_ERROR(seL4_IRQHandler_SetNotification(handler, empty), seL4_InvalidCapability, 0);
    /* Nothing was installed: the interrupt is dropped, not delivered. */
    seL4_Signal(signal);
    seL4_Yield();
    KT_ASSERT_EQ(poll(ntfn), 0);
    KT_ASSERT_OK(seL4_IRQHandler_Ack(handler));
}

const ktest_case_t drv_irq_cases[] = {
    { "irq.get_out_of_range", irq_get_out_of_range },
    { "irq.get_reserved_timer", irq_get_reserved_timer },
    { "irq.get_taken", irq_get_taken },
    { "irq.delivered_to_notification", irq_delivered_to_notification },
    { "irq.no_second_delivery_before_ack", irq_no_second_delivery_before_ack },
    { "irq.set_notification_replaces", irq_set_notification_replaces },
    { "irq.clear", irq_clear },
    { "irq.set_notification_errors", irq_set_notification_errors },
    { NULL, NULL },
};
