# The fault-injection campaign (docs/reliability.md "The stress campaign"):
# the image `osstress` -- the system of system/keel.system with the
# drivers' restart limits taken out (10,000 restarts in a row are the point
# there, not a crash loop) and /bin/stress (user/bin/stress) -- and
# `make stress`, which tools/stress.py runs on it: it boots the image,
# types the campaign at the shell and checks the console. `make test` uses
# the image for os.restart.leak (tests/os/stress/leak.script).
#
#   make stress [SEED=1] [N=1000] [KINDS=crash,hang,flip,kill] [RESTARTS=10000]
#
# then the disk's campaign and the network driver's (tests/stress.list: image
# osfsstress; the OS image with httpd under curl's downloads), then the
# combined campaign (make campaign [SEED=1] [CAMPAIGN_N=500]), then the
# kernel fuzzer's long run, 10^7 calls with seed SEED (tests/kfuzz/kfuzz.mk).

OS_STRESS_SYSTEM := $(BUILD)/system/osstress.system

# keel.system without `limit=` on its restart lines (an error if it has
# none to change) and without pm's boot script (the servers /etc/rc
# starts would still be growing into their memory when the campaign
# compares pm's before and after), then the extra files.
$(OS_STRESS_SYSTEM): system/keel.system tests/os/stress/extra.system tests/os/stress/stress.mk
	@mkdir -p $(@D)
	sed -E -e '/^ *restart /s/ +limit=[0-9]+//' -e '/^ *arg /s/ --rc [^ ]+//' \
	    system/keel.system > $@.tmp
	@grep -q '^ *restart  *always' $@.tmp && ! grep -q '^ *restart .*limit=' $@.tmp || \
	    { echo "stress.mk: no restart lines to lift the limit of in system/keel.system" >&2; \
	      rm -f $@.tmp; exit 1; }
	cat tests/os/stress/extra.system >> $@.tmp
	mv $@.tmp $@

SEED     ?= 1
N        ?= 1000
# make campaign: the combined campaign (tools/campaign.py; docs/reliability.md
# "The combined campaign"), CAMPAIGN_N injections into every restartable
# component under every workload; one JSON line each in CAMPAIGN_JSON.
CAMPAIGN_N    ?= 500
CAMPAIGN_JSON ?= $(BUILD)/campaign.jsonl
KINDS    ?= crash,hang,flip,kill
RESTARTS ?= 10000
OSSTRESS_IMAGE := $(BUILD)/os/images/osstress.elf

.PHONY: stress _stress osstress-image campaign _campaign
stress:
	@bash tools/setup.sh
	@$(MAKE) --no-print-directory _stress

osstress-image:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/os KERNEL_DEFINES="$(OS_KERNEL_DEFINES)" \
	    $(OSSTRESS_IMAGE)

_stress: osstress-image os-images $(TEST_DISK)
	$(PYTHON) tools/stress.py --image $(OSSTRESS_IMAGE) --disk $(TEST_DISK) --seed $(SEED) -n $(N) \
	    --kinds $(KINDS) --restarts $(RESTARTS) --log $(BUILD)/stress.log
	$(PYTHON) tools/runtests.py --list tests/stress.list --build $(BUILD) -j1
	@$(MAKE) --no-print-directory _campaign
	@$(MAKE) --no-print-directory kfuzz-long KFUZZ_SEED=$(SEED)

campaign:
	@bash tools/setup.sh
	@$(MAKE) --no-print-directory _campaign

_campaign: osstress-image os-images $(TEST_DISK)
	$(PYTHON) tools/campaign.py --image $(OSSTRESS_IMAGE) --disk $(TEST_DISK) --seed $(SEED) \
	    -n $(CAMPAIGN_N) --json $(CAMPAIGN_JSON) --log $(BUILD)/campaign.log
