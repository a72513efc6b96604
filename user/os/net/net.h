/* The net server (docs/network.md "The net server"): lwIP over the
 * virtio-net driver's channel, and the socket service (keel/os/sock.h)
 * vfs asks on programs' behalf. One thread: its loop takes the driver's
 * frames into lwIP, delivers looped-back packets, serves vfs's requests and
 * runs lwIP's timers, woken by a timeout of its own on the timer driver's
 * channel. */
#pragma once

#include "serve.h"

#include <keel/os/sock.h>
#include <lwip/err.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <stdbool.h>
#include <stdint.h>

/* link.c: the channel "eth" and the netif over it. */
int link_open(const char *driver);      /* 0, or a negated errno */
struct netif *link_netif(void);         /* the interface, once open */
void link_poll(void);                   /* frames in, restarts caught up */
void link_info(keel_sock_info_t *info); /* the interface's part of INFO */

/* clock.c: lwIP's timers woken on the channel "timer" (without one, rs's
 * heartbeat pings wake the loop every 100 ms). */
void clock_open(void);
void clock_poll(void);       /* completions taken, a restarted driver caught up */
void clock_arm(uint32_t ms); /* wake the loop in ms milliseconds (UINT32_MAX: never) */

/* timewait.c: the SYNs that found a connection in TIME-WAIT, held by
 * lwIP's hook, fed in again once it is gone: at each turn of the loop. */
void timewait_replay(void);

/* echo.c: TCP echo on port 7 (RFC 862), for the tests. */
int echo_start(void);

/* A socket. Ids 0..KEEL_SOCK_MAX-1 are the table's first entries; a TCP
 * connection a listener accepted that no ACCEPT took yet lives after them
 * (id -1) and moves into a free id when taken. */
enum sock_state {
    SOCK_NEW, /* no address */
    SOCK_BOUND,
    SOCK_LISTENING,
    SOCK_CONNECTING,
    SOCK_CONNECTED,
    SOCK_GONE, /* TCP: lwIP freed the pcb (reset, failed, both sides closed) */
};

#define SOCK_BACKLOG_MAX 32 /* a listener's connections waiting for ACCEPT */
#define SOCK_DGRAM_QUEUE 32 /* datagrams waiting for RECV */
#define SOCK_DGRAM_BYTES (256u * 1024)

typedef struct datagram {
    struct pbuf *p; /* its payload (for ICMP: the ICMP message) */
    uint32_t addr;  /* its source, host order */
    uint16_t port;
} datagram_t;

typedef struct net_sock {
    bool used;
    int id;       /* -1: an accepted connection not taken yet */
    uint8_t type; /* KEEL_SOCK_STREAM, _DGRAM, _ICMP */
    uint8_t state;
    bool shut_rd, shut_wr;
    bool eof;            /* TCP: the peer's FIN came */
    bool ever_connected; /* TCP */
    bool reuse, nodelay;
    int error; /* pending, a positive errno (GETOPT KEEL_SOCK_OPT_ERROR) */
    union {
        struct tcp_pcb *tcp;
        struct udp_pcb *udp;
        struct raw_pcb *raw;
    } pcb;
    /* TCP: the bytes received and not taken, pbufs linked through next
     * (their tot_len is not kept up to date); rx_offset into the first. */
    struct pbuf *rx_head, *rx_tail;
    uint32_t rx_offset, rx_bytes;
    uint32_t peer_addr; /* TCP: kept for ACCEPT; datagrams: the connected peer */
    uint16_t peer_port;
    bool peer_set;
    /* TCP listeners: accepted connections, oldest first */
    struct net_sock *pending[SOCK_BACKLOG_MAX];
    unsigned npending, backlog;
    struct net_sock *listener; /* a pending connection's listener */
    /* datagrams received, a ring */
    datagram_t dq[SOCK_DGRAM_QUEUE];
    unsigned dq_head, dq_count;
    uint32_t dq_bytes;
    uint16_t ident; /* ICMP: the echo identifier (its "port") */
} net_sock_t;

/* sock.c: the socket table and the operations every kind shares (and
 * those serve.h declares). */
unsigned sock_count(void);            /* open sockets */
net_sock_t *sock_alloc_pending(void); /* NULL: none free */
int sock_adopt(net_sock_t *pending);  /* into a free id: the id, or -ENFILE */
void sock_free(net_sock_t *s);
int sock_error_take(net_sock_t *s); /* the pending error, cleared (0: none) */
int sock_errno(err_t err);          /* lwIP's error as a positive errno */
int64_t sock_bind_address(const net_sock_t *s, uint32_t addr, ip_addr_t *ip);
void sock_ip(ip_addr_t *ip, uint32_t host);
uint32_t sock_host(const ip_addr_t *ip);

/* stream.c: TCP sockets. */
int stream_open(net_sock_t *s);
int64_t stream_execute(net_sock_t *s, net_request_t *r, bool again);
void stream_close(net_sock_t *s);
uint8_t stream_ready(const net_sock_t *s);
int stream_name(net_sock_t *s, net_request_t *r);
void stream_set_nodelay(net_sock_t *s);
void stream_set_reuse(net_sock_t *s);

/* dgram.c: UDP and ICMP echo sockets. */
int dgram_open(net_sock_t *s);
int64_t dgram_execute(net_sock_t *s, net_request_t *r);
void dgram_close(net_sock_t *s);
uint8_t dgram_ready(const net_sock_t *s);
int dgram_name(net_sock_t *s, net_request_t *r);
void dgram_set_reuse(net_sock_t *s);
