/* The files worker (stress.h): copies and verifies files on the disk for
 * ever, through vfs, the ext2 server and the blk driver. Each round writes
 * STRESS_DIR/a: SIZE bytes (1 to 16 KiB) of a pattern, both drawn from the
 * worker's PRNG, in pieces of a drawn size; reads it and writes what it
 * read to STRESS_DIR/b; reads b back and compares every byte with the
 * pattern; and removes both. A call that fails is an error the
 * client saw (`f-error SEQ CALL errno`); a copy that reads back wrong is
 * data lost or damaged (`f-wrong SEQ OFFSET`). Either way the round ends
 * and the next begins afresh. The counts go to the progress file. */
#include "stress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <splitmix64.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_MAX 16384u
#define PIECE_MAX FILE_MAX
#define SOURCE STRESS_DIR "/a"
#define COPY STRESS_DIR "/b"

typedef struct round {
    uint64_t seq;
    uint64_t pattern; /* the seed of the bytes */
    size_t size, piece;
} round_t;

static uint8_t data[FILE_MAX];
static uint8_t back[FILE_MAX];

static void fill(const round_t *r, uint8_t *out)
{
    uint64_t state = r->pattern;
    for (size_t at = 0; at < r->size; at += 8) {
        uint64_t word = splitmix64_next(&state);
        size_t n = r->size - at < 8 ? r->size - at : 8;
        memcpy(out + at, &word, n);
    }
}

/* The call's failure: its errno, named in a line. */
static int failed(const round_t *r, const char *call)
{
    int error = errno;
    stress_line("f-error %" PRIu64 " %s %d", r->seq, call, error);
    return -1;
}

static int write_file(const round_t *r, const char *path, const uint8_t *bytes)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return failed(r, "open-write");
    }
    for (size_t at = 0; at < r->size;) {
        size_t n = r->size - at < r->piece ? r->size - at : r->piece;
        ssize_t wrote = write(fd, bytes + at, n);
        if (wrote <= 0) {
            failed(r, "write");
            close(fd);
            return -1;
        }
        at += (size_t)wrote;
    }
    return close(fd) == 0 ? 0 : failed(r, "close");
}

/* The whole file into `out`; its length, or -1. */
static ssize_t read_file(const round_t *r, const char *path, uint8_t *out)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return failed(r, "open-read");
    }
    size_t at = 0;
    uint8_t beyond; /* a byte past FILE_MAX: the file is too long */
    for (;;) {
        bool full = at == FILE_MAX;
        ssize_t got = read(fd, full ? &beyond : out + at, full ? 1 : FILE_MAX - at);
        if (got < 0) {
            failed(r, "read");
            close(fd);
            return -1;
        }
        at += (size_t)got;
        if (got == 0 || full) {
            close(fd);
            return (ssize_t)at;
        }
    }
}

/* 0: the copy is right; -1: a call failed; 1: it read back wrong. */
static int copy_and_verify(const round_t *r)
{
    if (write_file(r, SOURCE, data) != 0) {
        return -1;
    }
    ssize_t n = read_file(r, SOURCE, back);
    if (n < 0 || write_file(r, COPY, back) != 0) {
        return -1;
    }
    n = read_file(r, COPY, back);
    if (n < 0) {
        return -1;
    }
    if ((size_t)n != r->size) {
        stress_line("f-wrong %" PRIu64 " length %zd of %zu", r->seq, n, r->size);
        return 1;
    }
    for (size_t i = 0; i < r->size; i++) {
        if (back[i] != data[i]) {
            stress_line("f-wrong %" PRIu64 " byte %zu %02x for %02x", r->seq, i, back[i], data[i]);
            return 1;
        }
    }
    return 0;
}

static int remove_both(const round_t *r)
{
    int result = 0;
    const char *paths[] = { SOURCE, COPY };
    for (int i = 0; i < 2; i++) {
        if (unlink(paths[i]) != 0 && errno != ENOENT) {
            result = failed(r, "unlink");
        }
    }
    return result;
}

int stress_files(uint64_t seed)
{
    int fd = open(STRESS_PROGRESS_FILE, O_RDWR);
    if (fd < 0 || (mkdir(STRESS_DIR, 0755) != 0 && errno != EEXIST)) {
        stress_line("f-error 0 setup %d", errno);
        return 1;
    }
    uint64_t random = seed ^ STRESS_WORK_SALT ^ STRESS_WORK_FILES;
    uint64_t errors = 0, wrong = 0;
    for (uint64_t seq = 0; !(stress_slot_get(fd, STRESS_STOP) & STRESS_WORK_FILES); seq++) {
        uint64_t pick = splitmix64_next(&random);
        round_t r = { .seq = seq,
                      .pattern = splitmix64_next(&random),
                      .size = 1 + pick % FILE_MAX,
                      .piece = 1 + (pick >> 32) % PIECE_MAX };
        fill(&r, data);
        int outcome = copy_and_verify(&r);
        outcome = remove_both(&r) != 0 && outcome == 0 ? -1 : outcome;
        if (outcome < 0) {
            (void)stress_slot_set(fd, STRESS_FILES_ERRORS, ++errors);
        } else if (outcome > 0) {
            (void)stress_slot_set(fd, STRESS_FILES_WRONG, ++wrong);
        }
        (void)stress_slot_set(fd, STRESS_FILES, seq + 1);
    }
    return 0;
}
