/* A flip campaign by hand, in the image osshell (docs/reliability.md,
 * "Fault injection"): `flipload NAME COUNT` injects COUNT flips (rs's
 * fault injection, proto/rs.proto inject) into component NAME, each while
 * a child, /bin/sleep 0.02, sleeps -- through pm and, for the timer, the
 * component flipped. Prints each flip, then the sum; exit status 0 if
 * every flip was made and every child ended with status 0. A flip may also
 * leave the component broken in a way nothing notices yet (a hang, a lost
 * deadline): then a child sleeps for ever and so does flipload. No test
 * runs it for that reason; it measures how often. */
#include <keel/os/startinfo.h>
#include <keel/proto/rs.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define AFTER_SPAWN_NS 5000000 /* 5 ms: time for the child to fall asleep, mostly */

/* A child asleep for 20 ms: its pid, or -1. */
static pid_t spawn_sleeper(void)
{
    char *argv[] = { "sleep", "0.02", NULL };
    pid_t pid = -1;
    return posix_spawn(&pid, "/bin/sleep", NULL, NULL, argv, NULL) == 0 ? pid : -1;
}

static bool ended_well(pid_t pid)
{
    int status = -1;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

/* What rs flipped (proto/rs.proto inject's results), on one line. */
static void say_flip(int n, long r, uint64_t target, uint64_t address, uint64_t bit)
{
    if (r != 0 || target < RS_TARGET_REGISTER || target > RS_TARGET_CODE) {
        printf("flipload: %d: not made (%ld)\n", n, r);
    } else if (target == RS_TARGET_REGISTER) {
        printf("flipload: %d: bit %llu of register %llu (0 pc, 1 sp, 3.. x0..)\n", n,
               (unsigned long long)bit, (unsigned long long)address);
    } else {
        printf("flipload: %d: bit %llu of the byte at 0x%llx (%s)\n", n, (unsigned long long)bit,
               (unsigned long long)address, target == RS_TARGET_CODE ? "code" : "data");
    }
    fflush(stdout);
}

/* One flip into `name` while a child sleeps; counts[target]++ if made. */
static bool flip_under_load(seL4_CPtr rs, const char *name, int n, unsigned counts[])
{
    pid_t pid = spawn_sleeper();
    struct timespec pause = { 0, AFTER_SPAWN_NS };
    nanosleep(&pause, NULL);
    uint64_t target = 0, address = 0, bit = 0;
    long r = rs_inject(rs, name, RS_INJECT_FLIP, 0, 0, &target, &address, &bit, NULL, NULL);
    bool made = r == 0 && target >= RS_TARGET_REGISTER && target <= RS_TARGET_CODE;
    if (made) {
        counts[target]++;
    }
    say_flip(n, r, target, address, bit);
    return ended_well(pid) && made;
}

int main(int argc, char **argv)
{
    const keel_startcap_t *rs =
        keel_startinfo_find((const keel_startinfo_t *)KEEL_STARTINFO_VADDR, "rs");
    int count = argc == 3 ? atoi(argv[2]) : 0;
    if (rs == NULL || rs->kind != KEEL_CAP_ENDPOINT || count <= 0) {
        fprintf(stderr, "usage: flipload NAME COUNT (with rs in the start page)\n");
        return 2;
    }
    unsigned counts[RS_TARGET_CODE + 1] = { 0 };
    int good = 0;
    for (int n = 1; n <= count; n++) {
        good += flip_under_load(rs->cptr, argv[1], n, counts);
    }
    printf("flipload: %d flips into %s: %u registers, %u data, %u code; %d of %d ended well\n",
           count, argv[1], counts[RS_TARGET_REGISTER], counts[RS_TARGET_DATA],
           counts[RS_TARGET_CODE], good, count);
    return good == count ? 0 : 1;
}
