/* The architecture-independent kernel linked whole with the stub port
 * (tests/host/stubarch) and nothing else: that the link succeeds is the
 * proof that kernel/core, kernel/object and kernel/api need no more of an
 * architecture than arch.h declares. The tests run the real IPC code on
 * host memory and check that it puts a message, and a fault message, where
 * the port says (the stub's registers are not AArch64's). */
#include "harness.h"

#include <arch/arch.h>
#include <fault.h>
#include <ipc.h>
#include <keel/gen/abi.h>
#include <object/endpoint.h>
#include <stdlib.h>
#include <string.h>
#include <thread.h>

static endpoint_t endpoint __attribute__((aligned(16)));
static tcb_t *sender, *receiver;

static tcb_t *new_thread(void)
{
    tcb_t *t = aligned_alloc(1u << TCB_SIZE_BITS, 1u << TCB_SIZE_BITS);
    memset(t, 0, 1u << TCB_SIZE_BITS);
    t->state = thread_running;
    t->priority = 100;
    return t;
}

/* The receiver waits on the endpoint, the sender is current. */
static void setup(void)
{
    free(sender);
    free(receiver);
    sender = new_thread();
    receiver = new_thread();
    endpoint = (endpoint_t){ 0, 0 };
    ks_cur_thread = receiver;
    ks_sched_action = SCHED_RESUME_CURRENT;
    endpoint_receive(receiver, &endpoint, false, true);
    ks_cur_thread = sender;
    ks_sched_action = SCHED_RESUME_CURRENT;
}

TEST(the_whole_kernel_links_with_the_stub_port)
{
    EXPECT_TRUE(sizeof(tcb_t) <= (1u << TCB_SIZE_BITS));
    EXPECT_EQ(offsetof(tcb_t, context), 0);
}

TEST(a_send_delivers_badge_tag_and_registers_where_the_port_says)
{
    setup();
    ASSERT_EQ(receiver->state, thread_blocked_on_receive);
    sender->context.r[ARCH_REG_MSG_INFO] = (7ull << 12) | 3; /* label 7, three MRs */
    for (word_t i = 0; i < ARCH_MSG_REGISTERS; i++) {
        sender->context.r[ARCH_REG_MR0 + i] = 0x100 + i;
    }
    endpoint_send(sender, &endpoint, 0xbadd, 0, true);
    EXPECT_EQ(receiver->state, thread_running);
    EXPECT_EQ(receiver->context.r[ARCH_REG_BADGE], 0xbadd);
    EXPECT_EQ(receiver->context.r[ARCH_REG_MSG_INFO], (7ull << 12) | 3);
    for (word_t i = 0; i < 3; i++) {
        EXPECT_EQ(receiver->context.r[ARCH_REG_MR0 + i], 0x100 + i);
    }
    EXPECT_EQ(receiver->context.r[ARCH_REG_MR0 + 3], 0); /* beyond the length */
    EXPECT_TRUE(ks_sched_action == receiver);            /* the entry's candidate */
}

/* Deliver the fault just recorded for the sender (whose register r holds
 * base + r) to the receiver; returns the message's tag. */
static word_t deliver_fault(word_t base)
{
    for (word_t r = 0; r < STUB_CONTEXT_WORDS; r++) {
        sender->context.r[r] = base + r;
    }
    ipc_transfer(sender, &endpoint, 0, false, receiver);
    return receiver->context.r[ARCH_REG_MSG_INFO];
}

/* Without an IPC buffer only the message registers arrive. */
TEST(an_unknown_syscall_fault_message_carries_the_port_registers)
{
    setup();
    fault_set_unknown_syscall(sender, 42);
    word_t info = deliver_fault(0x1000);
    EXPECT_EQ(info >> 12, seL4_Fault_UnknownSyscall);
    ASSERT_EQ(info & 0x7f, ARCH_MSG_REGISTERS);
    for (word_t i = 0; i < ARCH_MSG_REGISTERS; i++) {
        EXPECT_EQ(receiver->context.r[ARCH_REG_MR0 + i], 0x1000 + arch_syscall_fault_registers[i]);
    }
}

TEST(a_user_exception_fault_message_carries_the_port_registers)
{
    setup();
    fault_set_user_exception(sender, 0x55);
    word_t info = deliver_fault(0x2000);
    EXPECT_EQ(info >> 12, seL4_Fault_UserException);
    ASSERT_EQ(info & 0x7f, ARCH_MSG_REGISTERS);
    for (word_t i = 0; i < seL4_UserException_Number; i++) {
        EXPECT_EQ(receiver->context.r[ARCH_REG_MR0 + i],
                  0x2000 + arch_exception_fault_registers[i]);
    }
    EXPECT_EQ(receiver->context.r[ARCH_REG_MR0 + seL4_UserException_Number], 0x55);
}
