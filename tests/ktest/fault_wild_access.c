/* Misbehaviour test: a load from an address nothing is mapped at (2^40).
 * With no fault handler the kernel reports the VM fault and stops the thread;
 * the test runner checks the kernel's report. */
#include <keel/printf.h>
#include <keel/syscalls.h>

#define UNMAPPED_ADDRESS 0x10000000000ul

int main(void)
{
    printf("TEST PASS fault_wild_access.reached\n");
    volatile seL4_Word *wild = (volatile seL4_Word *)UNMAPPED_ADDRESS;
    seL4_Word value = *wild;
    printf("TEST FAIL fault_wild_access.stopped: load returned 0x%lx\n", value);
    seL4_DebugHalt();
    return 1;
}
