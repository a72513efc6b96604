/* Root-task entry point. The kernel starts the root task at _start with x0 =
 * BootInfo address and every other register, SP and TPIDR_EL0 zero (ABI 9.3):
 * set up a stack, clear .bss, and hand over to keel_start() in start.c. */

#define STACK_SIZE (64 * 1024)

    .section .text.start, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    mov     x19, x0                 /* BootInfo pointer, kept across the loop */
    adrp    x1, keel_initial_stack_top
    add     x1, x1, :lo12:keel_initial_stack_top
    mov     sp, x1
    mov     x29, xzr                /* end of the frame-pointer chain */
    mov     x30, xzr

    /* .bss (which holds the stack) is 8-byte aligned in size and start. */
    adrp    x1, __keel_bss_start
    add     x1, x1, :lo12:__keel_bss_start
    adrp    x2, __keel_bss_end
    add     x2, x2, :lo12:__keel_bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:
    mov     x0, x19
    bl      keel_start              /* does not return */
3:  udf     #0
    b       3b
    .size _start, . - _start

    .section .bss.keel_initial_stack, "aw", %nobits
    .balign 16
keel_initial_stack:
    .space  STACK_SIZE
keel_initial_stack_top:
