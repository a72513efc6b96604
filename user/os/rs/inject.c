/* Fault injection (rs.h, proto/rs.proto inject; docs/reliability.md): rs
 * stops a component where it is and corrupts its state, as MINIX's SWIFI
 * campaign did, then lets it run; what follows (a fault, a wrong answer,
 * nothing) is the component's and the recovery's business. */
#include "rs.h"

#include <errno.h>
#include <keel/os/timer.h>
#include <keel/proto/rs_defs.h>
#include <splitmix64.h>

#define REGISTERS (sizeof(seL4_UserContext) / sizeof(seL4_Word))
#define SPSR_INDEX 2  /* pc, sp, spsr, x0, ...: the saved PSTATE is no register to flip */
#define GENERAL 34    /* pc, sp, spsr and x0..x30: the rest are the TLS registers */
#define NO_CODE 0xff0 /* in the unmapped page at 0: an instruction fetch faults */

static uint64_t random_state;

/* Seeded from the counter at the first use. */
static uint64_t random_next(void)
{
    if (random_state == 0) {
        random_state = keel_counter();
    }
    return splitmix64_next(&random_state);
}

/* Stop it, change its registers with `corrupt`, let it run. */
static long with_registers(rs_component_t *c, void (*corrupt)(seL4_UserContext *))
{
    seL4_UserContext regs;
    seL4_Error err = seL4_TCB_ReadRegisters(c->proc.tcb, true, 0, REGISTERS, &regs);
    if (err != seL4_NoError) {
        return -ESRCH;
    }
    corrupt(&regs);
    err = seL4_TCB_WriteRegisters(c->proc.tcb, true, 0, REGISTERS, &regs);
    return err == seL4_NoError ? 0 : -ESRCH;
}

/* An illegal access at the point where it stopped: its next instruction
 * comes from an unmapped address. */
static void crash(seL4_UserContext *regs)
{
    regs->pc = (random_next() % NO_CODE) & ~(seL4_Word)3;
}

static void flip(seL4_UserContext *regs)
{
    seL4_Word *word = (seL4_Word *)regs;
    unsigned index = (unsigned)(random_next() % (GENERAL - 1));
    index += index >= SPSR_INDEX; /* never the PSTATE */
    word[index] ^= (seL4_Word)1 << (random_next() % 64);
}

long rs_inject(rs_component_t *c, uint64_t kind)
{
    if (c->state != RS_RUNNING) {
        return -ESRCH;
    }
    switch (kind) {
    case RS_INJECT_CRASH:
        return with_registers(c, crash);
    case RS_INJECT_FLIP:
        return with_registers(c, flip);
    case RS_INJECT_KILL:
        return rs_restart(c, RS_LAST_KILL) ? 0 : -EIO;
    default: /* RS_INJECT_HANG: needs the heartbeat to be noticed */
        return -ENOSYS;
    }
}
