/* Thread control blocks: a thread's registers, its scheduling parameters,
 * its capability slots (CSpace and VSpace roots, reply and caller caps, IPC
 * buffer frame) and its IPC state. One TCB is a 2^seL4_TCBBits object. */
#pragma once

#include <arch/arch.h>
#include <config.h>
#include <keel/gen/abi.h>
#include <object/cnode.h>
#include <paddr.h>

#define TCB_SIZE_BITS 11

typedef enum thread_state {
    thread_inactive = 0,
    thread_running,
    thread_restart, /* re-execute the system call when next run */
    thread_blocked_on_receive,
    thread_blocked_on_send,
    thread_blocked_on_reply,
    thread_blocked_on_notification,
} thread_state_t;

/* The TCB's own capability slots. */
enum tcb_slot {
    TCB_CSPACE_ROOT = 0,
    TCB_VSPACE_ROOT,
    TCB_REPLY,      /* master reply cap */
    TCB_CALLER,     /* one-shot reply cap from the last received Call/fault */
    TCB_IPC_BUFFER, /* frame cap of the IPC buffer */
    TCB_SLOT_COUNT,
};

/* A pending fault, kept until the handler has replied (ABI 7). */
typedef struct fault {
    word_t type;    /* seL4_Fault_* label, 0 = none */
    word_t data[2]; /* fault-specific: address, status, syscall number ... */
} fault_t;

typedef struct lookup_fault {
    word_t type; /* seL4_LookupFailure type, 0 = none */
    word_t bits_left;
    word_t bits_found;
    word_t guard_found;
} lookup_fault_t;

typedef struct tcb tcb_t;

/* DebugNameThread keeps TCB_NAME_LENGTH - 1 characters and a NUL: the
 * name takes the room the port's part of the TCB (arch_tcb_t) leaves, so
 * that a TCB is 2^seL4_TCBBits bytes in every configuration. */
#define TCB_NAME_LENGTH (1392 - sizeof(arch_tcb_t))

struct tcb {
    arch_context_t context; /* first: the exception entry code stores into it */
    cte_t slots[TCB_SLOT_COUNT];
    thread_state_t state;
    uint8_t priority;
    uint8_t mcp;
    uint8_t domain;
    uint16_t time_slice; /* remaining ticks */
    bool in_ready_queue;
    tcb_t *sched_next; /* ready queue of its priority */
    tcb_t *sched_prev;
    tcb_t *queue_next; /* endpoint or notification wait queue */
    tcb_t *queue_prev;
    word_t blocking_object; /* what it is blocked on, physical address */
    word_t blocking_badge;
    word_t blocking_flags;
    fault_t fault;
    lookup_fault_t lookup_fault;
    word_t fault_handler; /* cptr in the thread's own CSpace */
    vaddr_t ipc_buffer;
    word_t bound_notification;
    word_t flags;      /* seL4_TCBFlag */
    tcb_t *debug_next; /* list of all TCBs, for DebugDumpScheduler */
    tcb_t *debug_prev;
    arch_tcb_t arch; /* FPU, address-space and debug state of the port (arch.h) */
    char name[TCB_NAME_LENGTH];
};
_Static_assert(sizeof(tcb_t) <= BIT(TCB_SIZE_BITS), "a TCB fits in 2^seL4_TCBBits bytes");
_Static_assert(offsetof(tcb_t, context) == 0, "the entry code stores the context at offset 0");

static inline tcb_t *tcb_from_cap(cap_t c)
{
    return cap_object(c);
}

static inline cte_t *tcb_slot(tcb_t *tcb, enum tcb_slot slot)
{
    return &tcb->slots[slot];
}

/* The thread's IPC buffer as the kernel reaches it: through the frame cap in
 * the TCB, not the thread's page tables (ABI 3.2). NULL when absent: no
 * frame, a device frame, or (when `writing`) a frame that is not ReadWrite. */
word_t *tcb_ipc_buffer(tcb_t *thread, bool writing);

/* Message registers: the first TCB_FAST_MRS are registers (ARCH_REG_MR0
 * on), MRi for i >= TCB_FAST_MRS is msg[i] of the IPC buffer (`buffer`,
 * from tcb_ipc_buffer; NULL if there is none). */
#define TCB_FAST_MRS seL4_FastMessageRegisters
_Static_assert(TCB_FAST_MRS == ARCH_MSG_REGISTERS, "the port passes the ABI's register MRs");

/* The length a message-info word announces, clamped to seL4_MsgMaxLength
 * (ABI 2.1). */
static inline word_t message_length(word_t info)
{
    word_t length = keel_seL4_MessageInfo_get_length(info);
    return MIN(length, seL4_MsgMaxLength);
}

static inline word_t tcb_get_mr(const tcb_t *thread, const word_t *buffer, word_t i)
{
    return i < TCB_FAST_MRS ? thread->context.r[ARCH_REG_MR0 + i]
                            : buffer[KEEL_seL4_IPCBuffer_msg + i];
}

/* Set MR i; false if it needs a buffer the thread does not have. */
static inline bool tcb_set_mr(tcb_t *thread, word_t *buffer, word_t i, word_t value)
{
    if (i < TCB_FAST_MRS) {
        thread->context.r[ARCH_REG_MR0 + i] = value;
        return true;
    }
    if (buffer == NULL) {
        return false;
    }
    buffer[KEEL_seL4_IPCBuffer_msg + i] = value;
    return true;
}

/* Write MRs [0, n) into the thread (registers, then its writable buffer);
 * returns how many it could deliver. */
word_t tcb_write_mrs(tcb_t *thread, const word_t *mrs, word_t n);

struct invocation;
/* TCB methods (ABI 5.4.2). */
enum exception decode_tcb_invocation(struct invocation *inv);

/* The hardware debug API's TCB methods (object/tcb_debug.c); without
 * CONFIG_HARDWARE_DEBUG_API their labels do not exist and this is never
 * called. */
enum exception decode_tcb_debug_invocation(struct invocation *inv, tcb_t *target);
/* Is `label` one of those methods? (Only with CONFIG_HARDWARE_DEBUG_API.) */
bool tcb_is_debug_method(word_t label);

/* A new TCB in zeroed memory (ABI 4.3): the port's initial registers
 * (arch_context_init), priority and MCP 0, a full time slice, inactive,
 * named after its creator. */
void tcb_init(tcb_t *tcb, const tcb_t *creator);

/* The last cap to the TCB is going: suspend it and forget it. Its slots are
 * emptied afterwards (as a zombie). */
void tcb_finalise(tcb_t *tcb);
