/* /bin/hog [CHUNK_KIB]: exhausts its memory quota (tests/os/hostile,
 * os.quota). It mallocs blocks of CHUNK_KIB KiB (default 16) until malloc
 * fails, writing to every page of each block, then prints
 * `hog: got N KiB in M blocks, then ENOMEM` and exits 1. pm gives each
 * process its own quota, so the failure takes nothing from anyone else,
 * and the memory is back once hog has ended; a second hog gets as much. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096

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
    errno = 0;
    for (;;) {
        unsigned char *block = malloc(chunk);
        if (block == NULL) {
            break;
        }
        touch(block, chunk);
        blocks++;
    }
    int error = errno;
    printf("hog: got %zu KiB in %zu blocks, then %s\n", blocks * chunk_kib, blocks,
           error == ENOMEM ? "ENOMEM" : strerror(error));
    return 1;
}
