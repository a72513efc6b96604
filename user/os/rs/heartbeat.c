/* rs's clocks and the heartbeat (rs.h; docs/reliability.md "Hangs").
 *
 * rs is the client of a channel to the timer driver and one to the rtc
 * driver, declared in the description as `channel rs.timer timer.rs` and
 * `channel rs.rtc rtc.rs`. The timer gives rs a timeout every tick (the
 * shortest heartbeat period), the rtc's alarm one every second. Either wakes
 * rs to look at the heartbeats: a hung timer driver is found on the rtc's
 * ticks, a hung rtc driver on the timer's. Two clocks, because a clock
 * cannot watch itself.
 *
 * At each look, every running component with a heartbeat whose period has
 * passed is pinged: rs raises KEEL_BADGE_HEARTBEAT in its notification, and
 * the driver library's wait (user/os/drivers/grant.h) answers by signalling
 * the component's "heartbeat" cap, which raises the component's bit in
 * rs's notification. A component that leaves MISSED_MAX pings in a row
 * unanswered is hung: a failure like a fault (restart.c). A hung component
 * starves every one below its priority, which then answers no ping either:
 * only the highest hung ones are blamed, the counts below start again. The
 * same looks build again what waited out its backoff delay, and compare a
 * few of the components' code pages with their ELFs (scrub.c). */
#include "rs.h"

#include <keel/os/rtc.h>
#include <keel/os/timer.h>
#include <keel/printf.h>
#include <keel/proto/rs_defs.h>
#include <keel/string.h>

#define MISSED_MAX 3
#define CHANNELS_VADDR 0x10200000ul /* rs's ends of its channels: above the scratch page */
#define TICK_MAX_MS 1000
#define PAGE ((seL4_Word)1 << seL4_PageBits)

/* One of rs's channels: rs is the client. */
typedef struct rs_clock {
    keel_channel_t *rings;
    seL4_CPtr signal; /* the driver's notification, with this channel's bit */
    seL4_Word bit;    /* in rs's notification */
    uint32_t epoch;   /* the driver instance rs caught up with */
    uint32_t driver;  /* its component index */
    bool is_timer;    /* the timer's protocol; else the rtc's */
    bool armed;       /* a timeout or tick is asked for, not answered yet */
    bool wake_armed;  /* the timer: the wake-up's timeout too */
} rs_clock_t;

/* The cookies of rs's timeouts: the tick, and a wake-up at a moment asked
 * for (rs_heartbeat_wake_at: a delayed injection). */
#define COOKIE_TICK 0
#define COOKIE_WAKE 1

static struct {
    rs_clock_t clock[KEEL_SYSDESC_MAX_RS_CHANNELS];
    unsigned nclocks;
    seL4_Word pongs;  /* the bits of the answers since their components' last look */
    uint64_t tick;    /* counter ticks between the timer's timeouts */
    uint64_t wake_at; /* a counter value to look at too; 0: none */
} hb;

seL4_Word rs_channel_bit(uint32_t ch)
{
    uint32_t before = 0; /* rs's channels before ch */
    for (uint32_t i = 0; i < ch; i++) {
        before += rs_channels(rs.desc)[i].end[0] == KEEL_SYSDESC_SERVER_RS;
    }
    return (seL4_Word)1 << (RS_CHANNEL_BIT0 + before);
}

static uint64_t ms_to_ticks(uint64_t ms)
{
    return keel_ns_to_ticks(ms * 1000000, keel_counter_frequency());
}

/* The grant of the driver's end of channel ch. */
static const keel_sysdesc_grant_t *driver_end(uint32_t ch, uint32_t driver)
{
    const rs_component_t *d = &rs.comp[driver];
    for (uint32_t i = 0; i < d->desc->ngrants; i++) {
        const keel_sysdesc_grant_t *g = rs_grant(d, i);
        if (g->kind == KEEL_GRANT_CHANNEL && g->target == ch) {
            return g;
        }
    }
    return NULL;
}

/* rs's end of channel ch: copies of its frame caps mapped into rs, and a
 * cap that signals the driver. */
