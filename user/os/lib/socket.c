/* Sockets and poll (docs/posix.md "Sockets"): vfs calls; a socket is a
 * descriptor of vfs's, served by the net server behind it. Only AF_INET:
 * addresses travel as host-order numbers (proto/vfs.proto). Data moves
 * through the data window, so a call moves at most the window's size:
 * send and recv return what they moved, as a short count. */
#include "convert.h"
#include "libos.h"

#include <errno.h>
#include <keel/netinfo.h>
#include <keel/proto/vfs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

/* The socket calls' own flags, and the types vfs knows. */
#define SOCK_TYPE_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

static int fail(int error)
{
    errno = error;
    return -1;
}

int socket(int domain, int type, int protocol)
{
    seL4_CPtr vfs = libos_vfs();
    if (vfs == 0) {
        return -1;
    }
    if (domain != AF_INET) {
        return fail(EAFNOSUPPORT);
    }
    int kind = type & ~SOCK_TYPE_FLAGS;
    uint64_t wire;
    if (kind == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) {
        wire = VFS_SOCK_STREAM;
    } else if (kind == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP)) {
        wire = VFS_SOCK_DGRAM;
    } else if (kind == SOCK_DGRAM && protocol == IPPROTO_ICMP) {
        wire = VFS_SOCK_ICMP;
    } else if (kind == SOCK_STREAM || kind == SOCK_DGRAM) {
        return fail(EPROTONOSUPPORT);
    } else {
        return fail(EPROTOTYPE);
    }
    uint64_t flags = (type & SOCK_NONBLOCK) ? VFS_O_NONBLOCK : 0;
    return (int)libos_result(vfs_socket(vfs, wire, flags));
}

/* An AF_INET address given by a program: host-order address and port. */
static int address_in(const struct sockaddr *addr, socklen_t length, uint64_t *ip, uint64_t *port)
{
    if (addr == NULL || length < sizeof(struct sockaddr_in)) {
        return EINVAL;
    }
    struct sockaddr_in in;
    memcpy(&in, addr, sizeof(in));
    if (in.sin_family != AF_INET) {
        return EAFNOSUPPORT;
    }
    *ip = ntohl(in.sin_addr.s_addr);
    *port = ntohs(in.sin_port);
    return 0;
}

/* An address for the program: as much as *length holds; *length then
 * says the whole size (POSIX: truncated silently). */
static void address_out(uint64_t ip, uint64_t port, struct sockaddr *addr, socklen_t *length)
{
    if (addr == NULL || length == NULL) {
        return;
    }
    struct sockaddr_in in = { .sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port),
                              .sin_addr = { htonl((uint32_t)ip) } };
    memcpy(addr, &in, *length < sizeof(in) ? *length : sizeof(in));
    *length = sizeof(in);
}

int bind(int fd, const struct sockaddr *addr, socklen_t length)
{
    uint64_t ip, port;
    int error = address_in(addr, length, &ip, &port);
    if (error != 0) {
        return fail(error);
    }
    seL4_CPtr vfs = libos_vfs_fd(fd);
    return vfs != 0 ? (int)libos_result(vfs_bind(vfs, fd, ip, port)) : -1;
}

int listen(int fd, int backlog)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    return vfs != 0 ? (int)libos_result(vfs_listen(vfs, fd, backlog < 0 ? 0 : backlog)) : -1;
}

int accept4(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict length, int flags)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        return -1;
    }
    if ((flags & ~SOCK_TYPE_FLAGS) != 0) {
        return fail(EINVAL);
    }
    uint64_t ip = 0, port = 0;
    long r = vfs_accept(vfs, fd, (flags & SOCK_NONBLOCK) ? VFS_O_NONBLOCK : 0, &ip, &port);
    if (r >= 0) {
        address_out(ip, port, addr, length);
    }
    return (int)libos_result(r);
}

