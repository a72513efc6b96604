# The start-up every component and program links (keel/os/start.h,
# docs/os.md "The start of a component or program"): crt0.o, entered with
# x0 = the start page, and libstart.a. os_component links a component with
# them and libkeel; libos's program macro links them with picolibc.

OS_BASE_INCLUDES := -Iuser/os/include
OS_START_CRT0 := $(BUILD)/obj/user/os/lib/start/crt0.o
OS_START_OBJS := $(BUILD)/obj/user/os/lib/start/start.o
OS_START_A    := $(BUILD)/user/os/libstart.a
OS_START_LINK := $(OS_START_CRT0) $(OS_START_A)

$(BUILD)/obj/user/os/lib/start/%.o: CFLAGS = $(USER_CFLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES)
$(OS_START_OBJS) $(OS_START_CRT0): | $(GEN_HEADERS)

$(OS_START_A): $(OS_START_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# os_component(name, sources[, objects]): $(BUILD)/components/<name>.elf, a component
# for the system description (system/keel.system names it by that file),
# linked at 0x400000 like a root task (libkeel/rootserver.ld), started by
# rs through the start-up above.
define os_component
$(1)_OBJS := $$(patsubst %.c,$(BUILD)/obj/%.o,$(2)) $(3)
$$($(1)_OBJS): | $$(GEN_HEADERS)
# the recipe links the objects named here: a program and a component may share NAME
$(BUILD)/components/$(1).elf: LINK_OBJS := $$($(1)_OBJS)
$(BUILD)/components/$(1).elf: $$($(1)_OBJS) $$(OS_START_CRT0) $$(OS_START_A) $$(LIBKEEL_A) libkeel/rootserver.ld
	@mkdir -p $$(@D)
	$$(LD) $$(LIBKEEL_LDFLAGS) -o $$@ $$(OS_START_CRT0) $$(LINK_OBJS) $$(OS_START_A) $$(LIBKEEL_A)
OS_COMPONENTS += $(BUILD)/components/$(1).elf
endef

# make check: the shared OS headers compile on their own freestanding, as
# rs and the components include them (libos.mk checks them hosted).
OS_BASE_HEADERS := $(wildcard user/os/include/keel/os/*.h user/os/lib/build/*.h)
OS_BASE_HEADER_STAMPS := $(patsubst %.h,$(BUILD)/check/freestanding/%.ok,$(OS_BASE_HEADERS))

$(BUILD)/check/freestanding/user/os/%.ok: user/os/%.h | $(GEN_HEADERS)
	@mkdir -p $(@D)
	@echo '#include "$(abspath $<)"' | $(CC) $(USER_CFLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES) -x c -c - -o /dev/null
	@touch $@

.PHONY: check-os-base-headers
check-os-base-headers: $(OS_BASE_HEADER_STAMPS)
	@echo "OS headers: $(words $(OS_BASE_HEADER_STAMPS)) compile on their own freestanding"
check: check-os-base-headers
