/* seL4 system calls for AArch64 (ABI 1). One trap primitive, keel_syscall(), with
 * the ABI register convention; every wrapper is built on it. The plain wrappers
 * move MR0..MR3 between the IPC buffer's msg[0..3] and x2..x5, as libsel4
 * programs expect; the *WithMRs variants take them by pointer instead. */
#pragma once

#include <keel/gen/abi.h>
#include <keel/gen/config.h>
#include <keel/ipcbuf.h>
#include <keel/types.h>

/* Issue system call `number` (any value, also invalid ones) with x0..x5 taken
 * from regs[0..5]; on return regs[0..5] hold x0..x5. x7 carries the number and
 * is input-only; the kernel preserves every register other than x0..x5. */
static inline void keel_syscall(long number, seL4_Word regs[6])
{
    register seL4_Word x0 __asm__("x0") = regs[0];
    register seL4_Word x1 __asm__("x1") = regs[1];
    register seL4_Word x2 __asm__("x2") = regs[2];
    register seL4_Word x3 __asm__("x3") = regs[3];
    register seL4_Word x4 __asm__("x4") = regs[4];
    register seL4_Word x5 __asm__("x5") = regs[5];
    register long x7 __asm__("x7") = number;
    __asm__ volatile("svc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
                     : "r"(x7)
                     : "memory");
    regs[0] = x0;
    regs[1] = x1;
    regs[2] = x2;
    regs[3] = x3;
    regs[4] = x4;
    regs[5] = x5;
}

/* Registers for a call: MRi (i < 4) comes from *mri when the pointer is given
 * and the message is longer than i, else 0. */
static inline void keel_load_mrs(seL4_Word regs[6], seL4_MessageInfo_t info, const seL4_Word *mr0,
                                 const seL4_Word *mr1, const seL4_Word *mr2, const seL4_Word *mr3)
{
    seL4_Word length = seL4_MessageInfo_get_length(info);
    regs[1] = info.words[0];
    regs[2] = (mr0 != seL4_Null && length > 0) ? *mr0 : 0;
    regs[3] = (mr1 != seL4_Null && length > 1) ? *mr1 : 0;
    regs[4] = (mr2 != seL4_Null && length > 2) ? *mr2 : 0;
    regs[5] = (mr3 != seL4_Null && length > 3) ? *mr3 : 0;
}

/* Hand x2..x5 back to every pointer given (registers the kernel did not write
 * keep the values loaded before the call). */
static inline void keel_store_mrs(const seL4_Word regs[6], seL4_Word *mr0, seL4_Word *mr1,
                                  seL4_Word *mr2, seL4_Word *mr3)
{
    if (mr0 != seL4_Null) {
        *mr0 = regs[2];
    }
    if (mr1 != seL4_Null) {
        *mr1 = regs[3];
    }
    if (mr2 != seL4_Null) {
        *mr2 = regs[4];
    }
    if (mr3 != seL4_Null) {
        *mr3 = regs[5];
    }
}

/* MR0..MR3 from and to the IPC buffer, for the plain wrappers. */
static inline void keel_buffer_to_regs(seL4_Word regs[6])
{
    for (int i = 0; i < seL4_FastMessageRegisters; i++) {
        regs[2 + i] = seL4_GetMR(i);
    }
}

static inline void keel_regs_to_buffer(const seL4_Word regs[6])
{
    for (int i = 0; i < seL4_FastMessageRegisters; i++) {
        seL4_SetMR(i, regs[2 + i]);
    }
}

static inline seL4_MessageInfo_t keel_info(seL4_Word word)
{
    seL4_MessageInfo_t info = { { word } };
    return info;
}

static inline void keel_send(long number, seL4_CPtr dest, seL4_MessageInfo_t info)
{
    seL4_Word regs[6] = { dest, info.words[0] };
    keel_buffer_to_regs(regs);
    keel_syscall(number, regs);
}

/* A call with a receive phase: sends x0/x1/MRs, stores the received MRs in the
 * buffer and the badge in *sender. */
static inline seL4_MessageInfo_t keel_exchange(long number, seL4_CPtr cptr, seL4_MessageInfo_t info,
                                               seL4_Word *sender)
{
    seL4_Word regs[6] = { cptr, info.words[0] };
    keel_buffer_to_regs(regs);
    keel_syscall(number, regs);
    keel_regs_to_buffer(regs);
    if (sender != seL4_Null) {
        *sender = regs[0];
    }
    return keel_info(regs[1]);
}

static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    keel_send(seL4_SysSend, dest, msgInfo);
}

static inline void seL4_NBSend(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    keel_send(seL4_SysNBSend, dest, msgInfo);
}

static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    return keel_exchange(seL4_SysCall, dest, msgInfo, seL4_Null);
}

static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *sender)
{
    return keel_exchange(seL4_SysRecv, src, seL4_MessageInfo_new(0, 0, 0, 0), sender);
}

static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *sender)
{
    return keel_exchange(seL4_SysNBRecv, src, seL4_MessageInfo_new(0, 0, 0, 0), sender);
}

static inline void seL4_Reply(seL4_MessageInfo_t msgInfo)
{
    keel_send(seL4_SysReply, 0, msgInfo);
}

