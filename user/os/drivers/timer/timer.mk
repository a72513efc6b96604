# The timer driver (user/os/drivers/timer/, docs/os.md "The timer driver"):
# a freestanding component like uart (libkeel and the start-up only); its
# clients' channels are keel/os/timer.h.

TIMER_SRCS := user/os/drivers/timer/timer.c user/os/drivers/timer/deadlines.c
$(BUILD)/obj/user/os/drivers/timer/%.o: CFLAGS = $(USER_CFLAGS) $(SERVER_FLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES)
$(eval $(call os_component,timer,$(TIMER_SRCS),))
