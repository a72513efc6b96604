# The kernel fuzzer (tests/kfuzz/kfuzz.c, docs/testing.md "The kernel
# fuzzer"): its own root task, an image like ktest's. tests/tests.list runs
# it briefly (kfuzz), tests/stress.list for 10^7 calls (kfuzz.long).

KFUZZ_SRCS := tests/kfuzz/kfuzz.c

$(eval $(call user_program,kfuzz,$(KFUZZ_SRCS)))

$(kfuzz_OBJS): | $(GEN_HEADERS)

TEST_DEPS += $(BUILD)/user/kfuzz.elf

# The long run of make stress (docs/testing.md "The kernel fuzzer"):
#   make kfuzz-long [KFUZZ_SEED=$(SEED)] [KFUZZ_CALLS=10000000]
# a one-entry list in $(BUILD) with the seed and count, judged by the runner
# like tests.list's kfuzz (KERNEL PANIC or a failure line fails it, and so
# does a hang: the timeout).
KFUZZ_SEED  ?= $(or $(SEED),1)
KFUZZ_CALLS ?= 10000000
KFUZZ_TIMEOUT ?= 3600
KFUZZ_LIST := $(BUILD)/kfuzz-long.list

.PHONY: kfuzz-long
kfuzz-long: $(BUILD)/images/kfuzz.elf
	@printf '%s\n' "qemu kfuzz.long image=kfuzz timeout=$(KFUZZ_TIMEOUT) append='kfuzz.seed=$(KFUZZ_SEED) kfuzz.calls=$(KFUZZ_CALLS)' fail='KERNEL PANIC|^kfuzz: FAILED' expect='^kfuzz: done$$'" > $(KFUZZ_LIST)
	$(PYTHON) tools/runtests.py --list $(KFUZZ_LIST) --build $(BUILD) -j1
