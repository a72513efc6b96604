/* The architecture interface: everything the architecture-independent
 * kernel (kernel/core, kernel/object, kernel/api and the generic headers of
 * kernel/include) needs from the port and its board, and the one
 * architecture header it includes (tools/checklayers.py enforces that).
 * Every name here is arch_ or ARCH_; hooks on hot paths are static inline.
 * To implement them this header includes the port's own headers and the
 * board's constants; the generic headers it includes (cap.h, region.h, ...)
 * include nothing of the architecture. The AArch64 port with the QEMU virt
 * board (GICv3, generic timer, PL011) implements it; a port to another
 * architecture implements the same names (tests/host/stubarch is the
 * smallest one, for host tests). */
#pragma once

#include <cap.h>
#include <config.h>
#include <keel/gen/abi.h>
#include <region.h>
#include <types.h>
#include <util.h>

#include <arch/cap.h>
#include <arch/context.h>
#include <arch/fpu.h>
#include <arch/machine.h>
#include <arch/pmu.h>
#include <arch/vspace.h>
#include <plat/machine.h>

struct tcb;
struct invocation;

/* --- memory --------------------------------------------------------------- */

/* arch_paddr_to_ptr and arch_ptr_to_paddr (arch/machine.h): the kernel's
 * window onto physical memory (paddr.h names them for the kernel). */

/* The smallest frame (seL4_PageBits), the last user address (seL4_UserTop)
 * and the end of the physical addresses the kernel hands out (RAM beyond
 * it is ignored; device untypeds cover what lies below it). */
#define ARCH_PAGE_BITS PAGE_BITS
#define ARCH_USER_TOP USER_TOP
#define ARCH_PADDR_TOP PLAT_PADDR_USER_DEVICE_TOP

/* Zero `size` bytes at `p` (kernel window, normal memory; size a multiple of
 * 64 and p 64-byte aligned for speed, any size works). */
void arch_zero_memory(void *p, word_t size);

/* --- boot ------------------------------------------------------------------- */

/* What the boot loader left (ABI 9.1): where the kernel image and the root
 * task's image are, the root task's entry and its offset from physical to
 * virtual addresses, the device tree. Panics if the image has no root task. */
typedef struct arch_boot_info {
    region_t kernel;    /* the kernel image, .bss included */
    region_t boot_only; /* the part of it only the boot needs (page aligned) */
    region_t root_task; /* page aligned */
    sword_t pv_offset;  /* root_task.start - the image's lowest virtual address */
    vaddr_t entry;
    paddr_t dtb;
} arch_boot_info_t;
arch_boot_info_t arch_boot_info(void);

/* Set the CPU's system registers the kernel relies on (FPU access, the
 * timer and counters EL0 may use, the debug hardware). */
void arch_init_cpu(void);

/* Map all of RAM [base, end) into the kernel window. */
void arch_map_kernel_window(paddr_t base, paddr_t end);

/* Take the devices the kernel keeps for itself (the GIC) out of `devices`,
 * the physical ranges user level gets as device untypeds. */
void arch_exclude_kernel_devices(region_set_t *devices);

/* The root task's address space (ABI 9.2, 9.4): its VSpace and ASID pool
 * caps in their initial slots, ASID control, and the paging caps covering
 * [start, end), in the order BootInfo's userImagePaging lists them
 * (boot_set_initial_cap, boot_provide_cap). */
void arch_create_root_vspace(vaddr_t start, vaddr_t end);

/* Map the 4 KiB frame at `paddr` at `vaddr` of the root task (its tables
 * exist) and return its cap. */
cap_t arch_map_root_frame(paddr_t paddr, vaddr_t vaddr, bool executable);

/* --- the CPU ---------------------------------------------------------------- */

/* Stop the machine. Under QEMU the exit status reaches the host (semihosting):
 * 0 for a requested halt, non-zero for a panic. */
void arch_system_off(int status) NORETURN;
/* Set by arch_system_off: a kernel exception after it is its own trap. */
extern bool arch_halting;

/* Sleep until an interrupt is pending (interrupts stay masked in the kernel). */
void arch_wait_for_interrupt(void);

/* --- a thread's registers ---------------------------------------------------- */

