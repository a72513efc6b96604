/* picolibc's tinystdio <stdio.h> lacks FILENAME_MAX, which ISO C asks
 * of it: the longest path vfs takes (docs/posix.md "How a call travels"). */
#pragma once

#include_next <stdio.h>

#ifndef FILENAME_MAX
#define FILENAME_MAX 1024
#endif
