/* IPv4 address text (arpa/inet.h): dotted decimal only, as POSIX's
 * inet_pton has it for AF_INET (four decimal parts, each 0-255, no
 * leading zeros beyond a single 0); inet_aton and inet_addr take the
 * same. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* "a.b.c.d" to a host-order number; false if it is not one. */
static bool parse_dotted(const char *text, uint32_t *out)
{
    uint32_t value = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0 && *text++ != '.') {
            return false;
        }
        if (*text < '0' || *text > '9' || (text[0] == '0' && text[1] >= '0' && text[1] <= '9')) {
            return false;
        }
        unsigned n = 0;
        for (int digits = 0; *text >= '0' && *text <= '9'; digits++, text++) {
            n = n * 10 + (unsigned)(*text - '0');
            if (digits == 3 || n > 255) {
                return false;
            }
        }
        value = value << 8 | n;
    }
    *out = value;
    return *text == '\0';
}

int inet_pton(int family, const char *__restrict text, void *__restrict address)
{
    if (family != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    uint32_t value;
    if (!parse_dotted(text, &value)) {
        return 0;
    }
    struct in_addr in = { htonl(value) };
    memcpy(address, &in, sizeof(in));
    return 1;
}

const char *inet_ntop(int family, const void *__restrict address, char *__restrict text,
                      socklen_t size)
{
    if (family != AF_INET) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    struct in_addr in;
    memcpy(&in, address, sizeof(in));
    uint32_t v = ntohl(in.s_addr);
    char buf[INET_ADDRSTRLEN];
    int n = snprintf(buf, sizeof(buf), "%u.%u.%u.%u", (unsigned)(v >> 24),
                     (unsigned)(v >> 16 & 255), (unsigned)(v >> 8 & 255), (unsigned)(v & 255));
    if (n < 0 || (socklen_t)n >= size) {
        errno = ENOSPC;
        return NULL;
    }
    memcpy(text, buf, (size_t)n + 1);
    return text;
}

int inet_aton(const char *text, struct in_addr *address)
{
    return inet_pton(AF_INET, text, address) == 1;
}

in_addr_t inet_addr(const char *text)
{
    struct in_addr in;
    return inet_aton(text, &in) ? in.s_addr : INADDR_NONE;
}

/* In a buffer of its own, as POSIX allows (not reentrant). */
char *inet_ntoa(struct in_addr address)
{
    static char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &address, text, sizeof(text));
    return text;
}
