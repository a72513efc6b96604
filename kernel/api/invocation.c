/* The invocation path shared by Send, NBSend and Call: look up the invoked
 * cap and the extra caps, decode and perform, then reply to a Call. (What
 * decoders use to report errors and replies is core: core/invocation.c.) */
#include <api/syscall.h>
#include <config.h>
#include <fault.h>
#include <invocation.h>
#include <keel/gen/abi.h>
#include <thread.h>

static void set_reply_tag(tcb_t *thread, word_t label, word_t length)
{
    thread->context.r[ARCH_REG_BADGE] = 0; /* kernel replies carry no badge */
    thread->context.r[ARCH_REG_MSG_INFO] = keel_seL4_MessageInfo_new(label, 0, 0, length);
}

/* The lookup-failure words of a FailedLookup error, from MR1 (ABI 6.2). */
static word_t lookup_fault_words(const lookup_fault_t *f, word_t out[4])
{
    out[0] = f->type;
    switch (f->type) {
    case seL4_MissingCapability:
        out[1] = f->bits_left;
        return 2;
    case seL4_DepthMismatch:
        out[1] = f->bits_left;
        out[2] = f->bits_found;
        return 3;
    case seL4_GuardMismatch:
        out[1] = f->bits_left;
        out[2] = f->guard_found;
        out[3] = f->bits_found;
        return 4;
    default:
        return 1;
    }
}

static void reply_error(tcb_t *thread, const syscall_error_t *e)
{
    word_t mrs[6];
    word_t n = 0;
    switch (e->type) {
    case seL4_InvalidArgument:
    case seL4_InvalidCapability:
    case seL4_NotEnoughMemory:
        mrs[n++] = e->data[0];
        break;
    case seL4_RangeError:
        mrs[n++] = e->data[0];
        mrs[n++] = e->data[1];
        break;
    case seL4_FailedLookup:
        mrs[n++] = e->lookup_source;
        n += lookup_fault_words(&e->lookup, &mrs[1]);
        break;
    default:
        break;
    }
    set_reply_tag(thread, e->type, tcb_write_mrs(thread, mrs, n));
}

/* Resolve the extra caps named in caps_or_badges (ABI 3.1). Without an IPC
 * buffer there are none. On failure a cap fault (send phase) is recorded. */
static exception_t lookup_extra_caps(invocation_t *inv, word_t count)
{
    inv->extra_count = 0;
    if (inv->buffer == NULL) {
        return EXCEPTION_NONE;
    }
    for (word_t i = 0; i < count; i++) {
        word_t cptr = inv->buffer[KEEL_seL4_IPCBuffer_caps_or_badges + i];
        lookup_cap_ret_t r = lookup_cap(inv->thread, cptr);
        if (r.fault.type != 0) {
            fault_set_cap(inv->thread, cptr, false, r.fault);
            return EXCEPTION_FAULT;
        }
        inv->extra[inv->extra_count++] = r.slot;
    }
    return EXCEPTION_NONE;
}

bool handle_invocation(tcb_t *thread, bool is_call, bool is_blocking)
{
    word_t cptr = thread->context.r[ARCH_REG_CAP];
    word_t info = thread->context.r[ARCH_REG_MSG_INFO];
    lookup_cap_ret_t lookup = lookup_cap(thread, cptr);
    if (lookup.fault.type != 0) {
        if (is_blocking) {
            fault_set_cap(thread, cptr, false, lookup.fault);
            fault_handle(thread);
        }
        return false;
    }
    word_t length = message_length(info);
    word_t extra_count = keel_seL4_MessageInfo_get_extraCaps(info);
    /* MRs beyond the registers and extra caps are the only uses of the
     * buffer here: a short message without caps does not look it up. */
    word_t *buffer = NULL;
    if (length > TCB_FAST_MRS || extra_count != 0) {
        buffer = tcb_ipc_buffer(thread, false);
        if (buffer == NULL) {
            length = MIN(length, TCB_FAST_MRS);
        }
    }
    /* Field by field: inv.error is written only with an error (set_error),
     * so it is not zeroed first. */
    invocation_t inv;
    inv.thread = thread;
    inv.label = keel_seL4_MessageInfo_get_label(info);
    inv.length = length;
    inv.cap = lookup.cap;
    inv.slot = lookup.slot;
    inv.buffer = buffer;
    inv.is_call = is_call;
    inv.is_blocking = is_blocking;
    inv.reply_length = 0;
    if (lookup_extra_caps(&inv, extra_count) == EXCEPTION_FAULT) {
        if (is_blocking) {
            fault_handle(thread);
        }
        return false;
    }
    /* Running and Restart are both runnable: no scheduler queue changes, so
     * plain assignments rather than thread_set_state. */
    thread->state = thread_restart;
    exception_t status = decode_invocation(&inv);
    if (status == EXCEPTION_PREEMPTED) {
        return true; /* stays Restart: the system call runs again */
    }
    if (status == EXCEPTION_SYSCALL_ERROR) {
        if (is_call) {
            reply_error(thread, &inv.error);
        }
    } else if (thread->state == thread_restart && is_call) {
        set_reply_tag(thread, 0, inv.reply_length);
    }
    if (thread->state == thread_restart) {
        thread->state = thread_running;
    }
    return false;
}
