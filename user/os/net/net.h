/* The net server (docs/network.md "The net server"): lwIP over the
 * virtio-net driver's channel. One thread: its loop takes the driver's
 * completions into lwIP and runs lwIP's timers; rs's heartbeat pings wake
 * it at least every 100 ms, often enough for TCP's timers. */
#pragma once

#include <lwip/netif.h>
#include <stdbool.h>
#include <stdint.h>

/* link.c: the channel "eth" and the netif over it. */
int link_open(void);            /* 0, or a negated errno */
struct netif *link_netif(void); /* the interface, once open */
void link_poll(void);           /* frames in, restarts caught up */
void link_wait(void);           /* until the driver or rs signals */

/* echo.c: TCP echo on port 7 (RFC 862), for the tests. */
int echo_start(void);
