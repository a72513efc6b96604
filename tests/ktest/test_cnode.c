/* The CNode methods (ABI 5.4.3): Copy, Mint, Move, Mutate, Rotate, Delete,
 * Revoke, SaveCaller and CancelBadgedSends; each success path and each error
 * in the ABI's order, with the error words, and after every error a check
 * that nothing moved. Also slot addressing relative to a CNode cap (ABI
 * 1.7): guards set by Mint, Mutate and Rotate (ABI 2.3), two levels of
 * CNodes, and the lookup-failure words of each way a lookup can fail (6.2).
 *
 * What only IPC could show (the badge of a cap, most rights) is left out;
 * the full rights CancelBadgedSends requires make endpoint rights masking
 * visible. CNodes and endpoints are retyped from a BootInfo untyped
 * (kt_untyped); root slots come from kt_slots(); each test deletes what it
 * made. */
#include "objects.h"
#include <keel/printf.h>
#include <keel/runtime.h>

#define ALL seL4_AllRights

/* A copy with all rights between two root slots. */
static seL4_Error copy(seL4_CPtr dest, seL4_CPtr src)
{
    return seL4_CNode_Copy(KT_ROOT, dest, KT_DEPTH, KT_ROOT, src, KT_DEPTH, ALL);
}

static seL4_Error mint(seL4_CPtr dest, seL4_CPtr src, seL4_Word data)
{
    return seL4_CNode_Mint(KT_ROOT, dest, KT_DEPTH, KT_ROOT, src, KT_DEPTH, ALL, data);
}

static seL4_Error move(seL4_CPtr dest, seL4_CPtr src)
{
    return seL4_CNode_Move(KT_ROOT, dest, KT_DEPTH, KT_ROOT, src, KT_DEPTH);
}

static seL4_Error cancel(seL4_CPtr slot)
{
    return seL4_CNode_CancelBadgedSends(KT_ROOT, slot, KT_DEPTH);
}

/* Rotate within the root CNode, data 0 for both caps. */
static seL4_Error rotate(seL4_CPtr dest, seL4_CPtr pivot, seL4_CPtr src)
{
    return seL4_CNode_Rotate(KT_ROOT, dest, KT_DEPTH, 0, KT_ROOT, pivot, KT_DEPTH, 0, KT_ROOT, src,
                             KT_DEPTH);
}

/* Label of the reply to a raw CNode invocation. */
static seL4_Word cnode_raw(seL4_CPtr service, seL4_Word label, const seL4_Word *mrs,
                           seL4_Word length, seL4_Word ncaps)
{
    const seL4_CPtr caps[2] = { KT_ROOT, KT_ROOT };
    return seL4_MessageInfo_get_label(kt_call(service, label, mrs, length, caps, ncaps));
}

static void delete_range(seL4_CPtr first, seL4_Word n)
{
    for (seL4_Word i = 0; i < n; i++) {
        kt_delete(first + i);
    }
}

/* Slot `index` of a CNode addressed by its cap `cnode` (radix bits, no
 * guard) copied out to root slot `dest`, to look at it. */
static seL4_Error copy_out(seL4_CPtr dest, seL4_CPtr cnode, seL4_Word index, seL4_Word radix)
{
    return seL4_CNode_Copy(KT_ROOT, dest, KT_DEPTH, cnode, index, (seL4_Uint8)radix, ALL);
}

/* Labels outside 17..25 are IllegalOperation on a CNode cap; CNode labels
 * mean nothing to other caps. */
static void test_label_illegal(void)
{
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    const seL4_Word mrs[8] = {
        s, KT_DEPTH, 0, seL4_CapInitThreadTCB, KT_DEPTH, 0, seL4_CapInitThreadTCB, KT_DEPTH
    };
    const seL4_Word labels[] = { InvalidInvocation,  UntypedRetype,     TCBSetFlags,
                                 IRQIssueIRQHandler, ARMPageGetAddress, 1ul << 40 };
    for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        KT_ASSERT_EQ(cnode_raw(KT_ROOT, labels[i], mrs, 8, 2), seL4_IllegalOperation);
    }
    const seL4_CPtr others[] = { seL4_CapInitThreadTCB, seL4_CapBootInfoFrame,
                                 keel_bootinfo()->untyped.start, seL4_CapDomain };
    for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        KT_ASSERT_EQ(cnode_raw(others[i], CNodeCopy, mrs, 5, 1), seL4_IllegalOperation);
        KT_ASSERT_EQ(cnode_raw(others[i], CNodeDelete, mrs, 2, 0), seL4_IllegalOperation);
    }
    KT_ASSERT_TAG(s, KT_TAG_NULL);
}

/* Every CNode method needs MR0 (index) and MR1 (depth). */
static void test_truncated_target(void)
{
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    const seL4_Word mrs[8] = { s,   KT_DEPTH, seL4_CapInitThreadTCB, KT_DEPTH,
                               0xf, 0,        seL4_CapInitThreadTCB, KT_DEPTH };
    for (seL4_Word label = CNodeRevoke; label <= CNodeSaveCaller; label++) {
        for (seL4_Word length = 0; length < 2; length++) {
            KT_ASSERT_EQ(cnode_raw(KT_ROOT, label, mrs, length, 2), seL4_TruncatedMessage);
        }
    }
    KT_ASSERT_TAG(s, KT_TAG_NULL);
}

/* The destination/target depth must be 1..64, read as a full word (ABI 5.3
 * rule 8), for every method; the target is looked up before a method checks
 * the rest of its message. */
static void test_target_depth_range(void)
{
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    const seL4_Word tcb = seL4_CapInitThreadTCB;
    const seL4_Word depths[] = { 0, 65, 0x100 + KT_DEPTH, ~0ul };
    for (unsigned d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
        const seL4_Word depth = depths[d];
        const struct {
            seL4_Word label, length, ncaps, mrs[8];
        } calls[] = {
            { CNodeRevoke, 2, 0, { s, depth } },
            { CNodeDelete, 2, 0, { s, depth } },
            { CNodeCancelBadgedSends, 2, 0, { s, depth } },
            { CNodeSaveCaller, 2, 0, { s, depth } },
            { CNodeCopy, 5, 1, { s, depth, tcb, KT_DEPTH, 0xf } },
            { CNodeMint, 6, 1, { s, depth, tcb, KT_DEPTH, 0xf, 0 } },
            { CNodeMove, 4, 1, { s, depth, tcb, KT_DEPTH } },
            { CNodeMutate, 5, 1, { s, depth, tcb, KT_DEPTH, 0 } },
            { CNodeRotate, 8, 2, { s, depth, 0, tcb, KT_DEPTH, 0, s, KT_DEPTH } },
            /* Too short for the method, but the target comes first. */
            { CNodeCopy, 2, 0, { s, depth } },
            { CNodeRotate, 3, 1, { s, depth, 0 } },
        };
        for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
            seL4_Word got = seL4_MessageInfo_get_label(
                kt_call(KT_ROOT, calls[i].label, calls[i].mrs, calls[i].length,
                        (const seL4_CPtr[]){ KT_ROOT, KT_ROOT }, calls[i].ncaps));
            const seL4_Word words[2] = { 1, 64 };
            char what[64];
            snprintf(what, sizeof(what), "label %lu, target depth 0x%lx", calls[i].label, depth);
            kt_check_error(__FILE__, __LINE__, what, -1, got, seL4_RangeError, 2, words);
            KT_RETURN_IF_FAILED();
        }
    }
    KT_ASSERT_TAG(s, KT_TAG_NULL);
}

/* Failed target lookups in the root CNode (guard 51 bits of 0, radix 13)
 * with their words (ABI 1.7, 6.2), reported as not "source". */
static void test_target_lookup_failures(void)
{
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    const seL4_Word gbits = KT_ROOT_GUARD_BITS;
    KT_ASSERT_ERROR(seL4_CNode_Delete(KT_ROOT, 1ul << KT_ROOT_RADIX, KT_DEPTH), seL4_FailedLookup,
                    0, seL4_GuardMismatch, 64, 0, gbits);
    KT_ASSERT_ERROR(seL4_CNode_Delete(KT_ROOT, ~0ul, KT_DEPTH), seL4_FailedLookup, 0,
                    seL4_GuardMismatch, 64, 0, gbits);
    /* Fewer bits than the guard; exactly the guard's bits, not all zero. */
    KT_ASSERT_ERROR(seL4_CNode_Delete(KT_ROOT, s, 13), seL4_FailedLookup, 0, seL4_GuardMismatch, 13,
                    0, gbits);
    KT_ASSERT_ERROR(seL4_CNode_Delete(KT_ROOT, s, 51), seL4_FailedLookup, 0, seL4_GuardMismatch, 51,
                    0, gbits);
    /* Guard matched, too few bits for the radix. */
    KT_ASSERT_ERROR(seL4_CNode_Delete(KT_ROOT, 0, 51), seL4_FailedLookup, 0, seL4_DepthMismatch, 51,
                    64);
    KT_ASSERT_ERROR(seL4_CNode_Revoke(KT_ROOT, s, 63), seL4_FailedLookup, 0, seL4_DepthMismatch, 63,
                    64);
    /* The destination of a Copy is not the source either. */
    KT_ASSERT_ERROR(seL4_CNode_Copy(KT_ROOT, s, 63, KT_ROOT, seL4_CapInitThreadTCB, KT_DEPTH, ALL),
                    seL4_FailedLookup, 0, seL4_DepthMismatch, 63, 64);
    KT_ASSERT_ERROR(seL4_CNode_SaveCaller(KT_ROOT, 1ul << 40, KT_DEPTH), seL4_FailedLookup, 0,
                    seL4_GuardMismatch, 64, 0, gbits);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
}

/* Copy gives a cap of the same type (a frame keeps its address, a copy of the
 * root CNode cap works as one) and leaves the source; deleting a copy leaves
 * the original and the other copies. */
static void test_copy_success(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(16);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_NotificationObject, 0, s + 1, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 2, s + 2, 1));
    static const struct {
        seL4_CPtr offset_or_slot;
        bool ours;
        seL4_Word tag;
    } sources[] = {
        { 0, true, KT_TAG_ENDPOINT },
        { 1, true, KT_TAG_NOTIFICATION },
        { 2, true, KT_TAG_CNODE },
        { seL4_CapInitThreadTCB, false, KT_TAG_TCB },
        { seL4_CapInitThreadCNode, false, KT_TAG_CNODE },
        { seL4_CapInitThreadVSpace, false, KT_TAG_VSPACE },
        { seL4_CapASIDControl, false, KT_TAG_ASID_CONTROL },
        { seL4_CapInitThreadASIDPool, false, KT_TAG_ASID_POOL },
        { seL4_CapBootInfoFrame, false, KT_TAG_FRAME },
        { seL4_CapInitThreadIPCBuffer, false, KT_TAG_FRAME },
        { seL4_CapDomain, false, KT_TAG_DOMAIN },
    };
    const unsigned n = sizeof(sources) / sizeof(sources[0]);
    seL4_CPtr d = s + 3;
    for (unsigned i = 0; i < n; i++) {
        seL4_CPtr src = sources[i].ours ? s + sources[i].offset_or_slot : sources[i].offset_or_slot;
        KT_ASSERT_OK_AT(i, copy(d + i, src));
        KT_ASSERT_TAG(d + i, sources[i].tag);
        KT_ASSERT_TAG(src, sources[i].tag);
    }
    KT_ASSERT_EQ(kt_frame_paddr(d + 8), kt_frame_paddr(seL4_CapBootInfoFrame));
    /* The copy of the root CNode cap addresses the same slots at depth 64. */
    KT_ASSERT_OK(
        seL4_CNode_Copy(d + 4, s + 15, KT_DEPTH, KT_ROOT, seL4_CapInitThreadTCB, KT_DEPTH, ALL));
    KT_ASSERT_TAG(s + 15, KT_TAG_TCB);
    /* A copy of a copy is a copy: either can go first. */
    KT_ASSERT_OK(copy(s + 14, s + 15));
    kt_delete(s + 15);
    KT_ASSERT_TAG(s + 14, KT_TAG_TCB);
    KT_ASSERT_TAG(seL4_CapInitThreadTCB, KT_TAG_TCB);
    delete_range(s, 16);
    if (!kt_slots_empty(s, 16)) {
        return;
    }
    /* An untyped without children copies too. */
    KT_ASSERT_OK(copy(s, u.cap));
    KT_ASSERT_TAG(s, KT_TAG_UNTYPED);
    kt_delete(s);
    kt_slots_empty(s, 16);
}

/* The destination must be empty (DeleteFirst, no error words), checked
 * before the source is looked up; Move cannot move a cap onto itself. */
static void test_dest_occupied(void)
{
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr tcb = seL4_CapInitThreadTCB;
    KT_ASSERT_OK(copy(s, seL4_CapBootInfoFrame));
    KT_ASSERT_ERROR(copy(s, tcb), seL4_DeleteFirst);
    KT_ASSERT_ERROR(mint(s, tcb, 0), seL4_DeleteFirst);
    KT_ASSERT_ERROR(move(s, tcb), seL4_DeleteFirst);
    KT_ASSERT_ERROR(seL4_CNode_Mutate(KT_ROOT, s, KT_DEPTH, KT_ROOT, tcb, KT_DEPTH, 0),
                    seL4_DeleteFirst);
    KT_ASSERT_ERROR(move(s, s), seL4_DeleteFirst);
    KT_ASSERT_ERROR(copy(s, s), seL4_DeleteFirst);
    /* Source empty, or its lookup failing: the destination is first. */
    KT_ASSERT_ERROR(copy(s, s + 1), seL4_DeleteFirst);
    KT_ASSERT_ERROR(seL4_CNode_Copy(KT_ROOT, s, KT_DEPTH, KT_ROOT, tcb, 0, ALL), seL4_DeleteFirst);
    KT_ASSERT_ERROR(seL4_CNode_Move(KT_ROOT, s, KT_DEPTH, seL4_CapInitThreadTCB, tcb, KT_DEPTH),
                    seL4_DeleteFirst);
    KT_ASSERT_TAG(s, KT_TAG_FRAME);
    KT_ASSERT_TAG(tcb, KT_TAG_TCB);
    KT_ASSERT_TAG(s + 1, KT_TAG_NULL);
    kt_delete(s);
    kt_slots_empty(s, 2);
}

/* Source lookups of Copy, Mint, Move and Mutate: errors reported as
 * "source" (MR0 = 1); an empty source slot is missing capability with
 * bitsLeft = src_depth. The destination stays empty. */
static void test_source_lookup(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(3);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr tcb = seL4_CapInitThreadTCB;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 4, s + 2, 1));
    for (seL4_Word label = CNodeCopy; label <= CNodeMutate; label++) {
        /* MR2.. = src_index, src_depth, then rights and data as needed. */
        const struct {
            seL4_CPtr root;
            seL4_Word index, depth;
            seL4_Word error, words[5];
            int nwords;
        } cases[] = {
            { KT_ROOT, tcb, 0, seL4_RangeError, { 1, 64 }, 2 },
            { KT_ROOT, tcb, 65, seL4_RangeError, { 1, 64 }, 2 },
            { KT_ROOT, tcb, 0x100 + KT_DEPTH, seL4_RangeError, { 1, 64 }, 2 },
            { KT_ROOT,
              1ul << KT_ROOT_RADIX,
              KT_DEPTH,
              seL4_FailedLookup,
              { 1, seL4_GuardMismatch, 64, 0, KT_ROOT_GUARD_BITS },
              5 },
            { KT_ROOT, tcb, 63, seL4_FailedLookup, { 1, seL4_DepthMismatch, 63, 64 }, 4 },
            { KT_ROOT, s + 1, KT_DEPTH, seL4_FailedLookup, { 1, seL4_MissingCapability, 64 }, 3 },
            { s + 2, 3, 4, seL4_FailedLookup, { 1, seL4_MissingCapability, 4 }, 3 },
            { tcb, tcb, KT_DEPTH, seL4_FailedLookup, { 1, seL4_InvalidRoot }, 2 },
            { s + 1, tcb, KT_DEPTH, seL4_FailedLookup, { 1, seL4_InvalidRoot }, 2 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            const seL4_Word mrs[6] = { s, KT_DEPTH, cases[i].index, cases[i].depth, 0xf, 0 };
            kt_poison_mrs();
            seL4_MessageInfo_t reply = kt_call(KT_ROOT, label, mrs,
                                               label == CNodeMove   ? 4
                                               : label == CNodeMint ? 6
                                                                    : 5,
                                               &cases[i].root, 1);
            char what[64];
            snprintf(what, sizeof(what), "label %lu, source case %u", label, i);
            kt_check_error(__FILE__, __LINE__, what, -1, seL4_MessageInfo_get_label(reply),
                           cases[i].error, cases[i].nwords, cases[i].words);
            KT_RETURN_IF_FAILED();
            KT_ASSERT_EQ(seL4_MessageInfo_get_length(reply), cases[i].nwords);
            KT_ASSERT_TAG(s, KT_TAG_NULL);
        }
    }
    KT_ASSERT_TAG(tcb, KT_TAG_TCB);
    kt_delete(s + 2);
    kt_slots_empty(s, 3);
}

/* Copy needs 4 words and the source root first, then (after the source has
 * been found non-empty) the rights word; Mint also the data word; Mutate the
 * data word; Move nothing more. */
static void test_copy_truncated(void)
{
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    const seL4_Word tcb = seL4_CapInitThreadTCB;
    const seL4_Word full[6] = { s, KT_DEPTH, tcb, KT_DEPTH, 0xf, 0 };
    const seL4_Word empty_src[6] = { s, KT_DEPTH, s + 1, KT_DEPTH, 0xf, 0 };
    for (seL4_Word label = CNodeCopy; label <= CNodeMutate; label++) {
        KT_ASSERT_EQ(cnode_raw(KT_ROOT, label, full, 3, 1), seL4_TruncatedMessage);
        KT_ASSERT_EQ(cnode_raw(KT_ROOT, label, full, 6, 0), seL4_TruncatedMessage);
    }
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeCopy, full, 4, 1), seL4_TruncatedMessage);
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeMint, full, 5, 1), seL4_TruncatedMessage);
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeMutate, full, 4, 1), seL4_TruncatedMessage);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    /* An empty source is found before the missing words are noticed. */
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeCopy, empty_src, 4, 1), seL4_FailedLookup);
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeMint, empty_src, 5, 1), seL4_FailedLookup);
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeMutate, empty_src, 4, 1), seL4_FailedLookup);
    /* Move is complete with four words; Copy with five. */
    KT_ASSERT_OK(copy(s + 1, tcb));
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeMove, empty_src, 4, 1), seL4_NoError);
    KT_ASSERT_TAG(s, KT_TAG_TCB);
    KT_ASSERT_TAG(s + 1, KT_TAG_NULL);
    kt_delete(s);
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeCopy, full, 5, 1), seL4_NoError);
    KT_ASSERT_TAG(s, KT_TAG_TCB);
    kt_delete(s);
    kt_slots_empty(s, 2);
}

/* Derive rules (ABI 5.6): the IRQ control cap derives to null, so Copy and
 * Mint fail with IllegalOperation; so do an unmapped page table and a VSpace
 * without ASID. Move does not derive: it moves those. */
static void test_copy_underivable(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(4);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_ERROR(copy(s, seL4_CapIRQControl), seL4_IllegalOperation);
    KT_ASSERT_ERROR(mint(s, seL4_CapIRQControl, 0), seL4_IllegalOperation);
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    KT_ASSERT_TAG(seL4_CapIRQControl, KT_TAG_IRQ_CONTROL);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_PageTableObject, 0, s, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_VSpaceObject, 0, s + 1, 1));
    for (seL4_CPtr src = s; src < s + 2; src++) {
        KT_ASSERT_ERROR_AT(src - s, copy(s + 2, src), seL4_IllegalOperation);
        KT_ASSERT_ERROR_AT(src - s, mint(s + 2, src, 0), seL4_IllegalOperation);
        KT_ASSERT_TAG(s + 2, KT_TAG_NULL);
    }
    KT_ASSERT_OK(move(s + 2, s));
    KT_ASSERT_OK(move(s + 3, s + 1));
    KT_ASSERT_TAG(s + 2, KT_TAG_PAGE_TABLE);
    KT_ASSERT_TAG(s + 3, KT_TAG_VSPACE);
    delete_range(s, 4);
    kt_slots_empty(s, 4);
}

/* An untyped with children cannot be copied or minted (RevokeFirst); without
 * children it can, and its copy is one of its children. */
