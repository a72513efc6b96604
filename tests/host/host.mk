# Host tests: kernel sources compiled for the build machine under ASan and UBSan
# (HOST_CFLAGS), each test file linked with the harness into $(BUILD)/host/test_<name>.
# tools/runtests.py runs them from the `host` entries of tests/tests.list.
#
# Two ports. The architecture-independent kernel is built against the stub
# port, tests/host/stubarch: its include/arch/arch.h is the only architecture
# header on the include path (mk/rules.mk: no kernel/arch, no kernel/plat),
# so these tests prove that kernel/core, kernel/object and kernel/api need
# nothing else. The AArch64 port's own object code (frames, page tables,
# VSpaces, ASIDs, its cap rules) is tested with its real headers and host
# stand-ins for its machine (tests/host/aarch64), in $(BUILD)/host/aarch64/.

HOST_HARNESS := tests/host/harness.c
HOST_INCLUDES += -Itests/host/stubarch/include
HOST_STUB_SRCS := tests/host/stubarch/stubarch.c

# host_test(name, kernel sources under test): builds $(BUILD)/host/test_<name>
# from tests/host/test_<name>.c, against the stub port.
define host_test
$(BUILD)/host/test_$(1): $$(patsubst %.c,$(BUILD)/host/obj/%.o,tests/host/test_$(1).c $(HOST_HARNESS) $(2))
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_CFLAGS) -o $$@ $$^
TEST_DEPS += $(BUILD)/host/test_$(1)
endef

$(eval $(call host_test,fdt,common/fdt.c))
$(eval $(call host_test,region,kernel/core/region.c))
$(eval $(call host_test,cdt,kernel/core/cdt.c kernel/core/capability.c))
$(eval $(call host_test,sched,kernel/core/ready_queue.c))
# common/memops.c is included by the test itself, renamed (test_memops.c).
$(eval $(call host_test,memops,))
# libos's string functions (user/os/lib/string.c), included renamed the same
# way by test_string.c, against the host's.
$(eval $(call host_test,string,))

# Every source of the architecture-independent kernel, linked with nothing
# but the stub port (and common/fdt.c): a file nobody else links is still
# compiled, and a name the kernel uses that arch.h does not declare fails
# the link. test_core then runs IPC and fault messages through the real
# code with the stub's registers.
HOST_CORE_SRCS := $(sort $(wildcard kernel/core/*.c kernel/object/*.c kernel/api/*.c))
$(eval $(call host_test,core,$(HOST_CORE_SRCS) $(HOST_STUB_SRCS) common/fdt.c))

# The generic headers, each compiled alone against the stub port.
HOST_CORE_HEADERS := $(wildcard kernel/include/*.h kernel/include/*/*.h)
HOST_HEADER_STAMPS := $(patsubst %.h,$(BUILD)/host/headers/%.ok,$(HOST_CORE_HEADERS))
$(BUILD)/host/headers/%.ok: %.h | $(GEN_HEADERS)
	@mkdir -p $(@D)
	@echo '#include "$(abspath $<)"' | $(HOST_CC) $(HOST_CFLAGS) $(HOST_INCLUDES) -x c -c - -o /dev/null
	@touch $@
TEST_DEPS += $(HOST_HEADER_STAMPS)

.PHONY: host-core
host-core: $(BUILD)/host/test_core $(HOST_HEADER_STAMPS)

# The CSpace, derivation-tree and Untyped code against a reference model
# (tests/host/cspace_model.c), with host stand-ins for the rest of the kernel.
HOST_KERNEL_CAP_SRCS := kernel/core/cdt.c kernel/core/capability.c kernel/core/cspace.c \
    kernel/core/delete.c kernel/core/invariants.c kernel/core/invocation.c \
    kernel/api/invocation.c kernel/object/cnode_invocation.c kernel/object/untyped.c \
    kernel/object/objecttype.c kernel/object/tcb.c kernel/object/tcb_invocation.c \
    kernel/object/endpoint.c kernel/object/notification.c kernel/object/irq.c \
    kernel/object/domain.c kernel/core/domain_schedule.c kernel/core/ready_queue.c
HOST_KERNEL_ENV_SRCS := tests/host/host_env.c tests/host/kernel_stubs.c
$(eval $(call host_test,cspace_model,tests/host/cspace_model.c tests/host/stubarch/host_arch.c \
    $(HOST_KERNEL_ENV_SRCS) $(HOST_KERNEL_CAP_SRCS) $(HOST_STUB_SRCS)))

# The AArch64 port: its headers, with tests/host/aarch64 first (a host
# stand-in for arch/machine.h) and its own objects' code.
HOST_AARCH64_INCLUDES := -Itests/host/aarch64 -Itests/host -Ikernel/include \
    -Ikernel/arch/aarch64/include -Ikernel/plat/qemu-virt/include -Icommon/include \
    -I$(GEN_INCLUDE)
HOST_AARCH64_SRCS := kernel/arch/aarch64/object/objecttype.c \
    kernel/arch/aarch64/object/vspace_invocation.c kernel/arch/aarch64/object/asid.c \
    kernel/arch/aarch64/object/irq.c tests/host/aarch64/arch_stubs.c \
    tests/host/aarch64/host_arch.c
$(BUILD)/host/aarch64/obj/%.o: %.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_AARCH64_INCLUDES) -c $< -o $@

# host_test_aarch64(name, sources): $(BUILD)/host/test_<name>.aarch64 from
# tests/host/test_<name>.c, against the AArch64 port.
define host_test_aarch64
$(BUILD)/host/test_$(1).aarch64: $$(patsubst %.c,$(BUILD)/host/aarch64/obj/%.o,tests/host/test_$(1).c $(HOST_HARNESS) $(2))
	@mkdir -p $$(@D)
	$$(HOST_CC) $$(HOST_CFLAGS) -o $$@ $$^
TEST_DEPS += $(BUILD)/host/test_$(1).aarch64
endef

$(eval $(call host_test_aarch64,cspace_model,tests/host/cspace_model.c $(HOST_KERNEL_ENV_SRCS) \
    $(HOST_KERNEL_CAP_SRCS) $(HOST_AARCH64_SRCS)))

.PHONY: host-tests
host-tests: $(filter $(BUILD)/host/%,$(TEST_DEPS))
