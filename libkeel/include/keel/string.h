/* Memory and string functions for freestanding programs. The compiler may emit
 * calls to memcpy, memmove and memset itself, so every program links them. */
#pragma once

#include <memops.h> /* memcpy, memmove, memset, memcmp, strlen (common/) */
#include <stddef.h>

int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