static void test_copy_untyped_revoke_first(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(3);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s, 1));
    KT_ASSERT_ERROR(copy(s + 1, u.cap), seL4_RevokeFirst);
    KT_ASSERT_ERROR(mint(s + 1, u.cap, 0), seL4_RevokeFirst);
    KT_ASSERT_TAG(s + 1, KT_TAG_NULL);
    kt_delete(s);
    KT_ASSERT_OK(copy(s + 1, u.cap));
    KT_ASSERT_TAG(s + 1, KT_TAG_UNTYPED);
    /* The copy has a child now, and the untyped has the copy. */
    KT_ASSERT_OK(kt_retype(s + 1, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
    KT_ASSERT_ERROR(copy(s + 2, s + 1), seL4_RevokeFirst);
    KT_ASSERT_ERROR(copy(s + 2, u.cap), seL4_RevokeFirst);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    kt_slots_empty(s, 3);
}

/* Rights masking of endpoint caps (ABI 2.2): CancelBadgedSends needs all
 * four rights, which makes them visible. Each right removed by Copy or Mint
 * stays removed; rights never grow back; bits above the four are ignored. */
static void test_copy_rights_endpoint(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(4);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr e = s;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, e, 1));
    KT_ASSERT_OK(cancel(e));
    const seL4_Word lacking[] = { 0x7, 0xb, 0xd, 0xe, 0x0, 0xf0 };
    for (unsigned i = 0; i < sizeof(lacking) / sizeof(lacking[0]); i++) {
        KT_ASSERT_OK_AT(i, seL4_CNode_Copy(KT_ROOT, s + 1, KT_DEPTH, KT_ROOT, e, KT_DEPTH,
                                           KT_RIGHTS(lacking[i])));
        KT_ASSERT_TAG(s + 1, KT_TAG_ENDPOINT);
        KT_ASSERT_ERROR_AT(i, cancel(s + 1), seL4_IllegalOperation);
        /* Copying the reduced cap with all rights gives no more. */
        KT_ASSERT_OK_AT(i, copy(s + 2, s + 1));
        KT_ASSERT_ERROR_AT(i, cancel(s + 2), seL4_IllegalOperation);
        kt_delete(s + 2);
        kt_delete(s + 1);
        KT_ASSERT_OK_AT(i, seL4_CNode_Mint(KT_ROOT, s + 1, KT_DEPTH, KT_ROOT, e, KT_DEPTH,
                                           KT_RIGHTS(lacking[i]), 0));
        KT_ASSERT_ERROR_AT(i, cancel(s + 1), seL4_IllegalOperation);
        kt_delete(s + 1);
    }
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, s + 1, KT_DEPTH, KT_ROOT, e, KT_DEPTH, KT_RIGHTS(~0ul)));
    KT_ASSERT_OK(cancel(s + 1));
    KT_ASSERT_OK(seL4_CNode_Mint(KT_ROOT, s + 2, KT_DEPTH, KT_ROOT, e, KT_DEPTH,
                                 KT_RIGHTS(0xfffffff0ul | 0xf), 0));
    KT_ASSERT_OK(cancel(s + 2));
    /* Move and Mutate keep the rights a cap has. */
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, s + 3, KT_DEPTH, KT_ROOT, e, KT_DEPTH, seL4_ReadWrite));
    kt_delete(s + 1);
    KT_ASSERT_OK(move(s + 1, s + 3));
    KT_ASSERT_ERROR(cancel(s + 1), seL4_IllegalOperation);
    delete_range(s, 4);
    kt_slots_empty(s, 4);
}

/* Mint badges an unbadged endpoint or notification cap (badge 0 leaves it
 * unbadged); a badged one cannot be minted again, whatever the badge
 * (IllegalOperation, destination left empty), but it can be copied. The
 * data word means nothing to other caps. */
static void test_mint_badges(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(10);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr e = s, n = s + 1;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, e, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_NotificationObject, 0, n, 1));
    KT_ASSERT_OK(mint(s + 2, e, 5));
    KT_ASSERT_TAG(s + 2, KT_TAG_ENDPOINT);
    KT_ASSERT_OK(cancel(s + 2));
    const seL4_Word badges[] = { 6, 5, 0, ~0ul };
    for (unsigned i = 0; i < sizeof(badges) / sizeof(badges[0]); i++) {
        KT_ASSERT_ERROR_AT(i, mint(s + 3, s + 2, badges[i]), seL4_IllegalOperation);
        KT_ASSERT_TAG(s + 3, KT_TAG_NULL);
    }
    KT_ASSERT_OK(copy(s + 3, s + 2));
    KT_ASSERT_ERROR(mint(s + 4, s + 3, 7), seL4_IllegalOperation);
    /* Badge 0 keeps the cap unbadged, so it can be minted again. */
    KT_ASSERT_OK(mint(s + 4, e, 0));
    KT_ASSERT_OK(mint(s + 5, s + 4, ~0ul));
    KT_ASSERT_ERROR(mint(s + 6, s + 5, 1), seL4_IllegalOperation);
    /* Notifications alike. */
    KT_ASSERT_OK(mint(s + 6, n, 1));
    KT_ASSERT_TAG(s + 6, KT_TAG_NOTIFICATION);
    KT_ASSERT_ERROR(mint(s + 7, s + 6, 2), seL4_IllegalOperation);
    KT_ASSERT_TAG(s + 7, KT_TAG_NULL);
    /* A TCB cap ignores the data word. */
    KT_ASSERT_OK(mint(s + 7, seL4_CapInitThreadTCB, 0x1234));
    KT_ASSERT_TAG(s + 7, KT_TAG_TCB);
    KT_ASSERT_OK(mint(s + 8, s + 7, 0x5678));
    KT_ASSERT_TAG(s + 8, KT_TAG_TCB);
    delete_range(s, 10);
    kt_slots_empty(s, 10);
}

/* Mutate moves a cap applying data with "preserve" (ABI 2.4): endpoint and
 * notification caps, badged or not, cannot be mutated (IllegalOperation,
 * the source stays); a TCB cap moves unchanged. */
static void test_mutate(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(5);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_NotificationObject, 0, s + 1, 1));
    KT_ASSERT_OK(mint(s + 2, s, 3));
    for (seL4_CPtr src = s; src < s + 3; src++) {
        KT_ASSERT_ERROR_AT(src - s,
                           seL4_CNode_Mutate(KT_ROOT, s + 3, KT_DEPTH, KT_ROOT, src, KT_DEPTH, 0),
                           seL4_IllegalOperation);
        KT_ASSERT_ERROR_AT(src - s,
                           seL4_CNode_Mutate(KT_ROOT, s + 3, KT_DEPTH, KT_ROOT, src, KT_DEPTH, 9),
                           seL4_IllegalOperation);
        KT_ASSERT_TAG(s + 3, KT_TAG_NULL);
    }
    KT_ASSERT_TAG(s, KT_TAG_ENDPOINT);
    KT_ASSERT_TAG(s + 1, KT_TAG_NOTIFICATION);
    KT_ASSERT_TAG(s + 2, KT_TAG_ENDPOINT);
    KT_ASSERT_OK(copy(s + 3, seL4_CapInitThreadTCB));
    KT_ASSERT_OK(seL4_CNode_Mutate(KT_ROOT, s + 4, KT_DEPTH, KT_ROOT, s + 3, KT_DEPTH, 0x77));
    KT_ASSERT_TAG(s + 3, KT_TAG_NULL);
    KT_ASSERT_TAG(s + 4, KT_TAG_TCB);
    delete_range(s, 5);
    kt_slots_empty(s, 5);
}

/* Move empties the source, keeps the cap's place in the derivation tree
 * (a moved child of an untyped goes when the untyped is revoked), and works
 * between CNodes; endpoint caps move (no data is applied). */