int accept(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict length)
{
    return accept4(fd, addr, length, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t length)
{
    uint64_t ip, port;
    int error = address_in(addr, length, &ip, &port);
    if (error != 0) {
        return fail(error);
    }
    seL4_CPtr vfs = libos_vfs_fd(fd);
    return vfs != 0 ? (int)libos_result(vfs_connect(vfs, fd, ip, port)) : -1;
}

/* MSG_* of <sys/socket.h> to the wire's; MSG_NOSIGNAL is what Keel always
 * does (a send on a broken stream is EPIPE, no signal). */
static int msg_flags(int flags, uint64_t *wire)
{
    if ((flags & ~(MSG_PEEK | MSG_DONTWAIT | MSG_NOSIGNAL)) != 0) {
        return EOPNOTSUPP;
    }
    *wire =
        ((flags & MSG_PEEK) ? VFS_MSG_PEEK : 0) | ((flags & MSG_DONTWAIT) ? VFS_MSG_DONTWAIT : 0);
    return 0;
}

/* The window to pass bytes in, for a call to vfs (0: none, errno set). */
static const libos_env_t *with_window(seL4_CPtr vfs)
{
    const libos_env_t *env = libos();
    if (vfs == 0) {
        return NULL;
    }
    if (env->window == NULL) {
        errno = ENOBUFS;
        return NULL;
    }
    return env;
}

/* Asked only when a send is larger than the window: a stream's goes in
 * part (the count says how much), a datagram's cannot. Not a socket: no
 * (the call itself says what is wrong). */
static bool is_datagram(int fd)
{
    int type = 0;
    socklen_t size = sizeof(type);
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0 && type != SOCK_STREAM;
}

ssize_t sendto(int fd, const void *buf, size_t length, int flags, const struct sockaddr *to,
               socklen_t to_length)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    const libos_env_t *env = with_window(vfs);
    uint64_t wire, ip = 0, port = 0;
    int error = msg_flags(flags, &wire);
    if (error == 0 && to != NULL) {
        error = address_in(to, to_length, &ip, &port);
        wire |= VFS_MSG_TO;
    }
    if (env == NULL || error != 0) {
        return env == NULL ? -1 : fail(error);
    }
    if (length > env->window_size && is_datagram(fd)) {
        return fail(EMSGSIZE); /* a datagram goes whole or not at all */
    }
    size_t n = length < env->window_size ? length : env->window_size;
    memcpy(env->window, buf, n);
    return libos_result(vfs_sendto(vfs, fd, 0, n, wire, ip, port));
}

ssize_t send(int fd, const void *buf, size_t length, int flags)
{
    return sendto(fd, buf, length, flags, NULL, 0);
}

ssize_t recvfrom(int fd, void *__restrict buf, size_t length, int flags,
                 struct sockaddr *__restrict from, socklen_t *__restrict from_length)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    const libos_env_t *env = with_window(vfs);
    uint64_t wire;
    int error = msg_flags(flags, &wire);
    if (env == NULL || error != 0) {
        return env == NULL ? -1 : fail(error);
    }
    size_t n = length < env->window_size ? length : env->window_size;
    uint64_t ip = 0, port = 0;
    long r = vfs_recvfrom(vfs, fd, 0, n, wire, &ip, &port);
    if (r > 0) {
        memcpy(buf, env->window, (size_t)r);
    }
    if (r >= 0) {
        address_out(ip, port, from, from_length);
    }
    return libos_result(r);
}

ssize_t recv(int fd, void *buf, size_t length, int flags)
{
    return recvfrom(fd, buf, length, flags, NULL, NULL);
}

int shutdown(int fd, int how)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
        return vfs != 0 ? fail(EINVAL) : -1;
    }
    return vfs != 0 ? (int)libos_result(vfs_shutdown(vfs, fd, (uint64_t)how)) : -1;
}

static int name_of(int fd, uint64_t peer, struct sockaddr *addr, socklen_t *length)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        return -1;
    }
    if (addr == NULL || length == NULL) {
        return fail(EFAULT);
    }
    uint64_t ip = 0, port = 0;
    long r = vfs_sockname(vfs, fd, peer, &ip, &port);
    if (r >= 0) {
        address_out(ip, port, addr, length);
    }
    return (int)libos_result(r);
}

int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict length)
{
    return name_of(fd, 0, addr, length);
}

int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict length)
{
    return name_of(fd, 1, addr, length);
}

/* (level, option) to the wire's option, or 0: one Keel does not have. */
static uint64_t option_of(int level, int option)
{
    if (level == SOL_SOCKET) {
        return option == SO_REUSEADDR ? VFS_SOCKOPT_REUSEADDR
               : option == SO_ERROR   ? VFS_SOCKOPT_ERROR
               : option == SO_TYPE    ? VFS_SOCKOPT_TYPE
                                      : 0;
    }
    return level == IPPROTO_TCP && option == TCP_NODELAY ? VFS_SOCKOPT_NODELAY : 0;
}

