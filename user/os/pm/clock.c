/* pm's clocks (docs/os.md "pm", "The timer driver", "The rtc driver"):
 * programs' nanosleep on the timer driver's channel "timer", and the wall
 * clock read once from the rtc driver's channel "rtc". pm is each
 * driver's client (keel/os/timer.h, keel/os/rtc.h): a sleeping process is
 * a timeout in the timer's ring and a reply pm saved, answered when the
 * timeout's completion arrives; a process that ends asleep has its
 * timeout cancelled. */
#include "pm.h"

#include <errno.h>
#include <keel/os/channel.h>
#include <keel/os/rtc.h>
#include <keel/os/timer.h>
#include <keel/printf.h>
#include <keel/proto/rs.h>
#include <keel/proto/vfs.h>

/* A timeout's cookie: the table entry in the low byte, a sequence number
 * above it, so that a completion for a process that ended (and whose entry
 * a new process took) names nobody. */
#define COOKIE_ENTRY_BITS 8

/* A timeout this long past its deadline and still not answered: the timer
 * driver is alive (rs's heartbeat sees to a hung one within a second) but
 * has lost its work -- a flipped bit can do that -- so pm has rs restart it
 * (the component of that name: system/keel.system), at most once a period. */
#define OVERDUE_MS 2000
#define TIMER_DRIVER "timer"

typedef struct channel {
    keel_channel_t *rings;
    seL4_CPtr signal;
    seL4_Word bit;
    uint32_t epoch; /* the driver instance pm caught up with */
} channel_t;

static struct {
    channel_t timer, rtc;
    uint64_t frequency;
    uint64_t sequence;
    uint64_t overdue;     /* OVERDUE_MS in counter ticks */
    uint64_t last_repair; /* the counter at pm's last restart of the timer */
    bool boot_known;      /* boot_seconds and boot_counter hold the rtc's answer */
    int64_t boot_seconds;
    uint64_t boot_counter;
} clock;

static channel_t find_channel(const char *name)
{
    keel_channel_end_t end = keel_channel_end((const keel_startinfo_t *)KEEL_STARTINFO_VADDR, name);
    return (channel_t){ end.rings, end.signal, end.bit, 0 };
}

void pm_clock_init(void)
{
    clock.timer = find_channel("timer");
    clock.rtc = find_channel("rtc");
    clock.frequency = keel_counter_frequency();
    clock.overdue = keel_ns_to_ticks((uint64_t)OVERDUE_MS * 1000000, clock.frequency);
    if (clock.rtc.rings == NULL) {
        clock.boot_known = true; /* no rtc: 1970 */
        return;
    }
    keel_ring_put(&clock.rtc.rings->request, (keel_ring_entry_t){ .op = KEEL_RTC_READ });
    seL4_Signal(clock.rtc.signal);
}

static void put_timeout(const pm_proc_t *p)
{
    keel_ring_put(&clock.timer.rings->request, (keel_ring_entry_t){ .op = KEEL_TIMER_SET,
                                                                    .cookie = p->sleep_cookie,
                                                                    .offset = p->sleep_deadline });
}

long pm_sleep(pm_proc_t *p, uint64_t ns)
{
    if (clock.timer.rings == NULL) {
        return -ENOSYS;
    }
    if (ns == 0) {
        return 0;
    }
    if (keel_channel_down(clock.timer.rings)) {
        return -EIO;
    }
    if (p == NULL || keel_ring_full(&clock.timer.rings->request)) {
        return -EAGAIN;
    }
    if (seL4_CNode_SaveCaller(KEEL_SLOT_CNODE, p->reply, PM_DEPTH) != seL4_NoError) {
        return -EAGAIN;
    }
    p->sleep_deadline = keel_add_saturated(keel_counter(), keel_ns_to_ticks(ns, clock.frequency));
    p->sleep_cookie = (++clock.sequence << COOKIE_ENTRY_BITS) | (uint64_t)(p - pm.proc);
    put_timeout(p);
    seL4_Signal(clock.timer.signal);
    p->state = PM_SLEEPING;
    return KEEL_PROTO_DEFERRED;
}

/* p ends asleep: its timeout goes. With the request ring full (a driver
 * that stopped taking requests) the cancel is not sent, and the timeout's
 * completion later names nobody. */
void pm_sleep_cancel(pm_proc_t *p)
{
    if (keel_ring_put(&clock.timer.rings->request,
                      (keel_ring_entry_t){ .op = KEEL_TIMER_CANCEL, .cookie = p->sleep_cookie })) {
        seL4_Signal(clock.timer.signal);
    }
}

/* A completion: wake the process whose timeout it is, if it still sleeps
 * on it. A FULL or BAD_REQUEST answer (which pm's requests never earn)
 * wakes it too, with EAGAIN, rather than leave it asleep for ever. */
static void timeout_done(const keel_ring_entry_t *e)
{
    uint64_t entry = e->cookie & ((1u << COOKIE_ENTRY_BITS) - 1);
    if (entry >= PM_PROCS) {
        return;
    }
    pm_proc_t *p = &pm.proc[entry];
    if (p->state != PM_SLEEPING || p->sleep_cookie != e->cookie) {
        return;
    }
    long result = e->op == KEEL_TIMER_FIRED ? 0 : -EAGAIN;
    seL4_NBSend(p->reply, proto_pm_nanosleep_reply(result));
    p->state = PM_RUNNING;
}

/* vfs stamps the disk's files with the time pm read: told once, as vfs
 * never asks pm (a call from vfs while pm calls vfs would wait for ever). */
