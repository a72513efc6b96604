/* libostest's root-task half: memory from an untyped, the start page a
 * program would get (pm, vfs, a data window, argv, envp), threads for the
 * fake servers, then the program's start as the start-up runs it:
 * keel_init_hook, main, keel_exit_hook. */
#include "libostest.h"

#include <keel/gen/invocations.h>
#include <keel/ipcbuf.h>
#include <keel/os/startinfo.h>
#include <keel/syscalls.h>
#include <keel/tls.h>
#include <string.h>

#define PAGE 4096ul
#define ROOT seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits
#define STARTINFO_PAGES 4 /* the start page's struct passes one page */
#define SERVER_PRIORITY 200
#define MAX_THREADS 2
#define THREAD_STACK 16384
#define TLS_AREA 4096

void keel_init_hook(int argc, char **argv, char **envp);
void keel_exit_hook(int status);
void libostest_start(seL4_BootInfo *bi);

static seL4_BootInfo *bootinfo;
static seL4_CPtr next_slot;
static seL4_CPtr untyped;

extern char __keel_image_start[];

static void say(const char *s)
{
    while (*s != '\0') {
        seL4_DebugPutChar(*s++);
    }
}

static __attribute__((noreturn)) void setup_failed(const char *what)
{
    say("libostest: set-up failed: ");
    say(what);
    say("\n");
    for (;;) {
        seL4_DebugHalt();
    }
}

seL4_CPtr libostest_slot(void);
seL4_CPtr libostest_slot(void)
{
    if (next_slot >= bootinfo->empty.end) {
        setup_failed("out of slots");
    }
    return next_slot++;
}

static seL4_CPtr new_object(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = libostest_slot();
    if (seL4_Untyped_Retype(untyped, type, size_bits, ROOT, 0, 0, slot, 1) != seL4_NoError) {
        setup_failed("retype");
    }
    return slot;
}

/* The largest RAM untyped: everything comes from it. */
static void pick_untyped(void)
{
    seL4_Word best = 0;
    for (seL4_Word i = 0; i < bootinfo->untyped.end - bootinfo->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bootinfo->untypedList[i];
        if (!d->isDevice && d->sizeBits > best) {
            best = d->sizeBits;
            untyped = bootinfo->untyped.start + i;
        }
    }
    if (best < 22) {
        setup_failed("no untyped of 4 MiB");
    }
}

/* A fresh frame at vaddr, with page tables as the walk asks for them. */
static void map_new_page(seL4_Word vaddr)
{
    seL4_CPtr frame = new_object(seL4_ARM_SmallPageObject, 0);
    for (int level = 0; level < 4; level++) {
        seL4_Error err = seL4_ARM_Page_Map(frame, seL4_CapInitThreadVSpace, vaddr, seL4_ReadWrite,
                                           seL4_ARM_PageCacheable | seL4_ARM_ExecuteNever);
        if (err == seL4_NoError) {
            return;
        }
        if (err != seL4_FailedLookup) {
            setup_failed("page map");
        }
        seL4_CPtr table = new_object(seL4_ARM_PageTableObject, 0);
        if (seL4_ARM_PageTable_Map(table, seL4_CapInitThreadVSpace, vaddr,
                                   seL4_ARM_Default_VMAttributes) != seL4_NoError) {
            setup_failed("page table map");
        }
    }
    setup_failed("page walk");
}

static void map_region(seL4_Word vaddr, seL4_Word pages)
{
    for (seL4_Word i = 0; i < pages; i++) {
        map_new_page(vaddr + i * PAGE);
    }
}

/* Threads of the fake servers: in the root task's VSpace and CSpace. */
static struct {
    seL4_IPCBuffer buffer;
    char rest[PAGE - sizeof(seL4_IPCBuffer)];
} __attribute__((aligned(PAGE))) thread_ipc[MAX_THREADS];
static char thread_stack[MAX_THREADS][THREAD_STACK] __attribute__((aligned(16)));
static char thread_tls[MAX_THREADS][TLS_AREA] __attribute__((aligned(16)));
static int nthreads;

static void thread_entry(void (*fn)(void), seL4_IPCBuffer *ipc)
{
    seL4_SetIPCBuffer(ipc);
    fn();
    seL4_TCB_Suspend(seL4_CapInitThreadTCB); /* not reached: servers loop */
}

void libostest_thread(void (*fn)(void));
void libostest_thread(void (*fn)(void))
{
    if (nthreads == MAX_THREADS) {
        setup_failed("too many threads");
    }
    int i = nthreads++;
    seL4_CPtr tcb = new_object(seL4_TCBObject, 0);
    seL4_CPtr ipc_frame = bootinfo->userImageFrames.start +
                          ((seL4_Word)&thread_ipc[i] - (seL4_Word)__keel_image_start) / PAGE;
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    regs.pc = (seL4_Word)thread_entry;
    regs.sp = (seL4_Word)(thread_stack[i] + THREAD_STACK);
    regs.x0 = (seL4_Word)fn;
    regs.x1 = (seL4_Word)&thread_ipc[i].buffer;
    regs.tpidr_el0 = keel_tls_init(thread_tls[i], TLS_AREA);
    if (regs.tpidr_el0 == 0 ||
        seL4_TCB_Configure(tcb, 0, ROOT, 0, seL4_CapInitThreadVSpace, 0,
                           (seL4_Word)&thread_ipc[i].buffer, ipc_frame) != seL4_NoError ||
        seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, SERVER_PRIORITY) != seL4_NoError ||
        seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs) !=
            seL4_NoError) {
        setup_failed("server thread");
    }
}

/* The capability entries of the start page. */
static void add_cap(keel_startinfo_t *si, const char *name, uint32_t kind, uint32_t flags,
                    seL4_CPtr cptr, seL4_Word vaddr, seL4_Word size)
{
    keel_startcap_t *c = &si->caps[si->ncaps++];
    strncpy(c->name, name, KEEL_NAME_MAX - 1);
    c->kind = kind;
    c->flags = flags;
    c->cptr = cptr;
    c->vaddr = vaddr;
    c->size = size;
}

static seL4_CPtr badged(seL4_CPtr endpoint)
{
    seL4_CPtr slot = libostest_slot();
    if (seL4_CNode_Mint(ROOT, slot, DEPTH, ROOT, endpoint, DEPTH, seL4_AllRights, LIBOSTEST_PID) !=
        seL4_NoError) {
        setup_failed("mint");
    }
    return slot;
}

static const char *const program_args[] = { "libostest", "first arg" };
static const char *const program_env[] = { "HOME=/home", "PATH=/nope:/bin" };
#define NARGS 2
#define NENV 2

static void write_start_page(seL4_CPtr pm, seL4_CPtr vfs)
{
    keel_startinfo_t *si = (keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    si->magic = KEEL_STARTINFO_MAGIC;
    si->version = KEEL_STARTINFO_VERSION;
    strcpy(si->name, "libostest");
    si->pid = LIBOSTEST_PID;
    si->heap_start = LIBOSTEST_HEAP_VADDR;
    add_cap(si, "pm", KEEL_CAP_ENDPOINT, 0, badged(pm), 0, 0);
    add_cap(si, "vfs", KEEL_CAP_ENDPOINT, 0, badged(vfs), 0, 0);
    add_cap(si, "data", KEEL_CAP_REGION, KEEL_REGION_WRITABLE, 0, LIBOSTEST_WINDOW_VADDR,
            LIBOSTEST_WINDOW_PAGES * PAGE);
    si->argc = NARGS;
    si->envc = NENV;
    char *at = si->strings;
    for (int i = 0; i < NARGS; i++) {
        at = stpcpy(at, program_args[i]) + 1;
    }
    for (int i = 0; i < NENV; i++) {
        at = stpcpy(at, program_env[i]) + 1;
    }
    si->strings_len = (uint64_t)(at - si->strings);
}

/* argv and envp as the start-up builds them: pointers into the start page. */
static char *argv[NARGS + 1];
static char *envp[NENV + 1];

static void split_strings(void)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    char *at = (char *)si->strings;
    for (uint64_t i = 0; i < si->argc + si->envc; i++) {
        if (i < si->argc) {
            argv[i] = at;
        } else {
            envp[i - si->argc] = at;
        }
        at += strlen(at) + 1;
    }
}

static __attribute__((noinline, noreturn)) void run(void)
{
    seL4_SetIPCBuffer(bootinfo->ipcBuffer);
    next_slot = bootinfo->empty.start;
    pick_untyped();
    map_region(KEEL_STARTINFO_VADDR, STARTINFO_PAGES);
    map_region(LIBOSTEST_WINDOW_VADDR, LIBOSTEST_WINDOW_PAGES);
    map_region(LIBOSTEST_HEAP_VADDR, LIBOSTEST_HEAP_PAGES);
    seL4_CPtr pm = new_object(seL4_EndpointObject, 0);
    seL4_CPtr vfs = new_object(seL4_EndpointObject, 0);
    write_start_page(pm, vfs);
    fake_servers_start(pm, vfs);
    split_strings();
    keel_init_hook(NARGS, argv, envp);
    keel_exit_hook(libostest_main(NARGS, argv, envp));
    setup_failed("keel_exit_hook returned");
}

static unsigned char main_tls[TLS_AREA] __attribute__((aligned(16)));

void libostest_start(seL4_BootInfo *bi)
{
    uintptr_t tp = keel_tls_init(main_tls, sizeof(main_tls));
    if (tp == 0) {
        for (;;) {
        }
    }
    keel_set_tls_base(tp);
    bootinfo = bi;
    run();
}