/* A thread's saved user registers: arch_context_t, an array r[] indexed by
 * register number, first in the TCB (the entry code stores into it). The
 * registers the ABI gives a role: the cap of a system call, the badge and
 * the message info of a delivered message, the first message registers,
 * the restart address (FaultIP), the address the thread resumes at
 * (NextIP) and the TLS base (TCB_SetTLSBase). */
typedef user_context_t arch_context_t;

#define ARCH_REG_CAP CTX_X0
#define ARCH_REG_BADGE CTX_X0
#define ARCH_REG_MSG_INFO CTX_X1
#define ARCH_REG_MR0 CTX_X2 /* MR i is register ARCH_REG_MR0 + i */
#define ARCH_MSG_REGISTERS 4
#define ARCH_REG_FAULT_IP CTX_FAULT_IP
#define ARCH_REG_NEXT_IP CTX_NEXT_IP
#define ARCH_REG_TLS CTX_TPIDR

/* The registers of a new thread (ABI 4.3: PSTATE for EL0, all else 0). */
static inline void arch_context_init(arch_context_t *context)
{
    context->r[CTX_SPSR] = SPSR_USER_DEFAULT;
}

/* The value user level may give register `reg` (WriteRegisters, fault
 * replies): only the condition flags of PSTATE are its own. */
static ALWAYS_INLINE word_t arch_sanitise_register(word_t reg, word_t value)
{
    return reg == CTX_SPSR ? spsr_sanitise(value) : value;
}

/* seL4_UserContext (ABI 8.1): ARCH_USER_CONTEXT_WORDS words, the first
 * ARCH_USER_CONTEXT_FRAME_WORDS of them the "frame" registers, the others
 * the "integer" ones (CopyRegisters groups); word i is register
 * arch_user_context_register(i). */
#define ARCH_USER_CONTEXT_WORDS USER_CONTEXT_WORDS
#define ARCH_USER_CONTEXT_FRAME_WORDS USER_CONTEXT_FRAME_WORDS

static inline word_t arch_user_context_register(word_t i)
{
    return user_context_order[i];
}

/* The registers an UnknownSyscall fault message carries, in message order,
 * before the syscall number (seL4_UnknownSyscall_Msg); those of a
 * UserException message, before its number and code
 * (seL4_UserException_Msg). A reply to the fault writes them back (ABI
 * 7.5-7.7). Static: the fault paths copy them with constant indices. */
static const uint8_t arch_syscall_fault_registers[seL4_UnknownSyscall_Syscall] = {
    [seL4_UnknownSyscall_X0] = CTX_X0,
    [seL4_UnknownSyscall_X1] = CTX_X1,
    [seL4_UnknownSyscall_X2] = CTX_X2,
    [seL4_UnknownSyscall_X3] = CTX_X3,
    [seL4_UnknownSyscall_X4] = CTX_X4,
    [seL4_UnknownSyscall_X5] = CTX_X5,
    [seL4_UnknownSyscall_X6] = CTX_X6,
    [seL4_UnknownSyscall_X7] = CTX_X7,
    [seL4_UnknownSyscall_FaultIP] = CTX_FAULT_IP,
    [seL4_UnknownSyscall_SP] = CTX_SP,
    [seL4_UnknownSyscall_LR] = CTX_NEXT_IP,
    [seL4_UnknownSyscall_SPSR] = CTX_SPSR,
};
static const uint8_t arch_exception_fault_registers[seL4_UserException_Number] = {
    [seL4_UserException_FaultIP] = CTX_FAULT_IP,
    [seL4_UserException_SP] = CTX_SP,
    [seL4_UserException_SPSR] = CTX_SPSR,
};

/* Leave the kernel and run the thread whose registers these are. */
static ALWAYS_INLINE NORETURN void arch_restore_user_context(arch_context_t *context)
{
    restore_user_context(context);
}

/* Print the thread's user registers; print up to `words` words of its user
 * stack, if it is mapped (debug reports). */
void arch_dump_user_context(const arch_context_t *context);
void arch_dump_user_stack(struct tcb *thread, unsigned words);

/* --- threads ------------------------------------------------------------------ */

/* arch_tcb_t (arch/context.h): the port's part of a TCB, the TCB's field
 * `arch`. */

/* Prepare the CPU to run `thread` (address space, FPU access, debug
 * registers, a benchmark kernel's PMU split) before it leaves the kernel. */
void arch_activate_thread(struct tcb *thread);

