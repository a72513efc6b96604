# Host tests: kernel sources compiled for the build machine under ASan and UBSan
# (HOST_CFLAGS), each test file linked with the harness into $(BUILD)/host/test_<name>.
# tools/runtests.py runs them from the `host` entries of tests/tests.list.

HOST_HARNESS := tests/host/harness.c

# The architecture's and board's headers come after tests/host, so a host
# stand-in there (tests/host/arch/machine.h) replaces the real one; the others
# are plain C and are used as they are.
HOST_INCLUDES += -Ikernel/arch/$(ARCH)/include -Ikernel/plat/$(BOARD)/include

# host_test(name, kernel sources under test): builds $(BUILD)/host/test_<name>
# from tests/host/test_<name>.c.
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

# The CSpace, derivation-tree and Untyped code against a reference model
# (tests/host/cspace_model.c), with host stand-ins for the rest of the kernel.
HOST_KERNEL_CAP_SRCS := kernel/core/cdt.c kernel/core/capability.c kernel/core/cspace.c \
    kernel/core/delete.c kernel/core/invariants.c kernel/api/invocation.c \
    kernel/object/cnode_invocation.c kernel/object/untyped.c \
    kernel/object/objecttype.c kernel/object/tcb.c kernel/object/tcb_invocation.c \
    kernel/object/endpoint.c kernel/object/notification.c kernel/object/irq.c \
    kernel/object/domain.c kernel/core/domain_schedule.c kernel/core/ready_queue.c \
    kernel/arch/aarch64/object/objecttype.c kernel/arch/aarch64/object/vspace_invocation.c \
    kernel/arch/aarch64/object/asid.c
HOST_KERNEL_ENV_SRCS := tests/host/host_env.c tests/host/kernel_stubs.c
$(eval $(call host_test,cspace_model,tests/host/cspace_model.c $(HOST_KERNEL_ENV_SRCS) \
    $(HOST_KERNEL_CAP_SRCS)))

.PHONY: host-tests
host-tests: $(filter $(BUILD)/host/%,$(TEST_DEPS))
