/* Object invocations through the generated stubs (ABI 5, 6): the error
 * protocol every method shares. A null cap is InvalidCapability with MR0 = 0;
 * a label the cap type does not implement is IllegalOperation. On error the
 * stubs copy MR0..MR3 of the reply into the IPC buffer (ABI 5.3 rule 6). */
#include "ktest.h"
#include <keel/runtime.h>
#include <sel4/sel4.h>

#define JUNK 0x7e57000000000000ul

static void test_null_cap(void)
{
    seL4_SetMR(0, JUNK);
    KT_ASSERT_EQ(seL4_TCB_Suspend(seL4_CapNull), seL4_InvalidCapability);
    KT_ASSERT_EQ(seL4_GetMR(0), 0);
}

static void test_empty_slot(void)
{
    seL4_CPtr empty = keel_bootinfo()->empty.start;
    seL4_SetMR(0, JUNK);
    KT_ASSERT_EQ(seL4_CNode_Revoke(empty, 0, 64), seL4_InvalidCapability);
    KT_ASSERT_EQ(seL4_GetMR(0), 0);
}

/* ARM_Page_GetAddress (label 46) means nothing to a TCB. */
static void test_wrong_label(void)
{
    seL4_ARM_Page_GetAddress_t result = seL4_ARM_Page_GetAddress(seL4_CapInitThreadTCB);
    KT_ASSERT_EQ(result.error, seL4_IllegalOperation);
}

/* A raw Call with an invalid label: the reply tag is the error, length 0. */
static void test_invalid_label_tag(void)
{
    seL4_MessageInfo_t reply = seL4_Call(seL4_CapInitThreadCNode,
                                         seL4_MessageInfo_new(nArchInvocationLabels + 7, 0, 0, 0));
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(reply), seL4_IllegalOperation);
    KT_ASSERT_EQ(seL4_MessageInfo_get_length(reply), 0);
    KT_ASSERT_EQ(seL4_MessageInfo_get_extraCaps(reply), 0);
}

const ktest_case_t ktest_invocation_cases[] = {
    { "invocation.null_cap_is_invalid_capability", test_null_cap },
    { "invocation.empty_slot_is_invalid_capability", test_empty_slot },
    { "invocation.wrong_label_is_illegal_operation", test_wrong_label },
    { "invocation.unknown_label_reply_tag", test_invalid_label_tag },
    { NULL, NULL },
};
