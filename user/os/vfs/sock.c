/* Sockets (docs/network.md "Sockets"): vfs owns every descriptor, so a
 * socket is an open file of kind OF_SOCKET naming a socket of the net
 * server, which vfs asks over the socket channel "net" (keel/os/sock.h).
 * Every request goes there and is answered when net's completion comes:
 * the caller waits meanwhile (a WAIT_NET waiter holding the request's
 * slot), and vfs serves everyone else. net keeps what must wait (a recv
 * on an empty socket, an accept with no connection) and says, in the
 * shared page, which sockets are ready, so poll asks nothing.
 *
 * A blocking send on a stream goes in parts of a slot's buffer until
 * all of it is sent (or an error ends it: then the bytes sent so far).
 *
 * A restarted net server has none of the old sockets: the requests in
 * flight are answered -ECONNRESET, the open files keep the old epoch and
 * every call on them fails the same way (close succeeds). accept says
 * EINVAL instead, POSIX's "not accepting connections": its ECONNRESET
 * would not be POSIX, and ECONNABORTED means "try again", which would
 * spin a blocking accept loop forever on a listener that is gone. */
#include "vfs.h"

#include <errno.h>
#include <keel/os/channel.h>
#include <keel/os/sock.h>
#include <string.h>

static struct {
    keel_channel_end_t end;
    unsigned char *region;
    keel_sock_shared_t *shared;
    uint32_t epoch;                     /* of the instance vfs caught up with; 0: none yet */
    uint32_t busy;                      /* slots in flight, a bit each */
    uint32_t cancel;                    /* slots whose CANCEL waits for room in the ring */
    uint8_t op[KEEL_SOCK_SLOTS];        /* each slot's request */
    uint64_t close[KEEL_SOCK_MAX / 64]; /* sockets whose CLOSE waits for room */
} net;

_Static_assert(KEEL_SOCK_SLOTS <= 32, "a bit per slot");
_Static_assert(KEEL_SOCK_MAX % 64 == 0, "close bits in whole words");

void sock_init(const keel_startinfo_t *si)
{
    keel_channel_end_t end = keel_channel_end(si, "net");
    const keel_startcap_t *region = keel_startinfo_find(si, "net");
    if (end.rings == NULL || region->size < KEEL_SOCK_REGION_SIZE) {
        return;
    }
    net.end = end;
    net.region = (unsigned char *)end.rings;
    net.shared = keel_sock_shared(net.region);
}

static bool net_up(void)
{
    return net.end.rings != NULL && !keel_channel_down(net.end.rings);
}

static bool stale(const ofile_t *o)
{
    return o->ino != net.epoch || !net_up();
}

/* CLOSEs and CANCELs, which need no slot, as far as the ring has room.
 * Called on every socket call: it visits only the bits set. */
static void flush_pending(void)
{
    keel_ring_t *r = &net.end.rings->request;
    for (unsigned w = 0; w < KEEL_SOCK_MAX / 64; w++) {
        for (uint64_t todo = net.close[w]; todo != 0; todo &= todo - 1) {
            unsigned id = w * 64 + (unsigned)__builtin_ctzll(todo);
            if (!keel_ring_put(r, (keel_ring_entry_t){ .cookie = KEEL_SOCK_NO_ANSWER,
                                                       .offset = id,
                                                       .op = KEEL_SOCK_CLOSE })) {
                return;
            }
            net.close[w] &= ~((uint64_t)1 << (id % 64));
        }
    }
    for (uint32_t todo = net.cancel; todo != 0; todo &= todo - 1) {
        unsigned s = (unsigned)__builtin_ctz(todo);
        if (!keel_ring_put(r, (keel_ring_entry_t){ .cookie = KEEL_SOCK_NO_ANSWER,
                                                   .offset = s,
                                                   .op = KEEL_SOCK_CANCEL })) {
            return;
        }
        net.cancel &= ~(1u << s);
    }
}

static void queue_close(uint32_t id)
{
    net.close[id / 64] |= (uint64_t)1 << (id % 64);
    flush_pending();
    seL4_Signal(net.end.signal);
}

