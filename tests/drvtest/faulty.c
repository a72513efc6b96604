/* A driver that faults on purpose: its one request touches an address its
 * VSpace does not map, so the kernel sends a VM fault to its fault handler. */
#include "drvtest.h"

static enum driver_status do_touch(driver_t *drv, driver_request_t *req)
{
    (void)drv;
    *(volatile seL4_Word *)FAULTY_ADDRESS = 0x5eed;
    req->reply_length = 0;
    return DRIVER_REPLY;
}

static const driver_call_t faulty_calls[] = {
    { FAULTY_TOUCH, do_touch },
    { 0, NULL },
};

static const driver_ops_t faulty_ops = {
    .calls = faulty_calls,
};

void faulty_main(const driver_env_t *env)
{
    driver_run(&faulty_ops, NULL, env);
}
