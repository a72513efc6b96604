/* The per-thread IPC buffer pointer behind seL4_GetIPCBuffer()/seL4_SetIPCBuffer(). */
#include <keel/ipcbuf.h>

__thread seL4_IPCBuffer *keel_ipc_buffer;
