/* httpd's connections (conn.h).
 * Calls: recv send shutdown close getsockopt, stat open fstat lseek read,
 * inet_ntop. */
#include "conn.h"

#include "../common/netutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The sends or receives of one turn of a connection, at most: the others
 * then get theirs. */
#define CONN_TURN_STEPS 8

/* The one buffer every connection reads its file's next chunk into and
 * sends it from (and drops what a DRAINING client sends into): the
 * process has one thread. What the socket did not take is read again
 * next time (conn_t's file_position), so nothing stays in it between
 * turns. */
static char chunk[CONN_CHUNK];

/* A longest path: the root, the target's path, "/index.html". */
#define CONN_PATH_MAX (CONN_ROOT_MAX + HTTP_TARGET_MAX + 16)

static bool would_block(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK;
}

conn_t *conn_new(int sock, struct in_addr peer, const char *root, int64_t now_us)
{
    conn_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->sock = sock;
    c->file = -1;
    c->state = CONN_READING;
    c->root = root;
    netutil_address_text(peer, c->peer);
    c->deadline_us = now_us + CONN_IDLE_US;
    return c;
}

short conn_events(const conn_t *c)
{
    return c->state == CONN_SENDING ? POLLOUT : POLLIN;
}

bool conn_expired(const conn_t *c, int64_t now_us)
{
    return now_us >= c->deadline_us;
}

static void log_request(conn_t *c)
{
    printf("httpd: %s %s %s %d %llu%s%s\n", c->peer, c->req.method_text, c->req.target, c->status,
           (unsigned long long)c->body_sent, c->cut != 0 ? " cut: " : "",
           c->cut != 0 ? strerror(c->cut) : "");
    c->logged = true;
}

/* The status for a file that could not be looked at or opened; what is
 * not the client's doing is said on stderr. */
static int status_of(const char *path, int error)
{
    switch (error) {
    case ENOENT:
    case ENOTDIR:
        return 404;
    case EACCES:
    case EPERM:
    case ELOOP:
        return 403;
    case ENAMETOOLONG:
        return 414;
    case EMFILE:
    case ENFILE:
        return 503; /* out of descriptors: more clients than -c allows for */
    default:
        fprintf(stderr, "httpd: %s: %s\n", path, strerror(error));
        return 500;
    }
}

/* A directory named without its final '/': 301 to the name with it, so
 * that the index's relative links work. */
static int redirect(conn_t *c, char *extra, size_t extra_size)
{
    int n =
        snprintf(extra, extra_size, "Location: %.*s/", (int)c->req.raw_path_length, c->req.target);
    return n > 0 && (size_t)n < extra_size ? 301 : 500;
}

/* Open the file the request names under the root into c->file (200), or
 * the status of why not; a 301's Location: header into extra. */
static int open_target(conn_t *c, const char **type, char *extra, size_t extra_size)
{
    char path[CONN_PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/%s", c->root, c->req.path);
    struct stat st;
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return 414;
    }
    if (stat(path, &st) != 0) {
        return status_of(path, errno);
    }
    if (S_ISDIR(st.st_mode)) {
        if (!c->req.trailing_slash) {
            return redirect(c, extra, extra_size);
        }
        snprintf(path + n, sizeof(path) - (size_t)n, "%sindex.html", path[n - 1] == '/' ? "" : "/");
        if (stat(path, &st) != 0) {
            return status_of(path, errno);
        }
    }
    if (!S_ISREG(st.st_mode)) {
        return 403; /* never open a FIFO or a device: it could block the server */
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return status_of(path, errno);
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 403; /* replaced between stat and open */
    }
    c->file = fd;
    c->body_length = (uint64_t)st.st_size;
    *type = http_content_type(path);
    return 200;
}

/* The head of an error's response and, unless HEAD asked, its page. */
static bool build_error(conn_t *c, const char *extra)
{
    char page[256];
    c->page_length = http_error_page(page, sizeof(page), c->status);
    c->buf_length =
        http_head(c->buf, sizeof(c->buf), c->status, "text/html", c->page_length, extra);
    if (c->buf_length == 0) {
        return false;
    }
    if (c->req.method != HTTP_HEAD) {
        if (c->buf_length + c->page_length > sizeof(c->buf)) {
            return false;
        }
        memcpy(c->buf + c->buf_length, page, c->page_length);
        c->buf_length += c->page_length;
    }
    return true;
}

/* Decide the response to c->req and start sending it. False if it cannot
 * be made (then the connection is closed). */
static bool respond(conn_t *c, int64_t now_us)
{
    const char *type = NULL;
    char extra[HTTP_TARGET_MAX + 32] = "";
    c->status = c->req.status != 0 ? c->req.status : open_target(c, &type, extra, sizeof(extra));
    /* from here c->buf holds the response: the request's bytes are parsed */
    if (c->status == 200) {
        c->buf_length = http_head(c->buf, sizeof(c->buf), 200, type, c->body_length, NULL);
        if (c->req.method == HTTP_HEAD) {
            c->body_length = 0; /* the length only */
        }
    } else {
        if (c->status == 405) {
            strcpy(extra, "Allow: GET, HEAD");
        } else if (c->status == 503) {
            strcpy(extra, "Retry-After: 1");
        }
        if (!build_error(c, extra[0] != '\0' ? extra : NULL)) {
            return false;
        }
    }
    c->state = CONN_SENDING;
    c->deadline_us = now_us + CONN_IDLE_US;
    return c->buf_length > 0;
}

