/* The drvtest environment (drvtest.h): per-test slots and untyped, drivers
 * wired the usual way, and client threads in the root task's address space. */
#include "drvtest.h"
#include <keel/printf.h>
#include <keel/runtime.h>
#include <keel/string.h>
#include <keel/tls.h>

#define TEST_UNTYPED_BITS 22 /* 4 MiB per test */
#define MAX_SLOT_RANGES 64
#define MAX_DRIVERS 4
#define MAX_CLIENTS 2
#define CLIENT_STACK_SIZE 16384
#define CLIENT_TLS_SIZE 256

seL4_CPtr drv_uart_frame;
seL4_CPtr drv_rtc_frame;

static kt_untyped_t ram;       /* the RAM untyped tests carve from */
static seL4_CPtr test_untyped; /* this test's child of it */

static struct {
    seL4_CPtr first;
    seL4_Word n;
} ranges[MAX_SLOT_RANGES];
static int nranges;

static drv_driver_t *drivers[MAX_DRIVERS];
static int ndrivers;

typedef struct client_slot {
    drv_client_t client;
    bool in_use;
    seL4_IPCBuffer *ipc;
    unsigned char *stack;
    unsigned char *tls;
} client_slot_t;

static seL4_IPCBuffer client_ipc[MAX_CLIENTS][4096 / sizeof(seL4_IPCBuffer)]
    __attribute__((aligned(4096)));
static unsigned char client_stack[MAX_CLIENTS][CLIENT_STACK_SIZE] __attribute__((aligned(16)));
static unsigned char client_tls[MAX_CLIENTS][CLIENT_TLS_SIZE] __attribute__((aligned(16)));
static client_slot_t clients[MAX_CLIENTS];
static seL4_CPtr client_done; /* notification the clients signal (a test slot) */

seL4_CPtr drv_slots(seL4_Word n)
{
    if (nranges == MAX_SLOT_RANGES) {
        ktest_fail(__FILE__, __LINE__, "more than %d slot ranges in one test", MAX_SLOT_RANGES);
        return 0;
    }
    seL4_CPtr first = kt_slots(n);
    if (first != 0) {
        ranges[nranges].first = first;
        ranges[nranges].n = n;
        nranges++;
    }
    return first;
}

seL4_CPtr drv_untyped(void)
{
    return test_untyped;
}

seL4_CPtr drv_object(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = drv_slots(1);
    if (slot == 0) {
        return 0;
    }
    seL4_Error err = seL4_Untyped_Retype(test_untyped, type, size_bits, KT_ROOT, 0, 0, slot, 1);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "retype of type %lu failed (%d)", type, (int)err);
        return 0;
    }
    return slot;
}

seL4_CPtr drv_mint(seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_CPtr slot = drv_slots(1);
    if (slot == 0) {
        return 0;
    }
    seL4_Error err =
        seL4_CNode_Mint(KT_ROOT, slot, KT_DEPTH, KT_ROOT, src, KT_DEPTH, rights, badge);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "mint of slot %lu failed (%d)", src, (int)err);
        return 0;
    }
    return slot;
}

bool drv_start_driver(drv_driver_t *drv, const char *name, void (*main)(const driver_env_t *),
                      int irq, seL4_CPtr device_frame)
{
    memset(drv, 0, sizeof(*drv));
    if (ndrivers == MAX_DRIVERS) {
        ktest_fail(__FILE__, __LINE__, "more than %d drivers in one test", MAX_DRIVERS);
        return false;
    }
    drv->endpoint = drv_object(seL4_EndpointObject, 0);
    drv->notification = drv_object(seL4_NotificationObject, 0);
    drv->fault_endpoint = drv_object(seL4_EndpointObject, 0);
    if (ktest_failed()) {
        return false;
    }
    seL4_CPtr fault_badged = drv_mint(drv->fault_endpoint, seL4_AllRights, DRV_FAULT_BADGE);
    if (irq >= 0) {
        drv->irq_handler = drv_slots(1);
        /* Both devices here drive level-triggered lines (trigger 0). */
        seL4_Error err = seL4_IRQControl_GetTrigger(seL4_CapIRQControl, (seL4_Word)irq, 0, KT_ROOT,
                                                    drv->irq_handler, KT_DEPTH);
        if (err != seL4_NoError) {
            ktest_fail(__FILE__, __LINE__, "IRQControl_Get(%d) failed (%d)", irq, (int)err);
            return false;
        }
        seL4_CPtr irq_badged =
            drv_mint(drv->notification, seL4_AllRights, DRIVER_NOTIFY_BIT | DRIVER_IRQ_BIT);
        if (irq_badged == 0) {
            return false;
        }
        err = seL4_IRQHandler_SetNotification(drv->irq_handler, irq_badged);
        if (err != seL4_NoError) {
            ktest_fail(__FILE__, __LINE__, "SetNotification failed (%d)", (int)err);
            return false;
        }
    }
    driver_spawn_t spawn = {
        .name = name,
        .main = main,
        .priority = DRV_PRIO_DRIVER,
        .untyped = test_untyped,
        .alloc_slots = drv_slots,
        .data_start = drvtest_data_start,
        .endpoint = drv->endpoint,
        .notification = drv->notification,
        .irq_handler = drv->irq_handler,
        .device_frame = device_frame,
        .fault_endpoint = fault_badged,
    };
    drivers[ndrivers++] = drv;
    seL4_Word err = driver_spawn(&spawn, &drv->proc);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "driver_spawn(%s) failed (%lu) after %lu slots", name, err,
                   drv->proc.used);
        return false;
    }
    return true;
}

/* --- client threads ------------------------------------------------------ */

