/* The time test program (tests/os/time.system, image ostime), an OS
 * program (libos, picolibc) in three roles chosen by its first argument:
 *
 *   channels   a component that is a second client of the timer and rtc
 *              drivers (channels "timer" and "rtc", keel/os/timer.h and
 *              keel/os/rtc.h): timeouts fire in deadline order and not
 *              before their deadline, a cancelled one never fires, a full
 *              table and a full completion ring lose nothing, bad
 *              requests and corrupt ring indices are refused, the rtc's
 *              wall clock;
 *   nap MS     a program that sleeps MS milliseconds through nanosleep and
 *              says when it woke;
 *   eio MS     a program that sleeps and expects EIO (its timer goes down
 *              for good meanwhile): exit status 0 if so;
 *   wall       pm's first program: nanosleep through pm (good and bad
 *              times), three naps spawned latest first and ended in
 *              deadline order, sleepers killed asleep (pm cancels their
 *              timeouts), pm's boottime (from the rtc, kept), gettimeofday
 *              and CLOCK_REALTIME, /bin/date spawned, a sleeper while
 *              the timer restarts, 100 restarts in a row, then the timer
 *              past its limit: down, its sleepers told EIO.
 *
 * Every check prints `timetest: WHAT: ok` or `... FAILED` on the console;
 * tests/tests.list (os.timer*, os.rtc, os.date) matches them. No check has
 * an upper bound on time: a sleep must last at least as long as asked,
 * never at most. */
#include <errno.h>
#include <keel/os/channel.h>
#include <keel/os/rtc.h>
#include <keel/os/startinfo.h>
#include <keel/os/timer.h>
#include <keel/proto/pm.h>
#include <keel/proto/rs.h>
#include <keel/syscalls.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
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
#define NEVER UINT64_MAX              /* a deadline the counter never reaches */

static int checks, failures;

static void check(int ok, const char *what)
{
    printf("timetest: %s: %s\n", what, ok ? "ok" : "FAILED");
    checks++;
    failures += !ok;
}

static const keel_startcap_t *grant(const char *name, uint32_t kind)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    const keel_startcap_t *cap = keel_startinfo_find(si, name);
    return cap != NULL && cap->kind == kind ? cap : NULL;
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

/* --- channels: a client of both drivers ------------------------------------ */

typedef struct channel {
    keel_channel_t *rings;
    seL4_CPtr signal;
} channel_t;

static seL4_CPtr own_notification;

static channel_t channel(const char *name)
{
    keel_channel_end_t end = keel_channel_end((const keel_startinfo_t *)KEEL_STARTINFO_VADDR, name);
    return (channel_t){ end.rings, end.signal };
}

/* The driver's start (keel/os/ring.h): it announces its instance and
 * serves nothing until the client has caught up. A request put before
 * that waits in the ring. */
static void catch_up(const channel_t *ch)
{
    while (!keel_channel_restarted(ch->rings, 0)) {
        seL4_Word bits;
        seL4_Wait(own_notification, &bits);
    }
    keel_channel_accept(ch->rings);
    seL4_Signal(ch->signal);
}

static void request(const channel_t *ch, uint32_t op, uint64_t cookie, uint64_t offset)
{
    keel_ring_put(&ch->rings->request,
                  (keel_ring_entry_t){ .op = op, .cookie = cookie, .offset = offset });
}

/* The next completion, waiting for the driver's signal as long as it takes
 * (a driver that never answers ends the test by its timeout). */
static keel_ring_entry_t next_completion(const channel_t *ch)
{
    keel_ring_entry_t e;
    while (!keel_ring_get(&ch->rings->completion, &e)) {
        seL4_Word bits;
        seL4_Wait(own_notification, &bits);
    }
    return e;
}

/* Three timeouts asked latest first fire earliest first, none before its
 * deadline. */
static void check_order(const channel_t *t)
{
    uint64_t now = keel_counter(), ms = keel_ns_to_ticks(NS_PER_MS, keel_counter_frequency());
    uint64_t deadline[3] = { now + 30 * ms, now + 10 * ms, now + 20 * ms };
    for (uint64_t i = 0; i < 3; i++) {
        request(t, KEEL_TIMER_SET, 100 + i, deadline[i]);
    }
    seL4_Signal(t->signal);
    const uint64_t expected[3] = { 101, 102, 100 };
    int in_order = 1;
    for (int i = 0; i < 3; i++) {
        keel_ring_entry_t e = next_completion(t);
        uint64_t at = keel_counter();
        in_order &=
            e.cookie == expected[i] && e.op == KEEL_TIMER_FIRED && at >= deadline[e.cookie - 100];
    }
    check(in_order, "timeouts at +30, +10, +20 ms fire in deadline order, none early");
}

