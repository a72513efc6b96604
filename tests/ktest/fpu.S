/* FP/SIMD helpers for test_fpu.c (the C code of ktest is built without FP/SIMD).
 *
 * kt_fpu_roundtrip(value): value through d0, v1..v31 and back to x0.
 * kt_fpu_across_yield(value, out): value in d16 and NOT value in d31 across a
 * Yield system call; out[0] = d16, out[1] = d31 afterwards. */

    .text
    .global kt_fpu_roundtrip
    .type kt_fpu_roundtrip, %function
kt_fpu_roundtrip:
    fmov    d0, x0
    mov     v1.16b, v0.16b
    mov     v2.16b, v1.16b
    mov     v3.16b, v2.16b
    mov     v4.16b, v3.16b
    mov     v5.16b, v4.16b
    mov     v6.16b, v5.16b
    mov     v7.16b, v6.16b
    mov     v8.16b, v7.16b
    mov     v9.16b, v8.16b
    mov     v10.16b, v9.16b
    mov     v11.16b, v10.16b
    mov     v12.16b, v11.16b
    mov     v13.16b, v12.16b
    mov     v14.16b, v13.16b
    mov     v15.16b, v14.16b
    mov     v16.16b, v15.16b
    mov     v17.16b, v16.16b
    mov     v18.16b, v17.16b
    mov     v19.16b, v18.16b
    mov     v20.16b, v19.16b
    mov     v21.16b, v20.16b
    mov     v22.16b, v21.16b
    mov     v23.16b, v22.16b
    mov     v24.16b, v23.16b
    mov     v25.16b, v24.16b
    mov     v26.16b, v25.16b
    mov     v27.16b, v26.16b
    mov     v28.16b, v27.16b
    mov     v29.16b, v28.16b
    mov     v30.16b, v29.16b
    mov     v31.16b, v30.16b
    fmov    x0, d31
    ret
    .size kt_fpu_roundtrip, . - kt_fpu_roundtrip

    .global kt_fpu_across_yield
    .type kt_fpu_across_yield, %function
kt_fpu_across_yield:
    fmov    d16, x0
    mvn     x2, x0
    fmov    d31, x2
    mov     x7, #-7                 /* seL4_SysYield */
    svc     #0
    fmov    x2, d16
    fmov    x3, d31
    stp     x2, x3, [x1]
    ret
    .size kt_fpu_across_yield, . - kt_fpu_across_yield
