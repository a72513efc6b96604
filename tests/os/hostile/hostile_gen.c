/* The parts of /bin/hostile's requests that every server shares
 * (hostile.h): the PRNG, out-of-range values, bad paths, bad buffers and
 * descriptors, unknown methods and wrong lengths. */
#include "hostile.h"

#include <errno.h>
#include <keel/proto/pm_defs.h>
#include <keel/proto/vfs_defs.h>
#include <splitmix64.h>
#include <string.h>

#define LABEL_BITS 52      /* what seL4_MessageInfo carries */
#define NAME_MAX_BYTES 255 /* the disk's longest name (vfs's tree: 63) */

uint64_t rng_next(hostile_t *h)
{
    return splitmix64_next(&h->rng);
}

uint64_t rng_below(hostile_t *h, uint64_t n)
{
    return rng_next(h) % n;
}

int64_t rng_range(hostile_t *h, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1; /* 0: the whole range */
    return (int64_t)((uint64_t)lo + (span == 0 ? rng_next(h) : rng_below(h, span)));
}

bool rng_one_in(hostile_t *h, uint64_t n)
{
    return rng_below(h, n) == 0;
}

/* A distance 1..room: usually small (just past the bound), else anywhere. */
static uint64_t distance(hostile_t *h, uint64_t room)
{
    uint64_t near = room < 16 ? room : 16;
    return 1 + (rng_one_in(h, 2) ? rng_below(h, near) : rng_below(h, room));
}

int64_t bad_i64(hostile_t *h, int64_t lo, int64_t hi)
{
    bool below = lo > INT64_MIN && (hi == INT64_MAX || rng_one_in(h, 2));
    if (below) {
        return (int64_t)((uint64_t)lo - distance(h, (uint64_t)lo - (uint64_t)INT64_MIN));
    }
    return (int64_t)((uint64_t)hi + distance(h, (uint64_t)INT64_MAX - (uint64_t)hi));
}

uint64_t bad_u64_above(hostile_t *h, uint64_t hi)
{
    return hi + distance(h, UINT64_MAX - hi);
}

static void set_span(request_t *r, unsigned i, uint64_t offset, uint64_t length)
{
    r->mr[i] = offset;
    r->mr[i + 1] = length;
}

/* `n` random bytes from `alphabet` at window offset `at`. */
static void put_random(hostile_t *h, size_t at, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    for (size_t j = 0; j < n; j++) {
        h->window[at + j] = (unsigned char)alphabet[rng_below(h, k)];
    }
}

void request_set(request_t *r, seL4_Word label, unsigned words, const char *what, long expect)
{
    r->label = label;
    r->words = words;
    r->what = what;
    r->expect = expect;
}

void put_path(hostile_t *h, request_t *r, unsigned i, size_t at, const char *path)
{
    size_t n = strlen(path);
    memcpy(h->window + at, path, n);
    set_span(r, i, at, n);
}

enum bad_path {
    PATH_MISSING,      /* under a directory that does not exist: -ENOENT */
    PATH_LONG_NAME,    /* a component of 64 bytes or more: -ENAMETOOLONG */
    PATH_THROUGH_FILE, /* /bin/sh/x: -ENOTDIR */
    PATH_EMPTY,        /* length 0: -EINVAL */
    PATH_TOO_LONG,     /* above PATH_MAX: -EINVAL */
    PATH_WITH_NUL,     /* a NUL inside: -EINVAL */
    PATH_OUTSIDE,      /* not inside the window: -EINVAL */
    BAD_PATHS,
};

/* The walk fails at "hostile.none" whatever follows: the tail holds a
 * slash and then a name, so that component is never the last one (a
 * mkdir or an O_CREAT could make the last one). */
static long put_missing(hostile_t *h, request_t *r, unsigned i, size_t at)
{
    static const char head[] = "/hostile.none/";
    size_t n = sizeof(head) - 1;
    memcpy(h->window + at, head, n);
    put_random(h, at + n, 1, "abcxyz");
    size_t tail = rng_below(h, 40);
    put_random(h, at + n + 1, tail, "abcxyz019./");
    set_span(r, i, at, n + 1 + tail);
    return -ENOENT;
}

long put_bad_path(hostile_t *h, request_t *r, unsigned i, size_t at)
{
    size_t n;
    switch (rng_below(h, BAD_PATHS)) {
    case PATH_MISSING:
        return put_missing(h, r, i, at);
    case PATH_LONG_NAME:
        n = NAME_MAX_BYTES + 1 + rng_below(h, 200);
        h->window[at] = '/';
        put_random(h, at + 1, n, "abcdefghijklmnopqrstuvwxyz");
        set_span(r, i, at, n + 1);
        return -ENAMETOOLONG;
    case PATH_THROUGH_FILE:
        put_path(h, r, i, at, "/bin/sh/");
        n = 1 + rng_below(h, 10);
        put_random(h, at + 8, n, "abcxyz");
        set_span(r, i, at, 8 + n);
        return -ENOTDIR;
    case PATH_EMPTY:
        set_span(r, i, rng_below(h, h->window_size), 0);
        return -EINVAL;
    case PATH_TOO_LONG:
        n = VFS_PATH_MAX + 1 + rng_below(h, 3000);
        put_random(h, at, n, "/abc");
        set_span(r, i, at, n);
        return -EINVAL;
    case PATH_WITH_NUL:
        n = 2 + rng_below(h, 60);
        put_random(h, at, n, "/binsh");
        h->window[at + rng_below(h, n)] = '\0';
        set_span(r, i, at, n);
        return -EINVAL;
    default:
        put_bad_buffer(h, r, i, 1, VFS_PATH_MAX);
        return -EINVAL;
    }
}

void put_bad_buffer(hostile_t *h, request_t *r, unsigned i, uint64_t min, uint64_t max)
{
    uint64_t size = h->window_size;
    uint64_t offset = rng_below(h, size);
    switch (rng_below(h, 5)) {
    case 0: /* starts past the window */
        set_span(r, i, bad_u64_above(h, size), rng_below(h, 64));
        break;
    case 1: /* runs past its end */
        set_span(r, i, offset, size - offset + distance(h, UINT64_MAX - (size - offset)));
        break;
    case 2: /* offset + length wraps around */
        set_span(r, i, UINT64_MAX - rng_below(h, 4096), 4097 + rng_below(h, 4096));
        break;
    case 3: /* longer than the method takes (the window may be smaller) */
        set_span(r, i, 0, bad_u64_above(h, max < size ? max : size));
        break;
    default: /* shorter than it takes, if it has a minimum; else past the end */
        if (min > 0) {
            set_span(r, i, offset < size - min ? offset : 0, rng_below(h, min));
        } else {
            set_span(r, i, size, 1 + rng_below(h, 64));
        }
        break;
    }
}

void put_buffer(hostile_t *h, request_t *r, unsigned i, uint64_t lo, uint64_t hi)
{
    uint64_t length = (uint64_t)rng_range(h, (int64_t)lo, (int64_t)hi);
    set_span(r, i, rng_below(h, h->window_size - length + 1), length);
}

long bad_fd(hostile_t *h, int64_t *fd)
{
    if (rng_one_in(h, 4)) {
        *fd = bad_i64(h, 0, VFS_FD_MAX);
        return -EINVAL;
    }
    do {
        *fd = rng_range(h, 0, VFS_FD_MAX);
    } while (h->open_fds & ((uint64_t)1 << *fd));
    return -EBADF;
}

static bool is_live(const hostile_t *h, int64_t pid, bool as_group)
{
    for (unsigned i = 0; i < h->live; i++) {
        if ((as_group ? h->live_pgid[i] : h->live_pid[i]) == pid) {
            return true;
        }
    }
    return false;
}

int64_t absent_pid(hostile_t *h)
{
    int64_t pid;
    do {
        pid = rng_range(h, 1, PM_PID_MAX);
    } while (is_live(h, pid, false) || is_live(h, pid, true));
    return pid;
}

int64_t absent_group(hostile_t *h)
{
    return absent_pid(h); /* neither a pid nor a group: no group can be it */
}

static bool is_method(seL4_Word label, const method_t *methods, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (methods[i].label == label) {
            return true;
        }
    }
    return false;
}

void generic_request(hostile_t *h, request_t *r, const method_t *methods, size_t n)
{
    if (rng_one_in(h, 2)) {
        do {
            r->label = rng_one_in(h, 2) ? rng_below(h, 100)
                                        : rng_next(h) & (((seL4_Word)1 << LABEL_BITS) - 1);
        } while (is_method(r->label, methods, n));
        r->words = (unsigned)rng_below(h, 10);
        r->what = "an unknown method";
        r->expect = -ENOSYS;
        return;
    }
    const method_t *m = &methods[rng_below(h, n)];
    r->label = m->label;
    do {
        r->words = rng_one_in(h, 4) ? (unsigned)rng_below(h, REQUEST_WORDS_MAX + 1)
                                    : (unsigned)rng_range(h, 0, m->words + 3);
    } while (r->words == m->words);
    r->what = "a known method with a wrong length";
    r->expect = -EINVAL;
}
