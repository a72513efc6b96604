# vmtest: the in-QEMU virtual-memory tests (issue 5), a root task of its own
# that reuses ktest's runner and object helpers (compiled again into its own
# object directory, so this fragment does not depend on ktest.mk).

VMTEST_SRCS := tests/vmtest/main.c tests/vmtest/util.c tests/vmtest/probe.S \
               tests/vmtest/test_map.c tests/vmtest/test_cache.c tests/vmtest/test_asid.c \
               tests/vmtest/test_fault.c tests/vmtest/test_switch.c
VMTEST_KTEST_SRCS := tests/ktest/framework.c tests/ktest/boot.c tests/ktest/objects.c

$(BUILD)/obj/tests/vmtest/%.o: CFLAGS = $(USER_CFLAGS) $(USER_INCLUDES) -mgeneral-regs-only

# ktest's helpers, built for vmtest under its own object directory.
$(BUILD)/obj/tests/vmtest/ktest/%.o: tests/ktest/%.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(eval $(call user_program,vmtest,$(VMTEST_SRCS)))
vmtest_OBJS += $(VMTEST_KTEST_SRCS:tests/ktest/%.c=$(BUILD)/obj/tests/vmtest/ktest/%.o)
$(BUILD)/user/vmtest.elf: $(VMTEST_KTEST_SRCS:tests/ktest/%.c=$(BUILD)/obj/tests/vmtest/ktest/%.o)

$(vmtest_OBJS): | $(GEN_HEADERS)

TEST_DEPS += $(BUILD)/user/vmtest.elf
