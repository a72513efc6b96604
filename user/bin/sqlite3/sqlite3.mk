# sqlite3 and speedtest1 (issue 17, docs/posix.md "Real programs"): SQLite
# 3 from Debian's source package `sqlite3`, unmodified. `tools/setup.sh
# --source` unpacks its sources into $(BUILD)/sqlite; SQLite's own
# configure and make, run on the host (they need tclsh), generate the
# amalgamation sqlite3.c and the shell's shell.c from them. The tree holds
# only this file. The options below are SQLite's documented compile-time
# options: one thread, no loadable extensions, no mmap (libos has none),
# pread and pwrite (HAVE_PREAD and HAVE_PWRITE make SQLite's unix VFS read
# and write at an offset with them: one vfs request each, where lseek and
# read or write are two), no system() or popen in the shell. The files are
# built with the programs' flags but without the warnings: they are not
# ours to change.

SQLITE_DIR := $(BUILD)/sqlite
SQLITE_GEN := $(SQLITE_DIR)/gen
SQLITE_OPTIONS := -DSQLITE_OS_UNIX=1 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION=1 \
                  -DSQLITE_MAX_MMAP_SIZE=0 -DHAVE_USLEEP=1 -DSQLITE_NOHAVE_SYSTEM=1 \
                  -DSQLITE_OMIT_POPEN=1 -DHAVE_PREAD=1 -DHAVE_PWRITE=1

$(SQLITE_DIR)/.unpacked:
	bash tools/setup.sh --source sqlite3 $(SQLITE_DIR)

# SQLite's generators: configure (no Tcl extension is built; tclsh runs
# the generator scripts) and the two targets of its Makefile.
$(SQLITE_GEN)/sqlite3.c $(SQLITE_GEN)/shell.c &: $(SQLITE_DIR)/.unpacked
	rm -rf $(SQLITE_GEN) && mkdir -p $(SQLITE_GEN)
	cd $(SQLITE_GEN) && ../configure --disable-tcl >configure.log 2>&1 || \
	    { cat configure.log; exit 1; }
	$(MAKE) -C $(SQLITE_GEN) sqlite3.c shell.c >$(SQLITE_DIR)/generate.log 2>&1 || \
	    { tail -30 $(SQLITE_DIR)/generate.log; exit 1; }

$(SQLITE_DIR)/test/speedtest1.c: $(SQLITE_DIR)/.unpacked ;

SQLITE_SRCS := $(SQLITE_GEN)/sqlite3.c
$(eval $(call os_program,sqlite3,$(SQLITE_SRCS) $(SQLITE_GEN)/shell.c))
$(eval $(call os_program,speedtest1,$(SQLITE_SRCS) $(SQLITE_DIR)/test/speedtest1.c))

$(patsubst %.c,$(BUILD)/obj/%.o,$(SQLITE_SRCS) $(SQLITE_GEN)/shell.c $(SQLITE_DIR)/test/speedtest1.c): \
    CFLAGS = $(filter-out -W%,$(OS_CFLAGS)) -w $(OS_INCLUDES) $(SQLITE_OPTIONS) -I$(SQLITE_GEN)
# built again when SQLITE_OPTIONS change
$(patsubst %.c,$(BUILD)/obj/%.o,$(SQLITE_SRCS) $(SQLITE_GEN)/shell.c $(SQLITE_DIR)/test/speedtest1.c): \
    user/bin/sqlite3/sqlite3.mk
$(BUILD)/obj/$(SQLITE_DIR)/test/speedtest1.o: | $(SQLITE_GEN)/sqlite3.c
