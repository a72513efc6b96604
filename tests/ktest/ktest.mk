# In-QEMU kernel tests: the ktest root task and the misbehaviour root tasks,
# each its own ELF (images under $(BUILD)/images). tests/tests.list says how
# the runner judges each.

KTEST_SRCS := tests/ktest/main.c tests/ktest/framework.c tests/ktest/boot.c \
              tests/ktest/regs.S tests/ktest/test_bootinfo.c tests/ktest/test_untypeds.c \
              tests/ktest/test_syscalls.c tests/ktest/test_memory.c \
              tests/ktest/test_invocations.c tests/ktest/test_libkeel.c tests/ktest/test_fpu.c tests/ktest/fpu.S \
              tests/ktest/objects.c tests/ktest/test_untyped.c tests/ktest/test_cnode.c \
              tests/ktest/test_revoke.c tests/ktest/threads.c tests/ktest/test_tcb.c \
              tests/ktest/test_ipc.c tests/ktest/test_notification.c tests/ktest/test_fault.c \
              tests/ktest/test_sched.c tests/ktest/test_sched_order.c tests/ktest/test_domains.c \
              tests/ktest/test_irq_wake.c tests/ktest/test_hwdebug.c tests/ktest/test_timer.c
KTEST_FAULT_PROGRAMS := fault_unknown_syscall fault_wild_access fault_undefined

# The test code itself uses no FP/SIMD (only fpu.S does, on purpose), so a
# test's outcome never depends on the FPU state of the thread running it.
$(BUILD)/obj/tests/ktest/%.o: CFLAGS = $(USER_CFLAGS) $(USER_INCLUDES) -mgeneral-regs-only

$(eval $(call user_program,ktest,$(KTEST_SRCS)))
$(foreach p,$(KTEST_FAULT_PROGRAMS),$(eval $(call user_program,$(p),tests/ktest/$(p).c)))

$(ktest_OBJS) $(foreach p,$(KTEST_FAULT_PROGRAMS),$($(p)_OBJS)): | $(GEN_HEADERS)

TEST_DEPS += $(BUILD)/user/ktest.elf $(KTEST_FAULT_PROGRAMS:%=$(BUILD)/user/%.elf)
