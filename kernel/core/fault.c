/* User-level faults (ABI 7). A fault is recorded in the faulting thread's
 * TCB; fault_handle then delivers it to the thread's fault handler. */
#include <arch/arch.h>
#include <config.h>
#include <cspace.h>
#include <fault.h>
#include <ipc.h>
#include <keel/gen/abi.h>
#include <printk.h>
#include <thread.h>

void fault_set_cap(tcb_t *thread, word_t cptr, bool in_receive_phase, lookup_fault_t lookup)
{
    thread->fault = (fault_t){ .type = seL4_Fault_CapFault, .data = { cptr, in_receive_phase } };
    thread->lookup_fault = lookup;
}

void fault_set_unknown_syscall(tcb_t *thread, word_t number)
{
    thread->fault = (fault_t){ .type = seL4_Fault_UnknownSyscall, .data = { number, 0 } };
}

void fault_set_user_exception(tcb_t *thread, word_t number)
{
    thread->fault = (fault_t){ .type = seL4_Fault_UserException, .data = { number, 0 } };
}

void fault_set_vm(tcb_t *thread, vaddr_t address, bool instruction, word_t fsr)
{
    thread->fault = (fault_t){ .type = seL4_Fault_VMFault,
                               .data = { address, (fsr << 1) | (instruction ? 1 : 0) } };
}

#if CONFIG_HARDWARE_DEBUG_API
void fault_set_debug(tcb_t *thread, word_t reason, vaddr_t address, word_t bp_num)
{
    thread->fault =
        (fault_t){ .type = seL4_Fault_DebugException, .data = { address, (bp_num << 8) | reason } };
}
#endif

static const char *const lookup_failure_names[] = {
    "no failure", "invalid root", "missing capability", "depth mismatch", "guard mismatch",
};

#if CONFIG_HARDWARE_DEBUG_API
static void print_debug_fault(const fault_t *fault)
{
    static const char *const reasons[] = {
        [seL4_DataBreakpoint] = "watchpoint",
        [seL4_InstructionBreakpoint] = "breakpoint",
        [seL4_SingleStep] = "single step",
        [seL4_SoftwareBreakRequest] = "software break request",
    };
    word_t reason = fault_debug_reason(fault);
    kprintf("debug exception: %s", reasons[reason % 4]);
    if (reason == seL4_DataBreakpoint || reason == seL4_InstructionBreakpoint) {
        kprintf(" %lu at 0x%lx", fault_debug_bp_num(fault), fault->data[0]);
    }
}
#endif

static void print_fault(const fault_t *fault, const lookup_fault_t *lookup)
{
    switch (fault->type) {
    case seL4_Fault_CapFault:
        kprintf("cap fault in %s phase at address 0x%lx (%s)", fault->data[1] ? "receive" : "send",
                fault->data[0], lookup_failure_names[lookup->type % 5]);
        break;
    case seL4_Fault_UnknownSyscall:
        kprintf("unknown syscall %ld", (sword_t)fault->data[0]);
        break;
    case seL4_Fault_UserException:
        kprintf("user exception, number 0x%08lx", fault->data[0]);
        break;
    case seL4_Fault_VMFault:
        kprintf("vm fault on %s at address 0x%lx with status 0x%lx",
                (fault->data[1] & 1) ? "code" : "data", fault->data[0], fault->data[1] >> 1);
        break;
#if CONFIG_HARDWARE_DEBUG_API
    case seL4_Fault_DebugException:
        print_debug_fault(fault);
        break;
#endif
    default:
        kprintf("fault %lu", fault->type);
        break;
    }
}

/* No usable handler: report both faults and stop the thread (ABI 7.2). */
static void fault_double(tcb_t *thread, const fault_t *handler_fault, const lookup_fault_t *lookup)
{
    if (CONFIG_DEBUG_BUILD) {
        kprintf("Caught ");
        print_fault(handler_fault, lookup);
        kprintf(" while trying to handle: ");
        print_fault(&thread->fault, &thread->lookup_fault);
        kprintf("\nin thread %p \"%s\" at address 0x%lx\n", (void *)thread, thread->name,
                thread->context.r[ARCH_REG_FAULT_IP]);
        kprintf("With stack:\n");
        arch_dump_user_stack(thread, CONFIG_USER_STACK_TRACE_LENGTH);
    }
    thread->fault.type = 0;
    thread_set_state(thread, thread_inactive);
}

/* The handler must be an endpoint cap with Send and Grant or GrantReply;
 * the thread then waits for the handler's reply (ABI 7.2). */
void fault_handle(tcb_t *thread)
{
    lookup_cap_ret_t handler = lookup_cap(thread, thread->fault_handler);
    word_t rights = cap_rights(handler.cap);
    if (handler.fault.type == 0 && cap_type(handler.cap) == cap_endpoint &&
        (rights & RIGHT_WRITE) && (rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY))) {
        ipc_send_fault(thread, handler.cap);
        return;
    }
    lookup_fault_t lookup = handler.fault;
    if (lookup.type == 0) {
        lookup = lookup_fault_missing_capability(0); /* found, but unusable */
    }
    fault_t handler_fault = { .type = seL4_Fault_CapFault, .data = { thread->fault_handler, 0 } };
    fault_double(thread, &handler_fault, &lookup);
}
