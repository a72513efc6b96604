/* The net server (docs/network.md "The net server"): lwIP from Debian's
 * source package over the eth driver. So far it brings up the interface
 * with QEMU's static setup and serves TCP echo on port 7; sockets for
 * programs come next (issue 16). Grants: the channel "eth" (to the
 * driver), "notify". */
#include "net.h"

#include <keel/os/timer.h>
#include <lwip/init.h>
#include <lwip/sys.h>
#include <lwip/timeouts.h>
#include <stdio.h>
#include <string.h>

/* lwIP's clock (NO_SYS): milliseconds. */
u32_t sys_now(void)
{
    return (u32_t)(keel_counter() * 1000 / keel_counter_frequency());
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    int r = link_open();
    if (r < 0) {
        printf("net: no channel 'eth' to the driver (%s); stopping\n", strerror(-r));
        return 1;
    }
    r = echo_start();
    if (r < 0) {
        printf("net: TCP echo: %s; stopping\n", strerror(-r));
        return 1;
    }
    const u8_t *mac = link_netif()->hwaddr;
    printf("net: lwIP %s, 10.0.2.15/24 via 10.0.2.2, MAC %02x:%02x:%02x:%02x:%02x:%02x; echo on "
           "TCP port 7\n",
           LWIP_VERSION_STRING, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    for (;;) {
        link_wait();
        link_poll();
        sys_check_timeouts();
    }
}
