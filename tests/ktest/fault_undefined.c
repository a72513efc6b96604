/* Misbehaviour test: an undefined instruction (udf #0), a user exception with
 * ESR 0x02000000. With no fault handler the kernel reports it and stops the
 * thread; the test runner checks the kernel's report. */
#include <keel/printf.h>
#include <keel/syscalls.h>

int main(void)
{
    printf("TEST PASS fault_undefined.reached\n");
    __asm__ volatile("udf #0" ::: "memory");
    printf("TEST FAIL fault_undefined.stopped: the thread ran on after udf\n");
    seL4_DebugHalt();
    return 1;
}