static void test_move(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(4);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s, 1));
    KT_ASSERT_OK(move(s + 1, s));
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    KT_ASSERT_TAG(s + 1, KT_TAG_ENDPOINT);
    KT_ASSERT_ERROR(move(s + 2, s), seL4_FailedLookup, 1, seL4_MissingCapability, 64);
    /* Into a small CNode and back out. */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 2, s + 2, 1));
    KT_ASSERT_OK(seL4_CNode_Move(s + 2, 1, 2, KT_ROOT, s + 1, KT_DEPTH));
    KT_ASSERT_TAG(s + 1, KT_TAG_NULL);
    KT_ASSERT_ERROR(seL4_CNode_Move(s + 2, 1, 2, KT_ROOT, s + 1, KT_DEPTH), seL4_DeleteFirst);
    KT_ASSERT_OK(seL4_CNode_Move(KT_ROOT, s + 3, KT_DEPTH, s + 2, 1, 2));
    KT_ASSERT_TAG(s + 3, KT_TAG_ENDPOINT);
    /* Still a child of the untyped. */
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    if (!kt_slots_empty(s, 4)) {
        return;
    }
    /* A moved cap keeps its children: copies of a moved endpoint go when it
     * is revoked; a moved untyped keeps its free pointer. */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s, 1));
    KT_ASSERT_OK(copy(s + 1, s));
    KT_ASSERT_OK(move(s + 2, s));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, s + 2, KT_DEPTH));
    KT_ASSERT_TAG(s + 1, KT_TAG_NULL);
    KT_ASSERT_TAG(s + 2, KT_TAG_ENDPOINT);
    kt_delete(s + 2);
    KT_ASSERT_OK(kt_retype(u.cap, seL4_UntypedObject, 12, s, 1));
    KT_ASSERT_OK(kt_retype(s, seL4_EndpointObject, 0, s + 1, 1));
    KT_ASSERT_OK(move(s + 2, s));
    KT_ASSERT_ERROR(kt_retype(s + 2, seL4_ARM_SmallPageObject, 0, s, 1), seL4_NotEnoughMemory,
                    4096 - 16);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, s + 2, KT_DEPTH));
    KT_ASSERT_TAG(s + 1, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    kt_slots_empty(s, 4);
}

/* Rotate (ABI 5.4.3): the pivot's cap goes to the destination and the
 * source's cap to the pivot; with destination = source the two swap. */
static void test_rotate(void)
{
    seL4_CPtr s = kt_slots(4);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr a = s, b = s + 1, d = s + 2;
    KT_ASSERT_OK(copy(a, seL4_CapInitThreadTCB));
    KT_ASSERT_OK(copy(b, seL4_CapBootInfoFrame));
    KT_ASSERT_OK(rotate(d, b, a));
    KT_ASSERT_TAG(a, KT_TAG_NULL);
    KT_ASSERT_TAG(b, KT_TAG_TCB);
    KT_ASSERT_TAG(d, KT_TAG_FRAME);
    KT_ASSERT_OK(rotate(d, b, d));
    KT_ASSERT_TAG(b, KT_TAG_FRAME);
    KT_ASSERT_TAG(d, KT_TAG_TCB);
    KT_ASSERT_EQ(kt_frame_paddr(b), kt_frame_paddr(seL4_CapBootInfoFrame));
    /* Across CNodes: the pivot in a copy of the root CNode cap. */
    KT_ASSERT_OK(copy(s + 3, KT_ROOT));
    KT_ASSERT_OK(
        seL4_CNode_Rotate(KT_ROOT, a, KT_DEPTH, 0, s + 3, b, KT_DEPTH, 0, KT_ROOT, d, KT_DEPTH));
    KT_ASSERT_TAG(a, KT_TAG_FRAME);
    KT_ASSERT_TAG(b, KT_TAG_TCB);
    KT_ASSERT_TAG(d, KT_TAG_NULL);
    delete_range(s, 4);
    kt_slots_empty(s, 4);
}

/* Rotate's errors in order: TruncatedMessage, source lookup, pivot lookup
 * (also "source"), pivot = source or = destination (IllegalOperation, before
 * DeleteFirst), destination occupied, empty source (source), empty pivot (not
 * source), data the caps refuse. Nothing moves on an error. */
static void test_rotate_errors(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(8);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr a = s, b = s + 1, e = s + 2, x = s + 3, f1 = s + 4, f2 = s + 5, f3 = s + 6;
    KT_ASSERT_OK(copy(a, seL4_CapInitThreadTCB));
    KT_ASSERT_OK(copy(b, seL4_CapBootInfoFrame));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, e, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 2, x, 1));
    const seL4_Word ok[8] = { f1, KT_DEPTH, 0, b, KT_DEPTH, 0, a, KT_DEPTH };
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeRotate, ok, 7, 2), seL4_TruncatedMessage);
    KT_ASSERT_EQ(cnode_raw(KT_ROOT, CNodeRotate, ok, 8, 1), seL4_TruncatedMessage);
    /* Source lookup first (depth mismatch), then the pivot's (guard). */
    KT_ASSERT_ERROR(seL4_CNode_Rotate(KT_ROOT, f1, KT_DEPTH, 0, KT_ROOT, 1ul << 20, KT_DEPTH, 0,
                                      KT_ROOT, a, 63),
                    seL4_FailedLookup, 1, seL4_DepthMismatch, 63, 64);
    KT_ASSERT_ERROR(seL4_CNode_Rotate(KT_ROOT, f1, KT_DEPTH, 0, KT_ROOT, 1ul << 20, KT_DEPTH, 0,
                                      KT_ROOT, a, KT_DEPTH),
                    seL4_FailedLookup, 1, seL4_GuardMismatch, 64, 0, KT_ROOT_GUARD_BITS);
    KT_ASSERT_ERROR(
        seL4_CNode_Rotate(KT_ROOT, f1, KT_DEPTH, 0, KT_ROOT, b, 0, 0, KT_ROOT, a, KT_DEPTH),
        seL4_RangeError, 1, 64);
    KT_ASSERT_ERROR(seL4_CNode_Rotate(KT_ROOT, f1, KT_DEPTH, 0, seL4_CapInitThreadTCB, b, KT_DEPTH,
                                      0, KT_ROOT, a, KT_DEPTH),
                    seL4_FailedLookup, 1, seL4_InvalidRoot);
    KT_ASSERT_ERROR(seL4_CNode_Rotate(KT_ROOT, f1, KT_DEPTH, 0, KT_ROOT, b, KT_DEPTH, 0,
                                      seL4_CapInitThreadTCB, a, KT_DEPTH),
                    seL4_FailedLookup, 1, seL4_InvalidRoot);
    /* Pivot = source, pivot = destination (even an occupied one). */
    KT_ASSERT_ERROR(rotate(f1, a, a), seL4_IllegalOperation);
    KT_ASSERT_ERROR(rotate(b, b, a), seL4_IllegalOperation);
    KT_ASSERT_ERROR(rotate(a, a, a), seL4_IllegalOperation);
    KT_ASSERT_ERROR(rotate(f1, f1, a), seL4_IllegalOperation);
    /* Destination occupied, not the source. */
    KT_ASSERT_ERROR(rotate(e, b, a), seL4_DeleteFirst);
    KT_ASSERT_ERROR(rotate(e, f2, f3), seL4_DeleteFirst);
    /* Empty source before empty pivot; bitsLeft is the depth given. */
    KT_ASSERT_ERROR(rotate(f1, f2, f3), seL4_FailedLookup, 1, seL4_MissingCapability, 64);
    KT_ASSERT_ERROR(rotate(f1, b, f3), seL4_FailedLookup, 1, seL4_MissingCapability, 64);
    KT_ASSERT_ERROR(rotate(f1, f2, a), seL4_FailedLookup, 0, seL4_MissingCapability, 64);
    KT_ASSERT_ERROR(seL4_CNode_Rotate(KT_ROOT, f1, KT_DEPTH, 0, x, 1, 2, 0, KT_ROOT, a, KT_DEPTH),
                    seL4_FailedLookup, 0, seL4_MissingCapability, 2);
    KT_ASSERT_ERROR(seL4_CNode_Rotate(KT_ROOT, f1, KT_DEPTH, 0, KT_ROOT, b, KT_DEPTH, 0, x, 1, 2),
                    seL4_FailedLookup, 1, seL4_MissingCapability, 2);
    /* An endpoint cap cannot take data with "preserve": neither as source
     * nor as pivot. */
    KT_ASSERT_ERROR(rotate(f1, b, e), seL4_IllegalOperation);
    KT_ASSERT_ERROR(rotate(f1, e, a), seL4_IllegalOperation);
    KT_ASSERT_ERROR(rotate(a, e, a), seL4_IllegalOperation);
    KT_ASSERT_TAG(a, KT_TAG_TCB);
    KT_ASSERT_TAG(b, KT_TAG_FRAME);
    KT_ASSERT_TAG(e, KT_TAG_ENDPOINT);
    KT_ASSERT_TAG(x, KT_TAG_CNODE);
    KT_ASSERT(kt_slots_empty(f1, 3));
    delete_range(s, 8);
    kt_slots_empty(s, 8);
}

