/* FP/SIMD for the root task (ABI 8.5): new threads and the root task may use
 * the FPU, and its registers are per-thread state the kernel preserves. The
 * table runs last: a trapped FP instruction stops the root task (no fault
 * handler), which would hide every test after it. */
#include "ktest.h"

/* fpu.S */
seL4_Word kt_fpu_roundtrip(seL4_Word value);
void kt_fpu_across_yield(seL4_Word value, seL4_Word out[2]);

static void test_simd_usable(void)
{
    KT_ASSERT_EQ(kt_fpu_roundtrip(0x0123456789abcdeful), 0x0123456789abcdeful);
}

static void test_simd_survives_syscall(void)
{
    seL4_Word out[2];
    kt_fpu_across_yield(0xfedcba9876543210ul, out);
    KT_ASSERT_EQ(out[0], 0xfedcba9876543210ul);
    KT_ASSERT_EQ(out[1], ~0xfedcba9876543210ul);
}

const ktest_case_t ktest_fpu_cases[] = {
    { "fpu.root_task_uses_simd", test_simd_usable },
    { "fpu.simd_registers_survive_syscall", test_simd_survives_syscall },
    { NULL, NULL },
};
