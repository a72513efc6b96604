/* Small pieces of the benchmark root task that must be exact instructions. */

    .text
/* void touch_fpu(seL4_Word value): write FP/SIMD registers, so that the
 * calling thread owns live FPU state. */
    .global touch_fpu
    .type touch_fpu, %function
touch_fpu:
    fmov    d0, x0
    fmov    d1, x0
    fadd    d2, d0, d1
    fmov    d31, d2
    ret
    .size touch_fpu, . - touch_fpu

/* void spin_forever(void): the body of the idle-load threads of the scale
 * benchmarks; needs no stack. */
    .global spin_forever
    .type spin_forever, %function
spin_forever:
    b       spin_forever
    .size spin_forever, . - spin_forever
