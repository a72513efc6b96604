/* Helpers shared by the object tests (test_untyped.c, test_cnode.c,
 * test_revoke.c): BootInfo untypeds, fresh slots of the root CNode, raw
 * invocations the stubs cannot produce, and checks of error replies. */
#pragma once

#include "ktest.h"
#include <sel4/sel4.h>

/* The root CNode: guard size 51 + radix 13, so a slot number at depth 64
 * names a slot of it (ABI 1.7, 9.4). */
#define KT_ROOT seL4_CapInitThreadCNode
#define KT_DEPTH seL4_WordBits
#define KT_ROOT_RADIX 13
#define KT_ROOT_GUARD_BITS (seL4_WordBits - KT_ROOT_RADIX)

/* Cap-type tags DebugCapIdentify reports (ABI Appendix A). */
enum kt_tag {
    KT_TAG_NULL = 0,
    KT_TAG_FRAME = 1,
    KT_TAG_UNTYPED = 2,
    KT_TAG_PAGE_TABLE = 3,
    KT_TAG_ENDPOINT = 4,
    KT_TAG_NOTIFICATION = 6,
    KT_TAG_REPLY = 8,
    KT_TAG_VSPACE = 9,
    KT_TAG_CNODE = 10,
    KT_TAG_ASID_CONTROL = 11,
    KT_TAG_TCB = 12,
    KT_TAG_ASID_POOL = 13,
    KT_TAG_IRQ_CONTROL = 14,
    KT_TAG_DOMAIN = 20,
};

/* Rights words (ABI 2.2) as the Copy/Mint stubs take them. */
#define KT_RIGHTS(word) ((seL4_CapRights_t){ { (word) } })

/* A BootInfo untyped. */
typedef struct kt_untyped {
    seL4_CPtr cap;
    seL4_Word paddr;
    seL4_Word size_bits;
    bool device;
} kt_untyped_t;

/* The smallest BootInfo untyped of the kind with at least 2^min_bits bytes
 * (the first in BootInfo order among equals), with its children revoked so
 * that the next retype from it starts at its base. Fails the test if none. */
bool kt_untyped(bool device, seL4_Word min_bits, kt_untyped_t *out);

/* The same, passing over the untyped `except` (for a second one). */
bool kt_untyped_except(bool device, seL4_Word min_bits, seL4_CPtr except, kt_untyped_t *out);

/* The first of n consecutive root-CNode slots for the current test. Each call
 * moves on through bi->empty (wrapping at its end), so a cap one test leaks
 * does not occupy the slots of the next. Fails the test (and returns 0) if
 * the slots are not empty. */
seL4_CPtr kt_slots(seL4_Word n);

/* Are root slots [first, first + n) all empty? Fails the test if not. */
bool kt_slots_empty(seL4_CPtr first, seL4_Word n);

/* Retype n objects from `untyped` into root slots [slot, slot + n). */
seL4_Error kt_retype(seL4_CPtr untyped, seL4_Word type, seL4_Word size_bits, seL4_CPtr slot,
                     seL4_Word n);

/* Delete root slot `slot` (cleanup; errors are the test's business elsewhere). */
void kt_delete(seL4_CPtr slot);

/* Physical address of a frame cap, or ~0 (and the test fails) on error. */
seL4_Word kt_frame_paddr(seL4_CPtr frame);

/* A Call of `label` on `cap` with MRs mrs[0..length) and extra caps
 * caps[0..ncaps), for messages the stubs cannot produce (short, without
 * caps, full-word depths). The reply MRs are left in the IPC buffer. */
seL4_MessageInfo_t kt_call(seL4_CPtr cap, seL4_Word label, const seL4_Word *mrs, seL4_Word length,
                           const seL4_CPtr *caps, seL4_Word ncaps);

/* Fill MR4..MR7 of the IPC buffer with a pattern, so that error words the
 * kernel should have written there cannot be mistaken for stale ones. */
void kt_poison_mrs(void);

/* Record a failure unless `got` is `want` and the error words MR0.. are
 * words[0..nwords). `index` (if not negative) names the loop iteration in
 * the failure message. */
void kt_check_error(const char *file, int line, const char *what, long index, seL4_Word got,
                    seL4_Word want, int nwords, const seL4_Word *words);

/* Assert that `call` returns the error `want` with exactly the error words
 * that follow (MR0, MR1, ...), e.g.
 *     KT_ASSERT_ERROR(seL4_CNode_Delete(KT_ROOT, 0, 0), seL4_RangeError, 1, 64);
 * Returns from the test on failure. KT_ASSERT_ERROR_AT(i, ...) is the same
 * inside a loop over i. */
#define KT_ASSERT_ERROR_AT(index, call, want, ...)                                                 \
    do {                                                                                           \
        const seL4_Word kt_words_[] = { 0, __VA_ARGS__ };                                          \
        kt_poison_mrs();                                                                           \
        seL4_Word kt_got_ = (seL4_Word)(call);                                                     \
        kt_check_error(__FILE__, __LINE__, #call, (long)(index), kt_got_, (want),                  \
                       (int)(sizeof(kt_words_) / sizeof(kt_words_[0])) - 1, kt_words_ + 1);        \
        KT_RETURN_IF_FAILED();                                                                     \
    } while (0)

#define KT_ASSERT_ERROR(call, want, ...) KT_ASSERT_ERROR_AT(-1, call, want, __VA_ARGS__)
#define KT_ASSERT_OK(call) KT_ASSERT_ERROR(call, seL4_NoError)
#define KT_ASSERT_OK_AT(index, call) KT_ASSERT_ERROR_AT(index, call, seL4_NoError)

/* Keel checks its own capability bookkeeping (the cap list, what lies in
 * each untyped) when asked for a DebugSnapshot, and panics on a violation,
 * which the runner reports. Damage no invocation would show yet (a cap left
 * behind in memory an untyped has handed out again) shows up here, in the
 * test that caused it. On seL4 the call only prints. */
static inline void kt_kernel_self_check(void)
{
    seL4_DebugSnapshot();
}

/* Assert the cap type in a root slot. */
#define KT_ASSERT_TAG(slot, tag) KT_ASSERT_EQ(seL4_DebugCapIdentify(slot), (tag))
