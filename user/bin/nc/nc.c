/* nc (netcat): a TCP or UDP connection between stdin/stdout and a peer.
 *
 *   nc [-uv] [-w SECONDS] [-e PROGRAM] HOST PORT
 *   nc -l [-kuv] [-s ADDRESS] [-w SECONDS] [-e PROGRAM] [-p] PORT
 *
 * Connects to HOST (a numeric IPv4 address, or localhost) or, with -l,
 * waits for one connection on PORT (of ADDRESS; every address by default)
 * and, with -k, for the next one each time one ends (and, if the
 * listening socket itself fails -- what a restart of Keel's net server
 * does to every socket -- for a new one, opened every second until it
 * works). Then copies stdin to
 * the socket and the socket to stdout, waiting on both with poll: at the
 * end of stdin it shuts its sending side down (TCP) and goes on reading
 * until the peer closes. -u: UDP, every read of stdin a datagram (with -l,
 * the peer is whoever sends the first datagram); a UDP exchange ends only
 * with -w. -w SECONDS: end once stdin has ended and nothing came for that
 * long. -e PROGRAM: run PROGRAM with the socket as its stdin and stdout
 * instead of copying (`nc -l -k 7 -e cat` is an echo service). -v: say
 * whom it connected to on stderr.
 *
 * Exit 0 when the exchange ended normally, 1 on an error (and the error
 * on stderr), 2 on a usage error.
 * Calls: socket bind listen accept connect shutdown recv recvfrom send
 * setsockopt close, poll read write, posix_spawnp waitpid, signal. */
#include "../common/netutil.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE                                                                                      \
    "nc [-uv] [-w SECONDS] [-e PROGRAM] HOST PORT\n"                                               \
    "       nc -l [-kuv] [-s ADDRESS] [-w SECONDS] [-e PROGRAM] [-p] PORT"

extern char **environ;

typedef struct options {
    bool listen, keep, udp, verbose;
    struct in_addr address; /* the peer's; with -l, the one to listen on */
    in_port_t port;
    long wait_ms;        /* -w: 0 none */
    const char *program; /* -e */
} options_t;

/* What stays the same from one connection to the next (-k). */
typedef struct relay {
    bool stdin_open;
    char buf[16384];
} relay_t;

static int usage(const char *why)
{
    fprintf(stderr, "nc: %s\nusage: %s\n", why, USAGE);
    return NETUTIL_USAGE;
}

static int parse_options(int argc, char **argv, options_t *o)
{
    const char *port = NULL, *source = NULL;
    long seconds;
    int option;
    while ((option = getopt(argc, argv, "lkuvp:s:w:e:")) != -1) {
        switch (option) {
        case 'l':
            o->listen = true;
            break;
        case 'k':
            o->keep = true;
            break;
        case 'u':
            o->udp = true;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'p':
            port = optarg;
            break;
        case 's':
            source = optarg;
            break;
        case 'e':
            o->program = optarg;
            break;
        case 'w':
            if (!netutil_number(optarg, 1, 86400, &seconds)) {
                return usage("-w: not a number of seconds (1-86400)");
            }
            o->wait_ms = seconds * 1000;
            break;
        default:
            return usage("unknown option");
        }
    }
    int operands = argc - optind;
    if (o->listen) {
        if ((o->keep || o->program != NULL) && o->udp) {
            return usage("-k, -e: TCP only");
        }
        if (operands != (port == NULL ? 1 : 0)) {
            return usage("-l takes a PORT and no HOST");
        }
        if (source != NULL && !netutil_address(source, &o->address)) {
            return usage("-s: not an IPv4 address");
        }
        if (source == NULL) {
            o->address.s_addr = htonl(INADDR_ANY);
        }
        port = port != NULL ? port : argv[optind];
    } else {
        if (o->keep || source != NULL || port != NULL || operands != 2) {
            return usage(operands != 2 ? "HOST and PORT expected" : "-k, -s, -p: with -l only");
        }
        if (!netutil_address(argv[optind], &o->address)) {
            return usage("HOST: not an IPv4 address (no names but localhost)");
        }
        port = argv[optind + 1];
    }
    return netutil_port(port, &o->port) ? 0 : usage("not a port (1-65535)");
}

