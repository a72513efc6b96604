/* rs, the root task of the Keel OS (docs/os.md, "How rs builds a
 * component"): it reads the system description from the boot archive linked
 * into its image, builds every component from BootInfo's untyped memory,
 * starts them, and is the fault handler of each. */
#pragma once

#include "../lib/build/build.h"
#include "check.h"
#include <keel/os/startinfo.h>
#include <keel/os/sysdesc.h>
#include <sel4/sel4.h>
#include <stdbool.h>

#define RS_ROOT seL4_CapInitThreadCNode
#define RS_DEPTH seL4_WordBits
#define RS_MAX_GRANTS (KEEL_SYSDESC_MAX_COMPONENTS * KEEL_STARTINFO_CAPS)

enum rs_state {
    RS_UNBUILT, /* not built (rs could not) */
    RS_BUILT,   /* built, not started yet */
    RS_RUNNING, /* started */
    RS_FAULTED, /* faulted; stopped (its policy: restart never) */
    RS_EXITED,  /* ended on its own (keel_os_exit); stopped (restart never) */
    RS_FAILED,  /* restarted too often, or could not be built again: stays down */
    RS_WAITING, /* failed and torn down: built again at restart_due (its backoff) */
};

#define RS_RESTARTS_KEPT 128 /* the times of its last restarts: mksystem's RESTART_LIMIT_MAX */

/* What rs knows of one component: its description, its objects, and the
 * table of what it granted (the caps of its start page): `service show`. */
typedef struct rs_component {
    const keel_sysdesc_component_t *desc;
    uint32_t index;
    enum rs_state state;
    /* Its objects: from its quota untyped into its range of rs's slots (the
     * next issue revokes the one and empties the other to rebuild it). */
    kb_proc_t proc;
    seL4_CPtr notification; /* its own (rs's pool), 0 if it has none */
    uint32_t ncaps;
    keel_startcap_t caps[KEEL_STARTINFO_CAPS];
    seL4_Word faults;
    seL4_Word restarts;
    uint64_t restart_at[RS_RESTARTS_KEPT]; /* counter values, a ring */
    uint64_t started_at;                   /* counter value at its last start */
    uint32_t last;                         /* what last stopped it: RS_LAST_* */
    /* Backoff (restart.c): failures in a row, each within RS_STABLE_MS of
     * its start, and when a waiting component is built again. */
    uint32_t streak;
    uint64_t restart_due;
    /* Heartbeat (heartbeat.c), for a description with heartbeat=MS. */
    seL4_CPtr ping;     /* its notification, badged KEEL_BADGE_HEARTBEAT */
    seL4_Word beat_bit; /* the bit its answer raises in rs's notification */
    uint64_t next_ping; /* counter value */
    bool pinged;        /* a ping is out, not answered yet */
    uint32_t missed;    /* pings in a row it did not answer */
} rs_component_t;

/* The whole system as rs holds it. */
typedef struct rs_system {
    const void *archive;
    const keel_sysdesc_t *desc;
    rs_component_t comp[KEEL_SYSDESC_MAX_COMPONENTS];
    seL4_CPtr endpoint;               /* faults arrive here (badge = component index + 1) */
    seL4_CPtr service[RS_MAX_GRANTS]; /* each service's endpoint */
    seL4_CPtr object[RS_MAX_GRANTS];  /* per grant: the first rs slot of what it hands out */
    seL4_CPtr channel[RS_MAX_GRANTS]; /* per channel: the first of its frames */
    seL4_CPtr notification;           /* rs's own, bound to its thread: heartbeats, clocks */
    /* An empty slot for a cap rs makes, uses and deletes at once (a
     * signalling cap, a frame's copy): taken at boot, so that nothing
     * later takes a slot (the stress campaign's leak check). */
    seL4_CPtr spare_slot;
} rs_system_t;

extern rs_system_t rs;

/* mem.c: slots, untyped memory, device frames, rs's scratch page. */
void rs_mem_init(void);
seL4_CPtr rs_slots(seL4_Word n); /* n consecutive free slots of rs's CNode, 0 if none */
seL4_Error rs_retype(seL4_Word type, seL4_Word size_bits, seL4_CPtr slot); /* from BootInfo RAM */
seL4_CPtr rs_new(seL4_Word type, seL4_Word size_bits); /* rs_retype into a fresh slot; 0 on error */
seL4_Error rs_device_frame(seL4_Word paddr, seL4_CPtr slot);
extern const kb_host_t rs_host; /* rs as the builder: its CNode, VSpace, scratch page */
seL4_CPtr rs_image_frame(const void *address); /* rs's own image frame holding `address` */
const char *rs_error_name(seL4_Word error);
/* What rs manages and has not handed out (proto/rs.proto meminfo). */
typedef struct rs_mem {
    seL4_Word total, free;       /* bytes of BootInfo's RAM */
    seL4_Word slots, free_slots; /* slots of rs's CNode */
} rs_mem_t;
rs_mem_t rs_mem_usage(void);

/* objects.c: what components share, made before any is built. */
bool rs_make_shared_objects(void);
seL4_Word rs_shared_pages(const rs_component_t *c); /* slots its mappings of them take */

/* service.c: rs as a service (proto/rs.proto). The endpoint caps of
 * `use rs` carry RS_CLIENT_BADGE (never a fault badge, never a
 * notification's KEEL_BADGE_NOTIFY). */
