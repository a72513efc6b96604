/* vmtest: the in-QEMU tests of virtual memory (ABI 4.4, 5.4.6, 7.6). The
 * root task runs ktest's framework (tests/ktest/framework.c) over its own
 * tables; this header has what the test files share: fresh virtual regions,
 * page-table set-up, and helper threads whose faults the root task receives. */
#pragma once

#include "../ktest/boot.h"
#include "../ktest/ktest.h"
#include "../ktest/objects.h"
#include <sel4/sel4.h>

extern const ktest_case_t vt_map_cases[];
extern const ktest_case_t vt_cache_cases[];
extern const ktest_case_t vt_asid_cases[];
extern const ktest_case_t vt_fault_cases[];
extern const ktest_case_t vt_switch_cases[];

#define VT_ROOT_VSPACE seL4_CapInitThreadVSpace
#define VT_SMALL (1ul << seL4_PageBits)
#define VT_LARGE (1ul << seL4_LargePageBits)
#define VT_HUGE (1ul << seL4_HugePageBits)
#define VT_L0_SPAN (1ul << 39) /* what one VSpace (level-0) entry covers */

/* Label of the message a helper thread sends when its function returns. */
#define VT_LABEL_DONE 0x77

/* ESR_EL1 fields of the VMFault FSR word (ABI 7.6; Arm ARM D17.2.37). */
#define VT_ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define VT_EC_IABT_LOWER 0x20
#define VT_EC_DABT_LOWER 0x24
#define VT_ESR_WNR(esr) (((esr) >> 6) & 1)
#define VT_ESR_FSC(esr) ((esr)&0x3f)
#define VT_FSC_TRANSLATION(level) (0x04 + (level))
#define VT_FSC_PERMISSION(level) (0x0c + (level))

/* The start of a 512 GiB region of the root VSpace no earlier test used (a
 * level-0 entry of its own: slot 1.. of the VSpace, never the root image's
 * slot 0 or the top slot the UserTop tests use). */
seL4_Word vt_region(void);

/* One object of `type` retyped from `untyped` into a fresh root slot, or 0
 * (and the test fails). */
seL4_CPtr vt_new(seL4_CPtr untyped, seL4_Word type, seL4_Word size_bits);

/* Map `levels` (1..3) new page tables from `untyped` for `vaddr` into
 * `vspace`: level 1, then 2, then 3, each at the first missing level. The
 * caps go to fresh slots; `first` (if given) receives the first one. */
bool vt_map_tables(seL4_CPtr untyped, seL4_CPtr vspace, seL4_Word vaddr, int levels,
                   seL4_CPtr *first);

/* A new frame of 2^bits bytes from `untyped`, mapped read-write (cacheable,
 * executable unless attr says otherwise) at `vaddr` of the root VSpace,
 * whose tables must exist. 0 on failure. */
seL4_CPtr vt_map_new_frame(seL4_CPtr untyped, seL4_Word bits, seL4_Word vaddr,
                           seL4_CapRights_t rights, seL4_Word attr);

/* Map the root image at its own addresses into `vs` (tables from
 * `untyped`; the frames are copies of the image's frame caps, in fresh root
 * slots), so helper threads can run there. Returns the first of those
 * slots (vt_delete_image_copies frees them), 0 on failure. */
seL4_CPtr vt_map_image(seL4_CPtr untyped, seL4_CPtr vs);
void vt_delete_image_copies(seL4_CPtr copies);

/* A new VSpace from `untyped` with an ASID from pool 0. 0 on failure. */
seL4_CPtr vt_new_vspace(seL4_CPtr untyped);

/* Word access in the root task (volatile: the accesses happen as written). */
static inline seL4_Word vt_peek(seL4_Word addr)
{
    return *(volatile seL4_Word *)addr;
}

static inline void vt_poke(seL4_Word addr, seL4_Word value)
{
    *(volatile seL4_Word *)addr = value;
}

/* Helper threads. A thread runs one function at a time, fn(a0, a1), in the
 * VSpace it was created with; its fault handler is an endpoint the root
 * task receives on, and when fn returns the thread sends VT_LABEL_DONE with
 * the result in MR0 on the same endpoint. */
typedef seL4_Word (*vt_fn_t)(seL4_Word a0, seL4_Word a1);