static void check_cancel(const channel_t *t)
{
    uint64_t now = keel_counter(), ms = keel_ns_to_ticks(NS_PER_MS, keel_counter_frequency());
    request(t, KEEL_TIMER_SET, 200, now + 5 * ms);
    request(t, KEEL_TIMER_SET, 201, now + 15 * ms);
    request(t, KEEL_TIMER_CANCEL, 200, 0);
    request(t, KEEL_TIMER_CANCEL, 999, 0); /* nothing to cancel: no answer */
    seL4_Signal(t->signal);
    keel_ring_entry_t e = next_completion(t);
    check(e.cookie == 201 && e.op == KEEL_TIMER_FIRED && keel_ring_empty(&t->rings->completion),
          "a cancelled timeout never fires; the next one does");
}

static void check_bad_requests(const channel_t *t)
{
    request(t, 99, 300, 0);
    request(t, 0, 301, 0);
    request(t, KEEL_TIMER_SET, 302, 0); /* a deadline long past: at once */
    seL4_Signal(t->signal);
    keel_ring_entry_t a = next_completion(t), b = next_completion(t), c = next_completion(t);
    check(a.cookie == 300 && a.op == KEEL_TIMER_BAD_REQUEST && b.cookie == 301 &&
              b.op == KEEL_TIMER_BAD_REQUEST,
          "operations 99 and 0: BAD_REQUEST, cookie kept");
    check(c.cookie == 302 && c.op == KEEL_TIMER_FIRED, "a deadline in the past fires at once");
}

/* Indices more than a ring apart (a confused or hostile client) make the
 * driver take nothing from the ring; put right, it goes on. */
static void check_corrupt_ring(const channel_t *t)
{
    keel_ring_t *r = &t->rings->request;
    uint32_t head = r->head;
    request(t, KEEL_TIMER_SET, 400, 0);
    r->head = r->tail + 1000;
    seL4_Signal(t->signal);
    int untouched = keel_ring_empty(&t->rings->completion);
    r->head = head + 1;
    seL4_Signal(t->signal);
    keel_ring_entry_t e = next_completion(t);
    check(untouched && e.cookie == 400 && e.op == KEEL_TIMER_FIRED,
          "request indices 1000 apart: nothing taken; put right: served");
}

/* KEEL_TIMER_PER_CLIENT timeouts that never fire fill the client's table:
 * one more is answered FULL; cancelled, they make room again. */
static void check_full_table(const channel_t *t)
{
    for (uint64_t i = 0; i < KEEL_TIMER_PER_CLIENT; i++) {
        request(t, KEEL_TIMER_SET, 500 + i, NEVER);
    }
    seL4_Signal(t->signal);
    request(t, KEEL_TIMER_SET, 600, 0);
    seL4_Signal(t->signal);
    keel_ring_entry_t e = next_completion(t);
    check(e.cookie == 600 && e.op == KEEL_TIMER_FULL, "65th timeout of a client: FULL");
    for (uint64_t i = 0; i < KEEL_TIMER_PER_CLIENT; i++) {
        request(t, KEEL_TIMER_CANCEL, 500 + i, 0);
    }
    seL4_Signal(t->signal); /* the ring's 64 slots are full of cancels */
    request(t, KEEL_TIMER_SET, 601, 0);
    seL4_Signal(t->signal);
    e = next_completion(t);
    check(e.cookie == 601 && e.op == KEEL_TIMER_FIRED, "64 cancelled: a timeout fires again");
}

/* A client that does not take its completions: the driver fills the ring,
 * takes no more requests, and loses nothing. The driver runs above this
 * component, so each Signal returns after it has looked at the rings. */
static void check_backpressure(const channel_t *t)
{
    for (uint64_t i = 0; i < KEEL_RING_SLOTS; i++) {
        request(t, KEEL_TIMER_SET, 700 + i, 0);
    }
    seL4_Signal(t->signal);
    request(t, KEEL_TIMER_SET, 800, 0);
    seL4_Signal(t->signal);
    check(keel_ring_full(&t->rings->completion) && !keel_ring_empty(&t->rings->request),
          "completion ring full: the next request waits in its ring");
    int all = 1;
    for (uint64_t i = 0; i < KEEL_RING_SLOTS; i++) {
        keel_ring_entry_t e = next_completion(t);
        all &= e.cookie == 700 + i && e.op == KEEL_TIMER_FIRED;
    }
    seL4_Signal(t->signal); /* room again */
    keel_ring_entry_t e = next_completion(t);
    check(all && e.cookie == 800 && e.op == KEEL_TIMER_FIRED,
          "64 answers first come first, then the waiting request: nothing lost");
}

