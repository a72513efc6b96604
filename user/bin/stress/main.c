/* stress: the commands (stress.h), and `stress restarts N`: N restarts in a
 * row, round the targets, then rs's and pm's memory compared with before. */
#include "stress.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_KINDS "crash,hang,flip,kill"
#define DEFAULT_TARGETS "uart,timer,rtc"
#define DEFAULT_WORKERS "console"
#define ROUND_SLEEP_NS 1000000u /* after each round: the timer still works */

static int usage(void)
{
    fprintf(stderr, "usage: stress SEED N [KINDS [TARGETS [WORKERS]]]\n"
                    "       stress restarts N [TARGETS]\n"
                    "       stress work|files|sql SEED\n"
                    "       stress soak SEED MINUTES WORKERS\n");
    return 2;
}

static bool number(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    *out = value;
    return text[0] >= '0' && text[0] <= '9' && *end == '\0' && errno == 0;
}

static bool restart_all(const stress_target_t *targets, int ntargets, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        const stress_target_t *t = &targets[i % (uint64_t)ntargets];
        long error = stress_restart(t);
        if (error < 0) {
            printf("stress: restart %" PRIu64 " of %s: %s\n", i + 1, t->name,
                   strerror((int)-error));
            return false;
        }
        if ((i + 1) % (uint64_t)ntargets == 0 && !stress_sleep_ns(ROUND_SLEEP_NS)) {
            printf("stress: a sleep after restart %" PRIu64 ": %s\n", i + 1, strerror(errno));
            return false;
        }
    }
    return true;
}

int stress_restarts(uint64_t count, const char *list)
{
    stress_target_t targets[STRESS_MAX_TARGETS];
    int n = stress_targets(list, targets);
    stress_memory_t before, after;
    if (n <= 0) {
        fprintf(stderr, "stress: targets: %s: not a list of components rs knows\n", list);
        return 1;
    }
    if (!stress_memory(&before) || !restart_all(targets, n, count) || !stress_memory(&after)) {
        return 1;
    }
    bool same = stress_same_memory(&before, &after);
    printf("stress: %" PRIu64 " restarts of %s: rs %" PRIu64 " KiB and %" PRIu64
           " slots free, pm %" PRIu64 " KiB free; after: %" PRIu64 " KiB, %" PRIu64
           " slots, %" PRIu64 " KiB: %s\n",
           count, list, before.rs_free >> 10, before.rs_free_slots, before.pm_free >> 10,
           after.rs_free >> 10, after.rs_free_slots, after.pm_free >> 10,
           same ? "nothing leaked" : "LEAKED");
    return same ? 0 : 1;
}

int main(int argc, char **argv)
{
    uint64_t a, b;
    if (argc == 3 && strcmp(argv[1], "work") == 0 && number(argv[2], &a)) {
        return stress_work(a);
    }
    if (argc == 3 && strcmp(argv[1], "files") == 0 && number(argv[2], &a)) {
        return stress_files(a);
    }
    if (argc == 3 && strcmp(argv[1], "sql") == 0 && number(argv[2], &a)) {
        return stress_sql(a);
    }
    if (argc == 5 && strcmp(argv[1], "soak") == 0 && number(argv[2], &a) && number(argv[3], &b)) {
        return stress_soak(a, b, argv[4]);
    }
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "restarts") == 0 && number(argv[2], &a)) {
        return stress_restarts(a, argc == 4 ? argv[3] : DEFAULT_TARGETS);
    }
    if (argc >= 3 && argc <= 6 && number(argv[1], &a) && number(argv[2], &b)) {
        return stress_campaign(a, b, argc >= 4 ? argv[3] : DEFAULT_KINDS,
                               argc >= 5 ? argv[4] : DEFAULT_TARGETS,
                               argc == 6 ? argv[5] : DEFAULT_WORKERS);
    }
    return usage();
}
