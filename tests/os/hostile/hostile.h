/* /bin/hostile (tests/os/hostile, docs/os.md "Hostile programs"): what
 * its parts share. A request is built by a server's generator into a
 * request_t -- label, message registers, extra caps -- together with the
 * answer the protocol says it must get (a negated errno); hostile.c sends
 * it with a raw seL4_Call, so nothing of libos checks it on the way, and
 * compares. Every generated request is one that must fail and must change
 * nothing: the exclusions are listed in hostile.c. */
#pragma once

#include <keel/syscalls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Message registers a request may name: seL4_MsgMaxLength, and the length
 * field holds up to 127 (the kernel delivers at most 120). */
#define REQUEST_WORDS_MAX 127

typedef struct request {
    const char *what; /* for a report: "open: a path through a file" */
    seL4_Word label;  /* the method number (any 52-bit value) */
    seL4_Word mr[REQUEST_WORDS_MAX];
    unsigned words;   /* the message length */
    unsigned caps;    /* extra caps named (0..3); the kernel drops them */
    seL4_CPtr cap[3]; /* their cptrs */
    long expect;      /* the result it must get: -errno */
} request_t;

/* request_t.expect of a mutated valid request (hostile_mutate.c): any
 * answer of the protocol -- a result >= 0 or an errno -- will do. */
#define EXPECT_ANY (-100000L)

/* A method of a protocol: its number and its request's length. */
typedef struct method {
    seL4_Word label;
    unsigned words;
} method_t;

/* The process as the generators need it. */
typedef struct hostile {
    uint64_t rng;          /* splitmix64 state */
    bool disk;             /* /tmp is on the disk (vfs's tree keeps /dev; /bin is the disk's) */
    unsigned char *window; /* the data window ("data" of the start page) */
    size_t window_size;
    int64_t pid, pgid; /* its own */
    uint64_t open_fds; /* bit n: descriptor n is open */
    /* Descriptors it holds besides 0, 1, 2 (the console): */
    int64_t fd_file;      /* /bin/sh, read-only */
    int64_t fd_dir;       /* /, read-only, O_DIRECTORY */
    int64_t fd_pipe_read; /* a pipe nobody writes to */
    int64_t fd_pipe_write;
    /* pm's processes when the batch began (kill, setpgid, getpgid): */
    int64_t live_pid[32], live_pgid[32];
    bool live_zombie[32];
    unsigned live;
} hostile_t;

/* The PRNG (splitmix64): a fixed seed gives the same requests every time. */
uint64_t rng_next(hostile_t *h);
/* 0 .. n - 1 (n > 0). */
uint64_t rng_below(hostile_t *h, uint64_t n);
/* lo .. hi, inclusive, signed. */
int64_t rng_range(hostile_t *h, int64_t lo, int64_t hi);
/* True one time in n. */
bool rng_one_in(hostile_t *h, uint64_t n);

/* Scalar arguments that are out of their declared range lo..hi, signed
 * (below lo or above hi, near or far). */
int64_t bad_i64(hostile_t *h, int64_t lo, int64_t hi);
/* An unsigned argument above hi. */
uint64_t bad_u64_above(hostile_t *h, uint64_t hi);

/* The request's method, its length in words, what it tests and the result
 * it must get. */
void request_set(request_t *r, seL4_Word label, unsigned words, const char *what, long expect);

/* The data window. A path or buffer argument is (offset, length) in
 * mr[i], mr[i + 1]. */

/* A path whose lookup fails the same way for every vfs method (and pm's
 * spawn where it checks the path), written at `at`: its expected result. */
long put_bad_path(hostile_t *h, request_t *r, unsigned i, size_t at);
/* A path that is well formed and names `path` (written at `at`). */
void put_path(hostile_t *h, request_t *r, unsigned i, size_t at, const char *path);
/* A buffer the dispatch must refuse: past the window, wrapping around,
 * longer than `max` or shorter than `min`. */
void put_bad_buffer(hostile_t *h, request_t *r, unsigned i, uint64_t min, uint64_t max);
/* A buffer inside the window, of length lo..hi. */
void put_buffer(hostile_t *h, request_t *r, unsigned i, uint64_t lo, uint64_t hi);

/* A descriptor that is in range and not open (-EBADF), or out of range
 * (-EINVAL): sets *fd, returns the expected result. */
long bad_fd(hostile_t *h, int64_t *fd);
/* A pid no process has now (and never 0). */
int64_t absent_pid(hostile_t *h);
/* A group no process is in now. */
int64_t absent_group(hostile_t *h);

/* A request that is wrong for any protocol: an unknown label (-ENOSYS), or
 * a known method with a wrong length (-EINVAL). */
void generic_request(hostile_t *h, request_t *r, const method_t *methods, size_t n);

/* Each server's own malformed requests (hostile_pm.c, hostile_vfs.c,
 * hostile_small.c), and its methods. */
void pm_request(hostile_t *h, request_t *r);
void vfs_request(hostile_t *h, request_t *r);
void rs_request(hostile_t *h, request_t *r);
/* hostile_send.c: requests sent without Call leave vfs able to make a
 * read wait (prints its line; true if it passed). */
bool unanswered_requests(hostile_t *h, seL4_CPtr vfs);

extern const method_t pm_methods[], vfs_methods[], rs_methods[];
extern const size_t pm_nmethods, vfs_nmethods, rs_nmethods;

/* A valid, read-only request to `server` ("pm", "vfs", "rs"), mutated. */
void mutated_request(hostile_t *h, const char *server, request_t *r);
