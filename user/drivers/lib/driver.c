/* The driver receive loop, deferred replies and the thread entry (driver.h). */
#include "driver.h"
#include <keel/printf.h>
#include <keel/tls.h>
#include <sel4/sel4.h>

/* A driver with nothing left to do raises a cap fault (Recv on the null cap)
 * so that its fault handler hears of it; it never runs on. */
static __attribute__((noreturn)) void driver_stop(const driver_env_t *env, const char *why)
{
    printf("%s: %s, stopping\n", env->name, why);
    for (;;) {
        seL4_Wait(DRIVER_SLOT_NULL, NULL);
    }
}

static const driver_call_t *find_call(const driver_ops_t *ops, seL4_Word label)
{
    if (ops->calls == NULL) {
        return NULL;
    }
    for (const driver_call_t *call = ops->calls; call->fn != NULL; call++) {
        if (call->label == label) {
            return call;
        }
    }
    return NULL;
}

/* One client request: the handler's verdict; an unknown label is answered
 * with DRIVER_ENOSYS. */
static enum driver_status dispatch(driver_t *drv, seL4_Word badge, seL4_MessageInfo_t info,
                                   driver_request_t *req)
{
    *req = (driver_request_t){
        .badge = badge,
        .label = seL4_MessageInfo_get_label(info),
        .length = seL4_MessageInfo_get_length(info),
        .reply_label = DRIVER_OK,
        .reply_length = 0,
    };
    const driver_call_t *call = find_call(drv->ops, req->label);
    if (call == NULL) {
        req->reply_label = DRIVER_ENOSYS;
        return DRIVER_REPLY;
    }
    return call->fn(drv, req);
}

void driver_run(const driver_ops_t *ops, void *state, const driver_env_t *env)
{
    driver_t drv = { .ops = ops, .env = env, .state = state, .reply_used = 0 };
    if (env->reply_count > 64) {
        driver_stop(env, "more than 64 reply slots");
    }
    if (ops->init != NULL && ops->init(&drv, env->restarts != 0) != 0) {
        driver_stop(env, "init failed");
    }
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(env->endpoint, &badge);
    for (;;) {
        driver_request_t req;
        bool reply = false;
        if (badge & DRIVER_NOTIFY_BIT) {
            /* x1 still holds what we sent: only the badge is meaningful. */
            if (ops->notify != NULL) {
                ops->notify(&drv, badge & ~DRIVER_NOTIFY_BIT);
            }
        } else {
            reply = dispatch(&drv, badge, info, &req) == DRIVER_REPLY;
        }
        if (reply) {
            info = seL4_ReplyRecv(env->endpoint,
                                  seL4_MessageInfo_new(req.reply_label, 0, 0, req.reply_length),
                                  &badge);
        } else {
            info = seL4_Recv(env->endpoint, &badge);
        }
    }
}

enum driver_status driver_defer(driver_t *drv, driver_request_t *req, driver_reply_t *reply)
{
    const driver_env_t *env = drv->env;
    reply->slot = 0;
    for (seL4_Word i = 0; i < env->reply_count; i++) {
        if (drv->reply_used & ((uint64_t)1 << i)) {
            continue;
        }
        seL4_CPtr slot = env->reply_first + i;
        seL4_Error err = seL4_CNode_SaveCaller(env->cnode, slot, seL4_WordBits);
        if (err != seL4_NoError) {
            printf("%s: SaveCaller into slot %lu failed (%d)\n", env->name, slot, (int)err);
            break;
        }
        drv->reply_used |= (uint64_t)1 << i;
        reply->slot = slot;
        return DRIVER_DEFERRED;
    }
    req->reply_label = DRIVER_EBUSY;
    req->reply_length = 0;
    return DRIVER_REPLY;
}

void driver_reply(driver_t *drv, driver_reply_t *reply, seL4_Word label, seL4_Word length)
{
    if (reply->slot == 0) {
        return;
    }
    seL4_Send(reply->slot, seL4_MessageInfo_new(label, 0, 0, length));
    seL4_Word i = reply->slot - drv->env->reply_first;
    drv->reply_used &= ~((uint64_t)1 << i);
    reply->slot = 0;
}

seL4_Word driver_irq_ack(driver_t *drv)
{
    return drv->env->irq_handler != 0 ? (seL4_Word)seL4_IRQHandler_Ack(drv->env->irq_handler)
                                      : (seL4_Word)seL4_InvalidCapability;
}

/* With TLS in place: separate and not inlined so that no thread-local access
 * can be scheduled before TPIDR_EL0 is set (as in libkeel's start-up). */
static __attribute__((noinline, noreturn)) void driver_thread_start(const driver_env_t *env)
{
    seL4_SetIPCBuffer(env->ipc_buffer);
    env->main(env);
    driver_stop(env, "main returned");
}

void driver_thread_entry(const driver_env_t *env)
{
    uintptr_t tp = keel_tls_init(env->tls_area, env->tls_size);
    if (tp == 0) {
        for (;;) {
            seL4_Wait(DRIVER_SLOT_NULL, NULL); /* no TLS: fault at once */
        }
    }
    keel_set_tls_base(tp);
    driver_thread_start(env);
}
