/* httpd [-p PORT] [-r ROOT] [-c MAX_CLIENTS] [-a ADDRESS]: serve the
 * files under ROOT (/srv/www) over HTTP/1.0 and 1.1 on TCP port PORT (80)
 * of ADDRESS (every address): GET and HEAD, a directory's index.html,
 * Content-Type by extension, one request per connection (Connection:
 * close). One process, one poll loop over non-blocking sockets: every
 * client is a small state machine (conn.h), MAX_CLIENTS (30) of them at
 * once, the next ones waiting in the listening socket's queue. A line on
 * stdout for each request.
 *
 * A listening socket that fails (poll says POLLERR or POLLHUP, or accept
 * an error other than EAGAIN, EINTR, ECONNABORTED: what a restarted net
 * server leaves of every socket it held) is closed and opened again, tried
 * every second until it works.
 *
 * Runs until it is killed. Exit 1 if it cannot start, 2 on a usage error.
 * Calls: socket setsockopt bind listen accept getsockopt fcntl poll close,
 * stat, signal, clock_gettime. */
#include "conn.h"

#include "../common/netutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define USAGE "httpd [-p PORT] [-r ROOT] [-c MAX_CLIENTS] [-a ADDRESS]"
#define RETRY_US 1000000 /* reopening the listening socket, accepting after EMFILE */
#define TICK_MS 1000     /* poll's timeout while something has a deadline */
#define MAX_CLIENTS_LIMIT 1000
/* Each client holds two descriptors while its file is sent, the socket
 * and the file; a Keel process has 64 (vfs's FD_MAX), of which the
 * standard three and the listening socket are taken. More clients than
 * fit get 503 (conn.c). */
#define DEFAULT_CLIENTS 30
/* The listening socket's queue: a burst of clients beyond it has its
 * connections dropped and retried a second or more later. Each system
 * cuts it to its own most (Keel's SOMAXCONN is only 16, the net server
 * takes 32). */
#define BACKLOG 128

typedef struct server {
    const char *root;
    struct in_addr address;
    in_port_t port;
    long max_clients;
    int listener;      /* -1 while it is lost */
    char lost_why[80]; /* why it was lost */
    int64_t retry_us;  /* when to try to open it again */
    bool retry_reported;
    int64_t accept_after_us; /* out of descriptors or memory: accept again then */
    conn_t **clients;
    long count;
    struct pollfd *fds; /* the listener's, then the clients' */
} server_t;

static int usage(const char *why)
{
    fprintf(stderr, "httpd: %s\nusage: %s\n", why, USAGE);
    return NETUTIL_USAGE;
}

static int parse_options(int argc, char **argv, server_t *s)
{
    int option;
    while ((option = getopt(argc, argv, "p:r:c:a:")) != -1) {
        switch (option) {
        case 'p':
            if (!netutil_port(optarg, &s->port)) {
                return usage("-p: not a port (1-65535)");
            }
            break;
        case 'r':
            s->root = optarg;
            break;
        case 'c':
            if (!netutil_number(optarg, 1, MAX_CLIENTS_LIMIT, &s->max_clients)) {
                return usage("-c: not a number of clients (1-1000)");
            }
            break;
        case 'a':
            if (!netutil_address(optarg, &s->address)) {
                return usage("-a: not an IPv4 address");
            }
            break;
        default:
            return usage("unknown option");
        }
    }
    return optind == argc ? 0 : usage("too many arguments");
}

/* The root must be a directory, short enough for every path under it. */
static int check_root(const char *root)
{
    struct stat st;
    if (strlen(root) > CONN_ROOT_MAX) {
        errno = ENAMETOOLONG;
        return netutil_fail("httpd", root);
    }
    if (stat(root, &st) != 0) {
        return netutil_fail("httpd", root);
    }
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return netutil_fail("httpd", root);
    }
    return 0;
}

/* A non-blocking socket listening on the server's address and port, or
 * -1 with errno. */
static int open_listener(const server_t *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    int one = 1;
    struct sockaddr_in sa = netutil_sockaddr(s->address, s->port);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, BACKLOG) != 0 ||
        netutil_set_nonblocking(fd) != 0) {
        int error = errno;
        close(fd);
        errno = error;
        return -1;
    }
    return fd;
}

static void lose_listener(server_t *s, const char *why, int64_t now_us)
{
    snprintf(s->lost_why, sizeof(s->lost_why), "%s", why);
    close(s->listener);
    s->listener = -1;
    s->retry_us = now_us;
    s->retry_reported = false;
}

static void reopen_listener(server_t *s, int64_t now_us)
{
    s->listener = open_listener(s);
    if (s->listener >= 0) {
        printf("httpd: listening socket lost (%s): reopened\n", s->lost_why);
        return;
    }
    if (!s->retry_reported) { /* once, not every second */
        fprintf(stderr, "httpd: listening socket lost (%s): cannot reopen it yet: %s\n",
                s->lost_why, strerror(errno));
        s->retry_reported = true;
    }
    s->retry_us = now_us + RETRY_US;
}

/* Why poll reported revents on the listening socket. */
static const char *listener_error(int fd, short revents)
{
    int error = 0;
    socklen_t length = sizeof(error);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error != 0) {
        return strerror(error);
    }
    return (revents & POLLNVAL) != 0  ? "POLLNVAL"
           : (revents & POLLERR) != 0 ? "POLLERR"
                                      : "POLLHUP";
}

