/* For host tests of generated client stubs (test_proto_dispatch.c): this
 * directory comes before libkeel/include, so the stubs' seL4_Call is the
 * test's host_call instead of a trap. */
#pragma once

#include <keel/ipcbuf.h>
#include <keel/types.h>

seL4_MessageInfo_t host_call(seL4_CPtr ep, seL4_MessageInfo_t info);

static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr ep, seL4_MessageInfo_t info)
{
    return host_call(ep, info);
}
