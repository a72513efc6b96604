/* TCP's socket options (docs/posix.md "Sockets"). */
#pragma once

#define TCP_NODELAY 1