static void check_rtc(const channel_t *r)
{
    request(r, KEEL_RTC_READ, 1, 0);
    request(r, KEEL_RTC_READ, 2, 0);
    request(r, 7, 3, 0);
    seL4_Signal(r->signal);
    keel_ring_entry_t a = next_completion(r), b = next_completion(r), c = next_completion(r);
    printf("timetest: rtc time %llu\n", (unsigned long long)a.offset);
    check(a.cookie == 1 && a.op == KEEL_RTC_DONE && (int64_t)a.offset >= YEAR_2020,
          "rtc read: after 2020-01-01");
    check(b.cookie == 2 && b.op == KEEL_RTC_DONE && b.offset >= a.offset,
          "rtc read again: not earlier");
    check(c.cookie == 3 && c.op == KEEL_RTC_BAD_REQUEST, "rtc operation 7: BAD_REQUEST");
}

static int channels(void)
{
    const keel_startcap_t *own = grant("notify", KEEL_CAP_NOTIFICATION);
    channel_t t = channel("timer"), r = channel("rtc");
    check(own != NULL && t.rings != NULL && r.rings != NULL,
          "start page has the timer and rtc channels");
    if (own == NULL || t.rings == NULL || r.rings == NULL) {
        return 1;
    }
    own_notification = own->cptr;
    catch_up(&t);
    catch_up(&r);
    check_order(&t);
    check_cancel(&t);
    check_bad_requests(&t);
    check_corrupt_ring(&t);
    check_full_table(&t);
    check_backpressure(&t);
    check_rtc(&r);
    printf("timetest: channels: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}

/* --- nap: one of several sleepers ----------------------------------------- */

static int nap(const char *ms_text)
{
    int64_t ms = atoll(ms_text);
    int64_t before = monotonic_ns();
    int r = sleep_ns(ms * NS_PER_MS);
    int64_t after = monotonic_ns();
    bool ok = r == 0 && after - before >= ms * NS_PER_MS;
    if (!ok) {
        printf("timetest: nap%lld: nanosleep %d after %lld us\n", (long long)ms, r,
               (long long)((after - before) / 1000));
    }
    printf("timetest: nap%lld woke after >= %lld ms: %s\n", (long long)ms, (long long)ms,
           ok ? "ok" : "FAILED");
    return !ok;
}

/* --- wall: sleeping through pm, the wall clock, date ----------------------- */

static void check_nanosleep(seL4_CPtr pm)
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
    check(pm_nanosleep(pm, PM_SLEEP_MAX + 1) == -EINVAL, "pm nanosleep 2^62 + 1 ns: EINVAL");
    check(pm_nanosleep(pm, UINT64_MAX) == -EINVAL, "pm nanosleep 2^64 - 1 ns: EINVAL");
}

static pid_t spawn_timetest(const char *role, const char *arg)
{
    char *argv[] = { "timetest", (char *)role, (char *)arg, NULL };
    pid_t pid = -1;
    return posix_spawn(&pid, "/bin/timetest", NULL, NULL, argv, NULL) == 0 ? pid : -1;
}

/* Spawned latest first, the naps end earliest first. */
static void check_nap_order(void)
{
    pid_t nap300 = spawn_timetest("nap", "300"), nap200 = spawn_timetest("nap", "200"),
          nap100 = spawn_timetest("nap", "100");
    pid_t first = waitpid(-1, NULL, 0), second = waitpid(-1, NULL, 0), third = waitpid(-1, NULL, 0);
    check(nap300 > 0 && nap200 > 0 && nap100 > 0 && first == nap100 && second == nap200 &&
              third == nap300,
          "naps of 300, 200, 100 ms spawned in that order end 100, 200, 300");
}

/* Is pid blocked (asleep)? Asked until it is, up to `tries` times a
 * millisecond apart: it must first run and call. */
static bool becomes_blocked(seL4_CPtr pm, pid_t pid, int tries)
{
    for (int i = 0; i < tries; i++) {
        int64_t ppid, pgid;
        uint64_t state = 0, memory;
        char name[64];
        if (pm_procinfo(pm, pid, &ppid, &pgid, &state, &memory, name) == pid &&
            state == PM_STATE_BLOCKED) {
            return true;
        }
        sleep_ns(NS_PER_MS);
    }
    return false;
}

/* A sleeper killed asleep: pm cancels its timeout. More of them than the
 * timer keeps for one client (64): without the cancels a sleep would now
 * be refused. */
static void check_killed_sleepers(seL4_CPtr pm)
{
    const int sleepers = KEEL_TIMER_PER_CLIENT + 6;
    int killed = 0, blocked = 0;
    for (int i = 0; i < sleepers; i++) {
        pid_t pid = spawn_timetest("nap", "100000");
        blocked += becomes_blocked(pm, pid, 1000);
        int status = 0;
        killed += kill(pid, SIGKILL) == 0 && waitpid(pid, &status, 0) == pid &&
                  WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    }
    printf("timetest: %d of %d blocked, %d killed\n", blocked, sleepers, killed);
    check(blocked == sleepers && killed == sleepers,
          "70 sleepers of 100 s: blocked, then killed asleep");
    check(sleep_ns(5 * NS_PER_MS) == 0, "a sleep after them: 0");
}

/* A sleeper while the timer restarts: pm gives the new instance the
 * timeout again (its deadline is absolute); the sleeper notices nothing. */
static void check_restart_in_flight(seL4_CPtr pm, seL4_CPtr rs)
{
    pid_t pid = spawn_timetest("nap", "300");
    bool blocked = becomes_blocked(pm, pid, 1000);
    long r = rs_restart(rs, "timer");
    int status = -1;
    check(blocked && r == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0,
          "nap300 asleep while the timer restarts: wakes after >= 300 ms");
}

static void check_restarts_in_a_row(seL4_CPtr rs)
{
    int good = 0;
    for (int i = 0; i < 100; i++) {
        good += rs_restart(rs, "timer") == 0 && sleep_ns(NS_PER_MS) == 0;
    }
    printf("timetest: %d of 100 restarts\n", good);
    check(good == 100, "100 restarts of the timer in a row, a sleep after each");
    check(rs_restart(rs, "rtc") == 0, "rtc restarted");
    check(rs_restart(rs, "pm") == -EPERM, "pm (restart never): EPERM");
    check(rs_restart(rs, "nobody") == -ENOENT, "no such component: ENOENT");
}

/* Past its limit (110 restarts within a minute: the 101 above and these)
 * the timer stays down: a process asleep on it is told EIO rather than
 * left asleep, and so is every later sleep. The last check: the timer is
 * gone. */
static void check_timer_down(seL4_CPtr pm, seL4_CPtr rs)
{
    pid_t pid = spawn_timetest("eio", "100000");
    bool blocked = becomes_blocked(pm, pid, 1000);
    int restarted = 0;
    while (restarted < 20 && rs_restart(rs, "timer") == 0) {
        restarted++;
    }
    long down = rs_restart(rs, "timer");
    int status = -1;
    waitpid(pid, &status, 0);
    errno = 0;
    struct timespec t = { .tv_sec = 0, .tv_nsec = 1000 };
    int r = nanosleep(&t, NULL);
    char name[KEEL_PROTO_NAME_BYTES];
    uint64_t state = 0, priority, quota, faults, restarts = 0, uptime, last;
    for (uint64_t i = 0; rs_list(rs, i, name, &state, &priority, &quota, &faults, &restarts,
                                 &uptime, &last) > (long)i;
         i++) {
        if (strcmp(name, "timer") == 0) {
            break;
        }
    }
    printf("timetest: %d more restarts, then %ld; the timer %s after %llu restarts\n", restarted,
           down, state == RS_STATE_FAILED ? "failed" : "not failed", (unsigned long long)restarts);
    check(down == -EIO && state == RS_STATE_FAILED, "the timer past its limit: EIO, failed");
    check(blocked && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a process asleep on it: told EIO, not left asleep");
    check(r == -1 && errno == EIO, "nanosleep with the timer down: EIO");
}

/* --- eio: a sleeper that expects its driver to go --------------------------- */

static int eio(const char *ms_text)
{
    struct timespec t = { .tv_sec = atoll(ms_text) / 1000, .tv_nsec = 0 };
    errno = 0;
    return nanosleep(&t, NULL) == -1 && errno == EIO ? 0 : 1;
}

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
    const keel_startcap_t *pm = grant("pm", KEEL_CAP_ENDPOINT);
    check(pm != NULL, "start page has pm");
    if (pm == NULL) {
        return 1;
    }
    check_nanosleep(pm->cptr);
    check_nap_order();
    check_killed_sleepers(pm->cptr);
    check_boottime(pm->cptr);
    check_date();
    const keel_startcap_t *rs = grant("rs", KEEL_CAP_ENDPOINT);
    check(rs != NULL, "start page has rs");
    if (rs != NULL) {
        check_restart_in_flight(pm->cptr, rs->cptr);
        check_restarts_in_a_row(rs->cptr);
        check_timer_down(pm->cptr, rs->cptr);
    }
    printf("timetest: wall: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "channels") == 0) {
        return channels();
    }
    if (argc == 3 && strcmp(argv[1], "nap") == 0) {
        return nap(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "eio") == 0) {
        return eio(argv[2]);
    }
    if (argc == 2 && strcmp(argv[1], "wall") == 0) {
        return wall();
    }
    fprintf(stderr, "usage: timetest channels | nap MS | eio MS | wall\n");
    return 2;
}
