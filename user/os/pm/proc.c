/* The process table (pm.h): memory, spawn, the end of a process. Each
 * table entry owns, for good, a 1 MiB untyped and a range of pm's slots; a
 * process's every object is retyped from the one into the other, so its
 * end is one Revoke of the untyped (the kernel deletes every object and
 * every copy of a cap to one, the mappings with them) and the entry is
 * ready for the next process. */
#include "pm.h"
#include <errno.h>
#include <keel/printf.h>
#include <keel/proto/vfs.h>
#include <keel/string.h>

#define PAGE ((seL4_Word)1 << seL4_PageBits)

pm_system_t pm;

static seL4_CPtr new_table(void)
{
    return kb_new_object(&pm.self, seL4_ARM_PageTableObject, 0);
}

static bool take_chunk(kb_proc_t *b);

kb_host_t pm_host = {
    .cnode = KEEL_SLOT_CNODE,
    .vspace = KEEL_SLOT_VSPACE,
    .scratch = PM_SCRATCH,
    .new_table = new_table,
    .asid_pool = 0, /* set by main from the start page */
    .more_memory = take_chunk,
};

/* The pool: as many untypeds of PM_PROC_BITS as the rest of the grant
 * holds (up to PM_POOL_MAX, and the slots left), in slots from `slot`. */
static void init_pool(seL4_CPtr untyped, seL4_CPtr slot)
{
    seL4_Word room = ((seL4_Word)1 << KEEL_CNODE_BITS) - 1 - slot;
    unsigned n = room < PM_POOL_MAX ? (unsigned)room : PM_POOL_MAX;
    while (n > 0 && seL4_Untyped_Retype(untyped, seL4_UntypedObject, PM_PROC_BITS, KEEL_SLOT_CNODE,
                                        0, 0, slot, n) != seL4_NoError) {
        n--; /* fewer: the kernel refuses the whole request when the rest is short */
    }
    pm.pool_first = slot;
    pm.pool_size = n;
}

/* Carve the untyped grant: one PM_PROC_BITS untyped per table entry, one
 * more for pm's own page tables, the program copies' page, and the pool
 * from the rest. Slots from first_free on. */
bool pm_init_memory(seL4_CPtr untyped, seL4_Word size, seL4_CPtr first_free)
{
    seL4_Word each = (seL4_Word)1 << PM_PROC_BITS;
    if (size < (PM_PROCS + 1) * each) {
        printf("pm: the untyped grant of %lu KiB is below the %lu KiB pm needs\n",
               (unsigned long)(size >> 10), (unsigned long)(((PM_PROCS + 1) * each) >> 10));
        return false;
    }
    seL4_CPtr slot = first_free;
    seL4_Error err = seL4_Untyped_Retype(untyped, seL4_UntypedObject, PM_PROC_BITS, KEEL_SLOT_CNODE,
                                         0, 0, slot, PM_PROCS + 1);
    if (err != seL4_NoError) {
        printf("pm: cannot carve its untyped: error %d\n", (int)err);
        return false;
    }
    pm.self = (kb_proc_t){ .host = &pm_host,
                           .untyped = slot + PM_PROCS,
                           .quota = each,
                           .first_slot = slot + PM_PROCS + 1,
                           .nslots = 64 };
    slot += PM_PROCS + 1 + 64;
    for (int i = 0; i < PM_PROCS; i++) {
        pm.proc[i].memory = first_free + (seL4_CPtr)i;
        pm.proc[i].reply = slot++;
        pm.proc[i].b.first_slot = slot;
        slot += PM_PROC_SLOTS;
    }
    if (slot + 1 > ((seL4_CPtr)1 << KEEL_CNODE_BITS)) {
        printf("pm: its CNode is too small for %d processes\n", PM_PROCS);
        return false;
    }
    pm_programs_init(untyped, slot);
    init_pool(untyped, slot + 1);
    return true;
}

/* Which table entry (plus one) was last given each pid: every request finds
 * its caller in one step. An entry that was freed or reused since is told
 * by its own state and pid, so nothing needs clearing. */
static uint8_t entry_of_pid[PM_PID_MAX + 1];
_Static_assert(PM_PROCS < UINT8_MAX, "entry_of_pid holds an entry index plus one");

