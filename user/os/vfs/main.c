/* vfs (docs/os.md "vfs"): the server loop, the process table and the
 * requests that wait. It serves proto/vfs.proto with the generated dispatch
 * (os_program's third argument); pm calls it with PM_BADGE, every program
 * with its pid. Grants (system/keel.system): "vfs" (its endpoint),
 * "windows" (the pool of data windows it shares with pm), "bin" (the
 * archive of /bin), optionally "uart" (the console driver's channel) and
 * "pm" (to send Ctrl-C's SIGINT). */
#include "vfs.h"

#include <errno.h>
#include <keel/gen/invocations.h>
#include <keel/os/heartbeat.h>
#include <keel/os/start.h>
#include <keel/syscalls.h>
#include <stdio.h>
#include <string.h>

static proc_t procs[PROC_MAX];
static unsigned char *pool; /* the "windows" region */
static size_t pool_size;

/* Which entry of procs (plus one) was last given each pid: a request
 * finds its caller in one step. An entry freed or reused since is told by
 * its own pid, so nothing needs clearing. */
static uint8_t entry_of_pid[VFS_PID_MAX + 1];
_Static_assert(PROC_MAX < UINT8_MAX, "entry_of_pid holds an entry index plus one");

proc_t *proc_find(seL4_Word badge)
{
    if (badge < 1 || badge > VFS_PID_MAX || entry_of_pid[badge] == 0) {
        return NULL;
    }
    proc_t *p = &procs[entry_of_pid[badge] - 1];
    return p->pid == (int64_t)badge ? p : NULL;
}

/* The waiters in arrival order (the oldest first), and which of the reply
 * slots they hold, a bit each. */
static waiter_t waiters[WAITER_MAX];
static int nwaiters;
static uint32_t reply_slots_used;
_Static_assert(WAITER_MAX <= 32, "a bit per reply slot");

static seL4_CPtr reply_slot(int i)
{
    return REPLY_SLOT_FIRST + (seL4_CPtr)i;
}

/* A process's requests end with it: drop their reply capabilities. */
static void waiters_drop(int64_t pid)
{
    int kept = 0;
    for (int i = 0; i < nwaiters; i++) {
        if (waiters[i].pid != pid) {
            waiters[kept++] = waiters[i];
            continue;
        }
        seL4_CNode_Delete(KEEL_SLOT_CNODE, reply_slot(waiters[i].slot), 64);
        reply_slots_used &= ~(1u << waiters[i].slot);
        if (waiters[i].kind == WAIT_NET) {
            sock_cancel(waiters[i].net_slot);
        }
    }
    nwaiters = kept;
}

/* The usage method (docs/reliability.md "Resource exhaustion"): how full
 * each fixed table is. Any caller vfs knows may ask; it changes nothing. */
long proto_vfs_usage(void *ctx, seL4_Word badge, uint64_t *nprocs, uint64_t *nofiles,
                     uint64_t *npipes, uint64_t *nwaiting, uint64_t *replies)
{
    (void)ctx;
    CALLER(p);
    (void)p;
    *nprocs = *nofiles = *npipes = 0;
    for (int i = 0; i < PROC_MAX; i++) {
        *nprocs += procs[i].pid != 0;
    }
    for (int i = 0; i < OFILE_MAX; i++) {
        *nofiles += ofiles[i].kind != OF_FREE;
    }
    for (int i = 0; i < PIPE_MAX; i++) {
        *npipes += pipes[i].used;
    }
    *nwaiting = (uint64_t)nwaiters;
    *replies = (uint64_t)__builtin_popcount(reply_slots_used);
    return 0;
}

/* Save the caller's reply capability and remember what it waits for.
 * A process has one thread: if a request of its still waits when it asks
 * again, that one was sent without Call (nobody waits for its answer), and
 * it is dropped. So a process holds one waiting slot at most -- requests
 * sent without Call cannot take every slot and make others' reads fail
 * with EAGAIN. */
