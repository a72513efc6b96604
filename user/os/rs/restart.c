/* Restarting a component (rs.h; docs/reliability.md): tear it down
 * completely and build it again from the pristine ELF of the boot archive.
 * Everything the component owned came from its quota untyped into its
 * range of rs's slots (build.c), so a revoke of the one and emptying the
 * other gives all of it back; what it shares with others (endpoints,
 * notifications, channel pages, IRQ handlers: objects.c) is rs's and
 * stays, so its clients' capabilities stay valid. A driver's new instance
 * meets its clients through the channel handshake (keel/os/ring.h). */
#include "rs.h"

#include <keel/os/timer.h>
#include <keel/printf.h>
#include <keel/proto/rs_defs.h>

#define RESTART_WINDOW_S 60 /* the description's limit counts restarts in a minute */
#define RS_STABLE_MS 1000   /* a failure later than this after its start ends a run */
#define RS_BACKOFF_MAX_MS 5000

static void teardown(rs_component_t *c)
{
    seL4_TCB_Suspend(c->proc.tcb);
    seL4_CNode_Revoke(RS_ROOT, c->proc.untyped, RS_DEPTH);
    for (seL4_Word i = 0; i < c->proc.used_slots; i++) {
        seL4_CNode_Delete(RS_ROOT, c->proc.first_slot + i,
                          RS_DEPTH); /* the shared frames' copies */
    }
    c->proc.used = 0;
    c->proc.used_slots = 0;
    c->proc.pages = 0;
    c->proc.cnode = c->proc.vspace = c->proc.tcb = c->proc.ipc_buffer = 0;
    c->ncaps = 0;
}

/* Has the component restarted `limit` times within the last minute? The
 * times of its last restarts are kept in a ring of RS_RESTARTS_KEPT. */
static bool over_limit(const rs_component_t *c, uint64_t now)
{
    uint32_t limit = c->desc->restart_limit;
    if (limit == 0 || limit > RS_RESTARTS_KEPT || c->restarts < limit) { /* 0: no limit */
        return false;
    }
    uint64_t oldest = c->restart_at[(c->restarts - limit) % RS_RESTARTS_KEPT];
    return now - oldest < RESTART_WINDOW_S * keel_counter_frequency();
}

static void note_restart(rs_component_t *c, uint64_t now)
{
    c->restart_at[c->restarts % RS_RESTARTS_KEPT] = now;
    c->restarts++;
}

/* Down for good: its clients are told (their requests fail, EIO). */
static bool stays_down(rs_component_t *c)
{
    c->state = RS_FAILED;
    rs_channels_down(c);
    return false;
}

static const char *cause_name(uint32_t cause)
{
    switch (cause) {
    case RS_LAST_FAULT:
        return "after a fault";
    case RS_LAST_EXIT:
        return "after it exited";
    case RS_LAST_HANG:
        return "after it hung";
    case RS_LAST_KILL:
        return "killed";
    case RS_LAST_CODE:
        return "after its code was damaged";
    default:
        return "on request"; /* rs.restart: `service restart`, a client that found it stuck */
    }
}

/* Build the torn-down c again and start it. */
static bool build_again(rs_component_t *c, uint64_t now)
{
    if (!rs_build(c) || seL4_TCB_Resume(c->proc.tcb) != seL4_NoError) {
        printf("rs: %s cannot be built again; it stays down\n", c->desc->name);
        teardown(c);
        return stays_down(c);
    }
    c->state = RS_RUNNING;
    c->started_at = now;
    rs_heartbeat_reset(c);
    printf("rs: %s restarted (%s), restart %lu\n", c->desc->name, cause_name(c->last),
           (unsigned long)c->restarts);
    return true;
}

/* Tear c down and count the restart; false if it stays down instead. */
static bool take_down(rs_component_t *c, uint32_t cause, uint64_t now)
{
    teardown(c);
    c->last = cause;
    if (over_limit(c, now)) {
        printf("rs: %s restarted %u times within a minute; it stays down\n", c->desc->name,
               c->desc->restart_limit);
        return stays_down(c);
    }
    note_restart(c, now);
    return true;
}

bool rs_restart(rs_component_t *c, uint32_t cause)
{
    uint64_t now = keel_counter();
    if (c->state == RS_UNBUILT || c->state == RS_FAILED) {
        return false;
    }
    c->streak = 0; /* by hand: a fresh start, no backoff owed */
    return take_down(c, cause, now) && build_again(c, now);
}

/* The delay before the restart after a failure: none for the first of a
 * run, then the description's backoff doubling with each failure that
 * came within RS_STABLE_MS of its start, up to RS_BACKOFF_MAX_MS. */
static uint64_t backoff_ms(rs_component_t *c, uint64_t now)
{
    uint64_t ran_ms = keel_ticks_to_ns(now - c->started_at, keel_counter_frequency()) / 1000000;
    c->streak = ran_ms < RS_STABLE_MS ? c->streak + 1 : 1;
    if (c->desc->backoff_ms == 0 || c->streak < 2 || !rs_heartbeat_can_wait(c)) {
        return 0;
    }
    uint32_t doublings = c->streak - 2 < 16 ? c->streak - 2 : 16;
    uint64_t delay = (uint64_t)c->desc->backoff_ms << doublings;
    return delay < RS_BACKOFF_MAX_MS ? delay : RS_BACKOFF_MAX_MS;
}

/* The core (rs, pm, vfs: `restart halt`) holds what every program
 * depends on -- processes, descriptors -- and no client could go on
 * without it: its failure stops the system, with a report. */
static __attribute__((noreturn)) void halt_system(const rs_component_t *c)
{
    printf("rs: %s is part of the unrecoverable core; the system halts\n", c->desc->name);
    seL4_DebugHalt();
    for (;;) {
        seL4_TCB_Suspend(seL4_CapInitThreadTCB);
    }
}

void rs_failed(rs_component_t *c, uint32_t cause)
{
    if (c->desc->restart == KEEL_RESTART_HALT) {
        halt_system(c);
    }
    if (c->desc->restart != KEEL_RESTART_ALWAYS) {
        /* Suspended rather than left waiting for a reply: a component
         * that sends on its fault endpoint itself is stopped all the same. */
        seL4_TCB_Suspend(c->proc.tcb);
        c->state = cause == RS_LAST_EXIT ? RS_EXITED : RS_FAULTED;
        c->last = cause;
        return;
    }
    uint64_t now = keel_counter();
    uint64_t delay = backoff_ms(c, now);
    if (!take_down(c, cause, now)) {
        return;
    }
    if (delay == 0) {
        build_again(c, now);
        return;
    }
    printf("rs: %s failed %u times in a row; restart in %lu ms\n", c->desc->name, c->streak,
           (unsigned long)delay);
    c->state = RS_WAITING;
    c->restart_due =
        keel_add_saturated(now, keel_ns_to_ticks(delay * 1000000, keel_counter_frequency()));
}

void rs_restart_due(uint64_t now)
{
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        rs_component_t *c = &rs.comp[i];
        if (c->state == RS_WAITING && now >= c->restart_due) {
            build_again(c, now);
        }
    }
}
