/* What the file utilities of /bin share (mkdir rmdir rm mv cp touch pwd,
 * and ls and cat for a part): option words, the messages of a usage error
 * or a failed call, paths made of others, a directory's names, writing a
 * whole buffer. Plain POSIX, so the same code runs on Keel and on the host
 * (tests/host/test_fileutils.py). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The exit statuses: something failed (and was reported), a usage error. */
#define FILEUTIL_FAILED 1
#define FILEUTIL_USAGE 2

/* Read the option words of argv[1..]: "-ab" sets letters a and b, "--"
 * ends the options, "-" and any word not starting with '-' is the first
 * operand. Bit i of *set says that letters[i] was given. Returns the index
 * of the first operand, or -1 after printing a usage error for a letter
 * that is not in `letters`. */
int fileutil_options(const char *prog, int argc, char **argv, const char *letters, unsigned *set,
                     const char *usage);

/* "PROG: WHY" and "usage: USAGE" on stderr; returns FILEUTIL_USAGE. */
int fileutil_usage(const char *prog, const char *why, const char *usage);

/* "PROG: PATH: strerror(errno)" on stderr; returns FILEUTIL_FAILED. */
int fileutil_fail(const char *prog, const char *path);

/* The status of path itself: a symbolic link must be removed or moved,
 * never followed (lstat). */
struct stat;
int fileutil_lstat(const char *path, struct stat *st);

/* "DIR/NAME" (one slash between them), malloc'd; NULL (ENOMEM) if not. */
char *fileutil_join(const char *dir, const char *name);

/* The last component of path, without the slashes after it, malloc'd
 * ("a/b/" -> "b", "/" -> "/"); NULL (ENOMEM) if not. */
char *fileutil_basename(const char *path);

/* The main of mkdir, rmdir, touch: the options (letters, into *opts),
 * then fn on each operand, of which there must be one at least. Returns
 * the worst status. */
typedef int fileutil_each_fn(const char *path);
int fileutil_each(const char *prog, const char *usage, const char *letters, unsigned *opts,
                  int argc, char **argv, fileutil_each_fn *fn);

/* The main of cp and mv (no options): with SRC DST, act(SRC, DST); with
 * SRC... DIR (or SRC DIR), where DIR is a directory, act(SRC,
 * DIR/basename(SRC)) for each SRC. Fewer than two operands is a usage
 * error; several sources and a last operand that is not a directory, a
 * failure. Returns the worst status. */
typedef int fileutil_action_fn(const char *src, const char *dst);
int fileutil_each_into(const char *prog, const char *usage, int argc, char **argv,
                       fileutil_action_fn *act);

/* The names in directory dir (with_hidden: all, "." and ".." too; else
 * none starting with '.'), sorted, malloc'd; NULL with errno set if the
 * directory cannot be read or memory ran out. */
char **fileutil_dir_names(const char *dir, bool with_hidden, size_t *count);
void fileutil_free_names(char **names, size_t count);

/* Write all of buf to fd, retrying partial writes; -1 (errno) on an error
 * or a write that moves nothing. */
int fileutil_write_all(int fd, const void *buf, size_t length);
