/* sockcheck: the socket calls (docs/posix.md "Sockets") through libos,
 * vfs and the net server, between sockets of this one process over
 * 127.0.0.1 (lwIP's loopback), and poll over sockets and pipes. Each check
 * asserts one outcome: descriptor types, a TCP connection made and
 * accepted with the right addresses, 1 MiB each way through non-blocking
 * sockets driven by poll (every byte compared), MSG_PEEK, shutdown and
 * the end of the stream, a refused connect, UDP with source addresses,
 * poll's timeout and POLLHUP/POLLNVAL, O_NONBLOCK on a pipe, and the
 * errors bad arguments earn; then, across a restart of the net server
 * (`service restart net`), what the sockets of the old instance answer
 * and that new ones work. Prints `sockcheck: NAME: FAILED ...` for a
 * failure and `sockcheck: N checks, F failed` at the end; exits 0 only
 * with none. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORT 5000
#define BULK (1u << 20)

static unsigned checks, failures;
static unsigned char out_buf[32768], in_buf[32768];

static void check(const char *name, int ok, long detail)
{
    checks++;
    if (!ok) {
        printf("sockcheck: %s: FAILED (%ld, errno %d %s)\n", name, detail, errno, strerror(errno));
        failures++;
    }
}

/* A call expected to fail with `error`. */
static void check_error(const char *name, long r, int error)
{
    int got = errno;
    checks++;
    if (r != -1 || got != error) {
        printf("sockcheck: %s: FAILED (result %ld, errno %d %s; want %s)\n", name, r, got,
               strerror(got), strerror(error));
        failures++;
    }
}

static struct sockaddr_in loopback(uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int listener(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0) {
        check("listener", 0, fd);
        return -1;
    }
    return fd;
}

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static uint8_t pattern(uint32_t at, unsigned seed)
{
    return (uint8_t)((at * 7 + (at >> 10) * 13 + seed) % 253);
}

/* BULK bytes each way between a and b at once, both non-blocking, driven
 * by poll; every byte received compared with what was sent. */
static void bulk_both_ways(int a, int b)
{
    uint32_t sent[2] = { 0, 0 }, got[2] = { 0, 0 };
    int fds[2] = { a, b };
    unsigned polls = 0;
    int bad = 0;
    set_nonblock(a);
    set_nonblock(b);
    while ((got[0] < BULK || got[1] < BULK) && polls < 100000 && !bad) {
        struct pollfd p[2];
        for (int i = 0; i < 2; i++) {
            p[i] = (struct pollfd){ fds[i], POLLIN | (sent[i] < BULK ? POLLOUT : 0), 0 };
        }
        polls++;
        if (poll(p, 2, 5000) <= 0) {
            bad = 1;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if ((p[i].revents & POLLOUT) && sent[i] < BULK) {
                uint32_t n = BULK - sent[i] < sizeof(out_buf) ? BULK - sent[i] : sizeof(out_buf);
                for (uint32_t k = 0; k < n; k++) {
                    out_buf[k] = pattern(sent[i] + k, (unsigned)i);
                }
                ssize_t w = write(fds[i], out_buf, n);
                sent[i] += w > 0 ? (uint32_t)w : 0;
                bad |= w < 0 && errno != EAGAIN;
            }
            if (p[i].revents & POLLIN) {
                ssize_t r = read(fds[i], in_buf, sizeof(in_buf));
                for (ssize_t k = 0; k < r; k++) {
                    bad |= in_buf[k] != pattern(got[i] + (uint32_t)k, (unsigned)(1 - i));
                }
                got[i] += r > 0 ? (uint32_t)r : 0;
                bad |= (r < 0 && errno != EAGAIN) || r == 0;
            }
        }
    }
    check("1 MiB each way through poll, every byte", !bad && got[0] == BULK && got[1] == BULK,
          (long)got[0]);
    fcntl(a, F_SETFL, 0);
    fcntl(b, F_SETFL, 0);
}

