# The process builder (user/os/lib/build/build.h): rs and pm link it.
# Freestanding (libkeel), as rs is.

KB_SRCS := user/os/lib/build/build.c user/os/lib/build/elf.c
KB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(KB_SRCS))

$(BUILD)/obj/user/os/lib/build/%.o: CFLAGS = $(USER_CFLAGS) $(SERVER_FLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES)
$(KB_OBJS): | $(GEN_HEADERS)
