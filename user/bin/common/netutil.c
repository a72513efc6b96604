/* The network programs' shared parts (netutil.h).
 * Calls: fcntl, clock_gettime, write, inet_pton, inet_ntop. */
#include "netutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

bool netutil_number(const char *text, long min, long max, long *value)
{
    if (text[0] < '0' || text[0] > '9') {
        return false; /* strtol would take a sign or spaces */
    }
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || n < min || n > max) {
        return false;
    }
    *value = n;
    return true;
}

bool netutil_port(const char *text, in_port_t *port)
{
    long n;
    if (!netutil_number(text, 1, 65535, &n)) {
        return false;
    }
    *port = htons((uint16_t)n);
    return true;
}

bool netutil_address(const char *text, struct in_addr *address)
{
    if (strcmp(text, "localhost") == 0) {
        address->s_addr = htonl(INADDR_LOOPBACK);
        return true;
    }
    return inet_pton(AF_INET, text, address) == 1;
}

struct sockaddr_in netutil_sockaddr(struct in_addr address, in_port_t port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = port;
    sa.sin_addr = address;
    return sa;
}

char *netutil_address_text(struct in_addr address, char text[INET_ADDRSTRLEN])
{
    if (inet_ntop(AF_INET, &address, text, INET_ADDRSTRLEN) == NULL) {
        strcpy(text, "?");
    }
    return text;
}

int netutil_set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) {
        return -1;
    }
    return (flags & O_NONBLOCK) != 0 ? 0 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int64_t netutil_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int netutil_write_all(int fd, const void *buf, size_t length)
{
    const char *p = buf;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = EIO; /* a write that moves nothing would loop forever */
            }
            return -1;
        }
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

int netutil_fail(const char *prog, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
    return NETUTIL_FAILED;
}
