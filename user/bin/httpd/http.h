/* httpd's side of HTTP/1.x, without any I/O: where a request's head ends,
 * its request line and headers checked, its target mapped to a path that
 * cannot leave the root, and the head and body of a response. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_REQUEST_MAX 4096 /* the request line and headers, at most */
#define HTTP_TARGET_MAX 1024  /* a longer request target: 414 */
#define HTTP_METHOD_MAX 15

typedef enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER } http_method_t;

/* A request as far as it could be parsed. */
typedef struct http_request {
    int status;                            /* 0: fine so far; else what to answer */
    http_method_t method;                  /* HTTP_HEAD: no body in the answer */
    char method_text[HTTP_METHOD_MAX + 1]; /* for the log; "-" if unknown */
    char target[HTTP_TARGET_MAX + 1];      /* as sent, for the log; "-" if unknown */
    /* The target's path: decoded, "." and ".." resolved, relative to the
     * root without a leading '/' ("" is the root). */
    char path[HTTP_TARGET_MAX + 1];
    size_t raw_path_length; /* the target's path as sent: its first bytes */
    bool trailing_slash;    /* the path ends with '/' (or is the root) */
} http_request_t;

/* The offset just past the blank line that ends the head in
 * buf[0..length), or 0 if it has not come yet. Lines end with "\r\n" or
 * "\n". */
size_t http_head_end(const char *buf, size_t length);

/* Parse the head buf[0..length) (up to and including its blank line) into
 * *req: status 0, or 400 (malformed), 403 (a path above the root),
 * 405 (a method other than GET and HEAD), 414 (a target longer than
 * HTTP_TARGET_MAX), 505 (an HTTP version other than 1.0 and 1.1). */
void http_parse(const char *buf, size_t length, http_request_t *req);

/* *req for a head that did not fit in HTTP_REQUEST_MAX bytes (buf holds
 * the first length of them): 414 while the request line has not ended
 * after its method, else 400. */
void http_overflow(const char *buf, size_t length, http_request_t *req);

/* "OK", "Not Found", ... for the status codes httpd uses. */
const char *http_reason(int status);

/* The Content-Type of a file by its name's extension. */
const char *http_content_type(const char *name);

/* A response's head into buf: the status line, Content-Type (none if type
 * is NULL), Content-Length, `extra` (a header line without its "\r\n", or
 * NULL), "Connection: close" and the blank line. Returns its length, or 0
 * if it does not fit in size bytes. */
size_t http_head(char *buf, size_t size, int status, const char *type, uint64_t length,
                 const char *extra);

/* The small HTML page of an error status into buf; returns its length,
 * or 0 if it does not fit. */
size_t http_error_page(char *buf, size_t size, int status);
