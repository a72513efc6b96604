/* drvtest: the in-QEMU tests of interrupts and user-level drivers. The
 * framework (result lines, assertions) is ktest's (tests/ktest/ktest.h),
 * compiled into this image; this header adds the test environment.
 *
 * A driver test is written as
 *
 *     DRV_TEST(test_name)
 *     {
 *         ... body ...
 *     }
 *
 * Around the body the environment gives out root slots (drv_slots) and an
 * untyped for the test's objects (drv_untyped) and afterwards deletes every
 * driver, client thread and slot of the test, whatever the body did. */
#pragma once

#include "../../user/drivers/lib/spawn.h"
#include "../ktest/ktest.h"
#include "../ktest/objects.h"
#include <sel4/sel4.h>

#define DRV_PRIO_ROOT 100
#define DRV_PRIO_CLIENT 150
#define DRV_PRIO_DRIVER 200

/* Badge of fault messages from the test's drivers. */
#define DRV_FAULT_BADGE 0xfa17ul

extern char drvtest_data_start[];

/* Device frames, taken once at start-up (ascending addresses). */
extern seL4_CPtr drv_uart_frame;
extern seL4_CPtr drv_rtc_frame;

/* Root slots for the running test (deleted when it ends). */
seL4_CPtr drv_slots(seL4_Word n);

/* The running test's untyped (revoked when it ends). */
seL4_CPtr drv_untyped(void);

/* A new object in a test slot; 0 (and the test fails) on error. */
seL4_CPtr drv_object(seL4_Word type, seL4_Word size_bits);

/* A minted copy in a test slot; 0 (and the test fails) on error. */
seL4_CPtr drv_mint(seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge);

/* A driver of the test with the usual wiring: an endpoint (returned in
 * *endpoint, full rights), a notification bound to it (*notification), and
 * when irq >= 0 the IRQ handler (*irq_handler) signalling that notification
 * with DRIVER_NOTIFY_BIT | DRIVER_IRQ_BIT. Fails the test on error. */
typedef struct drv_driver {
    driver_process_t proc;
    seL4_CPtr endpoint;
    seL4_CPtr notification;
    seL4_CPtr irq_handler;
    seL4_CPtr fault_endpoint; /* the root's end (unbadged, full rights) */
} drv_driver_t;

bool drv_start_driver(drv_driver_t *drv, const char *name, void (*main)(const driver_env_t *),
                      int irq, seL4_CPtr device_frame);

/* A client thread in the root task's address space making one Call. */
typedef struct drv_client {
    seL4_CPtr tcb;
    seL4_CPtr cap;
    seL4_Word label;
    seL4_Word nargs;
    seL4_Word args[4];
    volatile bool finished;
    volatile seL4_Word reply_label;
    volatile seL4_Word reply_length;
    volatile seL4_Word reply[10];
} drv_client_t;

/* Start a client that Calls `cap` with `label` and args[0..nargs); it runs
 * at DRV_PRIO_CLIENT (above the root task) until it blocks. */
drv_client_t *drv_client_call(seL4_CPtr cap, seL4_Word label, const seL4_Word *args,
                              seL4_Word nargs);

/* Block until the client got its reply. */
void drv_client_wait(drv_client_t *client);

/* Once before the first test: the RAM untyped and the device frames. */
bool drv_setup(void);

/* Wrapper and table glue. */
bool drv_begin(void);
void drv_end(void);

#define DRV_TEST(name)                                                                             \
    static void name##_body(void);                                                                 \
    static void name(void)                                                                         \
    {                                                                                              \
        if (drv_begin()) {                                                                         \
            name##_body();                                                                         \
        }                                                                                          \
        drv_end();                                                                                 \
    }                                                                                              \
    static void name##_body(void)

extern const ktest_case_t drv_irq_cases[];
extern const ktest_case_t drv_driver_cases[];

/* The faulty test driver (faulty.c). */
#define FAULTY_ADDRESS 0xdead0000ul
enum { FAULTY_TOUCH = 1 };
void faulty_main(const driver_env_t *env);
