/* Thread control blocks: helpers shared by IPC, faults and invocations. */
#include <object/tcb.h>

static unsigned frame_size_bits(cap_t frame)
{
    static const uint8_t bits[] = { 12, 21, 30, 0 };
    return bits[cap_frame_size(frame) & 3];
}

word_t *tcb_ipc_buffer(tcb_t *thread, bool writing)
{
    cap_t frame = tcb_slot(thread, TCB_IPC_BUFFER)->cap;
    if (cap_type(frame) != cap_frame || cap_frame_is_device(frame)) {
        return NULL;
    }
    word_t rights = cap_frame_vm_rights(frame);
    if (rights == VM_KERNEL_ONLY || (writing && rights != VM_READ_WRITE)) {
        return NULL;
    }
    word_t offset = thread->ipc_buffer & MASK(frame_size_bits(frame));
    return paddr_to_ptr(cap_paddr(frame) + offset);
}