static bool open_clock(uint32_t ch, seL4_Word vaddr)
{
    const keel_sysdesc_channel_t *desc = &rs_channels(rs.desc)[ch];
    const char *name = rs_string(rs.desc, desc->rs_name);
    const rs_component_t *d = &rs.comp[desc->end[1]];
    const keel_sysdesc_grant_t *g = driver_end(ch, desc->end[1]);
    seL4_CPtr copies = rs_slots(desc->pages + 1);
    if (g == NULL || d->notification == 0 || copies == 0) {
        return false;
    }
    for (uint32_t p = 0; p < desc->pages; p++) {
        if (seL4_CNode_Copy(RS_ROOT, copies + p, RS_DEPTH, RS_ROOT, rs.channel[ch] + p, RS_DEPTH,
                            seL4_AllRights) != seL4_NoError ||
            kb_host_map(&rs_host, copies + p, vaddr + p * PAGE) != seL4_NoError) {
            return false;
        }
    }
    seL4_CPtr signal = copies + desc->pages;
    if (seL4_CNode_Mint(RS_ROOT, signal, RS_DEPTH, RS_ROOT, d->notification, RS_DEPTH,
                        seL4_CanWrite, KEEL_BADGE_NOTIFY | g->badge) != seL4_NoError) {
        return false;
    }
    bool is_timer = strcmp(name, "timer") == 0;
    if (!is_timer && strcmp(name, "rtc") != 0) {
        printf("rs: my channel '%s': rs knows the timer's and the rtc's; not used\n", name);
        return true;
    }
    hb.clock[hb.nclocks] = (rs_clock_t){ .rings = (keel_channel_t *)vaddr,
                                         .signal = signal,
                                         .bit = rs_channel_bit(ch),
                                         .driver = desc->end[1],
                                         .is_timer = is_timer };
    hb.nclocks++;
    return true;
}

/* Each component with a heartbeat: its bit in rs's notification and the
 * cap that pings it. */
static bool make_pings(void)
{
    unsigned beating = 0;
    uint64_t shortest = TICK_MAX_MS;
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        rs_component_t *c = &rs.comp[i];
        uint32_t period = c->desc->heartbeat_ms;
        if (period == 0 || c->notification == 0) {
            continue;
        }
        c->beat_bit = (seL4_Word)1 << beating++;
        c->ping = rs_slots(1);
        if (c->ping == 0 ||
            seL4_CNode_Mint(RS_ROOT, c->ping, RS_DEPTH, RS_ROOT, c->notification, RS_DEPTH,
                            seL4_CanWrite,
                            KEEL_BADGE_NOTIFY | KEEL_BADGE_HEARTBEAT) != seL4_NoError) {
            return false;
        }
        shortest = period < shortest ? period : shortest;
    }
    hb.tick = ms_to_ticks(shortest);
    return true;
}

bool rs_heartbeat_init(void)
{
    rs.notification = rs_new(seL4_NotificationObject, 0);
    if (rs.notification == 0 ||
        seL4_TCB_BindNotification(seL4_CapInitThreadTCB, rs.notification) != seL4_NoError) {
        printf("rs: cannot make my notification\n");
        return false;
    }
    seL4_Word vaddr = CHANNELS_VADDR;
    for (uint32_t ch = 0; ch < rs.desc->nchannels; ch++) {
        const keel_sysdesc_channel_t *desc = &rs_channels(rs.desc)[ch];
        if (desc->end[0] != KEEL_SYSDESC_SERVER_RS) {
            continue;
        }
        if (!open_clock(ch, vaddr)) {
            printf("rs: cannot map my end of channel %u\n", ch);
            return false;
        }
        vaddr += (desc->pages + 1) * PAGE; /* a guard page after each */
    }
    return make_pings();
}

static bool usable(const rs_clock_t *k)
{
    return k->epoch != 0 && !keel_channel_down(k->rings);
}

/* The timer's timeout at hb.wake_at, if one is asked for and not out. */
static void arm_wake(rs_clock_t *k)
{
    if (!k->is_timer || hb.wake_at == 0 || k->wake_armed || !usable(k)) {
        return;
    }
    keel_ring_entry_t e = { .cookie = COOKIE_WAKE, .op = KEEL_TIMER_SET, .offset = hb.wake_at };
    k->wake_armed = keel_ring_put(&k->rings->request, e);
    seL4_Signal(k->signal);
}

/* Ask the clock for its next wake-up: a timeout a tick from now, or the
 * rtc's next second; and the wake-up asked for, if any. */
static void arm(rs_clock_t *k, uint64_t now)
{
    arm_wake(k);
    if (k->armed || !usable(k)) {
        return;
    }
    keel_ring_entry_t e = { .op = KEEL_RTC_TICK };
    if (k->is_timer) {
        e = (keel_ring_entry_t){ .cookie = COOKIE_TICK,
                                 .op = KEEL_TIMER_SET,
                                 .offset = keel_add_saturated(now, hb.tick) };
    }
    k->armed = keel_ring_put(&k->rings->request, e);
    seL4_Signal(k->signal);
}

/* Whatever the driver answered: the request of that cookie is done (the
 * rtc's answers all are ticks). */
static void take_answers(rs_clock_t *k)
{
    keel_ring_entry_t e;
    bool took = false;
    while (keel_ring_get(&k->rings->completion, &e)) {
        if (k->is_timer && e.cookie == COOKIE_WAKE) {
            k->wake_armed = false;
        } else {
            k->armed = false;
        }
        took = true;
    }
    if (took) {
        seL4_Signal(k->signal);
    }
}