void sock_release(const ofile_t *o)
{
    if (!stale(o)) {
        queue_close(o->index);
    }
}

void sock_cancel(unsigned slot)
{
    if (net_up() && (net.busy & (1u << slot))) {
        net.cancel |= 1u << slot;
        flush_pending();
        seL4_Signal(net.end.signal);
    }
}

static void catch_up(void);

/* Room for a request and the CANCEL that waiter_defer may queue first. */
static bool ring_has_room(void)
{
    const keel_ring_t *r = &net.end.rings->request;
    return !keel_ring_corrupt(r) && r->head - r->tail + 2 <= KEEL_RING_SLOTS;
}

/* Put `rec` (and for a send its bytes) in a free slot and ask net; the
 * caller p waits for the answer. */
static long ask(proc_t *p, uint16_t of, uint32_t op, const keel_sock_record_t *rec,
                const void *data, void *buf, size_t length, uint16_t method)
{
    if (!net_up()) {
        return -ENETDOWN;
    }
    if (keel_channel_restarted(net.end.rings, net.epoch)) {
        catch_up();
    }
    unsigned s = net.busy == UINT32_MAX ? KEEL_SOCK_SLOTS : (unsigned)__builtin_ctz(~net.busy);
    if (s >= KEEL_SOCK_SLOTS || !ring_has_room()) {
        return -EAGAIN;
    }
    long r = waiter_defer(WAIT_NET, p, of, buf, length);
    if (r != KEEL_PROTO_DEFERRED) {
        return r;
    }
    waiter_t *w = waiter_newest();
    w->net_slot = (uint8_t)s;
    w->method = method;
    w->net_flags = rec->flags;
    w->net_sock = rec->sock;
    w->done = 0;
    net.shared->record[s] = *rec;
    if (data != NULL) {
        memcpy(keel_sock_data(net.region, s), data, rec->length);
    }
    net.busy |= 1u << s;
    net.op[s] = (uint8_t)op;
    keel_ring_put(&net.end.rings->request, (keel_ring_entry_t){ .cookie = s, .op = op });
    seL4_Signal(net.end.signal);
    return KEEL_PROTO_DEFERRED;
}

/* The caller's socket fd: its open file, or -EBADF, -ENOTSOCK, and
 * -ECONNRESET for one of a net server gone. */
static long socket_of(seL4_Word badge, int64_t fd, proc_t **p, uint16_t *of)
{
    ofile_t *o;
    long r = lookup_fd(badge, fd, p, &o);
    if (r < 0) {
        return r;
    }
    if (o->kind != OF_SOCKET) {
        return -ENOTSOCK;
    }
    *of = (uint16_t)(*p)->fd[fd];
    return stale(o) ? -ECONNRESET : 0;
}

static keel_sock_record_t record_of(uint16_t of)
{
    return (keel_sock_record_t){ .sock = ofiles[of].index };
}

static uint32_t nonblock(uint16_t of, uint64_t msg_flags)
{
    bool now = (ofiles[of].flags & VFS_O_NONBLOCK) || (msg_flags & VFS_MSG_DONTWAIT);
    return now ? KEEL_SOCK_NONBLOCK : 0;
}

/* A request on socket fd with nothing but the record: the method's
 * one-word answer. */
static long simple(seL4_Word badge, int64_t fd, uint32_t op, keel_sock_record_t rec,
                   uint16_t method)
{
    proc_t *p;
    uint16_t of;
    long r = socket_of(badge, fd, &p, &of);
    if (r < 0) {
        return r;
    }
    rec.sock = ofiles[of].index;
    return ask(p, of, op, &rec, NULL, NULL, 0, method);
}

/* A SOCKET's or ACCEPT's new descriptor gets `flags` (O_NONBLOCK). */
static long with_fd_flags(long r, uint64_t flags)
{
    if (r == KEEL_PROTO_DEFERRED) {
        waiter_newest()->fd_flags = (uint32_t)flags;
    }
    return r;
}

