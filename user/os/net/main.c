/* The net server (docs/network.md "The net server"): lwIP from Debian's
 * source package over the eth driver, with QEMU's static setup, the
 * loopback interface (127.0.0.1, and 10.0.2.15 to itself), TCP echo on
 * port 7 and the socket service for vfs. Grants: the channels "eth" (to
 * the driver), "vfs" (sockets; none in the osnetsrv test image), "timer"
 * (lwIP's timers), "notify". */
#include "net.h"

#include <errno.h>
#include <keel/os/heartbeat.h>
#include <keel/os/start.h>
#include <lwip/init.h>
#include <lwip/timeouts.h>
#include <stdio.h>
#include <string.h>

/* Rounds of looped packets and requests before the loop looks at the
 * driver and the timers again. */
#define ROUNDS 16

static bool loop_queued(void)
{
    struct netif *n;
    NETIF_FOREACH(n)
    {
        if (n->loop_first != NULL) {
            return true;
        }
    }
    return false;
}

/* Packets net sent to itself (queued by lwIP's output, delivered here so
 * that lwIP is never entered from inside itself) and vfs's requests, in
 * turns, since each makes more of the other. True: work left over. */
static bool serve_rounds(void)
{
    for (unsigned round = 0; round < ROUNDS; round++) {
        netif_poll_all();
        timewait_replay(); /* SYNs held from the driver's frames and the looped packets */
        bool more = serve_poll();
        if (!more && !loop_queued()) {
            return false;
        }
    }
    return true;
}

/* The process's notification: the driver, vfs, the timer and rs's
 * heartbeat all signal it. With work left over, only a look. */
static void wait_for_work(seL4_CPtr own, bool busy)
{
    seL4_Word bits = 0;
    if (busy) {
        seL4_Poll(own, &bits);
    } else {
        seL4_Wait(own, &bits);
    }
    keel_heartbeat_answer(keel_startinfo(), bits);
}

/* `--driver NAME`: the driver's name, for rs (link.c). */
static const char *driver_arg(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--driver") == 0) {
            return argv[i + 1];
        }
    }
    return NULL;
}

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    const keel_startcap_t *own = keel_startinfo_find(keel_startinfo(), "notify");
    clock_open(); /* lwip_init reads the clock */
    int r = own == NULL ? -ENODEV : link_open(driver_arg(argc, argv));
    if (r < 0) {
        printf("net: no channel 'eth' to the driver (%s); stopping\n", strerror(-r));
        return 1;
    }
    lwip_init();
    r = echo_start();
    if (r < 0) {
        printf("net: TCP echo: %s; stopping\n", strerror(-r));
        return 1;
    }
    bool sockets = serve_open();
    printf("net: lwIP %s, 127.0.0.1; echo on TCP port 7; %s\n", LWIP_VERSION_STRING,
           sockets ? "sockets for vfs" : "no socket channel");
    link_poll(); /* the interface at once if the driver is up */
    bool busy = false;
    for (;;) {
        wait_for_work(own->cptr, busy);
        link_poll();
        clock_poll();
        sys_check_timeouts();
        busy = serve_rounds();
        clock_arm(sys_timeouts_sleeptime());
    }
}
