# The portable programs of /bin (docs/os.md "The shell and the utilities"):
# each is built for Keel with os_program (user/os/lib/libos.mk) into
# $(BUILD)/programs/NAME.elf. Those that use nothing but POSIX are also
# built for the host under ASan/UBSan from the same BIN_SRCS_NAME lists
# (BIN_HOST_PROGRAMS, tests/host/bin.mk).

# The shell and the utilities.
BIN_SH_PROGRAMS := sh echo cat ls wc head true false grep kill sleep date
BIN_SRCS_sh     := user/bin/sh/main.c user/bin/sh/parse.c user/bin/sh/run.c
$(foreach p,$(filter-out sh,$(BIN_SH_PROGRAMS)),$(eval BIN_SRCS_$(p) := user/bin/$(p)/$(p).c))
BIN_HOST_PROGRAMS += $(BIN_SH_PROGRAMS)

ifdef os_program
$(foreach p,$(BIN_SH_PROGRAMS),$(eval $(call os_program,$(p),$(BIN_SRCS_$(p)))))
BIN_ELFS += $(patsubst %,$(BUILD)/programs/%.elf,$(BIN_SH_PROGRAMS))
endif

.PHONY: bin
bin: $(BIN_ELFS)
TEST_DEPS += $(BIN_ELFS)
