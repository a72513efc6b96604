/* A libFuzzer target over vfs's path cleaning (user/os/vfs/path.c, built
 * for the host as it is): every path a client names is made absolute and
 * clean there before vfs routes it to its tree or the disk. The input is a
 * working directory, a NUL, then the path (any bytes, each string cut at
 * its own limit: cwd_path's VFS_PATH_MAX bytes, the protocol's 4096 of a
 * string). Beyond ASan's and UBSan's checks, what path.h promises:
 * - the answer is 0 or -ENAMETOOLONG, and agrees with a model here that
 *   keeps the components in a list (a different way to the same rule);
 * - a clean path starts with "/", fits in VFS_PATH_MAX bytes with its NUL,
 *   has no empty, "." or ".." component (so it cannot name anything above
 *   the root), and ends with "/" only as the root or when the path did;
 * - cleaning is idempotent: a clean path cleans to itself, from any cwd.
 * Seeds: tests/fuzz/vfspath-seeds. */
#include "../../user/os/vfs/path.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STRING_MAX 4096 /* the protocol's longest string (tools/genproto.py STR_MAX) */

static void require(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_vfspath: %s\n", what);
        abort();
    }
}

/* --- the model: the components as a list of (start, length) -------------- */

typedef struct component {
    const char *name;
    size_t length;
} component_t;

typedef struct model {
    component_t list[STRING_MAX * 2];
    size_t count;
    size_t bytes; /* of the rendered path, without its NUL */
} model_t;

static size_t rendered(const model_t *m)
{
    return m->count == 0 ? 1 : m->bytes;
}

/* Walk one string's components into the list; false: too long on the way. */
static bool walk(model_t *m, const char *s)
{
    for (const char *at = s; *at != '\0';) {
        size_t n = strcspn(at, "/");
        if (n == 2 && at[0] == '.' && at[1] == '.') {
            if (m->count > 0) {
                m->bytes -= 1 + m->list[--m->count].length;
            }
        } else if (n > 0 && !(n == 1 && at[0] == '.')) {
            m->list[m->count++] = (component_t){ at, n };
            m->bytes += 1 + n;
            if (rendered(m) + 1 > VFS_PATH_MAX) {
                return false;
            }
        }
        at += n + (at[n] == '/');
    }
    return true;
}

static long model_clean(const char *cwd, const char *path, char *out, size_t size)
{
    static model_t m;
    m.count = m.bytes = 0;
    if ((path[0] != '/' && !walk(&m, cwd)) || !walk(&m, path)) {
        return -ENAMETOOLONG;
    }
    size_t len = strlen(path);
    bool slash = len > 0 && path[len - 1] == '/' && m.count > 0;
    if (rendered(&m) + slash + 1 > VFS_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    size_t at = 0;
    out[at++] = '/';
    for (size_t i = 0; i < m.count; i++) {
        memcpy(out + at, m.list[i].name, m.list[i].length);
        at += m.list[i].length;
        if (i + 1 < m.count || slash) {
            out[at++] = '/';
        }
    }
    require(at < size, "the model's path fits");
    out[at] = '\0';
    return 0;
}

/* --- what a clean path is ----------------------------------------------- */

static void check_clean(const char *path, const char *out)
{
    const char *nul = memchr(out, '\0', VFS_PATH_MAX);
    require(nul != NULL, "a clean path fits with its NUL");
    size_t len = (size_t)(nul - out);
    require(out[0] == '/', "a clean path is absolute");
    const char *component = out + 1;
    while (*component != '\0') {
        size_t n = strcspn(component, "/");
        bool last = component[n] == '\0' || component[n + 1] == '\0';
        require(n > 0, "no empty component (\"//\")");
        require(!(n == 1 && component[0] == '.'), "no \".\" component");
        require(!(n == 2 && component[0] == '.' && component[1] == '.'), "no \"..\" component");
        if (last) {
            break;
        }
        component += n + 1;
    }
    size_t plen = strlen(path);
    bool asked = plen > 0 && path[plen - 1] == '/';
    require(len == 1 || (out[len - 1] == '/') == asked, "a trailing slash only as asked");
}

/* The input's string from *at: at most max bytes, cut at a NUL. */
static char *string(const uint8_t *data, size_t size, size_t *at, size_t max)
{
    size_t n = 0;
    while (*at + n < size && n < max && data[*at + n] != '\0') {
        n++;
    }
    char *s = malloc(n + 1); /* exactly: ASan sees a read past its end */
    require(s != NULL, "memory");
    memcpy(s, data + *at, n);
    s[n] = '\0';
    *at += n + 1;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t at = 0;
    char *cwd = string(data, size, &at, VFS_PATH_MAX - 1);
    char *path = string(data, size, &at, STRING_MAX);
    char *out = malloc(VFS_PATH_MAX), *again = malloc(VFS_PATH_MAX);
    static char expected[VFS_PATH_MAX];
    require(out != NULL && again != NULL, "memory");

    long r = path_clean(cwd, path, out);
    long m = model_clean(cwd, path, expected, sizeof(expected));
    require(r == 0 || r == -ENAMETOOLONG, "0 or -ENAMETOOLONG");
    require(r == m, "the answer is the model's");
    if (r == 0) {
        require(strcmp(out, expected) == 0, "the clean path is the model's");
        check_clean(path, out);
        require(path_clean(cwd, out, again) == 0 && strcmp(again, out) == 0, "idempotent");
        require(path_clean("/elsewhere", out, again) == 0 && strcmp(again, out) == 0,
                "idempotent from any directory");
    }
    free(cwd), free(path), free(out), free(again);
    return 0;
}
