/* System calls the kernel answers without IPC: each must leave every register
 * it does not document as written exactly as it was (ABI 1.3, 10.3), and the
 * debug calls must behave as specified. */
#include "ktest.h"
#include <keel/ipcbuf.h>
#include <keel/string.h>
#include <keel/syscalls.h>

#define NZCV_NC 0xa0000000ul /* N and C set: a pattern the kernel must keep */

enum { OUT_SP = 31, OUT_NZCV = 32, OUT_TPIDR = 33, OUT_SP_BEFORE = 34, OUT_TPIDR_BEFORE = 35 };

/* regs.S */
void kt_syscall_registers(const seL4_Word in[32], seL4_Word out[36]);

/* Issue `number` with x0 = `x0` and distinct values in every other register;
 * every register except x0 (when x0_result says what it must become) must
 * come back unchanged. */
static void expect_preserved(long number, seL4_Word x0, bool x0_written, seL4_Word x0_result)
{
    seL4_Word in[32], out[36];
    for (int i = 0; i < 31; i++) {
        in[i] = 0x5a00000000000000ul | (seL4_Word)i << 32 | (seL4_Word)(0xc0de + i);
    }
    in[0] = x0;
    in[7] = (seL4_Word)number;
    in[31] = NZCV_NC;
    kt_syscall_registers(in, out);
    for (int i = 0; i < 31; i++) {
        seL4_Word want = (i == 0 && x0_written) ? x0_result : in[i];
        if (out[i] != want) {
            KT_FAIL("x%d is 0x%lx after the call, expected 0x%lx", i, out[i], want);
        }
    }
    KT_ASSERT_EQ(out[OUT_SP], out[OUT_SP_BEFORE]);
    KT_ASSERT_EQ(out[OUT_NZCV], NZCV_NC);
    KT_ASSERT_EQ(out[OUT_TPIDR], out[OUT_TPIDR_BEFORE]);
}

/* x0 = '\n' in its low byte: the call prints an empty line. */
static void test_putchar_preserves(void)
{
    expect_preserved(seL4_SysDebugPutChar, 0x5a0000000000000aul, false, 0);
}

static void test_cap_identify_preserves(void)
{
    expect_preserved(seL4_SysDebugCapIdentify, seL4_CapInitThreadTCB, true, 12);
}

static void test_yield_preserves(void)
{
    expect_preserved(seL4_SysYield, 0x5a5a5a5a5a5a5a5aul, false, 0);
}

/* The name travels in the IPC buffer; the kernel reads it and returns. */
static void test_name_thread(void)
{
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "ktest-renamed");
    KT_ASSERT(strcmp((const char *)seL4_GetIPCBuffer()->msg, "ktest-renamed") == 0);
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "ktest");
}

/* Raw wrappers agree with the generic trap. */
static void test_keel_syscall_cap_identify(void)
{
    seL4_Word regs[6] = { seL4_CapInitThreadCNode, 1, 2, 3, 4, 5 };
    keel_syscall(seL4_SysDebugCapIdentify, regs);
    KT_ASSERT_EQ(regs[0], 10);
    for (int i = 1; i < 6; i++) {
        KT_ASSERT_EQ(regs[i], (seL4_Word)i);
    }
}

const ktest_case_t ktest_syscall_cases[] = {
    { "debug.putchar_preserves_registers", test_putchar_preserves },
    { "debug.cap_identify_preserves_registers", test_cap_identify_preserves },
    { "debug.name_thread", test_name_thread },
    { "debug.keel_syscall_cap_identify", test_keel_syscall_cap_identify },
    { "syscall.yield_preserves_registers", test_yield_preserves },
    { NULL, NULL },
};
