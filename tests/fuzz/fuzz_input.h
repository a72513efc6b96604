/* A libFuzzer input read a few bytes at a time, big-endian; zeros once it
 * is used up, so that every input, however short, is a whole run. Shared
 * by the fuzz targets that draw numbers from their input. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct input {
    const uint8_t *data;
    size_t size, at;
} input_t;

static inline uint64_t take(input_t *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v = v << 8 | (in->at < in->size ? in->data[in->at++] : 0);
    }
    return v;
}