#define RS_CLIENT_BADGE ((seL4_Word)1 << 62)
bool rs_is_client(seL4_Word badge);
seL4_Word rs_use_badge(const keel_sysdesc_grant_t *g); /* the badge a use grant's cap gets */
/* The reply to a request; false when it comes later (a delayed inject). */
bool rs_answer(seL4_Word badge, seL4_MessageInfo_t info, seL4_MessageInfo_t *reply);

/* build.c */
bool rs_build(rs_component_t *c);
/* c is down for good: every channel of it says so (KEEL_CHANNEL_DOWN) and
 * the other end is signalled, so that clients fail instead of waiting. */
void rs_channels_down(const rs_component_t *c);

/* restart.c: tear c down and build it again from its ELF (false if it
 * stays down: the description's limit, or it cannot be built). */
bool rs_restart(rs_component_t *c, uint32_t cause); /* cause: RS_LAST_* */
/* The failure `cause` (a fault, an exit, a hang) of c, by its policy:
 * restarted (at once or after its backoff delay) or stopped. */
void rs_failed(rs_component_t *c, uint32_t cause);
void rs_restart_due(uint64_t now); /* build again what waited long enough */

/* --- inject.c: fault injection (docs/reliability.md) -------------------- */

/* What an injection changed: proto/rs.proto inject's results. */
typedef struct rs_injected {
    uint64_t target; /* RS_TARGET_* */
    uint64_t address;
    uint64_t bit;
    uint64_t pc;         /* where it stood; 0 for a kill */
    uint64_t in_syscall; /* 1: at an svc (blocked in it, or just past it) */
} rs_injected_t;

/* proto/rs.proto's inject (kind RS_INJECT_*) at once: 0 or -errno; *done
 * says what changed. seed: as the protocol's (0: rs's own stream). */
long rs_inject(rs_component_t *c, uint64_t kind, uint64_t seed, rs_injected_t *done);
bool rs_inject_init(void); /* at boot: the slot for a delayed caller's reply */
/* proto/rs.proto's flip: bit `bit` of the byte at `address` of c's own
 * data or code pages. 0 or -errno. */
long rs_flip_at(rs_component_t *c, seL4_Word address, unsigned bit);
/* The same delay_us from now, by rs's clocks: KEEL_PROTO_DEFERRED (the
 * answer comes from rs_inject_due) or -errno. */
long rs_inject_later(rs_component_t *c, uint64_t kind, uint64_t delay_us, uint64_t seed);
void rs_inject_due(uint64_t now); /* at each look of rs's clocks */
/* rs_host's own_page hook (build.h): the frames of a component's own
 * pages, which flips may hit. */
void rs_inject_own_page(kb_proc_t *p, seL4_Word vaddr, seL4_CPtr frame, uint32_t flags);
/* c's own code pages of those (executable, never writable), as its last
 * build made them: how many, and page n's frame (0: none) and vaddr. */
seL4_Word rs_code_pages(const rs_component_t *c);
seL4_CPtr rs_code_page(const rs_component_t *c, seL4_Word n, seL4_Word *vaddr);

/* text.c: a component's text (its pristine ELF) and registers. */
const char *rs_pristine(const rs_component_t *c);     /* its ELF in the boot archive */
seL4_Word rs_branch_to_self(const rs_component_t *c); /* a `b .` in its text, 0 if none */
/* Does c, stopped at pc, stand at a system call (the svc itself: blocked
 * in the kernel; or just past it)? */
bool rs_at_svc(const rs_component_t *c, seL4_Word pc);
/* Did c just access its device (the instruction before its pc a load or
 * store into one of its device regions)? */
bool rs_after_device_access(const rs_component_t *c, const seL4_UserContext *regs);

/* heartbeat.c: rs's clocks (its channels to the timer and rtc drivers),
 * the heartbeat pings, and building again what waits for its backoff. */
#define RS_CHANNEL_BIT0 KEEL_SYSDESC_MAX_HEARTBEATS /* rs's channels' bits: from here */
seL4_Word rs_channel_bit(uint32_t ch); /* channel ch's bit in rs's notification (rs its client) */
bool rs_heartbeat_init(void);          /* after the shared objects: maps rs's channel ends */
void rs_heartbeat_start(void);         /* the components started: arm the clocks */
void rs_heartbeat_notified(seL4_Word bits); /* rs's notification, at its Recv */
void rs_heartbeat_reset(rs_component_t *c); /* it (re)started: its pings begin anew */
void rs_heartbeat_wake_at(uint64_t when);   /* a look at counter value `when` too */
bool rs_heartbeat_has_clock(void);          /* the description gives rs a clock */
/* May c's restart wait (restart.c's backoff)? Only if rs has a working
 * clock to wake it and c is none of rs's clocks: while one clock waits,
 * the other could hang, and nothing would wake rs again. */
bool rs_heartbeat_can_wait(const rs_component_t *c);

/* scrub.c: compare the next few code pages of the running components
 * with their pristine ELFs, as many as the time since the last look pays
 * for; a damaged one is the component's failure (RS_LAST_CODE). */
void rs_scrub(void);

/* fault.c: the fault handler loop (never returns) and the grant table. */
void rs_serve(void) __attribute__((noreturn));
void rs_show(const rs_component_t *c);

static inline const keel_sysdesc_grant_t *rs_grant(const rs_component_t *c, uint32_t i)
{
    return &rs_grants(rs.desc)[c->desc->first_grant + i];
}