/* The thread's FP/SIMD state is no longer wanted in the FPU (it disabled
 * its FPU, or it is being destroyed): save it if live and forget it. */
void arch_fpu_release(struct tcb *thread);

/* The invariant checker's part for the port: panics if the thread's port
 * state is inconsistent (a cached TTBR0 value that differs from a fresh
 * validation of its VSpace cap, an FPU owner with its FPU disabled, debug
 * state). */
void arch_check_thread_invariants(struct tcb *thread);

/* The IPC fastpath (api/fastpath.c). arch_fastpath_vspace: what running in
 * the thread's address space takes, if the port can do it without the slow
 * path's checks (AArch64: its cached TTBR0 value, arch/vspace.h), else 0.
 * arch_fastpath_switch: run `thread` (now current) with that value. */
static ALWAYS_INLINE word_t arch_fastpath_vspace(const arch_tcb_t *arch)
{
    return vspace_cached_ttbr0(&arch->vspace_cache);
}

static ALWAYS_INLINE NORETURN void arch_fastpath_switch(struct tcb *thread, arch_context_t *context,
                                                        word_t vspace)
{
    vspace_load_ttbr0(vspace);
    arch_fpu_activate(thread);
    arch_pmu_activate(thread);
    restore_user_context(context);
}

/* --- capabilities and objects -------------------------------------------------- */

/* Is the cap one of the port's types (arch/cap.h; seL4 numbers them odd)?
 * The generic cap functions hand such caps to the arch_ functions below. */
static ALWAYS_INLINE bool arch_cap_is_arch(cap_t cap)
{
    return cap_type(cap) & 1;
}

/* The rules for port caps (inline, arch/cap.h: revocation and deletion ask
 * on every cap). The size of the object or memory region a port cap names
 * (power of two; 0: none). */
static inline unsigned arch_cap_size_bits(cap_t cap);

/* Does the port cap `a` name what `b`, a cap of its type, names (ABI 2.4:
 * the derivation tree's parenthood and the "last cap to an object" test)? */
static inline bool arch_same_region_as(cap_t a, cap_t b);

/* Rights masking of a port cap by a seL4_CapRights word (frames: their VM
 * rights, vm_rights_mask). */
static inline cap_t arch_mask_cap_rights(cap_t cap, word_t rights);

/* Derive a port cap (ABI 5.6: Copy, Mint, cap transfer, the caps a TCB
 * keeps): 0 and the derived cap in *cap, the null cap if the type cannot
 * be derived, or the seL4 error that refuses it. */
static inline word_t arch_derive_cap(cap_t *cap);

/* A cap is leaving its slot (deletion, inline: every delete asks). */
static ALWAYS_INLINE void arch_cap_removed(cap_t cap)
{
    vspace_note_cap_removed(cap);
}

/* May the cap be a thread's VSpace root (TCB_Configure, SetSpace)? */
static inline bool arch_cap_is_vspace_root(cap_t cap)
{
    return cap_type(cap) == cap_vspace && cap_vspace_has_asid(cap);
}

/* May the cap hold a thread's IPC buffer (a frame of normal memory)? */
static inline bool arch_cap_is_ipc_buffer(cap_t cap)
{
    return cap_type(cap) == cap_frame && !cap_frame_is_device(cap);
}

/* A thread's IPC buffer as the kernel reaches it: the thread's address
 * `buffer` within the frame `frame` (the cap in the TCB's IPC-buffer slot,
 * not the thread's page tables, ABI 3.2); NULL when absent: no frame, a
 * device frame, or (when `writing`) a frame that is not ReadWrite. */
static ALWAYS_INLINE word_t *arch_ipc_buffer(cap_t frame, vaddr_t buffer, bool writing)
{
    if (cap_type(frame) != cap_frame || cap_frame_is_device(frame)) {
        return NULL;
    }
    word_t rights = cap_frame_vm_rights(frame);
    if (rights == VM_KERNEL_ONLY || (writing && rights != VM_READ_WRITE)) {
        return NULL;
    }
    word_t offset = buffer & MASK(cap_frame_size_bits(frame));
    return arch_paddr_to_ptr(cap_paddr(frame) + offset);
}

/* Retype of the port's object types (seL4 object type numbers): their
 * size as a power of two (0: not one of them), a new object's original cap
 * (in zeroed memory, or device memory for frames), and whether the type
 * is a frame (the only port objects allowed in device memory). */
