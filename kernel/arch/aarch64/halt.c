/* Stopping the machine. QEMU's semihosting SYS_EXIT lets the host see an
 * exit status (PSCI SYSTEM_OFF would not), which the test runner relies on. */
#include <arch/arch.h>
#include <arch/machine.h>

#define SEMIHOSTING_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

bool arch_halting;

void arch_system_off(int status)
{
    arch_halting = true; /* the hlt below traps without semihosting: see traps.c */
    volatile word_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (word_t)status };
    register word_t x0 __asm__("x0") = SEMIHOSTING_SYS_EXIT;
    register volatile word_t *x1 __asm__("x1") = block;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    /* Without semihosting the hlt above traps; either way, never return. */
    for (;;) {
        wfi();
    }
}

void arch_wait_for_interrupt(void)
{
    dsb_sy();
    wfi();
}
