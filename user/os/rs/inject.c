/* Fault injection (rs.h, proto/rs.proto inject; docs/reliability.md): rs
 * stops a component where it is and corrupts its state, as MINIX's SWIFI
 * campaign did, then lets it run; what follows (a fault, a wrong answer,
 * nothing, a hang) is the component's and the recovery's business. */
#include "rs.h"

#include <errno.h>
#include <keel/os/timer.h>
#include <keel/proto/rs_server.h>
#include <keel/string.h>
#include <splitmix64.h>

#define PAGE ((seL4_Word)1 << seL4_PageBits)
#define REGISTERS (sizeof(seL4_UserContext) / sizeof(seL4_Word))
#define SPSR_INDEX 2  /* pc, sp, spsr, x0, ...: the saved PSTATE is no register to flip */
#define GENERAL 34    /* pc, sp, spsr and x0..x30: the rest are the TLS registers */
#define NO_CODE 0xff0 /* in the unmapped page at 0: an instruction fetch faults */
#define OWN_RUNS 16   /* runs of own pages kept per component */

static uint64_t random_state;

/* Seeded from the counter at the first use, or by the injection's seed. */
static uint64_t random_next(void)
{
    if (random_state == 0) {
        random_state = keel_counter();
    }
    return splitmix64_next(&random_state);
}

/* The delayed injection (proto/rs.proto inject with delay_us): the one
 * rs waits to make, and the caller's reply cap. */
static struct {
    rs_component_t *c; /* NULL: none waits */
    uint64_t kind;
    uint64_t due;        /* the next look: a counter value */
    uint64_t waits_till; /* till then, a target at a system call is no moment */
    uint64_t ends_at;    /* the last look */
    seL4_CPtr reply;
} later;

/* A delayed injection that finds its target waiting in a system call
 * looks again 20-200 us later, for up to LATER_WINDOW_US, so that it lands
 * in the middle of the target's work whenever the workload keeps it busy
 * at all; then it is made where the target stands. A window, not a count
 * of looks: with the timer down, rs looks only at the rtc's seconds. */
#define LATER_WINDOW_US 100000
#define LATER_GAP_MIN_US 20
#define LATER_GAP_SPAN_US 180

/* --- the pages a flip may hit ------------------------------------------- */

/* Pages of a component's own memory at consecutive addresses whose frames
 * are in consecutive slots (a page table the builder made between two
 * pages starts a new run), all of one segment's flags. */
typedef struct own_run {
    seL4_Word vaddr;
    seL4_CPtr frame;
    uint32_t pages;
    uint32_t flags; /* KB_SEG_* */
} own_run_t;

typedef struct own_pages {
    own_run_t run[OWN_RUNS];
    uint32_t nruns;
} own_pages_t;

/* Per component (its index): only its ELF segments and stack, made from
 * its own quota -- never a page it shares (channels, devices, files) nor
 * its start page or IPC buffer. */
static own_pages_t owned[KEEL_SYSDESC_MAX_COMPONENTS];

static bool extends(const own_run_t *r, seL4_Word vaddr, seL4_CPtr frame, uint32_t flags)
{
    return r->flags == flags && vaddr == r->vaddr + r->pages * PAGE && frame == r->frame + r->pages;
}

void rs_inject_own_page(kb_proc_t *p, seL4_Word vaddr, seL4_CPtr frame, uint32_t flags)
{
    uint32_t i = 0;
    while (i < KEEL_SYSDESC_MAX_COMPONENTS && &rs.comp[i].proc != p) {
        i++;
    }
    if (i == KEEL_SYSDESC_MAX_COMPONENTS) {
        return;
    }
    own_pages_t *own = &owned[i];
    own_run_t *last = own->nruns > 0 ? &own->run[own->nruns - 1] : NULL;
    /* The builder takes slots in ascending order, and a rebuild starts
     * again from the first of the range: a frame below the last one seen
     * begins a new build of the component. */
    if (last != NULL && frame < last->frame + last->pages) {
        own->nruns = 0;
        last = NULL;
    }
    if (last != NULL && extends(last, vaddr, frame, flags)) {
        last->pages++;
    } else if (own->nruns < OWN_RUNS) { /* beyond: pages a flip does not choose */
        own->run[own->nruns++] = (own_run_t){ vaddr, frame, 1, flags };
    }
}

