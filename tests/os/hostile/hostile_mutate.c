/* Mutated valid requests (issue 18 item 3(b)): a request a program could
 * make -- stat, lstat, access and readlink of /bin/sh, fstat and pread of
 * its own descriptor, getcwd, pm's getpid, meminfo and procinfo,
 * rs's list and show -- then one to three mutations: a bit flipped in one
 * of its words, a word replaced by a value at an edge (0, -1, the window's
 * size, 2^63, ...), its length off by a few words. The answer may be
 * anything the protocol allows -- the request may now be fine, or fail
 * with any errno -- but it must be an answer: never a fault, a hang or a
 * server that stops answering valid requests (hostile.c checks after every
 * batch). Every template reads and never blocks, and changes nothing the
 * malformed requests count on (no descriptor's position, so no getdents),
 * whatever the mutation: read, poll, fcntl, lseek and every call that
 * changes the system are left out, so that no mutation can make a valid
 * request that removes a file, starts a process or waits for ever. */
#include "hostile.h"

#include <keel/proto/pm.h>
#include <keel/proto/rs.h>
#include <keel/proto/vfs.h>
#include <string.h>

#define SHOW_NAME_AT 256 /* where rs show's name goes in the window */
#define BUF_AT 4096      /* a buffer for what the server writes */
#define BUF_LENGTH 1024

static void pm_template(hostile_t *h, request_t *r)
{
    switch (rng_below(h, 5)) {
    case 0:
        request_set(r, PM_GETPID, 0, "mutated getpid", EXPECT_ANY);
        break;
    case 1:
        request_set(r, PM_GETPPID, 0, "mutated getppid", EXPECT_ANY);
        break;
    case 2:
        request_set(r, PM_MEMINFO, 0, "mutated meminfo", EXPECT_ANY);
        break;
    case 3:
        request_set(r, PM_PROCINFO, 1, "mutated procinfo", EXPECT_ANY);
        r->mr[0] = 1;
        break;
    default:
        request_set(r, PM_GETPGID, 1, "mutated getpgid", EXPECT_ANY);
        r->mr[0] = 0;
        break;
    }
}

static void vfs_template(hostile_t *h, request_t *r)
{
    memcpy(h->window, "/bin/sh", 7);
    switch (rng_below(h, 7)) {
    case 0:
        request_set(r, VFS_STAT, 2, "mutated stat", EXPECT_ANY);
        r->mr[0] = 0, r->mr[1] = 7;
        break;
    case 1:
        request_set(r, VFS_LSTAT, 2, "mutated lstat", EXPECT_ANY);
        r->mr[0] = 0, r->mr[1] = 7;
        break;
    case 2:
        request_set(r, VFS_FSTAT, 1, "mutated fstat", EXPECT_ANY);
        r->mr[0] = (seL4_Word)h->fd_file;
        break;
    case 3:
        request_set(r, VFS_PREAD, 4, "mutated pread", EXPECT_ANY);
        r->mr[0] = (seL4_Word)h->fd_file, r->mr[1] = 0, r->mr[2] = BUF_AT, r->mr[3] = BUF_LENGTH;
        break;
    case 4:
        request_set(r, VFS_READLINK, 4, "mutated readlink", EXPECT_ANY);
        r->mr[0] = 0, r->mr[1] = 7, r->mr[2] = BUF_AT, r->mr[3] = BUF_LENGTH;
        break;
    case 5:
        request_set(r, VFS_ACCESS, 3, "mutated access", EXPECT_ANY);
        r->mr[0] = 0, r->mr[1] = 7, r->mr[2] = 4;
        break;
    default:
        request_set(r, VFS_GETCWD, 2, "mutated getcwd", EXPECT_ANY);
        r->mr[0] = BUF_AT, r->mr[1] = BUF_LENGTH;
        break;
    }
}

static void rs_template(hostile_t *h, request_t *r)
{
    if (rng_one_in(h, 2)) {
        request_set(r, RS_LIST, 1, "mutated list", EXPECT_ANY);
        r->mr[0] = rng_below(h, 12);
        return;
    }
    memcpy(h->window + SHOW_NAME_AT, "uart", 4);
    request_set(r, RS_SHOW, 5, "mutated show", EXPECT_ANY);
    r->mr[0] = SHOW_NAME_AT, r->mr[1] = 4;
    for (unsigned i = 2; i < 5; i++) {
        r->mr[i] = 0;
    }
}

/* A value at an edge of what a word of a request may mean. */
static seL4_Word edge(hostile_t *h)
{
    const seL4_Word values[] = { 0,
                                 1,
                                 2,
                                 (seL4_Word)-1,
                                 (seL4_Word)h->window_size,
                                 (seL4_Word)h->window_size - 1,
                                 (seL4_Word)1 << 31,
                                 (seL4_Word)1 << 32,
                                 (seL4_Word)1 << 63,
                                 ((seL4_Word)1 << 63) - 1,
                                 63,
                                 64,
                                 4096 };
    return values[rng_below(h, sizeof(values) / sizeof(values[0]))];
}

static void mutate(hostile_t *h, request_t *r)
{
    unsigned n = 1 + (unsigned)rng_below(h, 3);
    for (unsigned k = 0; k < n; k++) {
        unsigned span = r->words + 2 < REQUEST_WORDS_MAX ? r->words + 2 : REQUEST_WORDS_MAX;
        unsigned word = (unsigned)rng_below(h, span);
        switch (rng_below(h, 3)) {
        case 0:
            r->mr[word] ^= (seL4_Word)1 << rng_below(h, 64);
            break;
        case 1:
            r->mr[word] = edge(h);
            break;
        default: { /* the length a few words off (0 .. words + 3) */
            int64_t words = (int64_t)r->words + rng_range(h, -2, 3);
            r->words = words < 0 ? 0 : (unsigned)words;
            break;
        }
        }
    }
}

void mutated_request(hostile_t *h, const char *server, request_t *r)
{
    for (unsigned i = 0; i < REQUEST_WORDS_MAX; i++) {
        r->mr[i] = 0;
    }
    if (strcmp(server, "pm") == 0) {
        pm_template(h, r);
    } else if (strcmp(server, "vfs") == 0) {
        vfs_template(h, r);
    } else {
        rs_template(h, r);
    }
    mutate(h, r);
}
