/* The workload (stress.h): it uses every driver the campaign injects into,
 * for ever, and checks what it gets. Each round draws a number from its
 * PRNG (seeded with SEED ^ STRESS_WORK_SALT), sleeps on the timer for
 * a part of it (under 4 ms) and checks that at least that long passed (no
 * upper bound: a late wake-up is no error), reads the time of day and
 * checks it is after 2020 and not before the last, and prints the record
 *
 *     w SEQ CHECK      (CHECK: the number's low 32 bits in hex)
 *
 * through the console, the uart driver's. tools/stress.py computes each
 * record from SEQ and finds every record lost, duplicated or corrupted on
 * the way. A failed check prints `w-error SEQ what` and goes on. After each
 * record the workload writes how many it printed to STRESS_PROGRESS_FILE,
 * where the injector sees that it goes on. It ends when the campaign sets
 * STRESS_STOP there. */
#include "stress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <splitmix64.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define SLEEP_MAX_NS 4000000u
#define YEAR_2020 1577836800 /* 2020-01-01 00:00:00 UTC */

static void check_sleep(uint64_t seq, uint64_t asked)
{
    uint64_t start = stress_now_ns();
    if (!stress_sleep_ns(asked)) {
        stress_line("w-error %" PRIu64 " sleep: %s", seq, strerror(errno));
        return;
    }
    uint64_t lasted = stress_now_ns() - start;
    if (lasted < asked) {
        stress_line("w-error %" PRIu64 " sleep of %" PRIu64 " ns lasted %" PRIu64 " ns", seq, asked,
                    lasted);
    }
}

/* The time of day: sane, and never going back. */
static void check_date(uint64_t seq, struct timeval *last)
{
    struct timeval now;
    if (gettimeofday(&now, NULL) != 0) {
        stress_line("w-error %" PRIu64 " date: %s", seq, strerror(errno));
        return;
    }
    bool back =
        now.tv_sec < last->tv_sec || (now.tv_sec == last->tv_sec && now.tv_usec < last->tv_usec);
    if (now.tv_sec < YEAR_2020 || back) {
        stress_line("w-error %" PRIu64 " date %lld.%06ld after %lld.%06ld", seq,
                    (long long)now.tv_sec, (long)now.tv_usec, (long long)last->tv_sec,
                    (long)last->tv_usec);
    }
    *last = now;
}

static void show_progress(int fd, uint64_t printed)
{
    if (!stress_slot_set(fd, STRESS_RECORDS, printed)) {
        stress_line("w-error %" PRIu64 " progress: %s", printed, strerror(errno));
    }
}

int stress_work(uint64_t seed)
{
    int fd = open(STRESS_PROGRESS_FILE, O_RDWR);
    if (fd < 0) {
        stress_line("w-error 0 %s: %s", STRESS_PROGRESS_FILE, strerror(errno));
        return 1;
    }
    uint64_t random = seed ^ STRESS_WORK_SALT;
    struct timeval last = { 0, 0 };
    for (uint64_t seq = 0; !(stress_slot_get(fd, STRESS_STOP) & STRESS_WORK_CONSOLE); seq++) {
        uint64_t r = splitmix64_next(&random);
        check_sleep(seq, (r >> 32) % SLEEP_MAX_NS);
        check_date(seq, &last);
        stress_line("w %" PRIu64 " %08" PRIx64, seq, r & 0xffffffffu);
        show_progress(fd, seq + 1);
    }
    return 0;
}
