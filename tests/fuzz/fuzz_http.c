/* A libFuzzer target over httpd's request parsing (user/bin/httpd/http.c),
 * the part of httpd that reads what any host on the network sends. The
 * input is the bytes a client sent. Where a head ends is found as httpd
 * finds it; a head is parsed, or one too long is judged as httpd judges
 * it; then what httpd relies on is checked, beyond ASan's and UBSan's
 * checks: the status is one of those http.h names, and a request found
 * fine names a path that cannot leave the root -- relative, no "." or
 * ".." component, NUL-terminated within HTTP_TARGET_MAX -- and the response head and error page of
 * its status fit and end as HTTP says. Seeds: tests/fuzz/http-seeds. */
#include "../../user/bin/httpd/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
    if (!ok) {
        abort();
    }
}

static int known_status(int status)
{
    return status == 0 || status == 400 || status == 403 || status == 405 || status == 414 ||
           status == 505;
}

/* A path httpd may open under its root. */
static void check_path(const http_request_t *req)
{
    const char *nul = memchr(req->path, '\0', sizeof(req->path));
    require(nul != NULL);
    size_t length = (size_t)(nul - req->path);
    require(length == 0 || req->path[0] != '/');
    const char *component = req->path;
    while (length > 0) {
        const char *slash = memchr(component, '/', length);
        size_t n = slash != NULL ? (size_t)(slash - component) : length;
        require(!(n == 1 && component[0] == '.'));
        require(!(n == 2 && component[0] == '.' && component[1] == '.'));
        if (slash == NULL) {
            break;
        }
        length -= n + 1;
        component = slash + 1;
    }
}

static void check_answer(int status)
{
    char head[512], page[1024];
    size_t n = http_head(head, sizeof(head), status == 0 ? 200 : status, "text/plain", 12345, NULL);
    require(n > 4 && n < sizeof(head) && memcmp(head + n - 4, "\r\n\r\n", 4) == 0);
    if (status != 0) {
        require(http_error_page(page, sizeof(page), status) > 0);
        require(http_reason(status) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * HTTP_REQUEST_MAX) {
        return 0;
    }
    /* a copy of exactly `size` bytes: ASan sees any read past them */
    char *buf = malloc(size == 0 ? 1 : size);
    memcpy(buf, data, size);
    http_request_t req;
    memset(&req, 0x5a, sizeof(req));
    size_t end = http_head_end(buf, size < HTTP_REQUEST_MAX ? size : HTTP_REQUEST_MAX);
    require(end <= size);
    if (end > 0) {
        http_parse(buf, end, &req);
    } else if (size >= HTTP_REQUEST_MAX) {
        http_overflow(buf, HTTP_REQUEST_MAX, &req);
        require(req.status == 400 || req.status == 414);
    } else {
        free(buf);
        return 0;
    }
    require(known_status(req.status));
    require(memchr(req.method_text, '\0', sizeof(req.method_text)) != NULL);
    require(memchr(req.target, '\0', sizeof(req.target)) != NULL);
    if (req.status == 0) {
        require(req.method == HTTP_GET || req.method == HTTP_HEAD);
        check_path(&req);
    }
    check_answer(req.status);
    free(buf);
    return 0;
}