static void say_peer(const options_t *o, const char *what, const struct sockaddr_in *peer)
{
    if (o->verbose) {
        char text[INET_ADDRSTRLEN];
        fprintf(stderr, "nc: %s %s port %u\n", what, netutil_address_text(peer->sin_addr, text),
                (unsigned)ntohs(peer->sin_port));
    }
}

/* stdin's next bytes to the socket; at its end, our side shut down. */
static int from_stdin(const options_t *o, int sock, relay_t *r)
{
    ssize_t n = read(0, r->buf, sizeof(r->buf));
    if (n < 0) {
        return errno == EINTR ? 0 : netutil_fail("nc", "stdin");
    }
    if (n == 0) {
        r->stdin_open = false;
        if (!o->udp && shutdown(sock, SHUT_WR) != 0 && errno != ENOTCONN) {
            return netutil_fail("nc", "shutdown");
        }
        return 0;
    }
    return netutil_write_all(sock, r->buf, (size_t)n) == 0 ? 0 : netutil_fail("nc", "send");
}

/* The socket's next bytes to stdout: 0, then 1 once the peer has closed,
 * or -1 on an error (said). */
static int to_stdout(const options_t *o, int sock, relay_t *r)
{
    ssize_t n = recv(sock, r->buf, sizeof(r->buf), 0);
    if (n < 0 && errno == EINTR) {
        return 0;
    }
    if (n < 0) {
        netutil_fail("nc", "recv");
        return -1;
    }
    if (n == 0 && !o->udp) {
        return 1; /* (UDP: an empty datagram) */
    }
    if (netutil_write_all(1, r->buf, (size_t)n) != 0) {
        netutil_fail("nc", "stdout");
        return -1;
    }
    return 0;
}

/* Copy both ways until the peer closes (or -w's time passes after the
 * end of stdin). */