static void accept_failed(server_t *s, int error, int64_t now_us)
{
    if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR || error == ECONNABORTED) {
        return; /* nothing more to accept, or a client that gave up */
    }
    if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
        /* the listener is fine: give the clients there are time to end */
        fprintf(stderr, "httpd: accept: %s\n", strerror(error));
        s->accept_after_us = now_us + RETRY_US;
        return;
    }
    lose_listener(s, strerror(error), now_us);
}

static void accept_clients(server_t *s, int64_t now_us)
{
    while (s->count < s->max_clients) {
        struct sockaddr_in peer;
        socklen_t length = sizeof(peer);
        memset(&peer, 0, sizeof(peer));
        int fd = accept(s->listener, (struct sockaddr *)&peer, &length);
        if (fd < 0) {
            accept_failed(s, errno, now_us);
            return;
        }
        if (netutil_set_nonblocking(fd) != 0) {
            fprintf(stderr, "httpd: a client's socket: %s\n", strerror(errno));
            close(fd);
            continue;
        }
        conn_t *c = conn_new(fd, peer.sin_addr, s->root, now_us);
        if (c == NULL) {
            close(fd);
            accept_failed(s, ENOMEM, now_us);
            return;
        }
        s->clients[s->count++] = c;
    }
}

/* Close the clients that waited too long, or that ended (NULL'ed). */
static void drop_clients(server_t *s, int64_t now_us)
{
    long kept = 0;
    for (long i = 0; i < s->count; i++) {
        conn_t *c = s->clients[i];
        if (c != NULL && conn_expired(c, now_us)) {
            conn_free(c);
            c = NULL;
        }
        if (c != NULL) {
            s->clients[kept++] = c;
        }
    }
    s->count = kept;
}

/* One wait of the loop and what follows it; false if poll failed. */
static bool serve_once(server_t *s)
{
    int64_t now_us = netutil_now_us();
    if (s->listener < 0 && now_us >= s->retry_us) {
        reopen_listener(s, now_us);
    }
    drop_clients(s, now_us);
    bool accepting = s->listener >= 0 && s->count < s->max_clients && now_us >= s->accept_after_us;
    nfds_t n = 0;
    if (accepting) {
        s->fds[n++] = (struct pollfd){ .fd = s->listener, .events = POLLIN };
    }
    for (long i = 0; i < s->count; i++) {
        s->fds[n++] =
            (struct pollfd){ .fd = s->clients[i]->sock, .events = conn_events(s->clients[i]) };
    }
    bool deadlines = s->count > 0 || s->listener < 0 || now_us < s->accept_after_us;
    int ready = poll(s->fds, n, deadlines ? TICK_MS : -1);
    if (ready < 0) {
        return errno == EINTR;
    }
    now_us = netutil_now_us();
    struct pollfd *client_fds = s->fds + (accepting ? 1 : 0);
    for (long i = 0; i < s->count; i++) {
        short revents = client_fds[i].revents;
        if (revents != 0 && !conn_ready(s->clients[i], revents, now_us)) {
            conn_free(s->clients[i]);
            s->clients[i] = NULL;
        }
    }
    drop_clients(s, now_us);
    if (accepting && (s->fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
        lose_listener(s, listener_error(s->listener, s->fds[0].revents), now_us);
    } else if (accepting && (s->fds[0].revents & POLLIN) != 0) {
        accept_clients(s, now_us);
    }
    return true;
}

/* Serve until poll fails (it never should); the status. */
static int serve(server_t *s)
{
    s->listener = open_listener(s);
    if (s->listener < 0) {
        char what[32];
        snprintf(what, sizeof(what), "port %u", (unsigned)ntohs(s->port));
        return netutil_fail("httpd", what);
    }
    printf("httpd: serving %s on port %u\n", s->root, (unsigned)ntohs(s->port));
    while (serve_once(s)) {
    }
    int status = netutil_fail("httpd", "poll");
    for (long i = 0; i < s->count; i++) {
        conn_free(s->clients[i]);
    }
    close(s->listener);
    return status;
}

int main(int argc, char **argv)
{
    server_t s = {
        .root = "/srv/www", .port = htons(80), .max_clients = DEFAULT_CLIENTS, .listener = -1
    };
    s.address.s_addr = htonl(INADDR_ANY);
    int status = parse_options(argc, argv, &s);
    if (status != 0 || (status = check_root(s.root)) != 0) {
        return status;
    }
    /* The log, a line at a time even into a pipe or a file (a buffer of
     * size 0 would make picolibc write it a byte at a time). */
    static char log_buffer[BUFSIZ];
    setvbuf(stdout, log_buffer, _IOLBF, sizeof(log_buffer));
    signal(SIGPIPE, SIG_IGN); /* a client gone is an error of send */
    s.clients = calloc((size_t)s.max_clients, sizeof(*s.clients));
    s.fds = calloc((size_t)s.max_clients + 1, sizeof(*s.fds));
    status = s.clients != NULL && s.fds != NULL ? serve(&s) : netutil_fail("httpd", "starting");
    free(s.clients);
    free(s.fds);
    return status;
}
