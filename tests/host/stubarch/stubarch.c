/* The stub port's out-of-line hooks (include/arch/arch.h): each does the
 * least its description allows. What needs a machine -- leaving for user
 * level, stopping, booting -- aborts the host program, since no host test
 * gets there. arch_irq_is_pending is weak: the host tests' stand-ins
 * (kernel_stubs.c) steer it. */
#include <arch/arch.h>
#include <invocation.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static NORETURN void unreachable(const char *what)
{
    fprintf(stderr, "stub port: %s is not available on the host\n", what);
    abort();
}

void arch_zero_memory(void *p, word_t size)
{
    memset(p, 0, size);
}

arch_boot_info_t arch_boot_info(void)
{
    unreachable("booting");
}

void arch_init_cpu(void)
{
}

void arch_map_kernel_window(paddr_t base, paddr_t end)
{
    (void)base, (void)end;
}

void arch_exclude_kernel_devices(region_set_t *devices)
{
    (void)devices;
}

void arch_create_root_vspace(vaddr_t start, vaddr_t end)
{
    (void)start, (void)end;
    unreachable("a root task");
}

cap_t arch_map_root_frame(paddr_t paddr, vaddr_t vaddr, bool executable)
{
    (void)paddr, (void)vaddr, (void)executable;
    unreachable("a root task");
}

void arch_system_off(int status)
{
    exit(status);
}

void arch_wait_for_interrupt(void)
{
}

void arch_restore_user_context(arch_context_t *context)
{
    (void)context;
    unreachable("user level");
}

void arch_dump_user_context(const arch_context_t *context)
{
    (void)context;
}

void arch_dump_user_stack(struct tcb *thread, unsigned words)
{
    (void)thread, (void)words;
}

void arch_activate_thread(struct tcb *thread)
{
    (void)thread;
}

void arch_fpu_release(struct tcb *thread)
{
    (void)thread;
}

void arch_check_thread_invariants(struct tcb *thread)
{
    (void)thread;
}

void arch_fastpath_switch(struct tcb *thread, arch_context_t *context, word_t vspace)
{
    (void)thread, (void)context, (void)vspace;
    unreachable("user level");
}

/* No object type of its own: the host tests retype none. */
word_t arch_object_size_bits(word_t type)
{
    (void)type;
    return 0;
}

cap_t arch_object_create(word_t type, paddr_t base, bool device)
{
    (void)type, (void)base, (void)device;
    return cap_null_new();
}

cap_t arch_object_finalise(cap_t cap, bool last)
{
    (void)cap, (void)last;
    return cap_null_new();
}

/* A frame has no methods here. */
exception_t arch_decode_invocation(invocation_t *inv)
{
    return error_illegal_operation(inv);
}

exception_t arch_decode_irq_control_invocation(invocation_t *inv)
{
    return error_illegal_operation(inv);
}

void arch_irq_init(void)
{
}

irq_t arch_irq_get_pending(void)
{
    return IRQ_NONE;
}

void arch_irq_end(irq_t irq)
{
    (void)irq;
}

void arch_irq_mask(irq_t irq)
{
    (void)irq;
}

void arch_irq_unmask(irq_t irq)
{
    (void)irq;
}

__attribute__((weak)) bool arch_irq_is_pending(void)
{
    return false;
}

void arch_timer_init(void)
{
}

void arch_timer_ack(void)
{
}

void arch_putchar(char c)
{
    putchar(c);
}

/* The hardware debug API: no debug registers. */
word_t arch_debug_registers(word_t type)
{
    (void)type;
    return 0;
}

bool arch_debug_user_address(vaddr_t vaddr)
{
    return vaddr <= ARCH_USER_TOP;
}

void arch_debug_set_breakpoint(struct tcb *thread, word_t bp_num, vaddr_t vaddr, word_t type,
                               word_t size, word_t rw)
{
    (void)thread, (void)bp_num, (void)vaddr, (void)type, (void)size, (void)rw;
}

arch_breakpoint_t arch_debug_get_breakpoint(const struct tcb *thread, word_t bp_num)
{
    (void)thread, (void)bp_num;
    return (arch_breakpoint_t){ 0 };
}

void arch_debug_unset_breakpoint(struct tcb *thread, word_t bp_num)
{
    (void)thread, (void)bp_num;
}

bool arch_debug_configure_stepping(struct tcb *thread, word_t instructions)
{
    (void)thread, (void)instructions;
    return false;
}

void arch_debug_step_reply(struct tcb *thread, word_t instructions)
{
    (void)thread, (void)instructions;
}

void arch_debug_release(struct tcb *thread)
{
    (void)thread;
}
