/* The kernel's start: each subsystem in order, then the first thread. */
#include <arch/arch.h>
#include <boot.h>
#include <plat/irq.h>
#include <printk.h>
#include <thread.h>

void init_kernel(void)
{
    kprintf("\nKeel kernel booting\n");
    arch_init_cpu();       /* system registers: lazy FPU, EL0 timer access */
    boot_memory_init();    /* RAM from the device tree; kernel window */
    irq_controller_init(); /* GICv3 distributor, redistributor, CPU interface */
    timer_init();          /* the 2 ms tick on an EL1 timer (plat/machine.h) */
    create_root_task();    /* CSpace, VSpace, TCB and BootInfo of the root task */
    kprintf("Booting all finished, dropped to user space\n");
    schedule_and_return();
}
