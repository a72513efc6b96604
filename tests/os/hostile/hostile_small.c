/* /bin/hostile's requests to rs (proto/rs.proto). Never sent: a valid
 * list, show or meminfo (they succeed), a restart, an injection or a flip
 * into a component that exists and may restart (it would happen). */
#include "hostile.h"

#include <errno.h>
#include <keel/proto/rs_defs.h>

const method_t rs_methods[] = {
    { RS_LIST, 1 },   { RS_SHOW, 5 },    { RS_RESTART, 4 },
    { RS_INJECT, 7 }, { RS_MEMINFO, 0 }, { RS_FLIP, 6 },
};
const size_t rs_nmethods = sizeof(rs_methods) / sizeof(rs_methods[0]);

#define INDEX_MAX 255
#define NAME_WORDS 4 /* a `name`: 32 bytes in 4 message registers */

/* A name of 31 bytes at most, NUL-padded, in mr[0..3]: "hostile.none"
 * and a few random letters, which no component is called. */
static void put_absent_name(hostile_t *h, request_t *r)
{
    static const char head[] = "hostile.none";
    char name[NAME_WORDS * 8] = { 0 };
    size_t n = sizeof(head) - 1;
    for (size_t i = 0; i < n; i++) {
        name[i] = head[i];
    }
    for (size_t extra = rng_below(h, 31 - n); extra > 0; extra--) {
        name[n++] = (char)('a' + rng_below(h, 26));
    }
    for (unsigned w = 0; w < NAME_WORDS; w++) {
        seL4_Word word = 0;
        for (unsigned b = 0; b < 8; b++) {
            word |= (seL4_Word)(unsigned char)name[w * 8 + b] << (8 * b);
        }
        r->mr[w] = word;
    }
}

/* 32 bytes without a NUL. */
static void put_unterminated_name(hostile_t *h, request_t *r)
{
    for (unsigned w = 0; w < NAME_WORDS; w++) {
        seL4_Word word = 0;
        for (unsigned b = 0; b < 8; b++) {
            word |= (seL4_Word)(1 + rng_below(h, 255)) << (8 * b);
        }
        r->mr[w] = word;
    }
}

/* "pm", NUL-padded: a component whose description says restart never. */
static void put_core_name(request_t *r)
{
    r->mr[0] = 'p' | ('m' << 8);
    for (unsigned w = 1; w < NAME_WORDS; w++) {
        r->mr[w] = 0;
    }
}

#define INJECT_WORDS 7            /* name (4), kind, delay_us, seed */
#define FLIP_WORDS 6              /* name (4), address, bit */
#define INJECT_DELAY_MAX 10000000 /* proto/rs.proto: delay_us up to 10 s */

/* An injection into the core: kind, delay and seed in range. */
static void put_core_injection(hostile_t *h, request_t *r)
{
    put_core_name(r);
    r->mr[4] = rng_below(h, RS_INJECT_KILL + 1);
    r->mr[5] = rng_below(h, INJECT_DELAY_MAX + 1);
    r->mr[6] = rng_below(h, 1000);
}

/* A flip by hand (any address, bit in range unless said) into no
 * component, into the core, or of a bit out of range. */
static void flip_request(hostile_t *h, request_t *r)
{
    r->mr[4] = rng_next(h);
    r->mr[5] = rng_below(h, 8);
    switch (rng_below(h, 3)) {
    case 0:
        put_absent_name(h, r);
        request_set(r, RS_FLIP, FLIP_WORDS, "flip: no such component", -ENOENT);
        break;
    case 1:
        put_core_name(r);
        request_set(r, RS_FLIP, FLIP_WORDS, "flip: the core (restart never)", -EPERM);
        break;
    default:
        put_core_name(r);
        r->mr[5] = bad_u64_above(h, 7);
        request_set(r, RS_FLIP, FLIP_WORDS, "flip: bit out of range", -EINVAL);
        break;
    }
}

static void restart_request(hostile_t *h, request_t *r)
{
    switch (rng_below(h, 7)) {
    case 0:
        put_absent_name(h, r);
        request_set(r, RS_RESTART, 4, "restart: no such component", -ENOENT);
        break;
    case 1:
        put_core_name(r);
        request_set(r, RS_RESTART, 4, "restart: the core (restart never)", -EPERM);
        break;
    case 2:
        put_unterminated_name(h, r);
        request_set(r, RS_RESTART, 4, "restart: a name without its NUL", -EINVAL);
        break;
    case 3:
        put_core_injection(h, r);
        r->mr[4] = bad_u64_above(h, RS_INJECT_KILL);
        request_set(r, RS_INJECT, INJECT_WORDS, "inject: kind out of range", -EINVAL);
        break;
    case 4:
        put_core_injection(h, r);
        r->mr[5] = bad_u64_above(h, INJECT_DELAY_MAX);
        request_set(r, RS_INJECT, INJECT_WORDS, "inject: delay out of range", -EINVAL);
        break;
    case 5:
        put_core_injection(h, r);
        request_set(r, RS_INJECT, INJECT_WORDS, "inject: the core (restart never)", -EPERM);
        break;
    default:
        flip_request(h, r);
        break;
    }
}

void rs_request(hostile_t *h, request_t *r)
{
    switch (rng_below(h, 6)) {
    case 4:
    case 5:
        restart_request(h, r);
        break;
    case 0:
        r->mr[0] = bad_u64_above(h, INDEX_MAX);
        request_set(r, RS_LIST, 1, "list: index out of range", -EINVAL);
        break;
    case 1:
        put_unterminated_name(h, r);
        r->mr[4] = rng_below(h, INDEX_MAX + 1);
        request_set(r, RS_SHOW, 5, "show: a name without its NUL", -EINVAL);
        break;
    case 2:
        put_absent_name(h, r);
        r->mr[4] = bad_u64_above(h, INDEX_MAX);
        request_set(r, RS_SHOW, 5, "show: index out of range", -EINVAL);
        break;
    default:
        put_absent_name(h, r);
        r->mr[4] = rng_below(h, INDEX_MAX + 1);
        request_set(r, RS_SHOW, 5, "show: no such component", -ENOENT);
        break;
    }
}