static inline seL4_MessageInfo_t seL4_ReplyRecv(seL4_CPtr src, seL4_MessageInfo_t msgInfo,
                                                seL4_Word *sender)
{
    return keel_exchange(seL4_SysReplyRecv, src, msgInfo, sender);
}

static inline void seL4_Yield(void)
{
    seL4_Word regs[6] = { 0 };
    keel_syscall(seL4_SysYield, regs);
}

/* Notifications: Signal is a Send of an empty message, Wait a Recv, Poll an
 * NBRecv; the notification word arrives in *sender. */
static inline void seL4_Signal(seL4_CPtr dest)
{
    seL4_Word regs[6] = { dest, seL4_MessageInfo_new(0, 0, 0, 0).words[0] };
    keel_syscall(seL4_SysSend, regs);
}

static inline void seL4_Wait(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Recv(src, sender);
}

static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *sender)
{
    return seL4_NBRecv(src, sender);
}

static inline void seL4_SendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
                                    seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word regs[6] = { dest };
    keel_load_mrs(regs, msgInfo, mr0, mr1, mr2, mr3);
    keel_syscall(seL4_SysSend, regs);
}

static inline void seL4_NBSendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
                                      seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word regs[6] = { dest };
    keel_load_mrs(regs, msgInfo, mr0, mr1, mr2, mr3);
    keel_syscall(seL4_SysNBSend, regs);
}

static inline seL4_MessageInfo_t seL4_CallWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo,
                                                  seL4_Word *mr0, seL4_Word *mr1, seL4_Word *mr2,
                                                  seL4_Word *mr3)
{
    seL4_Word regs[6] = { dest };
    keel_load_mrs(regs, msgInfo, mr0, mr1, mr2, mr3);
    keel_syscall(seL4_SysCall, regs);
    keel_store_mrs(regs, mr0, mr1, mr2, mr3);
    return keel_info(regs[1]);
}

static inline seL4_MessageInfo_t seL4_RecvWithMRs(seL4_CPtr src, seL4_Word *sender, seL4_Word *mr0,
                                                  seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word regs[6] = { src };
    keel_syscall(seL4_SysRecv, regs);
    keel_store_mrs(regs, mr0, mr1, mr2, mr3);
    if (sender != seL4_Null) {
        *sender = regs[0];
    }
    return keel_info(regs[1]);
}

static inline void seL4_ReplyWithMRs(seL4_MessageInfo_t msgInfo, seL4_Word *mr0, seL4_Word *mr1,
                                     seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word regs[6] = { 0 };
    keel_load_mrs(regs, msgInfo, mr0, mr1, mr2, mr3);
    keel_syscall(seL4_SysReply, regs);
}

static inline seL4_MessageInfo_t seL4_ReplyRecvWithMRs(seL4_CPtr src, seL4_MessageInfo_t msgInfo,
                                                       seL4_Word *sender, seL4_Word *mr0,
                                                       seL4_Word *mr1, seL4_Word *mr2,
                                                       seL4_Word *mr3)
{
    seL4_Word regs[6] = { src };
    keel_load_mrs(regs, msgInfo, mr0, mr1, mr2, mr3);
    keel_syscall(seL4_SysReplyRecv, regs);
    keel_store_mrs(regs, mr0, mr1, mr2, mr3);
    if (sender != seL4_Null) {
        *sender = regs[0];
    }
    return keel_info(regs[1]);
}

/* Debug calls (ABI 10.3), as present in the configuration: the printing
 * ones with CONFIG_PRINTING, the others with CONFIG_DEBUG_BUILD. */
#if CONFIG_PRINTING
static inline void seL4_DebugPutChar(char c)
{
    seL4_Word regs[6] = { (seL4_Word)(unsigned char)c };
    keel_syscall(seL4_SysDebugPutChar, regs);
}

static inline void seL4_DebugDumpScheduler(void)
{
    seL4_Word regs[6] = { 0 };
    keel_syscall(seL4_SysDebugDumpScheduler, regs);
}
#endif

#if CONFIG_DEBUG_BUILD
static inline void seL4_DebugHalt(void)
{
    seL4_Word regs[6] = { 0 };
    keel_syscall(seL4_SysDebugHalt, regs);
}

static inline void seL4_DebugSnapshot(void)
{
    seL4_Word regs[6] = { 0 };
    keel_syscall(seL4_SysDebugSnapshot, regs);
}

/* The kernel's type tag of the cap `cap` names (0 if none; ABI Appendix A). */
static inline seL4_Uint32 seL4_DebugCapIdentify(seL4_CPtr cap)
{
    seL4_Word regs[6] = { cap };
    keel_syscall(seL4_SysDebugCapIdentify, regs);
    return (seL4_Uint32)regs[0];
}

/* Name the thread `tcb` for kernel messages. The name travels in the caller's
 * IPC buffer from msg[0] on; longer names are cut to fit the buffer. */
static inline void seL4_DebugNameThread(seL4_CPtr tcb, const char *name)
{
    char *dst = (char *)&seL4_GetIPCBuffer()->msg[0];
    unsigned long max = sizeof(seL4_GetIPCBuffer()->msg) - 1;
    unsigned long i = 0;
    for (; i < max && name[i] != '\0'; i++) {
        dst[i] = name[i];
    }
    dst[i] = '\0';
    seL4_Word regs[6] = { tcb };
    keel_syscall(seL4_SysDebugNameThread, regs);
}
#endif
