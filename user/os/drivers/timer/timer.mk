# The timer driver (user/os/drivers/timer/, docs/os.md "timer"): a
# freestanding component like uart (libkeel and the start-up only), with the
# generated dispatch of proto/timer.proto; compiled on picolibc's headers
# for the errno numbers every server shares (no picolibc code is linked).

TIMER_SRCS := user/os/drivers/timer/timer.c user/os/drivers/timer/deadlines.c
$(BUILD)/obj/user/os/drivers/timer/%.o: CFLAGS = $(USER_CFLAGS) $(SERVER_FLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES) \
                                                  -idirafter $(PICOLIBC)/include
$(eval $(call os_component,timer,$(TIMER_SRCS),$(BUILD)/obj/proto/timer_server.o))
$(patsubst %.c,$(BUILD)/obj/%.o,$(TIMER_SRCS)): | $(PROTO_HEADERS)
