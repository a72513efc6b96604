# The kernel fuzzer (tests/kfuzz/kfuzz.c, docs/testing.md "The kernel
# fuzzer"): its own root task, an image like ktest's. tests/tests.list runs
# it briefly (kfuzz), tests/stress.list for 10^7 calls (kfuzz.long).

KFUZZ_SRCS := tests/kfuzz/kfuzz.c

$(eval $(call user_program,kfuzz,$(KFUZZ_SRCS)))

$(kfuzz_OBJS): | $(GEN_HEADERS)

TEST_DEPS += $(BUILD)/user/kfuzz.elf