long proto_vfs_socket(void *ctx, seL4_Word badge, uint64_t type, uint64_t flags)
{
    (void)ctx;
    CALLER(p);
    if (net.end.rings == NULL) {
        return -EAFNOSUPPORT;
    }
    if (fd_free(p, 0) < 0) {
        return -EMFILE;
    }
    if (!ofile_available(1)) {
        return -ENFILE;
    }
    keel_sock_record_t rec = { .arg = (uint32_t)type };
    long r = with_fd_flags(ask(p, 0, KEEL_SOCK_SOCKET, &rec, NULL, NULL, 0, VFS_SOCKET), flags);
    if (r == KEEL_PROTO_DEFERRED) {
        waiter_newest()->sock_type = (uint8_t)type;
    }
    return r;
}

long proto_vfs_bind(void *ctx, seL4_Word badge, int64_t fd, uint64_t addr, uint64_t port)
{
    (void)ctx;
    keel_sock_record_t rec = { .addr = (uint32_t)addr, .port = (uint32_t)port };
    return simple(badge, fd, KEEL_SOCK_BIND, rec, VFS_BIND);
}

long proto_vfs_listen(void *ctx, seL4_Word badge, int64_t fd, int64_t backlog)
{
    (void)ctx;
    keel_sock_record_t rec = { .arg = backlog > 128 ? 128 : (uint32_t)backlog };
    return simple(badge, fd, KEEL_SOCK_LISTEN, rec, VFS_LISTEN);
}

long proto_vfs_accept(void *ctx, seL4_Word badge, int64_t fd, uint64_t flags, uint64_t *addr,
                      uint64_t *port)
{
    (void)ctx, (void)addr, (void)port;
    proc_t *p;
    uint16_t of;
    long r = socket_of(badge, fd, &p, &of);
    if (r < 0) {
        return r == -ECONNRESET ? -EINVAL : r; /* a listener that is no more */
    }
    if (fd_free(p, 0) < 0) {
        return -EMFILE;
    }
    keel_sock_record_t rec = record_of(of);
    rec.flags = nonblock(of, 0);
    return with_fd_flags(ask(p, of, KEEL_SOCK_ACCEPT, &rec, NULL, NULL, 0, VFS_ACCEPT), flags);
}

long proto_vfs_connect(void *ctx, seL4_Word badge, int64_t fd, uint64_t addr, uint64_t port)
{
    (void)ctx;
    proc_t *p;
    uint16_t of;
    long r = socket_of(badge, fd, &p, &of);
    if (r < 0) {
        return r;
    }
    keel_sock_record_t rec = record_of(of);
    rec.flags = nonblock(of, 0);
    rec.addr = (uint32_t)addr;
    rec.port = (uint32_t)port;
    return ask(p, of, KEEL_SOCK_CONNECT, &rec, NULL, NULL, 0, VFS_CONNECT);
}

/* A send of length bytes, from `done` on: the next part. */
static keel_sock_record_t send_part(uint32_t sock, uint32_t flags, size_t length, size_t done)
{
    size_t part = length - done;
    return (keel_sock_record_t){
        .sock = sock,
        .flags = flags,
        .length = part > KEEL_SOCK_DATA_SIZE ? KEEL_SOCK_DATA_SIZE : (uint32_t)part,
    };
}

/* A stream's send goes in parts; a datagram is one request, whole. */
static long send_on(proc_t *p, uint16_t of, const void *buf, size_t length, uint32_t flags,
                    uint32_t addr, uint32_t port, uint16_t method)
{
    uint8_t type = ofiles[of].sock_type;
    if (type != VFS_SOCK_STREAM && length > KEEL_SOCK_DATA_SIZE) {
        return -EMSGSIZE;
    }
    keel_sock_record_t rec = send_part(ofiles[of].index, flags, length, 0);
    rec.addr = addr;
    rec.port = port;
    long r = ask(p, of, KEEL_SOCK_SEND, &rec, buf, (void *)(uintptr_t)buf, length, method);
    if (r == KEEL_PROTO_DEFERRED) {
        waiter_newest()->sock_type = type;
    }
    return r;
}

