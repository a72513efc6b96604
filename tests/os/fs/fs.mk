# The disk tests (tests/tests.list os.fs*, check disk.host): the OS of
# system/keel.system with the file-system test programs in /bin
# (tests/os/fs/extra.system), packed as the image `osfs`.

OS_FS_SYSTEM := $(BUILD)/system/osfs.system
$(OS_FS_SYSTEM): system/keel.system tests/os/fs/extra.system
	@mkdir -p $(@D)
	cat $^ > $@

# fstree (tests/os/fs/fstree.c): makes, verifies and sums trees of files
# for tests/host/test_disk.py.
$(eval $(call os_program,fstree,$(addprefix tests/os/fs/,fstree.c plan.c verify.c)))

# cachecheck (tests/os/fs/cachecheck.c): vfs's file cache against every
# way a file's bytes change.
$(eval $(call os_program,cachecheck,tests/os/fs/cachecheck.c))

# lockcheck (tests/os/fs/lockcheck.c): fcntl's record locks between
# processes.
$(eval $(call os_program,lockcheck,tests/os/fs/lockcheck.c))

# posixcheck (tests/os/fs/posixcheck.c): the calls libos gained for Lua
# and SQLite.
$(eval $(call os_program,posixcheck,tests/os/fs/posixcheck.c))

# diskload (tests/os/fs/diskload.c): copies and verifies a file while its
# child injects faults into the disk's driver or server through rs.
$(eval $(call os_program,diskload,tests/os/fs/diskload.c))

# The same programs on the system without restart limits (make stress's
# disk campaign, tests/stress.list: a thousand restarts of blk; its
# description is tests/os/stress/stress.mk's, named here because that file
# comes later).
OS_FS_STRESS_SYSTEM := $(BUILD)/system/osfsstress.system
$(OS_FS_STRESS_SYSTEM): $(BUILD)/system/osstress.system tests/os/fs/extra.system
	@mkdir -p $(@D)
	cat $^ > $@
