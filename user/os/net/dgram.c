/* Datagram sockets (keel/os/sock.h): UDP over lwIP's udp pcbs, and ICMP
 * echo ("ping sockets", as Linux's unprivileged SOCK_DGRAM/IPPROTO_ICMP)
 * over a raw pcb: the program sends an echo request's ICMP header and
 * payload, net puts in the socket's identifier and the checksum, and the
 * echo replies with that identifier come back as their ICMP message,
 * without the IP header. Each socket keeps up to SOCK_DGRAM_QUEUE
 * datagrams (SOCK_DGRAM_BYTES) until RECV takes them; more are dropped. */
#include "net.h"

#include <errno.h>
#include <lwip/inet_chksum.h>
#include <lwip/prot/icmp.h>
#include <lwip/raw.h>
#include <lwip/udp.h>
#include <string.h>

#define ICMP_HEADER 8
#define IDENT_FIRST 0x4b00 /* the identifiers net gives out start here */

/* --- the queue ----------------------------------------------------------- */

/* p (a datagram from addr, port) kept, or dropped when the queue is full
 * or nobody reads any more. */
static void enqueue(net_sock_t *s, struct pbuf *p, const ip_addr_t *addr, uint16_t port)
{
    if (s->shut_rd || s->dq_count == SOCK_DGRAM_QUEUE ||
        s->dq_bytes + p->tot_len > SOCK_DGRAM_BYTES) {
        pbuf_free(p);
        return;
    }
    datagram_t *d = &s->dq[(s->dq_head + s->dq_count) % SOCK_DGRAM_QUEUE];
    *d = (datagram_t){ p, sock_host(addr), port };
    s->dq_count++;
    s->dq_bytes += p->tot_len;
}

static void dequeue(net_sock_t *s)
{
    datagram_t *d = &s->dq[s->dq_head];
    s->dq_bytes -= d->p->tot_len;
    pbuf_free(d->p);
    d->p = NULL;
    s->dq_head = (s->dq_head + 1) % SOCK_DGRAM_QUEUE;
    s->dq_count--;
}

/* --- lwIP's callbacks -------------------------------------------------- */

static void udp_received(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                         u16_t port)
{
    (void)pcb;
    net_sock_t *s = arg;
    if (s == NULL) {
        pbuf_free(p);
        return;
    }
    enqueue(s, p, addr, port);
}

/* Every ICMP packet comes by every ICMP socket (its payload at the IP
 * header): a socket eats the echo replies with its identifier (from its
 * peer, if connected) and leaves the rest to lwIP (echo requests to us are
 * answered by lwIP's own ICMP). */
static u8_t icmp_received(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    (void)pcb;
    net_sock_t *s = arg;
    uint8_t ip0, icmp[ICMP_HEADER];
    if (s == NULL || pbuf_copy_partial(p, &ip0, 1, 0) != 1) {
        return 0;
    }
    u16_t header = (u16_t)((ip0 & 0x0f) * 4);
    if (pbuf_copy_partial(p, icmp, ICMP_HEADER, header) != ICMP_HEADER || icmp[0] != ICMP_ER ||
        (uint16_t)(icmp[4] << 8 | icmp[5]) != s->ident ||
        (s->peer_set && sock_host(addr) != s->peer_addr)) {
        return 0;
    }
    if (pbuf_remove_header(p, header) != 0) {
        pbuf_free(p);
        return 1;
    }
    enqueue(s, p, addr, 0);
    return 1;
}

/* --- the operations ---------------------------------------------------- */

/* Identifiers for ICMP sockets: a counter, so that two programs' pings
 * (and a socket closed and opened again) tell their replies apart. */
static uint16_t next_ident(void)
{
    static uint16_t last = IDENT_FIRST;
    last = (uint16_t)(last == 0xffff ? IDENT_FIRST : last + 1);
    return last;
}

int dgram_open(net_sock_t *s)
{
    if (s->type == KEEL_SOCK_DGRAM) {
        s->pcb.udp = udp_new();
        if (s->pcb.udp == NULL) {
            return -ENOMEM;
        }
        udp_recv(s->pcb.udp, udp_received, s);
        return 0;
    }
    s->pcb.raw = raw_new(IP_PROTO_ICMP);
    if (s->pcb.raw == NULL) {
        return -ENOMEM;
    }
    raw_recv(s->pcb.raw, icmp_received, s);
    s->ident = next_ident();
    return 0;
}

void dgram_set_reuse(net_sock_t *s)
{
    if (s->type != KEEL_SOCK_DGRAM) {
        return;
    }
    if (s->reuse) {
        ip_set_option(s->pcb.udp, SOF_REUSEADDR);
    } else {
        ip_reset_option(s->pcb.udp, SOF_REUSEADDR);
    }
}

/* An ICMP socket's port is its identifier (0: the one net gave it). */
static int64_t bind_to(net_sock_t *s, const net_request_t *r)
{
    ip_addr_t ip;
    int64_t bad = sock_bind_address(s, r->addr, &ip);
    if (bad != 0) {
        return bad;
    }
    err_t e;
    if (s->type == KEEL_SOCK_DGRAM) {
        e = udp_bind(s->pcb.udp, &ip, (u16_t)r->port);
    } else {
        e = raw_bind(s->pcb.raw, &ip);
        if (r->port != 0) {
            s->ident = (uint16_t)r->port;
        }
    }
    if (e != ERR_OK) {
        return -sock_errno(e);
    }
    s->state = SOCK_BOUND;
    return 0;
}

/* The default peer; UDP's address and port 0 forget it. */
static int64_t connect_to(net_sock_t *s, const net_request_t *r)
{
    if (s->type == KEEL_SOCK_DGRAM && r->addr == 0 && r->port == 0) {
        udp_disconnect(s->pcb.udp);
        s->peer_set = false;
        return 0;
    }
    if (s->type == KEEL_SOCK_DGRAM) {
        if (r->port == 0) {
            return -EINVAL;
        }
        ip_addr_t ip;
        sock_ip(&ip, r->addr);
        err_t e = udp_connect(s->pcb.udp, &ip, (u16_t)r->port);
        if (e != ERR_OK) {
            return -sock_errno(e);
        }
    }
    s->peer_addr = r->addr;
    s->peer_port = (uint16_t)r->port;
    s->peer_set = true;
    return 0;
}

/* The echo request in p gets the socket's identifier and its checksum. */
static int64_t icmp_prepare(const net_sock_t *s, struct pbuf *p)
{
    uint8_t *m = p->payload; /* PBUF_RAM: one piece */
    if (m[0] != ICMP_ECHO || m[1] != 0) {
        return -EINVAL;
    }
    m[2] = m[3] = 0;
    m[4] = (uint8_t)(s->ident >> 8);
    m[5] = (uint8_t)s->ident;
    u16_t sum = inet_chksum(m, p->tot_len);
    memcpy(m + 2, &sum, sizeof(sum));
    return 0;
}

/* One whole datagram to KEEL_SOCK_TO's address, else the peer. */
static int64_t send_one(net_sock_t *s, const net_request_t *r)
{
    if (s->shut_wr) {
        return -EPIPE;
    }
    uint32_t addr = s->peer_addr, port = s->peer_port;
    if (r->flags & KEEL_SOCK_TO) {
        addr = r->addr;
        port = r->port;
    } else if (!s->peer_set) {
        return -EDESTADDRREQ;
    }
    bool udp = s->type == KEEL_SOCK_DGRAM;
    if (udp && port == 0) {
        return -EINVAL;
    }
    if (!udp && r->length < ICMP_HEADER) {
        return -EINVAL;
    }
    struct pbuf *p = pbuf_alloc(udp ? PBUF_TRANSPORT : PBUF_IP, (u16_t)r->length, PBUF_RAM);
    if (p == NULL) {
        return -ENOBUFS;
    }
    memcpy(p->payload, r->data, r->length); /* one copy out of the shared buffer */
    int64_t result = udp ? 0 : icmp_prepare(s, p);
    if (result == 0) {
        ip_addr_t ip;
        sock_ip(&ip, addr);
        err_t e =
            udp ? udp_sendto(s->pcb.udp, p, &ip, (u16_t)port) : raw_sendto(s->pcb.raw, p, &ip);
        result = e == ERR_OK ? (int64_t)r->length : -(e == ERR_MEM ? ENOBUFS : sock_errno(e));
    }
    pbuf_free(p);
    return result;
}

/* The oldest datagram, cut to the room given (PEEK: left in the queue). */
static int64_t recv_one(net_sock_t *s, net_request_t *r)
{
    if (s->dq_count == 0) {
        return s->shut_rd ? 0 : NET_KEEP;
    }
    const datagram_t *d = &s->dq[s->dq_head];
    uint32_t n = r->length < d->p->tot_len ? r->length : d->p->tot_len;
    pbuf_copy_partial(d->p, r->data, (u16_t)n, 0);
    r->out_addr = d->addr;
    r->out_port = d->port;
    if (!(r->flags & KEEL_SOCK_PEEK)) {
        dequeue(s);
    }
    return n;
}

static int64_t shut(net_sock_t *s, uint32_t how)
{
    if (how > 2) {
        return -EINVAL;
    }
    if (how != 1) {
        s->shut_rd = true;
        while (s->dq_count > 0) {
            dequeue(s);
        }
    }
    if (how != 0) {
        s->shut_wr = true;
    }
    return 0;
}

int64_t dgram_execute(net_sock_t *s, net_request_t *r)
{
    switch (r->op) {
    case KEEL_SOCK_BIND:
        return bind_to(s, r);
    case KEEL_SOCK_LISTEN:
    case KEEL_SOCK_ACCEPT:
        return -EOPNOTSUPP;
    case KEEL_SOCK_CONNECT:
        return connect_to(s, r);
    case KEEL_SOCK_SEND:
        return send_one(s, r);
    case KEEL_SOCK_RECV:
        return recv_one(s, r);
    case KEEL_SOCK_SHUTDOWN:
        return shut(s, r->arg);
    default:
        return -EINVAL;
    }
}

int dgram_name(net_sock_t *s, net_request_t *r)
{
    if (r->arg == 1) {
        if (!s->peer_set) {
            return -ENOTCONN;
        }
        r->out_addr = s->peer_addr;
        r->out_port = s->peer_port;
        return 0;
    }
    if (s->type == KEEL_SOCK_DGRAM) {
        r->out_addr = sock_host(&s->pcb.udp->local_ip);
        r->out_port = s->pcb.udp->local_port;
    } else {
        r->out_addr = sock_host(&s->pcb.raw->local_ip);
        r->out_port = s->ident;
    }
    return 0;
}

/* Sending never waits. */
uint8_t dgram_ready(const net_sock_t *s)
{
    bool readable = s->dq_count > 0 || s->shut_rd;
    return (uint8_t)(KEEL_SOCK_WRITABLE | (readable ? KEEL_SOCK_READABLE : 0));
}

void dgram_close(net_sock_t *s)
{
    while (s->dq_count > 0) {
        dequeue(s);
    }
    if (s->type == KEEL_SOCK_DGRAM) {
        udp_remove(s->pcb.udp);
    } else {
        raw_remove(s->pcb.raw);
    }
}
