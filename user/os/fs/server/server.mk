# The ext2 server (user/os/fs/server, docs/storage.md): an OS program
# (libos, picolibc) linking the ext2 library (user/os/fs/ext2) and libos's
# block client; a component of system/keel.system.

EXT2_LIB_SRCS := $(wildcard user/os/fs/ext2/*.c)
EXT2_SERVER_SRCS := user/os/fs/server/main.c user/os/fs/server/ops.c $(EXT2_LIB_SRCS)
$(eval $(call os_program,ext2,$(EXT2_SERVER_SRCS)))
