/* Keel's own call for ifconfig (docs/network.md): the network interface's
 * state, from the net server through vfs. 0, or -1 with errno (ENETDOWN:
 * no net server). */
#pragma once

#include <keel/os/sock.h>

int keel_netinfo(keel_sock_info_t *info);
