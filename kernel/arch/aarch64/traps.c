/* C side of the exception vectors: classify what brought a user thread into
 * the kernel, and report exceptions taken inside the kernel (always bugs). */
#include <api/fastpath.h>
#include <arch/arch.h>
#include <arch/debug.h>
#include <arch/machine.h>
#include <fault.h>
#include <interrupt.h>
#include <panic.h>
#include <printk.h>
#include <thread.h>

/* vectors.S compares x7 with these numbers to enter the fastpath. */
_Static_assert(seL4_SysCall == -1 && seL4_SysReplyRecv == -2, "syscall numbers in vectors.S");

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define EC_FP_TRAPPED 0x07
#define EC_IABT_LOWER 0x20
#define EC_DABT_LOWER 0x24

void handle_el0_exception(word_t esr) NORETURN;
void handle_el0_irq(void) NORETURN;
void handle_el0_unexpected(void) NORETURN;
void handle_invalid_vector(void) NORETURN;

typedef struct kernel_frame {
    word_t x[31];
    word_t sp, elr, spsr, esr, far;
} kernel_frame_t;
void handle_kernel_exception(kernel_frame_t *frame, word_t kind) NORETURN;

/* Every synchronous exception from EL0 except svc (vectors.S dispatches
 * system calls itself): a lazy-FPU trap, or a fault for the handler (with
 * the hardware debug API, breakpoints, watchpoints, single steps and BRK
 * are debug exceptions; without it BRK is a user exception). */
void handle_el0_exception(word_t esr)
{
    tcb_t *thread = ks_cur_thread;
    word_t ec = ESR_EC(esr);
    if (ec == EC_FP_TRAPPED && arch_fpu_trap(thread)) {
        schedule_and_return(); /* re-executes the instruction, FPU live */
    }
    if (ec == EC_DABT_LOWER) {
        fault_set_vm(thread, SYSREG_READ(far_el1), false, esr & 0xffffffff);
        fastpath_vm_fault(thread);
    } else if (ec == EC_IABT_LOWER) {
        fault_set_vm(thread, thread->context.r[CTX_FAULT_IP], true, esr & 0xffffffff);
        fastpath_vm_fault(thread);
    } else if (debug_is_exception(ec)) { /* hardware debug API only */
        if (!debug_exception(thread, esr)) {
            schedule_and_return(); /* a single step that is not reported */
        }
    } else {
        fault_set_user_exception(thread, esr & 0xffffffff);
    }
    fault_handle(thread);
    schedule_and_return();
}

/* (vectors.S has set FaultIP: the interrupted instruction restarts.) */
void handle_el0_irq(void)
{
    handle_user_interrupt();
}

void handle_el0_unexpected(void)
{
    panic("FIQ or SError taken from user level");
}

void handle_invalid_vector(void)
{
    panic("KERNEL INVALID VECTOR ENTRY");
}

static const char *const exception_kinds[] = { "synchronous exception", "IRQ", "FIQ", "SError" };

void handle_kernel_exception(kernel_frame_t *frame, word_t kind)
{
    if (arch_halting) {
        /* arch_system_off's semihosting call trapped: QEMU runs without
         * semihosting. The machine stays stopped here. */
        kprintf("\nKeel: halted (no semihosting: quit QEMU with Ctrl-A X)\n");
        for (;;) {
            wfi();
        }
    }
    kprintf("\nKERNEL PANIC: %s in the kernel\n", exception_kinds[kind & 3]);
    kprintf("  ESR 0x%08lx (EC 0x%lx)  FAR 0x%016lx\n", frame->esr, ESR_EC(frame->esr), frame->far);
    kprintf("  ELR 0x%016lx  SPSR 0x%08lx  SP 0x%016lx\n", frame->elr, frame->spsr, frame->sp);
    for (unsigned i = 0; i < 31; i++) {
        kprintf("  x%-2u 0x%016lx%s", i, frame->x[i], (i % 3 == 2) ? "\n" : "");
    }
    kprintf("\n");
    panic("unrecoverable kernel exception");
}

void arch_dump_user_context(const arch_context_t *ctx)
{
    kprintf("  pc 0x%016lx  sp 0x%016lx  spsr 0x%08lx\n", ctx->r[CTX_FAULT_IP], ctx->r[CTX_SP],
            ctx->r[CTX_SPSR]);
    for (unsigned i = 0; i < 31; i++) {
        kprintf("  x%-2u 0x%016lx%s", i, ctx->r[i], (i % 3 == 2) ? "\n" : "");
    }
    kprintf("\n");
}
