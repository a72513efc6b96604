/* The time test program (tests/os/time.system, image ostime), an OS
 * program (libos, picolibc) in three roles chosen by its first argument:
 *
 *   driver     a component with "timer" (badge 0x7fff, a pid the driver
 *              never saw) and "rtc": libos's nanosleep and clock_gettime
 *              against the timer driver, the timer's and rtc's answers to
 *              good and hostile requests (requests sent without Call
 *              among them), the rtc's wall clock;
 *   nap MS     a component that sleeps MS milliseconds through nanosleep
 *              and says when it woke (several at once: deadline order);
 *   wall       pm's first program: pm's boottime (from the rtc, cached),
 *              gettimeofday and CLOCK_REALTIME, and /bin/date spawned.
 *
 * Every check prints `timetest: WHAT: ok` or `... FAILED` on the early
 * console; tests/tests.list (os.timer*, os.rtc, os.date) matches them. No
 * check has an upper bound on time: a sleep must last at least as long as
 * asked, never at most. */
#include <errno.h>
#include <keel/os/startinfo.h>
#include <keel/proto/pm.h>
#include <keel/proto/rtc.h>
#include <keel/proto/timer.h>
#include <keel/syscalls.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_SECOND INT64_C(1000000000)
#define YEAR_2020 INT64_C(1577836800) /* 2020-01-01 00:00 UTC */

static int checks, failures;

static void check(int ok, const char *what)
{
    printf("timetest: %s: %s\n", what, ok ? "ok" : "FAILED");
    checks++;
    failures += !ok;
}

static seL4_CPtr endpoint(const char *name)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    const keel_startcap_t *cap = keel_startinfo_find(si, name);
    return cap != NULL && cap->kind == KEEL_CAP_ENDPOINT ? cap->cptr : 0;
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return -1;
    }
    return (int64_t)ts.tv_sec * NS_PER_SECOND + ts.tv_nsec;
}

static int sleep_ns(int64_t ns)
{
    struct timespec t = { .tv_sec = (time_t)(ns / NS_PER_SECOND),
                          .tv_nsec = (long)(ns % NS_PER_SECOND) };
    struct timespec remain = { 1, 1 };
    int r = nanosleep(&t, &remain);
    return r == 0 && remain.tv_sec == 0 && remain.tv_nsec == 0 ? 0 : -1;
}

/* A raw request: `label` with `words` zero message registers. */
static long raw_call(seL4_CPtr ep, seL4_Word label, seL4_Word words)
{
    for (seL4_Word i = 0; i < words; i++) {
        seL4_SetMR((int)i, 0);
    }
    seL4_MessageInfo_t reply = seL4_Call(ep, seL4_MessageInfo_new(label, 0, 0, words));
    (void)reply;
    return (long)seL4_GetMR(0);
}

/* --- driver: libos and the timer ------------------------------------------ */

static void check_nanosleep(void)
{
    int64_t before = monotonic_ns();
    int r = sleep_ns(20 * NS_PER_MS);
    int64_t after = monotonic_ns();
    check(before >= 0 && r == 0 && after - before >= 20 * NS_PER_MS,
          "nanosleep 20 ms: returned 0, the counter advanced >= 20 ms");
    before = monotonic_ns();
    r = sleep_ns(1);
    after = monotonic_ns();
    check(r == 0 && after > before, "nanosleep 1 ns: returned 0, the counter advanced");
    check(sleep_ns(0) == 0, "nanosleep 0: returned 0");
    struct timespec bad = { .tv_sec = 0, .tv_nsec = NS_PER_SECOND };
    errno = 0;
    check(nanosleep(&bad, NULL) == -1 && errno == EINVAL, "nanosleep tv_nsec 1e9: EINVAL");
    bad = (struct timespec){ .tv_sec = -1, .tv_nsec = 0 };
    errno = 0;
    check(nanosleep(&bad, NULL) == -1 && errno == EINVAL, "nanosleep -1 s: EINVAL");
}

static void check_timer(seL4_CPtr timer)
{
    int64_t before = monotonic_ns();
    uint64_t now = 0;
    long r = timer_now(timer, &now);
    int64_t after = monotonic_ns();
    check(r == 0 && (uint64_t)before <= now && now <= (uint64_t)after,
          "now: between two readings of CLOCK_MONOTONIC");
    r = timer_sleep(timer, 5 * NS_PER_MS);
    uint64_t later = 0;
    timer_now(timer, &later);
    check(r == 0 && later - now >= 5 * NS_PER_MS, "sleep 5 ms: now advanced >= 5 ms");
    check(timer_sleep(timer, TIMER_SLEEP_MAX + 1) == -EINVAL, "sleep 2^62 + 1 ns: EINVAL");
    check(timer_sleep(timer, UINT64_MAX) == -EINVAL, "sleep 2^64 - 1 ns: EINVAL");
    check(raw_call(timer, TIMER_SLEEP, 0) == -EINVAL, "sleep without its argument: EINVAL");
    check(raw_call(timer, TIMER_SLEEP, 3) == -EINVAL, "sleep with 3 words: EINVAL");
    check(raw_call(timer, TIMER_NOW, 1) == -EINVAL, "now with 1 word: EINVAL");
    check(raw_call(timer, 99, 1) == -ENOSYS, "method 99: ENOSYS");
    check(raw_call(timer, 0, 0) == -ENOSYS, "method 0: ENOSYS");
    check(timer_sleep(timer, 1) == 0, "the driver still answers: sleep 1 ns");
}

