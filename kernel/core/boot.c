/* The kernel's start: each subsystem in order, then the first thread. */
#include <arch/arch.h>
#include <boot.h>
#include <printk.h>
#include <thread.h>

void init_kernel(void)
{
    kprintf("\nKeel kernel booting\n");
    arch_init_cpu();    /* the CPU: lazy FPU, what user level may use */
    boot_memory_init(); /* RAM from the device tree; kernel window */
    arch_irq_init();    /* the interrupt controller */
    arch_timer_init();  /* the kernel's tick */
    create_root_task(); /* CSpace, VSpace, TCB and BootInfo of the root task */
    kprintf("Booting all finished, dropped to user space\n");
    schedule_and_return();
}
