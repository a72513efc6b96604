/* ktest's main: names the root thread and runs every test table. */
#include "runner.h"
#include <keel/syscalls.h>

/* The FPU table runs last: see test_fpu.c. */
static const ktest_case_t *const tables[] = {
    ktest_bootinfo_cases,   ktest_untyped_cases, ktest_syscall_cases,     ktest_memory_cases,
    ktest_invocation_cases, ktest_retype_cases,  ktest_cnode_cases,       ktest_revoke_cases,
    ktest_libkeel_cases,    ktest_tcb_cases,     ktest_ipc_cases,         ktest_notification_cases,
    ktest_fault_cases,      ktest_sched_cases,   ktest_sched_order_cases, ktest_domain_cases,
    ktest_irq_wake_cases,   ktest_hwdebug_cases, ktest_timer_cases,       ktest_fpu_cases,
};

int main(void)
{
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "ktest");
    ktest_run_all(tables, sizeof(tables) / sizeof(tables[0]));
    seL4_DebugHalt();
    return 0;
}
