/* kfuzz: a kernel-level fuzzer (issue 18 item 3(a), docs/testing.md
 * "The kernel fuzzer"). The root task is the supervisor; each round it
 * builds, from one untyped of its own, a child CSpace (a CNode of 256 slots
 * holding endpoints, notifications, an untyped, frames, a page table, a
 * VSpace with an ASID, an ASID pool, a TCB that never runs, badged copies
 * and minted copies with fewer rights) and NFUZZ fuzzer threads that share
 * it. The fuzzers make random system calls and invocations with random
 * arguments on whatever those slots hold, deterministically from the seed.
 * They run in the supervisor's address space (their code is trusted: only
 * the arguments are random) but hold no cap to any of its objects except a
 * badged send-only copy of its fault endpoint, which the kernel needs to
 * deliver their faults. Nothing they hold lets them touch the supervisor:
 * no TCB of a running thread, no VSpace but the round's own, no IRQ, ASID
 * control or domain cap.
 *
 * A round ends when every fuzzer has made its calls, or when all of them
 * are blocked (a Recv nobody answers is no kernel hang): a watchdog thread
 * below their priority runs only then and tells the supervisor. The
 * supervisor then revokes the round's untyped, checks that nothing is left
 * (the whole untyped can be retyped again) and asks the debug kernel for
 * its invariant check (DebugSnapshot), which the fuzzers also do every
 * `check` calls. A broken invariant panics the kernel (KERNEL PANIC).
 *
 * Boot arguments: kfuzz.seed=S (default 1), kfuzz.calls=N (default
 * 100000), kfuzz.check=K (default 10000). */
#include <keel/printf.h>
#include <keel/runtime.h>
#include <keel/string.h>
#include <keel/syscalls.h>
#include <keel/tls.h>
#include <sel4/sel4.h>
#include <stdbool.h>

#define PAGE 4096ul
#define NFUZZ 3
#define STACK_SIZE 16384
#define TLS_SIZE 256

#define ROOT seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits

#define ROUND_BITS 23   /* the untyped each round is built from */
#define FUZZ_UT_BITS 21 /* the untyped the fuzzers retype from */
#define CHILD_RADIX 8   /* the child CNode: 256 slots */
#define CHILD_SLOTS (1ul << CHILD_RADIX)
#define CHILD_GUARD (seL4_WordBits - CHILD_RADIX)
#define CNODE2_RADIX 4
#define CALLS_PER_ROUND 30000 /* at most, over all fuzzers */

#define PRIO_FUZZ 50
#define PRIO_WATCHDOG 1
#define WD_BADGE 0x100
#define DONE_SYSCALL 0x4b46555al /* "KFUZ": a fuzzer has made its calls */
#define SVC_INSN 0xd4000001u     /* svc #0 */
#define BLOCK_PERMILLE 20        /* blocking calls kept blocking (else NB) */

/* The child CNode's layout (slot numbers, depth 64 through the guard). */
enum {
    C_SELF = 1,     /* the CNode itself, guard 56: depth-64 lookups */
    C_SELF_RAW = 2, /* the CNode without a guard: depth-8 lookups */
    C_FAULT = 3,    /* 3..5: each fuzzer's fault endpoint (badge i + 1) */
    C_EP = 6,       /* 6..8 endpoints */
    C_NTFN = 9,     /* 9..10 notifications */
    C_UT = 11,      /* an untyped of 2^FUZZ_UT_BITS */
    C_FRAME = 12,   /* 12..13 4 KiB frames */
    C_PT = 14,
    C_VSPACE = 15, /* with an ASID from the supervisor's pool */
    C_POOL = 16,   /* a copy of the supervisor's ASID pool */
    C_VICTIM = 17, /* a TCB the supervisor does not configure (MCP 1) */
    C_MINT = 18,   /* 18..25 copies and mints */
    C_CNODE2 = 26, /* a second CNode of 16 slots */
    C_POPULATED = 32
};

/* Cap-type tags of DebugCapIdentify (ABI Appendix A). */
enum {
    TAG_FRAME = 1,
    TAG_UNTYPED = 2,
    TAG_PT = 3,
    TAG_EP = 4,
    TAG_NTFN = 6,
    TAG_VSPACE = 9,
    TAG_CNODE = 10,
    TAG_TCB = 12,
    TAG_POOL = 13
};

/* Every method's message: its length and extra caps (the generated
 * layout) and the kind of each MR the fuzzer draws:
 *   S slot  D depth  d node depth  T object type  B size bits  N count
 *   R rights  C CNode cap data  P priority  A address  V VM attributes
 *   F small flags  O offset in a page  G anything. */
#define LABELS(X)                                                                                  \
    X(UntypedRetype, "TBSdSN")                                                                     \
    X(TCBReadRegisters, "FN")                                                                      \
    X(TCBWriteRegisters, "FN")                                                                     \
    X(TCBCopyRegisters, "F")                                                                       \
    X(TCBConfigure, "SCCA")                                                                        \
    X(TCBSetPriority, "P")                                                                         \
    X(TCBSetMCPriority, "P")                                                                       \
    X(TCBSetSchedParams, "PP")                                                                     \
    X(TCBSetIPCBuffer, "A")                                                                        \
    X(TCBSetSpace, "SCC")                                                                          \
    X(TCBSuspend, "")                                                                              \
    X(TCBResume, "")                                                                               \
    X(TCBBindNotification, "")                                                                     \
    X(TCBUnbindNotification, "")                                                                   \
    X(TCBSetTLSBase, "G")                                                                          \
    X(TCBSetFlags, "FF")                                                                           \
    X(CNodeRevoke, "SD")                                                                           \
    X(CNodeDelete, "SD")                                                                           \
    X(CNodeCancelBadgedSends, "SD")                                                                \
    X(CNodeCopy, "SDSDR")                                                                          \
    X(CNodeMint, "SDSDRG")                                                                         \
    X(CNodeMove, "SDSD")                                                                           \
    X(CNodeMutate, "SDSDC")                                                                        \
    X(CNodeRotate, "SDGSDGSD")                                                                     \
    X(CNodeSaveCaller, "SD")                                                                       \
    X(IRQIssueIRQHandler, "GSD")                                                                   \
    X(IRQAckIRQ, "")                                                                               \
    X(IRQSetIRQHandler, "")                                                                        \
    X(IRQClearIRQHandler, "")                                                                      \
    X(DomainSetSet, "F")                                                                           \
    X(DomainScheduleConfigure, "FFG")                                                              \
    X(DomainScheduleSetStart, "F")                                                                 \
    X(ARMVSpaceClean_Data, "AA")                                                                   \
    X(ARMVSpaceInvalidate_Data, "AA")                                                              \
    X(ARMVSpaceCleanInvalidate_Data, "AA")                                                         \
    X(ARMVSpaceUnify_Instruction, "AA")                                                            \
    X(ARMSMCCall, "GGGGGGGG")                                                                      \
    X(ARMPageTableMap, "AV")                                                                       \
    X(ARMPageTableUnmap, "")                                                                       \
    X(ARMPageMap, "ARV")                                                                           \
    X(ARMPageUnmap, "")                                                                            \
    X(ARMPageClean_Data, "OO")                                                                     \
    X(ARMPageInvalidate_Data, "OO")                                                                \
    X(ARMPageCleanInvalidate_Data, "OO")                                                           \
    X(ARMPageUnify_Instruction, "OO")                                                              \
    X(ARMPageGetAddress, "")                                                                       \
    X(ARMASIDControlMakePool, "SD")                                                                \
    X(ARMASIDPoolAssign, "")

typedef struct label_info {
    uint8_t length;
    uint8_t ncaps;
    const char *kinds;
} label_info_t;

#define LABEL_ENTRY(name, kinds) [name] = { KEEL_LEN_##name, KEEL_NCAPS_##name, kinds },
static const label_info_t label_info[nArchInvocationLabels] = { LABELS(LABEL_ENTRY) };

/* The labels of each cap type's methods: [first, last]. */
static void label_range(seL4_Word tag, seL4_Word *first, seL4_Word *last)
{
    switch (tag) {
    case TAG_UNTYPED:
        *first = UntypedRetype, *last = UntypedRetype;
        break;
    case TAG_TCB:
        *first = TCBReadRegisters, *last = TCBSetFlags;
        break;
    case TAG_CNODE:
        *first = CNodeRevoke, *last = CNodeSaveCaller;
        break;
    case TAG_VSPACE:
        *first = ARMVSpaceClean_Data, *last = ARMVSpaceUnify_Instruction;
        break;
    case TAG_PT:
        *first = ARMPageTableMap, *last = ARMPageTableUnmap;
        break;
    case TAG_FRAME:
        *first = ARMPageMap, *last = ARMPageGetAddress;
        break;
    case TAG_POOL:
        *first = ARMASIDPoolAssign, *last = ARMASIDPoolAssign;
        break;
    default:
        *first = 0, *last = nArchInvocationLabels - 1;
        break;
    }
}

/* What each fuzzer counts (in the shared address space; the supervisor
 * reads it when the round is over and the fuzzers are gone). */
enum {
    K_CALL,
    K_NBSEND,
    K_SEND,
    K_NBRECV,
    K_RECV,
    K_REPLY,
    K_REPLYRECV,
    K_YIELD,
    K_IDENTIFY,
    K_UNKNOWN,
    K_SNAPSHOT,
    K_RECEIVED,
    NKINDS
};
static const char *const kind_names[NKINDS] = { "Call",      "NBSend",        "Send",
                                                "NBRecv",    "Recv",          "Reply",
                                                "ReplyRecv", "Yield",         "CapIdentify",
                                                "unknown",   "DebugSnapshot", "received" };

typedef struct fuzzer {
    seL4_IPCBuffer *ipc;
    uint64_t rng;
    uint64_t quota;
    uint64_t check_every;
    volatile uint64_t calls;
    volatile uint64_t kinds[NKINDS];
    volatile uint64_t results[seL4_NumErrors + 1]; /* Call's reply label; [NumErrors]: other */
    volatile bool done;
} fuzzer_t;

static struct {
    seL4_IPCBuffer buffer;
    char rest[PAGE - sizeof(seL4_IPCBuffer)];
} __attribute__((aligned(PAGE))) ipc_pages[NFUZZ + 1];
static char stacks[NFUZZ + 1][STACK_SIZE] __attribute__((aligned(16)));
static char tls_areas[NFUZZ + 1][TLS_SIZE] __attribute__((aligned(16)));
static fuzzer_t fuzzers[NFUZZ];

extern char __keel_image_start[];

/* --- the fuzzers --------------------------------------------------------- */

static uint64_t rnd(fuzzer_t *f)
{
    /* splitmix64 */
    uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(fuzzer_t *f, uint64_t n)
{
    return rnd(f) % n;
}

static seL4_Word pick_slot(fuzzer_t *f)
{
    uint64_t r = rnd(f);
    switch (r & 15) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
        return (r >> 8) % C_POPULATED;
    case 9:
    case 10:
    case 11:
    case 12:
        return (r >> 8) % CHILD_SLOTS;
    case 13:
        return (r >> 8) & 3;
    case 14: /* a slot with bits the guard does not match */
        return ((r >> 8) % CHILD_SLOTS) | (1ul << (CHILD_RADIX + (r >> 20) % CHILD_GUARD));
    default:
        return (r >> 8) & 1 ? ~0ul : rnd(f);
    }
}

/* Anything: small numbers, slots, powers of two and their neighbours,
 * page-aligned addresses, all ones, random words. */
static seL4_Word any_word(fuzzer_t *f)
{
    uint64_t r = rnd(f);
    uint64_t v = rnd(f);
    switch (r & 15) {
    case 0:
    case 1:
        return v & 15;
    case 2:
    case 3:
        return v % CHILD_SLOTS;
    case 4:
        return 64;
    case 5:
        return 1ul << (v & 63);
    case 6:
        return (1ul << (v & 63)) - 1;
    case 7:
        return (1ul << (v & 63)) + 1;
    case 8:
        return (v % 0x100000) * PAGE;
    case 9:
        return 0;
    case 10:
        return ~0ul;
    case 11:
        return ~0ul - (v & 15);
    case 12:
        return v & 0xff;
    default:
        return v;
    }
}

static seL4_Word draw(fuzzer_t *f, char kind)
{
    if (below(f, 8) == 0) {
        return any_word(f);
    }
    uint64_t v = rnd(f);
    switch (kind) {
    case 'S':
        return pick_slot(f);
    case 'D':
        return v & 7 ? DEPTH : v % 70;
    case 'd':
        return v & 1 ? 0 : ((v >> 1) & 1 ? DEPTH : CHILD_RADIX);
    case 'T':
        return v & 7 ? v % 10 : v % 0x10000;
    case 'B':
        return v & 7 ? v % 21 : v % 70;
    case 'N':
        return v & 7 ? 1 + v % 4 : v % 300;
    case 'R':
        return v & 15;
    case 'C': /* guard size 56 (the one that fits) or anything up to 64 */
        return v & 1 ? keel_seL4_CNode_CapData_new(0, CHILD_GUARD)
                     : keel_seL4_CNode_CapData_new((v >> 8) & 3, (v >> 1) % 66);
    case 'P':
        return v & 3 ? v % 256 : v;
    case 'A': /* addresses in the VSpace's first GiBs: pages, 2 MiB, 1 GiB */
        switch ((v >> 60) & 3) {
        case 0:
            return (v % 0x40000) * PAGE;
        case 1:
            return (v % 0x200) << 21;
        case 2:
            return (v % 0x200) << 30;
        default:
            return v & 0xffffffffffffull;
        }
    case 'V':
        return v & 7;
    case 'F':
        return v & 3;
    case 'O':
        return v & 1 ? (v >> 1) % (PAGE + 1) : (v >> 1) % (2 * PAGE);
    default:
        return any_word(f);
    }
}

static void one_call(fuzzer_t *f)
{
    seL4_IPCBuffer *b = f->ipc;
    seL4_Word dest = pick_slot(f);
    seL4_Word tag = seL4_DebugCapIdentify(dest);
    /* Mostly a slot that holds a cap (empty ones give cap faults). */
    for (int tries = 0; tag == 0 && tries < 3 && below(f, 8) != 0; tries++) {
        dest = pick_slot(f);
        tag = seL4_DebugCapIdentify(dest);
    }
    uint64_t r = below(f, 1000);
    long number;
    int kind;
    if (r < 450) {
        number = seL4_SysCall, kind = K_CALL;
    } else if (r < 680) {
        number = seL4_SysNBSend, kind = K_NBSEND;
    } else if (r < 700) {
        number = seL4_SysSend, kind = K_SEND;
    } else if (r < 800) {
        number = seL4_SysNBRecv, kind = K_NBRECV;
    } else if (r < 815) {
        number = seL4_SysRecv, kind = K_RECV;
    } else if (r < 860) {
        number = seL4_SysReply, kind = K_REPLY;
    } else if (r < 870) {
        number = seL4_SysReplyRecv, kind = K_REPLYRECV;
    } else if (r < 900) {
        number = seL4_SysYield, kind = K_YIELD;
    } else if (r < 960) {
        number = seL4_SysDebugCapIdentify, kind = K_IDENTIFY;
    } else {
        /* Unknown numbers raise an UnknownSyscall fault, which the
         * supervisor answers. Never the debug calls that print or halt
         * (-9, -10, -11, -13, -14). */
        static const long unknown[] = { 0,
                                        1,
                                        2,
                                        7,
                                        8,
                                        100,
                                        -15,
                                        -16,
                                        -20,
                                        -30,
                                        -31,
                                        -32,
                                        -100,
                                        0x7fffffffffffffffl,
                                        (long)0x8000000000000000ul };
        uint64_t u = rnd(f);
        number = u & 1 ? unknown[(u >> 1) % (sizeof(unknown) / sizeof(unknown[0]))] : (long)u;
        if ((number >= seL4_SysDebugNameThread && number <= seL4_SysDebugPutChar &&
             number != seL4_SysDebugCapIdentify) ||
            number == DONE_SYSCALL) {
            number = -15;
        }
        kind = K_UNKNOWN;
    }
    /* A blocking call on an endpoint or notification blocks for good
     * unless another fuzzer answers: rarely kept, else its NB form. */
    bool ipc_object = tag == TAG_EP || tag == TAG_NTFN;
    if (ipc_object && below(f, 1000) >= BLOCK_PERMILLE) {
        if (kind == K_CALL || kind == K_SEND) {
            number = seL4_SysNBSend, kind = K_NBSEND;
        } else if (kind == K_RECV || kind == K_REPLYRECV) {
            number = seL4_SysNBRecv, kind = K_NBRECV;
        }
    }

    /* The message: mostly a method of the cap's type, in its layout. */
    seL4_Word label, length, ncaps;
    const char *kinds = "";
    uint64_t m = below(f, 16);
    if (m < 12) {
        seL4_Word first, last;
        label_range(tag, &first, &last);
        label = first + below(f, last - first + 1);
    } else if (m < 15) {
        label = below(f, nArchInvocationLabels + 2);
    } else {
        label = rnd(f) & ((1ul << 52) - 1);
    }
    if (label < nArchInvocationLabels && label_info[label].kinds != NULL && below(f, 8) != 0) {
        length = label_info[label].length;
        ncaps = label_info[label].ncaps;
        kinds = label_info[label].kinds;
    } else {
        uint64_t l = rnd(f);
        length = l & 3 ? (l >> 2) % 12 : (l >> 2) % 128;
        ncaps = (l >> 9) & 3;
    }
    size_t nkinds = strlen(kinds);
    seL4_Word mr_limit = length < seL4_MsgMaxLength ? length : seL4_MsgMaxLength;
    for (seL4_Word i = 0; i < mr_limit; i++) {
        b->msg[i] = i < nkinds ? draw(f, kinds[i]) : any_word(f);
    }
    for (seL4_Word i = 0; i < ncaps && i < seL4_MsgMaxExtraCaps; i++) {
        b->caps_or_badges[i] = below(f, 5) < 2 ? C_SELF : pick_slot(f);
    }
    if (below(f, 8) == 0) {
        b->receiveCNode = below(f, 4) ? C_SELF : pick_slot(f);
        b->receiveIndex = below(f, 4) ? below(f, CHILD_SLOTS) : any_word(f);
        b->receiveDepth = below(f, 4) ? DEPTH : any_word(f);
    }
    seL4_Word unwrapped = below(f, 16) == 0 ? below(f, 8) : 0;
    seL4_Word regs[6] = { dest,      seL4_MessageInfo_new(label, unwrapped, ncaps, length).words[0],
                          b->msg[0], b->msg[1],
                          b->msg[2], b->msg[3] };
    keel_syscall(number, regs);

    f->kinds[kind]++;
    if ((kind == K_NBRECV || kind == K_RECV || kind == K_REPLYRECV) && ipc_object &&
        (regs[0] != 0 || regs[1] != 0)) {
        f->kinds[K_RECEIVED]++; /* a message or a signal got through */
    }
    if (kind == K_CALL && !ipc_object && tag != 0) {
        seL4_Word result = seL4_MessageInfo_get_label((seL4_MessageInfo_t){ { regs[1] } });
        f->results[result < seL4_NumErrors ? result : seL4_NumErrors]++;
    }
}

static __attribute__((noreturn)) void fuzzer_main(fuzzer_t *f)
{
    seL4_SetIPCBuffer(f->ipc);
    while (f->calls < f->quota) {
        one_call(f);
        f->calls++;
        if (f->calls % f->check_every == 0) {
            seL4_DebugSnapshot();
            f->kinds[K_SNAPSHOT]++;
        }
    }
    f->done = true;
    for (;;) {
        seL4_Word regs[6] = { 0 };
        keel_syscall(DONE_SYSCALL, regs);
    }
}

/* Runs only when the supervisor and every fuzzer are blocked. */
static __attribute__((noreturn)) void watchdog_main(seL4_Word wd_ep)
{
    for (;;) {
        seL4_Word regs[6] = { wd_ep, 0 };
        keel_syscall(seL4_SysSend, regs);
    }
}

/* --- the supervisor ------------------------------------------------------ */

static seL4_CPtr next_slot;
static seL4_CPtr s_ep, s_wd_ep, s_pool, s_round_ut, s_cnode, s_tcb[NFUZZ], s_tmp, s_tmp2, s_wd_tcb;

static struct {
    uint64_t calls, rounds, deadlocks, unknown_faults, cap_faults, other_msgs, checks;
    uint64_t kinds[NKINDS], results[seL4_NumErrors + 1];
} total;

static bool failed;

static void fail(const char *what, long err)
{
    printf("kfuzz: FAILED: %s (%ld)\n", what, err);
    failed = true;
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        long err_ = (long)(call);                                                                  \
        if (err_ != seL4_NoError) {                                                                \
            fail(#call, err_);                                                                     \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

static seL4_CPtr image_frame(const void *addr)
{
    return keel_bootinfo()->userImageFrames.start +
           ((seL4_Word)addr - (seL4_Word)__keel_image_start) / PAGE;
}

static uint64_t bootarg_number(const char *key, uint64_t fallback)
{
    size_t len = 0;
    const char *v = keel_bootarg(key, &len);
    if (v == NULL || len == 0) {
        return fallback;
    }
    uint64_t n = 0;
    for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
        n = n * 10 + (uint64_t)(v[i] - '0');
    }
    return n;
}

/* A thread of the supervisor's VSpace running fn(arg) on stack `i`. */
static bool start_thread(seL4_CPtr tcb, int i, void (*fn)(seL4_Word), seL4_Word arg,
                         seL4_Word fault_ep, seL4_CPtr cspace, seL4_Word cspace_data,
                         seL4_Word prio, const char *name)
{
    seL4_IPCBuffer *ipc = &ipc_pages[i].buffer;
    memset(ipc, 0, sizeof(*ipc));
    CHECK(seL4_TCB_Configure(tcb, fault_ep, cspace, cspace_data, seL4_CapInitThreadVSpace, 0,
                             (seL4_Word)ipc, image_frame(ipc)));
    CHECK(seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, prio));
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    regs.pc = (seL4_Word)fn;
    regs.sp = (seL4_Word)(stacks[i] + STACK_SIZE);
    regs.x0 = arg;
    regs.tpidr_el0 = keel_tls_init(tls_areas[i], sizeof(tls_areas[i]));
    CHECK(seL4_TCB_WriteRegisters(tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs));
    seL4_DebugNameThread(tcb, name);
    CHECK(seL4_TCB_Resume(tcb));
    return true;
}

static bool setup(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    next_slot = bi->empty.start;
    seL4_CPtr ut = 0;
    seL4_Word best = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice && d->sizeBits > best) {
            best = d->sizeBits;
            ut = bi->untyped.start + i;
        }
    }
    if (best < ROUND_BITS + 1) {
        fail("no untyped twice the size of a round's", (long)best);
        return false;
    }
    s_round_ut = next_slot++;
    CHECK(seL4_Untyped_Retype(ut, seL4_UntypedObject, ROUND_BITS, ROOT, 0, 0, s_round_ut, 1));
    s_ep = next_slot++;
    CHECK(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, 0, 0, s_ep, 1));
    s_wd_ep = next_slot++;
    CHECK(seL4_CNode_Mint(ROOT, s_wd_ep, DEPTH, ROOT, s_ep, DEPTH, seL4_CanWrite, WD_BADGE));
    seL4_CPtr pool_ut = next_slot++;
    CHECK(seL4_Untyped_Retype(ut, seL4_UntypedObject, 12, ROOT, 0, 0, pool_ut, 1));
    s_pool = next_slot++;
    CHECK(seL4_ARM_ASIDControl_MakePool(seL4_CapASIDControl, pool_ut, ROOT, s_pool, DEPTH));
    s_wd_tcb = next_slot++;
    CHECK(seL4_Untyped_Retype(ut, seL4_TCBObject, 0, ROOT, 0, 0, s_wd_tcb, 1));
    s_cnode = next_slot++;
    for (int i = 0; i < NFUZZ; i++) {
        s_tcb[i] = next_slot++;
    }
    s_tmp = next_slot++;
    s_tmp2 = next_slot++;
    /* Nothing else runs while the supervisor works between rounds. */
    CHECK(seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, seL4_MaxPrio));
    return start_thread(s_wd_tcb, NFUZZ, watchdog_main, s_wd_ep, 0, ROOT, 0, PRIO_WATCHDOG,
                        "kfuzz-watchdog");
}

/* Retype one object from the round's untyped into child slot `slot`. */
static seL4_Error child_object(seL4_Word type, seL4_Word bits, seL4_Word slot)
{
    return seL4_Untyped_Retype(s_round_ut, type, bits, s_cnode, 0, 0, slot, 1);
}

static bool build_round(uint64_t seed, uint64_t round, uint64_t quota, uint64_t check_every)
{
    CHECK(
        seL4_Untyped_Retype(s_round_ut, seL4_CapTableObject, CHILD_RADIX, ROOT, 0, 0, s_cnode, 1));
    seL4_Word guard = keel_seL4_CNode_CapData_new(0, CHILD_GUARD);
    CHECK(
        seL4_CNode_Mint(s_cnode, C_SELF, CHILD_RADIX, ROOT, s_cnode, DEPTH, seL4_AllRights, guard));
    CHECK(seL4_CNode_Copy(s_cnode, C_SELF_RAW, CHILD_RADIX, ROOT, s_cnode, DEPTH, seL4_AllRights));
    for (int i = 0; i < NFUZZ; i++) {
        CHECK(seL4_CNode_Mint(s_cnode, C_FAULT + i, CHILD_RADIX, ROOT, s_ep, DEPTH,
                              seL4_CapRights_new(1, 0, 0, 1), (seL4_Word)i + 1));
    }
    for (int i = 0; i < 3; i++) {
        CHECK(child_object(seL4_EndpointObject, 0, C_EP + i));
    }
    for (int i = 0; i < 2; i++) {
        CHECK(child_object(seL4_NotificationObject, 0, C_NTFN + i));
    }
    CHECK(child_object(seL4_UntypedObject, FUZZ_UT_BITS, C_UT));
    for (int i = 0; i < 2; i++) {
        CHECK(child_object(seL4_ARM_SmallPageObject, 0, C_FRAME + i));
    }
    CHECK(child_object(seL4_ARM_PageTableObject, 0, C_PT));
    CHECK(seL4_Untyped_Retype(s_round_ut, seL4_ARM_VSpaceObject, 0, ROOT, 0, 0, s_tmp, 1));
    CHECK(seL4_ARM_ASIDPool_Assign(s_pool, s_tmp));
    /* The victim: configured with the child CNode, the round's VSpace and
     * an endpoint of the fuzzers' as its fault handler, at the watchdog's
     * priority, not started. When a fuzzer resumes it (or writes its
     * registers) it runs random code in that VSpace while the fuzzers are
     * all blocked, taking turns with the watchdog, which still ends the
     * round; it cannot rise higher (its MCP is that priority too). */
    CHECK(seL4_Untyped_Retype(s_round_ut, seL4_TCBObject, 0, ROOT, 0, 0, s_tmp2, 1));
    CHECK(seL4_TCB_Configure(s_tmp2, C_EP, s_cnode, guard, s_tmp, 0, 0, 0));
    CHECK(seL4_TCB_SetSchedParams(s_tmp2, seL4_CapInitThreadTCB, PRIO_WATCHDOG, PRIO_WATCHDOG));
    seL4_DebugNameThread(s_tmp2, "kfuzz-victim");
    CHECK(seL4_CNode_Move(s_cnode, C_VICTIM, CHILD_RADIX, ROOT, s_tmp2, DEPTH));
    CHECK(seL4_CNode_Move(s_cnode, C_VSPACE, CHILD_RADIX, ROOT, s_tmp, DEPTH));
    CHECK(seL4_CNode_Copy(s_cnode, C_POOL, CHILD_RADIX, ROOT, s_pool, DEPTH, seL4_AllRights));
    CHECK(child_object(seL4_CapTableObject, CNODE2_RADIX, C_CNODE2));
    /* Copies and mints within the child CNode. */
    static const struct {
        seL4_Word src, rights, badge;
    } mints[] = {
        { C_EP, 0xf, 0x11 }, { C_EP, 0x9, 0x22 }, { C_EP + 1, 0x2, 0 }, { C_NTFN, 0x1, 1 },
        { C_NTFN, 0xf, 2 },  { C_FRAME, 0x2, 0 }, { C_UT, 0xf, 0 },     { C_CNODE2, 0xf, 0 },
    };
    for (size_t i = 0; i < sizeof(mints) / sizeof(mints[0]); i++) {
        seL4_Error err =
            seL4_CNode_Mint(s_cnode, C_MINT + i, CHILD_RADIX, s_cnode, mints[i].src, CHILD_RADIX,
                            (seL4_CapRights_t){ { mints[i].rights } }, mints[i].badge);
        if (err != seL4_NoError && mints[i].src != C_UT) {
            fail("mint in the child CNode", err);
            return false;
        }
    }
    for (int i = 0; i < NFUZZ; i++) {
        fuzzer_t *f = &fuzzers[i];
        memset(f, 0, sizeof(*f));
        f->ipc = &ipc_pages[i].buffer;
        f->rng = seed * 0x100000001b3ull + round * 0x9e3779b97f4a7c15ull + (uint64_t)i;
        f->quota = quota;
        f->check_every = check_every;
        CHECK(seL4_Untyped_Retype(s_round_ut, seL4_TCBObject, 0, ROOT, 0, 0, s_tcb[i], 1));
        char name[16];
        snprintf(name, sizeof(name), "kfuzz-%d", i);
        if (!start_thread(s_tcb[i], i, (void (*)(seL4_Word))fuzzer_main, (seL4_Word)f, C_FAULT + i,
                          s_cnode, guard, PRIO_FUZZ, name)) {
            return false;
        }
    }
    return true;
}

/* If fuzzer i stands at a `svc` (blocked in a system call: a cap fault, or
 * a Call on the supervisor's endpoint), move it on past it. A fuzzer that
 * sent without blocking has left its `svc` already and is left alone. */
static void skip_syscall(seL4_Word i)
{
    seL4_UserContext regs;
    seL4_Word n = sizeof(regs) / sizeof(seL4_Word);
    if (seL4_TCB_ReadRegisters(s_tcb[i], 0, 0, n, &regs) != seL4_NoError) {
        fail("ReadRegisters of a fuzzer", (long)i);
        return;
    }
    if (*(const volatile uint32_t *)regs.pc != SVC_INSN) {
        return;
    }
    regs.pc += 4;
    regs.x1 = 0;
    if (seL4_TCB_WriteRegisters(s_tcb[i], 1, 0, n, &regs) != seL4_NoError) {
        fail("WriteRegisters of a fuzzer", (long)i);
    }
}

/* Wait for the round to end; answer the fuzzers' unknown system calls. */
static void run_round(void)
{
    int done = 0;
    seL4_SetCapReceivePath(0, 0, 0);
    for (;;) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(s_ep, &badge);
        if (badge == WD_BADGE) {
            total.deadlocks++;
            return;
        }
        seL4_Word label = seL4_MessageInfo_get_label(info);
        seL4_Word length = seL4_MessageInfo_get_length(info);
        if (badge < 1 || badge > NFUZZ) {
            total.other_msgs++; /* a badge the supervisor never gave out */
            continue;
        }
        if (label != seL4_Fault_UnknownSyscall || length != seL4_UnknownSyscall_Length) {
            /* A cap fault (a blocking call on a slot that holds no cap to
             * call or receive on), or a message a fuzzer sent itself. */
            if (label == seL4_Fault_CapFault) {
                total.cap_faults++;
            } else {
                total.other_msgs++;
            }
            skip_syscall(badge - 1);
            continue;
        }
        if (seL4_GetMR(seL4_UnknownSyscall_Syscall) == (seL4_Word)DONE_SYSCALL &&
            fuzzers[badge - 1].done) {
            if (++done == NFUZZ) {
                return;
            }
            continue;
        }
        total.unknown_faults++;
        /* Resume after the svc: x0..x7 as they were, FaultIP + 4. */
        for (int i = 0; i < 8; i++) {
            seL4_SetMR(i, seL4_GetMR(seL4_UnknownSyscall_X0 + i));
        }
        seL4_SetMR(8, seL4_GetMR(seL4_UnknownSyscall_FaultIP) + 4);
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 9));
    }
}

/* Take the round down; the whole untyped must be free again. */
static bool end_round(void)
{
    CHECK(seL4_CNode_Revoke(ROOT, s_round_ut, DEPTH));
    for (int i = 0; i < NFUZZ; i++) {
        if (seL4_DebugCapIdentify(s_tcb[i]) != 0) {
            fail("a fuzzer's TCB cap survived the revoke", (long)s_tcb[i]);
            return false;
        }
    }
    if (seL4_DebugCapIdentify(s_cnode) != 0) {
        fail("the child CNode cap survived the revoke", (long)s_cnode);
        return false;
    }
    CHECK(seL4_Untyped_Retype(s_round_ut, seL4_UntypedObject, ROUND_BITS, ROOT, 0, 0, s_tmp, 1));
    CHECK(seL4_CNode_Revoke(ROOT, s_round_ut, DEPTH));
    seL4_DebugSnapshot();
    for (int i = 0; i < NFUZZ; i++) {
        const fuzzer_t *f = &fuzzers[i];
        total.calls += f->calls;
        for (int k = 0; k < NKINDS; k++) {
            total.kinds[k] += f->kinds[k];
        }
        for (int e = 0; e <= seL4_NumErrors; e++) {
            total.results[e] += f->results[e];
        }
    }
    total.rounds++;
    return true;
}

static void report(uint64_t seed)
{
    printf("kfuzz: seed %lu: %lu calls in %lu rounds (%lu ended with every fuzzer blocked)\n", seed,
           total.calls, total.rounds, total.deadlocks);
    printf("kfuzz: by kind:");
    for (int k = 0; k < NKINDS; k++) {
        printf(" %s=%lu", kind_names[k], total.kinds[k]);
    }
    printf("\nkfuzz: invocation results: ok=%lu", total.results[0]);
    static const char *const errors[] = { "",
                                          "InvalidArgument",
                                          "InvalidCapability",
                                          "IllegalOperation",
                                          "RangeError",
                                          "AlignmentError",
                                          "FailedLookup",
                                          "TruncatedMessage",
                                          "DeleteFirst",
                                          "RevokeFirst",
                                          "NotEnoughMemory" };
    for (int e = 1; e < seL4_NumErrors; e++) {
        printf(" %s=%lu", errors[e], total.results[e]);
    }
    printf(" other=%lu\n", total.results[seL4_NumErrors]);
    printf("kfuzz: faults answered: unknown syscall %lu, cap fault %lu; other messages to the "
           "supervisor %lu\n",
           total.unknown_faults, total.cap_faults, total.other_msgs);
}

int main(void)
{
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "kfuzz");
    uint64_t seed = bootarg_number("kfuzz.seed", 1);
    uint64_t calls = bootarg_number("kfuzz.calls", 100000);
    uint64_t check = bootarg_number("kfuzz.check", 10000);
    uint64_t check_every = check / NFUZZ ? check / NFUZZ : 1;
    printf("kfuzz: seed %lu, %lu calls, invariants checked every %lu calls and each round\n", seed,
           calls, check);
    if (!setup()) {
        printf("kfuzz: FAILED\n");
        seL4_DebugHalt();
    }
    while (total.calls < calls && !failed) {
        uint64_t left = calls - total.calls;
        uint64_t quota = (left < CALLS_PER_ROUND ? left : CALLS_PER_ROUND) / NFUZZ;
        if (!build_round(seed, total.rounds, quota ? quota : 1, check_every)) {
            break;
        }
        run_round();
        if (!end_round()) {
            break;
        }
    }
    total.checks = total.rounds + total.kinds[K_SNAPSHOT];
    report(seed);
    if (failed) {
        printf("kfuzz: FAILED\n");
    } else {
        printf("kfuzz: invariants checked %lu times: ok\n", total.checks);
        printf("kfuzz: done\n");
    }
    seL4_DebugHalt();
    return 0;
}
