/* picolibc's <arpa/inet.h> has the byte-order macros; libos adds the
 * address conversions (user/os/lib/inet.c). */
#pragma once

#include_next <arpa/inet.h>

#include <netinet/in.h>
#include <sys/socket.h>

int inet_pton(int family, const char *__restrict text, void *__restrict address);
const char *inet_ntop(int family, const void *__restrict address, char *__restrict text,
                      socklen_t size);
in_addr_t inet_addr(const char *text);
int inet_aton(const char *text, struct in_addr *address);
char *inet_ntoa(struct in_addr address);
