/* Misbehaviour test: a system call with number 42, which does not exist
 * (ABI 1.2). With no fault handler the kernel reports the fault and stops the
 * thread; the test runner checks the kernel's report. */
#include <keel/printf.h>
#include <keel/syscalls.h>

int main(void)
{
    printf("TEST PASS fault_unknown_syscall.reached\n");
    seL4_Word regs[6] = { 0 };
    keel_syscall(42, regs);
    printf("TEST FAIL fault_unknown_syscall.stopped: the thread ran on after the fault\n");
    seL4_DebugHalt();
    return 1;
}