static void tell_vfs(void)
{
    if (pm.vfs != 0 && clock.boot_seconds > 0) {
        vfs_clock(pm.vfs, clock.boot_seconds, clock.boot_counter);
    }
}

static void boot_clock_known(int64_t seconds)
{
    clock.boot_seconds = seconds;
    clock.boot_counter = keel_counter();
    clock.boot_known = true;
    tell_vfs();
    for (int i = 0; i < PM_PROCS; i++) {
        pm_proc_t *p = &pm.proc[i];
        if (p->state == PM_CLOCK_WAIT) {
            seL4_NBSend(p->reply,
                        proto_pm_boottime_reply(0, clock.boot_seconds, clock.boot_counter));
            p->state = PM_RUNNING;
        }
    }
}

static void take_completions(const channel_t *ch, bool timer)
{
    keel_ring_entry_t e;
    bool took = false;
    while (keel_ring_get(&ch->rings->completion, &e)) {
        took = true;
        if (timer) {
            timeout_done(&e);
        } else if (!clock.boot_known) {
            boot_clock_known(e.op == KEEL_RTC_DONE ? (int64_t)e.offset : 0);
        }
    }
    if (took) {
        seL4_Signal(ch->signal); /* room again: a driver holding answers back goes on */
    }
}

/* What a new instance of the driver must redo, queued again: every
 * sleeper's timeout (its deadline is absolute: the same moment, or at once
 * if it passed), the rtc's read until it has answered. */
static void requeue(const channel_t *ch, bool timer)
{
    keel_channel_drop_requests(ch->rings);
    if (!timer) {
        if (!clock.boot_known) {
            keel_ring_put(&ch->rings->request, (keel_ring_entry_t){ .op = KEEL_RTC_READ });
        }
        return;
    }
    for (int i = 0; i < PM_PROCS; i++) {
        if (pm.proc[i].state == PM_SLEEPING) {
            put_timeout(&pm.proc[i]);
        }
    }
}

/* The driver is down for good (rs gave up restarting it): everyone waiting
 * on it gets EIO, and so will every later request. */
static void driver_down(bool timer)
{
    for (int i = 0; i < PM_PROCS; i++) {
        pm_proc_t *p = &pm.proc[i];
        if (timer && p->state == PM_SLEEPING) {
            seL4_NBSend(p->reply, proto_pm_nanosleep_reply(-EIO));
            p->state = PM_RUNNING;
        } else if (!timer && p->state == PM_CLOCK_WAIT) {
            seL4_NBSend(p->reply, proto_pm_boottime_reply(-EIO, 0, 0));
            p->state = PM_RUNNING;
        }
    }
}

/* The driver's signal: a new instance (at boot or after a restart) gets
 * the old one's answers taken and what it must redo queued again before
 * pm lets it go on (keel/os/ring.h); then its answers. */
static void notified(channel_t *ch, bool timer)
{
    if (keel_channel_down(ch->rings)) {
        take_completions(ch, timer); /* what it answered before it went */
        driver_down(timer);
        return;
    }
    if (keel_channel_restarted(ch->rings, ch->epoch)) {
        take_completions(ch, timer);
        requeue(ch, timer);
        ch->epoch = keel_channel_accept(ch->rings);
        seL4_Signal(ch->signal);
    }
    take_completions(ch, timer);
}

/* Is any sleeper's timeout OVERDUE_MS past its deadline? */
static bool timeout_overdue(uint64_t now)
{
    for (int i = 0; i < PM_PROCS; i++) {
        const pm_proc_t *p = &pm.proc[i];
        if (p->state == PM_SLEEPING && now > p->sleep_deadline &&
            now - p->sleep_deadline > clock.overdue) {
            return true;
        }
    }
    return false;
}

void pm_clock_watch(void)
{
    uint64_t now = keel_counter();
    if (pm.rs == 0 || clock.timer.rings == NULL || keel_channel_down(clock.timer.rings) ||
        now - clock.last_repair < clock.overdue || !timeout_overdue(now)) {
        return;
    }
    clock.last_repair = now;
    long r = rs_restart(pm.rs, TIMER_DRIVER);
    printf("pm: a timeout is %u ms overdue: the timer restarted (%ld)\n", OVERDUE_MS, r);
}

void pm_clock_notified(seL4_Word bits)
{
    if (clock.timer.rings != NULL && (bits & clock.timer.bit)) {
        notified(&clock.timer, true);
    }
    if (clock.rtc.rings != NULL && (bits & clock.rtc.bit)) {
        notified(&clock.rtc, false);
    }
}

long pm_boottime(pm_proc_t *p, int64_t *seconds, uint64_t *counter)
{
    if (!clock.boot_known && keel_channel_down(clock.rtc.rings)) {
        return -EIO;
    }
    if (!clock.boot_known) {
        if (p == NULL ||
            seL4_CNode_SaveCaller(KEEL_SLOT_CNODE, p->reply, PM_DEPTH) != seL4_NoError) {
            return -EAGAIN;
        }
        p->state = PM_CLOCK_WAIT;
        return KEEL_PROTO_DEFERRED;
    }
    *seconds = clock.boot_seconds;
    *counter = clock.boot_counter;
    return 0;
}

int64_t pm_now_seconds(void)
{
    if (!clock.boot_known || clock.boot_seconds <= 0) {
        return 0;
    }
    return clock.boot_seconds + (int64_t)((keel_counter() - clock.boot_counter) / clock.frequency);
}