long sock_write(proc_t *p, uint16_t of, const void *buf, size_t length, uint16_t method)
{
    if (stale(&ofiles[of])) {
        return -ECONNRESET;
    }
    return send_on(p, of, buf, length, nonblock(of, 0), 0, 0, method);
}

long proto_vfs_sendto(void *ctx, seL4_Word badge, int64_t fd, const void *buf, size_t buf_length,
                      uint64_t flags, uint64_t addr, uint64_t port)
{
    (void)ctx;
    proc_t *p;
    uint16_t of;
    long r = socket_of(badge, fd, &p, &of);
    if (r < 0) {
        return r;
    }
    uint32_t f = nonblock(of, flags) | ((flags & VFS_MSG_TO) ? KEEL_SOCK_TO : 0);
    return send_on(p, of, buf, buf_length, f, (uint32_t)addr, (uint32_t)port, VFS_SENDTO);
}

static long recv_on(proc_t *p, uint16_t of, void *buf, size_t length, uint32_t flags,
                    uint16_t method)
{
    keel_sock_record_t rec = record_of(of);
    rec.flags = flags;
    rec.length = length > KEEL_SOCK_DATA_SIZE ? KEEL_SOCK_DATA_SIZE : (uint32_t)length;
    return ask(p, of, KEEL_SOCK_RECV, &rec, NULL, buf, rec.length, method);
}

long sock_read(proc_t *p, uint16_t of, void *buf, size_t length, uint16_t method)
{
    if (stale(&ofiles[of])) {
        return -ECONNRESET;
    }
    return recv_on(p, of, buf, length, nonblock(of, 0), method);
}

long proto_vfs_recvfrom(void *ctx, seL4_Word badge, int64_t fd, void *buf, size_t buf_length,
                        uint64_t flags, uint64_t *addr, uint64_t *port)
{
    (void)ctx, (void)addr, (void)port;
    proc_t *p;
    uint16_t of;
    long r = socket_of(badge, fd, &p, &of);
    if (r < 0) {
        return r;
    }
    uint32_t f = nonblock(of, flags) | ((flags & VFS_MSG_PEEK) ? KEEL_SOCK_PEEK : 0);
    return recv_on(p, of, buf, buf_length, f, VFS_RECVFROM);
}

long proto_vfs_shutdown(void *ctx, seL4_Word badge, int64_t fd, uint64_t how)
{
    (void)ctx;
    return simple(badge, fd, KEEL_SOCK_SHUTDOWN, (keel_sock_record_t){ .arg = (uint32_t)how },
                  VFS_SHUTDOWN);
}

long proto_vfs_sockname(void *ctx, seL4_Word badge, int64_t fd, uint64_t peer, uint64_t *addr,
                        uint64_t *port)
{
    (void)ctx, (void)addr, (void)port;
    return simple(badge, fd, KEEL_SOCK_NAME, (keel_sock_record_t){ .arg = (uint32_t)peer },
                  VFS_SOCKNAME);
}

/* vfs's option numbers are the channel's. */
_Static_assert(VFS_SOCKOPT_REUSEADDR == KEEL_SOCK_OPT_REUSEADDR &&
                   VFS_SOCKOPT_ERROR == KEEL_SOCK_OPT_ERROR &&
                   VFS_SOCKOPT_NODELAY == KEEL_SOCK_OPT_NODELAY &&
                   VFS_SOCKOPT_TYPE == KEEL_SOCK_OPT_TYPE,
               "one numbering of options");
_Static_assert(VFS_SOCK_STREAM == KEEL_SOCK_STREAM && VFS_SOCK_DGRAM == KEEL_SOCK_DGRAM &&
                   VFS_SOCK_ICMP == KEEL_SOCK_ICMP,
               "one numbering of types");

long proto_vfs_setsockopt(void *ctx, seL4_Word badge, int64_t fd, uint64_t option, int64_t value)
{
    (void)ctx;
    if (option == VFS_SOCKOPT_ERROR || option == VFS_SOCKOPT_TYPE) {
        return -ENOPROTOOPT;
    }
    keel_sock_record_t rec = { .arg = (uint32_t)option, .value = value };
    return simple(badge, fd, KEEL_SOCK_SETOPT, rec, VFS_SETSOCKOPT);
}

