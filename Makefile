# SPDX-License-Identifier: GPL-2.0
#
# cifs-echofix: Debian 12's SMB client with fixed-rate echo scheduling.
#
#   make run            build, DKMS-install and boot a test host (default kernel)
#   make check          every test, both kernels (what CI runs)
#
# KVER selects the target kernel (default: Debian 12's current 6.1 kernel);
# KVER_6_12 is Debian 12's current 6.12 kernel. See README.md.

SHELL := /bin/bash

KVER_6_1 := $(shell scripts/kver 6.1 2>/dev/null)
KVER_6_12 := $(shell scripts/kver 6.12 2>/dev/null)
KVER ?= $(KVER_6_1)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
KVERS ?= $(KVER_6_1) $(KVER_6_12)

.PHONY: need-kver all module prepare clean-module clean deps dkms-install dkms-remove \
	deb testhost run kunit kunit-sanitizers mutants bench lifecycle soak series-mainline check help

all: module

help:
	@sed -n 's/^#   //p' Makefile
	@echo "targets: module prepare dkms-install dkms-remove deb testhost run kunit kunit-sanitizers mutants bench lifecycle soak series-mainline check clean"
	@echo "KVER=$(KVER)  (6.1: $(KVER_6_1), 6.12: $(KVER_6_12))  version $(VERSION)"

need-kver:
	@test -n "$(KVER)" || { echo "cifs-echofix: error: no target kernel: run 'make deps' (needs linux-headers-amd64) or pass KVER=" >&2; exit 1; }

# fs/ from /usr/src/linux-source-X.Y.tar.xz + patches/X.Y (git-ignored).
prepare: need-kver
	scripts/prepare --kver $(KVER) --kdir $(KDIR)

# The out-of-tree build (also what DKMS runs, per kernel).
module: prepare
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean-module:
	test ! -f $(KDIR)/Makefile || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf fs build/src

clean: clean-module
	rm -rf build dist

# Debian packages every target needs (idempotent; installs only what is missing).
deps:
	scripts/deps

dkms-install: need-kver
	scripts/dkms-install --kver $(KVER)

dkms-remove: need-kver
	scripts/dkms-remove --kver $(KVER)

# dist/cifs-echofix-dkms_$(VERSION)_all.deb, built the Debian way (dh-dkms).
deb:
	scripts/build-deb

testhost: need-kver
	scripts/testhost --kver $(KVER) --module dkms

# The main job: build, install and show the fixed module on a test host.
run: deps dkms-install testhost

# The cifs_echo KUnit suite in QEMU (kunit.py), on both kernels.
kunit: deps
	kunit/run $(KVERS)

# Stock vs fixed on the test hosts, both kernels: build/bench/latest/report.md
bench: deps
	scripts/bench $(foreach k,$(KVERS),--kver $(k))

# The same suite with KASAN, UBSAN, lockdep, debugobjects and KFENCE on;
# any report in the console fails it (what make check runs).
kunit-sanitizers: deps
	kunit/run --sanitizers $(KVERS)

# Each defect the series fixes, put back one at a time, must fail the suite.
mutants: deps
	kunit/mutants $(KVER_6_12)

# 50 x modprobe/mount/I/O/umount/rmmod and bad echo_interval values, fixed module.
lifecycle: need-kver module
	scripts/lifecycle --kver $(KVER)

# Server faults with data, fixed module, both kernels: SOAK_ROUNDS x (smbd
# stopped short and long, killed, link cut); every file written and synced
# must read back identical. make check runs 3 rounds per kernel.
SOAK_ROUNDS ?= 10
soak: deps
	for k in $(KVERS); do \
		$(MAKE) --no-print-directory -j$$(nproc) module KVER=$$k && \
		scripts/soak --kver $$k --rounds $(SOAK_ROUNDS) || exit 1; \
	done

# patches/mainline on a mainline tree (MAINLINE=top of the tree, or its
# fs/smb/client files): git am, checkpatch --strict, Fixes: ids if a git checkout.
series-mainline:
	@test -n "$(MAINLINE)" || { echo "cifs-echofix: error: set MAINLINE= to a mainline tree (or its fs/smb/client files)" >&2; exit 1; }
	scripts/series-mainline $(MAINLINE)

check: deps
	scripts/check $(KVERS)
