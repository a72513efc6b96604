/* picolibc's <sys/stat.h> declares lstat() only for a few systems; libos's
 * files.c has it. */
#pragma once

#include_next <sys/stat.h>

struct stat;
int lstat(const char *__restrict path, struct stat *__restrict buf);
