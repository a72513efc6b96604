/* Entry of every component and program (docs/os.md, "The start of a component
 * or program"). The builder (rs or pm) starts the thread at _start with
 * x0 = its start page and sp = its stack top (16-byte aligned); .bss is
 * already zero (fresh frames). crt0 takes the TLS area from the top of the
 * stack and hands over to keel_os_start() in start.c. */

    .section .text.start, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    mov     x19, x0                 /* the start page */
    mov     x29, xzr                /* end of the frame-pointer chain */
    mov     x30, xzr
    bl      keel_tls_area_size      /* uses no TLS; a multiple of 16 */
    sub     sp, sp, x0
    mov     x2, x0                  /* tls_size */
    mov     x1, sp                  /* tls_area */
    mov     x0, x19
    bl      keel_os_start           /* does not return */
1:  udf     #0
    b       1b
    .size _start, . - _start

/* A branch to itself (0x14000000), never called: rs's fault injection
 * (`service inject NAME hang`, user/os/rs/inject.c) hangs a component by
 * setting its pc to such an instruction, which it finds by scanning the
 * text of the component's ELF -- this one guarantees every component has
 * one, whatever its compiler made. In .text.start, which the link keeps. */
    .type keel_hang_here, %function
keel_hang_here:
    b       keel_hang_here
    .size keel_hang_here, . - keel_hang_here