long waiter_defer(uint8_t kind, proc_t *p, uint16_t ofile, void *buf, size_t length)
{
    waiters_drop(p->pid);
    if (nwaiters == WAITER_MAX) {
        return -EAGAIN;
    }
    int slot = __builtin_ctz(~reply_slots_used); /* a free one: fewer waiters than slots */
    if (seL4_CNode_SaveCaller(KEEL_SLOT_CNODE, reply_slot(slot), 64) != seL4_NoError) {
        return -EAGAIN;
    }
    reply_slots_used |= 1u << slot;
    waiters[nwaiters++] = (waiter_t){ .kind = kind,
                                      .slot = (uint8_t)slot,
                                      .ofile = ofile,
                                      .pid = p->pid,
                                      .buf = buf,
                                      .length = length };
    return KEEL_PROTO_DEFERRED;
}

waiter_t *waiter_newest(void)
{
    return &waiters[nwaiters - 1];
}

waiter_t *waiter_of_net_slot(unsigned slot)
{
    for (int i = 0; i < nwaiters; i++) {
        if (waiters[i].kind == WAIT_NET && waiters[i].net_slot == slot) {
            return &waiters[i];
        }
    }
    return NULL;
}

void waiter_answer(waiter_t *w, seL4_MessageInfo_t reply)
{
    seL4_NBSend(reply_slot(w->slot), reply); /* a caller gone meanwhile: no fault */
    reply_slots_used &= ~(1u << w->slot);
    int i = (int)(w - waiters);
    memmove(&waiters[i], &waiters[i + 1], (size_t)(nwaiters - i - 1) * sizeof(waiters[0]));
    nwaiters--;
}

uint64_t waiters_earliest_deadline(void)
{
    uint64_t earliest = 0;
    for (int i = 0; i < nwaiters; i++) {
        uint64_t d = waiters[i].kind == WAIT_POLL ? waiters[i].deadline : 0;
        if (d != 0 && (earliest == 0 || d < earliest)) {
            earliest = d;
        }
    }
    return earliest;
}

/* The result for waiter w now, or -EAGAIN if it still waits. */
static long waiter_try(const waiter_t *w)
{
    const ofile_t *o = &ofiles[w->ofile];
    switch (w->kind) {
    case WAIT_PIPE_READ:
        return pipe_try_read(&pipes[o->index], w->buf, w->length);
    case WAIT_PIPE_WRITE:
        return pipe_try_write(&pipes[o->index], w->buf, w->length);
    case WAIT_CONSOLE_WRITE:
        return tty_try_write(w->buf, w->length);
    case WAIT_NET:
        return -EAGAIN; /* answered when its completion comes (sock.c) */
    case WAIT_POLL:
        return poll_try(w);
    default:
        return tty_try_read(w->buf, w->length);
    }
}

/* Answer every waiter whose pipe or line is ready, oldest first; keep the
 * others in their order. Both read and write replies are one word, so the
 * read builder serves both. */
void waiters_retry(void)
{
    int kept = 0;
    for (int i = 0; i < nwaiters; i++) {
        long r = waiter_try(&waiters[i]);
        if (r == -EAGAIN) {
            waiters[kept++] = waiters[i];
            continue;
        }
        /* NBSend: a caller gone meanwhile leaves a stale slot, no fault */
        seL4_NBSend(reply_slot(waiters[i].slot), proto_vfs_read_reply(r));
        reply_slots_used &= ~(1u << waiters[i].slot);
    }
    nwaiters = kept;
    poll_arm();
}

static proc_t *proc_alloc(int64_t pid)
{
    for (int i = 0; i < PROC_MAX; i++) {
        if (procs[i].pid == 0) {
            proc_t *p = &procs[i];
            entry_of_pid[pid] = (uint8_t)(i + 1);
            memset(p, 0, sizeof(*p));
            memset(p->fd, 0xff, sizeof(p->fd));
            p->pid = pid;
            return p;
        }
    }
    return NULL;
}