static int relay(const options_t *o, int sock, relay_t *r)
{
    for (;;) {
        struct pollfd fds[2] = { { .fd = sock, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
        int timeout = o->wait_ms > 0 && !r->stdin_open ? (int)o->wait_ms : -1;
        int ready = poll(fds, r->stdin_open ? 2 : 1, timeout);
        if (ready < 0 && errno != EINTR) {
            return netutil_fail("nc", "poll");
        }
        if (ready == 0) {
            return 0; /* -w */
        }
        if (ready > 0 && fds[0].revents != 0) {
            int done = to_stdout(o, sock, r);
            if (done != 0) {
                return done < 0 ? NETUTIL_FAILED : 0;
            }
        }
        if (ready > 0 && r->stdin_open && fds[1].revents != 0 && from_stdin(o, sock, r) != 0) {
            return NETUTIL_FAILED;
        }
    }
}

/* -e: PROGRAM with the socket as its stdin and stdout; its status. */
static int run_program(const options_t *o, int sock)
{
    posix_spawn_file_actions_t actions;
    int error = posix_spawn_file_actions_init(&actions);
    if (error == 0) {
        error = posix_spawn_file_actions_adddup2(&actions, sock, 0);
    }
    if (error == 0) {
        error = posix_spawn_file_actions_adddup2(&actions, sock, 1);
    }
    char *argv[] = { (char *)o->program, NULL };
    pid_t pid = -1;
    if (error == 0) {
        error = posix_spawnp(&pid, o->program, &actions, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
    }
    if (error != 0) {
        errno = error;
        return netutil_fail("nc", o->program);
    }
    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            return netutil_fail("nc", "waitpid");
        }
    }
    return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 ? 0 : NETUTIL_FAILED;
}

static int session(const options_t *o, int sock, relay_t *r)
{
    return o->program != NULL ? run_program(o, sock) : relay(o, sock, r);
}

/* A socket of type bound to -l's address and port; -1 if not (said). */
static int bound_socket(const options_t *o, int type)
{
    int sock = socket(AF_INET, type, 0);
    if (sock < 0) {
        netutil_fail("nc", "socket");
        return -1;
    }
    int one = 1;
    struct sockaddr_in sa = netutil_sockaddr(o->address, o->port);
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(sock, (const struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        (type == SOCK_STREAM && listen(sock, 1) != 0)) {
        char what[32];
        snprintf(what, sizeof(what), "port %u", (unsigned)ntohs(o->port));
        netutil_fail("nc", what);
        close(sock);
        return -1;
    }
    return sock;
}

/* -k's listener after the old one failed with `error`: a new one, tried
 * every second until it works (said once). */
static int reopen_listener(const options_t *o, int old, int error)
{
    close(old);
    fprintf(stderr, "nc: listening socket lost (%s): reopening it\n", strerror(error));
    int listener;
    while ((listener = bound_socket(o, SOCK_STREAM)) < 0) {
        sleep(1);
    }
    return listener;
}

static int listen_tcp(const options_t *o, relay_t *r)
{
    int listener = bound_socket(o, SOCK_STREAM);
    if (listener < 0) {
        return NETUTIL_FAILED;
    }
    int status;
    for (;;) {
        struct sockaddr_in peer;
        socklen_t length = sizeof(peer);
        int sock = accept(listener, (struct sockaddr *)&peer, &length);
        if (sock < 0 && (errno == EINTR || errno == ECONNABORTED)) {
            continue; /* a client that gave up before it was taken */
        }
        if (sock < 0 && o->keep && errno != EMFILE && errno != ENFILE) {
            listener = reopen_listener(o, listener, errno);
            continue;
        }
        if (sock < 0) {
            status = netutil_fail("nc", "accept");
            break;
        }
        say_peer(o, "connection from", &peer);
        status = session(o, sock, r);
        close(sock);
        if (!o->keep) {
            break;
        }
    }
    close(listener);
    return status;
}

/* UDP with -l: the peer is whoever sends the first datagram. */
static int listen_udp(const options_t *o, relay_t *r)
{
    int sock = bound_socket(o, SOCK_DGRAM);
    if (sock < 0) {
        return NETUTIL_FAILED;
    }
    struct sockaddr_in peer;
    socklen_t length = sizeof(peer);
    ssize_t n;
    do {
        n = recvfrom(sock, r->buf, sizeof(r->buf), 0, (struct sockaddr *)&peer, &length);
    } while (n < 0 && errno == EINTR);
    int status = 0;
    if (n < 0) {
        status = netutil_fail("nc", "recvfrom");
    } else if (connect(sock, (const struct sockaddr *)&peer, length) != 0) {
        status = netutil_fail("nc", "connect");
    } else if (netutil_write_all(1, r->buf, (size_t)n) != 0) {
        status = netutil_fail("nc", "stdout");
    } else {
        say_peer(o, "datagrams from", &peer);
        status = session(o, sock, r);
    }
    close(sock);
    return status;
}

static int connect_to(const options_t *o, relay_t *r)
{
    int sock = socket(AF_INET, o->udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (sock < 0) {
        return netutil_fail("nc", "socket");
    }
    struct sockaddr_in sa = netutil_sockaddr(o->address, o->port);
    int status;
    if (connect(sock, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
        char what[48], address[INET_ADDRSTRLEN];
        snprintf(what, sizeof(what), "connect to %s port %u",
                 netutil_address_text(o->address, address), (unsigned)ntohs(o->port));
        status = netutil_fail("nc", what);
    } else {
        say_peer(o, "connected to", &sa);
        status = session(o, sock, r);
    }
    close(sock);
    return status;
}

int main(int argc, char **argv)
{
    options_t o = { .wait_ms = 0 };
    int status = parse_options(argc, argv, &o);
    if (status != 0) {
        return status;
    }
    signal(SIGPIPE, SIG_IGN); /* a peer gone is an error of send, said */
    static relay_t r = { .stdin_open = true };
    if (!o.listen) {
        return connect_to(&o, &r);
    }
    return o.udp ? listen_udp(&o, &r) : listen_tcp(&o, &r);
}
