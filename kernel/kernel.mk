# The kernel: every source under kernel/ for this ARCH and BOARD, plus the
# shared freestanding code in common/, linked by kernel/arch/$(ARCH)/kernel.ld.

KERNEL_ELF := $(BUILD)/kernel.elf
KERNEL_LDSCRIPT := kernel/arch/$(ARCH)/kernel.ld
KERNEL_DEFINES ?=

KERNEL_SRCS := $(wildcard kernel/core/*.c kernel/api/*.c kernel/object/*.c \
                          kernel/arch/$(ARCH)/*.c kernel/arch/$(ARCH)/*.S \
                          kernel/arch/$(ARCH)/object/*.c \
                          kernel/plat/$(BOARD)/*.c)
KERNEL_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(KERNEL_SRCS))) \
               $(BUILD)/obj/kernel/common/fdt.o $(BUILD)/obj/kernel/common/memops.o

# Runs with the MMU off, where every access is a Device access: no unaligned
# accesses may be generated.
$(BUILD)/obj/kernel/arch/$(ARCH)/boot_mmu.o: CFLAGS = $(KERNEL_CFLAGS) $(KERNEL_INCLUDES) \
    $(KERNEL_DEFINES) -mstrict-align

$(KERNEL_ELF): $(KERNEL_OBJS) $(KERNEL_LDSCRIPT)
	$(LD) -T $(KERNEL_LDSCRIPT) -nostdlib -static -z max-page-size=4096 -o $@ $(KERNEL_OBJS)

.PHONY: kernel
kernel: $(KERNEL_ELF)
