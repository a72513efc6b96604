/* Memory primitives for freestanding code, shared by the kernel and libkeel.
 * The compiler may emit calls to memcpy, memmove and memset on its own. */
#pragma once

#include <stddef.h>

void *memset(void *dst, int value, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
