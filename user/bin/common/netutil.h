/* What the network programs of /bin share (httpd, nc, ping): numbers and
 * IPv4 addresses from the command line, addresses for messages, the
 * non-blocking flag, the monotonic clock, writing a whole buffer. Plain
 * POSIX, so the same code runs on Keel and on the host
 * (tests/host/test_httpd.py). */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The exit statuses: something failed (and was reported), a usage error. */
#define NETUTIL_FAILED 1
#define NETUTIL_USAGE 2

/* The whole of text as a decimal number in [min, max]; false if it is
 * not one. */
bool netutil_number(const char *text, long min, long max, long *value);

/* A port number 1..65535 into *port, in network byte order; false if
 * text is not one. */
bool netutil_port(const char *text, in_port_t *port);

/* A numeric IPv4 address ("10.0.2.2"), or "localhost" (127.0.0.1: there
 * is no name service), into *address; false if text is neither. */
bool netutil_address(const char *text, struct in_addr *address);

/* The IPv4 socket address of address and port (network byte order). */
struct sockaddr_in netutil_sockaddr(struct in_addr address, in_port_t port);

/* "10.0.2.2" into text (INET_ADDRSTRLEN bytes); "?" if it cannot be
 * written. Returns text. */
char *netutil_address_text(struct in_addr address, char text[INET_ADDRSTRLEN]);

/* Set O_NONBLOCK on fd: 0, or -1 with errno. */
int netutil_set_nonblocking(int fd);

/* CLOCK_MONOTONIC in microseconds. */
int64_t netutil_now_us(void);

/* Write all of buf to fd (a blocking descriptor), retrying partial writes
 * and EINTR: 0, or -1 with errno. */
int netutil_write_all(int fd, const void *buf, size_t length);

/* "PROG: WHAT: strerror(errno)" on stderr; returns NETUTIL_FAILED. */
int netutil_fail(const char *prog, const char *what);
