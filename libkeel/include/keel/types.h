/* The seL4 ABI types for AArch64 as user programs see them: words, message info,
 * rights, cap data, register context, BootInfo and IPC buffer (ABI 2, 3, 4, 8, 9).
 * Every layout the ABI pins is checked with _Static_assert. */
#pragma once

#include <keel/gen/abi.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t seL4_Uint8;
typedef uint16_t seL4_Uint16;
typedef uint32_t seL4_Uint32;
typedef uint64_t seL4_Uint64;
typedef int8_t seL4_Int8;
typedef int16_t seL4_Int16;
typedef int32_t seL4_Int32;
typedef int64_t seL4_Int64;
typedef seL4_Uint64 seL4_Word;
typedef seL4_Int64 seL4_SWord;
typedef seL4_Int8 seL4_Bool;
typedef seL4_Word seL4_CPtr;
typedef seL4_Word seL4_NodeId;
typedef seL4_Word seL4_PAddr;
typedef seL4_Word seL4_Domain;
typedef seL4_Uint64 seL4_Time;
typedef seL4_Word seL4_VCPUReg;

#define seL4_True 1
#define seL4_False 0
#define seL4_Null ((void *)0)

/* Capability types: every one is a cptr (ABI 5.3 rule 2). */
typedef seL4_CPtr seL4_CNode;
typedef seL4_CPtr seL4_TCB;
typedef seL4_CPtr seL4_Untyped;
typedef seL4_CPtr seL4_IRQControl;
typedef seL4_CPtr seL4_IRQHandler;
typedef seL4_CPtr seL4_DomainSet;
typedef seL4_CPtr seL4_SchedContext;
typedef seL4_CPtr seL4_SchedControl;
typedef seL4_CPtr seL4_ARM_VSpace;
typedef seL4_CPtr seL4_ARM_PageTable;
typedef seL4_CPtr seL4_ARM_Page;
typedef seL4_CPtr seL4_ARM_ASIDControl;
typedef seL4_CPtr seL4_ARM_ASIDPool;
typedef seL4_CPtr seL4_ARM_SMC;
typedef seL4_CPtr seL4_ARM_IOSpace;
typedef seL4_CPtr seL4_ARM_IOPageTable;
typedef seL4_CPtr seL4_ARM_VCPU;

/* Sizes (ABI 2.1, 3.1, 4.2). */
#define seL4_WordBits 64
#define seL4_WordSizeBits 3
#define seL4_SlotBits 5
#define seL4_TCBBits 11
#define seL4_EndpointBits 4
#define seL4_NotificationBits 5
#define seL4_PageBits 12
#define seL4_LargePageBits 21
#define seL4_HugePageBits 30
#define seL4_PageTableBits 12
#define seL4_PageTableEntryBits 3
#define seL4_PageTableIndexBits 9
#define seL4_VSpaceBits 12
#define seL4_VSpaceEntryBits 3
#define seL4_VSpaceIndexBits 9
#define seL4_ASIDPoolBits 12
#define seL4_ASIDPoolIndexBits 9
#define seL4_NumASIDPoolsBits 7
#define seL4_IOPageTableBits 12
#define seL4_MinUntypedBits 4
#define seL4_MaxUntypedBits 47
#define seL4_BootInfoFrameBits 12
#define seL4_IPCBufferSizeBits 10
#define seL4_UserTop 0x00007fffffffffffull
#define seL4_UserVSpaceTop seL4_UserTop
#define seL4_CapRightsBits 4
#define seL4_BadgeBits 64
#define seL4_InvalidPrio (-1)
#define seL4_MinPrio 0
#define seL4_MaxPrio 255
#define seL4_DataFault 0
#define seL4_InstructionFault 1
#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS 230

/* The message info (seL4_MessageInfo_t, ABI 2.1), capability rights
 * (seL4_CapRights_t, ABI 2.2) and CNode cap data (seL4_CNode_CapData_t, ABI
 * 2.3; pass .words[0] as the badge argument of CNode_Mint/Mutate or as TCB
 * cspace_root_data), with libsel4's functions (_new, _get_<field>,
 * _set_<field>, _ptr_get_<field>, _ptr_set_<field>), and the message
 * constants (seL4_MsgMaxLength...) come from keel/gen/abi.h, generated from
 * api/keel.api. */

/* The usual rights (seL4_CapRights_new(grantReply, grant, read, write)). */
#define seL4_NoRights seL4_CapRights_new(0, 0, 0, 0)
#define seL4_CanWrite seL4_CapRights_new(0, 0, 0, 1)
#define seL4_CanRead seL4_CapRights_new(0, 0, 1, 0)
#define seL4_CanGrant seL4_CapRights_new(0, 1, 0, 0)
#define seL4_CanGrantReply seL4_CapRights_new(1, 0, 0, 0)
#define seL4_ReadWrite seL4_CapRights_new(0, 0, 1, 1)
#define seL4_NoWrite seL4_CapRights_new(1, 1, 1, 0)
#define seL4_NoRead seL4_CapRights_new(1, 1, 0, 1)
#define seL4_AllRights seL4_CapRights_new(1, 1, 1, 1)

