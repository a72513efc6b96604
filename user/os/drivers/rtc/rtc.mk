# The rtc driver (user/os/drivers/rtc/, docs/os.md "rtc"): a freestanding
# component like uart, with the generated dispatch of proto/rtc.proto
# (compiled on picolibc's headers for the errno numbers; no picolibc code).

RTC_SRCS := user/os/drivers/rtc/rtc.c
$(BUILD)/obj/user/os/drivers/rtc/%.o: CFLAGS = $(USER_CFLAGS) $(SERVER_FLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES) \
                                                -idirafter $(PICOLIBC)/include
$(eval $(call os_component,rtc,$(RTC_SRCS),$(BUILD)/obj/proto/rtc_server.o))
$(patsubst %.c,$(BUILD)/obj/%.o,$(RTC_SRCS)): | $(PROTO_HEADERS)