/* Has run r `flag` and none of `without`? */
static bool run_is(const own_run_t *r, uint32_t flag, uint32_t without)
{
    return (r->flags & flag) != 0 && (r->flags & without) == 0;
}

static seL4_Word pages_with(const own_pages_t *own, uint32_t flag, uint32_t without)
{
    seL4_Word n = 0;
    for (uint32_t i = 0; i < own->nruns; i++) {
        n += run_is(&own->run[i], flag, without) ? own->run[i].pages : 0;
    }
    return n;
}

/* Page `n` (0..) of those with `flag` and none of `without`: its vaddr
 * and frame. */
static seL4_CPtr page_with(const own_pages_t *own, uint32_t flag, uint32_t without, seL4_Word n,
                           seL4_Word *vaddr)
{
    for (uint32_t i = 0; i < own->nruns; i++) {
        const own_run_t *r = &own->run[i];
        if (!run_is(r, flag, without)) {
            continue;
        }
        if (n < r->pages) {
            *vaddr = r->vaddr + n * PAGE;
            return r->frame + n;
        }
        n -= r->pages;
    }
    return 0;
}

/* Code: executable and never writable (kb_elf_check refuses a segment
 * that is both, so this only makes sure). */
seL4_Word rs_code_pages(const rs_component_t *c)
{
    return pages_with(&owned[c->index], KB_SEG_X, KB_SEG_W);
}

seL4_CPtr rs_code_page(const rs_component_t *c, seL4_Word n, seL4_Word *vaddr)
{
    return page_with(&owned[c->index], KB_SEG_X, KB_SEG_W, n, vaddr);
}

/* --- changing its registers --------------------------------------------- */

/* Stop it where it is (TCB_ReadRegisters with suspend), change its
 * registers with `change`, let it run. */
static long with_registers(rs_component_t *c, void (*change)(seL4_UserContext *, rs_injected_t *),
                           rs_injected_t *done)
{
    seL4_UserContext regs;
    seL4_Error err = seL4_TCB_ReadRegisters(c->proc.tcb, true, 0, REGISTERS, &regs);
    if (err != seL4_NoError) {
        return -ESRCH;
    }
    seL4_Word pc = regs.pc;
    change(&regs, done);
    done->pc = pc;
    done->in_syscall = rs_at_svc(c, pc);
    err = seL4_TCB_WriteRegisters(c->proc.tcb, true, 0, REGISTERS, &regs);
    return err == seL4_NoError ? 0 : -ESRCH;
}

/* An illegal access at the point where it stopped: its next instruction
 * comes from an unmapped address. */
static void crash(seL4_UserContext *regs, rs_injected_t *done)
{
    regs->pc = (random_next() % NO_CODE) & ~(seL4_Word)3;
    done->target = RS_TARGET_PC;
    done->address = regs->pc;
    done->bit = 0;
}

/* An infinite loop in the middle of its work: done->address, the branch
 * to itself found before it was stopped. */
static void hang_at(seL4_UserContext *regs, rs_injected_t *done)
{
    regs->pc = done->address;
}

static void flip_register(seL4_UserContext *regs, rs_injected_t *done)
{
    seL4_Word *word = (seL4_Word *)regs;
    unsigned index = (unsigned)(random_next() % (GENERAL - 1));
    index += index >= SPSR_INDEX; /* never the PSTATE */
    unsigned bit = (unsigned)(random_next() % 64);
    word[index] ^= (seL4_Word)1 << bit;
    done->target = RS_TARGET_REGISTER;
    done->address = index;
    done->bit = bit;
}

