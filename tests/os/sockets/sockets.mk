# The socket calls' test (tests/os/sockets/sockcheck.c, on the tests'
# disk: extra.system): run from the shell of the OS image (tests.list
# os.sockets).
$(eval $(call os_program,sockcheck,tests/os/sockets/sockcheck.c))
