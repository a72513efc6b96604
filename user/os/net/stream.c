/* TCP sockets over lwIP's raw API (keel/os/sock.h). The bytes a
 * connection receives wait in the socket as lwIP's pbufs; the window opens
 * again (tcp_recved) only as RECV takes them, so a program that does not
 * read stops its peer. A listener keeps the connections lwIP accepted for
 * it until an ACCEPT takes them, holding their place in lwIP's backlog
 * (tcp_backlog_delayed), so that lwIP ignores new SYNs while it is full. */
#include "net.h"

#include <errno.h>
#include <lwip/tcp.h>
#include <string.h>

static uint32_t min32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* What a SEND may write now. tcp_write also refuses when the segments
 * queued would pass TCP_SND_QUEUELEN; keeping a few back means a SEND that
 * finds room mostly gets it. */
static uint32_t room(const struct tcp_pcb *pcb)
{
    if (pcb == NULL || tcp_sndqueuelen(pcb) + 4 >= TCP_SND_QUEUELEN) {
        return 0;
    }
    return tcp_sndbuf(pcb);
}

/* --- the received bytes ------------------------------------------------ */

static void rx_append(net_sock_t *s, struct pbuf *p)
{
    struct pbuf *last = p;
    while (last->next != NULL) {
        last = last->next;
    }
    if (s->rx_tail != NULL) {
        s->rx_tail->next = p;
    } else {
        s->rx_head = p;
    }
    s->rx_tail = last;
    s->rx_bytes += p->tot_len;
}

/* The first n (<= rx_bytes) bytes go: whole pbufs freed one by one (each
 * unlinked first, so that pbuf_free does not follow the chain). */
static void rx_drop(net_sock_t *s, uint32_t n)
{
    s->rx_bytes -= n;
    while (s->rx_head != NULL) {
        struct pbuf *q = s->rx_head;
        uint32_t left = q->len - s->rx_offset;
        if (n < left) {
            s->rx_offset += n;
            return;
        }
        n -= left;
        s->rx_head = q->next;
        q->next = NULL;
        pbuf_free(q);
        s->rx_offset = 0;
    }
    s->rx_tail = NULL;
}

static void rx_free(net_sock_t *s)
{
    rx_drop(s, s->rx_bytes);
}

/* Up to n bytes copied out (PEEK: left in the socket). */
static uint32_t rx_copy(const net_sock_t *s, unsigned char *out, uint32_t n)
{
    n = min32(n, s->rx_bytes);
    uint32_t done = 0, offset = s->rx_offset;
    for (const struct pbuf *q = s->rx_head; done < n; q = q->next, offset = 0) {
        uint32_t chunk = min32(q->len - offset, n - done);
        memcpy(out + done, (const unsigned char *)q->payload + offset, chunk);
        done += chunk;
    }
    return n;
}

/* The program took n bytes: the window opens by as many. */
static void rx_taken(net_sock_t *s, uint32_t n)
{
    rx_drop(s, n);
    if (s->pcb.tcp != NULL && n > 0) {
        tcp_recved(s->pcb.tcp, (u16_t)n); /* n <= KEEL_SOCK_DATA_SIZE or the window */
    }
}

/* --- lwIP's callbacks -------------------------------------------------- */

static err_t received(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    net_sock_t *s = arg;
    if (p == NULL) {
        if (s != NULL) {
            s->eof = true;
        }
        return ERR_OK;
    }
    if (s == NULL || s->shut_rd || err != ERR_OK) {
        tcp_recved(pcb, p->tot_len); /* nobody reads it: dropped, the window kept open */
        pbuf_free(p);
        return ERR_OK;
    }
    rx_append(s, p);
    return ERR_OK;
}

static void unqueue(net_sock_t *p)
{
    net_sock_t *l = p->listener;
    for (unsigned i = 0; l != NULL && i < l->npending; i++) {
        if (l->pending[i] == p) {
            memmove(&l->pending[i], &l->pending[i + 1],
                    (l->npending - i - 1) * sizeof(l->pending[0]));
            l->npending--;
            return;
        }
    }
}

/* lwIP freed the pcb (reset, timeout, aborted for memory, both sides
 * closed): the socket stays, its requests answered from what it holds and
 * then the error. A connection no ACCEPT took yet just goes. */
static void failed(void *arg, err_t err)
{
    net_sock_t *s = arg;
    if (s == NULL) {
        return;
    }
    s->pcb.tcp = NULL;
    if (s->id < 0) {
        unqueue(s);
        rx_free(s);
        sock_free(s);
        return;
    }
    if (err == ERR_CLSD) {
        s->error = 0; /* closed both ways: not a failure */
    } else if (s->state == SOCK_CONNECTING) {
        s->error = err == ERR_RST ? ECONNREFUSED : ETIMEDOUT;
    } else {
        s->error = sock_errno(err);
    }
    s->state = SOCK_GONE;
}

static err_t connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    net_sock_t *s = arg;
    (void)pcb;
    if (s != NULL && err == ERR_OK) {
        s->state = SOCK_CONNECTED;
        s->ever_connected = true;
    }
    return ERR_OK;
}

static void attach(net_sock_t *s, struct tcp_pcb *pcb)
{
    s->pcb.tcp = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, received);
    tcp_err(pcb, failed);
    stream_set_nodelay(s);
    stream_set_reuse(s);
}

/* A connection lwIP accepted for listener l: kept until an ACCEPT, or
 * refused (reset) when l has its backlog or no entry is free. */
static err_t accepted(void *arg, struct tcp_pcb *pcb, err_t err)
{
    net_sock_t *l = arg;
    if (err != ERR_OK || pcb == NULL) {
        return ERR_VAL;
    }
    net_sock_t *p = NULL;
    if (l != NULL && l->npending < l->backlog) {
        p = sock_alloc_pending();
    }
    if (p == NULL) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    p->type = KEEL_SOCK_STREAM;
    p->state = SOCK_CONNECTED;
    p->ever_connected = true;
    p->listener = l;
    p->nodelay = l->nodelay;
    p->reuse = l->reuse;
    p->peer_addr = sock_host(&pcb->remote_ip);
    p->peer_port = pcb->remote_port;
    attach(p, pcb);
    tcp_backlog_delayed(pcb);
    l->pending[l->npending++] = p;
    return ERR_OK;
}

/* --- the operations ---------------------------------------------------- */

int stream_open(net_sock_t *s)
{
    struct tcp_pcb *pcb = tcp_new();
    if (pcb == NULL) {
        return -ENOMEM;
    }
    attach(s, pcb);
    return 0;
}

void stream_set_nodelay(net_sock_t *s)
{
    if (s->pcb.tcp == NULL || s->state == SOCK_LISTENING) {
        return; /* a listener passes it on to what it accepts */
    }
    if (s->nodelay) {
        tcp_nagle_disable(s->pcb.tcp);
    } else {
        tcp_nagle_enable(s->pcb.tcp);
    }
}

void stream_set_reuse(net_sock_t *s)
{
    if (s->pcb.tcp == NULL) {
        return;
    }
    if (s->reuse) {
        ip_set_option(s->pcb.tcp, SOF_REUSEADDR);
    } else {
        ip_reset_option(s->pcb.tcp, SOF_REUSEADDR);
    }
}

static int64_t bind_to(net_sock_t *s, const net_request_t *r)
{
    ip_addr_t ip;
    int64_t bad = sock_bind_address(s, r->addr, &ip);
    if (bad != 0) {
        return bad;
    }
    err_t e = tcp_bind(s->pcb.tcp, &ip, (u16_t)r->port);
    if (e != ERR_OK) {
        return -sock_errno(e);
    }
    s->state = SOCK_BOUND;
    return 0;
}

static int64_t listen_on(net_sock_t *s, uint32_t backlog)
{
    backlog = backlog < 1 ? 1 : min32(backlog, SOCK_BACKLOG_MAX);
    if (s->state == SOCK_LISTENING) {
        s->backlog = backlog;
        tcp_backlog_set(s->pcb.tcp, (u8_t)backlog);
        return 0;
    }
    if (s->state != SOCK_NEW && s->state != SOCK_BOUND) {
        return -EINVAL;
    }
    if (s->state == SOCK_NEW) {
        err_t e = tcp_bind(s->pcb.tcp, IP4_ADDR_ANY, 0);
        if (e != ERR_OK) {
            return -sock_errno(e);
        }
        s->state = SOCK_BOUND;
    }
    err_t e = ERR_OK;
    struct tcp_pcb *l = tcp_listen_with_backlog_and_err(s->pcb.tcp, (u8_t)backlog, &e);
    if (l == NULL) {
        return -sock_errno(e); /* the old pcb is still there */
    }
    s->pcb.tcp = l; /* lwIP freed the old one */
    tcp_arg(l, s);
    tcp_accept(l, accepted);
    s->state = SOCK_LISTENING;
    s->backlog = backlog;
    return 0;
}

static int64_t accept_one(net_sock_t *s, net_request_t *r)
{
    if (s->state != SOCK_LISTENING) {
        return -EINVAL;
    }
    if (s->npending == 0) {
        return NET_KEEP;
    }
    net_sock_t *p = s->pending[0];
    struct tcp_pcb *pcb = p->pcb.tcp;
    uint32_t addr = p->peer_addr, port = p->peer_port;
    int id = sock_adopt(p);
    if (id < 0) {
        return id;
    }
    s->npending--;
    memmove(&s->pending[0], &s->pending[1], s->npending * sizeof(s->pending[0]));
    if (pcb != NULL) {
        tcp_backlog_accepted(pcb);
    }
    r->out_addr = addr;
    r->out_port = port;
    return id;
}

static int64_t connect_to(net_sock_t *s, const net_request_t *r, bool again)
{
    if (again) { /* a kept CONNECT: made, or failed */
        if (s->state == SOCK_CONNECTING) {
            return NET_KEEP;
        }
        if (s->state == SOCK_CONNECTED) {
            return 0;
        }
        int e = sock_error_take(s);
        return -(e != 0 ? e : ECONNABORTED);
    }
    switch (s->state) {
    case SOCK_CONNECTING:
        return -EALREADY;
    case SOCK_CONNECTED:
        return -EISCONN;
    case SOCK_LISTENING:
        return -EINVAL;
    case SOCK_GONE: {
        if (s->ever_connected) {
            return -EISCONN;
        }
        int e = stream_open(s); /* a failed attempt: another, on a new pcb */
        if (e < 0) {
            return e;
        }
        s->state = SOCK_NEW;
        s->error = 0;
        break;
    }
    default:
        break;
    }
    ip_addr_t ip;
    sock_ip(&ip, r->addr);
    err_t e = tcp_connect(s->pcb.tcp, &ip, (u16_t)r->port, connected);
    if (e != ERR_OK) {
        return -sock_errno(e);
    }
    s->state = SOCK_CONNECTING;
    s->peer_addr = r->addr;
    s->peer_port = (uint16_t)r->port;
    return NET_KEEP;
}

/* As much as fits, at least one byte: tcp_write copies it, halving what it
 * offers while the segments queued would pass lwIP's limit. */
static int64_t send_some(net_sock_t *s, const net_request_t *r)
{
    if (s->error != 0) {
        return -sock_error_take(s);
    }
    if (s->shut_wr || s->state == SOCK_GONE) {
        return -EPIPE;
    }
    if (s->state == SOCK_CONNECTING) {
        return NET_KEEP;
    }
    if (s->state != SOCK_CONNECTED) {
        return -ENOTCONN;
    }
    if (r->length == 0) {
        return 0;
    }
    struct tcp_pcb *pcb = s->pcb.tcp;
    for (uint32_t n = min32(r->length, room(pcb)); n > 0; n /= 2) {
        err_t e = tcp_write(pcb, r->data, (u16_t)n, TCP_WRITE_FLAG_COPY);
        if (e == ERR_OK) {
            tcp_output(pcb);
            return n;
        }
        if (e != ERR_MEM) {
            return -sock_errno(e);
        }
    }
    return NET_KEEP;
}

static int64_t recv_some(net_sock_t *s, net_request_t *r)
{
    if (s->state == SOCK_NEW || s->state == SOCK_BOUND || s->state == SOCK_LISTENING) {
        return -ENOTCONN;
    }
    r->out_addr = s->peer_addr;
    r->out_port = s->peer_port;
    if (r->length == 0) {
        return 0;
    }
    if (s->rx_bytes > 0) {
        uint32_t n = rx_copy(s, r->data, r->length);
        if (!(r->flags & KEEL_SOCK_PEEK)) {
            rx_taken(s, n);
        }
        return n;
    }
    if (s->error != 0) {
        return -sock_error_take(s);
    }
    if (s->eof || s->shut_rd || s->state == SOCK_GONE) {
        return 0;
    }
    return NET_KEEP;
}

static int64_t shut(net_sock_t *s, uint32_t how)
{
    if (how > 2) {
        return -EINVAL;
    }
    if (s->state != SOCK_CONNECTED) {
        return -ENOTCONN;
    }
    if (how != 1 && !s->shut_rd) {
        s->shut_rd = true; /* what came and what comes is dropped */
        rx_taken(s, s->rx_bytes);
    }
    if (how != 0 && !s->shut_wr && s->pcb.tcp != NULL) {
        err_t e = tcp_shutdown(s->pcb.tcp, 0, 1); /* our FIN; the pcb stays */
        if (e != ERR_OK) {
            return -sock_errno(e);
        }
        s->shut_wr = true;
    }
    return 0;
}

int64_t stream_execute(net_sock_t *s, net_request_t *r, bool again)
{
    switch (r->op) {
    case KEEL_SOCK_BIND:
        return bind_to(s, r);
    case KEEL_SOCK_LISTEN:
        return listen_on(s, r->arg);
    case KEEL_SOCK_ACCEPT:
        return accept_one(s, r);
    case KEEL_SOCK_CONNECT:
        return connect_to(s, r, again);
    case KEEL_SOCK_SEND:
        return send_some(s, r);
    case KEEL_SOCK_RECV:
        return recv_some(s, r);
    case KEEL_SOCK_SHUTDOWN:
        return shut(s, r->arg);
    default:
        return -EINVAL;
    }
}

int stream_name(net_sock_t *s, net_request_t *r)
{
    if (r->arg == 1) {
        if (s->state != SOCK_CONNECTED) {
            return -ENOTCONN;
        }
        r->out_addr = s->peer_addr;
        r->out_port = s->peer_port;
        return 0;
    }
    const struct tcp_pcb *pcb = s->pcb.tcp; /* a listener's shares these fields */
    r->out_addr = pcb != NULL ? sock_host(&pcb->local_ip) : 0;
    r->out_port = pcb != NULL ? pcb->local_port : 0;
    return 0;
}

/* Not connected (yet): writing fails at once, as on Linux (POLLOUT,
 * POLLHUP); a reset or failed one: everything answers at once. */
uint8_t stream_ready(const net_sock_t *s)
{
    switch (s->state) {
    case SOCK_LISTENING:
        return s->npending > 0 ? KEEL_SOCK_READABLE : 0;
    case SOCK_CONNECTING:
        return 0;
    case SOCK_CONNECTED: {
        uint8_t bits = 0;
        if (s->rx_bytes > 0 || s->eof || s->shut_rd) {
            bits |= KEEL_SOCK_READABLE;
        }
        if (s->shut_wr || room(s->pcb.tcp) > 0) {
            bits |= KEEL_SOCK_WRITABLE;
        }
        if (s->eof) {
            bits |= KEEL_SOCK_HUP;
        }
        return bits;
    }
    case SOCK_GONE:
        return KEEL_SOCK_READABLE | KEEL_SOCK_WRITABLE | KEEL_SOCK_HUP;
    default:
        return KEEL_SOCK_WRITABLE | KEEL_SOCK_HUP;
    }
}

static void abort_pcb(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_abort(pcb);
}

/* A listener's waiting connections are reset. A connection closes
 * gracefully (lwIP itself resets it when received bytes were never read,
 * as Linux does), aborted only if lwIP cannot close it now. */
void stream_close(net_sock_t *s)
{
    for (unsigned i = 0; i < s->npending; i++) {
        net_sock_t *p = s->pending[i];
        if (p->pcb.tcp != NULL) {
            abort_pcb(p->pcb.tcp);
        }
        rx_free(p);
        sock_free(p);
    }
    s->npending = 0;
    rx_free(s);
    struct tcp_pcb *pcb = s->pcb.tcp;
    s->pcb.tcp = NULL;
    if (pcb == NULL) {
        return;
    }
    tcp_arg(pcb, NULL);
    if (s->state == SOCK_LISTENING) {
        tcp_close(pcb); /* a listener always closes */
        return;
    }
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
    if (tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
    }
}