static long hang(rs_component_t *c, rs_injected_t *done)
{
    *done = (rs_injected_t){ .target = RS_TARGET_PC, .address = rs_branch_to_self(c) };
    return done->address != 0 ? with_registers(c, hang_at, done) : -ENOSYS;
}

/* --- changing its memory ------------------------------------------------ */

/* XOR `mask` into the byte at `offset` of `frame` through rs's scratch
 * page (a copy of the cap: the frame is mapped in the component). */
static seL4_Error flip_frame(seL4_CPtr frame, seL4_Word offset, uint8_t mask, bool code)
{
    seL4_CPtr copy = rs.spare_slot;
    seL4_Error err =
        seL4_CNode_Copy(RS_ROOT, copy, RS_DEPTH, RS_ROOT, frame, RS_DEPTH, seL4_AllRights);
    if (err != seL4_NoError) {
        return err;
    }
    err = kb_scratch_map(&rs_host, copy);
    if (err == seL4_NoError) {
        *((volatile uint8_t *)rs_host.scratch + offset) ^= mask;
        err = kb_scratch_unmap(copy, code);
    }
    seL4_CNode_Delete(RS_ROOT, copy, RS_DEPTH);
    return err;
}

/* One random bit of one random page of c's own pages with `flag`
 * (KB_SEG_W: data, KB_SEG_X: code). rs runs above every component on the
 * one core, so the component stands still meanwhile without being
 * stopped. */
static long flip_page(rs_component_t *c, uint32_t flag, rs_injected_t *done)
{
    const own_pages_t *own = &owned[c->index];
    seL4_Word pages = pages_with(own, flag, 0);
    if (pages == 0) {
        return with_registers(c, flip_register, done);
    }
    seL4_UserContext regs; /* only its pc: where it stood */
    if (seL4_TCB_ReadRegisters(c->proc.tcb, false, 0, 1, &regs) != seL4_NoError) {
        return -ESRCH;
    }
    seL4_Word vaddr = 0;
    seL4_CPtr frame = page_with(own, flag, 0, random_next() % pages, &vaddr);
    seL4_Word bit = random_next() % (PAGE * 8);
    if (flip_frame(frame, bit / 8, (uint8_t)(1u << (bit % 8)), flag == KB_SEG_X) != seL4_NoError) {
        return -EIO;
    }
    *done = (rs_injected_t){ .target = flag == KB_SEG_X ? RS_TARGET_CODE : RS_TARGET_DATA,
                             .address = vaddr + bit / 8,
                             .bit = bit % 8,
                             .pc = regs.pc,
                             .in_syscall = rs_at_svc(c, regs.pc) };
    return 0;
}

/* The run of own pages holding vaddr that a flip may hit (data or code),
 * or NULL. */
static const own_run_t *flippable_run(const own_pages_t *own, seL4_Word vaddr)
{
    for (uint32_t i = 0; i < own->nruns; i++) {
        const own_run_t *r = &own->run[i];
        if ((run_is(r, KB_SEG_W, 0) || run_is(r, KB_SEG_X, 0)) && vaddr >= r->vaddr &&
            vaddr - r->vaddr < r->pages * PAGE) {
            return r;
        }
    }
    return NULL;
}

long rs_flip_at(rs_component_t *c, seL4_Word address, unsigned bit)
{
    if (c->state != RS_RUNNING) {
        return -ESRCH;
    }
    const own_run_t *r = flippable_run(&owned[c->index], address);
    if (r == NULL) {
        return -EFAULT;
    }
    seL4_Word offset = address - r->vaddr;
    bool code = run_is(r, KB_SEG_X, KB_SEG_W);
    seL4_Error err =
        flip_frame(r->frame + offset / PAGE, offset % PAGE, (uint8_t)(1u << bit), code);
    return err == seL4_NoError ? 0 : -EIO;
}

/* A register, a data page or a code page, each a third of the time. */
static long flip(rs_component_t *c, rs_injected_t *done)
{
    switch (random_next() % 3) {
    case 0:
        return with_registers(c, flip_register, done);
    case 1:
        return flip_page(c, KB_SEG_W, done);
    default:
        return flip_page(c, KB_SEG_X, done);
    }
}

