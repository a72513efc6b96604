/* libostest: libos and picolibc on the target, before pm and vfs exist.
 * The root task builds what a Keel program finds (a start page naming
 * "pm", "vfs" and a data window), runs a fake pm and a fake vfs as threads
 * that serve the generated protocols, and then runs the tests of main.c as
 * a program would: picolibc's stdio through libos's write, its malloc
 * through libos's sbrk, every POSIX call of docs/posix.md as a real IPC
 * round trip through the generated stubs and dispatch. */
#pragma once

#include <keel/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the root task puts what the start page names. */
#define LIBOSTEST_WINDOW_VADDR 0x40000000ul /* "data": the data window */
#define LIBOSTEST_WINDOW_PAGES 4
#define LIBOSTEST_HEAP_VADDR 0x40100000ul /* what the fake pm's sbrk hands out */
#define LIBOSTEST_HEAP_PAGES 64
#define LIBOSTEST_PID 42 /* the badge of the program's pm and vfs caps */

/* Every test sees the fake servers' records of the last requests. */
typedef struct fake_record {
    unsigned calls;           /* requests that reached a handler */
    seL4_Word badge;          /* of the last one */
    int64_t scalar[6];        /* its scalar arguments, in order */
    char text[2][1025];       /* its strings, in order */
    unsigned char bytes[512]; /* the first window buffer it got, copied */
    size_t length;            /* that buffer's length */
} fake_record_t;

extern fake_record_t fake_pm_seen, fake_vfs_seen;

/* What the fake servers answer; set by the tests. */
extern long fake_pm_spawn_result;
extern const char *fake_pm_spawn_only; /* if set: spawn succeeds only for this path */
extern unsigned char fake_vfs_dirents[256];
extern size_t fake_vfs_dirents_length;

/* The servers' threads and their endpoints (root slots); start them. */
void fake_servers_start(seL4_CPtr pm_endpoint, seL4_CPtr vfs_endpoint);

/* The program part: tests, then exit(status). */
int libostest_main(int argc, char **argv, char **envp);

/* Set by the fake pm when the program called exit. */
void fake_pm_exit_seen(int status);
