/* Access to the calling thread's IPC buffer (ABI 3.1). The buffer address is
 * thread-local (TPIDR_EL0-based TLS): each thread must call seL4_SetIPCBuffer
 * once before using message registers beyond MR3, extra caps or badges. */
#pragma once

#include <keel/types.h>

extern __thread seL4_IPCBuffer *keel_ipc_buffer;

static inline seL4_IPCBuffer *seL4_GetIPCBuffer(void)
{
    return keel_ipc_buffer;
}

static inline void seL4_SetIPCBuffer(seL4_IPCBuffer *buffer)
{
    keel_ipc_buffer = buffer;
}

/* Message register i (0 <= i < seL4_MsgMaxLength) as stored in the buffer. The
 * plain syscall wrappers move MR0..MR3 between the buffer and x2..x5. */
static inline seL4_Word seL4_GetMR(int i)
{
    return keel_ipc_buffer->msg[i];
}

static inline void seL4_SetMR(int i, seL4_Word value)
{
    keel_ipc_buffer->msg[i] = value;
}

static inline seL4_Word seL4_GetUserData(void)
{
    return keel_ipc_buffer->userData;
}

static inline void seL4_SetUserData(seL4_Word data)
{
    keel_ipc_buffer->userData = data;
}

/* Extra capability i (0..2) to send with the next message. */
static inline void seL4_SetCap(int i, seL4_CPtr cptr)
{
    keel_ipc_buffer->caps_or_badges[i] = cptr;
}

static inline seL4_CPtr seL4_GetCap(int i)
{
    return keel_ipc_buffer->caps_or_badges[i];
}

/* Badge of the i-th received capability that was unwrapped (ABI 3.5). */
static inline seL4_Word seL4_GetBadge(int i)
{
    return keel_ipc_buffer->caps_or_badges[i];
}

/* Where a received capability goes: slot (index, depth) under the CNode that
 * `receiveCNode` names in the receiver's CSpace. */
static inline void seL4_SetCapReceivePath(seL4_CPtr receiveCNode, seL4_CPtr receiveIndex,
                                          seL4_Word receiveDepth)
{
    keel_ipc_buffer->receiveCNode = receiveCNode;
    keel_ipc_buffer->receiveIndex = receiveIndex;
    keel_ipc_buffer->receiveDepth = receiveDepth;
}

static inline void seL4_GetCapReceivePath(seL4_CPtr *receiveCNode, seL4_CPtr *receiveIndex,
                                          seL4_Word *receiveDepth)
{
    if (receiveCNode != seL4_Null) {
        *receiveCNode = keel_ipc_buffer->receiveCNode;
    }
    if (receiveIndex != seL4_Null) {
        *receiveIndex = keel_ipc_buffer->receiveIndex;
    }
    if (receiveDepth != seL4_Null) {
        *receiveDepth = keel_ipc_buffer->receiveDepth;
    }
}

/* After a Page_Map that failed with FailedLookup: how many bits of the
 * address were left to translate where a table was missing (ABI 5.4.6:
 * 39 no level-1 table, 30 no level-2, 21 no level-3). */
#define SEL4_MAPPING_LOOKUP_NO_PT 21
#define SEL4_MAPPING_LOOKUP_NO_PD 30
#define SEL4_MAPPING_LOOKUP_NO_PUD 39

static inline seL4_Word seL4_MappingFailedLookupLevel(void)
{
    return seL4_GetMR(2);
}