static __attribute__((noinline, noreturn)) void client_run(client_slot_t *slot)
{
    drv_client_t *c = &slot->client;
    seL4_SetIPCBuffer(slot->ipc);
    for (seL4_Word i = 0; i < c->nargs; i++) {
        seL4_SetMR((int)i, c->args[i]);
    }
    seL4_MessageInfo_t info = seL4_Call(c->cap, seL4_MessageInfo_new(c->label, 0, 0, c->nargs));
    c->reply_label = seL4_MessageInfo_get_label(info);
    c->reply_length = seL4_MessageInfo_get_length(info);
    for (seL4_Word i = 0; i < 10; i++) {
        c->reply[i] = seL4_GetMR((int)i);
    }
    c->finished = true;
    seL4_Signal(client_done);
    for (;;) {
        seL4_TCB_Suspend(c->tcb);
    }
}

static void client_entry(client_slot_t *slot)
{
    /* TPIDR_EL0 was set by WriteRegisters: TLS is usable at once. */
    client_run(slot);
}

drv_client_t *drv_client_call(seL4_CPtr cap, seL4_Word label, const seL4_Word *args,
                              seL4_Word nargs)
{
    client_slot_t *slot = NULL;
    int index = 0;
    for (; index < MAX_CLIENTS; index++) {
        if (!clients[index].in_use) {
            slot = &clients[index];
            break;
        }
    }
    if (slot == NULL || nargs > 4) {
        ktest_fail(__FILE__, __LINE__, "no free client (or too many arguments)");
        return NULL;
    }
    if (client_done == 0) {
        client_done = drv_object(seL4_NotificationObject, 0);
    }
    seL4_CPtr tcb = drv_object(seL4_TCBObject, 0);
    if (tcb == 0 || client_done == 0) {
        return NULL;
    }
    memset(&slot->client, 0, sizeof(slot->client));
    slot->in_use = true;
    slot->ipc = client_ipc[index];
    slot->stack = client_stack[index];
    slot->tls = client_tls[index];
    drv_client_t *c = &slot->client;
    c->tcb = tcb;
    c->cap = cap;
    c->label = label;
    c->nargs = nargs;
    for (seL4_Word i = 0; i < nargs; i++) {
        c->args[i] = args[i];
    }
    const seL4_BootInfo *bi = keel_bootinfo();
    extern char __keel_image_start[];
    seL4_CPtr ipc_frame =
        bi->userImageFrames.start + ((seL4_Word)slot->ipc - (seL4_Word)__keel_image_start) / 4096;
    seL4_Error err = seL4_TCB_Configure(tcb, 0, KT_ROOT, 0, seL4_CapInitThreadVSpace, 0,
                                        (seL4_Word)slot->ipc, ipc_frame);
    if (err == seL4_NoError) {
        err = seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, DRV_PRIO_CLIENT);
    }
    uintptr_t tp = keel_tls_init(slot->tls, CLIENT_TLS_SIZE);
    if (err != seL4_NoError || tp == 0) {
        ktest_fail(__FILE__, __LINE__, "client set-up failed (%d)", (int)err);
        return NULL;
    }
    seL4_DebugNameThread(tcb, "drvtest-client");
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    regs.pc = (seL4_Word)client_entry;
    regs.sp = (seL4_Word)(slot->stack + CLIENT_STACK_SIZE);
    regs.x0 = (seL4_Word)slot;
    regs.tpidr_el0 = tp;
    err = seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "client WriteRegisters failed (%d)", (int)err);
        return NULL;
    }
    return c;
}

void drv_client_wait(drv_client_t *client)
{
    while (!client->finished) {
        seL4_Wait(client_done, NULL);
    }
}

/* --- per-test set-up and clean-up ----------------------------------------- */

bool drv_begin(void)
{
    nranges = 0;
    ndrivers = 0;
    client_done = 0;
    seL4_CPtr slot = kt_slots(1);
    if (slot == 0) {
        return false;
    }
    seL4_Error err =
        seL4_Untyped_Retype(ram.cap, seL4_UntypedObject, TEST_UNTYPED_BITS, KT_ROOT, 0, 0, slot, 1);
    if (err != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "no test untyped (%d)", (int)err);
        return false;
    }
    test_untyped = slot;
    return true;
}

void drv_end(void)
{
    /* Client threads first (their TCBs are in test slots), then drivers. */
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].in_use) {
            seL4_CNode_Delete(KT_ROOT, clients[i].client.tcb, KT_DEPTH);
            clients[i].in_use = false;
        }
    }
    for (int i = ndrivers; i > 0; i--) {
        driver_destroy(&drivers[i - 1]->proc);
    }
    for (int i = nranges; i > 0; i--) {
        for (seL4_Word s = ranges[i - 1].n; s > 0; s--) {
            seL4_CNode_Delete(KT_ROOT, ranges[i - 1].first + s - 1, KT_DEPTH);
        }
    }
    nranges = 0;
    ndrivers = 0;
    client_done = 0;
    if (test_untyped != 0) {
        seL4_CNode_Revoke(KT_ROOT, test_untyped, KT_DEPTH);
        seL4_CNode_Delete(KT_ROOT, test_untyped, KT_DEPTH);
        test_untyped = 0;
    }
    kt_kernel_self_check();
}

bool drv_setup(void)
{
    if (!kt_untyped(false, TEST_UNTYPED_BITS + 2, &ram)) {
        return false;
    }
    drv_uart_frame = driver_device_frame(0x09000000ul, kt_slots);
    drv_rtc_frame = driver_device_frame(0x09010000ul, kt_slots);
    printf("drvtest: RAM untyped slot %lu (2^%lu), UART frame slot %lu, RTC frame slot %lu\n",
           ram.cap, ram.size_bits, drv_uart_frame, drv_rtc_frame);
    return drv_uart_frame != 0 && drv_rtc_frame != 0;
}
