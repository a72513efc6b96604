/* The user-level driver library: the one receive loop every driver thread
 * runs (STYLE 15), its callback table, deferred replies, and the contract
 * between a driver and the root task that starts it (docs/drivers.md).
 *
 * A driver thread receives on one endpoint and has one notification bound
 * to its TCB. A Recv then returns either a client message or, when the bound
 * notification was signalled (an interrupt, say), the notification word in
 * x0. The two are told apart by the badge: every notification badge given
 * out for a driver has DRIVER_NOTIFY_BIT set, and no client badge has it. */
#pragma once

#include <keel/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Set in every badge that signals a driver's bound notification; never set
 * in a client's endpoint badge. The other 63 bits are the driver's to use
 * (e.g. DRIVER_IRQ_BIT for its device interrupt). */
#define DRIVER_NOTIFY_BIT ((seL4_Word)1 << 63)
#define DRIVER_IRQ_BIT ((seL4_Word)1 << 0)

/* Reply labels every driver uses (label 0 = success; driver-specific
 * errors count up from DRIVER_ERROR_FIRST). */
enum driver_error {
    DRIVER_OK = 0,
    DRIVER_ENOSYS = 1, /* no handler for this label */
    DRIVER_EINVAL = 2, /* bad arguments */
    DRIVER_EBUSY = 3,  /* a request of this kind is already waiting, or no reply slot free */
    DRIVER_ERROR_FIRST = 16,
};

/* What a request handler returns. */
enum driver_status {
    DRIVER_REPLY,    /* reply now with reply_label/reply_length and the MRs set */
    DRIVER_DEFERRED, /* the reply cap was saved (driver_defer); reply later */
};

/* --- the driver's CSpace and VSpace (set up by the root task, spawn.h) --- */

/* The driver's CNode: 2^DRIVER_CNODE_BITS slots, guard 64 - radix, so every
 * slot number is a cptr at depth 64. */
#define DRIVER_CNODE_BITS 5
enum driver_slot {
    DRIVER_SLOT_NULL = 0,
    DRIVER_SLOT_CNODE = 1,       /* its own CNode (for SaveCaller into the reply slots) */
    DRIVER_SLOT_ENDPOINT = 2,    /* the request endpoint, Receive right only */
    DRIVER_SLOT_IRQ = 3,         /* its IRQ handler (Ack), if it has a device interrupt */
    DRIVER_SLOT_FAULT = 4,       /* fault endpoint (Send + GrantReply, badged), if any */
    DRIVER_SLOT_REPLY_FIRST = 8, /* empty slots for saved reply caps */
    DRIVER_SLOT_REPLY_COUNT = 8,
};

/* Fixed addresses in a driver's VSpace besides the image (which sits at the
 * root task's addresses). */
#define DRIVER_STACK_TOP 0x10010000ul /* stack pages below, a guard page below them */
#define DRIVER_STACK_PAGES 4
#define DRIVER_BOOT_PAGE 0x10020000ul    /* IPC buffer, driver_env_t, TLS area */
#define DRIVER_DEVICE_VADDR 0x20000000ul /* the device frame, uncached */

/* Layout of the boot page. */
#define DRIVER_BOOT_ENV_OFFSET 1024
#define DRIVER_BOOT_TLS_OFFSET 2048
#define DRIVER_BOOT_TLS_SIZE 2048

typedef struct driver_env driver_env_t;

/* Everything a driver is told at start, written by the root task into the
 * driver's boot page; x0 points at it. Cptrs are in the driver's CSpace. */
struct driver_env {
    void (*main)(const driver_env_t *env); /* the driver's entry, e.g. pl031_main */
    seL4_IPCBuffer *ipc_buffer;
    void *tls_area;
    seL4_Word tls_size;
    seL4_CPtr cnode;       /* DRIVER_SLOT_CNODE */
    seL4_CPtr endpoint;    /* DRIVER_SLOT_ENDPOINT */
    seL4_CPtr irq_handler; /* DRIVER_SLOT_IRQ or 0 */
    seL4_CPtr reply_first; /* DRIVER_SLOT_REPLY_FIRST */
    seL4_Word reply_count; /* DRIVER_SLOT_REPLY_COUNT */
    volatile void *device; /* DRIVER_DEVICE_VADDR or NULL */
    seL4_Word restarts;    /* 0 on the first start, then the restart count */
    seL4_Word arg;         /* a driver-specific word */
    char name[32];
};

/* --- the driver side ---------------------------------------------------- */

typedef struct driver driver_t;

/* One client request as the loop hands it to a handler. The request MRs are
 * in the IPC buffer (seL4_GetMR); the handler writes its reply MRs there
 * (seL4_SetMR) and sets reply_label and reply_length. */
typedef struct driver_request {
    seL4_Word badge; /* the client's badge (DRIVER_NOTIFY_BIT clear) */
    seL4_Word label;
    seL4_Word length; /* request MRs */
    seL4_Word reply_label;
    seL4_Word reply_length;
} driver_request_t;

typedef enum driver_status (*driver_call_fn)(driver_t *drv, driver_request_t *req);

typedef struct driver_call {
    seL4_Word label;
    driver_call_fn fn;
} driver_call_t;

/* The callback table a driver fills in. */
typedef struct driver_ops {
    /* Once before the loop; `restart` tells a fresh start from a restart.
     * Nonzero: the driver cannot run (the library reports and stops). */
    int (*init)(driver_t *drv, bool restart);
    /* The bound notification fired: `bits` is the word without DRIVER_NOTIFY_BIT. */
    void (*notify)(driver_t *drv, seL4_Word bits);
    /* Request handlers by label, ended by an entry with fn == NULL. */
    const driver_call_t *calls;
} driver_ops_t;

/* A saved reply capability: a slot of the driver's CNode, 0 when none. */
typedef struct driver_reply {
    seL4_CPtr slot;
} driver_reply_t;

struct driver {
    const driver_ops_t *ops;
    const driver_env_t *env;
    void *state;         /* the driver's own state */
    uint64_t reply_used; /* bit i: reply slot reply_first + i holds a saved reply */
};

/* Run the receive loop: init, then forever { receive; notification → notify;
 * request → handler by label; reply unless the handler deferred }. Never
 * returns. */
void driver_run(const driver_ops_t *ops, void *state, const driver_env_t *env)
    __attribute__((noreturn));

/* Keep the current request's reply for later: save the caller's reply cap
 * into a free reply slot (CNode_SaveCaller) and describe it in *reply. The
 * handler returns what this returns: DRIVER_DEFERRED, or DRIVER_REPLY with
 * req->reply_label = DRIVER_EBUSY when no slot is free or saving failed. */
enum driver_status driver_defer(driver_t *drv, driver_request_t *req, driver_reply_t *reply);

/* Send a deferred reply (label, MR0..length-1 as set with seL4_SetMR) and
 * free its slot; *reply becomes empty. The kernel deletes the used reply cap. */
void driver_reply(driver_t *drv, driver_reply_t *reply, seL4_Word label, seL4_Word length);

static inline bool driver_reply_pending(const driver_reply_t *reply)
{
    return reply->slot != 0;
}

/* Acknowledge the driver's interrupt (IRQHandler_Ack) after the device has
 * been quietened; 0 or the seL4 error. */
seL4_Word driver_irq_ack(driver_t *drv);

/* The entry point the root task starts a driver thread at, with x0 = the
 * env in its boot page, SP = DRIVER_STACK_TOP and TPIDR_EL0 = 0: it sets up
 * TLS and the IPC buffer, then calls env->main(env). */
void driver_thread_entry(const driver_env_t *env) __attribute__((noreturn));
