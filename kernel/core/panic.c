/* Kernel panic: print what we know and stop. The test runner recognises the
 * "KERNEL PANIC" line and the non-zero exit status. */
#include <arch/arch.h>
#include <panic.h>
#include <printk.h>
#include <stdarg.h>
#include <thread.h>

#define PANIC_EXIT_STATUS 3

void panic(const char *format, ...)
{
    static bool panicking;
    if (panicking) {
        arch_system_off(PANIC_EXIT_STATUS); /* a fault while reporting one */
    }
    panicking = true;
    va_list args;
    va_start(args, format);
    kprintf("\nKERNEL PANIC: ");
    kvprintf(format, args);
    va_end(args);
    kprintf("\n");
    tcb_t *thread = ks_cur_thread;
    if (thread != NULL) {
        kprintf("current thread %p \"%s\", user registers:\n", (void *)thread, thread->name);
        arch_dump_user_context(&thread->context);
    } else {
        kprintf("no current thread (idle)\n");
    }
    arch_system_off(PANIC_EXIT_STATUS);
}
