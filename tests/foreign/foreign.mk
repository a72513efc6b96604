# The foreign root task: built here only for convenience, but with its own flags,
# start-up code and linker script and no libkeel, as a root server built
# elsewhere would be. mk/images.mk packs it like every user program
# ($(BUILD)/images/foreign.elf); `make image ROOTTASK=$(BUILD)/user/foreign.elf`
# does the same by hand.

FOREIGN_DIR    := $(BUILD)/foreign
FOREIGN_OBJS   := $(FOREIGN_DIR)/crt.o $(FOREIGN_DIR)/main.o
FOREIGN_CFLAGS := $(TARGET) -std=c11 -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
                  -fno-stack-protector -mgeneral-regs-only -O2 -g $(WARNINGS) -MMD -MP

$(FOREIGN_DIR)/%.o: tests/foreign/%.c
	@mkdir -p $(@D)
	$(CC) $(FOREIGN_CFLAGS) -c $< -o $@

$(FOREIGN_DIR)/%.o: tests/foreign/%.S
	@mkdir -p $(@D)
	$(CC) $(TARGET) -g -MMD -MP -c $< -o $@

$(BUILD)/user/foreign.elf: $(FOREIGN_OBJS) tests/foreign/foreign.ld
	@mkdir -p $(@D)
	$(LD) -T tests/foreign/foreign.ld -nostdlib -static -z max-page-size=4096 \
	    --build-id=none -o $@ $(FOREIGN_OBJS)

USER_PROGRAMS += $(BUILD)/user/foreign.elf