/* CNode guards (ABI 1.7, 2.3) through Mint: a CNode of 16 slots minted with
 * guard 5 of 3 bits is addressed by 7-bit indexes 101iiii; each way a lookup
 * through it fails gives its words. The guard is masked to its size; guard
 * size + radix over 64 is IllegalOperation; Copy keeps the guard and Mint
 * with data 0 removes it. */
static void test_mint_cnode_guard(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(8);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr x = s, y = s + 1, t = s + 2;
    const seL4_Word tcb = seL4_CapInitThreadTCB;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 4, x, 1));
    KT_ASSERT_OK(mint(y, x, seL4_CNode_CapData_new(5, 3).words[0]));
    KT_ASSERT_TAG(y, KT_TAG_CNODE);
    /* Into slot 3 through the guard; out of it directly. */
    KT_ASSERT_OK(seL4_CNode_Copy(y, (5 << 4) | 3, 7, KT_ROOT, tcb, KT_DEPTH, ALL));
    KT_ASSERT_OK(copy_out(t, x, 3, 4));
    KT_ASSERT_TAG(t, KT_TAG_TCB);
    kt_delete(t);
    KT_ASSERT_ERROR(seL4_CNode_Delete(y, (4 << 4) | 3, 7), seL4_FailedLookup, 0, seL4_GuardMismatch,
                    7, 5, 3);
    KT_ASSERT_ERROR(seL4_CNode_Delete(y, 5, 2), seL4_FailedLookup, 0, seL4_GuardMismatch, 2, 5, 3);
    KT_ASSERT_ERROR(seL4_CNode_Delete(y, (5 << 3) | 1, 6), seL4_FailedLookup, 0, seL4_DepthMismatch,
                    6, 7);
    /* One bit more than the level, at a slot holding a TCB cap. */
    KT_ASSERT_ERROR(seL4_CNode_Delete(y, ((5 << 4) | 3) << 1, 8), seL4_FailedLookup, 0,
                    seL4_DepthMismatch, 1, 0);
    KT_ASSERT_ERROR(seL4_CNode_Copy(KT_ROOT, t, KT_DEPTH, y, (6 << 4) | 3, 7, ALL),
                    seL4_FailedLookup, 1, seL4_GuardMismatch, 7, 5, 3);
    KT_ASSERT_OK(copy_out(t, x, 3, 4)); /* the failed Delete left it */
    kt_delete(t);
    /* Guard bits above the guard size are dropped. */
    KT_ASSERT_OK(mint(s + 3, x, seL4_CNode_CapData_new(0xff, 3).words[0]));
    KT_ASSERT_ERROR(seL4_CNode_Delete(s + 3, 0, 7), seL4_FailedLookup, 0, seL4_GuardMismatch, 7, 7,
                    3);
    /* Guard size + radix: 64 is the most. */
    KT_ASSERT_ERROR(mint(s + 4, x, seL4_CNode_CapData_new(0, 61).words[0]), seL4_IllegalOperation);
    KT_ASSERT_ERROR(mint(s + 4, KT_ROOT, seL4_CNode_CapData_new(0, 52).words[0]),
                    seL4_IllegalOperation);
    KT_ASSERT_TAG(s + 4, KT_TAG_NULL);
    KT_ASSERT_OK(mint(s + 4, x, seL4_CNode_CapData_new(0, 60).words[0]));
    KT_ASSERT_OK(seL4_CNode_Delete(s + 4, 4, KT_DEPTH));
    KT_ASSERT_ERROR(seL4_CNode_Delete(s + 4, 1ul << 63, KT_DEPTH), seL4_FailedLookup, 0,
                    seL4_GuardMismatch, 64, 0, 60);
    /* Minted with the root's own geometry, the root CNode cap still works. */
    KT_ASSERT_OK(mint(s + 5, KT_ROOT, seL4_CNode_CapData_new(0, KT_ROOT_GUARD_BITS).words[0]));
    KT_ASSERT_OK(seL4_CNode_Copy(s + 5, t, KT_DEPTH, KT_ROOT, tcb, KT_DEPTH, ALL));
    KT_ASSERT_TAG(t, KT_TAG_TCB);
    kt_delete(t);
    /* Copy keeps the guard: 4 bits do not get past a 3-bit guard of 5. */
    KT_ASSERT_OK(copy(s + 6, y));
    KT_ASSERT_ERROR(seL4_CNode_Delete(s + 6, 3, 4), seL4_FailedLookup, 0, seL4_GuardMismatch, 4, 5,
                    3);
    /* Mint with data 0 sets guard size 0: slot 3 at depth 4. */
    KT_ASSERT_OK(mint(s + 7, y, 0));
    KT_ASSERT_OK(seL4_CNode_Delete(s + 7, 3, 4));
    KT_ASSERT_ERROR(copy_out(t, x, 3, 4), seL4_FailedLookup, 1, seL4_MissingCapability, 4);
    kt_kernel_self_check(); /* every guard geometry above: the one-level bits hold */
    delete_range(s, 8);
    kt_slots_empty(s, 8);
}

/* Mutate and Rotate apply CNode guard data too (with "preserve"): the cap
 * moves with the new guard; too large a guard is IllegalOperation and
 * nothing moves. */
static void test_guard_by_mutate_and_rotate(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(5);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr x = s, c = s + 1, d = s + 2, p = s + 3;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 2, x, 1));
    KT_ASSERT_OK(copy(c, x));
    /* Mutate: guard 1 of 2 bits, so slot 3 is index 0b0111 at depth 4. */
    KT_ASSERT_ERROR(seL4_CNode_Mutate(KT_ROOT, d, KT_DEPTH, KT_ROOT, c, KT_DEPTH,
                                      seL4_CNode_CapData_new(0, 63).words[0]),
                    seL4_IllegalOperation);
    KT_ASSERT_TAG(c, KT_TAG_CNODE);
    KT_ASSERT_TAG(d, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_CNode_Mutate(KT_ROOT, d, KT_DEPTH, KT_ROOT, c, KT_DEPTH,
                                   seL4_CNode_CapData_new(1, 2).words[0]));
    KT_ASSERT_TAG(c, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_CNode_Delete(d, 0x7, 4));
    KT_ASSERT_ERROR(seL4_CNode_Delete(d, 0x3, 4), seL4_FailedLookup, 0, seL4_GuardMismatch, 4, 1,
                    2);
    /* Rotate: d (pivot) goes to c with guard 2 of 2 bits (dest data); the
     * TCB cap in p (source) goes to d, its data ignored. */
    KT_ASSERT_OK(copy(p, seL4_CapInitThreadTCB));
    KT_ASSERT_ERROR(seL4_CNode_Rotate(KT_ROOT, c, KT_DEPTH, seL4_CNode_CapData_new(0, 63).words[0],
                                      KT_ROOT, d, KT_DEPTH, 0, KT_ROOT, p, KT_DEPTH),
                    seL4_IllegalOperation);
    KT_ASSERT_TAG(c, KT_TAG_NULL);
    KT_ASSERT_TAG(d, KT_TAG_CNODE);
    KT_ASSERT_TAG(p, KT_TAG_TCB);
    KT_ASSERT_OK(seL4_CNode_Rotate(KT_ROOT, c, KT_DEPTH, seL4_CNode_CapData_new(2, 2).words[0],
                                   KT_ROOT, d, KT_DEPTH, 0x1234, KT_ROOT, p, KT_DEPTH));
    KT_ASSERT_TAG(c, KT_TAG_CNODE);
    KT_ASSERT_TAG(d, KT_TAG_TCB);
    KT_ASSERT_TAG(p, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_CNode_Delete(c, 0xb, 4));
    KT_ASSERT_ERROR(seL4_CNode_Delete(c, 0x7, 4), seL4_FailedLookup, 0, seL4_GuardMismatch, 4, 2,
                    2);
    kt_kernel_self_check();
    delete_range(s, 5);
    kt_slots_empty(s, 5);
}

