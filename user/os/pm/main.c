/* pm's start and its one loop (pm.h): calls of programs (badge = pid) and
 * of vfs (PM_VFS_BADGE) go to the generated dispatch; faults of programs
 * (badge PM_FAULT_BADGE | pid) end the faulting process with SIGSEGV;
 * notifications (KEEL_BADGE_NOTIFY) bring the timer's and the rtc's
 * completions (clock.c). */
#include "pm.h"
#include <errno.h>
#include <keel/os/heartbeat.h>
#include <keel/os/timer.h>
#include <keel/printf.h>
#include <keel/proto/vfs_defs.h>
#include <keel/string.h>

/* The start page: pm's grants. */
static const keel_startinfo_t *const si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;

static const keel_startcap_t *find_kind(uint32_t kind)
{
    for (uint64_t i = 0; i < si->ncaps; i++) {
        if (si->caps[i].kind == kind) {
            return &si->caps[i];
        }
    }
    return NULL;
}

static seL4_CPtr first_free_slot(void)
{
    seL4_CPtr next = KEEL_SLOT_FIRST_FREE;
    for (uint64_t i = 0; i < si->ncaps; i++) {
        seL4_CPtr end = si->caps[i].cptr + keel_startcap_slots(&si->caps[i]);
        if (end > next) {
            next = end;
        }
    }
    return next;
}

/* The windows pool: mapped in pm, its frames given (frames=pm), big enough
 * for a window per table entry and pm's load area. */
static bool find_pool(void)
{
    const keel_startcap_t *w = keel_startinfo_find(si, "windows");
    if (w == NULL || w->kind != KEEL_CAP_REGION || w->cptr == 0 || w->size < PM_POOL_SIZE) {
        printf("pm: no region \"windows\" with its frames and %lu KiB\n",
               (unsigned long)(PM_POOL_SIZE >> 10));
        return false;
    }
    pm.pool = (unsigned char *)w->vaddr;
    pm.pool_frames = w->cptr;
    return true;
}

/* pm's own badged copy of an endpoint it passes on, in `slot`: the cap
 * pm holds is the unbadged original its programs' caps are minted from,
 * and a call on that would reach the server with badge 0 (which rs, for
 * one, takes for no client at all). */
static bool mint_own(const keel_startcap_t *e, seL4_Word badge, seL4_CPtr slot, seL4_CPtr *own)
{
    seL4_Error err = seL4_CNode_Mint(KEEL_SLOT_CNODE, slot, PM_DEPTH, KEEL_SLOT_CNODE, e->cptr,
                                     PM_DEPTH, seL4_CapRights_new(1, 0, 0, 1), badge);
    *own = err == seL4_NoError ? slot : 0;
    return err == seL4_NoError;
}

/* Endpoints to mint from ("use NAME mint") are passed on to programs; "vfs"
 * and "rs" are also pm's own, minted into *slot and on: vfs's with
 * VFS_PM_BADGE, rs's with the grant's badge (RS_CLIENT_BADGE). */
static bool find_passed(seL4_CPtr *slot)
{
    for (uint64_t i = 0; i < si->ncaps; i++) {
        const keel_startcap_t *e = &si->caps[i];
        if (e->kind != KEEL_CAP_ENDPOINT || !(e->flags & KEEL_ENDPOINT_MINT)) {
            continue;
        }
        if (pm.npassed == PM_PASSED_MAX) {
            printf("pm: more than %d endpoints to pass on\n", PM_PASSED_MAX);
            return false;
        }
        pm.passed[pm.npassed++] = (pm_passed_t){ e->name, e->cptr, e->badge };
        if (strcmp(e->name, "vfs") == 0 && !mint_own(e, VFS_PM_BADGE, (*slot)++, &pm.vfs)) {
            return false;
        }
        if (strcmp(e->name, "rs") == 0 && !mint_own(e, e->badge, (*slot)++, &pm.rs)) {
            return false;
        }
    }
    return true;
}

static bool init(void)
{
    const keel_startcap_t *service = find_kind(KEEL_CAP_SERVICE);
    const keel_startcap_t *untyped = find_kind(KEEL_CAP_UNTYPED);
    const keel_startcap_t *asids = find_kind(KEEL_CAP_ASID_POOL);
    if (service == NULL || untyped == NULL || asids == NULL) {
        printf("pm: its start page lacks its endpoint, untyped or ASID pool\n");
        return false;
    }
    pm.endpoint = service->cptr;
    pm.next_pid = 1;
    pm_host.asid_pool = asids->cptr;
    seL4_CPtr slot = first_free_slot();
    return find_pool() && find_passed(&slot) && pm_init_memory(untyped->cptr, untyped->size, slot);
}

static const char *fault_name(seL4_Word label)
{
    switch (label) {
    case seL4_Fault_VMFault:
        return "segmentation fault";
    case seL4_Fault_UserException:
        return "illegal instruction";
    case seL4_Fault_CapFault:
        return "capability fault";
    case seL4_Fault_UnknownSyscall:
        return "unknown system call";
    default:
        return "fault";
    }
}

/* A program faulted. A first touch of a page of its stack or window: map
 * it and say true (the reply lets it go on). Otherwise remember where, say
 * so on the console, end it with SIGSEGV (SIGILL for an undefined
 * instruction) and say false: no reply, it is gone. */
static bool handle_fault(seL4_Word badge, seL4_MessageInfo_t info)
{
    pm_proc_t *p = pm_find((int64_t)(badge & ~PM_FAULT_BADGE));
    if (p == NULL || p->state == PM_ZOMBIE) {
        return false;
    }
    seL4_Word label = seL4_MessageInfo_get_label(info);
    if (label == seL4_Fault_VMFault &&
        pm_map_on_demand(p, seL4_GetMR(seL4_VMFault_Addr),
                         seL4_GetMR(seL4_VMFault_PrefetchFault) != 0)) {
        return true;
    }
    p->fault = (pm_fault_t){ .valid = true, .kind = label };
    if (label == seL4_Fault_VMFault) {
        p->fault.pc = seL4_GetMR(seL4_VMFault_IP);
        p->fault.addr = seL4_GetMR(seL4_VMFault_Addr);
    } else if (label == seL4_Fault_UserException) {
        p->fault.pc = seL4_GetMR(seL4_UserException_FaultIP);
    } else if (label == seL4_Fault_CapFault) {
        p->fault.pc = seL4_GetMR(seL4_CapFault_IP);
        p->fault.addr = seL4_GetMR(seL4_CapFault_Addr);
    }
    printf("pm: %s at 0x%lx (pid %ld, %s, pc 0x%lx)\n", fault_name(label),
           (unsigned long)p->fault.addr, (long)p->pid, p->name, (unsigned long)p->fault.pc);
    pm.faults[pm.next_fault++ % PM_FAULTS_KEPT] = (pm_fault_record_t){ p->pid, p->fault };
    pm_end(p, label == seL4_Fault_UserException ? PM_SIGILL : PM_SIGSEGV);
    return false;
}

/* The first program: the description's arguments after pm's name,
 * "[--respawn] [--rc SCRIPT] PATH ARGS...". With --respawn it is started
 * again each time it ends (the shell on the console: `exit` or Ctrl-D
 * gives a new one) -- unless it ended RESPAWN_BURST times within a second:
 * a shell whose console is gone for good ends at once, and would be
 * started for ever. With --rc, `/bin/sh SCRIPT` runs first, once, and the
 * first program starts when it ended (as MINIX's init runs /etc/rc before
 * the login): what the script starts in the background (a web server)
 * goes on. */
#define RESPAWN_BURST 5
#define RC_SHELL "/bin/sh"

static struct {
    const char *path;
    size_t argv_length;
    bool respawn;
    const char *rc;                   /* the boot script, NULL: none */
    uint64_t ended_at[RESPAWN_BURST]; /* counter values of its last ends */
    unsigned ends;
} first;

void pm_spawn_first(void)
{
    long pid = pm_spawn(0, first.path, first.path, first.argv_length, "", 0, NULL, 0, 0);
    if (pid < 0) {
        printf("pm: cannot start %s: error %ld\n", first.path, -pid);
    }
    pm.first_pid = pid > 0 ? pid : 0;
}

/* Did it end RESPAWN_BURST times within a second, this end included? */
static bool ending_too_fast(void)
{
    uint64_t now = keel_counter();
    first.ended_at[first.ends++ % RESPAWN_BURST] = now;
    uint64_t oldest = first.ended_at[first.ends % RESPAWN_BURST]; /* of the last RESPAWN_BURST */
    return first.ends >= RESPAWN_BURST && now - oldest < keel_counter_frequency();
}

/* `/bin/sh SCRIPT`, the console its stdin, stdout and stderr: its pid or
 * -errno. */
static long spawn_rc(void)
{
    static char argv[sizeof(RC_SHELL) + VFS_PATH_MAX + 1];
    size_t length = strlen(first.rc);
    if (length > VFS_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    memcpy(argv, RC_SHELL, sizeof(RC_SHELL));
    memcpy(argv + sizeof(RC_SHELL), first.rc, length + 1);
    return pm_spawn(0, RC_SHELL, argv, sizeof(RC_SHELL) + length + 1, "", 0, NULL, 0, 0);
}

/* Run the boot script; without it, say why in a line and start the first
 * program. */
static void start_rc(void)
{
    long r = strlen(first.rc) <= VFS_PATH_MAX ? pm_file_exists(first.rc) : -ENAMETOOLONG;
    if (r == -ENOENT) {
        printf("pm: boot script %s: not found\n", first.rc);
    } else {
        r = r == 0 ? spawn_rc() : r;
        if (r < 0) {
            printf("pm: boot script %s: cannot run it: error %ld\n", first.rc, -r);
        }
    }
    if (r < 0) {
        pm_spawn_first();
        return;
    }
    pm.rc_pid = r;
}

void pm_rc_ended(int64_t status)
{
    if ((status & 0x7f) != 0) {
        printf("pm: boot script %s failed: killed by signal %ld\n", first.rc,
               (long)(status & 0x7f));
    } else if (status != 0) {
        printf("pm: boot script %s failed: exit status %ld\n", first.rc,
               (long)((status >> 8) & 0xff));
    }
    /* The first program is pid 1, as without a script (the script's pid
     * is free again): pid 1 is where the children of ended processes go. */
    pm.next_pid = 1;
    pm_spawn_first();
}

void pm_first_ended(void)
{
    if (!first.respawn) {
        return;
    }
    if (ending_too_fast()) {
        printf("pm: %s ended %u times within a second; not started again\n", first.path,
               RESPAWN_BURST);
        return;
    }
    printf("pm: starting %s again\n", first.path);
    pm_spawn_first();
}

static void find_first(void)
{
    const char *s = si->strings + strlen(si->strings) + 1; /* after pm's name */
    uint64_t i = 1;
    for (; i < si->argc; i++, s += strlen(s) + 1) {
        if (strcmp(s, "--respawn") == 0) {
            first.respawn = true;
        } else if (strcmp(s, "--rc") == 0 && i + 1 < si->argc) {
            s += strlen(s) + 1;
            i++;
            first.rc = s;
        } else {
            break;
        }
    }
    first.path = i < si->argc ? s : NULL;
    for (; i < si->argc; i++) {
        first.argv_length += strlen(s) + 1;
        s += strlen(s) + 1;
    }
}

static keel_proto_request_t request(seL4_Word badge)
{
    const pm_proc_t *p = badge <= PM_PID_MAX ? pm_find((int64_t)badge) : NULL;
    return (keel_proto_request_t){
        .ctx = (void *)p, /* the caller: methods.c's caller() */
        .badge = badge,
        .window = p != NULL ? pm_window(p) : NULL,
        .window_size = p != NULL ? PM_WINDOW_SIZE : 0,
        .privileged = badge == PM_VFS_BADGE,
    };
}

int main(void)
{
    if (!init()) {
        printf("pm: cannot start\n");
        return 1;
    }
    printf("pm: %d processes of %lu KiB, up to %lu KiB each from a pool of %lu KiB, %s\n", PM_PROCS,
           (unsigned long)(((seL4_Word)1 << PM_PROC_BITS) >> 10),
           (unsigned long)(pm_quota_bytes() >> 10),
           (unsigned long)(((seL4_Word)pm.pool_size << PM_PROC_BITS) >> 10),
           pm.vfs != 0 ? "with vfs" : "no vfs: programs use the early console");
    pm_clock_init();
    find_first();
    if (first.path == NULL) {
        printf("pm: no first program named\n");
    } else if (first.rc != NULL) {
        start_rc();
    } else {
        pm_spawn_first();
    }
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(pm.endpoint, &badge);
    for (;;) {
        pm_clock_watch();
        if (badge & KEEL_BADGE_NOTIFY) {
            pm_clock_notified(keel_heartbeat_answer(si, badge));
            info = seL4_Recv(pm.endpoint, &badge);
            continue;
        }
        if (badge & PM_FAULT_BADGE) {
            if (handle_fault(badge, info)) {
                info = seL4_ReplyRecv(pm.endpoint, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
            } else {
                info = seL4_Recv(pm.endpoint, &badge);
            }
            continue;
        }
        keel_proto_request_t req = request(badge);
        seL4_MessageInfo_t reply;
        if (proto_pm_dispatch(&req, info, &reply)) {
            info = seL4_ReplyRecv(pm.endpoint, reply, &badge);
        } else {
            info = seL4_Recv(pm.endpoint, &badge);
        }
    }
}
