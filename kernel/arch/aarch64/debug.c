/* The hardware debug API on AArch64 (CONFIG_HARDWARE_DEBUG_API; docs/debug.md):
 * EL0 breakpoints, watchpoints and software step for user threads, debug
 * exceptions turned into DebugException faults. A thread's state lives in
 * its TCB as the API set it (arch/context.h); the registers are written when
 * a thread that uses them is switched to (arch/debug.h). The kernel never
 * takes a debug exception itself: every breakpoint and watchpoint matches at
 * EL0 only, MDSCR_EL1.KDE stays 0. */
#include <config.h>

#if CONFIG_HARDWARE_DEBUG_API

#include <arch/arch.h>
#include <arch/debug.h>
#include <arch/machine.h>
#include <arch/vspace.h>
#include <fault.h>
#include <keel/gen/abi.h>
#include <panic.h>
#include <thread.h>

_Static_assert(DEBUG_API_IDS == seL4_NumHWBreakpoints, "one debug_state_t slot per API ID");
_Static_assert(seL4_FirstBreakpoint == 0 && seL4_FirstWatchpoint == seL4_NumExclusiveBreakpoints &&
                   seL4_NumExclusiveBreakpoints + seL4_NumExclusiveWatchpoints == DEBUG_API_IDS,
               "instruction breakpoints first, then watchpoints");

#define ID_AA64DFR0_BRPS(v) ((((v) >> 12) & 0xf) + 1) /* breakpoints implemented */
#define ID_AA64DFR0_WRPS(v) ((((v) >> 20) & 0xf) + 1) /* watchpoints implemented */

#define MDSCR_SS BIT(0)   /* software step enabled */
#define MDSCR_MDE BIT(15) /* breakpoint and watchpoint exceptions enabled */
#define SPSR_SS BIT(21)   /* step the next instruction */

#define BCR_ENABLE BIT(0)
#define BCR_EL0 (2ull << 1)               /* PMC: match at EL0 only */
#define BCR_A64_INSTRUCTION (0xfull << 5) /* BAS: the whole 4-byte instruction */
#define WCR_ENABLE BIT(0)
#define WCR_EL0 (2ull << 1)  /* PAC: match EL0 accesses only */
#define WCR_LOAD (1ull << 3) /* LSC */
#define WCR_STORE (2ull << 3)
#define WCR_BAS_SHIFT 5      /* byte select within the doubleword */
#define WVR_DOUBLEWORD ~7ull /* DBGWVR holds a doubleword address */

#define EC_BREAKPOINT 0x30
#define EC_SOFTWARE_STEP 0x32
#define EC_WATCHPOINT 0x34
#define EC_BRK 0x3c
#define ESR_WNR BIT(6) /* watchpoint: the access was a write */

tcb_t *ks_debug_owner;
static word_t breakpoints_implemented;
static word_t watchpoints_implemented;
static word_t mdscr_now;

