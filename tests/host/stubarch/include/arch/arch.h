/* The stub port: the smallest implementation of the architecture interface
 * (kernel/arch/aarch64/include/arch/arch.h documents every name), for
 * compiling and testing the architecture-independent kernel on the host
 * with no architecture or board header at all (tests/host/host.mk).
 *
 * It is a toy architecture: physical addresses are host addresses, a
 * thread's registers are an array of words with the ABI's roles at fixed
 * places, and its one cap type of its own is a 4 KiB frame (for IPC
 * buffers: VM rights and a device flag, never mapped). It has no address
 * spaces, interrupts, timer or console; retyping the ABI's architecture
 * object types is not supported (the host tests do not). Out-of-line hooks
 * are in tests/host/stubarch/stubarch.c. */
#pragma once

#include <cap.h>
#include <capability.h>
#include <config.h>
#include <keel/gen/abi.h>
#include <region.h>
#include <types.h>
#include <util.h>

struct tcb;
struct invocation;

/* --- memory --------------------------------------------------------------- */

static inline void *arch_paddr_to_ptr(paddr_t p)
{
    return (void *)(uintptr_t)p;
}

static inline paddr_t arch_ptr_to_paddr(const void *p)
{
    return (paddr_t)(uintptr_t)p;
}

#define ARCH_PAGE_BITS 12
#define ARCH_USER_TOP 0x00007FFFFFFFFFFFull
#define ARCH_PADDR_TOP (1ull << 48)

void arch_zero_memory(void *p, word_t size);

/* --- boot ------------------------------------------------------------------- */

typedef struct arch_boot_info {
    region_t kernel;
    region_t boot_only;
    region_t root_task;
    sword_t pv_offset;
    vaddr_t entry;
    paddr_t dtb;
} arch_boot_info_t;
arch_boot_info_t arch_boot_info(void);

void arch_init_cpu(void);
void arch_map_kernel_window(paddr_t base, paddr_t end);
void arch_exclude_kernel_devices(region_set_t *devices);
void arch_create_root_vspace(vaddr_t start, vaddr_t end);
cap_t arch_map_root_frame(paddr_t paddr, vaddr_t vaddr, bool executable);

/* --- the CPU ---------------------------------------------------------------- */

void arch_system_off(int status) NORETURN;
void arch_wait_for_interrupt(void);

/* --- a thread's registers ---------------------------------------------------- */

enum stub_register {
    STUB_REG_ARG0 = 0, /* the cap, the badge */
    STUB_REG_ARG1,     /* the message info */
    STUB_REG_MR0,      /* MR0..MR3 */
    STUB_REG_FAULT_IP = 6,
    STUB_REG_NEXT_IP,
    STUB_REG_TLS,
    STUB_REG_SP,
    STUB_CONTEXT_WORDS = 37,
};

typedef struct arch_context {
    word_t r[STUB_CONTEXT_WORDS];
} arch_context_t;

#define ARCH_REG_CAP STUB_REG_ARG0
#define ARCH_REG_BADGE STUB_REG_ARG0
#define ARCH_REG_MSG_INFO STUB_REG_ARG1
#define ARCH_REG_MR0 STUB_REG_MR0
#define ARCH_MSG_REGISTERS 4
#define ARCH_REG_FAULT_IP STUB_REG_FAULT_IP
#define ARCH_REG_NEXT_IP STUB_REG_NEXT_IP
#define ARCH_REG_TLS STUB_REG_TLS

static inline void arch_context_init(arch_context_t *context)
{
    (void)context; /* every register starts at 0 */
}

static inline word_t arch_sanitise_register(word_t reg, word_t value)
{
    (void)reg;
    return value;
}

/* seL4_UserContext is the first ARCH_USER_CONTEXT_WORDS registers. */
#define ARCH_USER_CONTEXT_WORDS 36
#define ARCH_USER_CONTEXT_FRAME_WORDS 17

static inline word_t arch_user_context_register(word_t i)
{
    return i;
}

/* The fault messages carry the first registers, then the two roles. */
static const uint8_t arch_syscall_fault_registers[seL4_UnknownSyscall_Syscall] = {
    0, 1, 2, 3, 4, 5, 10, 11, STUB_REG_FAULT_IP, STUB_REG_SP, STUB_REG_NEXT_IP, 12,
};
static const uint8_t arch_exception_fault_registers[seL4_UserException_Number] = {
    STUB_REG_FAULT_IP,
    STUB_REG_SP,
    12,
};

void arch_restore_user_context(arch_context_t *context) NORETURN;
void arch_dump_user_context(const arch_context_t *context);
void arch_dump_user_stack(struct tcb *thread, unsigned words);

/* --- threads ------------------------------------------------------------------ */