/* Two levels of CNodes addressed relative to a guarded CNode cap (ABI 1.7):
 * y = a 16-slot CNode with guard 5/3; its slot 9 holds a 4-slot CNode with
 * guard 1/1. Index 101 1001 1 10 at depth 10 is slot 2 of the second one.
 * Lookup failures at the second level report the bits left there. */
static void test_two_level_addressing(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(4);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr x = s, z = s + 1, y = s + 2, t = s + 3;
    const seL4_Word tcb = seL4_CapInitThreadTCB;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 4, x, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 2, z, 1));
    KT_ASSERT_OK(mint(y, x, seL4_CNode_CapData_new(5, 3).words[0]));
    KT_ASSERT_OK(
        seL4_CNode_Mint(x, 9, 4, KT_ROOT, z, KT_DEPTH, ALL, seL4_CNode_CapData_new(1, 1).words[0]));
    const seL4_Word path = (5ul << 7) | (9ul << 3) | (1ul << 2) | 2;
    KT_ASSERT_OK(seL4_CNode_Copy(y, path, 10, KT_ROOT, tcb, KT_DEPTH, ALL));
    KT_ASSERT_OK(copy_out(t, z, 2, 2));
    KT_ASSERT_TAG(t, KT_TAG_TCB);
    kt_delete(t);
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, t, KT_DEPTH, y, path, 10, ALL));
    KT_ASSERT_TAG(t, KT_TAG_TCB);
    kt_delete(t);
    /* Depth 7 stops at slot 9 itself: the CNode cap there. */
    KT_ASSERT_OK(seL4_CNode_Copy(KT_ROOT, t, KT_DEPTH, y, path >> 3, 7, ALL));
    KT_ASSERT_TAG(t, KT_TAG_CNODE);
    kt_delete(t);
    /* Second level: guard bit 0 instead of 1, with 3 bits left there. */
    KT_ASSERT_ERROR(seL4_CNode_Delete(y, path & ~(1ul << 2), 10), seL4_FailedLookup, 0,
                    seL4_GuardMismatch, 3, 1, 1);
    /* Depth 9: guard bit matched, 1 bit for a radix of 2. */
    KT_ASSERT_ERROR(seL4_CNode_Delete(y, path >> 1, 9), seL4_FailedLookup, 0, seL4_DepthMismatch, 2,
                    3);
    /* Depth 12: 2 bits left after a slot holding a TCB cap. */
    KT_ASSERT_ERROR(seL4_CNode_Copy(KT_ROOT, t, KT_DEPTH, y, path << 2, 12, ALL), seL4_FailedLookup,
                    1, seL4_DepthMismatch, 2, 0);
    /* First level wrong: bitsLeft is the whole depth. */
    KT_ASSERT_ERROR(seL4_CNode_Delete(y, path ^ (1ul << 9), 10), seL4_FailedLookup, 0,
                    seL4_GuardMismatch, 10, 5, 3);
    KT_ASSERT_OK(copy_out(t, z, 2, 2));
    KT_ASSERT_TAG(t, KT_TAG_TCB);
    kt_delete(t);
    /* Retype straight into the second level, through the path. */
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, y, path >> 3, 7, 3, 1));
    KT_ASSERT_OK(copy_out(t, z, 3, 2));
    KT_ASSERT_TAG(t, KT_TAG_ENDPOINT);
    delete_range(s, 4);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    kt_slots_empty(s, 4);
}

/* A new CNode (ABI 4.3): 2^size_bits empty slots, guard 0 of size 0. Depth 3
 * reaches its slots, whatever the higher bits of the index; depth 2 is too
 * few bits, depth 4 leaves one after an empty slot. */
static void test_new_cnode_geometry(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 3, s, 1));
    for (seL4_Word i = 0; i < 8; i++) {
        KT_ASSERT_ERROR_AT(i, copy_out(s + 1, s, i, 3), seL4_FailedLookup, 1,
                           seL4_MissingCapability, 3);
    }
    KT_ASSERT_OK(seL4_CNode_Copy(s, 0xff8 | 5, 3, KT_ROOT, seL4_CapInitThreadTCB, KT_DEPTH, ALL));
    KT_ASSERT_OK(copy_out(s + 1, s, 5, 3));
    KT_ASSERT_TAG(s + 1, KT_TAG_TCB);
    KT_ASSERT_ERROR(seL4_CNode_Delete(s, 1, 2), seL4_FailedLookup, 0, seL4_DepthMismatch, 2, 3);
    KT_ASSERT_ERROR(seL4_CNode_Delete(s, 2, 4), seL4_FailedLookup, 0, seL4_DepthMismatch, 1, 0);
    delete_range(s, 2);
    kt_slots_empty(s, 2);
}

/* Delete: an empty slot is fine (also slot 0); deleting a copy leaves the
 * original. */
static void test_delete(void)
{
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, s, KT_DEPTH));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, seL4_CapNull, KT_DEPTH));
    KT_ASSERT_OK(copy(s, seL4_CapInitThreadTCB));
    KT_ASSERT_OK(copy(s + 1, s));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, s, KT_DEPTH));
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    KT_ASSERT_TAG(s + 1, KT_TAG_TCB);
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, s, KT_DEPTH));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, s + 1, KT_DEPTH));
    KT_ASSERT_TAG(seL4_CapInitThreadTCB, KT_TAG_TCB);
    kt_slots_empty(s, 2);
}

/* Deleting the last cap to a CNode deletes the caps inside it: afterwards
 * the untyped they all came from has no children and starts again at its
 * base. A CNode holding a cap to itself is not destroyed by deleting the
 * cap outside; a revoke of its untyped removes it (manual, "Deletion and
 * Revocation"). */