/* The registers are named by number: one case each. */
#define BREAKPOINT_CASE(n)                                                                         \
    case n:                                                                                        \
        SYSREG_WRITE(dbgbvr##n##_el1, value);                                                      \
        SYSREG_WRITE(dbgbcr##n##_el1, control);                                                    \
        break
#define WATCHPOINT_CASE(n)                                                                         \
    case n:                                                                                        \
        SYSREG_WRITE(dbgwvr##n##_el1, value);                                                      \
        SYSREG_WRITE(dbgwcr##n##_el1, control);                                                    \
        break

static void write_breakpoint(word_t n, word_t value, word_t control)
{
    switch (n) {
        BREAKPOINT_CASE(0);
        BREAKPOINT_CASE(1);
        BREAKPOINT_CASE(2);
        BREAKPOINT_CASE(3);
        BREAKPOINT_CASE(4);
        BREAKPOINT_CASE(5);
    default:
        break;
    }
}

static void write_watchpoint(word_t n, word_t value, word_t control)
{
    switch (n) {
        WATCHPOINT_CASE(0);
        WATCHPOINT_CASE(1);
        WATCHPOINT_CASE(2);
        WATCHPOINT_CASE(3);
    default:
        break;
    }
}

static void set_mdscr(word_t value)
{
    if (value != mdscr_now) {
        SYSREG_WRITE(mdscr_el1, value);
        mdscr_now = value;
    }
}

static void disable_all(void)
{
    for (word_t i = 0; i < breakpoints_implemented; i++) {
        write_breakpoint(i, 0, 0);
    }
    for (word_t i = 0; i < watchpoints_implemented; i++) {
        write_watchpoint(i, 0, 0);
    }
    set_mdscr(MDSCR_MDE);
}

static word_t watchpoint_control(const debug_state_t *d, word_t id)
{
    word_t bytes = (BIT(d->size[id]) - 1) << (d->vaddr[id] & 7); /* aligned: stays in the dword */
    word_t access = d->access[id] == seL4_BreakOnRead    ? WCR_LOAD
                    : d->access[id] == seL4_BreakOnWrite ? WCR_STORE
                                                         : WCR_LOAD | WCR_STORE;
    return WCR_ENABLE | WCR_EL0 | access | (bytes << WCR_BAS_SHIFT);
}

static void write_state(const debug_state_t *d)
{
    for (word_t i = 0; i < breakpoints_implemented; i++) {
        word_t id = seL4_FirstBreakpoint + i;
        bool on = d->enabled & BIT(id);
        write_breakpoint(i, d->vaddr[id], on ? BCR_ENABLE | BCR_EL0 | BCR_A64_INSTRUCTION : 0);
    }
    for (word_t i = 0; i < watchpoints_implemented; i++) {
        word_t id = seL4_FirstWatchpoint + i;
        bool on = d->enabled & BIT(id);
        write_watchpoint(i, d->vaddr[id] & WVR_DOUBLEWORD, on ? watchpoint_control(d, id) : 0);
    }
    set_mdscr(MDSCR_MDE | (d->stepping ? MDSCR_SS : 0));
}

void debug_load(tcb_t *thread)
{
    tcb_t *key = thread->arch.debug.in_use;
    if (key != ks_debug_owner) {
        if (key == NULL) {
            disable_all();
        } else {
            write_state(&thread->arch.debug);
        }
        ks_debug_owner = key; /* the exception return synchronises the change */
    }
    /* Each return to a stepping thread runs one instruction, then traps. */
    if (thread->arch.debug.stepping && thread->arch.debug.step_count != 0) {
        thread->context.r[CTX_SPSR] |= SPSR_SS;
    }
    if (key != NULL) {
        thread->arch.vspace_cache.epoch = 0; /* never current: no fastpath switches to it */
    }
}

void arch_debug_init(void)
{
    word_t dfr0 = SYSREG_READ(id_aa64dfr0_el1);
    breakpoints_implemented = MIN(ID_AA64DFR0_BRPS(dfr0), (word_t)seL4_NumExclusiveBreakpoints);
    watchpoints_implemented = MIN(ID_AA64DFR0_WRPS(dfr0), (word_t)seL4_NumExclusiveWatchpoints);
    SYSREG_WRITE(oslar_el1, 0); /* the OS lock, set at reset, blocks debug exceptions */
    mdscr_now = ~0ull;
    disable_all();
    isb();
    ks_debug_owner = NULL;
}

word_t arch_debug_registers(word_t type)
{
    return type == seL4_InstructionBreakpoint ? breakpoints_implemented : watchpoints_implemented;
}

bool arch_debug_user_address(vaddr_t vaddr)
{
    return vaddr <= USER_TOP;
}

/* After any change: the key arch/debug.h compares, and a reload at the next
 * switch (the thread may be the registers' owner). */
static void state_changed(tcb_t *thread)
{
    debug_state_t *d = &thread->arch.debug;
    d->in_use = (d->enabled != 0 || d->stepping) ? thread : NULL;
    ks_debug_owner = DEBUG_OWNER_STALE;
    if (d->in_use != NULL) {
        thread->arch.vspace_cache.epoch = 0; /* from now on no fastpath switches to it */
    }
}

void arch_debug_set_breakpoint(tcb_t *thread, word_t bp_num, vaddr_t vaddr, word_t type,
                               word_t size, word_t rw)
{
    debug_state_t *d = &thread->arch.debug;
    d->vaddr[bp_num] = vaddr;
    d->size[bp_num] = type == seL4_DataBreakpoint ? (uint8_t)size : 0;
    d->access[bp_num] = (uint8_t)rw;
    d->enabled |= (uint16_t)BIT(bp_num);
    state_changed(thread);
}

arch_breakpoint_t arch_debug_get_breakpoint(const tcb_t *thread, word_t bp_num)
{
    const debug_state_t *d = &thread->arch.debug;
    return (arch_breakpoint_t){
        .vaddr = d->vaddr[bp_num],
        .type = bp_num < seL4_FirstWatchpoint ? seL4_InstructionBreakpoint : seL4_DataBreakpoint,
        .size = d->size[bp_num],
        .rw = d->access[bp_num],
        .enabled = (d->enabled & BIT(bp_num)) != 0,
    };
}

void arch_debug_unset_breakpoint(tcb_t *thread, word_t bp_num)
{
    debug_state_t *d = &thread->arch.debug;
    d->vaddr[bp_num] = 0;
    d->size[bp_num] = 0;
    d->access[bp_num] = 0;
    d->enabled &= (uint16_t)~BIT(bp_num);
    state_changed(thread);
}

/* Stepping stops: the saved PSTATE must not ask for a step either. */
static void stop_stepping(tcb_t *thread)
{
    thread->arch.debug.stepping = false;
    thread->arch.debug.step_count = 0;
    thread->context.r[CTX_SPSR] &= ~SPSR_SS;
}

bool arch_debug_configure_stepping(tcb_t *thread, word_t instructions)
{
    if (instructions == 0) {
        stop_stepping(thread);
    } else {
        thread->arch.debug.stepping = true;
        thread->arch.debug.step_count = instructions;
    }
    state_changed(thread);
    /* Software step needs no breakpoint register; seL4 on AArch64 still
     * reports the ID as consumed while stepping is on. */
    return instructions != 0;
}

void arch_debug_step_reply(tcb_t *thread, word_t instructions)
{
    if (!thread->arch.debug.stepping) {
        return;
    }
    arch_debug_configure_stepping(thread, instructions);
}

void arch_debug_release(tcb_t *thread)
{
    if (ks_debug_owner == thread) {
        ks_debug_owner = DEBUG_OWNER_STALE;
    }
}

/* The enabled instruction breakpoint at the instruction `pc`. */
static word_t find_breakpoint(const debug_state_t *d, vaddr_t pc)
{
    for (word_t i = 0; i < breakpoints_implemented; i++) {
        word_t id = seL4_FirstBreakpoint + i;
        if ((d->enabled & BIT(id)) && (d->vaddr[id] & ~3ull) == (pc & ~3ull)) {
            return id;
        }
    }
    return seL4_FirstBreakpoint; /* none: cannot happen */
}

/* The enabled watchpoint that took the access to `address` (a write if
 * `write`): one watching the direction and that byte, else one watching the
 * direction in that doubleword (the reported address may be anywhere in a
 * wider access). */
static word_t find_watchpoint(const debug_state_t *d, vaddr_t address, bool write)
{
    word_t found = seL4_FirstWatchpoint;
    bool near = false;
    for (word_t i = 0; i < watchpoints_implemented; i++) {
        word_t id = seL4_FirstWatchpoint + i;
        word_t access = d->access[id];
        if (!(d->enabled & BIT(id)) ||
            (access != seL4_BreakOnReadWrite && write != (access == seL4_BreakOnWrite))) {
            continue;
        }
        if (address - d->vaddr[id] < d->size[id]) {
            return id;
        }
        if (!near && ((d->vaddr[id] ^ address) & WVR_DOUBLEWORD) == 0) {
            found = id;
            near = true;
        }
    }
    return found;
}

/* A software step: count it; the fault comes when the count runs out. */
static bool step_taken(tcb_t *thread)
{
    debug_state_t *d = &thread->arch.debug;
    if (!d->stepping) {
        return false; /* stepping was turned off meanwhile */
    }
    if (d->step_count != 0) {
        d->step_count--;
    }
    if (d->step_count != 0) {
        return false;
    }
    fault_set_debug(thread, seL4_SingleStep, thread->context.r[CTX_FAULT_IP], 0);
    return true;
}

bool debug_exception(tcb_t *thread, word_t esr)
{
    const debug_state_t *d = &thread->arch.debug;
    vaddr_t pc = thread->context.r[CTX_FAULT_IP];
    switch ((esr >> 26) & 0x3f) {
    case EC_SOFTWARE_STEP:
        return step_taken(thread);
    case EC_BREAKPOINT:
        fault_set_debug(thread, seL4_InstructionBreakpoint, pc, find_breakpoint(d, pc));
        return true;
    case EC_WATCHPOINT: {
        vaddr_t address = SYSREG_READ(far_el1);
        fault_set_debug(thread, seL4_DataBreakpoint, address,
                        find_watchpoint(d, address, esr & ESR_WNR));
        return true;
    }
    default: /* EC_BRK */
        fault_set_debug(thread, seL4_SoftwareBreakRequest, pc, 0);
        return true;
    }
}

void debug_check_thread(const tcb_t *thread)
{
    const debug_state_t *d = &thread->arch.debug;
    bool used = d->enabled != 0 || d->stepping;
    if (d->in_use != (used ? thread : NULL)) {
        panic("invariant: thread %p debug key %p, its state says %s", (void *)thread,
              (void *)d->in_use, used ? "in use" : "unused");
    }
    if (d->enabled >> DEBUG_API_IDS) {
        panic("invariant: thread %p enables debug IDs 0x%x", (void *)thread, d->enabled);
    }
    /* The fastpath relies on these two (arch/debug.h). */
    if (used && thread->arch.vspace_cache.epoch == ks_vspace_epoch) {
        panic("invariant: thread %p uses the debug registers with a current TTBR0 cache",
              (void *)thread);
    }
    if (thread == ks_cur_thread && ks_debug_owner != d->in_use) {
        panic("invariant: the debug registers are %p's, the current thread is %p",
              (void *)ks_debug_owner, (void *)thread);
    }
}

#endif
