/* For fuzz targets built over OS code that signals (fuzz_netreq.c): this
 * directory comes before libkeel/include, so the traps an OS file may use
 * are functions of the target instead of svc instructions. */
#pragma once

#include <keel/ipcbuf.h>
#include <keel/types.h>

void seL4_Signal(seL4_CPtr dest);
void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t info);
seL4_MessageInfo_t seL4_Call(seL4_CPtr ep, seL4_MessageInfo_t info);
seL4_MessageInfo_t seL4_CallWithMRs(seL4_CPtr dest, seL4_MessageInfo_t info, seL4_Word *mr0,
                                    seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3);
