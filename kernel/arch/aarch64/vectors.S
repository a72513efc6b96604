/* Exception vectors and the user-context save/restore paths. While a thread
 * runs at EL0, SP_EL1 points at its saved context (user_context_t), so an
 * exception from EL0 stores the registers straight into the TCB and then
 * switches to the single kernel stack. A system call is dispatched here, so
 * that Call, ReplyRecv and Recv reach the IPC fastpath with the message registers
 * still in x0/x1 and nothing in between. Exceptions taken in the kernel
 * itself are bugs: they save a frame on the kernel stack and panic. */

#include <config.h>
#include <keel/gen/context.h> /* CTX_<register>_OFFSET, from api/keel.api */

#define ESR_EC_SHIFT 26
#define EC_SVC64 0x15
#define SYS_CALL (-1)
#define SYS_REPLY_RECV (-2)
#define SYS_RECV (-5)

#define KIND_SYNC 0
#define KIND_IRQ 1
#define KIND_FIQ 2
#define KIND_SERROR 3

/* The code below stores and loads the context in pairs of adjacent words:
 * x0..x30 in register order, SP_EL0 after x30, SPSR after ELR. */
#define FOLLOWS(a, b) (CTX_##b##_OFFSET == CTX_##a##_OFFSET + 8)
#if !(FOLLOWS(X0, X1) && FOLLOWS(X1, X2) && FOLLOWS(X2, X3) && FOLLOWS(X3, X4) &&             \
      FOLLOWS(X4, X5) && FOLLOWS(X5, X6) && FOLLOWS(X6, X7) && FOLLOWS(X7, X8) &&             \
      FOLLOWS(X8, X9) && FOLLOWS(X9, X10) && FOLLOWS(X10, X11) && FOLLOWS(X11, X12) &&        \
      FOLLOWS(X12, X13) && FOLLOWS(X13, X14) && FOLLOWS(X14, X15) && FOLLOWS(X15, X16) &&     \
      FOLLOWS(X16, X17) && FOLLOWS(X17, X18) && FOLLOWS(X18, X19) && FOLLOWS(X19, X20) &&     \
      FOLLOWS(X20, X21) && FOLLOWS(X21, X22) && FOLLOWS(X22, X23) && FOLLOWS(X23, X24) &&     \
      FOLLOWS(X24, X25) && FOLLOWS(X25, X26) && FOLLOWS(X26, X27) && FOLLOWS(X27, X28) &&     \
      FOLLOWS(X28, X29) && FOLLOWS(X29, X30) && FOLLOWS(X30, SP) && FOLLOWS(NEXT_IP, SPSR))
#error "vectors.S stores the register context in pairs: api/keel.api's order does not allow it"
#endif

/* x0..x29 in register order from [sp, #base]: a user context (base
 * CTX_X0_OFFSET) or a kernel frame (0). */
