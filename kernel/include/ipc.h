/* IPC: moving a message (registers, IPC buffer words, capabilities) from
 * one thread to another (ABI 3), fault messages (ABI 7), reply caps. */
#pragma once

#include <object/endpoint.h>
#include <object/tcb.h>

/* Blocking-state flags kept in tcb->blocking_flags while a sender waits. */
#define BLOCKED_CAN_GRANT BIT(0)
#define BLOCKED_CAN_GRANT_REPLY BIT(1)
#define BLOCKED_IS_CALL BIT(2)

/* Deliver the sender's message (or its fault) to the receiver: MRs,
 * capabilities if `can_grant`, the tag and `badge` in their registers. */
void ipc_transfer(tcb_t *sender, endpoint_t *ep, word_t badge, bool can_grant, tcb_t *receiver);

/* After a Call (or fault) was received: give the receiver a one-shot reply
 * cap to the caller, or, if neither grant right allows it, stop the caller. */
void ipc_setup_caller_cap(tcb_t *caller, tcb_t *receiver, bool can_grant);

/* The Reply path: the replier's message (or the fault reply) goes to the
 * caller waiting on the reply cap in `reply_slot`, which is consumed. */
void ipc_do_reply(tcb_t *replier, cte_t *reply_slot);

/* Deliver the thread's recorded fault as a Call on `handler`, a usable fault
 * handler endpoint cap (ABI 7.2): the handler always gets a reply cap. */
void ipc_send_fault(tcb_t *thread, cap_t handler);

/* Endpoint operations (object/endpoint.c). */
void endpoint_send(tcb_t *thread, endpoint_t *ep, word_t badge, word_t flags, bool blocking);
void endpoint_receive(tcb_t *thread, endpoint_t *ep, bool can_grant, bool blocking);
/* Take a blocked thread off the endpoint it waits on. */
void endpoint_cancel_ipc(tcb_t *thread);
/* Restart the senders blocked with `badge` (CNode_CancelBadgedSends). */
void endpoint_cancel_badged_sends(endpoint_t *ep, word_t badge);

/* Take the thread out of whatever IPC it is blocked in (suspend, resume,
 * deletion). */
void ipc_cancel(tcb_t *thread);
