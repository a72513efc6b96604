/* Source compatibility for programs written against libsel4: <sel4/sel4.h>
 * brings in the types, system calls, IPC buffer access and invocation stubs
 * under their seL4 names. Keel programs include the keel/ headers they use. */
#pragma once

#include <keel/gen/abi.h>
#include <keel/gen/invocations.h>
#include <keel/ipcbuf.h>
#include <keel/syscalls.h>
#include <keel/types.h>
