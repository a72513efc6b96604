/* First instructions: QEMU enters here at the physical address with the MMU
 * off, at EL2 or EL1. We drop to EL1, build the boot translation tables, turn
 * the MMU on and continue in the kernel's upper-half window. */

#define SPSR_EL1H_MASKED 0x3c5      /* EL1h, D, A, I, F masked */
#define HCR_EL2_RW (1 << 31)        /* EL1 is AArch64 */
#define CPTR_EL2_NO_TRAPS 0x33ff    /* RES1 bits only: no FP/SIMD traps */
#define SCTLR_EL1_RES1 0x30d00800   /* reset-safe value, MMU and caches off */
#define ICC_SRE_EL2 s3_4_c12_c9_5
/* With HCR_EL2.E2H 0: EL1PCTEN and EL1PCEN set, so EL1 and EL0 reach the
 * physical counter and timer (what EL0 may use is then CNTKCTL_EL1's say);
 * every other bit clear: no event stream, no traps of the virtual counter
 * or timer (FEAT_ECV). */
#define CNTHCTL_EL2_EL1_TIMERS 0x3

    .section .boot.text, "ax"
    .global _start
_start:
    msr     daifset, #0xf
    mrs     x9, CurrentEL
    ubfx    x9, x9, #2, #2
    cmp     x9, #1
    b.eq    at_el1
    cmp     x9, #2
    b.ne    unsupported_el

    /* At EL2: give EL1 the whole CPU, then drop to it. */
    mov     x9, #HCR_EL2_RW
    msr     hcr_el2, x9
    mov     x9, #CNTHCTL_EL2_EL1_TIMERS
    msr     cnthctl_el2, x9
    msr     cntvoff_el2, xzr
    mrs     x9, ICC_SRE_EL2
    orr     x9, x9, #0xf            /* SRE, DFB, DIB and Enable: EL1 uses ICC_* */
    msr     ICC_SRE_EL2, x9
    isb
    mov     x9, #CPTR_EL2_NO_TRAPS
    msr     cptr_el2, x9
    msr     hstr_el2, xzr
    msr     vttbr_el2, xzr
    ldr     x9, =SCTLR_EL1_RES1
    msr     sctlr_el1, x9
    mov     x9, #SPSR_EL1H_MASKED
    msr     spsr_el2, x9
    adr     x9, at_el1
    msr     elr_el2, x9
    eret

at_el1:
    ldr     x9, =SCTLR_EL1_RES1
    msr     sctlr_el1, x9
    isb
    adrp    x9, boot_stack_top
    add     x9, x9, :lo12:boot_stack_top
    mov     sp, x9
    bl      boot_mmu_init           /* builds the tables and enables the MMU */
    ldr     x9, =kernel_high_entry  /* absolute: an upper-half address */
    br      x9

unsupported_el:
    wfe
    b       unsupported_el

    .section .boot.bss, "aw", %nobits
    .balign 16
boot_stack:
    .space  1024
boot_stack_top:

/* Now in the upper half. Zero .bss (which holds the kernel stack, so before
 * using it), install the vectors and enter C. */
    .section .text
kernel_high_entry:
    adrp    x9, ki_bss_start
    add     x9, x9, :lo12:ki_bss_start
    adrp    x10, ki_bss_end
    add     x10, x10, :lo12:ki_bss_end
1:  cmp     x9, x10
    b.hs    2f
    str     xzr, [x9], #8
    b       1b
2:  adrp    x9, kernel_stack_top
    add     x9, x9, :lo12:kernel_stack_top
    mov     sp, x9
    adrp    x9, arm_vector_table
    add     x9, x9, :lo12:arm_vector_table
    msr     vbar_el1, x9
    isb
    bl      init_kernel
3:  wfe
    b       3b

    .section .rodata
    .balign 8
    .global boot_symbols
boot_symbols:
    .quad   boot_handoff
    .quad   kernel_l0
    .quad   kernel_l1
    .quad   ki_image_start
    .quad   ki_image_end_paddr
    .quad   ki_boot_end

/* The one kernel stack (event-based kernel: every entry starts it afresh). */
    .section .bss
    .balign 16
kernel_stack:
    .space  8192            /* 2^CONFIG_KERNEL_STACK_BITS */
    .global kernel_stack_top
kernel_stack_top:
