/* vfs's pipes: a ring of PIPE_SIZE bytes with counts of the open files of
 * each end. The callers turn -EAGAIN into a deferred reply (main.c). A
 * write of at most PIPE_ATOMIC bytes goes whole or waits for room (POSIX's
 * PIPE_BUF: two writers' lines never interleave); a longer one moves what
 * fits, so its writer gets a partial count rather than waiting for room
 * for all of it. */
#include "vfs.h"

#include <errno.h>

pipe_t pipes[PIPE_MAX];

long pipe_new(uint16_t *out)
{
    for (uint16_t i = 0; i < PIPE_MAX; i++) {
        if (!pipes[i].used) {
            pipes[i].used = true;
            pipes[i].readers = pipes[i].writers = 1;
            pipes[i].head = pipes[i].count = 0;
            *out = i;
            return 0;
        }
    }
    return -ENFILE;
}

/* Bytes read; 0: empty and no writer left; -EAGAIN: empty, a writer left. */
long pipe_try_read(pipe_t *pp, unsigned char *buf, size_t length)
{
    if (pp->count == 0) {
        return pp->writers == 0 ? 0 : -EAGAIN;
    }
    size_t n = length < pp->count ? length : pp->count;
    for (size_t i = 0; i < n; i++) {
        buf[i] = pp->data[(pp->head + i) % PIPE_SIZE];
    }
    pp->head = (uint32_t)((pp->head + n) % PIPE_SIZE);
    pp->count -= (uint32_t)n;
    return (long)n;
}

/* Bytes written; -EPIPE: no reader left; -EAGAIN: full, or without room
 * for a write that must go whole. */
long pipe_try_write(pipe_t *pp, const unsigned char *buf, size_t length)
{
    if (pp->readers == 0) {
        return -EPIPE;
    }
    size_t room = PIPE_SIZE - pp->count;
    if (room == 0 || (length <= PIPE_ATOMIC && room < length)) {
        return -EAGAIN;
    }
    size_t n = length < room ? length : room;
    for (size_t i = 0; i < n; i++) {
        pp->data[(pp->head + pp->count + i) % PIPE_SIZE] = buf[i];
    }
    pp->count += (uint32_t)n;
    return (long)n;
}
