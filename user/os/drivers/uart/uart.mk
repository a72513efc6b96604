# The console's uart driver (user/os/drivers/uart/uart.c): a freestanding
# component of system/keel.system, libkeel and the start-up only.

$(BUILD)/obj/user/os/drivers/%.o: CFLAGS = $(USER_CFLAGS) $(SERVER_FLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES)
$(eval $(call os_component,uart,user/os/drivers/uart/uart.c))
