/* ls [-l] [-a] [PATH...]: the entries of each directory (".": none given),
 * sorted by name, or the file itself; -a shows names starting with a dot,
 * -l a long line: type and mode, size, modification time (UTC), name, and
 * for a symbolic link " -> " its target.
 * Exit 1 if a path could not be listed, 2 on a usage error.
 * Calls: stat lstat readlink opendir readdir closedir, write (stdio),
 * gmtime strftime.
 * The sorted names of a directory: user/bin/common/fileutil.c. */
#include "../common/fileutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool long_format;
static bool show_all;

static void mode_string(mode_t mode, char out[11])
{
    static const char rwx[] = "rwxrwxrwx";
    out[0] = S_ISDIR(mode)    ? 'd'
             : S_ISLNK(mode)  ? 'l'
             : S_ISCHR(mode)  ? 'c'
             : S_ISFIFO(mode) ? 'p'
                              : '-';
    for (int i = 0; i < 9; i++) {
        out[i + 1] = (mode & (0400u >> i)) != 0 ? rwx[i] : '-';
    }
    out[10] = '\0';
}

/* One entry: `path` is what stat needs, `name` what is printed. */
static int show(const char *path, const char *name)
{
    if (!long_format) {
        printf("%s\n", name);
        return 0;
    }
    struct stat st;
    if (fileutil_lstat(path, &st) != 0) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char mode[11];
    char when[32];
    time_t mtime = st.st_mtime;
    struct tm *tm = gmtime(&mtime);
    if (tm == NULL || strftime(when, sizeof(when), "%Y-%m-%d %H:%M", tm) == 0) {
        strcpy(when, "?");
    }
    mode_string(st.st_mode, mode);
    char target[256] = "";
    ssize_t length = S_ISLNK(st.st_mode) ? readlink(path, target, sizeof(target) - 1) : -1;
    if (length >= 0) {
        target[length] = '\0';
    }
    printf("%s %8lld %s %s%s%s\n", mode, (long long)st.st_size, when, name,
           length >= 0 ? " -> " : "", target);
    return 0;
}

static int list_directory(const char *dir)
{
    size_t n = 0;
    char **names = fileutil_dir_names(dir, show_all, &n);
    if (names == NULL) {
        return fileutil_fail("ls", dir);
    }
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = fileutil_join(dir, names[i]);
        status |= path != NULL ? show(path, names[i]) : fileutil_fail("ls", dir);
        free(path);
    }
    fileutil_free_names(names, n);
    return status;
}

static int list(const char *path, bool header, bool first)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        return show(path, path);
    }
    if (header) {
        printf("%s%s:\n", first ? "" : "\n", path);
    }
    return list_directory(path);
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        for (const char *o = argv[i] + 1; *o != '\0'; o++) {
            if (*o == 'l') {
                long_format = true;
            } else if (*o == 'a') {
                show_all = true;
            } else {
                fprintf(stderr, "ls: unknown option -%c\nusage: ls [-l] [-a] [PATH...]\n", *o);
                return 2;
            }
        }
    }
    if (i >= argc) {
        return list(".", false, true);
    }
    int status = 0;
    for (int first = i; i < argc; i++) {
        status |= list(argv[i], argc - first > 1, i == first);
    }
    return status;
}
