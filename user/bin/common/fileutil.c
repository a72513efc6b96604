/* The file utilities' shared parts (fileutil.h).
 * Calls: stat (lstat on the host), opendir readdir closedir, write. */
#include "fileutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fileutil_usage(const char *prog, const char *why, const char *usage)
{
    fprintf(stderr, "%s: %s\nusage: %s\n", prog, why, usage);
    return FILEUTIL_USAGE;
}

int fileutil_fail(const char *prog, const char *path)
{
    fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
    return FILEUTIL_FAILED;
}

int fileutil_options(const char *prog, int argc, char **argv, const char *letters, unsigned *set,
                     const char *usage)
{
    *set = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return i + 1;
        }
        for (const char *o = argv[i] + 1; *o != '\0'; o++) {
            const char *known = strchr(letters, *o);
            if (known == NULL) {
                char why[32];
                snprintf(why, sizeof(why), "unknown option -%c", *o);
                fileutil_usage(prog, why, usage);
                return -1;
            }
            *set |= 1u << (known - letters);
        }
    }
    return i;
}

int fileutil_lstat(const char *path, struct stat *st)
{
    return lstat(path, st);
}

char *fileutil_join(const char *dir, const char *name)
{
    size_t dir_len = strlen(dir);
    bool slash = dir_len > 0 && dir[dir_len - 1] == '/';
    size_t size = dir_len + strlen(name) + 2;
    char *path = malloc(size);
    if (path != NULL) {
        snprintf(path, size, "%s%s%s", dir, slash ? "" : "/", name);
    }
    return path;
}

char *fileutil_basename(const char *path)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/') {
        end--;
    }
    size_t start = end;
    while (start > 0 && path[start - 1] != '/') {
        start--;
    }
    if (start == end && end > 0) {
        start = end - 1; /* only slashes: "/" */
    }
    char *name = malloc(end - start + 1);
    if (name != NULL) {
        memcpy(name, path + start, end - start);
        name[end - start] = '\0';
    }
    return name;
}

/* act(src, dir/basename(src)) */
static int act_into(const char *prog, const char *src, const char *dir, fileutil_action_fn *act)
{
    char *name = fileutil_basename(src);
    char *dst = name != NULL ? fileutil_join(dir, name) : NULL;
    int status = dst != NULL ? act(src, dst) : fileutil_fail(prog, src);
    free(dst);
    free(name);
    return status;
}

int fileutil_each(const char *prog, const char *usage, const char *letters, unsigned *opts,
                  int argc, char **argv, fileutil_each_fn *fn)
{
    int i = fileutil_options(prog, argc, argv, letters, opts, usage);
    if (i < 0) {
        return FILEUTIL_USAGE;
    }
    if (i >= argc) {
        return fileutil_usage(prog, "missing operand", usage);
    }
    int status = 0;
    for (; i < argc; i++) {
        int one = fn(argv[i]);
        status = one > status ? one : status;
    }
    return status;
}

int fileutil_each_into(const char *prog, const char *usage, int argc, char **argv,
                       fileutil_action_fn *act)
{
    unsigned opts;
    int first = fileutil_options(prog, argc, argv, "", &opts, usage);
    if (first < 0) {
        return FILEUTIL_USAGE;
    }
    int count = argc - first;
    char **operands = argv + first;
    if (count < 2) {
        return fileutil_usage(prog, count == 0 ? "missing operand" : "missing destination", usage);
    }
    const char *last = operands[count - 1];
    struct stat st;
    bool exists = stat(last, &st) == 0;
    if (!exists || !S_ISDIR(st.st_mode)) {
        if (count > 2) {
            if (exists) {
                errno = ENOTDIR;
            }
            return fileutil_fail(prog, last);
        }
        return act(operands[0], last);
    }
    int status = 0;
    for (int i = 0; i < count - 1; i++) {
        int one = act_into(prog, operands[i], last, act);
        status = one > status ? one : status;
    }
    return status;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add a copy of name to *names (n entries); false when out of memory. */
static bool add_name(char ***names, size_t n, const char *name)
{
    char **grown = realloc(*names, (n + 1) * sizeof(**names));
    if (grown == NULL) {
        return false;
    }
    *names = grown;
    grown[n] = strdup(name);
    return grown[n] != NULL;
}

char **fileutil_dir_names(const char *dir, bool with_hidden, size_t *count)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return NULL;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *ent;
    while ((errno = 0, ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.' && !with_hidden) {
            continue;
        }
        if (!add_name(&names, n, ent->d_name)) {
            fileutil_free_names(names, n);
            closedir(d);
            errno = ENOMEM;
            return NULL;
        }
        n++;
    }
    int read_error = errno;
    closedir(d);
    if (read_error != 0) {
        fileutil_free_names(names, n);
        errno = read_error;
        return NULL;
    }
    if (names == NULL && (names = malloc(sizeof(*names))) == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    qsort(names, n, sizeof(*names), compare_names);
    *count = n;
    return names;
}

void fileutil_free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count && names != NULL; i++) {
        free(names[i]);
    }
    free(names);
}

int fileutil_write_all(int fd, const void *buf, size_t length)
{
    const char *at = buf;
    while (length > 0) {
        ssize_t n = write(fd, at, length);
        if (n <= 0) {
            if (n == 0) {
                errno = EIO;
            }
            return -1;
        }
        at += n;
        length -= (size_t)n;
    }
    return 0;
}