word_t arch_object_size_bits(word_t type);
cap_t arch_object_create(word_t type, paddr_t base, bool device);

static inline bool arch_object_is_frame(word_t type)
{
    return type == seL4_ARM_SmallPageObject || type == seL4_ARM_LargePageObject ||
           type == seL4_ARM_HugePageObject;
}

/* Release what the kernel holds for a port cap (its mapping) or, when
 * `final`, for its object; returns what remains (the null cap). */
cap_t arch_object_finalise(cap_t cap, bool final);

/* The methods of the port's caps (and IllegalOperation for any other cap
 * the generic dispatch does not know), and IRQ control's methods the port
 * adds (ARMIRQIssueIRQHandlerTrigger, ARMIRQIssueSGISignal). */
enum exception arch_decode_invocation(struct invocation *inv);
enum exception arch_decode_irq_control_invocation(struct invocation *inv);

/* --- interrupts, the tick, the console (the board) ----------------------------- */

/* Interrupt numbers 0..ARCH_MAX_IRQ are valid (GIC interrupt IDs); the
 * kernel's tick is ARCH_TIMER_IRQ, which user level never gets. */
#define ARCH_MAX_IRQ PLAT_MAX_IRQ
#define ARCH_TIMER_IRQ PLAT_TIMER_IRQ

/* Set up the interrupt controller (boot). */
void arch_irq_init(void);
/* The highest-priority pending interrupt, acknowledged; IRQ_NONE if none. */
irq_t arch_irq_get_pending(void);
/* Signal the end of handling (the interrupt may fire again once unmasked). */
void arch_irq_end(irq_t irq);
void arch_irq_mask(irq_t irq);
void arch_irq_unmask(irq_t irq);
/* Is an interrupt waiting? (Preemption points poll this.) */
bool arch_irq_is_pending(void);

/* Start the kernel's tick (every CONFIG_TIMER_TICK_MS), and re-arm it for
 * the next one. */
void arch_timer_init(void);
void arch_timer_ack(void);

/* Write one character to the kernel's debug console. */
void arch_putchar(char c);

/* --- the hardware debug API ----------------------------------------------------- */

/* Defined only with CONFIG_HARDWARE_DEBUG_API (debug.c, docs/debug.md), so
 * callers test the option. API IDs are seL4's: instruction breakpoints from
 * seL4_FirstBreakpoint, data watchpoints from seL4_FirstWatchpoint. */

/* What GetBreakpoint reports for one API ID. */
typedef struct arch_breakpoint {
    word_t vaddr;
    word_t type; /* seL4_InstructionBreakpoint or seL4_DataBreakpoint */
    word_t size;
    word_t rw;
    bool enabled;
} arch_breakpoint_t;

/* How many registers of the API's `type` the CPU has (at most the API's). */
word_t arch_debug_registers(word_t type);

/* May a breakpoint or watchpoint be set at `vaddr` (a user address)? */
bool arch_debug_user_address(vaddr_t vaddr);

/* The performs of SetBreakpoint, GetBreakpoint, UnsetBreakpoint and
 * ConfigureSingleStepping, on checked arguments. Configuring returns
 * bp_was_consumed. */
void arch_debug_set_breakpoint(struct tcb *thread, word_t bp_num, vaddr_t vaddr, word_t type,
                               word_t size, word_t rw);
arch_breakpoint_t arch_debug_get_breakpoint(const struct tcb *thread, word_t bp_num);
void arch_debug_unset_breakpoint(struct tcb *thread, word_t bp_num);
bool arch_debug_configure_stepping(struct tcb *thread, word_t instructions);

/* A handler replied to the thread's single-step fault: `instructions` to
 * run before the next one (0 stops stepping). Ignored if stepping has been
 * turned off since the fault. */
void arch_debug_step_reply(struct tcb *thread, word_t instructions);

/* The thread is being destroyed: the debug registers must not stay its. */
void arch_debug_release(struct tcb *thread);

/* Does the thread use the debug hardware? The fastpath leaves such a thread
 * to the slow path (arch/debug.h); always false without the API. */
static ALWAYS_INLINE bool arch_debug_in_use(const arch_tcb_t *arch)
{
#if CONFIG_HARDWARE_DEBUG_API
    return arch->debug.in_use != NULL;
#else
    (void)arch;
    return false;
#endif
}