static void test_delete_last_cnode_cap(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(1);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 4, s, 1));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, s, 0, 0, 0, 1));
    KT_ASSERT_OK(seL4_CNode_Copy(s, 1, 4, KT_ROOT, seL4_CapInitThreadTCB, KT_DEPTH, ALL));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_CapTableObject, 2, s, 0, 0, 2, 1));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_NotificationObject, 0, s, 2, 4, 0, 2));
    KT_ASSERT_OK(seL4_CNode_Copy(s, 3, 4, KT_ROOT, s, KT_DEPTH, ALL)); /* itself, inside */
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, s, KT_DEPTH));
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    KT_ASSERT_TAG(seL4_CapInitThreadTCB, KT_TAG_TCB);
    /* The copy inside kept the CNode alive: revoke the untyped to see all
     * of it go, then the untyped is whole again. */
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
    kt_delete(s);
    kt_kernel_self_check(); /* after the reset zeroed the CNodes' memory */
    /* Without a cap to itself (or to another CNode) inside, the delete
     * alone frees everything. */
    KT_ASSERT_OK(kt_retype(u.cap, seL4_CapTableObject, 4, s, 1));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_EndpointObject, 0, s, 0, 0, 0, 1));
    KT_ASSERT_OK(seL4_CNode_Copy(s, 1, 4, KT_ROOT, seL4_CapInitThreadTCB, KT_DEPTH, ALL));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_NotificationObject, 0, s, 0, 0, 2, 3));
    KT_ASSERT_OK(seL4_Untyped_Retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 0, 0, 15, 1));
    KT_ASSERT_OK(seL4_CNode_Delete(KT_ROOT, s, KT_DEPTH));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_ARM_SmallPageObject, 0, s, 1));
    KT_ASSERT_EQ(kt_frame_paddr(s), u.paddr);
    kt_delete(s);
    kt_slots_empty(s, 1);
}

/* Revoke deletes what was derived from a cap and leaves the cap: copies,
 * badged caps minted from a copy, their copies. A badged original's copies
 * are its children; copies of a copy are siblings, not children. */
static void test_revoke(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(6);
    KT_RETURN_IF_FAILED();
    const seL4_CPtr e = s, a = s + 1, b = s + 2, c = s + 3, d = s + 4;
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, e, 1));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, e, KT_DEPTH)); /* no children */
    KT_ASSERT_TAG(e, KT_TAG_ENDPOINT);
    KT_ASSERT_OK(copy(a, e));
    KT_ASSERT_OK(copy(b, a));
    KT_ASSERT_OK(mint(c, a, 3));
    KT_ASSERT_OK(copy(d, c));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, c, KT_DEPTH));
    KT_ASSERT_TAG(c, KT_TAG_ENDPOINT);
    KT_ASSERT_TAG(d, KT_TAG_NULL);
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, b, KT_DEPTH));
    KT_ASSERT_TAG(a, KT_TAG_ENDPOINT);
    KT_ASSERT_TAG(b, KT_TAG_ENDPOINT);
    KT_ASSERT_OK(copy(d, c));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, e, KT_DEPTH));
    KT_ASSERT_TAG(e, KT_TAG_ENDPOINT);
    KT_ASSERT(kt_slots_empty(a, 4));
    /* The empty slot, and the untyped: its child goes, it stays. */
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, s + 5, KT_DEPTH));
    KT_ASSERT_OK(seL4_CNode_Revoke(KT_ROOT, u.cap, KT_DEPTH));
    KT_ASSERT_TAG(u.cap, KT_TAG_UNTYPED);
    kt_slots_empty(s, 6);
}

/* CancelBadgedSends needs an endpoint cap with all four rights
 * (IllegalOperation otherwise: other caps, an empty slot, fewer rights);
 * with nobody waiting it succeeds, badged or not. */
static void test_cancel_badged_sends(void)
{
    kt_untyped_t u;
    if (!kt_untyped(false, 16, &u)) {
        return;
    }
    seL4_CPtr s = kt_slots(4);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(kt_retype(u.cap, seL4_EndpointObject, 0, s, 1));
    KT_ASSERT_OK(kt_retype(u.cap, seL4_NotificationObject, 0, s + 1, 1));
    KT_ASSERT_OK(mint(s + 2, s, 9));
    KT_ASSERT_OK(cancel(s));
    KT_ASSERT_OK(cancel(s + 2));
    KT_ASSERT_ERROR(cancel(s + 1), seL4_IllegalOperation);
    KT_ASSERT_ERROR(cancel(s + 3), seL4_IllegalOperation);
    KT_ASSERT_ERROR(cancel(seL4_CapInitThreadTCB), seL4_IllegalOperation);
    KT_ASSERT_ERROR(cancel(KT_ROOT), seL4_IllegalOperation);
    KT_ASSERT_OK(seL4_CNode_Mint(KT_ROOT, s + 3, KT_DEPTH, KT_ROOT, s, KT_DEPTH, seL4_NoWrite, 4));
    KT_ASSERT_ERROR(cancel(s + 3), seL4_IllegalOperation);
    KT_ASSERT_ERROR(seL4_CNode_CancelBadgedSends(KT_ROOT, s, 0), seL4_RangeError, 1, 64);
    KT_ASSERT_TAG(s, KT_TAG_ENDPOINT);
    delete_range(s, 4);
    kt_slots_empty(s, 4);
}

/* SaveCaller: the root task was never called, so it has no reply cap to
 * save: success and the slot stays empty. An occupied slot is DeleteFirst. */
static void test_save_caller(void)
{
    seL4_CPtr s = kt_slots(2);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_CNode_SaveCaller(KT_ROOT, s, KT_DEPTH));
    KT_ASSERT_TAG(s, KT_TAG_NULL);
    KT_ASSERT_OK(copy(s + 1, seL4_CapInitThreadTCB));
    KT_ASSERT_ERROR(seL4_CNode_SaveCaller(KT_ROOT, s + 1, KT_DEPTH), seL4_DeleteFirst);
    KT_ASSERT_TAG(s + 1, KT_TAG_TCB);
    KT_ASSERT_ERROR(seL4_CNode_SaveCaller(KT_ROOT, s, 0), seL4_RangeError, 1, 64);
    kt_delete(s + 1);
    kt_slots_empty(s, 2);
}

const ktest_case_t ktest_cnode_cases[] = {
    { "cnode.label_illegal", test_label_illegal },
    { "cnode.truncated_target", test_truncated_target },
    { "cnode.target_depth_range", test_target_depth_range },
    { "cnode.target_lookup_failures", test_target_lookup_failures },
    { "cnode.copy_success", test_copy_success },
    { "cnode.dest_occupied", test_dest_occupied },
    { "cnode.source_lookup", test_source_lookup },
    { "cnode.copy_truncated", test_copy_truncated },
    { "cnode.copy_underivable_illegal", test_copy_underivable },
    { "cnode.copy_untyped_revoke_first", test_copy_untyped_revoke_first },
    { "cnode.copy_rights_endpoint", test_copy_rights_endpoint },
    { "cnode.mint_badges", test_mint_badges },
    { "cnode.mutate", test_mutate },
    { "cnode.move", test_move },
    { "cnode.rotate", test_rotate },
    { "cnode.rotate_errors", test_rotate_errors },
    { "cnode.mint_cnode_guard", test_mint_cnode_guard },
    { "cnode.guard_by_mutate_and_rotate", test_guard_by_mutate_and_rotate },
    { "cnode.two_level_addressing", test_two_level_addressing },
    { "cnode.new_cnode_geometry", test_new_cnode_geometry },
    { "cnode.delete", test_delete },
    { "cnode.delete_last_cnode_cap", test_delete_last_cnode_cap },
    { "cnode.revoke", test_revoke },
    { "cnode.cancel_badged_sends", test_cancel_badged_sends },
    { "cnode.save_caller", test_save_caller },
    { NULL, NULL },
};
