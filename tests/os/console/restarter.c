/* The restarter (image osconsole, tests/os/console/console.system): a
 * component above the uart driver that restarts the uart at a moment drawn
 * at random, so that the restart can fall in the middle of the driver's
 * work. A restart asked from the shell never does: a program runs only
 * when every component above it waits, the uart driver among them.
 *
 * rs builds it at boot (0 restarts in rs's list), when it only waits. Each
 * later instance -- constream asks rs to restart it once for every restart
 * of the uart it wants -- waits between 0.2 and 5 ms on its timer channel,
 * then has rs restart the uart by hand, inject a crash or a hang into it
 * or kill it, in turn with its own restart count, and waits for ever. It prints
 * nothing but its failures: the test reads every byte of the serial
 * output.
 *
 * Grants: "rs", the channel "timer" to the timer driver, "notify". */
#include <errno.h>
#include <keel/os/channel.h>
#include <keel/os/startinfo.h>
#include <keel/os/timer.h>
#include <splitmix64.h>
#include <stdio.h>

#include "restarts.h"

#define DELAY_MIN_NS UINT64_C(200000)
#define DELAY_MAX_NS UINT64_C(5000000)
#define RETRY_NS 1000000 /* 1 ms */
#define RETRIES 5000

static const keel_startinfo_t *start_page(void)
{
    return (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
}

static seL4_CPtr grant(const char *name, uint32_t kind)
{
    const keel_startcap_t *cap = keel_startinfo_find(start_page(), name);
    return cap != NULL && cap->kind == kind ? cap->cptr : 0;
}

static _Noreturn void wait_for_ever(seL4_CPtr own)
{
    for (;;) {
        seL4_Word bits;
        seL4_Wait(own, &bits);
    }
}

/* Wait `ns` on the timer driver: a timeout with a cookie of this instance
 * (a completion an earlier instance left in the ring is not its). */
static void wait_on_timer(keel_channel_end_t timer, seL4_CPtr own, uint64_t ns, uint64_t cookie)
{
    while (!keel_channel_restarted(timer.rings, 0)) { /* the driver's first start */
        seL4_Word bits;
        seL4_Wait(own, &bits);
    }
    keel_channel_accept(timer.rings);
    uint64_t deadline = keel_counter() + keel_ns_to_ticks(ns, keel_counter_frequency());
    keel_ring_put(
        &timer.rings->request,
        (keel_ring_entry_t){ .op = KEEL_TIMER_SET, .cookie = cookie, .offset = deadline });
    seL4_Signal(timer.signal);
    for (;;) {
        keel_ring_entry_t e;
        while (keel_ring_get(&timer.rings->completion, &e)) {
            if (e.cookie == cookie) {
                return;
            }
        }
        seL4_Word bits;
        seL4_Wait(own, &bits);
    }
}

static long restart_uart(seL4_CPtr rs, long turn)
{
    switch (turn % 4) {
    case 1:
        return rs_restart(rs, "uart");
    case 2:
        return rs_inject(rs, "uart", RS_INJECT_CRASH, 0, 0, NULL, NULL, NULL, NULL, NULL);
    case 3: /* rs's heartbeat finds it after 300 ms, while vfs queues what is printed */
        return rs_inject(rs, "uart", RS_INJECT_HANG, 0, 0, NULL, NULL, NULL, NULL, NULL);
    default:
        return rs_inject(rs, "uart", RS_INJECT_KILL, 0, 0, NULL, NULL, NULL, NULL, NULL);
    }
}

int main(void)
{
    seL4_CPtr rs = grant("rs", KEEL_CAP_ENDPOINT);
    seL4_CPtr own = grant("notify", KEEL_CAP_NOTIFICATION);
    keel_channel_end_t timer = keel_channel_end(start_page(), "timer");
    if (rs == 0 || own == 0 || timer.rings == NULL) {
        printf("restarter: no rs, notify or timer in its start page\n");
        return 1;
    }
    long turn = restarts_of(rs, start_page()->name);
    if (turn > 0) {
        uint64_t seed = keel_counter();
        uint64_t ns = DELAY_MIN_NS + splitmix64_next(&seed) % (DELAY_MAX_NS - DELAY_MIN_NS);
        wait_on_timer(timer, own, ns, splitmix64_next(&seed));
        long r = restart_uart(rs, turn);
        /* After a hang the uart may wait out a backoff delay (not running:
         * ESRCH for an injection); it comes back within milliseconds. */
        for (int tries = 0; r == -ESRCH && tries < RETRIES; tries++) {
            wait_on_timer(timer, own, RETRY_NS, splitmix64_next(&seed));
            r = restart_uart(rs, turn);
        }
        if (r != 0) {
            printf("restarter: restart %ld of the uart: error %ld\n", turn, r);
        }
    }
    wait_for_ever(own);
}
