/* httpd's HTTP/1.x parsing and responses (http.h). Plain C, no calls. */
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

size_t http_head_end(const char *buf, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (buf[i] != '\n') {
            continue;
        }
        if (i + 1 < length && buf[i + 1] == '\n') {
            return i + 2;
        }
        if (i + 2 < length && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
            return i + 3;
        }
    }
    return 0;
}

/* A character of a token (RFC 9110 "tchar"): method and header names. */
static bool is_token_char(char c)
{
    return isalnum((unsigned char)c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_token(const char *s, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (!is_token_char(s[i])) {
            return false;
        }
    }
    return length > 0;
}

/* The line at buf[*pos..end) without its "\n" or "\r\n" into *line and
 * *length; *pos moves past it. False for a malformed line: a NUL, or a
 * '\r' that is not right before the '\n'. The head ends with a blank
 * line (http_head_end), so every line has its '\n' before end. */
static bool next_line(const char *buf, size_t end, size_t *pos, const char **line, size_t *length)
{
    const char *start = buf + *pos;
    const char *newline = memchr(start, '\n', end - *pos);
    if (newline == NULL) {
        return false;
    }
    size_t n = (size_t)(newline - start);
    *pos += n + 1;
    if (n > 0 && start[n - 1] == '\r') {
        n--;
    }
    if (memchr(start, '\0', n) != NULL || memchr(start, '\r', n) != NULL) {
        return false;
    }
    *line = start;
    *length = n;
    return true;
}

/* A header line: a token, then ':' (no space between: RFC 9112 5.1), then
 * anything. Continued lines (starting with a space) are refused too. */
static bool is_header(const char *line, size_t length)
{
    const char *colon = memchr(line, ':', length);
    return colon != NULL && is_token(line, (size_t)(colon - line));
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The raw path percent-decoded into out (room for length + 1 bytes):
 * its length, or -1 for a bad escape or an escaped NUL. */
static long decode(const char *raw, size_t length, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < length; i++) {
        char c = raw[i];
        if (c == '%') {
            int high = i + 2 < length ? hex_value(raw[i + 1]) : -1;
            int low = high >= 0 ? hex_value(raw[i + 2]) : -1;
            if (low < 0 || (high | low) == 0) {
                return -1;
            }
            c = (char)(high * 16 + low);
            i += 2;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

/* The decoded path (starting with '/') with its "." and ".." resolved
 * into req->path (no leading '/'). 0, or 403 for a ".." above the root:
 * nothing outside the root may ever be named. */
static int resolve(const char *path, size_t length, http_request_t *req)
{
    size_t o = 0;
    bool directory = true; /* the last component names a directory */
    const char *p = path, *end = path + length;
    while (p < end) {
        while (p < end && *p == '/') {
            p++;
        }
        const char *q = p;
        while (q < end && *q != '/') {
            q++;
        }
        size_t n = (size_t)(q - p);
        if (n == 0) {
            break;
        }
        directory = (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (o == 0) {
                return 403;
            }
            while (o > 0 && req->path[o - 1] != '/') {
                o--;
            }
            o -= o > 0; /* and the '/' before the component */
        } else if (!directory) {
            if (o > 0) {
                req->path[o++] = '/'; /* at most one for each '/' read */
            }
            memcpy(req->path + o, p, n);
            o += n;
        }
        p = q;
    }
    req->path[o] = '\0';
    req->trailing_slash = directory || path[length - 1] == '/';
    return 0;
}

/* The request target: origin form only ("/path?query"), visible ASCII. */
static int parse_target(const char *target, size_t length, http_request_t *req)
{
    if (length > HTTP_TARGET_MAX) {
        return 414;
    }
    for (size_t i = 0; i < length; i++) {
        if (target[i] <= ' ' || target[i] >= 0x7f) {
            return 400;
        }
    }
    memcpy(req->target, target, length);
    req->target[length] = '\0';
    if (length == 0 || target[0] != '/') {
        return 400;
    }
    req->raw_path_length = strcspn(req->target, "?#");
    char decoded[HTTP_TARGET_MAX + 1];
    long n = decode(req->target, req->raw_path_length, decoded);
    if (n < 0) {
        return 400;
    }
    if (n == 0 || decoded[0] != '/') {
        return 400; /* "/" was escaped */
    }
    return resolve(decoded, (size_t)n, req);
}

/* "HTTP/1.0" and "HTTP/1.1": 0; another "HTTP/d.d": 505; else 400. */
static int parse_version(const char *v, size_t length)
{
    if (length != 8 || memcmp(v, "HTTP/", 5) != 0 || !isdigit((unsigned char)v[5]) || v[6] != '.' ||
        !isdigit((unsigned char)v[7])) {
        return 400;
    }
    return v[5] == '1' && (v[7] == '0' || v[7] == '1') ? 0 : 505;
}

/* METHOD SP TARGET SP VERSION, one space each. */
static int parse_request_line(const char *line, size_t length, http_request_t *req)
{
    const char *end = line + length;
    const char *space = memchr(line, ' ', length);
    if (space == NULL || !is_token(line, (size_t)(space - line)) ||
        (size_t)(space - line) > HTTP_METHOD_MAX) {
        return 400;
    }
    size_t method_length = (size_t)(space - line);
    memcpy(req->method_text, line, method_length);
    req->method_text[method_length] = '\0';
    req->method = strcmp(req->method_text, "GET") == 0    ? HTTP_GET
                  : strcmp(req->method_text, "HEAD") == 0 ? HTTP_HEAD
                                                          : HTTP_OTHER;
    const char *target = space + 1;
    const char *space2 = memchr(target, ' ', (size_t)(end - target));
    if (space2 == NULL) {
        return 400; /* no version: HTTP/0.9 is not spoken */
    }
    int status = parse_target(target, (size_t)(space2 - target), req);
    int version = parse_version(space2 + 1, (size_t)(end - space2 - 1));
    if (status == 400 || version != 0) {
        return version != 0 ? version : status;
    }
    if (req->method == HTTP_OTHER) {
        return 405;
    }
    return status;
}

static void request_init(http_request_t *req)
{
    memset(req, 0, sizeof(*req));
    req->method = HTTP_OTHER;
    strcpy(req->method_text, "-");
    strcpy(req->target, "-");
}

void http_parse(const char *buf, size_t length, http_request_t *req)
{
    request_init(req);
    size_t pos = 0;
    const char *line;
    size_t n;
    if (!next_line(buf, length, &pos, &line, &n)) {
        req->status = 400;
        return;
    }
    req->status = parse_request_line(line, n, req);
    while (req->status != 400) {
        if (!next_line(buf, length, &pos, &line, &n)) {
            req->status = 400;
        } else if (n == 0) {
            return; /* the blank line: the end */
        } else if (!is_header(line, n)) {
            req->status = 400;
        }
    }
}

void http_overflow(const char *buf, size_t length, http_request_t *req)
{
    request_init(req);
    const char *space = memchr(buf, ' ', length);
    bool line_ended = memchr(buf, '\n', length) != NULL;
    req->status = !line_ended && space != NULL && is_token(buf, (size_t)(space - buf)) ? 414 : 400;
}

const char *http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 301:
        return "Moved Permanently";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 414:
        return "URI Too Long";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

static bool same_ignoring_case(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) {
            return false;
        }
    }
    return *a == *b;
}

const char *http_content_type(const char *name)
{
    static const struct {
        const char *extension, *type;
    } types[] = {
        { "html", "text/html" }, { "htm", "text/html" },      { "txt", "text/plain" },
        { "css", "text/css" },   { "js", "text/javascript" }, { "json", "application/json" },
        { "png", "image/png" },  { "jpg", "image/jpeg" },     { "jpeg", "image/jpeg" },
        { "gif", "image/gif" },  { "svg", "image/svg+xml" },  { "ico", "image/x-icon" },
    };
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash != NULL ? slash : name, '.');
    for (size_t i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++) {
        if (same_ignoring_case(dot + 1, types[i].extension)) {
            return types[i].type;
        }
    }
    return "application/octet-stream";
}

size_t http_head(char *buf, size_t size, int status, const char *type, uint64_t length,
                 const char *extra)
{
    int n =
        snprintf(buf, size,
                 "HTTP/1.1 %d %s\r\nServer: keel-httpd\r\n%s%s%sContent-Length: %llu\r\n"
                 "%s%sConnection: close\r\n\r\n",
                 status, http_reason(status), type != NULL ? "Content-Type: " : "",
                 type != NULL ? type : "", type != NULL ? "\r\n" : "", (unsigned long long)length,
                 extra != NULL ? extra : "", extra != NULL ? "\r\n" : "");
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

size_t http_error_page(char *buf, size_t size, int status)
{
    int n = snprintf(buf, size,
                     "<html><head><title>%d %s</title></head>"
                     "<body><h1>%d %s</h1></body></html>\n",
                     status, http_reason(status), status, http_reason(status));
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
