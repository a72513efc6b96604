/* First level of invocation dispatch: by the type of the invoked cap. Each
 * object type owns its label switch in its own file (decode_<type>_invocation),
 * which decodes the method and then performs it (invocation.h); the port's cap and object types go
 * to its arch_ functions (arch.h). */
#include <arch/arch.h>
#include <invocation.h>
#include <ipc.h>
#include <keel/gen/abi.h>
#include <object/domain.h>
#include <object/endpoint.h>
#include <object/irq.h>
#include <object/notification.h>
#include <object/untyped.h>
#include <objecttype.h>
#include <thread.h>

/* Endpoint, notification and reply caps ignore the label: the message is
 * sent, the notification signalled, the caller replied to (ABI 1.4). Each
 * has one check on the invoked cap (decode_) before its operation
 * (invoke_), which cannot fail. Their dispatchers are NOINLINE so that
 * decode_invocation stays a table of tail calls: the compiler cannot see
 * that an error constructor never returns EXCEPTION_NONE, so inlined, their
 * status tests would make it keep `inv` across a call on every path (two
 * more instructions for every invocation, measured). */

/* Send on an endpoint: the cap needs the write right; its grant rights and
 * the kind of system call become the sender's flags. */
static exception_t decode_endpoint_send(invocation_t *inv, word_t *flags)
{
    word_t rights = cap_rights(inv->cap);
    if (!(rights & RIGHT_WRITE)) {
        return error_invalid_capability(inv, 0);
    }
    *flags = (inv->is_call ? BLOCKED_IS_CALL : 0) |
             ((rights & RIGHT_GRANT) ? BLOCKED_CAN_GRANT : 0) |
             ((rights & RIGHT_GRANT_REPLY) ? BLOCKED_CAN_GRANT_REPLY : 0);
    return EXCEPTION_NONE;
}

static void invoke_endpoint_send(const invocation_t *inv, word_t flags)
{
    cap_t cap = inv->cap;
    endpoint_send(inv->thread, cap_object(cap), cap_badge(cap), flags, inv->is_blocking);
}

static NOINLINE exception_t decode_endpoint_invocation(invocation_t *inv)
{
    word_t flags;
    exception_t status = decode_endpoint_send(inv, &flags);
    if (status == EXCEPTION_NONE) {
        invoke_endpoint_send(inv, flags);
    }
    return status;
}

/* Signal a notification: the cap needs the write right. */
static exception_t decode_notification_signal(invocation_t *inv)
{
    if (!(cap_rights(inv->cap) & RIGHT_WRITE)) {
        return error_invalid_capability(inv, 0);
    }
    return EXCEPTION_NONE;
}

static void invoke_notification_signal(const invocation_t *inv)
{
    notification_signal(cap_object(inv->cap), cap_badge(inv->cap));
}

static NOINLINE exception_t decode_notification_invocation(invocation_t *inv)
{
    exception_t status = decode_notification_signal(inv);
    if (status == EXCEPTION_NONE) {
        invoke_notification_signal(inv);
    }
    return status;
}

/* Reply: the master reply cap a thread keeps in its TCB cannot be invoked,
 * only the reply caps made from it. */
static exception_t decode_reply(invocation_t *inv)
{
    if (cap_reply_master(inv->cap)) {
        return error_invalid_capability(inv, 0);
    }
    return EXCEPTION_NONE;
}

static void invoke_reply(const invocation_t *inv)
{
    ipc_do_reply(inv->thread, inv->slot);
}

static NOINLINE exception_t decode_reply_invocation(invocation_t *inv)
{
    exception_t status = decode_reply(inv);
    if (status == EXCEPTION_NONE) {
        invoke_reply(inv);
    }
    return status;
}

exception_t decode_invocation(invocation_t *inv)
{
    switch (cap_type(inv->cap)) {
    case cap_null:
        return error_invalid_capability(inv, 0);
    case cap_endpoint:
        return decode_endpoint_invocation(inv);
    case cap_notification:
        return decode_notification_invocation(inv);
    case cap_reply:
        return decode_reply_invocation(inv);
    case cap_irq_control:
        return decode_irq_control_invocation(inv);
    case cap_irq_handler:
        return decode_irq_handler_invocation(inv);
    case cap_domain:
        return decode_domain_invocation(inv);
    case cap_untyped:
        return decode_untyped_invocation(inv);
    case cap_cnode:
        return decode_cnode_invocation(inv);
    case cap_tcb:
        return decode_tcb_invocation(inv);
    default: /* the port's caps, and zombies, which it refuses */
        return arch_decode_invocation(inv);
    }
}

word_t object_size_bits(word_t type, word_t user_size)
{
    switch (type) {
    case seL4_UntypedObject:
        return user_size;
    case seL4_TCBObject:
        return TCB_SIZE_BITS;
    case seL4_EndpointObject:
        return 4;
    case seL4_NotificationObject:
        return 5;
    case seL4_CapTableObject:
        return user_size + CTE_SIZE_BITS;
    default:
        return arch_object_size_bits(type);
    }
}

bool object_allowed_in_device_memory(word_t type)
{
    return type == seL4_UntypedObject || arch_object_is_frame(type);
}

cap_t object_create(word_t type, paddr_t base, word_t user_size, bool device)
{
    switch (type) {
    case seL4_UntypedObject:
        return cap_untyped_new(base, (unsigned)user_size, device);
    case seL4_TCBObject:
        tcb_init(paddr_to_ptr(base), ks_cur_thread);
        return cap_new(cap_tcb, base);
    case seL4_EndpointObject:
        return cap_with_rights(cap_new(cap_endpoint, base), 0xf);
    case seL4_NotificationObject:
        return cap_with_rights(cap_new(cap_notification, base), RIGHT_WRITE | RIGHT_READ);
    case seL4_CapTableObject:
        return cap_cnode_new(base, (unsigned)user_size, 0, 0);
    default:
        return arch_object_create(type, base, device);
    }
}

finalise_ret_t object_finalise(cap_t cap, bool final)
{
    finalise_ret_t ret = { .remainder = cap_null_new(), .irq = IRQ_NONE };
    switch (cap_type(cap)) {
    case cap_endpoint:
        if (final) {
            endpoint_cancel_all(cap_object(cap));
        }
        break;
    case cap_notification:
        if (final) {
            notification_finalise(cap_object(cap));
        }
        break;
    case cap_cnode:
        if (final) {
            word_t radix = cap_cnode_radix(cap);
            ret.remainder = cap_zombie_new(cap_paddr(cap), false, radix, BIT(radix));
        }
        break;
    case cap_tcb:
        if (final) {
            tcb_t *tcb = cap_object(cap);
            tcb_finalise(tcb);
            ret.remainder = cap_zombie_new(cap_paddr(cap), true, 0, TCB_SLOT_COUNT);
        }
        break;
    case cap_zombie:
        ret.remainder = cap;
        break;
    case cap_irq_handler:
        if (final) {
            ret.irq = cap_irq(cap);
        }
        break;
    default: /* untyped, reply, IRQ control, domain: nothing held */
        if (arch_cap_is_arch(cap)) {
            ret.remainder = arch_object_finalise(cap, final);
        }
        break;
    }
    return ret;
}
