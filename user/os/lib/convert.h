/* libos's conversions between the C library's view and the wire's
 * (proto/NAME.proto): results to errno, open flags, stat, time. Plain logic
 * with no system call, so the host tests (tests/host/test_libos.c) run it
 * against the host's C library. */
#pragma once

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/* A server's result as a POSIX call returns it: r >= 0 as is; a negated
 * errno sets errno and gives -1. */
long libos_result(long r);

/* <fcntl.h> open flags to vfs's wire flags (VFS_O_*), in *wire. 0, or
 * EINVAL for an access mode that is none of O_RDONLY/O_WRONLY/O_RDWR or a
 * flag Keel does not implement (O_SYNC, O_DSYNC...). O_NOCTTY and
 * O_CLOEXEC are accepted and mean nothing (no controlling terminals are
 * assigned by open; there is no exec). */
int libos_open_flags(int flags, uint64_t *wire);
/* The open flags (<fcntl.h>) of the wire's (fcntl F_GETFL). */
int libos_flags_from_wire(uint64_t wire);

/* The results of vfs stat/fstat, in their order. */
typedef struct libos_wire_stat {
    uint64_t mode, size, ino, dev, nlink;
    int64_t mtime;
} libos_wire_stat_t;

void libos_stat_fill(struct stat *st, const libos_wire_stat_t *w);

/* A count of the generic counter at `frequency` Hz as a time; frequency is
 * not 0 (CNTFRQ_EL0 is set by firmware before the kernel runs). */
void libos_counter_to_timespec(uint64_t count, uint64_t frequency, struct timespec *ts);

/* The wall clock: `seconds` since 1970 when the counter read `at`, now it
 * reads `now`. A counter behind `at` counts as no time passed. */
void libos_realtime(int64_t seconds, uint64_t at, uint64_t now, uint64_t frequency,
                    struct timespec *ts);

/* A relative time as nanoseconds for a sleep (timer or pm): 0, or EINVAL for a
 * negative time or tv_nsec outside [0, 1e9). Times beyond 2^62 ns (146
 * years) are cut to it. */
int libos_timespec_to_ns(const struct timespec *ts, uint64_t *ns);

#define LIBOS_SLEEP_MAX_NS (UINT64_C(1) << 62)
