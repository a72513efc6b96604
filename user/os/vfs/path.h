/* Lexical path cleaning (disk.c's routing), apart from vfs's tables and
 * channels so the host builds it as it is (make fuzz:
 * tests/fuzz/fuzz_vfspath.c). */
#pragma once

#include <keel/proto/vfs_defs.h>

/* The path a client sent (any string), made absolute from the working
 * directory `cwd` (used only if path is relative) and lexically clean into
 * out (VFS_PATH_MAX bytes): it starts with "/", has no empty, "." or ".."
 * component (".." takes off the component before it, and is nothing at the
 * root, as Plan 9 does), and ends with "/" only if it is the root or path
 * ended with one (a trailing slash asks for a directory). 0, or
 * -ENAMETOOLONG if it or any step on the way would not fit. */
long path_clean(const char *cwd, const char *path, char *out);