pm_proc_t *pm_find(int64_t pid)
{
    if (pid < 1 || pid > PM_PID_MAX || entry_of_pid[pid] == 0) {
        return NULL;
    }
    pm_proc_t *p = &pm.proc[entry_of_pid[pid] - 1];
    return p->state != PM_FREE && p->pid == pid ? p : NULL;
}

static seL4_Word window_offset(const pm_proc_t *p)
{
    return (seL4_Word)(p - pm.proc) * PM_WINDOW_SIZE;
}

unsigned char *pm_window(const pm_proc_t *p)
{
    return pm.pool + window_offset(p);
}

static unsigned pool_free_chunks(void)
{
    unsigned free = 0;
    for (unsigned i = 0; i < pm.pool_size; i++) {
        free += !pm.pool_taken[i];
    }
    return free;
}

/* Free: the entries of no process, the pool's untypeds no process took,
 * and the rest of each process's current untyped. */
seL4_Word pm_free_bytes(void)
{
    seL4_Word free = (seL4_Word)pool_free_chunks() << PM_PROC_BITS;
    for (int i = 0; i < PM_PROCS; i++) {
        free += pm.proc[i].state == PM_FREE || pm.proc[i].state == PM_ZOMBIE
                    ? (seL4_Word)1 << PM_PROC_BITS
                    : pm.proc[i].b.quota - pm.proc[i].b.used;
    }
    return free;
}

seL4_Word pm_total_bytes(void)
{
    return (seL4_Word)(PM_PROCS + pm.pool_size) << PM_PROC_BITS;
}

seL4_Word pm_used_bytes(const pm_proc_t *p)
{
    return p->used_before + p->b.used;
}

seL4_Word pm_quota_bytes(void)
{
    unsigned chunks = pm.pool_size < PM_CHUNKS_MAX ? pm.pool_size : PM_CHUNKS_MAX;
    return (seL4_Word)(1 + chunks) << PM_PROC_BITS;
}

seL4_Word pm_room_bytes(const pm_proc_t *p)
{
    unsigned chunks = pool_free_chunks();
    unsigned may = PM_CHUNKS_MAX - p->nchunks;
    return p->b.quota - p->b.used + ((seL4_Word)(chunks < may ? chunks : may) << PM_PROC_BITS);
}

static pm_proc_t *proc_of(kb_proc_t *b)
{
    for (int i = 0; i < PM_PROCS; i++) {
        if (&pm.proc[i].b == b) {
            return &pm.proc[i];
        }
    }
    return NULL; /* pm.self */
}

/* The builder's more_memory: the process's next untyped from the pool. */
static bool take_chunk(kb_proc_t *b)
{
    pm_proc_t *p = proc_of(b);
    if (p == NULL || p->nchunks == PM_CHUNKS_MAX) {
        return false;
    }
    for (unsigned i = 0; i < pm.pool_size; i++) {
        if (!pm.pool_taken[i]) {
            pm.pool_taken[i] = true;
            p->chunk[p->nchunks++] = (uint8_t)i;
            p->used_before += b->quota; /* the rest of it stays p's */
            b->untyped = pm.pool_first + i;
            b->quota = (seL4_Word)1 << PM_PROC_BITS;
            b->used = 0;
            return true;
        }
    }
    return false;
}

static int64_t new_pid(void)
{
    for (int tries = 0; tries < PM_PID_MAX; tries++) {
        int64_t pid = pm.next_pid;
        pm.next_pid = pid == PM_PID_MAX ? 1 : pid + 1;
        bool used = pm_find(pid) != NULL;
        for (int i = 0; i < PM_PROCS && !used; i++) {
            used = pm.proc[i].state != PM_FREE && pm.proc[i].pgid == pid;
        }
        if (!used) {
            return pid;
        }
    }
    return 0;
}

static pm_proc_t *free_entry(void)
{
    for (int i = 0; i < PM_PROCS; i++) {
        if (pm.proc[i].state == PM_FREE) {
            return &pm.proc[i];
        }
    }
    return NULL;
}

static seL4_CPtr window_frame(const pm_proc_t *p, unsigned page)
{
    return pm.pool_frames + window_offset(p) / PAGE + page;
}

/* Every object of the process goes back to its untyped; the copies of the
 * pool's frames that mapped its window are deleted (they are not from its
 * untyped). */
static void release(pm_proc_t *p)
{
    for (unsigned i = 0; i < PM_WINDOW_SIZE / PAGE; i++) {
        if (p->window_caps[i] != 0) {
            seL4_CNode_Delete(KEEL_SLOT_CNODE, p->window_caps[i], PM_DEPTH);
            p->window_caps[i] = 0;
        }
    }
    memset(p->stack_pages, 0, sizeof(p->stack_pages));
    p->stack_mapped = 0;
    seL4_CNode_Revoke(KEEL_SLOT_CNODE, p->memory, PM_DEPTH);
    for (unsigned i = 0; i < p->nchunks; i++) {
        seL4_CNode_Revoke(KEEL_SLOT_CNODE, pm.pool_first + p->chunk[i], PM_DEPTH);
        pm.pool_taken[p->chunk[i]] = false;
    }
    p->nchunks = 0;
    p->used_before = 0;
    seL4_CNode_Delete(KEEL_SLOT_CNODE, p->reply, PM_DEPTH);
    p->b.used = 0;
    p->b.used_slots = 0;
    p->b.hole = 0;
    p->b.park_cnode = 0;
    p->b.parked = 0;
    p->b.pages = 0;
}

/* argv or envp: count the NUL-terminated strings; -1 if the last is not. */
static int64_t count_strings(const char *s, size_t length)
{
    if (length != 0 && s[length - 1] != '\0') {
        return -1;
    }
    int64_t n = 0;
    for (size_t i = 0; i < length; i++) {
        n += s[i] == '\0';
    }
    return n;
}

static unsigned char compose[KEEL_STARTINFO_SIZE] __attribute__((aligned(16)));

static keel_startcap_t *add_cap(keel_startinfo_t *si, const char *name, uint32_t kind)
{
    keel_startcap_t *e = &si->caps[si->ncaps++];
    memset(e, 0, sizeof(*e));
    memcpy(e->name, name, strlen(name) + 1);
    e->kind = kind;
    return e;
}

#define STACK_BOTTOM (KEEL_STACK_TOP - PM_STACK)
#define WINDOW_END (PM_WINDOW_VADDR + PM_WINDOW_SIZE)
#define STACK_PAGES (PM_STACK / PAGE)
_Static_assert(STACK_PAGES % 64 == 0, "a bit per stack page, 64 to a word");
/* The stack pages not touched yet that the heap leaves room for (below):
 * a program's stack grows a little at a time. */
#define STACK_RESERVE 8

/* A window page: a copy of the pool's frame cap, mapped. Its slot is
 * kept from the copy on, so that release deletes it even if the mapping
 * failed. */
static bool map_window_page(pm_proc_t *p, unsigned page)
{
    seL4_CPtr copy = p->window_caps[page] == 0 ? kb_take_slot(&p->b) : 0;
    if (copy == 0 ||
        seL4_CNode_Copy(KEEL_SLOT_CNODE, copy, PM_DEPTH, KEEL_SLOT_CNODE, window_frame(p, page),
                        PM_DEPTH, seL4_ReadWrite) != seL4_NoError) {
        return false;
    }
    p->window_caps[page] = copy;
    return kb_map(&p->b, copy, PM_WINDOW_VADDR + page * PAGE, seL4_ReadWrite, KB_ATTR_DATA) ==
           seL4_NoError;
}

static bool map_stack_page(pm_proc_t *p, unsigned page)
{
    uint64_t bit = (uint64_t)1 << (page % 64);
    if (p->stack_pages[page / 64] & bit) {
        return false;
    }
    seL4_Error err = kb_map_new(&p->b, STACK_BOTTOM + page * PAGE, seL4_ReadWrite, KB_ATTR_DATA, 0,
                                NULL, 0, NULL);
    if (err != seL4_NoError) {
        return false;
    }
    p->stack_pages[page / 64] |= bit;
    p->stack_mapped++;
    return true;
}

/* Most programs touch one page of their stack and little of their window:
 * each page of either is mapped when it is first touched (a page fault pm
 * answers), not at the start. A fetch, a fault on a page already mapped (a
 * permission fault), or no memory left: the fault stands. */
bool pm_map_on_demand(pm_proc_t *p, seL4_Word addr, bool fetch)
{
    if (fetch) {
        return false;
    }
    if (addr >= PM_WINDOW_VADDR && addr < WINDOW_END) {
        return map_window_page(p, (unsigned)((addr - PM_WINDOW_VADDR) / PAGE));
    }
    if (addr >= STACK_BOTTOM && addr < KEEL_STACK_TOP) {
        return map_stack_page(p, (unsigned)((addr - STACK_BOTTOM) / PAGE));
    }
    return false;
}

/* What the window pages and the next STACK_RESERVE stack pages not touched
 * yet will take when they are: a slot each, a frame each for the stack,
 * and for the window's first page its page table. The heap leaves that
 * much (pm_heap_page_room), so that a program that ran out of memory still
 * has its stack and its window -- it can still print that it did. */
static void untouched_needs(const pm_proc_t *p, seL4_Word *slots, seL4_Word *bytes)
{
    seL4_Word window = 0;
    for (unsigned i = 0; i < PM_WINDOW_SIZE / PAGE; i++) {
        window += p->window_caps[i] == 0;
    }
    seL4_Word untouched = STACK_PAGES - p->stack_mapped;
    seL4_Word stack = untouched < STACK_RESERVE ? untouched : STACK_RESERVE;
    seL4_Word table = window == PM_WINDOW_SIZE / PAGE;
    *slots = window + stack + table;
    *bytes = (stack + table) * PAGE;
}

bool pm_heap_page_room(pm_proc_t *p)
{
    seL4_Word slots, bytes;
    untouched_needs(p, &slots, &bytes);
    /* a heap page: its frame and, at times, a page table, and a slot to
     * park them (a new park CNode: 32 KiB) */
    bytes += 2 * PAGE + kb_object_bytes(seL4_CapTableObject, KB_PARK_BITS);
    if (p->b.used_slots + slots + 3 > p->b.nslots) {
        return false;
    }
    return p->b.used + bytes <= p->b.quota || take_chunk(&p->b);
}

/* "pm", the endpoints passed on and "data" fit the program's CNode. */
_Static_assert(KEEL_SLOT_FIRST_FREE + 1 + PM_PASSED_MAX + 1 <= (1 << PM_CNODE_BITS),
               "a program's caps fit its CNode");

static seL4_Error give_endpoint(pm_proc_t *p, keel_startinfo_t *si, const char *name,
                                seL4_CPtr from, seL4_Word base)
{
    keel_startcap_t *e = add_cap(si, name, KEEL_CAP_ENDPOINT);
    e->cptr = KEEL_SLOT_FIRST_FREE + si->ncaps - 1;
    e->badge = base | (seL4_Word)p->pid;
    return seL4_CNode_Mint(p->b.cnode, e->cptr, PM_CNODE_BITS, KEEL_SLOT_CNODE, from, PM_DEPTH,
                           seL4_CapRights_new(1, 0, 0, 1), e->badge);
}

/* Its caps: "pm" and every endpoint pm passes on (vfs, timer), each with
 * badge = its pid; the region "data". */
static seL4_Error give_caps(pm_proc_t *p, keel_startinfo_t *si)
{
    seL4_Error err = give_endpoint(p, si, "pm", pm.endpoint, 0);
    for (unsigned i = 0; err == seL4_NoError && i < pm.npassed; i++) {
        err = give_endpoint(p, si, pm.passed[i].name, pm.passed[i].cap, pm.passed[i].base);
    }
    keel_startcap_t *e = add_cap(si, "data", KEEL_CAP_REGION);
    e->flags = KEEL_REGION_WRITABLE;
    e->vaddr = PM_WINDOW_VADDR;
    e->size = PM_WINDOW_SIZE;
    if (err != seL4_NoError) {
        p->b.failed = "its capabilities";
    }
    return err;
}

static const char *base_name(const char *path)
{
    const char *name = path;
    for (const char *s = path; *s != '\0'; s++) {
        if (*s == '/') {
            name = s + 1;
        }
    }
    return name;
}

/* The start page: name, pid, heap, caps, then argv and envp. */
static seL4_Error start_page(pm_proc_t *p, const char *argv, size_t argv_length, const char *envp,
                             size_t envp_length, int64_t argc, int64_t envc)
{
    keel_startinfo_t *si = (keel_startinfo_t *)compose;
    memset(si, 0, sizeof(*si)); /* only it and the strings are copied */
    si->magic = KEEL_STARTINFO_MAGIC;
    si->version = KEEL_STARTINFO_VERSION;
    memcpy(si->name, p->name, sizeof(si->name));
    si->pid = (uint64_t)p->pid;
    si->stack_top = KEEL_STACK_TOP;
    si->stack_size = PM_STACK;
    si->heap_start = p->heap_start;
    seL4_Error err = give_caps(p, si);
    si->argc = (uint64_t)argc;
    si->envc = (uint64_t)envc;
    si->strings_len = argv_length + envp_length;
    memcpy(si->strings, argv, argv_length);
    memcpy(si->strings + argv_length, envp, envp_length);
    return err != seL4_NoError ? err
                               : kb_map_start_page(&p->b, compose, sizeof(*si) + si->strings_len);
}

static seL4_Error build(pm_proc_t *p, const kb_reader_t *file, const char *argv, size_t argv_length,
                        const char *envp, size_t envp_length, int64_t argc, int64_t envc)
{
    /* Its window is mapped on demand; the last process's data in it stays
     * its own. */
    memset(pm_window(p), 0, PM_WINDOW_SIZE);
    seL4_Error err = kb_make_objects(&p->b);
    if (err == seL4_NoError) {
        err = kb_load_image_from(&p->b, file, PAGE); /* the stack's top page */
        p->stack_pages[(STACK_PAGES - 1) / 64] = (uint64_t)1 << ((STACK_PAGES - 1) % 64);
        p->stack_mapped = 1;
    }
    if (err == seL4_NoError) {
        err = kb_fixed_caps(&p->b, pm.endpoint, PM_FAULT_BADGE | (seL4_Word)p->pid);
    }
    if (err == seL4_NoError) {
        err = start_page(p, argv, argv_length, envp, envp_length, argc, envc);
    }
    if (err == seL4_NoError) {
        err = kb_make_thread(&p->b, KEEL_SLOT_TCB, 0, PM_PRIORITY, 0, p->name);
    }
    return err;
}

/* vfs's side of a new process: its descriptors (the parent's through
 * fdmap, copied into the child's window first: the parent cannot change
 * them under vfs) and its window. */
static long vfs_create(const pm_proc_t *p, const void *fdmap, size_t fdmap_length)
{
    if (pm.vfs == 0) {
        return 0;
    }
    memcpy(pm_window(p), fdmap, fdmap_length);
    long r = vfs_proc_create(pm.vfs, p->pid, p->ppid, window_offset(p), fdmap_length);
    if (r == 0) {
        r = vfs_proc_window(pm.vfs, p->pid, window_offset(p), PM_WINDOW_SIZE);
        if (r < 0) {
            vfs_proc_exit(pm.vfs, p->pid);
        }
    }
    return r;
}

long pm_spawn(int64_t parent, const char *path, const char *argv, size_t argv_length,
              const char *envp, size_t envp_length, const void *fdmap, size_t fdmap_length,
              int64_t pgid)
{
    int64_t argc = count_strings(argv, argv_length);
    int64_t envc = count_strings(envp, envp_length);
    if (argc < 1 || envc < 0) {
        return -EINVAL;
    }
    if (argc + envc > KEEL_STARTINFO_ARGS_MAX ||
        argv_length + envp_length > KEEL_STARTINFO_SIZE - sizeof(keel_startinfo_t)) {
        return -E2BIG;
    }
    pm_proc_t *p = free_entry();
    if (p == NULL) {
        return -EAGAIN;
    }
    static pm_program_t file; /* pm builds one process at a time */
    kb_elf_t elf;
    long opened = pm_program_open(&file, parent, path, &elf);
    if (opened < 0) {
        return opened;
    }
    int64_t pid = new_pid();
    if (pid == 0) {
        return -EAGAIN;
    }
    const pm_proc_t *caller = pm_find(parent);
    seL4_CPtr first_slot = p->b.first_slot;
    *p = (pm_proc_t){ .state = PM_RUNNING,
                      .pid = pid,
                      .ppid = parent,
                      .pgid = pgid == 0  ? pid
                              : pgid > 0 ? pgid
                              : caller   ? caller->pgid
                                         : pid,
                      .memory = p->memory,
                      .reply = p->reply,
                      .heap_start = elf.end,
                      .brk = elf.end,
                      .heap_end = elf.end };
    entry_of_pid[pid] = (uint8_t)(p - pm.proc + 1);
    p->b = (kb_proc_t){ .host = &pm_host,
                        .untyped = p->memory,
                        .quota = (seL4_Word)1 << PM_PROC_BITS,
                        .first_slot = first_slot,
                        .nslots = PM_PROC_SLOTS,
                        .cnode_bits = PM_CNODE_BITS,
                        .park = true,
                        .elf = elf };
    memcpy(p->name, base_name(path),
           strlen(base_name(path)) + 1 < KEEL_NAME_MAX ? strlen(base_name(path)) + 1
                                                       : KEEL_NAME_MAX - 1);
    seL4_Error err = build(p, &file.reader, argv, argv_length, envp, envp_length, argc, envc);
    if (err != seL4_NoError) {
        printf("pm: cannot build %s: %s: error %d\n", path, p->b.failed ? p->b.failed : "start",
               (int)err);
        release(p);
        p->state = PM_FREE;
        return err == seL4_NotEnoughMemory ? -ENOMEM : file.error < 0 ? file.error : -EAGAIN;
    }
    long r = vfs_create(p, fdmap, fdmap_length);
    if (r == 0 && seL4_TCB_Resume(p->b.tcb) != seL4_NoError) {
        vfs_proc_exit(pm.vfs, p->pid);
        r = -EAGAIN;
    }
    if (r < 0) {
        release(p);
        p->state = PM_FREE;
        return r;
    }
    return pid;
}

void pm_reap(pm_proc_t *p)
{
    p->state = PM_FREE;
}

/* Answer a parent blocked in waitpid for p: the reply it saved. */
static bool wake_parent(pm_proc_t *parent, pm_proc_t *p)
{
    if (parent == NULL || parent->state != PM_WAITING ||
        (parent->wait_for != -1 && parent->wait_for != p->pid)) {
        return false;
    }
    seL4_MessageInfo_t info = proto_pm_waitpid_reply(p->pid, p->status);
    seL4_NBSend(parent->reply, info); /* a stale slot is no fault for pm */
    parent->state = PM_RUNNING;
    return true;
}

static void reparent_children(const pm_proc_t *p)
{
    pm_proc_t *init = pm_find(1);
    int64_t heir = init != NULL && init != p && init->state != PM_ZOMBIE ? 1 : 0;
    for (int i = 0; i < PM_PROCS; i++) {
        pm_proc_t *c = &pm.proc[i];
        if (c->state == PM_FREE || c->ppid != p->pid || c == p) {
            continue;
        }
        c->ppid = heir;
        if (c->state == PM_ZOMBIE && (heir == 0 || wake_parent(init, c))) {
            pm_reap(c);
        }
    }
}

void pm_end(pm_proc_t *p, int64_t status)
{
    if (p->state == PM_SLEEPING) {
        pm_sleep_cancel(p);
    }
    release(p);
    if (pm.vfs != 0) {
        vfs_proc_exit(pm.vfs, p->pid); /* its descriptors close: pipes see EOF or EPIPE */
    }
    p->state = PM_ZOMBIE;
    p->status = status;
    pm.exits++;
    reparent_children(p);
    pm_proc_t *parent = p->ppid != 0 ? pm_find(p->ppid) : NULL;
    bool rc = p->pid == pm.rc_pid; /* the boot script: its end is main.c's to tell */
    if (parent == NULL) {
        if (!rc) {
            printf("pm: %s (pid %ld) ended, wait status 0x%lx\n", p->name, (long)p->pid,
                   (unsigned long)status);
        }
        pm_reap(p);
    } else if (wake_parent(parent, p)) {
        pm_reap(p);
    }
    if (rc) {
        pm.rc_pid = 0;
        pm_rc_ended(status); /* starts the first program: may take p's entry */
    } else if (p->pid == pm.first_pid) {
        pm.first_pid = 0;
        pm_first_ended(); /* may take p's entry */
    }
}