long proto_vfs_getsockopt(void *ctx, seL4_Word badge, int64_t fd, uint64_t option)
{
    (void)ctx;
    return simple(badge, fd, KEEL_SOCK_GETOPT, (keel_sock_record_t){ .arg = (uint32_t)option },
                  VFS_GETSOCKOPT);
}

long proto_vfs_netinfo(void *ctx, seL4_Word badge, void *buf, size_t buf_length)
{
    (void)ctx;
    CALLER(p);
    if (net.end.rings == NULL) {
        return -ENETDOWN;
    }
    keel_sock_record_t rec = { .length = (uint32_t)buf_length };
    return ask(p, 0, KEEL_SOCK_INFO, &rec, NULL, buf, buf_length, VFS_NETINFO);
}

unsigned sock_poll(const ofile_t *o)
{
    if (stale(o)) {
        return VFS_POLL_IN | VFS_POLL_OUT | VFS_POLL_ERR | VFS_POLL_HUP;
    }
    uint8_t ready = net.shared->ready[o->index];
    return ((ready & KEEL_SOCK_READABLE) ? VFS_POLL_IN : 0u) |
           ((ready & KEEL_SOCK_WRITABLE) ? VFS_POLL_OUT : 0u) |
           ((ready & KEEL_SOCK_HUP) ? VFS_POLL_HUP : 0u) |
           ((ready & KEEL_SOCK_ERROR) ? VFS_POLL_ERR : 0u);
}

/* A new socket `id` from net (SOCKET, ACCEPT): an open file and the
 * caller's lowest free descriptor; if there is none, the socket goes. */
static long install(waiter_t *w, uint32_t id, uint64_t flags, uint8_t type)
{
    proc_t *p = proc_find((seL4_Word)w->pid);
    long of = p != NULL ? ofile_alloc(OF_SOCKET, (uint16_t)id, VFS_O_RDWR | flags) : -ESRCH;
    long fd = of >= 0 ? fd_install(p, (uint16_t)of, 0) : of;
    if (of >= 0) {
        ofiles[of].ino = net.epoch;
        ofiles[of].sock_type = type;
    }
    if (fd < 0) {
        if (of >= 0) {
            ofiles[of].kind = OF_FREE;
        }
        queue_close(id);
    }
    return fd;
}

/* A stream's blocking send with more to go: the next part in the same
 * slot. */
static bool send_more(waiter_t *w, long result)
{
    bool stream = w->sock_type == VFS_SOCK_STREAM && (w->net_flags & KEEL_SOCK_NONBLOCK) == 0;
    if (!stream || result <= 0 || w->done + (size_t)result >= w->length) {
        return false;
    }
    w->done += (size_t)result;
    keel_sock_record_t rec = send_part(w->net_sock, w->net_flags, w->length, w->done);
    net.shared->record[w->net_slot] = rec;
    memcpy(keel_sock_data(net.region, w->net_slot), w->buf + w->done, rec.length);
    keel_ring_put(&net.end.rings->request,
                  (keel_ring_entry_t){ .cookie = w->net_slot, .op = KEEL_SOCK_SEND });
    return true;
}

/* Does a method's answer carry bytes into the caller's buffer? */
static bool brings_bytes(uint16_t method)
{
    return method == VFS_READ || method == VFS_RECVFROM || method == VFS_NETINFO;
}

static bool sends_bytes(uint16_t method)
{
    return method == VFS_WRITE || method == VFS_SENDTO;
}

/* net's result for w's request, checked: an errno, or a count that fits
 * what was asked. */
static long checked_result(const waiter_t *w, int64_t result)
{
    size_t part = w->length - w->done;
    part = part > KEEL_SOCK_DATA_SIZE ? KEEL_SOCK_DATA_SIZE : part;
    if (result < -4095 || (brings_bytes(w->method) && result > (int64_t)w->length) ||
        (sends_bytes(w->method) && result > (int64_t)part)) {
        return -EIO;
    }
    return (long)result;
}

