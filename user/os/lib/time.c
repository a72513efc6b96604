/* Time: clock_gettime reads the generic counter directly (exported to EL0;
 * no call); CLOCK_REALTIME adds the wall-clock time pm read from the RTC at
 * boot (asked once). nanosleep asks pm, which sleeps on the timer driver
 * (ENOSYS without one). picolibc's time() and
 * clock() come through gettimeofday and times. */
#include "convert.h"
#include "libos.h"

#include <errno.h>
#include <keel/proto/pm.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static struct {
    bool known;
    int64_t seconds;
    uint64_t counter;
} boot_clock;

static int realtime(struct timespec *ts)
{
    if (!boot_clock.known) {
        seL4_CPtr pm = libos_pm();
        if (pm == 0) {
            return -1;
        }
        long r = pm_boottime(pm, &boot_clock.seconds, &boot_clock.counter);
        if (r < 0) {
            return (int)libos_result(r);
        }
        boot_clock.known = true;
    }
    libos_realtime(boot_clock.seconds, boot_clock.counter, libos_counter(),
                   libos_counter_frequency(), ts);
    return 0;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
    switch (clock) {
    case CLOCK_MONOTONIC:
        libos_counter_to_timespec(libos_counter(), libos_counter_frequency(), ts);
        return 0;
    case CLOCK_REALTIME:
        return realtime(ts);
    default:
        errno = EINVAL;
        return -1;
    }
}

int gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    struct timespec ts;
    if (realtime(&ts) != 0) {
        return -1;
    }
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
    return 0;
}

/* For clock(): time since boot as the process's own time, in CLK_TCK
 * ticks (Keel does not account CPU time per process yet). */
clock_t times(struct tms *buf)
{
    struct timespec ts;
    libos_counter_to_timespec(libos_counter(), libos_counter_frequency(), &ts);
    clock_t ticks =
        (clock_t)(ts.tv_sec * CLOCKS_PER_SEC + ts.tv_nsec / (1000000000L / CLOCKS_PER_SEC));
    if (buf != NULL) {
        buf->tms_utime = ticks;
        buf->tms_stime = 0;
        buf->tms_cutime = 0;
        buf->tms_cstime = 0;
    }
    return ticks;
}

/* As times(): the process's "user time" is the time since boot, its
 * system time and its children's 0 (docs/posix.md "Time"). */
int getrusage(int who, struct rusage *usage)
{
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN) {
        errno = EINVAL;
        return -1;
    }
    memset(usage, 0, sizeof(*usage));
    if (who == RUSAGE_SELF) {
        struct timespec ts;
        libos_counter_to_timespec(libos_counter(), libos_counter_frequency(), &ts);
        usage->ru_utime.tv_sec = ts.tv_sec;
        usage->ru_utime.tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
    }
    return 0;
}

/* The whole time or not at all: a sleep is not interrupted (no signal
 * handlers), so `remain` is 0 after one. */
int nanosleep(const struct timespec *request, struct timespec *remain)
{
    uint64_t ns;
    int error = libos_timespec_to_ns(request, &ns);
    if (error != 0) {
        errno = error;
        return -1;
    }
    seL4_CPtr pm = libos_pm();
    if (pm == 0) {
        return -1;
    }
    long r = pm_nanosleep(pm, ns);
    if (r >= 0 && remain != NULL) {
        remain->tv_sec = 0;
        remain->tv_nsec = 0;
    }
    return (int)libos_result(r);
}

/* 0: nothing interrupts a sleep (nanosleep). */
unsigned sleep(unsigned seconds)
{
    struct timespec t = { .tv_sec = (time_t)seconds, .tv_nsec = 0 };
    return nanosleep(&t, NULL) == 0 ? 0 : seconds;
}

int usleep(useconds_t microseconds)
{
    struct timespec t = { .tv_sec = (time_t)(microseconds / 1000000),
                          .tv_nsec = (long)(microseconds % 1000000) * 1000 };
    return nanosleep(&t, NULL);
}
