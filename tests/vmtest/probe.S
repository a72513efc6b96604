/* Single-instruction memory accesses for the helper threads, each at a
 * global label so that a test knows the IP a VM fault must report. */
    .text

    .global vt_load
    .global vt_load_insn
    .type vt_load, %function
vt_load:
vt_load_insn:
    ldr x0, [x0]
    ret
    .size vt_load, . - vt_load

    .global vt_store
    .global vt_store_insn
    .type vt_store, %function
vt_store:
vt_store_insn:
    str x1, [x0]
    ret
    .size vt_store, . - vt_store

    .global vt_load32
    .type vt_load32, %function
vt_load32:
    ldr w0, [x0]
    ret
    .size vt_load32, . - vt_load32
