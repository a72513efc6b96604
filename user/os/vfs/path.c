/* Lexical path cleaning (path.h). */
#include "path.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Append component `name` (len bytes) to the clean absolute path `out`
 * (used bytes), or take one off for "..". */
static long push(char *out, size_t *used, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.') {
        return 0;
    }
    if (len == 2 && name[0] == '.' && name[1] == '.') {
        while (*used > 1 && out[*used - 1] != '/') {
            (*used)--;
        }
        if (*used > 1) {
            (*used)--; /* the slash before it, unless it is the root's */
        }
        out[*used] = '\0';
        return 0;
    }
    if (*used + (*used > 1) + len + 1 > VFS_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    if (*used > 1) {
        out[(*used)++] = '/';
    }
    memcpy(out + *used, name, len);
    *used += len;
    out[*used] = '\0';
    return 0;
}

static long clean(const char *path, char *out, size_t *used)
{
    while (*path != '\0') {
        size_t len = strcspn(path, "/");
        long r = len == 0 ? 0 : push(out, used, path, len);
        if (r < 0) {
            return r;
        }
        path += len + (path[len] == '/');
    }
    return 0;
}

long path_clean(const char *cwd, const char *path, char *out)
{
    size_t used = 1;
    out[0] = '/';
    out[1] = '\0';
    long r = path[0] == '/' ? 0 : clean(cwd, out, &used);
    if (r == 0) {
        r = clean(path, out, &used);
    }
    size_t len = strlen(path);
    if (r == 0 && len > 0 && path[len - 1] == '/' && used > 1) {
        if (used + 2 > VFS_PATH_MAX) {
            return -ENAMETOOLONG;
        }
        out[used++] = '/'; /* a trailing slash asks for a directory: kept */
        out[used] = '\0';
    }
    return r;
}