typedef struct vt_thread {
    seL4_CPtr tcb;
    seL4_CPtr ep;
    int index; /* its stack, TLS and IPC buffer in the image */
} vt_thread_t;

#define VT_MAX_THREADS 2

/* Create helper thread `index` (< VT_MAX_THREADS) from `untyped`, in
 * `vspace` (the root's or one that maps the root image at the same
 * addresses), priority 100 (below the root task). */
bool vt_thread_create(vt_thread_t *t, int index, seL4_CPtr untyped, seL4_CPtr vspace);

/* What one run of a helper function ended with. */
typedef struct vt_outcome {
    bool faulted;                      /* a VMFault arrived instead of the result */
    seL4_Word value;                   /* the result (not faulted) */
    seL4_Word ip, addr, prefetch, fsr; /* the VMFault message (faulted) */
} vt_outcome_t;

/* Start fn(a0, a1) in the thread (stopping whatever it did before) and wait
 * for its result or its first fault. Fails the test on any other message. */
vt_outcome_t vt_run(vt_thread_t *t, vt_fn_t fn, seL4_Word a0, seL4_Word a1);

/* Start fn(a0, a1) in the thread without waiting. */
bool vt_start(vt_thread_t *t, vt_fn_t fn, seL4_Word a0, seL4_Word a1);

/* Helper functions for vt_run (run in the helper thread). */
seL4_Word vt_fn_read(seL4_Word addr, seL4_Word unused);
seL4_Word vt_fn_write(seL4_Word addr, seL4_Word value);
seL4_Word vt_fn_exec(seL4_Word addr, seL4_Word unused);

/* The instructions of vt_load/vt_store (probe.S): the IP of their faults. */
extern char vt_load_insn[], vt_store_insn[];
seL4_Word vt_load(seL4_Word addr);
seL4_Word vt_load32(seL4_Word addr); /* a 32-bit load: its first instruction faults */
void vt_store(seL4_Word addr, seL4_Word value);

/* Assert a run that ended with a data abort of the instruction at `pc` at
 * `address` (write or not) with fault status `fsc` (ABI 7.6). */
#define VT_ASSERT_DATA_FAULT_AT(o, pc, address, write, fsc)                                        \
    do {                                                                                           \
        KT_RETURN_IF_FAILED();                                                                     \
        KT_ASSERT((o).faulted);                                                                    \
        KT_ASSERT_EQ((o).ip, (pc));                                                                \
        KT_ASSERT_EQ((o).addr, (address));                                                         \
        KT_ASSERT_EQ((o).prefetch, 0);                                                             \
        KT_ASSERT_EQ(VT_ESR_EC((o).fsr), VT_EC_DABT_LOWER);                                        \
        KT_ASSERT_EQ(VT_ESR_WNR((o).fsr), (write) ? 1 : 0);                                        \
        KT_ASSERT_EQ(VT_ESR_FSC((o).fsr), (fsc));                                                  \
    } while (0)

/* The same for the accesses of vt_fn_read (a load) and vt_fn_write (a store). */
#define VT_ASSERT_DATA_FAULT(o, address, write, fsc)                                               \
    VT_ASSERT_DATA_FAULT_AT(o, (write) ? (seL4_Word)vt_store_insn : (seL4_Word)vt_load_insn,       \
                            address, write, fsc)

/* Assert a run that returned `v`. */
#define VT_ASSERT_RESULT(o, v)                                                                     \
    do {                                                                                           \
        KT_RETURN_IF_FAILED();                                                                     \
        if ((o).faulted) {                                                                         \
            KT_FAIL("unexpected VM fault: ip 0x%lx addr 0x%lx prefetch %lu fsr 0x%lx", (o).ip,     \
                    (o).addr, (o).prefetch, (o).fsr);                                              \
        }                                                                                          \
        KT_ASSERT_EQ((o).value, (v));                                                              \
    } while (0)

/* Revoke the test's untyped (deleting every object the test made from it)
 * and run the kernel's self-check. */
#define VT_CLEANUP(ut)                                                                             \
    do {                                                                                           \
        KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, (ut), KT_DEPTH));                                  \
        kt_kernel_self_check();                                                                    \
    } while (0)
