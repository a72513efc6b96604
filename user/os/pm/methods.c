/* The handlers of proto/pm.proto (keel/proto/pm_server.h). The generated
 * dispatch has checked every argument's range and buffer; `badge` is the
 * caller's pid, or PM_VFS_BADGE for vfs (privileged); `ctx` is the
 * caller's table entry (NULL for vfs), found once by main.c. */
#include "pm.h"
#include <errno.h>
#include <keel/os/startinfo.h>
#include <keel/proto/vfs.h>
#include <keel/string.h>

#define PAGE ((seL4_Word)1 << seL4_PageBits)
#define SIGNAL_BIT(sig) ((uint32_t)1 << (sig))
/* Signals whose default action is to be dropped (pm.proto's kill): those
 * POSIX ignores by default, and job control's, which pm does not do. */
#define DEFAULT_DROPPED                                                                            \
    (SIGNAL_BIT(PM_SIGURG) | SIGNAL_BIT(PM_SIGSTOP) | SIGNAL_BIT(PM_SIGTSTP) |                     \
     SIGNAL_BIT(PM_SIGCONT) | SIGNAL_BIT(PM_SIGCHLD) | SIGNAL_BIT(PM_SIGTTIN) |                    \
     SIGNAL_BIT(PM_SIGTTOU) | SIGNAL_BIT(PM_SIGWINCH))

/* The calling process, found once per request by main.c's request() and
 * passed as ctx (never a zombie: it is calling); NULL for vfs. */
static pm_proc_t *caller(void *ctx)
{
    return ctx;
}

/* May self put itself or a child into group pgid? Only if the group holds
 * self or one of its children: a process that could join any group could
 * then signal it as its own (kill(0)), the shell's among them. */
static bool may_join(const pm_proc_t *self, int64_t pgid)
{
    for (int i = 0; i < PM_PROCS; i++) {
        const pm_proc_t *p = &pm.proc[i];
        if (p->state != PM_FREE && p->pgid == pgid && (p == self || p->ppid == self->pid)) {
            return true;
        }
    }
    return false;
}

long proto_pm_spawn(void *ctx, seL4_Word badge, const char *path, const void *argv,
                    size_t argv_length, const void *envp, size_t envp_length, const void *fdmap,
                    size_t fdmap_length, int64_t pgid)
{
    (void)badge;
    const pm_proc_t *self = caller(ctx);
    if (self == NULL) {
        return -EPERM;
    }
    if (pgid > 0 && !may_join(self, pgid)) {
        return -EPERM;
    }
    return pm_spawn(self->pid, path, argv, argv_length, envp, envp_length, fdmap, fdmap_length,
                    pgid);
}

long proto_pm_exit(void *ctx, seL4_Word badge, int64_t status)
{
    (void)badge;
    pm_proc_t *self = caller(ctx);
    if (self == NULL) {
        return -EPERM;
    }
    pm_end(self, status << 8);
    return KEEL_PROTO_DEFERRED; /* no reply: it is gone */
}

static bool waits_for(const pm_proc_t *self, const pm_proc_t *c, int64_t pid)
{
    return c->state != PM_FREE && c->ppid == self->pid && (pid <= 0 || c->pid == pid);
}

long proto_pm_waitpid(void *ctx, seL4_Word badge, int64_t pid, uint64_t options, int64_t *status)
{
    (void)badge;
    pm_proc_t *self = caller(ctx);
    if (self == NULL) {
        return -ECHILD;
    }
    bool any = false;
    for (int i = 0; i < PM_PROCS; i++) {
        pm_proc_t *c = &pm.proc[i];
        if (!waits_for(self, c, pid)) {
            continue;
        }
        any = true;
        if (c->state == PM_ZOMBIE) {
            *status = c->status;
            int64_t done = c->pid;
            pm_reap(c);
            return done;
        }
    }
    if (!any) {
        return -ECHILD;
    }
    if (options & PM_WNOHANG) {
        return 0;
    }
    seL4_Error err = seL4_CNode_SaveCaller(KEEL_SLOT_CNODE, self->reply, PM_DEPTH);
    if (err != seL4_NoError) {
        return -EAGAIN;
    }
    self->state = PM_WAITING;
    self->wait_for = pid <= 0 ? -1 : pid;
    return KEEL_PROTO_DEFERRED;
}

/* May the caller signal p? Itself, its children, its group; vfs anyone. */
static bool may_signal(seL4_Word badge, const pm_proc_t *self, const pm_proc_t *p)
{
    return badge == PM_VFS_BADGE ||
           (self != NULL && (p == self || p->ppid == self->pid || p->pgid == self->pgid));
}

/* Deliver sig to p: true if it ended p. */
static bool deliver(pm_proc_t *p, int64_t sig)
{
    if (sig == 0 || p->state == PM_ZOMBIE) {
        return false;
    }
    if (sig != PM_SIGKILL && ((p->ignored | DEFAULT_DROPPED) & SIGNAL_BIT(sig))) {
        return false;
    }
    pm_end(p, sig);
    return true;
}

long proto_pm_kill(void *ctx, seL4_Word badge, int64_t pid, int64_t sig)
{
    pm_proc_t *self = caller(ctx);
    if (self == NULL && badge != PM_VFS_BADGE) {
        return -EPERM;
    }
    int64_t group = pid < 0 ? -pid : pid == 0 && self != NULL ? self->pgid : 0;
    bool found = false, permitted = false, self_ended = false;
    for (int i = 0; i < PM_PROCS; i++) {
        pm_proc_t *p = &pm.proc[i];
        if (p->state == PM_FREE || p->state == PM_ZOMBIE ||
            (group != 0 ? p->pgid != group : p->pid != pid)) {
            continue;
        }
        found = true;
        if (!may_signal(badge, self, p)) {
            continue;
        }
        permitted = true;
        bool is_self = p == self;
        if (deliver(p, sig) && is_self) {
            self_ended = true;
        }
    }
    if (self_ended) {
        return KEEL_PROTO_DEFERRED;
    }
    return !found ? -ESRCH : !permitted ? -EPERM : 0;
}

long proto_pm_getpid(void *ctx, seL4_Word badge)
{
    (void)badge;
    const pm_proc_t *self = caller(ctx);
    return self != NULL ? self->pid : -ESRCH;
}

long proto_pm_getppid(void *ctx, seL4_Word badge)
{
    (void)badge;
    const pm_proc_t *self = caller(ctx);
    return self != NULL ? self->ppid : -ESRCH;
}

/* Map the pages between the mapped end and the new break, leaving what its
 * stack and window will need. */
static bool grow_heap(pm_proc_t *p, seL4_Word new_brk)
{
    while (p->heap_end < new_brk) {
        if (!pm_heap_page_room(p) || kb_map_new(&p->b, p->heap_end, seL4_ReadWrite, KB_ATTR_DATA, 0,
                                                NULL, 0, NULL) != seL4_NoError) {
            return false;
        }
        p->heap_end += PAGE;
    }
    return true;
}

long proto_pm_sbrk(void *ctx, seL4_Word badge, int64_t increment)
{
    (void)badge;
    pm_proc_t *self = caller(ctx);
    if (self == NULL) {
        return -EPERM;
    }
    seL4_Word old = self->brk;
    if (increment < 0 && (seL4_Word)-increment > old - self->heap_start) {
        return -EINVAL;
    }
    seL4_Word new_brk = old + (seL4_Word)increment;
    /* a growth that cannot fit is refused before it maps a page */
    bool too_big =
        increment > 0 && new_brk > self->heap_end && new_brk - self->heap_end > pm_room_bytes(self);
    if (increment > 0 && (new_brk >= PM_WINDOW_VADDR || too_big || !grow_heap(self, new_brk))) {
        return -ENOMEM;
    }
    self->brk = new_brk; /* pages below a lowered break stay mapped */
    return (long)old;
}

long proto_pm_procinfo(void *ctx, seL4_Word badge, int64_t pid, int64_t *ppid, int64_t *pgid,
                       uint64_t *state, uint64_t *memory, char name[KEEL_PROTO_NAME_BYTES])
{
    (void)ctx;
    (void)badge;
    const pm_proc_t *best = NULL;
    for (int i = 0; i < PM_PROCS; i++) {
        const pm_proc_t *p = &pm.proc[i];
        if (p->state != PM_FREE && p->pid >= pid && (best == NULL || p->pid < best->pid)) {
            best = p;
        }
    }
    if (best == NULL) {
        return -ESRCH;
    }
    *ppid = best->ppid;
    *pgid = best->pgid;
    *state =
        best->state == PM_ZOMBIE ? PM_STATE_ZOMBIE
        : best->state == PM_WAITING || best->state == PM_SLEEPING || best->state == PM_CLOCK_WAIT
            ? PM_STATE_BLOCKED
            : PM_STATE_RUNNING;
    *memory = best->state == PM_ZOMBIE ? 0 : pm_used_bytes(best);
    memcpy(name, best->name,
           KEEL_NAME_MAX < KEEL_PROTO_NAME_BYTES ? KEEL_NAME_MAX : KEEL_PROTO_NAME_BYTES);
    name[KEEL_PROTO_NAME_BYTES - 1] = '\0';
    return best->pid;
}

long proto_pm_meminfo(void *ctx, seL4_Word badge, uint64_t *total, uint64_t *free, uint64_t *quota,
                      uint64_t *used)
{
    (void)badge;
    const pm_proc_t *self = caller(ctx);
    *total = pm_total_bytes();
    *free = pm_free_bytes();
    *quota = self != NULL ? pm_quota_bytes() : 0;
    *used = self != NULL ? pm_used_bytes(self) : 0;
    return 0;
}

long proto_pm_nanosleep(void *ctx, seL4_Word badge, uint64_t ns)
{
    (void)badge;
    return pm_sleep(caller(ctx), ns);
}

long proto_pm_boottime(void *ctx, seL4_Word badge, int64_t *seconds, uint64_t *counter)
{
    (void)badge;
    return pm_boottime(caller(ctx), seconds, counter);
}

long proto_pm_setpgid(void *ctx, seL4_Word badge, int64_t pid, int64_t pgid)
{
    (void)badge;
    pm_proc_t *self = caller(ctx);
    if (self == NULL) {
        return -EPERM;
    }
    pm_proc_t *p = pid == 0 ? self : pm_find(pid);
    if (p == NULL || p->state == PM_ZOMBIE) {
        return -ESRCH;
    }
    if (p != self && p->ppid != self->pid) {
        return -EPERM;
    }
    if (pgid != 0 && pgid != p->pid && !may_join(self, pgid)) {
        return -EPERM;
    }
    p->pgid = pgid == 0 ? p->pid : pgid;
    return 0;
}

long proto_pm_getpgid(void *ctx, seL4_Word badge, int64_t pid)
{
    (void)badge;
    const pm_proc_t *p = pid == 0 ? caller(ctx) : pm_find(pid);
    return p != NULL ? p->pgid : -ESRCH;
}

long proto_pm_signal(void *ctx, seL4_Word badge, int64_t sig, uint64_t action)
{
    (void)badge;
    pm_proc_t *self = caller(ctx);
    if (self == NULL) {
        return -EPERM;
    }
    if (sig == PM_SIGKILL || sig == PM_SIGSTOP) {
        return -EINVAL;
    }
    long previous = (self->ignored & SIGNAL_BIT(sig)) ? PM_SIG_IGNORE : PM_SIG_DEFAULT;
    if (action == PM_SIG_IGNORE) {
        self->ignored |= SIGNAL_BIT(sig);
    } else {
        self->ignored &= ~SIGNAL_BIT(sig);
    }
    return previous;
}

long proto_pm_halt(void *ctx, seL4_Word badge)
{
    (void)ctx;
    (void)badge;
    if (pm.vfs != 0) {
        vfs_unmount(pm.vfs); /* the disk written out and marked clean; whatever it says, stop */
    }
    /* The debug kernel's halt stops QEMU's CPU: the simplest honest end. */
    seL4_DebugHalt();
    return 0;
}

long proto_pm_faultinfo(void *ctx, seL4_Word badge, int64_t pid, uint64_t *addr, uint64_t *pc,
                        uint64_t *kind)
{
    (void)ctx;
    (void)badge;
    for (unsigned i = 1; i <= PM_FAULTS_KEPT; i++) {
        const pm_fault_record_t *r = &pm.faults[(pm.next_fault - i) % PM_FAULTS_KEPT];
        if (r->pid == pid) {
            *addr = r->fault.addr;
            *pc = r->fault.pc;
            *kind = r->fault.kind;
            return 0;
        }
    }
    return -ESRCH;
}
