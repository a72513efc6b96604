# Toolchain and flags shared by every part of the build.
# Target code is built with clang for aarch64-none-elf and linked with ld.lld;
# host tests are built with the host clang under ASan and UBSan.

CC       := clang
LD       := ld.lld
AR       := llvm-ar
OBJCOPY  := llvm-objcopy
OBJDUMP  := llvm-objdump
HOST_CC  := clang
PYTHON   := python3

TARGET   := --target=aarch64-none-elf

WARNINGS := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
            -Wshadow -Wundef

# Flags every target (aarch64) object gets.
TARGET_CFLAGS := $(TARGET) -std=c11 -ffreestanding -fno-common -nostdlib \
                 -fno-stack-protector -fno-pie -fno-pic -mcmodel=small \
                 -O2 -g $(WARNINGS) -MMD -MP

# The kernel never touches FP/SIMD registers itself (they belong to user threads).
KERNEL_CFLAGS := $(TARGET_CFLAGS) -mgeneral-regs-only -fno-builtin-printf \
                 -fomit-frame-pointer

# User programs (root tasks, servers) may use FP/SIMD.
USER_CFLAGS := $(TARGET_CFLAGS)

# The OS's servers and drivers (rs, pm, vfs, the drivers, the process
# builder, the generated dispatch) never touch an FP/SIMD register: while
# one runs, its client's FPU state stays in the registers, so a call to it
# costs no FPU handover (docs/benchmarks.md, ipc_call_fpu_handover).
SERVER_FLAGS := -mgeneral-regs-only

HOST_CFLAGS := -std=c11 -O1 -g $(WARNINGS) -fsanitize=address,undefined \
               -fno-sanitize-recover=all -fno-omit-frame-pointer -MMD -MP \
               -DKEEL_HOST_TEST=1

ASFLAGS_TARGET := $(TARGET) -g -MMD -MP