/* The driver's signal: a new instance is caught up with (keel/os/ring.h:
 * its predecessor's answers taken, the old request dropped, asked again
 * below); a clock down for good stays unarmed. */
static void clock_notified(rs_clock_t *k)
{
    if (keel_channel_down(k->rings)) {
        take_answers(k);
        return;
    }
    if (keel_channel_restarted(k->rings, k->epoch)) {
        take_answers(k);
        keel_channel_drop_requests(k->rings);
        k->armed = false;
        k->wake_armed = false;
        k->epoch = keel_channel_accept(k->rings);
        seL4_Signal(k->signal);
    }
    take_answers(k);
}

/* A component whose period has passed: did it answer the last ping? */
static void count_missed(rs_component_t *c)
{
    bool answered = (hb.pongs & c->beat_bit) != 0;
    hb.pongs &= ~c->beat_bit;
    c->missed = c->pinged && !answered ? c->missed + 1 : 0;
}

static bool due(const rs_component_t *c, uint64_t now)
{
    return c->ping != 0 && c->state == RS_RUNNING && now >= c->next_ping;
}

/* The priority of the highest component that left MISSED_MAX pings in a
 * row unanswered, -1 if none. */
static int hung_priority(void)
{
    int highest = -1;
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        const rs_component_t *c = &rs.comp[i];
        if (c->state == RS_RUNNING && c->missed >= MISSED_MAX && (int)c->desc->priority > highest) {
            highest = (int)c->desc->priority;
        }
    }
    return highest;
}

/* The hung components at the highest such priority fail. Every component
 * below it was starved by them, not hung: its count starts again. */
static void blame(int priority)
{
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        rs_component_t *c = &rs.comp[i];
        if (c->state != RS_RUNNING || c->ping == 0 || (int)c->desc->priority > priority) {
            continue;
        }
        if ((int)c->desc->priority < priority) {
            c->missed = 0;
            c->pinged = false;
        } else if (c->missed >= MISSED_MAX) {
            printf("rs: %s hung: no answer to %u heartbeats in a row\n", c->desc->name, MISSED_MAX);
            rs_failed(c, RS_LAST_HANG);
        }
    }
}

static void ping(rs_component_t *c, uint64_t now)
{
    seL4_Signal(c->ping);
    c->pinged = true;
    c->next_ping = keel_add_saturated(now, ms_to_ticks(c->desc->heartbeat_ms));
}

/* Every component whose period has passed: answers counted, the hung
 * blamed, the rest pinged again; then the code pages due are scrubbed. */
static void look(void)
{
    uint64_t now = keel_counter();
    rs_restart_due(now);
    if (hb.wake_at != 0 && now >= hb.wake_at) {
        hb.wake_at = 0;
        rs_inject_due(now);
    }
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        if (due(&rs.comp[i], now)) {
            count_missed(&rs.comp[i]);
        }
    }
    int priority = hung_priority();
    if (priority >= 0) {
        blame(priority);
    }
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        if (due(&rs.comp[i], now)) {
            ping(&rs.comp[i], now);
        }
    }
    for (unsigned i = 0; i < hb.nclocks; i++) {
        arm(&hb.clock[i], now);
    }
    rs_scrub();
}

void rs_heartbeat_reset(rs_component_t *c)
{
    c->pinged = false;
    c->missed = 0;
    c->next_ping = keel_add_saturated(keel_counter(), ms_to_ticks(c->desc->heartbeat_ms));
}

bool rs_heartbeat_has_clock(void)
{
    return hb.nclocks > 0;
}

void rs_heartbeat_wake_at(uint64_t when)
{
    hb.wake_at = when;
    for (unsigned i = 0; i < hb.nclocks; i++) {
        arm_wake(&hb.clock[i]);
    }
}

void rs_heartbeat_start(void)
{
    for (uint32_t i = 0; i < rs.desc->ncomponents; i++) {
        rs_heartbeat_reset(&rs.comp[i]);
    }
    look();
}

void rs_heartbeat_notified(seL4_Word bits)
{
    hb.pongs |= bits & (((seL4_Word)1 << KEEL_SYSDESC_MAX_HEARTBEATS) - 1);
    for (unsigned i = 0; i < hb.nclocks; i++) {
        if (bits & hb.clock[i].bit) {
            clock_notified(&hb.clock[i]);
        }
    }
    look();
}

bool rs_heartbeat_can_wait(const rs_component_t *c)
{
    bool clock = false;
    for (unsigned i = 0; i < hb.nclocks; i++) {
        const rs_clock_t *k = &hb.clock[i];
        if (k->driver == c->index) {
            return false; /* the other clock could hang meanwhile: nothing would wake rs */
        }
        clock |= rs.comp[k->driver].state == RS_RUNNING && !keel_channel_down(k->rings);
    }
    return clock;
}