typedef struct arch_tcb {
    word_t unused;
} arch_tcb_t;

void arch_activate_thread(struct tcb *thread);
void arch_fpu_release(struct tcb *thread);
void arch_check_thread_invariants(struct tcb *thread);

/* No address space is ever known good: the fastpath always hands over to
 * the slow path. */
static inline word_t arch_fastpath_vspace(const arch_tcb_t *arch)
{
    (void)arch;
    return 0;
}

void arch_fastpath_switch(struct tcb *thread, arch_context_t *context, word_t vspace) NORETURN;

/* --- capabilities and objects -------------------------------------------------- */

/* The stub's frame (4 KiB, never mapped): word 0 [58:57] VM rights,
 * [56] device. */
enum stub_cap_type { cap_stub_frame = 1 };
CAP_FIELD(stub_frame_vm_rights, 0, 57, 2)
CAP_FIELD(stub_frame_is_device, 0, 56, 1)

static inline bool arch_cap_is_arch(cap_t cap)
{
    return cap_type(cap) & 1;
}

static inline unsigned arch_cap_size_bits(cap_t cap)
{
    return cap_type(cap) == cap_stub_frame ? ARCH_PAGE_BITS : 0;
}

static inline bool arch_same_region_as(cap_t a, cap_t b)
{
    return cap_type(a) == cap_stub_frame && cap_paddr(a) == cap_paddr(b) &&
           cap_stub_frame_is_device(a) == cap_stub_frame_is_device(b);
}

static inline cap_t arch_mask_cap_rights(cap_t cap, word_t rights)
{
    if (cap_type(cap) != cap_stub_frame) {
        return cap;
    }
    return cap_with_stub_frame_vm_rights(cap,
                                         vm_rights_mask(cap_stub_frame_vm_rights(cap), rights));
}

static inline word_t arch_derive_cap(cap_t *cap)
{
    (void)cap;
    return 0;
}

static inline void arch_cap_removed(cap_t cap)
{
    (void)cap;
}

static inline bool arch_cap_is_vspace_root(cap_t cap)
{
    (void)cap;
    return false;
}

static inline bool arch_cap_is_ipc_buffer(cap_t cap)
{
    return cap_type(cap) == cap_stub_frame && !cap_stub_frame_is_device(cap);
}

static inline word_t *arch_ipc_buffer(cap_t frame, vaddr_t buffer, bool writing)
{
    word_t rights = cap_stub_frame_vm_rights(frame);
    if (!arch_cap_is_ipc_buffer(frame) || rights == VM_KERNEL_ONLY ||
        (writing && rights != VM_READ_WRITE)) {
        return NULL;
    }
    return arch_paddr_to_ptr(cap_paddr(frame) + (buffer & MASK(ARCH_PAGE_BITS)));
}

word_t arch_object_size_bits(word_t type);
cap_t arch_object_create(word_t type, paddr_t base, bool device);

static inline bool arch_object_is_frame(word_t type)
{
    (void)type;
    return false;
}

cap_t arch_object_finalise(cap_t cap, bool final);
enum exception arch_decode_invocation(struct invocation *inv);
enum exception arch_decode_irq_control_invocation(struct invocation *inv);

/* --- interrupts, the tick, the console ------------------------------------------ */

#define ARCH_MAX_IRQ 63
#define ARCH_TIMER_IRQ 0

void arch_irq_init(void);
irq_t arch_irq_get_pending(void);
void arch_irq_end(irq_t irq);
void arch_irq_mask(irq_t irq);
void arch_irq_unmask(irq_t irq);
bool arch_irq_is_pending(void);
void arch_timer_init(void);
void arch_timer_ack(void);
void arch_putchar(char c);

/* --- the hardware debug API ----------------------------------------------------- */

typedef struct arch_breakpoint {
    word_t vaddr;
    word_t type;
    word_t size;
    word_t rw;
    bool enabled;
} arch_breakpoint_t;

word_t arch_debug_registers(word_t type);
bool arch_debug_user_address(vaddr_t vaddr);
void arch_debug_set_breakpoint(struct tcb *thread, word_t bp_num, vaddr_t vaddr, word_t type,
                               word_t size, word_t rw);
arch_breakpoint_t arch_debug_get_breakpoint(const struct tcb *thread, word_t bp_num);
void arch_debug_unset_breakpoint(struct tcb *thread, word_t bp_num);
bool arch_debug_configure_stepping(struct tcb *thread, word_t instructions);
void arch_debug_step_reply(struct tcb *thread, word_t instructions);
void arch_debug_release(struct tcb *thread);

static inline bool arch_debug_in_use(const arch_tcb_t *arch)
{
    (void)arch;
    return false;
}
