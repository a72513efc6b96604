/* The template driver (template.h): one state struct, an init callback, a
 * notification callback, and a table of do_<call> handlers. */
#include "template.h"
#include <keel/printf.h>
#include <sel4/sel4.h>

typedef struct template_state {
    driver_reply_t waiter; /* the TEMPLATE_WAIT caller, if any */
} template_state_t;

static int template_init(driver_t *drv, bool restart)
{
    template_state_t *s = drv->state;
    s->waiter.slot = 0;
    printf("%s: %s\n", drv->env->name, restart ? "restarted" : "started");
    return 0;
}

static void template_notify(driver_t *drv, seL4_Word bits)
{
    template_state_t *s = drv->state;
    if (driver_reply_pending(&s->waiter)) {
        seL4_SetMR(0, bits);
        driver_reply(drv, &s->waiter, DRIVER_OK, 1);
    }
}

static enum driver_status do_ping(driver_t *drv, driver_request_t *req)
{
    (void)drv;
    if (req->length < 1) {
        req->reply_label = DRIVER_EINVAL;
        return DRIVER_REPLY;
    }
    seL4_SetMR(0, seL4_GetMR(0) + 1);
    req->reply_length = 1;
    return DRIVER_REPLY;
}

static enum driver_status do_wait(driver_t *drv, driver_request_t *req)
{
    template_state_t *s = drv->state;
    if (driver_reply_pending(&s->waiter)) {
        req->reply_label = DRIVER_EBUSY;
        return DRIVER_REPLY;
    }
    return driver_defer(drv, req, &s->waiter);
}

static const driver_call_t template_calls[] = {
    { TEMPLATE_PING, do_ping },
    { TEMPLATE_WAIT, do_wait },
    { 0, NULL },
};

static const driver_ops_t template_ops = {
    .init = template_init,
    .notify = template_notify,
    .calls = template_calls,
};

void template_main(const driver_env_t *env)
{
    static template_state_t state;
    driver_run(&template_ops, &state, env);
}