/* pm's first program: 0, 1 and 2 on one open file of /dev/console. */
static long console_fds(proc_t *p)
{
    uint16_t n;
    long r = tree_lookup(ROOT_NODE, "/dev/console", &n);
    for (int i = 0; r == 0 && i < OFILE_MAX; i++) {
        if (ofiles[i].kind == OF_FREE) {
            ofiles[i] = (ofile_t){ .kind = OF_NODE, .index = n, .flags = VFS_O_RDWR };
            tree_ref(n);
            for (int fd = 0; fd < 3; fd++) {
                fd_install(p, (uint16_t)i, fd);
            }
            return 0;
        }
    }
    return -ENFILE;
}

/* The child's descriptor i is the parent's map[i] (n entries), then the
 * parent's own. */
static void inherit(proc_t *child, const proc_t *parent, const int32_t *map, size_t n)
{
    for (size_t i = 0; i < FD_COUNT; i++) {
        int32_t from = i < n ? map[i] : (int32_t)i;
        if (from >= 0 && parent->fd[from] >= 0) {
            child->fd[i] = parent->fd[from];
            ofiles[parent->fd[from]].refs++;
        }
    }
    child->cwd = parent->cwd;
    memcpy(child->cwd_path, parent->cwd_path, sizeof(child->cwd_path));
}

long proto_vfs_proc_create(void *ctx, seL4_Word badge, int64_t pid, int64_t parent,
                           const void *fdmap, size_t fdmap_length)
{
    (void)ctx, (void)badge;
    int32_t map[VFS_FDMAP_BYTES / 4];
    size_t n = fdmap_length / 4;
    if (fdmap_length % 4 != 0) { /* also a map of 1 to 3 bytes: no whole entry */
        return -EINVAL;
    }
    memcpy(map, fdmap, n * 4); /* shared memory: read once */
    for (size_t i = 0; i < n; i++) {
        if (map[i] < VFS_FDMAP_CLOSED || map[i] > VFS_FD_MAX) {
            return -EINVAL;
        }
    }
    const proc_t *pp = parent == 0 ? NULL : proc_find((seL4_Word)parent);
    if (proc_find((seL4_Word)pid) != NULL) {
        return -EEXIST;
    }
    if (parent != 0 && pp == NULL) {
        return -ESRCH;
    }
    proc_t *p = proc_alloc(pid);
    if (p == NULL) {
        return -EAGAIN;
    }
    if (pp == NULL) {
        p->cwd = ROOT_NODE;
        strcpy(p->cwd_path, "/");
        long r = console_fds(p);
        if (r < 0) {
            p->pid = 0;
            return r;
        }
    } else {
        inherit(p, pp, map, n);
    }
    tree_ref(p->cwd);
    return 0;
}

long proto_vfs_proc_window(void *ctx, seL4_Word badge, int64_t pid, uint64_t offset, uint64_t size)
{
    (void)ctx, (void)badge;
    proc_t *p = proc_find((seL4_Word)pid);
    if (p == NULL) {
        return -ESRCH;
    }
    if (offset > pool_size || size > pool_size - offset) {
        return -EINVAL;
    }
    p->window = pool + offset;
    p->window_size = size;
    return 0;
}

long proto_vfs_proc_exit(void *ctx, seL4_Word badge, int64_t pid)
{
    (void)ctx, (void)badge;
    proc_t *p = proc_find((seL4_Word)pid);
    if (p == NULL) {
        return -ESRCH;
    }
    waiters_drop(pid);
    proc_close_all(p);
    tree_unref(p->cwd);
    p->pid = 0;
    waiters_retry();
    return 0;
}

/* pm's window is the whole pool (it puts a proc_create's fd map anywhere
 * in it); a program's is what proc_window gave it. */
