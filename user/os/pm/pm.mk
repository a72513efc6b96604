# pm, the process manager (docs/os.md "pm"): a component of the system
# description, freestanding like rs (libkeel), linking the process builder
# and the generated dispatch of proto/pm.proto (compiled on picolibc's
# headers for its errno numbers, which pm's handlers share: PM_CFLAGS).

PM_SRCS := user/os/pm/main.c user/os/pm/proc.c user/os/pm/methods.c user/os/pm/clock.c \
           user/os/pm/load.c
$(BUILD)/obj/user/os/pm/%.o: CFLAGS = $(USER_CFLAGS) $(SERVER_FLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES) \
                                       -idirafter $(PICOLIBC)/include
$(eval $(call os_component,pm,$(PM_SRCS),$(KB_OBJS) $(BUILD)/obj/proto/pm_server.o))
$(patsubst %.c,$(BUILD)/obj/%.o,$(PM_SRCS)): | $(PROTO_HEADERS)