/* Page_Map / PageTable_Map attribute word (ABI 2.5). */
typedef enum seL4_ARM_VMAttributes {
    seL4_ARM_PageCacheable = 0x1,
    seL4_ARM_ParityEnabled = 0x2,
    seL4_ARM_Default_VMAttributes = 0x3,
    seL4_ARM_ExecuteNever = 0x4,
} seL4_ARM_VMAttributes;

typedef enum seL4_ARM_CacheType {
    seL4_ARM_CacheI = 1,
    seL4_ARM_CacheD = 2,
    seL4_ARM_CacheID = 3,
} seL4_ARM_CacheType;

/* TCB_SetFlags flags (ABI 2.6). */
typedef enum seL4_TCBFlag {
    seL4_TCBFlag_NoFlag = 0x0,
    seL4_TCBFlag_fpuDisabled = 0x1,
    seL4_TCBFlag_MASK = 0x1,
} seL4_TCBFlag;

/* Register context in TCB_ReadRegisters/WriteRegisters order (ABI 8.1). */
typedef struct seL4_UserContext {
    seL4_Word pc, sp, spsr;
    seL4_Word x0, x1, x2, x3, x4, x5, x6, x7, x8, x16, x17, x18, x29, x30;
    seL4_Word x9, x10, x11, x12, x13, x14, x15;
    seL4_Word x19, x20, x21, x22, x23, x24, x25, x26, x27, x28;
    seL4_Word tpidr_el0, tpidrro_el0;
} seL4_UserContext;

_Static_assert(sizeof(seL4_UserContext) == KEEL_WORDS_seL4_UserContext * 8, "UserContext size");
_Static_assert(offsetof(seL4_UserContext, x30) == KEEL_seL4_UserContext_x30 * 8, "x30 index");
_Static_assert(offsetof(seL4_UserContext, x9) == KEEL_seL4_UserContext_x9 * 8, "x9 index");
_Static_assert(offsetof(seL4_UserContext, x19) == KEEL_seL4_UserContext_x19 * 8, "x19 index");
_Static_assert(offsetof(seL4_UserContext, tpidrro_el0) == KEEL_seL4_UserContext_tpidrro_el0 * 8,
               "tpidrro_el0 index");

/* Arguments and results of a secure monitor call (no SMC cap in this config). */
typedef struct seL4_ARM_SMCContext {
    seL4_Word x0, x1, x2, x3, x4, x5, x6, x7;
} seL4_ARM_SMCContext;

_Static_assert(sizeof(seL4_ARM_SMCContext) == KEEL_WORDS_seL4_ARM_SMCContext * 8, "SMC size");

/* Slots of the root task's CNode (ABI 9.4). */
enum seL4_RootCNodeCapSlots {
    seL4_CapNull = 0,
    seL4_CapInitThreadTCB = 1,
    seL4_CapInitThreadCNode = 2,
    seL4_CapInitThreadVSpace = 3,
    seL4_CapIRQControl = 4,
    seL4_CapASIDControl = 5,
    seL4_CapInitThreadASIDPool = 6,
    seL4_CapIOPortControl = 7,
    seL4_CapIOSpace = 8,
    seL4_CapBootInfoFrame = 9,
    seL4_CapInitThreadIPCBuffer = 10,
    seL4_CapDomain = 11,
    seL4_CapSMMUSIDControl = 12,
    seL4_CapSMMUCBControl = 13,
    seL4_CapInitThreadSC = 14,
    seL4_CapSMC = 15,
    seL4_NumInitialCaps = 16,
};

#define seL4_CapInitThreadPD seL4_CapInitThreadVSpace

/* The IPC buffer (ABI 3.1): 1024 bytes, 1024-aligned. */
typedef struct seL4_IPCBuffer {
    seL4_MessageInfo_t tag;
    seL4_Word msg[seL4_MsgMaxLength];
    seL4_Word userData;
    seL4_Word caps_or_badges[seL4_MsgMaxExtraCaps];
    seL4_CPtr receiveCNode;
    seL4_CPtr receiveIndex;
    seL4_Word receiveDepth;
} __attribute__((aligned(1024))) seL4_IPCBuffer;

/* The struct is the C view of the layout api/keel.api gives (word offsets
 * KEEL_seL4_IPCBuffer_<member>, which the kernel uses). */
#define KEEL_IPC_BUFFER_AT(member) (KEEL_seL4_IPCBuffer_##member * sizeof(seL4_Word))
_Static_assert(sizeof(seL4_IPCBuffer) == KEEL_WORDS_seL4_IPCBuffer * sizeof(seL4_Word) &&
                   sizeof(seL4_IPCBuffer) == 1ul << seL4_IPCBufferSizeBits,
               "IPC buffer size");
