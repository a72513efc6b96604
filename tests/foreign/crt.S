/* Entry of the foreign root task. The kernel starts it here with x0 = the
 * BootInfo address and every other register zero, including SP (ABI 9.3). It
 * records what it was given, sets up a static stack, and calls foreign_main.
 * No .bss clearing: the loader zero-fills everything past the file contents. */

    .section .text.entry, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    adrp    x9, foreign_entry_regs
    add     x9, x9, :lo12:foreign_entry_regs
    stp     x1, x2, [x9, #0]
    stp     x3, x4, [x9, #16]
    stp     x5, x6, [x9, #32]
    mov     x10, sp
    stp     x30, x10, [x9, #48]
    adrp    x10, foreign_stack_top
    add     x10, x10, :lo12:foreign_stack_top
    mov     sp, x10
    mov     x29, xzr
    bl      foreign_main            /* x0 still holds the BootInfo address */
1:  wfe                             /* foreign_main halts the system; never here */
    b       1b
    .size _start, . - _start

    .section .bss.stack, "aw", %nobits
    .balign 16
    .space  16384
foreign_stack_top:
