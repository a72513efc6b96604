/* The socket table and what every kind of socket shares (keel/os/sock.h):
 * SOCKET, CLOSE, NAME, SETOPT, GETOPT, INFO, readiness; the rest goes to
 * stream.c (TCP) or dgram.c (UDP, ICMP echo). */
#include "net.h"

#include <errno.h>
#include <lwip/tcp.h>
#include <string.h>

/* Accepted connections waiting for an ACCEPT, besides the program's ids:
 * they do not count against KEEL_SOCK_MAX. */
#define PENDING_MAX 64

static net_sock_t table[KEEL_SOCK_MAX + PENDING_MAX];
/* The ids in use, a bit each: what publish_ready visits. */
static uint64_t open_ids[KEEL_SOCK_MAX / 64];
_Static_assert(KEEL_SOCK_MAX % 64 == 0, "ids in whole words");

static void mark_open(unsigned i, bool open)
{
    if (i < KEEL_SOCK_MAX) {
        uint64_t bit = (uint64_t)1 << (i % 64);
        open_ids[i / 64] = open ? open_ids[i / 64] | bit : open_ids[i / 64] & ~bit;
    }
}

uint64_t sock_open_ids(unsigned word)
{
    return word < KEEL_SOCK_MAX / 64 ? open_ids[word] : 0;
}

static net_sock_t *find(uint32_t id)
{
    return id < KEEL_SOCK_MAX && table[id].used ? &table[id] : NULL;
}

bool sock_is_open(uint32_t id)
{
    return find(id) != NULL;
}

unsigned sock_count(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < KEEL_SOCK_MAX; i++) {
        n += table[i].used;
    }
    return n;
}

static net_sock_t *take_entry(unsigned from, unsigned to, int id)
{
    for (unsigned i = from; i < to; i++) {
        if (!table[i].used) {
            memset(&table[i], 0, sizeof(table[i]));
            table[i].used = true;
            table[i].id = id < 0 ? -1 : (int)i;
            mark_open(i, true);
            return &table[i];
        }
    }
    return NULL;
}

net_sock_t *sock_alloc_pending(void)
{
    return take_entry(KEEL_SOCK_MAX, KEEL_SOCK_MAX + PENDING_MAX, -1);
}

void sock_free(net_sock_t *s)
{
    mark_open((unsigned)(s - table), false);
    memset(s, 0, sizeof(*s));
}

/* A pending connection (ACCEPT took it) into the lowest free id: the
 * entry moves, so lwIP's callback argument follows it. -ENFILE: none. */
int sock_adopt(net_sock_t *pending)
{
    net_sock_t *s = take_entry(0, KEEL_SOCK_MAX, 0);
    if (s == NULL) {
        return -ENFILE;
    }
    int id = s->id;
    *s = *pending;
    s->id = id;
    s->listener = NULL;
    if (s->pcb.tcp != NULL) {
        tcp_arg(s->pcb.tcp, s);
    }
    sock_free(pending);
    return id;
}

int sock_error_take(net_sock_t *s)
{
    int e = s->error;
    s->error = 0;
    return e;
}

int sock_errno(err_t err)
{
    switch (err) {
    case ERR_OK:
        return 0;
    case ERR_MEM:
        return ENOMEM;
    case ERR_BUF:
        return ENOBUFS;
    case ERR_TIMEOUT:
        return ETIMEDOUT;
    case ERR_RTE:
        return ENETUNREACH;
    case ERR_INPROGRESS:
        return EINPROGRESS;
    case ERR_WOULDBLOCK:
        return EAGAIN;
    case ERR_USE:
        return EADDRINUSE;
    case ERR_ALREADY:
        return EALREADY;
    case ERR_ISCONN:
        return EISCONN;
    case ERR_CONN:
        return ENOTCONN;
    case ERR_IF:
        return ENETDOWN;
    case ERR_ABRT:
        return ECONNABORTED;
    case ERR_RST:
        return ECONNRESET;
    case ERR_CLSD:
        return ENOTCONN;
    default:
        return EINVAL;
    }
}

void sock_ip(ip_addr_t *ip, uint32_t host)
{
    ip_addr_set_zero(ip);
    ip4_addr_set_u32(ip_2_ip4(ip), lwip_htonl(host));
}

uint32_t sock_host(const ip_addr_t *ip)
{
    return lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(ip)));
}

/* What a BIND may take: a new socket, and any address, the interface's
 * or the loopback interface's. Then 0 and the address in `ip`. */
int64_t sock_bind_address(const net_sock_t *s, uint32_t addr, ip_addr_t *ip)
{
    if (s->state != SOCK_NEW) {
        return -EINVAL;
    }
    if (addr != 0 && addr != 0x7f000001u &&
        addr != lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(link_netif())))) {
        return -EADDRNOTAVAIL;
    }
    sock_ip(ip, addr);
    return 0;
}

static int64_t create(uint32_t type)
{
    if (type != KEEL_SOCK_STREAM && type != KEEL_SOCK_DGRAM && type != KEEL_SOCK_ICMP) {
        return -EPROTONOSUPPORT;
    }
    net_sock_t *s = take_entry(0, KEEL_SOCK_MAX, 0);
    if (s == NULL) {
        return -ENFILE;
    }
    s->type = (uint8_t)type;
    s->state = SOCK_NEW;
    int r = type == KEEL_SOCK_STREAM ? stream_open(s) : dgram_open(s);
    if (r < 0) {
        sock_free(s);
        return r;
    }
    return s->id;
}

void sock_close(uint32_t id)
{
    net_sock_t *s = find(id);
    if (s == NULL) {
        return;
    }
    if (s->type == KEEL_SOCK_STREAM) {
        stream_close(s);
    } else {
        dgram_close(s);
    }
    sock_free(s);
}

uint8_t sock_ready(uint32_t id)
{
    const net_sock_t *s = find(id);
    if (s == NULL) {
        return 0;
    }
    uint8_t bits = s->type == KEEL_SOCK_STREAM ? stream_ready(s) : dgram_ready(s);
    return (uint8_t)(bits | (s->error != 0 ? KEEL_SOCK_ERROR : 0));
}

static bool boolean(int64_t value)
{
    return value == 0 || value == 1;
}

static int64_t setopt(net_sock_t *s, const net_request_t *r)
{
    switch (r->arg) {
    case KEEL_SOCK_OPT_REUSEADDR:
        if (!boolean(r->value)) {
            return -EINVAL;
        }
        s->reuse = r->value != 0;
        if (s->type == KEEL_SOCK_STREAM) {
            stream_set_reuse(s);
        } else {
            dgram_set_reuse(s);
        }
        return 0;
    case KEEL_SOCK_OPT_NODELAY:
        if (s->type != KEEL_SOCK_STREAM) {
            return -ENOPROTOOPT;
        }
        if (!boolean(r->value)) {
            return -EINVAL;
        }
        s->nodelay = r->value != 0;
        stream_set_nodelay(s);
        return 0;
    default: /* ERROR and TYPE are read-only */
        return -ENOPROTOOPT;
    }
}

static int64_t getopt(net_sock_t *s, uint32_t option)
{
    switch (option) {
    case KEEL_SOCK_OPT_REUSEADDR:
        return s->reuse;
    case KEEL_SOCK_OPT_ERROR:
        return sock_error_take(s);
    case KEEL_SOCK_OPT_NODELAY:
        return s->type == KEEL_SOCK_STREAM ? s->nodelay : -ENOPROTOOPT;
    case KEEL_SOCK_OPT_TYPE:
        return s->type;
    default:
        return -ENOPROTOOPT;
    }
}

static int64_t info(net_request_t *r)
{
    keel_sock_info_t info;
    memset(&info, 0, sizeof(info));
    link_info(&info);
    info.sockets = sock_count();
    memcpy(r->data, &info, sizeof(info));
    return sizeof(info);
}

int64_t sock_execute(net_request_t *r, bool again)
{
    if (r->op == KEEL_SOCK_SOCKET) {
        return create(r->arg);
    }
    if (r->op == KEEL_SOCK_INFO) {
        return info(r);
    }
    net_sock_t *s = find(r->sock);
    if (s == NULL) {
        return -EBADF;
    }
    switch (r->op) {
    case KEEL_SOCK_NAME:
        if (r->arg > 1) {
            return -EINVAL;
        }
        return s->type == KEEL_SOCK_STREAM ? stream_name(s, r) : dgram_name(s, r);
    case KEEL_SOCK_SETOPT:
        return setopt(s, r);
    case KEEL_SOCK_GETOPT:
        return getopt(s, r->arg);
    default:
        if ((r->op == KEEL_SOCK_BIND || r->op == KEEL_SOCK_CONNECT ||
             (r->op == KEEL_SOCK_SEND && (r->flags & KEEL_SOCK_TO))) &&
            r->port > 0xffff) {
            return -EINVAL;
        }
        return s->type == KEEL_SOCK_STREAM ? stream_execute(s, r, again) : dgram_execute(s, r);
    }
}