/* net's answer in slot s (copied out once: net may write anything). */
static void answer(waiter_t *w, unsigned s, keel_sock_record_t rec)
{
    long r = checked_result(w, rec.result);
    if (brings_bytes(w->method) && r > 0) {
        memcpy(w->buf, keel_sock_data(net.region, s), (size_t)r);
    } else if (sends_bytes(w->method)) {
        if (send_more(w, r)) {
            return;
        }
        r = r < 0 ? (w->done > 0 ? (long)w->done : r) : (long)w->done + r;
    } else if ((w->method == VFS_SOCKET || w->method == VFS_ACCEPT) && r >= 0) {
        uint8_t type = w->method == VFS_SOCKET ? w->sock_type : VFS_SOCK_STREAM;
        r = r >= KEEL_SOCK_MAX ? -EIO : install(w, (uint32_t)r, w->fd_flags & VFS_O_NONBLOCK, type);
    }
    net.busy &= ~(1u << s);
    waiter_answer(w, w->method == VFS_RECVFROM ? proto_vfs_recvfrom_reply(r, rec.addr, rec.port)
                     : w->method == VFS_ACCEPT ? proto_vfs_accept_reply(r, rec.addr, rec.port)
                     : w->method == VFS_SOCKNAME
                         ? proto_vfs_sockname_reply(r, rec.addr, rec.port)
                         : proto_vfs_read_reply(r)); /* every other answer: one word */
}

static void take_completions(void)
{
    keel_ring_entry_t e;
    while (keel_ring_get(&net.end.rings->completion, &e)) {
        if (e.cookie >= KEEL_SOCK_SLOTS || (net.busy & (1u << e.cookie)) == 0) {
            continue; /* not a request in flight: net is wrong, ignore it */
        }
        unsigned s = (unsigned)e.cookie;
        keel_sock_record_t rec = net.shared->record[s];
        waiter_t *w = waiter_of_net_slot(s);
        if (w == NULL) { /* its process is gone; a socket made for it goes too */
            net.busy &= ~(1u << s);
            net.cancel &= ~(1u << s);
            bool made = net.op[s] == KEEL_SOCK_SOCKET || net.op[s] == KEEL_SOCK_ACCEPT;
            if (made && rec.result >= 0 && rec.result < KEEL_SOCK_MAX) {
                queue_close((uint32_t)rec.result);
            }
            continue;
        }
        answer(w, s, rec);
    }
}

/* Every request in flight: answered `error` (net is gone or new). */
static void fail_in_flight(long error)
{
    for (unsigned s = 0; s < KEEL_SOCK_SLOTS; s++) {
        if ((net.busy & (1u << s)) == 0) {
            continue;
        }
        waiter_t *w = waiter_of_net_slot(s);
        if (w != NULL) {
            long r = w->method == VFS_SOCKET || w->method == VFS_NETINFO ? -EAGAIN
                     : w->method == VFS_ACCEPT && error == -ECONNRESET   ? -EINVAL
                                                                         : error;
            waiter_answer(w, proto_vfs_read_reply(r));
        }
    }
    net.busy = 0;
    net.cancel = 0;
    memset(net.close, 0, sizeof(net.close));
}

/* A new instance of the net server (sock.h): what the old one had is
 * lost, unless no instance ever took a request (the first one). */
static void catch_up(void)
{
    keel_channel_t *c = net.end.rings;
    if (net.epoch != 0) {
        fail_in_flight(-ECONNRESET);
        c->completion.tail = c->completion.head;
        keel_channel_drop_requests(c);
    }
    net.epoch = keel_channel_accept(c);
    seL4_Signal(net.end.signal);
}

void sock_notified(seL4_Word bits)
{
    if (net.end.rings == NULL || (bits & net.end.bit) == 0) {
        return;
    }
    if (keel_channel_down(net.end.rings)) {
        fail_in_flight(-ENETDOWN);
        return;
    }
    if (keel_channel_restarted(net.end.rings, net.epoch)) {
        catch_up();
    }
    take_completions();
    flush_pending();
    seL4_Signal(net.end.signal); /* room in the completion ring again */
}