/* Send buf[*sent..length): 1 if some went, 0 if the socket takes none
 * now, -1 if the client is gone. */
static int send_some(conn_t *c, const char *buf, size_t length, size_t *sent, int64_t now_us)
{
    ssize_t n;
    do {
        /* MSG_NOSIGNAL: a client gone is an error here, never SIGPIPE */
        n = send(c->sock, buf + *sent, length - *sent, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && would_block(errno)) {
        return 0;
    }
    if (n < 0) {
        c->cut = errno;
        return -1;
    }
    *sent += (size_t)n;
    c->deadline_us = now_us + CONN_IDLE_US;
    return 1;
}

/* The file's next chunk, from where the socket's bytes ended, to the
 * socket: as send_some. The file ending early or failing is an error:
 * the Content-Length already sent cannot be kept. */
static int send_file_chunk(conn_t *c, int64_t now_us)
{
    if (c->file_position != c->body_sent) {
        if (lseek(c->file, (off_t)c->body_sent, SEEK_SET) < 0) {
            c->cut = errno;
            fprintf(stderr, "httpd: %s: %s\n", c->req.target, strerror(errno));
            return -1;
        }
        c->file_position = c->body_sent;
    }
    uint64_t left = c->body_length - c->body_sent;
    size_t want = left < CONN_CHUNK ? (size_t)left : CONN_CHUNK;
    ssize_t n;
    do {
        n = read(c->file, chunk, want);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        c->cut = n < 0 ? errno : EIO;
        fprintf(stderr, "httpd: %s: %s\n", c->req.target,
                n < 0 ? strerror(errno) : "the file became shorter");
        return -1;
    }
    c->file_position += (uint64_t)n;
    size_t sent = 0;
    int r = send_some(c, chunk, (size_t)n, &sent, now_us);
    c->body_sent += sent;
    return r;
}

/* All sent: log it, shut our side down and wait for the client to close. */
static void finish(conn_t *c, int64_t now_us)
{
    if (c->status != 200 && c->req.method != HTTP_HEAD) {
        c->body_sent = c->page_length;
    }
    log_request(c);
    if (c->file >= 0) {
        close(c->file);
        c->file = -1;
    }
    shutdown(c->sock, SHUT_WR);
    c->state = CONN_DRAINING;
    c->deadline_us = now_us + CONN_DRAIN_US;
}

/* As much of the response as the socket takes in one turn. */
static bool send_response(conn_t *c, int64_t now_us)
{
    for (int step = 0; step < CONN_TURN_STEPS; step++) {
        int r;
        if (c->head_sent < c->buf_length) {
            r = send_some(c, c->buf, c->buf_length, &c->head_sent, now_us);
        } else if (c->body_sent < c->body_length) {
            r = send_file_chunk(c, now_us);
        } else {
            finish(c, now_us);
            return true;
        }
        if (r <= 0) {
            return r == 0;
        }
    }
    return true;
}

/* Take what the client sent until its head is complete (or too long),
 * then start the response. */
static bool read_request(conn_t *c, short revents, int64_t now_us)
{
    for (;;) {
        ssize_t n = recv(c->sock, c->buf + c->buf_length, sizeof(c->buf) - c->buf_length, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && would_block(errno)) {
            return (revents & POLLHUP) == 0;
        }
        if (n <= 0) {
            return false; /* gone before asking anything */
        }
        c->buf_length += (size_t)n;
        c->deadline_us = now_us + CONN_IDLE_US;
        size_t end = http_head_end(c->buf, c->buf_length);
        if (end > 0) {
            http_parse(c->buf, end, &c->req);
        } else if (c->buf_length == sizeof(c->buf)) {
            http_overflow(c->buf, c->buf_length, &c->req);
        } else {
            continue;
        }
        return respond(c, now_us) && send_response(c, now_us);
    }
}

/* Drop what the client still sends; false once it has closed. */
static bool drain(conn_t *c, short revents)
{
    for (int step = 0; step < CONN_TURN_STEPS; step++) {
        ssize_t n = recv(c->sock, chunk, sizeof(chunk), 0);
        if (n < 0 && would_block(errno)) {
            return (revents & POLLHUP) == 0;
        }
        if (n == 0 || (n < 0 && errno != EINTR)) {
            return false;
        }
    }
    return true;
}

/* The socket's pending error, for the log of a response cut short. */
static int socket_error(int sock)
{
    int error = 0;
    socklen_t length = sizeof(error);
    return getsockopt(sock, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error != 0 ? error
                                                                                      : EPIPE;
}

bool conn_ready(conn_t *c, short revents, int64_t now_us)
{
    if ((revents & (POLLERR | POLLNVAL)) != 0) {
        c->cut = socket_error(c->sock);
        return false;
    }
    switch (c->state) {
    case CONN_READING:
        return read_request(c, revents, now_us);
    case CONN_SENDING:
        /* POLLHUP: the client has closed both ways and reads no more */
        if ((revents & POLLHUP) != 0) {
            c->cut = EPIPE;
            return false;
        }
        return send_response(c, now_us);
    case CONN_DRAINING:
        return drain(c, revents);
    }
    return false;
}

void conn_free(conn_t *c)
{
    if (c->state == CONN_SENDING && !c->logged) {
        c->cut = c->cut != 0 ? c->cut : ETIMEDOUT; /* or no progress till its deadline */
        log_request(c);                            /* cut short: the bytes that went */
    }
    close(c->sock);
    if (c->file >= 0) {
        close(c->file);
    }
    free(c);
}
