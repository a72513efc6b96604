/* A thread's saved user-level register context, in the order the entry code
 * in vectors.S stores it (ABI 8.2, informative). The order is described in
 * api/keel.api: keel/gen/context.h has enum context_register (CTX_X0...,
 * CTX_SP, CTX_NEXT_IP: ELR_EL1, where the thread resumes; CTX_FAULT_IP: the
 * restart address, the svc or the faulting instruction; CTX_TPIDR...), the
 * byte offsets vectors.S uses and the map from seL4_UserContext. */
#pragma once

#include <config.h>
#include <keel/gen/abi.h>
#include <keel/gen/context.h>
#include <types.h>

typedef struct user_context {
    word_t r[CTX_WORDS];
} user_context_t;

/* PSTATE for user threads: EL0t, AArch64, FIQ masked (ABI 8.3). Only the
 * condition flags may be chosen by user level. */
#define SPSR_USER_DEFAULT 0x40ull
#define SPSR_USER_FLAGS_MASK 0xF0000000ull

static inline word_t spsr_sanitise(word_t value)
{
    return (value & SPSR_USER_FLAGS_MASK) | SPSR_USER_DEFAULT;
}

/* Leave the kernel and run the thread whose context this is. */
void restore_user_context(user_context_t *context) __attribute__((noreturn));

/* FP/SIMD state of a thread: V0-V31, FPSR, FPCR (ABI 8.5). */
typedef struct fpu_state {
    word_t v[64];
    word_t fpsr;
    word_t fpcr;
} fpu_state_t;

/* A thread's TTBR0_EL1 value as last validated (see vspace_thread_ttbr0 in
 * arch/vspace.h): good while `epoch` equals ks_vspace_epoch. */
typedef struct vspace_cache {
    word_t ttbr0;
    word_t epoch;
} vspace_cache_t;

/* A thread's hardware debug state (CONFIG_HARDWARE_DEBUG_API, debug.c) as the
 * API sets it, by API ID: instruction breakpoints 0..5, then data watchpoints
 * 6..9 (seL4_FirstWatchpoint). debug.c turns it into register values when
 * the thread is switched to. */
#define DEBUG_API_IDS seL4_NumHWBreakpoints

typedef struct debug_state {
    struct tcb *in_use; /* the TCB itself while an ID or stepping is enabled, else NULL */
    bool stepping;      /* single stepping is configured */
    word_t step_count;  /* instructions to go before the next single-step fault */
    word_t vaddr[DEBUG_API_IDS];
    uint16_t enabled;              /* bit per API ID */
    uint8_t size[DEBUG_API_IDS];   /* watchpoints: 1, 2, 4 or 8 bytes */
    uint8_t access[DEBUG_API_IDS]; /* watchpoints: seL4_BreakOnRead... */
} debug_state_t;

/* seL4_UserContext (ABI 8.1): 36 words; the first 17 are the "frame"
 * registers, the other 19 the "integer" ones (CopyRegisters groups). This
 * table (KEEL_USER_CONTEXT_ORDER) maps each to its place in user_context_t. */
#define USER_CONTEXT_WORDS KEEL_WORDS_seL4_UserContext
#define USER_CONTEXT_FRAME_WORDS KEEL_seL4_UserContext_frame_WORDS
extern const uint8_t user_context_order[USER_CONTEXT_WORDS];
/* Index of the SPSR in seL4_UserContext (sanitised when written). */
#define USER_CONTEXT_SPSR KEEL_seL4_UserContext_spsr

_Static_assert(KEEL_seL4_UserContext_frame_FIRST == 0 &&
                   KEEL_seL4_UserContext_integer_FIRST == USER_CONTEXT_FRAME_WORDS &&
                   KEEL_seL4_UserContext_integer_WORDS ==
                       USER_CONTEXT_WORDS - USER_CONTEXT_FRAME_WORDS,
               "CopyRegisters copies the frame words, then all the others");

/* The port's part of a TCB (arch.h): FP/SIMD state, the cached TTBR0
 * value, the hardware debug state. */
typedef struct arch_tcb {
    fpu_state_t fpu;
    vspace_cache_t vspace_cache; /* arch/vspace.h */
#if CONFIG_HARDWARE_DEBUG_API
    debug_state_t debug; /* breakpoints, watchpoints, single stepping (arch/debug.h) */
#endif
} arch_tcb_t;
