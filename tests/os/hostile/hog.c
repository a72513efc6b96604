/* /bin/hog [CHUNK_KIB]: exhausts its memory quota (tests/os/hostile,
 * os.quota). It mallocs blocks of CHUNK_KIB KiB (default 16) until malloc
 * fails, writing to every page of each block, then prints
 * `hog: got N KiB in M blocks, then ENOMEM; U of its Q KiB used` (pm's
 * meminfo) and exits 1. pm gives each
 * process its own quota, so the failure takes nothing from anyone else,
 * and the memory is back once hog has ended; a second hog gets as much. */
#include <errno.h>
#include <keel/os/startinfo.h>
#include <keel/proto/pm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096

/* errno through volatile accesses: clang takes malloc for a function that
 * touches no memory the program sees, errno included, and would fold the
 * errno read after the loop into the 0 stored before it. */
static void clear_errno(void)
{
    *(volatile int *)&errno = 0;
}

static int read_errno(void)
{
    return *(volatile int *)&errno;
}

/* The caller's quota and use from pm (meminfo), in KiB; 0 and 0 if pm
 * does not answer. */
static void quota_kib(uint64_t *quota, uint64_t *used)
{
    const keel_startinfo_t *si = (const keel_startinfo_t *)KEEL_STARTINFO_VADDR;
    const keel_startcap_t *pm = keel_startinfo_find(si, "pm");
    uint64_t total, free;
    *quota = *used = 0;
    if (pm != NULL && pm_meminfo(pm->cptr, &total, &free, quota, used) == 0) {
        *quota >>= 10;
        *used >>= 10;
    }
}

/* Write to every page of the block, so that it is really there. */
static void touch(unsigned char *block, size_t size)
{
    for (size_t at = 0; at < size; at += PAGE) {
        ((volatile unsigned char *)block)[at] = (unsigned char)(at / PAGE);
    }
    ((volatile unsigned char *)block)[size - 1] = 1;
}

int main(int argc, char **argv)
{
    size_t chunk_kib = 16;
    if (argc > 2 || (argc == 2 && (chunk_kib = strtoul(argv[1], NULL, 10)) == 0)) {
        fprintf(stderr, "usage: hog [CHUNK_KIB]\n");
        return 2;
    }
    size_t chunk = chunk_kib * 1024, blocks = 0;
    clear_errno();
    for (;;) {
        unsigned char *block = malloc(chunk);
        if (block == NULL) {
            break;
        }
        touch(block, chunk);
        blocks++;
    }
    int error = read_errno();
    uint64_t quota, used;
    quota_kib(&quota, &used);
    printf("hog: got %zu KiB in %zu blocks, then %s; %lu of its %lu KiB used\n", blocks * chunk_kib,
           blocks, error == ENOMEM ? "ENOMEM" : strerror(error), (unsigned long)used,
           (unsigned long)quota);
    return 1;
}
