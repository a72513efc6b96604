/* poll (proto/vfs.proto): whether each descriptor would wait, from what
 * vfs holds -- pipes, the console's lines and room, the net server's
 * readiness page (sock.c) -- so a poll asks no other process. One that
 * must wait is a WAIT_POLL waiter, tried again with every other waiter
 * (after anything that may have made a descriptor ready) and answered 0 at
 * its deadline. The deadlines need a clock: the timer channel "timer"
 * (keel/os/timer.h), on which vfs keeps one timeout, at the earliest
 * deadline of the polls that wait. */
#include "vfs.h"

#include <errno.h>
#include <keel/os/channel.h>
#include <keel/os/timer.h>
#include <string.h>

typedef struct poll_record {
    int32_t fd;
    int16_t events;
    int16_t revents;
} poll_record_t;
_Static_assert(sizeof(poll_record_t) == VFS_POLL_RECORD, "struct pollfd");

static struct {
    keel_channel_end_t end;
    uint32_t epoch;
    uint64_t armed;  /* the deadline of the timeout set; 0: none */
    uint64_t cookie; /* its cookie */
} timer;

void poll_init(const keel_startinfo_t *si)
{
    timer.end = keel_channel_end(si, "timer");
}

static unsigned pipe_events(const ofile_t *o)
{
    const pipe_t *pp = &pipes[o->index];
    if (o->kind == OF_PIPE_READ) {
        return (pp->count > 0 || pp->writers == 0 ? VFS_POLL_IN : 0u) |
               (pp->count == 0 && pp->writers == 0 ? VFS_POLL_HUP : 0u);
    }
    return pp->readers == 0 ? VFS_POLL_OUT | VFS_POLL_ERR
                            : (pp->count < PIPE_SIZE ? VFS_POLL_OUT : 0u);
}

/* POLL_* bits of what descriptor fd of p would do now. */
static unsigned events_of(const proc_t *p, int32_t fd)
{
    if (fd > VFS_FD_MAX || p->fd[fd] < 0) {
        return VFS_POLL_NVAL;
    }
    const ofile_t *o = &ofiles[p->fd[fd]];
    switch (o->kind) {
    case OF_PIPE_READ:
    case OF_PIPE_WRITE:
        return pipe_events(o);
    case OF_SOCKET:
        return sock_poll(o);
    case OF_NODE:
        if (nodes[o->index].type == NODE_DEV && nodes[o->index].dev == DEV_CONSOLE) {
            return (tty_readable() ? VFS_POLL_IN : 0u) | (console_room() > 0 ? VFS_POLL_OUT : 0u);
        }
        return VFS_POLL_IN | VFS_POLL_OUT;
    default: /* a disk file: never waits */
        return VFS_POLL_IN | VFS_POLL_OUT;
    }
}

/* Each record's revents, into the window: how many have some. The
 * records are copied out once (the program may change them meanwhile). */
static long poll_scan(const proc_t *p, unsigned char *fds, size_t length)
{
    poll_record_t rec[VFS_POLL_FDS_MAX];
    size_t n = length / sizeof(poll_record_t);
    memcpy(rec, fds, n * sizeof(poll_record_t));
    long ready = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned always = VFS_POLL_ERR | VFS_POLL_HUP | VFS_POLL_NVAL;
        unsigned got = rec[i].fd < 0 ? 0 : events_of(p, rec[i].fd);
        int16_t revents = (int16_t)(got & ((unsigned)(uint16_t)rec[i].events | always));
        memcpy(fds + i * sizeof(poll_record_t) + offsetof(poll_record_t, revents), &revents,
               sizeof(revents));
        ready += revents != 0;
    }
    return ready;
}

long proto_vfs_poll(void *ctx, seL4_Word badge, void *fds, size_t fds_length, int64_t timeout_ms)
{
    (void)ctx;
    CALLER(p);
    if (fds_length % sizeof(poll_record_t) != 0) {
        return -EINVAL;
    }
    long ready = poll_scan(p, fds, fds_length);
    if (ready > 0 || timeout_ms == 0) {
        return ready;
    }
    if (timeout_ms > 0 && timer.end.rings == NULL) {
        return -ENOSYS;
    }
    long r = waiter_defer(WAIT_POLL, p, 0, fds, fds_length);
    if (r == KEEL_PROTO_DEFERRED) {
        uint64_t ticks = keel_scale((uint64_t)timeout_ms, keel_counter_frequency(), 1000, true);
        waiter_newest()->deadline = timeout_ms < 0 ? 0 : keel_add_saturated(keel_counter(), ticks);
        poll_arm();
    }
    return r;
}

long poll_try(const waiter_t *w)
{
    const proc_t *p = proc_find((seL4_Word)w->pid);
    if (p == NULL) {
        return -ESRCH;
    }
    long ready = poll_scan(p, w->buf, w->length);
    if (ready == 0 && w->deadline != 0 && keel_counter() >= w->deadline) {
        return 0;
    }
    return ready > 0 ? ready : -EAGAIN;
}

static void put_timeout(void)
{
    keel_ring_put(
        &timer.end.rings->request,
        (keel_ring_entry_t){ .op = KEEL_TIMER_SET, .cookie = timer.cookie, .offset = timer.armed });
}

/* One timeout at the earliest deadline: a new one replaces a later one
 * (cancelled). One that fires early or late only makes vfs look again. */
void poll_arm(void)
{
    uint64_t earliest = waiters_earliest_deadline();
    if (timer.end.rings == NULL || earliest == 0 || (timer.armed != 0 && timer.armed <= earliest)) {
        return;
    }
    keel_ring_t *r = &timer.end.rings->request;
    if (timer.armed != 0) {
        keel_ring_put(r, (keel_ring_entry_t){ .op = KEEL_TIMER_CANCEL, .cookie = timer.cookie });
    }
    timer.armed = earliest;
    timer.cookie++;
    put_timeout();
    seL4_Signal(timer.end.signal);
}

void poll_notified(seL4_Word bits)
{
    if (timer.end.rings == NULL || (bits & timer.end.bit) == 0) {
        return;
    }
    keel_channel_t *c = timer.end.rings;
    if (keel_channel_restarted(c, timer.epoch) && !keel_channel_down(c)) {
        keel_channel_drop_requests(c); /* the deadline is absolute: set again */
        if (timer.armed != 0) {
            put_timeout();
        }
        timer.epoch = keel_channel_accept(c);
    }
    keel_ring_entry_t e;
    bool took = false;
    while (keel_ring_get(&c->completion, &e)) {
        took = true;
        if (e.cookie == timer.cookie) {
            timer.armed = 0; /* waiters_retry arms the next */
        }
    }
    if (took || keel_channel_down(c)) {
        seL4_Signal(timer.end.signal);
    }
}
