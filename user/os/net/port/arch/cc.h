/* lwIP's compiler and platform port for Keel (lwip/arch.h includes it):
 * picolibc's headers give the types, diagnostics go to the console, an
 * assertion that fails ends the server (rs restarts it). */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do {                                                                                           \
        printf x;                                                                                  \
    } while (0)

#define LWIP_PLATFORM_ASSERT(x)                                                                    \
    do {                                                                                           \
        printf("net: lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__);             \
        abort();                                                                                   \
    } while (0)

#define LWIP_RAND() ((u32_t)rand())