_Static_assert(offsetof(seL4_IPCBuffer, tag) == KEEL_IPC_BUFFER_AT(tag), "IPC buffer tag");
_Static_assert(offsetof(seL4_IPCBuffer, msg) == KEEL_IPC_BUFFER_AT(msg), "IPC buffer msg");
_Static_assert(offsetof(seL4_IPCBuffer, userData) == KEEL_IPC_BUFFER_AT(userData),
               "IPC buffer userData");
_Static_assert(offsetof(seL4_IPCBuffer, caps_or_badges) == KEEL_IPC_BUFFER_AT(caps_or_badges),
               "IPC buffer caps_or_badges");
_Static_assert(offsetof(seL4_IPCBuffer, receiveCNode) == KEEL_IPC_BUFFER_AT(receiveCNode),
               "IPC buffer receiveCNode");
_Static_assert(offsetof(seL4_IPCBuffer, receiveIndex) == KEEL_IPC_BUFFER_AT(receiveIndex),
               "IPC buffer receiveIndex");
_Static_assert(offsetof(seL4_IPCBuffer, receiveDepth) == KEEL_IPC_BUFFER_AT(receiveDepth),
               "IPC buffer receiveDepth");
#undef KEEL_IPC_BUFFER_AT

/* BootInfo (ABI 9.5). */
typedef struct seL4_SlotRegion {
    seL4_Word start; /* first slot of the region */
    seL4_Word end;   /* first slot after it */
} seL4_SlotRegion;

typedef struct seL4_UntypedDesc {
    seL4_Word paddr;
    seL4_Uint8 sizeBits;
    seL4_Uint8 isDevice;
    seL4_Uint8 padding[6];
} seL4_UntypedDesc;

typedef struct seL4_BootInfo {
    seL4_Word extraLen;
    seL4_NodeId nodeID;
    seL4_Word numNodes;
    seL4_Word numIOPTLevels;
    seL4_IPCBuffer *ipcBuffer;
    seL4_SlotRegion empty;
    seL4_SlotRegion sharedFrames;
    seL4_SlotRegion userImageFrames;
    seL4_SlotRegion userImagePaging;
    seL4_SlotRegion ioSpaceCaps;
    seL4_SlotRegion extraBIPages;
    seL4_Word initThreadCNodeSizeBits;
    seL4_Domain initThreadDomain;
    seL4_SlotRegion untyped;
    seL4_UntypedDesc untypedList[CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS];
} seL4_BootInfo;

/* Header of each chunk of the extra BootInfo region; len includes the header. */
typedef struct seL4_BootInfoHeader {
    seL4_Word id;
    seL4_Word len;
} seL4_BootInfoHeader;

_Static_assert(sizeof(seL4_SlotRegion) == 16, "SlotRegion size");
_Static_assert(sizeof(seL4_UntypedDesc) == 16, "UntypedDesc size");
_Static_assert(offsetof(seL4_UntypedDesc, sizeBits) == 8, "UntypedDesc sizeBits");
_Static_assert(offsetof(seL4_UntypedDesc, isDevice) == 9, "UntypedDesc isDevice");
_Static_assert(offsetof(seL4_UntypedDesc, padding) == 10, "UntypedDesc padding");
_Static_assert(sizeof(seL4_BootInfoHeader) == 16, "BootInfoHeader size");
_Static_assert(sizeof(seL4_BootInfo) == 3848, "BootInfo size");
_Static_assert(offsetof(seL4_BootInfo, extraLen) == 0, "BootInfo extraLen");
_Static_assert(offsetof(seL4_BootInfo, nodeID) == 8, "BootInfo nodeID");
_Static_assert(offsetof(seL4_BootInfo, numNodes) == 16, "BootInfo numNodes");
_Static_assert(offsetof(seL4_BootInfo, numIOPTLevels) == 24, "BootInfo numIOPTLevels");
_Static_assert(offsetof(seL4_BootInfo, ipcBuffer) == 32, "BootInfo ipcBuffer");
_Static_assert(offsetof(seL4_BootInfo, empty) == 40, "BootInfo empty");
_Static_assert(offsetof(seL4_BootInfo, sharedFrames) == 56, "BootInfo sharedFrames");
_Static_assert(offsetof(seL4_BootInfo, userImageFrames) == 72, "BootInfo userImageFrames");
_Static_assert(offsetof(seL4_BootInfo, userImagePaging) == 88, "BootInfo userImagePaging");
_Static_assert(offsetof(seL4_BootInfo, ioSpaceCaps) == 104, "BootInfo ioSpaceCaps");
_Static_assert(offsetof(seL4_BootInfo, extraBIPages) == 120, "BootInfo extraBIPages");
_Static_assert(offsetof(seL4_BootInfo, initThreadCNodeSizeBits) == 136, "BootInfo CNode bits");
_Static_assert(offsetof(seL4_BootInfo, initThreadDomain) == 144, "BootInfo initThreadDomain");
_Static_assert(offsetof(seL4_BootInfo, untyped) == 152, "BootInfo untyped");
_Static_assert(offsetof(seL4_BootInfo, untypedList) == 168, "BootInfo untypedList");
