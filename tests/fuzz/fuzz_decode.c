/* libFuzzer target over the invocation decoders: the real kernel sources
 * (CSpace, derivation tree, Untyped, CNode, TCB and VM-object decoders)
 * compiled for the host, driven through handle_invocation() by arbitrary
 * invocations on a fixed small CSpace. Nothing may crash (ASan, UBSan), no
 * kernel panic may happen, every operation must finish (preemption restarts
 * included) and the capability invariants (tests/host/host_env.c, and the
 * kernel's own invariants_check) must hold after every operation, and an
 * operation answered with an error must have changed no kernel state.
 *
 * The CSpace (rebuilt for every input): a root CNode of 16 slots whose cptrs
 * are slot numbers (guard 60); slot 1 a copy of the root CNode cap, slot 2 a
 * 64 KiB untyped, slot 3 a device untyped; then, made by Retype: slot 4 a
 * CNode of 4 slots, 5-6 endpoints, 7 a notification, 8 a 1 KiB untyped, 9 a
 * TCB, 10 a frame, 11 a page table, 12 a VSpace; 13-15 empty.
 *
 * Input: a sequence of operations, each read from the bytes (see next_op);
 * running out of bytes reads zeros. Endpoint, notification and reply caps are
 * not invoked (that is IPC, not decoding). */
#include "host_env.h"
#include "kernel_stubs.h"

#include <arch/vspace.h>
#include <invariants.h>
#include <keel/gen/abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT_RADIX 4
#define MEMORY_BITS 17
#define DEVICE_BITS 24
#define MAX_OPS 48
#define MAX_RUNS 100000u

static host_env_t env;
static bool created;

typedef struct input {
    const uint8_t *data;
    size_t size, at;
    uint64_t preempt_bits; /* consumed one bit per arch_irq_is_pending() */
} input_t;

static uint8_t byte(input_t *in)
{
    return in->at < in->size ? in->data[in->at++] : 0;
}

static uint64_t word(input_t *in)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v |= (uint64_t)byte(in) << (8 * i);
    }
    return v;
}

/* Values that matter to the decoders come from a small table most of the
 * time; the rest are raw words. */
static uint64_t value(input_t *in)
{
    static const uint64_t table[] = {
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        20,
        21,
        30,
        31,
        47,
        48,
        59,
        60,
        62,
        63,
        64,
        65,
        128,
        255,
        256,
        257,
        0xf,
        0x3f,
        0x40,
        0x41,
        0xff,
        0x1000,
        0x7fffffffffff,
        ~0ull,
        1ull << 32,
        1ull << 63,
    };
    uint8_t b = byte(in);
    if (b < 0xe0) {
        return table[b % (sizeof(table) / sizeof(table[0]))];
    }
    return word(in);
}

static uint64_t cptr(input_t *in)
{
    uint8_t b = byte(in);
    return b & 0x80 ? word(in) : b & 0xf;
}

static bool pending(void *ctx)
{
    input_t *in = ctx;
    bool yes = in->preempt_bits & 1;
    in->preempt_bits >>= 1;
    return yes;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_decode: %s: %s\n", what, detail);
    abort();
}

static void check(void)
{
    char msg[512];
    if (!host_env_check_invariants(&env, msg, sizeof(msg))) {
        die("invariant broken", msg);
    }
}

/* The kernel state an invocation can change: the objects in normal memory,
 * the root CNode, the thread's TCB (its cap slots included), the head of the
 * derivation tree and the ASID table. Not the IPC-buffer frame, which takes
 * the reply's words. */
typedef struct snapshot {
    uint8_t memory[1u << MEMORY_BITS];
    cte_t root[1u << ROOT_RADIX];
    tcb_t thread;
    cte_t cdt_head;
    paddr_t asid_table[ASID_POOL_COUNT];
} snapshot_t;

static snapshot_t before, after;

static void take_snapshot(snapshot_t *s)
{
    memcpy(s->memory, env.memory, sizeof(s->memory));
    memcpy(s->root, env.root, sizeof(s->root));
    memcpy(&s->thread, env.thread, sizeof(s->thread));
    memcpy(&s->cdt_head, &ks_cdt_head, sizeof(s->cdt_head));
    memcpy(s->asid_table, ks_asid_table, sizeof(s->asid_table));
}

/* A method that fails changes nothing (decode, then perform): after an error
 * reply everything is as before but the caller's reply registers and state. */
static void check_unchanged_by_error(void)
{
    take_snapshot(&after);
    for (unsigned i = CTX_X0; i <= CTX_X5; i++) {
        after.thread.context.r[i] = before.thread.context.r[i];
    }
    after.thread.state = before.thread.state;
    if (memcmp(&before, &after, sizeof(before)) != 0) {
        die("state changed", "an invocation that failed changed kernel state");
    }
}

static void call(host_call_t *c)
{
    take_snapshot(&before);
    host_reply_t r;
    host_env_call(&env, c, &r, MAX_RUNS);
    if (r.panicked) {
        die("kernel panic", r.panic_message);
    }
    if (!r.fault && r.state == thread_restart) {
        die("no progress", "still preempted after the maximum of restarts");
    }
    /* An error after a restart follows progress the preempted run made. */
    if (!r.fault && r.label != 0 && r.runs == 1) {
        check_unchanged_by_error();
    }
    check();
}

static void setup_retype(word_t type, word_t size, word_t slot)
{
    host_call_t c = { .cptr = 2,
                      .label = UntypedRetype,
                      .length = 6,
                      .extra_count = 1,
                      .mr = { type, size, 0, 0, slot, 1 },
                      .extra = { 1 } };
    call(&c);
    if (cap_is_null(env.root[slot].cap)) {
        die("setup", "a Retype of the fixed CSpace failed");
    }
}

static void setup(void)
{
    if (!created) {
        host_env_create(&env, ROOT_RADIX, MEMORY_BITS, DEVICE_BITS);
        host_env_add_untyped(&env, 2, 0, 16, false);
        host_env_add_untyped(&env, 3, 0, DEVICE_BITS, true);
        created = true;
    }
    host_env_reset(&env, 64 - ROOT_RADIX, 0, 64 - ROOT_RADIX);
    host_env_set_buffer(&env, HOST_BUFFER_READ_WRITE, 0);
    stub_set_preemption(NULL, NULL);
    setup_retype(seL4_CapTableObject, 2, 4);
    setup_retype(seL4_EndpointObject, 0, 5);
    setup_retype(seL4_EndpointObject, 0, 6);
    setup_retype(seL4_NotificationObject, 0, 7);
    setup_retype(seL4_UntypedObject, 10, 8);
    setup_retype(seL4_TCBObject, 0, 9);
    setup_retype(seL4_ARM_SmallPageObject, 0, 10);
    setup_retype(seL4_ARM_PageTableObject, 0, 11);
    setup_retype(seL4_ARM_VSpaceObject, 0, 12);
}

/* One operation:
 *   byte  cptr of the invoked cap (low 4 bits a root slot; bit 7: a raw word follows)
 *   byte  label (below 0xc0: label mod 52; else a raw 52-bit word follows)
 *   byte  length (7 bits); bit 7: change the IPC buffer (next byte: mode, offset)
 *   byte  extra caps (2 bits); bits 2-7: how many preemption bits follow (as a word)
 *   3 x   extra cap cptrs (as the invoked cptr)
 *   n x   MRs, n = min(length, 10), each a table value or a raw word */
static bool next_op(input_t *in, host_call_t *c)
{
    if (in->at >= in->size) {
        return false;
    }
    memset(c, 0, sizeof(*c));
    c->cptr = cptr(in);
    uint8_t l = byte(in);
    c->label = l < 0xc0 ? l % 52 : word(in) & ((1ull << 52) - 1);
    uint8_t len = byte(in);
    c->length = keel_seL4_MessageInfo_get_length(len);
    if (len & 0x80) {
        uint8_t b = byte(in);
        host_env_set_buffer(&env, (enum host_buffer_mode)(b & 3), 1024 * ((b >> 2) & 3));
    }
    uint8_t x = byte(in);
    c->extra_count = x & 3;
    in->preempt_bits = x >> 2 ? word(in) : 0;
    for (unsigned i = 0; i < 3; i++) {
        c->extra[i] = cptr(in);
    }
    unsigned n = c->length < 10 ? (unsigned)c->length : 10;
    for (unsigned i = 0; i < n; i++) {
        c->mr[i] = value(in);
    }
    for (unsigned i = n; i < seL4_MsgMaxLength; i++) {
        c->mr[i] = 0xdeadbeefcafef00dull + i;
    }
    return true;
}

/* IPC and interrupt delivery are not decoding: leave those caps alone. */
static bool invocable(word_t cptr_value)
{
    lookup_cap_ret_t r = lookup_cap(env.thread, cptr_value);
    if (r.fault.type != 0) {
        return true; /* a cap fault: fine */
    }
    switch (cap_type(r.cap)) {
    case cap_endpoint:
    case cap_notification:
    case cap_reply:
    case cap_sgi_signal:
        return false;
    default:
        return true;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    input_t in = { data, size, 0, 0 };
    host_call_t c;
    for (unsigned op = 0; op < MAX_OPS && next_op(&in, &c); op++) {
        if (!invocable(c.cptr)) {
            continue;
        }
        stub_set_preemption(pending, &in);
        call(&c);
        stub_set_preemption(NULL, NULL);
    }
    jmp_buf jump;
    stub_panic_jump = &jump;
    if (setjmp(jump) != 0) {
        stub_panic_jump = NULL;
        die("kernel invariants_check() panicked", stub_panic_message);
    }
    invariants_check();
    stub_panic_jump = NULL;
    return 0;
}
