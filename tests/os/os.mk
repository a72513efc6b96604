# The test components of system/keel.system (tests/os/): they stand in for
# the servers until those exist, and the os.* entries of tests/tests.list
# check what they print.

$(BUILD)/obj/tests/os/%.o: CFLAGS = $(USER_CFLAGS) $(USER_INCLUDES) $(OS_BASE_INCLUDES)

$(eval $(call os_component,hello,tests/os/hello/hello.c))
$(eval $(call os_component,echo,tests/os/echo/echo.c))
$(eval $(call os_component,ping,tests/os/ping/ping.c))
$(eval $(call os_component,clock,tests/os/clock/clock.c))
$(eval $(call os_component,crash,tests/os/crash/crash.c))

# vfs's test client: an OS program (libos, picolibc) acting as pm and as a
# program (tests/os/vfstest/vfstest.c).
$(BUILD)/obj/tests/os/vfstest/%.o: CFLAGS = $(OS_CFLAGS) $(OS_INCLUDES)
$(eval $(call os_program,vfstest,tests/os/vfstest/vfstest.c))