int setsockopt(int fd, int level, int option, const void *value, socklen_t length)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        return -1;
    }
    uint64_t wire = option_of(level, option);
    if (wire == 0 || wire == VFS_SOCKOPT_ERROR || wire == VFS_SOCKOPT_TYPE) {
        return fail(ENOPROTOOPT);
    }
    int on;
    if (value == NULL || length < sizeof(on)) {
        return fail(EINVAL);
    }
    memcpy(&on, value, sizeof(on));
    return (int)libos_result(vfs_setsockopt(vfs, fd, wire, on != 0));
}

/* A socket type as the wire gives it, as <sys/socket.h> has it. */
static int type_from_wire(long wire)
{
    return wire == VFS_SOCK_STREAM ? SOCK_STREAM : SOCK_DGRAM;
}

int getsockopt(int fd, int level, int option, void *__restrict value, socklen_t *__restrict length)
{
    seL4_CPtr vfs = libos_vfs_fd(fd);
    if (vfs == 0) {
        return -1;
    }
    uint64_t wire = option_of(level, option);
    if (wire == 0) {
        return fail(ENOPROTOOPT);
    }
    if (value == NULL || length == NULL || *length < sizeof(int)) {
        return fail(EINVAL);
    }
    long r = vfs_getsockopt(vfs, fd, wire);
    if (r < 0) {
        return (int)libos_result(r);
    }
    int out = wire == VFS_SOCKOPT_TYPE ? type_from_wire(r) : (int)r;
    memcpy(value, &out, sizeof(out));
    *length = sizeof(out);
    return 0;
}

int poll(struct pollfd *fds, nfds_t count, int timeout_ms)
{
    seL4_CPtr vfs = libos_vfs();
    const libos_env_t *env = with_window(vfs);
    if (env == NULL) {
        return -1;
    }
    size_t bytes = (size_t)count * sizeof(struct pollfd);
    if (count > VFS_POLL_FDS_MAX || bytes > env->window_size) {
        return fail(EINVAL);
    }
    _Static_assert(sizeof(struct pollfd) == VFS_POLL_RECORD, "the wire's record");
    _Static_assert(POLLIN == VFS_POLL_IN && POLLOUT == VFS_POLL_OUT && POLLERR == VFS_POLL_ERR &&
                       POLLHUP == VFS_POLL_HUP && POLLNVAL == VFS_POLL_NVAL,
                   "the wire's bits");
    for (nfds_t i = 0; i < count; i++) { /* POLLRDNORM and POLLWRNORM: vfs's IN and OUT */
        struct pollfd wire = fds[i];
        wire.events |= (short)(((wire.events & POLLRDNORM) ? POLLIN : 0) |
                               ((wire.events & POLLWRNORM) ? POLLOUT : 0));
        memcpy(env->window + i * sizeof(wire), &wire, sizeof(wire));
    }
    long r = vfs_poll(vfs, 0, bytes, timeout_ms < 0 ? -1 : timeout_ms);
    if (r >= 0) {
        for (nfds_t i = 0; i < count; i++) {
            struct pollfd got;
            memcpy(&got, env->window + i * sizeof(got), sizeof(got));
            short asked = fds[i].events;
            short norm = (short)(((got.revents & POLLIN) ? POLLRDNORM : 0) |
                                 ((got.revents & POLLOUT) ? POLLWRNORM : 0));
            fds[i].revents =
                (short)((got.revents & (asked | POLLERR | POLLHUP | POLLNVAL)) | (norm & asked));
        }
    }
    return (int)libos_result(r);
}

int keel_netinfo(keel_sock_info_t *info)
{
    seL4_CPtr vfs = libos_vfs();
    const libos_env_t *env = with_window(vfs);
    if (env == NULL) {
        return -1;
    }
    if (env->window_size < sizeof(*info)) {
        return fail(ENOBUFS);
    }
    long r = vfs_netinfo(vfs, 0, sizeof(*info));
    if (r >= 0 && (size_t)r != sizeof(*info)) {
        r = -EIO;
    }
    if (r < 0) {
        return (int)libos_result(r);
    }
    memcpy(info, env->window, sizeof(*info));
    return 0;
}