static keel_proto_request_t request_of(seL4_Word badge)
{
    keel_proto_request_t req = { .badge = badge, .privileged = badge == VFS_PM_BADGE };
    if (req.privileged) {
        req.window = pool;
        req.window_size = pool_size;
    } else {
        const proc_t *p = proc_find(badge);
        req.window = p != NULL ? p->window : NULL;
        req.window_size = p != NULL ? p->window_size : 0;
    }
    return req;
}

static const keel_startcap_t *grant(const char *name, uint32_t kind)
{
    const keel_startcap_t *cap = keel_startinfo_find(keel_startinfo(), name);
    return cap != NULL && cap->kind == kind ? cap : NULL;
}

static seL4_CPtr start(void)
{
    const keel_startcap_t *service = grant("vfs", KEEL_CAP_SERVICE);
    const keel_startcap_t *windows = grant("windows", KEEL_CAP_REGION);
    const keel_startinfo_t *si = keel_startinfo();
    for (uint64_t i = 0; i < si->ncaps && i < KEEL_STARTINFO_CAPS; i++) {
        if (si->caps[i].cptr >= REPLY_SLOT_FIRST) {
            printf("vfs: slot %lu is one of the reply slots; stopping\n",
                   (unsigned long)si->caps[i].cptr);
            return 0;
        }
    }
    if (service == NULL) {
        printf("vfs: no endpoint \"vfs\" to serve; stopping\n");
        return 0;
    }
    if (windows != NULL) {
        pool = (unsigned char *)windows->vaddr;
        pool_size = windows->size;
    }
    tree_init(grant("bin", KEEL_CAP_REGION));
    disk_init(si);
    tty_init();
    console_init();
    sock_init(si);
    poll_init(si);
    return service->cptr;
}

/* The channels' signals: the console's, the net server's, the timer's. */
static void notified(seL4_Word bits)
{
    console_notified(bits);
    sock_notified(bits);
    poll_notified(bits);
}

/* What a request may have made ready: waiters answered, Ctrl-C's signal
 * sent; before the caller's own answer, so that it goes with the receive
 * of the next request in one ReplyRecv. The messages sent meanwhile would
 * overwrite the answer's words: those are kept aside. A request that was
 * deferred changed nothing (it waits because nothing could be moved): no
 * waiter can be ready because of it. */
static void after_request(bool deferred, seL4_Word stashed, seL4_MessageInfo_t reply)
{
    bool retry = nwaiters != 0 && !deferred;
    if (!retry && !tty_signal_pending() && stashed == 0) {
        return;
    }
    seL4_Word saved[seL4_MsgMaxLength];
    seL4_Word length = seL4_MessageInfo_get_length(reply);
    for (seL4_Word i = 0; i < length; i++) {
        saved[i] = seL4_GetMR((int)i);
    }
    if (stashed != 0) {
        notified(stashed); /* what came while vfs waited for the disk */
    }
    if (retry) {
        waiters_retry();
    }
    tty_flush_signal();
    for (seL4_Word i = 0; i < length; i++) {
        seL4_SetMR((int)i, saved[i]);
    }
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    seL4_CPtr ep = start();
    if (ep == 0) {
        for (;;) {
            seL4_Yield();
        }
    }
    printf("vfs: serving, window pool %zu KiB\n", pool_size / 1024);
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (;;) {
        seL4_MessageInfo_t reply = seL4_MessageInfo_new(0, 0, 0, 0);
        bool answer = false;
        bool signal = (badge & KEEL_BADGE_NOTIFY) != 0;
        if (signal) {
            notified(keel_heartbeat_answer(keel_startinfo(), badge));
        } else {
            keel_proto_request_t req = request_of(badge);
            answer = proto_vfs_dispatch(&req, info, &reply);
        }
        after_request(!signal && !answer, disk_take_stashed(), reply);
        info = answer ? seL4_ReplyRecv(ep, reply, &badge) : seL4_Recv(ep, &badge);
    }
}
