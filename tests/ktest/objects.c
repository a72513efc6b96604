/* Helpers of the object tests (objects.h). */
#include "objects.h"
#include <keel/printf.h>
#include <keel/runtime.h>

#define POISON 0x0b5e55ed0b5e55edul

static const char *const error_names[] = {
    "NoError",     "InvalidArgument", "InvalidCapability", "IllegalOperation",
    "RangeError",  "AlignmentError",  "FailedLookup",      "TruncatedMessage",
    "DeleteFirst", "RevokeFirst",     "NotEnoughMemory",
};

static const char *error_name(seL4_Word e)
{
    return e < sizeof(error_names) / sizeof(error_names[0]) ? error_names[e] : "?";
}

bool kt_untyped(bool device, seL4_Word min_bits, kt_untyped_t *out)
{
    return kt_untyped_except(device, min_bits, seL4_CapNull, out);
}

bool kt_untyped_except(bool device, seL4_Word min_bits, seL4_CPtr except, kt_untyped_t *out)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    seL4_Word n = bi->untyped.end - bi->untyped.start;
    const seL4_UntypedDesc *best = NULL;
    seL4_Word best_index = 0;
    for (seL4_Word i = 0; i < n; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if ((u->isDevice != 0) != device || u->sizeBits < min_bits ||
            bi->untyped.start + i == except) {
            continue;
        }
        if (best == NULL || u->sizeBits < best->sizeBits) {
            best = u;
            best_index = i;
        }
    }
    if (best == NULL) {
        ktest_fail(__FILE__, __LINE__, "no %s untyped of 2^%lu bytes", device ? "device" : "RAM",
                   min_bits);
        return false;
    }
    *out = (kt_untyped_t){
        .cap = bi->untyped.start + best_index,
        .paddr = best->paddr,
        .size_bits = best->sizeBits,
        .device = device,
    };
    /* Children an earlier, failed test left behind would move the free
     * pointer; revoking them makes this test independent of that. */
    seL4_CNode_Revoke(KT_ROOT, out->cap, KT_DEPTH);
    return true;
}

bool kt_slots_empty(seL4_CPtr first, seL4_Word n)
{
    for (seL4_Word i = 0; i < n; i++) {
        seL4_Word tag = seL4_DebugCapIdentify(first + i);
        if (tag != KT_TAG_NULL) {
            ktest_fail(__FILE__, __LINE__, "root slot %lu holds a cap of type %lu", first + i, tag);
            return false;
        }
    }
    return true;
}

seL4_CPtr kt_slots(seL4_Word n)
{
    static seL4_Word cursor; /* offset in bi->empty of the next fresh slot */
    const seL4_BootInfo *bi = keel_bootinfo();
    seL4_Word size = bi->empty.end - bi->empty.start;
    if (n > size) {
        ktest_fail(__FILE__, __LINE__, "%lu slots wanted, the empty region has %lu", n, size);
        return 0;
    }
    if (cursor + n > size) {
        cursor = 0;
    }
    seL4_CPtr first = bi->empty.start + cursor;
    cursor += n;
    return kt_slots_empty(first, n) ? first : 0;
}

seL4_Error kt_retype(seL4_CPtr untyped, seL4_Word type, seL4_Word size_bits, seL4_CPtr slot,
                     seL4_Word n)
{
    return seL4_Untyped_Retype(untyped, type, size_bits, KT_ROOT, 0, 0, slot, n);
}

void kt_delete(seL4_CPtr slot)
{
    seL4_CNode_Delete(KT_ROOT, slot, KT_DEPTH);
}

seL4_Word kt_frame_paddr(seL4_CPtr frame)
{
    seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(frame);
    if (r.error != seL4_NoError) {
        ktest_fail(__FILE__, __LINE__, "GetAddress(slot %lu) failed with %s", frame,
                   error_name(r.error));
        return ~0ul;
    }
    return r.paddr;
}

seL4_MessageInfo_t kt_call(seL4_CPtr cap, seL4_Word label, const seL4_Word *mrs, seL4_Word length,
                           const seL4_CPtr *caps, seL4_Word ncaps)
{
    for (seL4_Word i = 0; i < length; i++) {
        seL4_SetMR((int)i, mrs[i]);
    }
    for (seL4_Word i = 0; i < ncaps; i++) {
        seL4_SetCap((int)i, caps[i]);
    }
    return seL4_Call(cap, seL4_MessageInfo_new(label, 0, ncaps, length));
}

void kt_poison_mrs(void)
{
    for (int i = 4; i < 8; i++) {
        seL4_SetMR(i, POISON + (seL4_Word)i);
    }
}

void kt_check_error(const char *file, int line, const char *what, long index, seL4_Word got,
                    seL4_Word want, int nwords, const seL4_Word *words)
{
    char at[32] = "";
    if (index >= 0) {
        snprintf(at, sizeof(at), " [i = %ld]", index);
    }
    if (got != want) {
        ktest_fail(file, line, "got %s (%lu), expected %s (%lu)%s: %s", error_name(got), got,
                   error_name(want), want, at, what);
        return;
    }
    for (int i = 0; i < nwords; i++) {
        seL4_Word mr = seL4_GetMR(i);
        if (mr != words[i]) {
            ktest_fail(file, line, "%s: MR%d = 0x%lx, expected 0x%lx%s: %s", error_name(got), i, mr,
                       words[i], at, what);
            return;
        }
    }
}
