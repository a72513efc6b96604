/* The page of the channel "work" between rsclient and worker
 * (tests/os/test.system): rsclient sets `run` and signals; the worker
 * counts while it is set. It outlives a restart of the worker (rs made
 * it, not the worker). */
#pragma once

#include <stdint.h>

typedef struct work_page {
    volatile uint64_t run;   /* rsclient: 1 while the worker is to count */
    volatile uint64_t count; /* the worker: its work done */
} work_page_t;
