/* libostest's entry: the root task starts here with x0 = BootInfo. A stack
 * in .bss, .bss cleared, then libostest_start (setup.c). */

#define STACK_SIZE (64 * 1024)

    .section .text.start, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    mov     x19, x0
    adrp    x1, stack_top
    add     x1, x1, :lo12:stack_top
    mov     sp, x1
    mov     x29, xzr
    mov     x30, xzr
    adrp    x1, __keel_bss_start
    add     x1, x1, :lo12:__keel_bss_start
    adrp    x2, __keel_bss_end
    add     x2, x2, :lo12:__keel_bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  mov     x0, x19
    bl      libostest_start
3:  udf     #0
    b       3b
    .size _start, . - _start

    .section .bss.libostest_stack, "aw", %nobits
    .balign 16
    .space  STACK_SIZE
stack_top:
