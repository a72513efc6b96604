/* The server dispatch genproto.py generates, under ASan and UBSan: every
 * malformed request is answered with the errno the protocol format promises
 * (unknown label -ENOSYS; wrong length, extra capabilities, an argument out
 * of range, a name without its NUL, a buffer outside the caller's window or
 * a string holding a NUL -EINVAL; a privileged method from anyone else
 * -EPERM) and never reaches the handler; every good one reaches it with
 * exactly the arguments sent. Checked by hand on the example protocol
 * (tests/host/data/genproto/example.proto) and by a fuzz-like loop of random
 * labels, lengths and arguments over it and pm, vfs and rs, against
 * expectations computed here from each protocol's table (genproto --tables,
 * proto_table.h). Also the client stubs against the dispatch (a Call that
 * runs the dispatch on the same IPC buffer) and keel_proto_result. */
#include <harness.h>
#include <keel/proto/example.h>
#include <keel/proto/example_server.h>
#include <proto_table.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__thread seL4_IPCBuffer *keel_ipc_buffer;
static seL4_IPCBuffer ipc_buffer;

extern const proto_table_t proto_table_example, proto_table_pm, proto_table_vfs, proto_table_rs;
static const proto_table_t *const protocols[] = { &proto_table_example, &proto_table_pm,
                                                  &proto_table_vfs, &proto_table_rs };
#define NPROTOCOLS (sizeof(protocols) / sizeof(protocols[0]))

#define MAX_ARGS 32
#define TEXT_MAX 4097

/* What the last handler call saw, and what handlers return. */
static struct {
    unsigned calls;
    const proto_table_method_t *method;
    void *ctx;
    seL4_Word badge;
    bool outs_zeroed;
    proto_table_arg_t args[MAX_ARGS];
    char text[MAX_ARGS][TEXT_MAX]; /* copies: the handler's strings live on its stack */
    long result;                   /* the handlers' result */
} seen;

long proto_table_called(void *ctx, seL4_Word badge, const proto_table_method_t *method,
                        const proto_table_arg_t *args, bool outs_zeroed)
{
    seen.calls++;
    seen.method = method;
    seen.ctx = ctx;
    seen.badge = badge;
    seen.outs_zeroed = outs_zeroed;
    for (size_t i = 0; i < method->nparams && i < MAX_ARGS; i++) {
        seen.args[i] = args[i];
        enum proto_table_kind kind = method->params[i].kind;
        if (kind == PROTO_TABLE_NAME || kind == PROTO_TABLE_STR) {
            snprintf(seen.text[i], TEXT_MAX, "%s", args[i].text);
        }
    }
    return seen.result;
}

uint64_t proto_table_out_value(size_t i)
{
    return 0x1000 + i * 0x1111;
}

void proto_table_out_name(size_t i, char name[KEEL_PROTO_NAME_BYTES])
{
    snprintf(name, KEEL_PROTO_NAME_BYTES, "result-%zu", i);
}

bool proto_table_name_zero(const char name[KEEL_PROTO_NAME_BYTES])
{
    for (int i = 0; i < KEEL_PROTO_NAME_BYTES; i++) {
        if (name[i] != 0) {
            return false;
        }
    }
    return true;
}

/* --- one request ---------------------------------------------------------- */

typedef struct request {
    uint64_t label;
    uint64_t length;
    uint64_t extra_caps;
    uint64_t unwrapped;
    seL4_Word mr[seL4_MsgMaxLength];
    unsigned char *window; /* malloc'd to exactly window_size bytes, or NULL */
    size_t window_size;
    bool privileged;
} request_t;

static void request_free(request_t *r)
{
    free(r->window);
    r->window = NULL;
}

static const proto_table_method_t *find_method(const proto_table_t *t, uint64_t label)
{
    for (size_t i = 0; i < t->nmethods; i++) {
        if (t->methods[i].label == label) {
            return &t->methods[i];
        }
    }
    return NULL;
}

/* The bytes of a name in MRs first..first+3. */
static void name_bytes(const request_t *r, int first, char out[KEEL_PROTO_NAME_BYTES])
{
    for (int i = 0; i < KEEL_PROTO_NAME_BYTES; i++) {
        out[i] = (char)(r->mr[first + i / 8] >> (8 * (i % 8)));
    }
}

static bool window_ok(const request_t *r, const proto_table_param_t *p)
{
    uint64_t offset = r->mr[p->mr], length = r->mr[p->mr + 1];
    if (length < p->lo || length > p->hi) {
        return false;
    }
    /* As plain arithmetic: the end must not pass the window. */
    return offset <= r->window_size && offset + length >= offset &&
           offset + length <= r->window_size;
}

static bool param_ok(const request_t *r, const proto_table_param_t *p)
{
    uint64_t v = r->mr[p->mr];
    switch (p->kind) {
    case PROTO_TABLE_I64:
        return (int64_t)v >= (int64_t)p->lo && (int64_t)v <= (int64_t)p->hi;
    case PROTO_TABLE_U64:
        return p->has_mask ? (v & ~p->mask) == 0 : v >= p->lo && v <= p->hi;
    case PROTO_TABLE_NAME: {
        char name[KEEL_PROTO_NAME_BYTES];
        name_bytes(r, p->mr, name);
        return memchr(name, 0, sizeof(name)) != NULL;
    }
    case PROTO_TABLE_STR:
        return window_ok(r, p) && (r->mr[p->mr + 1] == 0 ||
                                   memchr(r->window + r->mr[p->mr], 0, r->mr[p->mr + 1]) == NULL);
    case PROTO_TABLE_BUFFER:
        return window_ok(r, p);
    }
    return false;
}

/* The errno the dispatch must answer with (0: the handler runs). */
static long expected_error(const proto_table_t *t, const request_t *r)
{
    const proto_table_method_t *m = find_method(t, r->label);
    if (m == NULL) {
        return ENOSYS;
    }
    if (r->length != m->request_words || r->extra_caps != 0 || r->unwrapped != 0) {
        return EINVAL;
    }
    if (m->privileged && !r->privileged) {
        return EPERM;
    }
    for (size_t i = 0; i < m->nparams; i++) {
        if (!param_ok(r, &m->params[i])) {
            return EINVAL;
        }
    }
    return 0;
}

/* Dispatch r as the server would; *reply and the result of the dispatch. */
static bool dispatch(const proto_table_t *t, const request_t *r, seL4_MessageInfo_t *reply)
{
    memcpy(ipc_buffer.msg, r->mr, sizeof(r->mr));
    keel_proto_request_t req = { .ctx = (void *)t,
                                 .badge = 0xbad6e,
                                 .window = r->window,
                                 .window_size = r->window_size,
                                 .privileged = r->privileged };
    seL4_MessageInfo_t info =
        seL4_MessageInfo_new(r->label, r->unwrapped, r->extra_caps, r->length);
    return t->dispatch(&req, info, reply);
}

/* The handler saw exactly what the request carried. */
static void check_arguments(const request_t *r, const proto_table_method_t *m, const char *where)
{
    for (size_t i = 0; i < m->nparams; i++) {
        const proto_table_param_t *p = &m->params[i];
        const proto_table_arg_t *a = &seen.args[i];
        uint64_t offset = r->mr[p->mr], length = r->mr[p->mr + 1];
        switch (p->kind) {
        case PROTO_TABLE_I64:
        case PROTO_TABLE_U64:
            HARNESS_CHECK_(a->value == r->mr[p->mr], "%s: argument %zu: %#lx, sent %#lx", where, i,
                           (unsigned long)a->value, (unsigned long)r->mr[p->mr]);
            break;
        case PROTO_TABLE_NAME: {
            char name[KEEL_PROTO_NAME_BYTES];
            name_bytes(r, p->mr, name);
            HARNESS_CHECK_(strcmp(seen.text[i], name) == 0, "%s: name %zu: \"%s\", sent \"%s\"",
                           where, i, seen.text[i], name);
            break;
        }
        case PROTO_TABLE_STR:
            HARNESS_CHECK_(strlen(seen.text[i]) == length &&
                               memcmp(seen.text[i], r->window + offset, length) == 0,
                           "%s: string %zu differs from the window's bytes", where, i);
            break;
        case PROTO_TABLE_BUFFER: {
            const void *want = r->window != NULL ? r->window + offset : NULL;
            HARNESS_CHECK_(a->pointer == want && a->length == length,
                           "%s: buffer %zu: %p+%zu, sent offset %lu length %lu", where, i,
                           a->pointer, a->length, (unsigned long)offset, (unsigned long)length);
            break;
        }
        }
    }
}

/* The reply of a handler that returned `result`. */
static void check_reply(const proto_table_method_t *m, long result, seL4_MessageInfo_t reply,
                        const char *where)
{
    uint64_t words = result >= 0 ? m->reply_words : 1;
    HARNESS_CHECK_(seL4_MessageInfo_get_label(reply) == 0 &&
                       seL4_MessageInfo_get_length(reply) == words &&
                       seL4_MessageInfo_get_extraCaps(reply) == 0,
                   "%s: reply label %lu length %lu, want 0 and %lu", where,
                   (unsigned long)seL4_MessageInfo_get_label(reply),
                   (unsigned long)seL4_MessageInfo_get_length(reply), (unsigned long)words);
    HARNESS_CHECK_((long)ipc_buffer.msg[0] == result, "%s: MR0 %ld, want %ld", where,
                   (long)ipc_buffer.msg[0], result);
    if (result < 0) {
        return;
    }
    int mr = 1;
    for (size_t i = 0; i < m->nouts; i++) {
        if (m->out_is_name[i]) {
            request_t copy = { 0 };
            memcpy(copy.mr, ipc_buffer.msg, sizeof(copy.mr));
            char got[KEEL_PROTO_NAME_BYTES], want[KEEL_PROTO_NAME_BYTES] = { 0 };
            name_bytes(&copy, mr, got);
            proto_table_out_name(i, want);
            HARNESS_CHECK_(memcmp(got, want, sizeof(got)) == 0, "%s: result name %zu", where, i);
            mr += KEEL_PROTO_NAME_WORDS;
        } else {
            HARNESS_CHECK_(ipc_buffer.msg[mr] == proto_table_out_value(i), "%s: result %zu: %#lx",
                           where, i, (unsigned long)ipc_buffer.msg[mr]);
            mr++;
        }
    }
}

/* Dispatch and compare with the expectations; false if any check failed. */
static bool run_request(const proto_table_t *t, const request_t *r, const char *where)
{
    unsigned calls_before = seen.calls;
    long error = expected_error(t, r);
    seL4_MessageInfo_t reply = { { 0 } };
    bool replied = dispatch(t, r, &reply);
    if (error != 0) {
        bool ok =
            HARNESS_CHECK_(seen.calls == calls_before, "%s: handler ran, want -%ld", where, error);
        ok &= HARNESS_CHECK_(replied && seL4_MessageInfo_get_length(reply) == 1 &&
                                 (long)ipc_buffer.msg[0] == -error,
                             "%s: replied %d with MR0 %ld, want -%ld", where, replied,
                             (long)ipc_buffer.msg[0], error);
        return ok;
    }
    const proto_table_method_t *m = find_method(t, r->label);
    if (!HARNESS_CHECK_(seen.calls == calls_before + 1 && seen.method == m,
                        "%s: handler of %s not called once", where, m->name)) {
        return false;
    }
    HARNESS_CHECK_(seen.ctx == (void *)t && seen.badge == 0xbad6e, "%s: ctx or badge", where);
    HARNESS_CHECK_(seen.outs_zeroed, "%s: results not zeroed for the handler", where);
    check_arguments(r, m, where);
    if (seen.result == KEEL_PROTO_DEFERRED) {
        return HARNESS_CHECK_(!replied, "%s: a deferred reply was sent", where);
    }
    HARNESS_CHECK_(replied, "%s: no reply", where);
    check_reply(m, seen.result, reply, where);
    return true;
}

/* --- the example protocol, by hand ----------------------------------------- */

/* A request for the example protocol: label, words, window size, MRs. */
static request_t example(uint64_t label, uint64_t length, size_t window_size, const char *fill,
                         const seL4_Word *mrs, size_t n)
{
    request_t r = { .label = label, .length = length, .window_size = window_size };
    if (window_size > 0) {
        r.window = malloc(window_size);
        for (size_t i = 0; i < window_size; i++) {
            r.window[i] = (unsigned char)fill[i % strlen(fill)];
        }
    }
    memcpy(r.mr, mrs, n * sizeof(seL4_Word));
    return r;
}

#define MRS(...)                                                                                   \
    (const seL4_Word[]){ __VA_ARGS__ },                                                            \
        sizeof((const seL4_Word[]){ __VA_ARGS__ }) / sizeof(seL4_Word)

static void expect_example(request_t r, bool privileged, long want_error, const char *what)
{
    r.privileged = privileged;
    long computed = expected_error(&proto_table_example, &r);
    HARNESS_CHECK_(computed == want_error, "%s: the checker expects %ld, the case %ld", what,
                   computed, want_error);
    seen.result = 5;
    run_request(&proto_table_example, &r, what);
    request_free(&r);
}

#define BIG 0x8000000000000000ul
#define NAME_ALICE 0x6563696c61ul /* "alice", little-endian, then NULs */

TEST(example_labels_and_lengths)
{
    expect_example(example(0, 0, 0, "x", MRS(0)), false, ENOSYS, "label 0");
    expect_example(example(4, 0, 0, "x", MRS(0)), false, ENOSYS, "label between methods");
    expect_example(example(0xfff1, 1, 0, "x", MRS(0)), false, ENOSYS, "label past the last");
    expect_example(example(1ul << 40, 0, 0, "x", MRS(0)), false, ENOSYS, "label of 41 bits");
    expect_example(example(1, 0, 0, "x", MRS(0)), false, 0, "ping");
    expect_example(example(1, 1, 0, "x", MRS(0)), false, EINVAL, "ping, one word too many");
    expect_example(example(0xfff0, 1, 0, "x", MRS(9)), false, 0, "later");
    expect_example(example(0xfff0, 0, 0, "x", MRS(9)), false, EINVAL, "later, short");
    expect_example(example(0xfff0, 120, 0, "x", MRS(9)), false, EINVAL, "later, 120 words");
    request_t caps = example(1, 0, 0, "x", MRS(0));
    caps.extra_caps = 1;
    expect_example(caps, false, EINVAL, "ping with a capability");
    request_t unwrapped = example(1, 0, 0, "x", MRS(0));
    unwrapped.unwrapped = 1;
    expect_example(unwrapped, false, EINVAL, "ping with an unwrapped badge");
}

TEST(example_scalar_ranges)
{
    /* any, range -5..7, count 0..100, flags mask 0x1f0, big >= 2^63 */
    expect_example(example(2, 5, 0, "x", MRS(-1ul, -5ul, 100, 0x1f0, BIG)), false, 0, "bounds");
    expect_example(example(2, 5, 0, "x", MRS(0, 7, 0, 0, ~0ul)), false, 0, "other bounds");
    expect_example(example(2, 5, 0, "x", MRS(0, -6ul, 0, 0, BIG)), false, EINVAL, "range -6");
    expect_example(example(2, 5, 0, "x", MRS(0, 8, 0, 0, BIG)), false, EINVAL, "range 8");
    expect_example(example(2, 5, 0, "x", MRS(0, BIG, 0, 0, BIG)), false, EINVAL, "range INT64_MIN");
    expect_example(example(2, 5, 0, "x", MRS(0, 0, 101, 0, BIG)), false, EINVAL, "count 101");
    expect_example(example(2, 5, 0, "x", MRS(0, 0, ~0ul, 0, BIG)), false, EINVAL, "count -1");
    expect_example(example(2, 5, 0, "x", MRS(0, 0, 0, 0x200, BIG)), false, EINVAL, "flag 0x200");
    expect_example(example(2, 5, 0, "x", MRS(0, 0, 0, 0x8, BIG)), false, EINVAL, "flag 0x8");
    expect_example(example(2, 5, 0, "x", MRS(0, 0, 0, 0, BIG - 1)), false, EINVAL, "big 2^63-1");
}

TEST(example_name_arguments)
{
    expect_example(example(3, 4, 0, "x", MRS(NAME_ALICE, 0, 0, 0)), false, 0, "a name");
    expect_example(example(3, 4, 0, "x", MRS(0, 0, 0, 0)), false, 0, "the empty name");
    expect_example(example(3, 4, 0, "x", MRS(~0ul, ~0ul, ~0ul, 0x00fffffffffffffful)), false, 0,
                   "31 bytes and the NUL");
    expect_example(example(3, 4, 0, "x", MRS(~0ul, ~0ul, ~0ul, ~0ul)), false, EINVAL,
                   "32 bytes, no NUL");
    expect_example(example(3, 3, 0, "x", MRS(NAME_ALICE, 0, 0, 0)), false, EINVAL,
                   "a name cut short");
}

TEST(example_window_buffers)
{
    /* path str 1..16, src in 0..64, dst out 4..4, both inout 0..7; window 32 bytes */
    expect_example(example(10, 8, 32, "abc", MRS(0, 16, 16, 16, 28, 4, 32, 0)), false, 0,
                   "every buffer at its limit");
    expect_example(example(10, 8, 32, "abc", MRS(0, 1, 0, 0, 0, 4, 25, 7)), false, 0, "short ones");
    expect_example(example(10, 8, 32, "abc", MRS(0, 0, 0, 0, 0, 4, 0, 0)), false, EINVAL,
                   "an empty path");
    expect_example(example(10, 8, 32, "abc", MRS(0, 17, 0, 0, 0, 4, 0, 0)), false, EINVAL,
                   "a path of 17");
    expect_example(example(10, 8, 32, "abc", MRS(0, 1, 0, 0, 0, 3, 0, 0)), false, EINVAL,
                   "dst of 3");
    expect_example(example(10, 8, 32, "abc", MRS(0, 1, 0, 0, 29, 4, 0, 0)), false, EINVAL,
                   "dst past the end");
    expect_example(example(10, 8, 32, "abc", MRS(0, 1, 33, 0, 0, 4, 0, 0)), false, EINVAL,
                   "an empty src past the end");
    expect_example(example(10, 8, 32, "abc", MRS(0, 1, 0, 0, 0, 4, 26, 7)), false, EINVAL,
                   "both one past the end");
    expect_example(example(10, 8, 32, "abc", MRS(0, 1, ~0ul, 2, 0, 4, 0, 0)), false, EINVAL,
                   "an offset that wraps");
    expect_example(example(10, 8, 32, "abc", MRS(0, 1, 8, ~0ul - 4, 0, 4, 0, 0)), false, EINVAL,
                   "a length that wraps");
    request_t nul = example(10, 8, 32, "abc", MRS(0, 3, 0, 0, 0, 4, 0, 0));
    nul.window[1] = '\0';
    expect_example(nul, false, EINVAL, "a path holding a NUL");
    expect_example(example(10, 8, 0, "x", MRS(0, 1, 0, 0, 0, 4, 0, 0)), false, EINVAL, "no window");
    expect_example(example(10, 8, 4, "abcd", MRS(0, 4, 0, 0, 0, 4, 4, 0)), false, 0,
                   "a window of 4 shared by every buffer");
}

TEST(example_privileged)
{
    expect_example(example(11, 1, 0, "x", MRS(493)), false, EPERM, "unprivileged");
    expect_example(example(11, 1, 0, "x", MRS(493)), true, 0, "privileged");
    expect_example(example(11, 1, 0, "x", MRS(494)), true, EINVAL, "privileged, out of range");
    expect_example(example(11, 1, 0, "x", MRS(494)), false, EPERM, "EPERM before the range");
    expect_example(example(11, 2, 0, "x", MRS(493)), false, EINVAL, "EINVAL for the length first");
}

TEST(example_results_and_deferral)
{
    long results[] = { 0, 1, 123456789, -ENOENT, -4095, KEEL_PROTO_DEFERRED };
    for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "names returning %ld", results[i]);
        request_t r = example(3, 4, 0, "x", MRS(NAME_ALICE, 0, 0, 0));
        seen.result = results[i];
        run_request(&proto_table_example, &r, what);
        request_free(&r);
    }
}

/* --- random requests --------------------------------------------------------- */

static uint64_t pick_scalar(harness_rng_t *rng, const proto_table_param_t *p)
{
    uint64_t choice = harness_rng_below(rng, 8);
    if (p->has_mask) {
        uint64_t v = harness_rng_next(rng);
        return choice < 5 ? v & p->mask : v;
    }
    switch (choice) {
    case 0:
        return p->lo;
    case 1:
        return p->hi;
    case 2:
        return p->lo - 1;
    case 3:
        return p->hi + 1;
    case 4:
        return harness_rng_next(rng);
    default: { /* inside the range */
        uint64_t span = p->hi - p->lo;
        return p->lo + (span == ~0ul ? harness_rng_next(rng) : harness_rng_below(rng, span + 1));
    }
    }
}

static void pick_name(harness_rng_t *rng, request_t *r, int first)
{
    char name[KEEL_PROTO_NAME_BYTES];
    for (int i = 0; i < KEEL_PROTO_NAME_BYTES; i++) {
        name[i] = (char)('a' + harness_rng_below(rng, 26));
    }
    if (harness_rng_below(rng, 10) != 0) {
        name[harness_rng_below(rng, KEEL_PROTO_NAME_BYTES)] = '\0';
    }
    for (int w = 0; w < KEEL_PROTO_NAME_WORDS; w++) {
        seL4_Word word = 0;
        for (int b = 0; b < 8; b++) {
            word |= (seL4_Word)(unsigned char)name[w * 8 + b] << (8 * b);
        }
        r->mr[first + w] = word;
    }
}

static void pick_window_range(harness_rng_t *rng, request_t *r, const proto_table_param_t *p)
{
    uint64_t size = r->window_size;
    uint64_t offset, length;
    if (harness_rng_below(rng, 10) < 6) { /* fits, if anything can */
        offset = harness_rng_below(rng, size + 1);
        uint64_t room = size - offset;
        uint64_t hi = p->hi < room ? p->hi : room;
        length = hi >= p->lo ? p->lo + harness_rng_below(rng, hi - p->lo + 1) : p->lo;
    } else {
        uint64_t wild[] = { size,      size + 1, ~0ul, ~0ul - 7, 1ul << 63, harness_rng_next(rng),
                            p->hi + 1, p->lo - 1 };
        offset = harness_rng_below(rng, 3) == 0 ? wild[harness_rng_below(rng, 8)]
                                                : harness_rng_below(rng, size + 1);
        length = wild[harness_rng_below(rng, 8)];
    }
    r->mr[p->mr] = offset;
    r->mr[p->mr + 1] = length;
    if (p->kind == PROTO_TABLE_STR && offset < size && harness_rng_below(rng, 8) == 0) {
        uint64_t room = size - offset;
        uint64_t span = length < room ? length : room;
        if (span > 0) {
            r->window[offset + harness_rng_below(rng, span)] = '\0';
        }
    }
}

/* A request shaped for method m: its arguments in or near their ranges,
 * its label and length usually m's. */
static request_t random_request_for(harness_rng_t *rng, const proto_table_method_t *m)
{
    request_t r = { 0 };
    uint64_t choice = harness_rng_below(rng, 10);
    r.label = choice < 8    ? m->label
              : choice == 8 ? harness_rng_below(rng, 70000)
                            : harness_rng_next(rng) >> 12;
    r.length = harness_rng_below(rng, 10) < 8 ? m->request_words
                                              : harness_rng_below(rng, seL4_MsgMaxLength + 1);
    r.extra_caps = harness_rng_below(rng, 20) == 0 ? 1 + harness_rng_below(rng, 3) : 0;
    r.unwrapped = harness_rng_below(rng, 30) == 0 ? 1 + harness_rng_below(rng, 7) : 0;
    r.privileged = harness_rng_below(rng, 2) == 0;
    static const size_t sizes[] = { 0, 1, 7, 64, 4096 };
    r.window_size = sizes[harness_rng_below(rng, 5)];
    if (r.window_size > 0) {
        r.window = malloc(r.window_size);
        for (size_t i = 0; i < r.window_size; i++) {
            r.window[i] = (unsigned char)('A' + harness_rng_below(rng, 26));
        }
    }
    for (int i = 0; i < seL4_MsgMaxLength; i++) {
        r.mr[i] = harness_rng_next(rng);
    }
    for (size_t i = 0; i < m->nparams; i++) {
        const proto_table_param_t *p = &m->params[i];
        if (p->kind == PROTO_TABLE_I64 || p->kind == PROTO_TABLE_U64) {
            r.mr[p->mr] = pick_scalar(rng, p);
        } else if (p->kind == PROTO_TABLE_NAME) {
            pick_name(rng, &r, p->mr);
        } else {
            pick_window_range(rng, &r, p);
        }
    }
    return r;
}

static request_t random_request(harness_rng_t *rng, const proto_table_t *t)
{
    return random_request_for(rng, &t->methods[harness_rng_below(rng, t->nmethods)]);
}

#define FUZZ_ROUNDS 200000

TEST(random_requests_get_the_expected_answer)
{
    harness_rng_t rng = { harness_seed() };
    static const long results[] = { 0, 1, 42, -EBADF, -ENOMEM, KEEL_PROTO_DEFERRED };
    unsigned handled = 0;
    for (unsigned round = 0; round < FUZZ_ROUNDS; round++) {
        const proto_table_t *t = protocols[harness_rng_below(&rng, NPROTOCOLS)];
        request_t r = random_request(&rng, t);
        seen.result = results[harness_rng_below(&rng, 6)];
        char where[96];
        snprintf(where, sizeof(where), "round %u, %s label %lu length %lu", round, t->name,
                 (unsigned long)r.label, (unsigned long)r.length);
        bool good = expected_error(t, &r) == 0;
        bool ok = run_request(t, &r, where);
        request_free(&r);
        if (!ok) {
            return; /* one report is enough */
        }
        handled += good;
    }
    harness_note("%u random requests, %u reached a handler", FUZZ_ROUNDS, handled);
    /* Both kinds must be common, or the loop tests little. */
    EXPECT_LT(FUZZ_ROUNDS / 20, handled);
    EXPECT_LT(handled, FUZZ_ROUNDS - FUZZ_ROUNDS / 20);
}

/* Every method of every protocol: a request built to be good reaches its
 * handler (so no method is unreachable by construction). */
TEST(every_method_accepts_a_good_request)
{
    harness_rng_t rng = { harness_seed() + 1 };
    for (size_t k = 0; k < NPROTOCOLS; k++) {
        const proto_table_t *t = protocols[k];
        for (size_t i = 0; i < t->nmethods; i++) {
            const proto_table_method_t *m = &t->methods[i];
            bool reached = false;
            for (int attempt = 0; attempt < 1000 && !reached; attempt++) {
                request_t r = random_request_for(&rng, m);
                r.label = m->label;
                r.length = m->request_words;
                r.extra_caps = r.unwrapped = 0;
                r.privileged = true;
                if (expected_error(t, &r) == 0) {
                    seen.result = 0;
                    char where[64];
                    snprintf(where, sizeof(where), "%s.%s", t->name, m->name);
                    reached = run_request(t, &r, where);
                }
                request_free(&r);
            }
            HARNESS_CHECK_(reached, "%s.%s: no good request found", t->name, m->name);
        }
    }
}

/* --- the client stubs against the dispatch ----------------------------------- */

/* The Call of proto_shim/keel/syscalls.h: the example server answers on the
 * same IPC buffer, as the kernel would have copied the message. */
static unsigned char client_window[64];
static bool corrupt_reply;

seL4_MessageInfo_t host_call(seL4_CPtr ep, seL4_MessageInfo_t info)
{
    (void)ep;
    keel_proto_request_t req = { .ctx = (void *)&proto_table_example,
                                 .badge = 0xbad6e,
                                 .window = client_window,
                                 .window_size = sizeof(client_window) };
    seL4_MessageInfo_t reply = seL4_MessageInfo_new(0, 0, 0, 0);
    proto_example_dispatch(&req, info, &reply);
    if (corrupt_reply) {
        return seL4_MessageInfo_new(7, 0, 0, 1);
    }
    return reply;
}

TEST(client_stubs_round_trip)
{
    seen.result = 3;
    int64_t sum = -1;
    uint64_t echo = 0;
    EXPECT_EQ(example_scalars(1, -42, -5, 100, 0x10, BIG + 1, &sum, &echo), 3);
    EXPECT_EQ(seen.args[0].value, (uint64_t)-42);
    EXPECT_EQ(seen.args[4].value, BIG + 1);
    EXPECT_EQ(sum, proto_table_out_value(0));
    EXPECT_EQ(echo, proto_table_out_value(1));

    char greeting[KEEL_PROTO_NAME_BYTES];
    uint64_t length = 0;
    EXPECT_EQ(example_names(1, "alice", greeting, &length), 3);
    EXPECT_STREQ(seen.text[0], "alice");
    EXPECT_STREQ(greeting, "result-0");
    EXPECT_EQ(length, proto_table_out_value(1));
    /* A name of 40 bytes goes out cut to 31. */
    EXPECT_EQ(example_names(1, "0123456789012345678901234567890123456789", NULL, NULL), 3);
    EXPECT_STREQ(seen.text[0], "0123456789012345678901234567890");

    memcpy(client_window, "/etc/motd", 9);
    EXPECT_EQ(example_buffers(1, 0, 9, 9, 10, 20, 4, 30, 7), 3);
    EXPECT_STREQ(seen.text[0], "/etc/motd");
    EXPECT_TRUE(seen.args[1].pointer == client_window + 9 && seen.args[1].length == 10);

    /* Errors: no results are stored; the dispatch's own errors come back. */
    seen.result = -ENOENT;
    sum = 77;
    EXPECT_EQ(example_scalars(1, 0, 0, 0, 0, BIG, &sum, NULL), -ENOENT);
    EXPECT_EQ(sum, 77);
    EXPECT_EQ(example_scalars(1, 0, 8, 0, 0, BIG, &sum, NULL), -EINVAL);
    EXPECT_EQ(example_secret(1, 1), -EPERM);
    EXPECT_EQ(example_buffers(1, 60, 9, 0, 0, 0, 4, 0, 0), -EINVAL);

    /* A reply that is no reply: -EIO. */
    corrupt_reply = true;
    seen.result = 0;
    EXPECT_EQ(example_ping(1), -KEEL_PROTO_EIO);
    corrupt_reply = false;
}

TEST(client_result_checks)
{
    ipc_buffer.msg[0] = 5;
    EXPECT_EQ(keel_proto_result(seL4_MessageInfo_new(0, 0, 0, 3), 3), 5);
    EXPECT_EQ(keel_proto_result(seL4_MessageInfo_new(0, 0, 0, 2), 3), -KEEL_PROTO_EIO);
    EXPECT_EQ(keel_proto_result(seL4_MessageInfo_new(1, 0, 0, 3), 3), -KEEL_PROTO_EIO);
    EXPECT_EQ(keel_proto_result(seL4_MessageInfo_new(0, 0, 0, 0), 1), -KEEL_PROTO_EIO);
    ipc_buffer.msg[0] = (seL4_Word)-4095;
    EXPECT_EQ(keel_proto_result(seL4_MessageInfo_new(0, 0, 0, 1), 3), -4095);
    ipc_buffer.msg[0] = (seL4_Word)-4096;
    EXPECT_EQ(keel_proto_result(seL4_MessageInfo_new(0, 0, 0, 1), 1), -KEEL_PROTO_EIO);
}

__attribute__((constructor)) static void use_host_ipc_buffer(void)
{
    keel_ipc_buffer = &ipc_buffer;
}
