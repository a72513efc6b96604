# libkeel: the user-level C library for the seL4 ABI, and the root-task start-up.
# Root tasks link $(LIBKEEL_LINK) with $(LIBKEEL_LDFLAGS) (see user_program in
# mk/rules.mk). The FDT reader is shared with the kernel: compiled here again with
# user flags, into libkeel's own object directory.

LIBKEEL_SRCS := libkeel/src/bootinfo.c libkeel/src/ipcbuf.c libkeel/src/printf.c \
                libkeel/src/start.c libkeel/src/string.c libkeel/src/tls.c
LIBKEEL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBKEEL_SRCS)) $(BUILD)/libkeel/obj/fdt.o \
                $(BUILD)/libkeel/obj/memops.o
LIBKEEL_CRT0 := $(BUILD)/obj/libkeel/src/crt0.o
LIBKEEL_A    := $(BUILD)/libkeel/libkeel.a

LIBKEEL_LDFLAGS   := -T libkeel/rootserver.ld --gc-sections -nostdlib -static \
                     -z max-page-size=4096 --build-id=none
LIBKEEL_LINK      := $(LIBKEEL_CRT0) $(LIBKEEL_A)
LIBKEEL_LINK_DEPS := $(LIBKEEL_LINK) libkeel/rootserver.ld

# libkeel touches no FP/SIMD register, so it also serves threads whose FPU is
# disabled (TCB_SetFlags).
LIBKEEL_CFLAGS := $(USER_CFLAGS) $(USER_INCLUDES) -mgeneral-regs-only
$(BUILD)/obj/libkeel/%.o: CFLAGS = $(LIBKEEL_CFLAGS)

$(BUILD)/libkeel/obj/%.o: common/%.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(LIBKEEL_CFLAGS) -c $< -o $@

$(LIBKEEL_A): $(LIBKEEL_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(LIBKEEL_OBJS) $(LIBKEEL_CRT0): | $(GEN_HEADERS)

libkeel: $(LIBKEEL_A) $(LIBKEEL_CRT0)
.PHONY: libkeel

# make check: every libkeel header and generated header compiles on its own
# (STYLE 12), with the flags of user programs.
LIBKEEL_HEADERS := $(wildcard libkeel/include/keel/*.h libkeel/include/sel4/*.h)
LIBKEEL_HEADER_STAMPS := $(patsubst %.h,$(BUILD)/check/%.ok,$(LIBKEEL_HEADERS)) \
                         $(patsubst %.h,$(BUILD)/check/%.ok,$(GEN_HEADERS))

$(BUILD)/check/libkeel/%.ok: libkeel/%.h | $(GEN_HEADERS)
	@mkdir -p $(@D)
	@echo '#include "$(abspath $<)"' | $(CC) $(USER_CFLAGS) $(USER_INCLUDES) -x c -c - -o /dev/null
	@touch $@

$(BUILD)/check/$(GEN_INCLUDE)/%.ok: $(GEN_INCLUDE)/%.h
	@mkdir -p $(@D)
	@echo '#include "$(abspath $<)"' | $(CC) $(USER_CFLAGS) $(USER_INCLUDES) -x c -c - -o /dev/null
	@touch $@

.PHONY: check-libkeel-headers
check-libkeel-headers: $(LIBKEEL_HEADER_STAMPS)
	@echo "libkeel headers: $(words $(LIBKEEL_HEADER_STAMPS)) compile on their own"
check: check-libkeel-headers
