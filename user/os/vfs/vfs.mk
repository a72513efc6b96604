# vfs (docs/os.md "vfs"): an OS program linked with libos and picolibc that
# serves proto/vfs.proto with the generated dispatch; rs starts it as a
# component of system/keel.system.

VFS_SRCS := $(addprefix user/os/vfs/,main.c files.c calls.c tree.c pipe.c tty.c console.c disk.c \
                diskops.c path.c load.c fcache.c sock.c poll.c locks.c)
$(eval $(call os_program,vfs,$(VFS_SRCS),vfs))
$(patsubst %.c,$(BUILD)/obj/%.o,$(VFS_SRCS)): CFLAGS += $(SERVER_FLAGS)
