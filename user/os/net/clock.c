/* lwIP's timers (NO_SYS: sys_check_timeouts from the loop) woken on time:
 * net is a client of the timer driver's channel "timer" (keel/os/timer.h)
 * and keeps one timeout there, at the moment lwIP's next timer is due
 * (sys_timeouts_sleeptime), so that the loop wakes then even when no frame
 * or request comes. Without the channel (or with the driver down for
 * good), rs's heartbeat pings wake the loop every 100 ms instead. A
 * restarted driver gets the timeout again: its deadline is absolute. */
#include "net.h"

#include <keel/os/channel.h>
#include <keel/os/start.h>
#include <keel/os/timer.h>
#include <lwip/sys.h>

static struct {
    keel_channel_t *rings; /* NULL: no channel */
    seL4_CPtr signal;
    uint32_t epoch;
    uint64_t frequency;
    bool armed;
    uint64_t deadline; /* the armed timeout's, in counter ticks */
    uint64_t cookie;   /* the armed timeout's */
} clock;

/* lwIP's clock (NO_SYS): milliseconds. */
u32_t sys_now(void)
{
    return (u32_t)(keel_counter() * 1000 / clock.frequency);
}

void clock_open(void)
{
    keel_channel_end_t end = keel_channel_end(keel_startinfo(), "timer");
    clock.rings = end.rings;
    clock.signal = end.signal;
    clock.frequency = keel_counter_frequency();
}

static bool usable(void)
{
    return clock.rings != NULL && !keel_channel_down(clock.rings);
}

static void put_timeout(void)
{
    keel_ring_put(&clock.rings->request, (keel_ring_entry_t){ .op = KEEL_TIMER_SET,
                                                              .cookie = clock.cookie,
                                                              .offset = clock.deadline });
}

/* Completions: the armed timeout fired (an older one's, cancelled, is
 * ignored); any other answer (FULL, BAD_REQUEST) drops it too, and the
 * next clock_arm sets another. */
static void take_completions(void)
{
    keel_ring_entry_t e;
    bool took = false;
    while (keel_ring_get(&clock.rings->completion, &e)) {
        took = true;
        if (e.cookie == clock.cookie) {
            clock.armed = false;
        }
    }
    if (took) {
        seL4_Signal(clock.signal); /* room again for a driver holding answers back */
    }
}

void clock_poll(void)
{
    if (!usable()) {
        return;
    }
    if (keel_channel_restarted(clock.rings, clock.epoch)) {
        take_completions();
        keel_channel_drop_requests(clock.rings);
        if (clock.armed) {
            put_timeout();
        }
        clock.epoch = keel_channel_accept(clock.rings);
        seL4_Signal(clock.signal);
    }
    take_completions();
}

/* A timeout ms from now, unless the armed one comes as early: then
 * nothing is sent. A later lwIP deadline keeps the earlier timeout (the
 * loop wakes early once and arms again). */
void clock_arm(uint32_t ms)
{
    if (!usable() || ms == UINT32_MAX || keel_channel_restarted(clock.rings, clock.epoch)) {
        return;
    }
    uint64_t deadline =
        keel_add_saturated(keel_counter(), (uint64_t)ms * clock.frequency / 1000 + 1);
    if (clock.armed && clock.deadline <= deadline) {
        return;
    }
    const keel_ring_t *requests = &clock.rings->request;
    if (requests->head - requests->tail + 2 > KEEL_RING_SLOTS) {
        return; /* no room for a cancel and a set: heartbeats wake the loop meanwhile */
    }
    if (clock.armed) {
        keel_ring_put(&clock.rings->request,
                      (keel_ring_entry_t){ .op = KEEL_TIMER_CANCEL, .cookie = clock.cookie });
    }
    clock.cookie++;
    clock.deadline = deadline;
    clock.armed = true;
    put_timeout();
    seL4_Signal(clock.signal);
}