static void tcp_checks(void)
{
    int l = listener(PORT);
    struct stat st;
    check("a socket is S_IFSOCK", fstat(l, &st) == 0 && S_ISSOCK(st.st_mode), (long)st.st_mode);
    struct sockaddr_in name;
    socklen_t len = sizeof(name);
    check("getsockname of the listener",
          getsockname(l, (struct sockaddr *)&name, &len) == 0 && ntohs(name.sin_port) == PORT &&
              len == sizeof(name),
          ntohs(name.sin_port));
    set_nonblock(l);
    check_error("accept with none waiting, non-blocking", accept(l, NULL, NULL), EAGAIN);
    struct pollfd p = { l, POLLIN, 0 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = poll(&p, 1, 60);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long waited_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    check("poll with nothing ready waits its timeout and answers 0", n == 0 && waited_ms >= 60,
          waited_ms);
    fcntl(l, F_SETFL, 0);

    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = loopback(PORT);
    check("connect to 127.0.0.1:5000", connect(c, (struct sockaddr *)&to, sizeof(to)) == 0, c);
    p = (struct pollfd){ l, POLLIN, 0 };
    check("poll: the listener readable with a connection",
          poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), p.revents);
    struct sockaddr_in peer, mine;
    socklen_t plen = sizeof(peer), mlen = sizeof(mine);
    int s = accept(l, (struct sockaddr *)&peer, &plen);
    check("accept", s >= 0, s);
    getsockname(c, (struct sockaddr *)&mine, &mlen);
    check("accept's peer is the client's own address",
          peer.sin_family == AF_INET && peer.sin_port == mine.sin_port &&
              peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          ntohs(peer.sin_port));
    check("getpeername of the client",
          getpeername(c, (struct sockaddr *)&peer, &plen) == 0 && ntohs(peer.sin_port) == PORT,
          ntohs(peer.sin_port));

    check("send 5 bytes", send(c, "hello", 5, 0) == 5, 0);
    char buf[16] = { 0 };
    check("recv MSG_PEEK sees them",
          recv(s, buf, sizeof(buf), MSG_PEEK) == 5 && memcmp(buf, "hello", 5) == 0, 0);
    memset(buf, 0, sizeof(buf));
    check("read takes them", read(s, buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0, 0);
    check_error("recv MSG_DONTWAIT with nothing there", recv(s, buf, sizeof(buf), MSG_DONTWAIT),
                EAGAIN);
    bulk_both_ways(c, s);

    check("shutdown(SHUT_WR)", shutdown(c, SHUT_WR) == 0, 0);
    p = (struct pollfd){ s, POLLIN, 0 };
    check("poll: the end of the stream is readable", poll(&p, 1, 5000) == 1, p.revents);
    check("read at the end of the stream is 0", read(s, buf, sizeof(buf)) == 0, 0);
    check("the other way still works after SHUT_WR",
          write(s, "back", 4) == 4 && read(c, buf, sizeof(buf)) == 4, 0);
    close(s);
    check("read after the peer closed is 0", read(c, buf, sizeof(buf)) == 0, 0);
    close(c);
    close(l);

    c = socket(AF_INET, SOCK_STREAM, 0);
    to = loopback(PORT + 1);
    check_error("connect to a port nobody listens on",
                connect(c, (struct sockaddr *)&to, sizeof(to)), ECONNREFUSED);
    close(c);
}

static void udp_checks(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in aa = loopback(PORT + 2), ba = loopback(PORT + 3), from;
    check("UDP bind",
          bind(a, (struct sockaddr *)&aa, sizeof(aa)) == 0 &&
              bind(b, (struct sockaddr *)&ba, sizeof(ba)) == 0,
          0);
    check("UDP sendto", sendto(a, "datagram", 8, 0, (struct sockaddr *)&ba, sizeof(ba)) == 8, 0);
    char buf[32] = { 0 };
    socklen_t flen = sizeof(from);
    ssize_t n = recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
    check("UDP recvfrom: the datagram and its source",
          n == 8 && memcmp(buf, "datagram", 8) == 0 && ntohs(from.sin_port) == PORT + 2, n);
    check("UDP send without a peer", send(a, "x", 1, 0) == -1 && errno == EDESTADDRREQ, errno);
    static char big[40000];
    check_error("a UDP datagram larger than 32 KiB",
                sendto(a, big, sizeof(big), 0, (struct sockaddr *)&ba, sizeof(ba)), EMSGSIZE);
    close(a);
    close(b);
}

static void pipe_checks(void)
{
    int fds[2];
    char c;
    pipe(fds);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    check("F_GETFL shows O_NONBLOCK", (fcntl(fds[0], F_GETFL) & O_NONBLOCK) != 0, 0);
    check_error("an empty pipe read, non-blocking", read(fds[0], &c, 1), EAGAIN);
    struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { 63, POLLIN, 0 } };
    check("poll: an empty pipe not ready, a closed fd POLLNVAL",
          poll(p, 2, 0) == 1 && p[0].revents == 0 && p[1].revents == POLLNVAL, p[1].revents);
    write(fds[1], "z", 1);
    p[1].fd = -1;
    check("poll: a pipe with a byte is readable", poll(p, 2, 0) == 1 && p[0].revents == POLLIN,
          p[0].revents);
    struct pollfd norm = { fds[0], POLLRDNORM, 0 };
    check("poll: POLLRDNORM alone is answered POLLRDNORM",
          poll(&norm, 1, 0) == 1 && norm.revents == POLLRDNORM, norm.revents);
    read(fds[0], &c, 1);
    close(fds[1]);
    check("poll: a pipe whose writer left: POLLHUP",
          poll(p, 1, 1000) == 1 && (p[0].revents & POLLHUP), p[0].revents);
    close(fds[0]);

    /* a write of at most PIPE_BUF goes whole or not at all */
    static char fill[4096];
    pipe(fds);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    while (write(fds[1], fill, sizeof(fill)) > 0) {
    }
    char got[300];
    check("a full pipe gives back 300 bytes", read(fds[0], got, sizeof(got)) == 300, 0);
    check_error("a write of PIPE_BUF bytes into 300 free, non-blocking",
                write(fds[1], fill, PIPE_BUF), EAGAIN);
    check("a write of 300 into 300 free", write(fds[1], fill, 300) == 300, 0);
    close(fds[0]);
    close(fds[1]);
}

