# The OS (docs/os.md): boot images, each the kernel and rs with a boot
# archive packed from one system description, built by a nested make as the
# kernel variant `os` into $(BUILD)/os/ (as mk/test.mk builds its variants):
# the generic timer exported to EL0 for the timer driver, a debug kernel
# (seL4_DebugPutChar is the early console), and a root CNode big enough for
# rs's image frames and every component's objects.
#
#   os      system/keel.system: the OS itself (make run)
#   ostest  tests/os/test.system: the OS with test components (os.* tests)
#   osvfs   tests/os/vfs.system: vfs, the console and vfs's test client
#   osshell the OS and two test programs (tests/os/shell/shell.mk)
#   osrc    the OS with a boot script of the tests' disk, osrcmissing with
#           one that is missing (the same file)
#   osconsole the OS, constream and the restarter (tests/os/console/console.mk)
#   osdown  the OS with the uart's restart limit at 1 (the same file)
#   osstress the OS without the drivers' restart limits, and /bin/stress
#            (make stress, os.restart.leak; tests/os/stress/stress.mk)
#   ostime  tests/os/time.system: the timer and rtc drivers and their tests
#   osdisk  tests/os/disk.system: the virtio-blk driver and its test client
#   osnet   tests/os/net.system: the virtio-net driver and its test client
#   osnetsrv tests/os/netsrv.system: the driver and the net server (lwIP)
#   ossock  tests/os/sock.system: the net server's sockets and their test client
#   osfs    the OS with the disk tests' programs (tests/os/fs/fs.mk);
#           osfsstress the same without restart limits (make stress)
#   osheal  tests/os/heal.system: rs's heartbeat and backoff with test components
#   oscore  tests/os/core.system: a core component (restart halt) that faults
#   oscorehang tests/os/corehang.system: a core component that hangs
#   osbench the OS with bench/os/osbench as pm's first program (make bench-os;
#           bench/os/osbench.mk), osbench-quick the same with --quick
#   netbench the OS with bench/os/netbench as pm's first program (make
#           bench-net, net.bench.smoke; bench/os/netbench.mk)
#   appbench the OS with bench/os/appbench as pm's first program (make
#           bench-apps; bench/os/appbench.mk), appbench-quick the same with
#           --quick

OS_KERNEL_DEFINES := -DCONFIG_EXPORT_PCNT_USER=1 -DCONFIG_EXPORT_VCNT_USER=1 \
                     -DCONFIG_EXPORT_PTMR_USER=1 -DCONFIG_ROOT_CNODE_SIZE_BITS=15
OS_IMAGE := $(BUILD)/os/images/os.elf
OS_RAM   := 1G

.PHONY: os-images
os-images: FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/os KERNEL_DEFINES="$(OS_KERNEL_DEFINES)" \
	    os-images-inside

$(OS_IMAGE): os-images

TEST_DEPS += os-images

# Inside the variant: one image per description.
$(eval $(call os_image,os,system/keel.system))
$(eval $(call os_image,ostest,tests/os/test.system))
$(eval $(call os_image,osvfs,tests/os/vfs.system))
$(eval $(call os_image,osshell,$(OS_SHELL_SYSTEM)))
$(eval $(call os_image,osrc,$(OS_RC_SYSTEM)))
$(eval $(call os_image,osrcmissing,$(OS_RC_MISSING_SYSTEM)))
$(eval $(call os_image,osconsole,$(OS_CONSOLE_SYSTEM)))
$(eval $(call os_image,osdown,$(OS_DOWN_SYSTEM)))
$(eval $(call os_image,osstress,$(OS_STRESS_SYSTEM)))
$(eval $(call os_image,ostime,tests/os/time.system))
$(eval $(call os_image,osdisk,tests/os/disk.system))
$(eval $(call os_image,osnet,tests/os/net.system))
$(eval $(call os_image,osnetsrv,tests/os/netsrv.system))
$(eval $(call os_image,ossock,tests/os/sock.system))
$(eval $(call os_image,osfs,$(OS_FS_SYSTEM)))
$(eval $(call os_image,osfsstress,$(OS_FS_STRESS_SYSTEM)))
$(eval $(call os_image,osheal,tests/os/heal.system))
$(eval $(call os_image,oscore,tests/os/core.system))
$(eval $(call os_image,oscorehang,tests/os/corehang.system))
$(eval $(call os_image,osbench,$(OSBENCH_SYSTEM)))
$(eval $(call os_image,osbench-quick,$(OSBENCH_QUICK_SYSTEM)))
$(eval $(call os_image,netbench,$(NETBENCH_SYSTEM)))
$(eval $(call os_image,appbench,$(APPBENCH_SYSTEM)))
$(eval $(call os_image,appbench-quick,$(APPBENCH_QUICK_SYSTEM)))

.PHONY: os-images-inside
os-images-inside: $(OS_IMAGE_FILES)