long rs_inject(rs_component_t *c, uint64_t kind, uint64_t seed, rs_injected_t *done)
{
    *done = (rs_injected_t){ .target = RS_TARGET_NONE };
    if (seed != 0) {
        random_state = seed;
    }
    if (c->state != RS_RUNNING) {
        return -ESRCH;
    }
    switch (kind) {
    case RS_INJECT_CRASH:
        return with_registers(c, crash, done);
    case RS_INJECT_HANG:
        return hang(c, done);
    case RS_INJECT_FLIP:
        return flip(c, done);
    default: /* RS_INJECT_KILL */
        return rs_restart(c, RS_LAST_KILL) ? 0 : -EIO;
    }
}

/* --- at rs's own moment ------------------------------------------------- */

static uint64_t us_to_ticks(uint64_t us)
{
    return keel_ns_to_ticks(us * 1000, keel_counter_frequency());
}

static void wake_in_us(uint64_t us)
{
    later.due = keel_add_saturated(keel_counter(), us_to_ticks(us));
    rs_heartbeat_wake_at(later.due);
}

bool rs_inject_init(void)
{
    later.reply = rs_slots(1);
    return later.reply != 0;
}

long rs_inject_later(rs_component_t *c, uint64_t kind, uint64_t delay_us, uint64_t seed)
{
    if (!rs_heartbeat_has_clock()) {
        return -ENOSYS; /* nothing would wake rs to make it */
    }
    if (later.c != NULL) {
        return -EBUSY;
    }
    /* A caller killed while it waited leaves no cap behind (revoked with
     * it), but a stale one must not make SaveCaller fail. */
    seL4_CNode_Delete(RS_ROOT, later.reply, RS_DEPTH);
    if (seL4_CNode_SaveCaller(RS_ROOT, later.reply, RS_DEPTH) != seL4_NoError) {
        return -EIO;
    }
    if (seed != 0) {
        random_state = seed; /* the gaps between tries are drawn too */
    }
    later.c = c;
    later.kind = kind;
    wake_in_us(delay_us);
    later.waits_till = keel_add_saturated(later.due, us_to_ticks(LATER_WINDOW_US));
    later.ends_at = keel_add_saturated(later.waits_till, us_to_ticks(LATER_WINDOW_US));
    return KEEL_PROTO_DEFERRED;
}

/* Is now no moment to inject into c -- it waits out a backoff delay, it
 * stands at a system call (while `waiting_too` says that counts), or
 * right after an access to its device? */
static bool no_moment(rs_component_t *c, bool waiting_too)
{
    seL4_UserContext regs;
    if (c->state == RS_WAITING) {
        return true; /* being restarted after its backoff: it comes back */
    }
    if (c->state != RS_RUNNING ||
        seL4_TCB_ReadRegisters(c->proc.tcb, false, 0, REGISTERS, &regs) != seL4_NoError) {
        return false; /* down: rs_inject answers -ESRCH */
    }
    return (waiting_too && rs_at_svc(c, regs.pc)) || rs_after_device_access(c, &regs);
}

void rs_inject_due(uint64_t now)
{
    if (later.c == NULL || now < later.due) {
        return;
    }
    rs_component_t *c = later.c;
    /* At a system call: looked past after the window. Right after a device
     * access: for a window more -- a driver preempted there moves on as
     * soon as it runs again. */
    if (now < later.ends_at && no_moment(c, now < later.waits_till)) {
        wake_in_us(LATER_GAP_MIN_US + random_next() % LATER_GAP_SPAN_US);
        return;
    }
    later.c = NULL;
    rs_injected_t done;
    long r = rs_inject(c, later.kind, 0, &done);
    /* NBSend: a caller gone meanwhile is no fault for rs. */
    seL4_NBSend(later.reply, proto_rs_inject_reply(r, done.target, done.address, done.bit, done.pc,
                                                   done.in_syscall));
}