static void error_checks(void)
{
    struct sockaddr_in a = loopback(PORT + 4);
    check_error("bind on the console (not a socket)", bind(0, (struct sockaddr *)&a, sizeof(a)),
                ENOTSOCK);
    check_error("bind on a closed descriptor", bind(60, (struct sockaddr *)&a, sizeof(a)), EBADF);
    check_error("listen on descriptor 64 (past every process's)", listen(64, 1), EBADF);
    check_error("fsync of descriptor -1", fsync(-1), EBADF);
    check_error("an AF_INET6 socket", socket(AF_INET6, SOCK_STREAM, 0), EAFNOSUPPORT);
    check_error("a raw socket", socket(AF_INET, SOCK_RAW, 0), EPROTOTYPE);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr bad = { .sa_family = AF_UNIX };
    check_error("bind of an AF_UNIX address", bind(s, &bad, sizeof(struct sockaddr_in)),
                EAFNOSUPPORT);
    check_error("bind of a short address", bind(s, (struct sockaddr *)&a, 4), EINVAL);
    check_error("accept on a socket not listening", accept(s, NULL, NULL), EINVAL);
    check_error("lseek on a socket", lseek(s, 0, SEEK_SET), ESPIPE);
    int l = listener(PORT + 5);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    a = loopback(PORT + 5);
    check_error("bind to a port a listener holds", bind(t, (struct sockaddr *)&a, sizeof(a)),
                EADDRINUSE);
    close(t);
    close(l);
    close(s);
}

/* `service restart net`, run and waited for: its exit status, -1 if it
 * could not be run. */
static int restart_net(void)
{
    char *argv[] = { "service", "restart", "net", NULL };
    char *envp[] = { NULL };
    pid_t pid;
    int status;
    if (posix_spawn(&pid, "/bin/service", NULL, NULL, argv, envp) != 0 ||
        waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

/* The sockets of a net server that restarted: a listener, both ends of
 * a connection, a UDP socket. Every call on them fails (accept with
 * EINVAL: it listens no more; the rest ECONNRESET), poll says POLLERR,
 * close succeeds, and a new listener on the same port works. */
static void restart_checks(void)
{
    int l = listener(PORT + 6);
    int c = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = loopback(PORT + 6);
    check("connect before the restart", connect(c, (struct sockaddr *)&to, sizeof(to)) == 0, c);
    int s = accept(l, NULL, NULL);
    check("`service restart net` exits 0", restart_net() == 0, 0);
    char buf[8];
    check_error("accept on a listener of the old net", accept(l, NULL, NULL), EINVAL);
    check_error("recv on a connection of the old net", recv(s, buf, sizeof(buf), 0), ECONNRESET);
    check_error("send on a connection of the old net", send(c, "x", 1, 0), ECONNRESET);
    check_error("sendto on a UDP socket of the old net",
                sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), ECONNRESET);
    struct pollfd p[2] = { { l, POLLIN, 0 }, { s, POLLIN | POLLOUT, 0 } };
    check("poll: sockets of the old net say POLLERR",
          poll(p, 2, 0) == 2 && (p[0].revents & POLLERR) && (p[1].revents & POLLERR), p[0].revents);
    check("close of the old sockets succeeds",
          close(l) == 0 && close(s) == 0 && close(c) == 0 && close(u) == 0, 0);
    l = listener(PORT + 6);
    c = socket(AF_INET, SOCK_STREAM, 0);
    int connected = connect(c, (struct sockaddr *)&to, sizeof(to));
    s = accept(l, NULL, NULL);
    check("a new listener on the same port takes a connection",
          connected == 0 && s >= 0 && send(c, "new", 3, 0) == 3 &&
              recv(s, buf, sizeof(buf), 0) == 3,
          s);
    close(s);
    close(c);
    close(l);
}

int main(void)
{
    tcp_checks();
    udp_checks();
    pipe_checks();
    error_checks();
    restart_checks();
    printf("sockcheck: %u checks, %u failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
