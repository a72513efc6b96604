# The rtc driver (user/os/drivers/rtc/, docs/os.md "The rtc driver"): a
# freestanding component like uart; its clients' channels are keel/os/rtc.h.

RTC_SRCS := user/os/drivers/rtc/rtc.c
$(BUILD)/obj/user/os/drivers/rtc/%.o: CFLAGS = $(USER_CFLAGS) $(SERVER_FLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES)
$(eval $(call os_component,rtc,$(RTC_SRCS),))
