# Generic compile rules. Objects live under $(BUILD)/obj mirroring the source tree;
# the flags depend on which tree a source belongs to (kernel or user).

KERNEL_INCLUDES := -Ikernel/include -Ikernel/arch/$(ARCH)/include \
                   -Ikernel/plat/$(BOARD)/include -Icommon/include -I$(GEN_INCLUDE)
USER_INCLUDES   := -Ilibkeel/include -Icommon/include -I$(GEN_INCLUDE)

$(BUILD)/obj/kernel/%.o: CFLAGS = $(KERNEL_CFLAGS) $(KERNEL_INCLUDES) $(KERNEL_DEFINES)
$(BUILD)/obj/kernel/%.o: ASFLAGS = $(ASFLAGS_TARGET) $(KERNEL_INCLUDES) $(KERNEL_DEFINES)
$(BUILD)/obj/%.o: CFLAGS ?= $(USER_CFLAGS) $(USER_INCLUDES)
$(BUILD)/obj/%.o: ASFLAGS ?= $(ASFLAGS_TARGET) $(USER_INCLUDES)

# Freestanding code shared with user level (common/), built the kernel's way.
$(BUILD)/obj/kernel/common/%.o: common/%.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ASFLAGS) -c $< -o $@

# Host objects: the same sources compiled for the build machine, with sanitizers.
HOST_INCLUDES := -Itests/host -Ikernel/include -Icommon/include -I$(GEN_INCLUDE)
$(BUILD)/host/obj/%.o: %.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_INCLUDES) -c $< -o $@

# user_program(name, sources): an ELF linked against libkeel as a root task.
define user_program
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/obj/%.o,$$(patsubst %.S,$(BUILD)/obj/%.o,$(2)))
$(BUILD)/user/$(1).elf: $$($(1)_OBJS) $$(LIBKEEL_LINK_DEPS)
	@mkdir -p $$(@D)
	$$(LD) $$(LIBKEEL_LDFLAGS) -o $$@ $$($(1)_OBJS) $$(LIBKEEL_LINK)
USER_PROGRAMS += $(BUILD)/user/$(1).elf
endef

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
