/* Invoking a capability: the record of one invocation as decode functions
 * see it, the errors they may return (ABI 6), and the reply. Every decode
 * function checks everything first and changes nothing until all checks
 * have passed (STYLE 1); the error detail travels in the invocation record,
 * never in a global. */
#pragma once

#include <cspace.h>
#include <keel/gen/abi.h>
#include <object/tcb.h>

typedef enum exception {
    EXCEPTION_NONE = 0,
    EXCEPTION_SYSCALL_ERROR, /* inv->error says which */
    EXCEPTION_FAULT,         /* a fault was recorded in the thread */
    EXCEPTION_PREEMPTED,     /* the thread re-executes the system call later */
} exception_t;

typedef struct syscall_error {
    word_t type;        /* seL4_Error */
    word_t data[2];     /* argument or cap number; range min/max; bytes left */
    bool lookup_source; /* FailedLookup: was it the source slot? */
    lookup_fault_t lookup;
} syscall_error_t;

typedef struct invocation {
    tcb_t *thread;
    word_t label;
    word_t length;                      /* message length, clamped (ABI 2.1, 3.2) */
    cap_t cap;                          /* the invoked cap */
    cte_t *slot;                        /* and its slot */
    cte_t *extra[seL4_MsgMaxExtraCaps]; /* slots of the extra caps */
    word_t extra_count;
    word_t *buffer; /* the caller's IPC buffer, or NULL */
    bool is_call;
    bool is_blocking;
    word_t reply_length; /* MRs a successful perform wrote */
    syscall_error_t error;
} invocation_t;

/* Message register i of the invocation (i < length). */
static inline word_t inv_mr(const invocation_t *inv, word_t i)
{
    return tcb_get_mr(inv->thread, inv->buffer, i);
}

/* The cap of extra cap i (the null cap when absent). */
static inline cap_t inv_extra_cap(const invocation_t *inv, word_t i)
{
    return i < inv->extra_count ? inv->extra[i]->cap : cap_null_new();
}

/* Errors, one constructor each (ABI 6.1). They return EXCEPTION_SYSCALL_ERROR
 * so decode functions can `return error_...(inv, ...)`. */
exception_t error_invalid_argument(invocation_t *inv, word_t argument);
exception_t error_invalid_capability(invocation_t *inv, word_t cap_number);
exception_t error_illegal_operation(invocation_t *inv);
exception_t error_range(invocation_t *inv, word_t min, word_t max);
exception_t error_alignment(invocation_t *inv);
exception_t error_failed_lookup(invocation_t *inv, bool source, lookup_fault_t lookup);
exception_t error_truncated_message(invocation_t *inv);
exception_t error_delete_first(invocation_t *inv);
exception_t error_revoke_first(invocation_t *inv);
exception_t error_not_enough_memory(invocation_t *inv, word_t bytes_available);

/* A perform writing reply message register i (for Calls that return data). */
void inv_reply_mr(invocation_t *inv, word_t i, word_t value);

/* Dispatch on the cap's type (object/objecttype.c); the port's cap types
 * go to arch_decode_invocation (arch.h). */
exception_t decode_invocation(invocation_t *inv);

/* CNode-style lookup of the slot (index, depth) relative to the CNode cap
 * `root` (ABI 1.7 step 4). Errors are reported as the source slot's when
 * `is_source`. On success *slot is set. */
exception_t lookup_slot_for_cnode_op(invocation_t *inv, bool is_source, cap_t root, word_t index,
                                     word_t depth, cte_t **slot);

/* Derive `cap` (from the cap in `slot`) for Copy, Mint, cap transfer and
 * the caps a TCB keeps (ABI 5.6). A null *out means the type cannot be
 * derived; an error return means derivation is refused with that error. */
exception_t cap_derive(invocation_t *inv, cte_t *slot, cap_t cap, cap_t *out);

/* Count one unit of work of a long operation; every
 * CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION units, return EXCEPTION_PREEMPTED
 * if an interrupt is pending (the caller records its progress and unwinds;
 * the system call restarts). */
exception_t preemption_point(void);
