/* A host-side "machine" for driving the real capability code: one block of
 * host memory handed to the kernel as untyped memory, a reserved but
 * inaccessible range handed out as device untyped memory (so any kernel write
 * to device memory crashes the test), a root CNode that is a host array of
 * slots, and a fake current thread whose registers and IPC buffer carry the
 * invocations. Also the host invariant checker of the capability system.
 *
 * Used by tests/host/test_cspace_model.c and tests/fuzz/fuzz_decode.c. */
#pragma once

#include <cdt.h>
#include <invocation.h>
#include <keel/gen/abi.h>
#include <stdbool.h>
#include <stddef.h>

#define HOST_ENV_MAX_UNTYPED 4

typedef struct host_untyped {
    paddr_t base;
    unsigned size_bits;
    bool device;
    unsigned slot; /* index in the root CNode */
} host_untyped_t;

typedef struct host_env {
    cte_t *root;         /* the root CNode's slots */
    unsigned root_radix; /* 2^root_radix slots */
    cap_t root_cap;      /* the thread's CSpace root cap (set by reset) */
    tcb_t *thread;       /* the fake current thread */
    word_t *ipc_frame;   /* the 4 KiB frame its IPC buffer lives in */
    uint8_t *memory;     /* normal untyped memory */
    size_t memory_size;
    paddr_t device_base; /* device untyped memory: reserved, never accessible */
    size_t device_size;
    host_untyped_t untyped[HOST_ENV_MAX_UNTYPED];
    unsigned untyped_count;
} host_env_t;

/* Allocate the machine: a root CNode of 2^root_radix slots, `memory_bits`
 * of normal memory and `device_bits` of reserved device addresses. Untypeds
 * are declared with host_env_add_untyped before the first reset. */
void host_env_create(host_env_t *env, unsigned root_radix, unsigned memory_bits,
                     unsigned device_bits);
/* An untyped root cap in root slot `slot` covering `size_bits` at `offset`
 * into normal (or device) memory. */
void host_env_add_untyped(host_env_t *env, unsigned slot, size_t offset, unsigned size_bits,
                          bool device);
void host_env_destroy(host_env_t *env);

/* Fresh kernel state, as boot leaves it for a root task:
 *  - the thread's CSpace root slot holds the root CNode cap (radix, guard
 *    size and guard as given), an original root of the derivation tree;
 *  - root slot 1 holds a derived copy of it with guard size copy_guard_size
 *    and guard 0 (like a Mint), so that with a short root guard the copy can
 *    still be reached by a full 64-bit lookup;
 *  - the thread's IPC-buffer slot holds a ReadWrite cap to ipc_frame (a root);
 *  - each untyped's slot holds its untyped cap (a root), fully used, as boot
 *    hands untypeds out.
 * The order of insertion (which fixes the order of the roots on the cap
 * list) is: CSpace root, IPC frame, untypeds in declaration order, then the
 * copy in slot 1. */
void host_env_reset(host_env_t *env, unsigned guard_size, word_t guard, unsigned copy_guard_size);

/* How the thread's IPC buffer looks to the kernel (ABI 3.2). */
enum host_buffer_mode {
    HOST_BUFFER_READ_WRITE,
    HOST_BUFFER_READ_ONLY,   /* readable for sending, absent for replies */
    HOST_BUFFER_KERNEL_ONLY, /* absent */
    HOST_BUFFER_DEVICE,      /* absent */
};
/* Edit the IPC-buffer frame cap in place (rights, device flag) and place the
 * buffer at `offset` (a multiple of 1024 below 4096) in the frame. */
void host_env_set_buffer(host_env_t *env, enum host_buffer_mode mode, word_t offset);
/* The IPC buffer the kernel sees (the frame at the current offset). */
word_t *host_env_buffer(host_env_t *env);

/* One Call, as the thread's registers and IPC buffer carry it. */
typedef struct host_call {
    word_t cptr;  /* the cap register */
    word_t label; /* tag fields (ABI 2.1), put into x1 as given (masked) */
    word_t length;
    word_t extra_count;
    word_t mr[seL4_MsgMaxLength];       /* MR0..3 go to x2..x5, the rest to the buffer */
    word_t extra[seL4_MsgMaxExtraCaps]; /* caps_or_badges */
} host_call_t;

typedef struct host_reply {
    bool panicked;
    char panic_message[512];
    bool fault; /* a cap fault was raised instead of a reply */
    word_t fault_cptr;
    lookup_fault_t fault_lookup;
    bool fault_in_receive_phase;
    word_t badge; /* the badge register */
    word_t label; /* reply tag */
    word_t length;
    word_t mr[8];  /* reply MRs 0..7 (registers, then the buffer) */
    unsigned runs; /* handle_invocation calls: 1 + restarts after preemption */
    thread_state_t state;
} host_reply_t;

/* Make the Call: handle_invocation, again while the thread is left in
 * Restart (preempted), at most max_runs times. Panics are caught. */
void host_env_call(host_env_t *env, const host_call_t *call, host_reply_t *reply,
                   unsigned max_runs);

/* The invariant checker (independent of any model): the cap list is well
 * formed (links consistent, no empty slot on it, every cap in a reachable
 * slot array on it), every descendant of an untyped lies inside the untyped
 * and (unless it is a copy of the untyped itself) inside its used part, free
 * indices are within their untyped, zombies count no more slots than their
 * object has, and no two distinct objects overlap. On failure writes a
 * description to msg and returns false. */
bool host_env_check_invariants(const host_env_t *env, char *msg, size_t msg_size);
