/* constream print K | read BATCH (image osconsole, tests/os/console): the
 * console loses and repeats nothing while the uart driver restarts under
 * it (docs/reliability.md, "Channels"). For each restart of the uart it
 * wants, it asks rs to restart the restarter component, which restarts the
 * uart a random moment later (restarter.c), and goes on until rs counts
 * that restart:
 *
 *   print K     prints numbered lines all the while, through K restarts:
 *               "cs NNNNNN PAYLOAD", N from 0, then "constream: N lines
 *               printed across K restarts of the uart". The host checks
 *               that the serial output holds each exactly once, in order
 *               (check_stream.py).
 *   read BATCH  reads typed lines "in NNNNNN PAYLOAD", N from 0, until end
 *               of file, each of which must be the next one, whole. Before
 *               each batch of BATCH lines it has the uart restarted and
 *               prints "@" and a newline (so that what it prints next
 *               starts a line): the script types the batch then, so that the
 *               restart falls while it arrives, and vfs never holds more
 *               than one batch (it keeps up to 32 lines, 1 KiB, typed
 *               ahead). Then "constream: N typed lines read, each once and
 *               in order, across K restarts of the uart", or "constream:
 *               FAILED: ..." for the first line that is not the next.
 *
 * Each result line is printed once the last restart is over, so that
 * nothing rs or the driver print falls inside it. Exit status 0; 1 on a
 * failure or when rs does not answer; 2 for a usage error. Calls: rs list
 * and restart (the "rs" pm passes on), printf, fgets, nanosleep. */
#include <keel/os/startinfo.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "restarts.h"

#define PAYLOAD "abcdefghijklmnopqrstuvwxyz0123456789" /* check_stream.py's too */
#define LINE_MAX_BYTES 128

static seL4_CPtr rs;
static long uart_base; /* the uart's restarts when constream started */
static long restarts_asked;

/* Have the uart restarted a random moment from now. */
static bool restart_soon(void)
{
    restarts_asked++;
    return rs_restart(rs, "restarter") == 0;
}

static bool restarted_as_asked(void)
{
    long now = restarts_of(rs, "uart");
    if (now < 0) {
        printf("constream: FAILED: rs does not list the uart\n");
        exit(1);
    }
    return now >= uart_base + restarts_asked;
}

static void wait_for_the_restart(void)
{
    while (!restarted_as_asked()) {
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
    }
}

static int print(long restarts)
{
    long lines = 0;
    for (long k = 0; k < restarts; k++) {
        if (!restart_soon()) {
            printf("constream: FAILED: rs restart restarter\n");
            return 1;
        }
        do {
            printf("cs %06ld " PAYLOAD "\n", lines++);
        } while (!restarted_as_asked());
    }
    printf("constream: %ld lines printed across %ld restarts of the uart\n", lines, restarts);
    return 0;
}

/* The next batch of typed lines, numbered from *n: false at the end of
 * the input or at a line that is not the next one (then in `problem`). */
static bool read_batch(long batch, long *n, char *problem, size_t size)
{
    for (long i = 0; i < batch; i++) {
        char line[LINE_MAX_BYTES], want[LINE_MAX_BYTES];
        if (fgets(line, sizeof(line), stdin) == NULL) {
            return false;
        }
        snprintf(want, sizeof(want), "in %06ld " PAYLOAD "\n", *n);
        if (strcmp(line, want) != 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(problem, size, "line %ld is \"%s\"", *n, line);
            return false;
        }
        (*n)++;
    }
    return true;
}

static int read_lines(long batch)
{
    long n = 0;
    char problem[LINE_MAX_BYTES + 32] = "";
    bool more = true;
    while (more) {
        if (!restart_soon()) {
            printf("constream: FAILED: rs restart restarter\n");
            return 1;
        }
        printf("@\n");
        more = read_batch(batch, &n, problem, sizeof(problem));
        wait_for_the_restart();
    }
    if (problem[0] != '\0') {
        printf("constream: FAILED: %s\n", problem);
        return 1;
    }
    printf("constream: %ld typed lines read, each once and in order, across %ld restarts of the "
           "uart\n",
           n, restarts_asked);
    return 0;
}

int main(int argc, char **argv)
{
    const keel_startcap_t *cap =
        keel_startinfo_find((const keel_startinfo_t *)KEEL_STARTINFO_VADDR, "rs");
    long count = argc == 3 ? atol(argv[2]) : 0;
    if (count <= 0 || (strcmp(argv[1], "print") != 0 && strcmp(argv[1], "read") != 0)) {
        fprintf(stderr, "usage: constream print RESTARTS | read BATCH\n");
        return 2;
    }
    if (cap == NULL || cap->kind != KEEL_CAP_ENDPOINT) {
        printf("constream: FAILED: no rs in the start page\n");
        return 1;
    }
    rs = cap->cptr;
    uart_base = restarts_of(rs, "uart");
    return strcmp(argv[1], "print") == 0 ? print(count) : read_lines(count);
}