.macro store_x0_to_x29 base
    stp     x0, x1, [sp, #\base + 16 * 0]
    stp     x2, x3, [sp, #\base + 16 * 1]
    stp     x4, x5, [sp, #\base + 16 * 2]
    stp     x6, x7, [sp, #\base + 16 * 3]
    stp     x8, x9, [sp, #\base + 16 * 4]
    stp     x10, x11, [sp, #\base + 16 * 5]
    stp     x12, x13, [sp, #\base + 16 * 6]
    stp     x14, x15, [sp, #\base + 16 * 7]
    stp     x16, x17, [sp, #\base + 16 * 8]
    stp     x18, x19, [sp, #\base + 16 * 9]
    stp     x20, x21, [sp, #\base + 16 * 10]
    stp     x22, x23, [sp, #\base + 16 * 11]
    stp     x24, x25, [sp, #\base + 16 * 12]
    stp     x26, x27, [sp, #\base + 16 * 13]
    stp     x28, x29, [sp, #\base + 16 * 14]
.endm

/* Leaves ELR_EL1 (the return address) in x9. TPIDRRO_EL0 is not saved: EL0
 * cannot write it, so the copy in the context is always the live value. */
.macro save_user_context
    store_x0_to_x29 CTX_X0_OFFSET
    mrs     x9, sp_el0
    stp     x30, x9, [sp, #CTX_X30_OFFSET]
    mrs     x9, elr_el1
    mrs     x10, spsr_el1
    stp     x9, x10, [sp, #CTX_NEXT_IP_OFFSET]
    mrs     x10, tpidr_el0
    str     x10, [sp, #CTX_TPIDR_OFFSET]
.endm

.macro switch_to_kernel_stack
    adrp    x10, kernel_stack_top
    add     x10, x10, :lo12:kernel_stack_top
    mov     sp, x10
.endm

/* Kernel exception: a struct kernel_frame (x0..x30, sp, elr, spsr, esr, far)
 * on the kernel stack, then the panic report. */
.macro kernel_exception kind
    sub     sp, sp, #(8 * 36)
    store_x0_to_x29 0
    add     x9, sp, #(8 * 36)
    stp     x30, x9, [sp, #16 * 15]
    mrs     x9, elr_el1
    mrs     x10, spsr_el1
    stp     x9, x10, [sp, #16 * 16]
    mrs     x9, esr_el1
    mrs     x10, far_el1
    stp     x9, x10, [sp, #16 * 17]
    mov     x0, sp
    mov     x1, #\kind
    bl      handle_kernel_exception
.endm

.macro vector_entry label
    .balign 0x80
    b       \label
.endm

    .section .text.vectors, "ax"
    .balign 0x800
    .global arm_vector_table
arm_vector_table:
    vector_entry invalid_vector         /* current EL, SP_EL0: never used */
    vector_entry invalid_vector
    vector_entry invalid_vector
    vector_entry invalid_vector
    vector_entry kernel_sync            /* current EL, SP_EL1: kernel bugs */
    vector_entry kernel_irq
    vector_entry kernel_fiq
    vector_entry kernel_serror
    vector_entry el0_sync               /* lower EL, AArch64: user threads */
    vector_entry el0_irq
    vector_entry el0_fiq_serror
    vector_entry el0_fiq_serror
    vector_entry invalid_vector         /* lower EL, AArch32: not supported */
    vector_entry invalid_vector
    vector_entry invalid_vector
    vector_entry invalid_vector

    .section .text
/* A system call restarts at the svc (ELR - 4), any other exception at the
 * instruction that took it. */
el0_sync:
    save_user_context
    mrs     x11, esr_el1
    lsr     x10, x11, #ESR_EC_SHIFT
    cmp     x10, #EC_SVC64
    b.ne    el0_exception
    sub     x10, x9, #4
    str     x10, [sp, #CTX_FAULT_IP_OFFSET]
#if CONFIG_BENCHMARK_SYSCALLS
    cmn     x7, #-SYSCALL_BENCHMARK_NULL
    b.eq    el0_null_syscall
#endif
    switch_to_kernel_stack
#if CONFIG_FASTPATH
    cmn     x7, #-SYS_CALL
    b.eq    fastpath_call               /* (cptr in x0, message info in x1) */
    cmn     x7, #-SYS_REPLY_RECV
    b.eq    fastpath_reply_recv
    cmn     x7, #-SYS_RECV
    b.eq    fastpath_recv               /* (cptr in x0) */
#endif
    mov     x0, x7
    b       handle_syscall

el0_exception:
    str     x9, [sp, #CTX_FAULT_IP_OFFSET]
    switch_to_kernel_stack
    mov     x0, x11
    b       handle_el0_exception

#if CONFIG_BENCHMARK_SYSCALLS
/* BenchmarkNullSyscall: the floor, straight back to the caller. */
el0_null_syscall:
    mov     x0, sp
    b       restore_user_context
#endif

el0_irq:
    save_user_context
    str     x9, [sp, #CTX_FAULT_IP_OFFSET]
    switch_to_kernel_stack
    b       handle_el0_irq

el0_fiq_serror:
    save_user_context
    switch_to_kernel_stack
    b       handle_el0_unexpected

kernel_sync:
    kernel_exception KIND_SYNC
kernel_irq:
    kernel_exception KIND_IRQ
kernel_fiq:
    kernel_exception KIND_FIQ
kernel_serror:
    kernel_exception KIND_SERROR

invalid_vector:
    switch_to_kernel_stack
    b       handle_invalid_vector

/* void restore_user_context(user_context_t *context): never returns. */
    .global restore_user_context
restore_user_context:
    mov     sp, x0
    ldp     x9, x10, [sp, #CTX_NEXT_IP_OFFSET]
    msr     elr_el1, x9
    msr     spsr_el1, x10
    ldr     x9, [sp, #CTX_SP_OFFSET]
    msr     sp_el0, x9
    ldr     x9, [sp, #CTX_TPIDR_OFFSET]
    ldr     x10, [sp, #CTX_TPIDRRO_OFFSET]
    msr     tpidr_el0, x9
    msr     tpidrro_el0, x10
    ldp     x0, x1, [sp, #CTX_X0_OFFSET + 16 * 0]
    ldp     x2, x3, [sp, #CTX_X0_OFFSET + 16 * 1]
    ldp     x4, x5, [sp, #CTX_X0_OFFSET + 16 * 2]
    ldp     x6, x7, [sp, #CTX_X0_OFFSET + 16 * 3]
    ldp     x8, x9, [sp, #CTX_X0_OFFSET + 16 * 4]
    ldp     x10, x11, [sp, #CTX_X0_OFFSET + 16 * 5]
    ldp     x12, x13, [sp, #CTX_X0_OFFSET + 16 * 6]
    ldp     x14, x15, [sp, #CTX_X0_OFFSET + 16 * 7]
    ldp     x16, x17, [sp, #CTX_X0_OFFSET + 16 * 8]
    ldp     x18, x19, [sp, #CTX_X0_OFFSET + 16 * 9]
    ldp     x20, x21, [sp, #CTX_X0_OFFSET + 16 * 10]
    ldp     x22, x23, [sp, #CTX_X0_OFFSET + 16 * 11]
    ldp     x24, x25, [sp, #CTX_X0_OFFSET + 16 * 12]
    ldp     x26, x27, [sp, #CTX_X0_OFFSET + 16 * 13]
    ldp     x28, x29, [sp, #CTX_X0_OFFSET + 16 * 14]
    ldr     x30, [sp, #CTX_X30_OFFSET]
    eret
