/* Endpoints (2^seL4_EndpointBits bytes): a FIFO queue of threads blocked
 * sending or receiving, all in the same direction. */
#pragma once

#include <object/tcb.h>

typedef enum endpoint_state { ENDPOINT_IDLE = 0, ENDPOINT_SEND, ENDPOINT_RECV } endpoint_state_t;

typedef struct endpoint {
    word_t head; /* [47:0] first queued TCB (physical address), [49:48] state */
    word_t tail; /* last queued TCB (physical address) */
} endpoint_t;
_Static_assert(sizeof(endpoint_t) == 16, "an endpoint is 2^seL4_EndpointBits bytes");

/* The last cap to the endpoint is going: every queued thread re-executes its
 * system call (ABI 1.6a), which then normally faults. */
void endpoint_cancel_all(endpoint_t *ep);
