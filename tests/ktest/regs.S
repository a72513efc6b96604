/* kt_syscall_registers(const seL4_Word in[32], seL4_Word out[36]): issue one
 * system call with every general register under control and record them all.
 *
 * in[0..30] are loaded into x0..x30 (in[7] is the syscall number), in[31] into
 * NZCV. After `svc`: out[0..30] = x0..x30, out[31] = SP, out[32] = NZCV,
 * out[33] = TPIDR_EL0; out[34] and out[35] are SP and TPIDR_EL0 before it.
 * Callee-saved registers are restored before returning. */

#define SAVE_AREA 112   /* x29, x30, x19..x28, out pointer (and padding) */
#define DUMP_AREA 288   /* 36 words */

    .text
    .global kt_syscall_registers
    .type kt_syscall_registers, %function
kt_syscall_registers:
    stp     x29, x30, [sp, #-SAVE_AREA]!
    mov     x29, sp
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    str     x1, [sp, #96]
    sub     sp, sp, #DUMP_AREA

    mov     x2, sp
    str     x2, [sp, #272]          /* out[34]: SP before */
    mrs     x2, tpidr_el0
    str     x2, [sp, #280]          /* out[35]: TPIDR_EL0 before */
    ldr     x2, [x0, #248]
    msr     nzcv, x2

    mov     x30, x0
    ldp     x0, x1, [x30, #0]
    ldp     x2, x3, [x30, #16]
    ldp     x4, x5, [x30, #32]
    ldp     x6, x7, [x30, #48]
    ldp     x8, x9, [x30, #64]
    ldp     x10, x11, [x30, #80]
    ldp     x12, x13, [x30, #96]
    ldp     x14, x15, [x30, #112]
    ldp     x16, x17, [x30, #128]
    ldp     x18, x19, [x30, #144]
    ldp     x20, x21, [x30, #160]
    ldp     x22, x23, [x30, #176]
    ldp     x24, x25, [x30, #192]
    ldp     x26, x27, [x30, #208]
    ldp     x28, x29, [x30, #224]
    ldr     x30, [x30, #240]

    svc     #0

    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    mrs     x0, nzcv                /* before anything can change the flags */
    str     x0, [sp, #256]
    mov     x0, sp
    str     x0, [sp, #248]
    mrs     x0, tpidr_el0
    str     x0, [sp, #264]

    ldr     x1, [sp, #(DUMP_AREA + 96)]
    mov     x2, #0
1:  ldr     x3, [sp, x2]
    str     x3, [x1, x2]
    add     x2, x2, #8
    cmp     x2, #DUMP_AREA
    b.lo    1b

    add     sp, sp, #DUMP_AREA
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #SAVE_AREA
    ret
    .size kt_syscall_registers, . - kt_syscall_registers
