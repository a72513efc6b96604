/* picolibc's <utime.h> has struct utimbuf but leaves utime() to the
 * system: libos's files.c has it. */
#pragma once

#include <sys/types.h> /* time_t, which picolibc's header uses without including */

#include_next <utime.h>

int utime(const char *path, const struct utimbuf *times);
