/* Sockets (docs/posix.md "Sockets"): IPv4 TCP and UDP, and ICMP echo
 * ("ping sockets": SOCK_DGRAM with IPPROTO_ICMP), served by the net server
 * through vfs, so a socket is a descriptor like any other (read, write,
 * close, dup, poll, inherited by spawn). Constants keep Linux's values
 * where picolibc does not fix them (SOCK_NONBLOCK is picolibc's
 * O_NONBLOCK). */
#pragma once

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint32_t socklen_t;
typedef uint16_t sa_family_t;

struct sockaddr {
    sa_family_t sa_family;
    char sa_data[14];
};

struct sockaddr_storage {
    sa_family_t ss_family;
    char __ss_data[126];
};

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define PF_UNSPEC AF_UNSPEC
#define PF_INET AF_INET

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC 0x80000

#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9

#define MSG_PEEK 0x2
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

/* The net server keeps at most 32 connections for a listener (a larger
 * backlog is cut to 32). */
#define SOMAXCONN 32

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *addr, socklen_t length);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict length);
int accept4(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict length, int flags);
int connect(int fd, const struct sockaddr *addr, socklen_t length);
ssize_t send(int fd, const void *buf, size_t length, int flags);
ssize_t recv(int fd, void *buf, size_t length, int flags);
ssize_t sendto(int fd, const void *buf, size_t length, int flags, const struct sockaddr *to,
               socklen_t to_length);
ssize_t recvfrom(int fd, void *__restrict buf, size_t length, int flags,
                 struct sockaddr *__restrict from, socklen_t *__restrict from_length);
int shutdown(int fd, int how);
int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict length);
int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict length);
int setsockopt(int fd, int level, int option, const void *value, socklen_t length);
int getsockopt(int fd, int level, int option, void *__restrict value, socklen_t *__restrict length);
