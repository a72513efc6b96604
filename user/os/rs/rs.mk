# rs, the root task of the OS (docs/os.md): its sources, the boot archive
# linked into it (archive.S includes the archive), and the OS images
# $(BUILD)/images/NAME.elf = the kernel + rs (os_image). Built inside the kernel variant
# `os` (system/system.mk), so $(BUILD) is $(BUILD)/os of the top-level make.

RS_SRCS := user/os/rs/main.c user/os/rs/mem.c user/os/rs/objects.c user/os/rs/build.c \
           user/os/rs/fault.c user/os/rs/sysdesc.c user/os/rs/service.c user/os/rs/restart.c \
           user/os/rs/inject.c user/os/rs/text.c user/os/rs/heartbeat.c \
           user/os/rs/scrub.c
RS_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(RS_SRCS)) $(KB_OBJS) $(BUILD)/obj/user/os/rs/rs_server.o

$(BUILD)/obj/user/os/rs/%.o: CFLAGS = $(USER_CFLAGS) $(SERVER_FLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES)
$(RS_OBJS): | $(GEN_HEADERS) $(PROTO_HEADERS)

# rs serves proto/rs.proto (service.c): the generated dispatch, compiled
# freestanding like rs, with picolibc's headers for the errno numbers that
# every program and server shares (no picolibc code is linked).
RS_ERRNO_INCLUDES := -isystem $(PICOLIBC)/include
$(BUILD)/obj/user/os/rs/service.o $(BUILD)/obj/user/os/rs/inject.o: CFLAGS += $(RS_ERRNO_INCLUDES)
$(BUILD)/obj/user/os/rs/rs_server.o: $(PROTO_SRC_DIR)/rs_server.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES) $(RS_ERRNO_INCLUDES) -c $< -o $@

# os_image(NAME, DESCRIPTION): the boot image $(BUILD)/images/NAME.elf, the
# kernel and an rs whose archive mksystem packs from DESCRIPTION and every
# component and program ELF. Evaluated after every os_component and
# os_program (system/system.mk is included last of the OS fragments).
define os_image
$(BUILD)/system/$(1).archive: $(2) tools/mksystem.py $(OS_COMPONENTS) $(OS_PROGRAMS)
	@mkdir -p $$(@D)
	$(PYTHON) tools/mksystem.py $(2) --elf-dir $(BUILD)/components --elf-dir $(BUILD)/programs \
	    --ram $(OS_RAM) -o $$@

$(BUILD)/obj/user/os/rs/archive-$(1).o: user/os/rs/archive.S $(BUILD)/system/$(1).archive
	@mkdir -p $$(@D)
	$(CC) $(ASFLAGS_TARGET) -DKEEL_ARCHIVE_PATH='"$(BUILD)/system/$(1).archive"' -c $$< -o $$@

$(BUILD)/user/rs-$(1).elf: $(RS_OBJS) $(BUILD)/obj/user/os/rs/archive-$(1).o $(LIBKEEL_LINK_DEPS)
	@mkdir -p $$(@D)
	$(LD) $(LIBKEEL_LDFLAGS) -o $$@ $(RS_OBJS) $(BUILD)/obj/user/os/rs/archive-$(1).o $(LIBKEEL_LINK)

$(BUILD)/images/$(1).elf: $(KERNEL_ELF) $(BUILD)/user/rs-$(1).elf tools/pack_image.py
	@mkdir -p $$(@D)
	$(PYTHON) tools/pack_image.py --kernel $(KERNEL_ELF) --root $(BUILD)/user/rs-$(1).elf -o $$@

OS_IMAGE_FILES += $(BUILD)/images/$(1).elf
endef

# rs's checks of the archive (check.h), built for the host under ASan and
# UBSan: tests/host/test_mksystem.py runs them on what mksystem writes and
# on corrupted copies.
RSCHECK := $(BUILD)/host/rscheck
RSCHECK_OBJS := $(patsubst %.c,$(BUILD)/host/obj/%.o,tests/host/rscheck.c user/os/lib/build/elf.c \
                                                     user/os/rs/sysdesc.c)
$(RSCHECK_OBJS): HOST_INCLUDES += $(OS_BASE_INCLUDES)

$(RSCHECK): $(RSCHECK_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^

TEST_DEPS += $(RSCHECK)
