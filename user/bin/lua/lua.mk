# lua (issue 17, docs/posix.md): the Lua 5.4 interpreter from Debian's
# source package `lua5.4`, unmodified, built as a program of /bin with
# libos and picolibc. `tools/setup.sh --source` fetches and unpacks it into
# $(BUILD)/lua; the tree holds only this file. Lua's own ISO C
# configuration (no LUA_USE_POSIX: io.popen says it is not supported,
# os.tmpname uses tmpnam). Its files are built with the programs' flags
# but without the warnings: they are not ours to change.

LUA_DIR := $(BUILD)/lua
LUA_CORE := lapi.c lcode.c lctype.c ldebug.c ldo.c ldump.c lfunc.c lgc.c llex.c lmem.c \
            lobject.c lopcodes.c lparser.c lstate.c lstring.c ltable.c ltm.c lundump.c \
            lvm.c lzio.c
LUA_LIBS := lauxlib.c lbaselib.c lcorolib.c ldblib.c liolib.c lmathlib.c loadlib.c loslib.c \
            lstrlib.c ltablib.c lutf8lib.c linit.c
LUA_SRCS := $(addprefix $(LUA_DIR)/src/,$(LUA_CORE) $(LUA_LIBS) lua.c)

$(LUA_DIR)/.unpacked:
	bash tools/setup.sh --source lua5.4 $(LUA_DIR)

$(LUA_SRCS): $(LUA_DIR)/.unpacked ;

$(eval $(call os_program,lua,$(LUA_SRCS)))

$(patsubst %.c,$(BUILD)/obj/%.o,$(LUA_SRCS)): CFLAGS = $(filter-out -W%,$(OS_CFLAGS)) -w \
    $(OS_INCLUDES)