/* Requests sent without Call leave the driver no reply capability: more of
 * them than it has slots must not keep a caller out (the driver frees the
 * slots nobody waits on when it runs out). */
static void check_senders(seL4_CPtr timer)
{
    for (int i = 0; i < 100; i++) {
        seL4_SetMR(0, TIMER_SLEEP_MAX);
        seL4_Send(timer, seL4_MessageInfo_new(TIMER_SLEEP, 0, 0, 1));
    }
    check(timer_sleep(timer, NS_PER_MS) == 0,
          "100 sleeps of 2^62 ns sent without Call, then a sleep: 0");
}

static void check_rtc(seL4_CPtr rtc)
{
    int64_t seconds = 0, again = 0;
    long r = rtc_time(rtc, &seconds);
    printf("timetest: rtc time %lld\n", (long long)seconds);
    check(r == 0 && seconds >= YEAR_2020, "rtc time: after 2020-01-01");
    check(rtc_time(rtc, &again) == 0 && again >= seconds, "rtc time again: not earlier");
    check(raw_call(rtc, RTC_TIME, 1) == -EINVAL, "rtc time with 1 word: EINVAL");
    check(raw_call(rtc, 7, 0) == -ENOSYS, "rtc method 7: ENOSYS");
}

static int driver(void)
{
    seL4_CPtr timer = endpoint("timer"), rtc = endpoint("rtc");
    check(timer != 0 && rtc != 0, "start page has timer and rtc");
    if (timer == 0 || rtc == 0) {
        return 1;
    }
    check_nanosleep();
    check_timer(timer);
    check_senders(timer);
    check_rtc(rtc);
    printf("timetest: driver: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}

/* --- nap: one of several sleepers ----------------------------------------- */

static int nap(const char *name, const char *ms_text)
{
    int64_t ms = atoll(ms_text);
    int64_t before = monotonic_ns();
    int r = sleep_ns(ms * NS_PER_MS);
    int64_t after = monotonic_ns();
    printf("timetest: %s woke after >= %lld ms: %s\n", name, (long long)ms,
           r == 0 && after - before >= ms * NS_PER_MS ? "ok" : "FAILED");
    return r != 0;
}

/* --- wall: pm's boottime, the wall clock, date ---------------------------- */

static void check_boottime(seL4_CPtr pm)
{
    int64_t seconds = -1, seconds2 = -1;
    uint64_t counter = 0, counter2 = 0;
    long r = pm_boottime(pm, &seconds, &counter);
    long r2 = pm_boottime(pm, &seconds2, &counter2);
    check(r == 0 && seconds >= YEAR_2020 && counter != 0, "pm boottime: rtc seconds after 2020");
    check(r2 == 0 && seconds2 == seconds && counter2 == counter, "pm boottime again: the same");
    struct timeval tv;
    check(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= seconds, "gettimeofday: not before it");
    struct timespec ts;
    struct tm tm;
    int ok = clock_gettime(CLOCK_REALTIME, &ts) == 0 && gmtime_r(&ts.tv_sec, &tm) != NULL;
    printf("timetest: CLOCK_REALTIME year %d\n", ok ? tm.tm_year + 1900 : -1);
    check(ok && tm.tm_year + 1900 >= 2020, "CLOCK_REALTIME: year >= 2020");
}

static void check_date(void)
{
    char *argv[] = { "date", "+date: the year is %Y", NULL };
    pid_t pid = -1;
    int status = -1;
    int r = posix_spawn(&pid, "/bin/date", NULL, NULL, argv, NULL);
    check(r == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0,
          "/bin/date: exit status 0");
}

static int wall(void)
{
    seL4_CPtr pm = endpoint("pm");
    check(pm != 0, "start page has pm");
    if (pm == 0) {
        return 1;
    }
    check_boottime(pm);
    check_date();
    printf("timetest: wall: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "driver") == 0) {
        return driver();
    }
    if (argc == 3 && strcmp(argv[1], "nap") == 0) {
        const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
        return nap(si->name, argv[2]);
    }
    if (argc == 2 && strcmp(argv[1], "wall") == 0) {
        return wall();
    }
    fprintf(stderr, "usage: timetest driver | nap MS | wall\n");
    return 2;
}
