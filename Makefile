# SPDX-License-Identifier: GPL-2.0
#
# cifs-echofix: Debian's SMB client with fixed-rate echo scheduling.
# 'make help' prints the lines below that start with '#:' (every target;
# tests/test_makefile.py fails if one is missing).
#
#: use
#:   make run            build, DKMS-install and show the fixed module on a test host (default kernel)
#:   make run KVER=...   the same for any kernel of 'make targets', any flavour
#:   make targets        the supported kernels (scripts/target/targets.tsv), ABIs of today
#:   make status         per installed kernel: fixed, stock and why, or not built
#:   make deps           the Debian packages every target needs (idempotent)
#:   make testhost       boot the test host with the DKMS-installed module
#: arm64 (the arm64 rows of 'make targets'; ARM64_KVER= any of their ABIs, default Debian 13's 6.12)
#:   make arm64          cross-build the module (the release's cross gcc) and boot it on the arm64 test host
#:   make arm64-dkms     the faithful path: DKMS in an arm64 chroot under qemu-user, then the test host (slow: every tool under qemu-user)
#:   make kunit-arm64    the cifs_echo KUnit suite built for arm64, in qemu-system-aarch64 (the kunit targets' trees)
#: test
#:   make test           the fast tier: shellcheck, pytest, echo-audit selftest, lints (about 1 min, no root)
#:   make check          make test, then the tiers of scripts/target/targets.tsv (what CI runs; scripts/check --plan)
#:   make check-all      every target at full depth, every flavour (hours)
#:   make kunit          the cifs_echo KUnit suite in QEMU on the full and kunit tiers
#:   make kunit-sanitizers  the same with KASAN, UBSAN, lockdep, debugobjects, KFENCE
#:   make mutants        each defect put back must fail the KUnit suite
#:   make lifecycle      50 x load/mount/I/O/unload, bad echo_interval values
#:   make soak           server faults with data, SOAK_ROUNDS x 4 faults per kernel
#:   make echo-audit-test  cifs-echo-audit: selftest, conformance, captured scenarios
#:   make xfstests       xfstests' quick group, stock beside fixed, 6.1 and 6.12, Samba and ksmbd (hours)
#:   make xfstests-check xfstests' check tier (7 tests), stock beside fixed, 6.1, Samba (make check runs it)
#: measure
#:   make bench          stock vs fixed on the test hosts: cadence, liveness, load
#:   make bench-load     echoes under load and past a round trip of E (Samba, ksmbd)
#:   make bench-io       what the fix costs on the data path (fio, BENCH_IO_ARGS)
#:   make bench-ksmbd    the e2e bench checks against ksmbd
#:   make liveness       slow links, a dropped queue, a stopped smbd (LIVENESS_ARGS)
#:   make mountopts      seal, sign, multichannel vs default, stock vs fixed (MOUNTOPTS_ARGS)
#:   make multichannel   two links, two channels: cadence per channel, a stalled secondary
#:   make umount-race    umount right after a dead server's give-up, stock vs fixed (UMOUNT_RACE_ARGS)
#: upstream
#:   make series         patches/mainline as mails to send (FROM=, VERSION=, CHANGES=)
#:   make series-export  write patches/mainline with git (FROM_REPO=: from a repo's commits since tag base)
#:   make series-port SERIES=6.12  carry patches/mainline to an older series, then series-diff
#:   make series-results the cover letter's runtime table: stock vs patched on Debian's 7.3 (test host)
#:   make series-7.3     the maintainer's checks on Debian's 7.3 tree, every prefix
#:   make series-mainline MAINLINE=DIR  the series on a mainline tree
#: packaging
#:   make module         out-of-tree build of fs/smb/client (KVER=, PATCHES=N)
#:   make prepare        fs/ from Debian's linux-source + the line's series
#:   make dkms-install   DKMS add/build/install (KVER=); make dkms-remove: remove
#:   make deb            dist/cifs-echofix-dkms_VERSION_all.deb (dh-dkms)
#:   make upgrade        the package across a kernel upgrade in a chroot (tier check)
#:   make upgrade-all    the same for every row of scripts/package/upgrade.tsv
#:   make matrix         every linux-source version in the archive: series + build
#:   make clean          remove fs/, build/ and dist/
#:   make clean-module   remove fs/ and the module build only
#
# KVER selects the target kernel (default: Debian 12's current 6.1 kernel,
# scripts/target/kver 6.1); any ABI that 'make targets' prints works. See README.md and docs/.

SHELL := /bin/bash

KVER_6_1 := $(shell scripts/target/kver 6.1 2>/dev/null)
KVER_6_12 = $(shell scripts/target/kver 6.12 2>/dev/null)
KVER ?= $(KVER_6_1)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
# The full-depth reference targets of scripts/target/targets.tsv (Debian 12's 6.1,
# Debian 13's 6.12): bench, soak and kunit run on these.
FULL_TARGETS = $(shell scripts/target/targets --names full)
KVERS ?= $(foreach t,$(FULL_TARGETS),$(shell scripts/target/kver $(t)))

# Every target, one per line (what 'make help' lists).
TARGETS = module prepare clean-module clean deps dkms-install dkms-remove deb testhost run targets
TARGETS += kunit kunit-sanitizers mutants bench bench-load liveness lifecycle soak
TARGETS += series-mainline series-7.3 series series-port series-export series-results echo-audit-test check check-all
TARGETS += status upgrade upgrade-all matrix bench-io bench-ksmbd test xfstests xfstests-check mountopts multichannel
TARGETS += umount-race
TARGETS += arm64 arm64-dkms kunit-arm64
.PHONY: need-kver all module-here prepare-here help $(TARGETS)

all: module

help:
	@sed -n 's/^#: \{0,1\}//p' Makefile
	@echo "KVER=$(KVER)  version $(VERSION); 'make targets' lists the kernels"

need-kver:
	@test -n "$(KVER)" || { echo "cifs-echofix: error: no target kernel: run 'make deps' (needs linux-headers-amd64) or pass KVER=" >&2; exit 1; }

# The supported kernels, with the ABIs the archive has today.
targets:
	scripts/target/targets

# fs/ from /usr/src/linux-source-X.Y.tar.xz + the line's series (git-ignored).
# A kernel of another release builds in that release's chroot
# (scripts/target/in-target), with its own gcc; this checkout is bound there.
# Through a make inside the target's environment, as module: a cross build
# (scripts/target/cross) gives the inner make its KDIR.
prepare: need-kver
	scripts/target/in-target $(KVER) $(MAKE) --no-print-directory prepare-here KVER=$(KVER)

prepare-here:
	scripts/target/prepare --kver $(KVER) --kdir $(KDIR)

# The out-of-tree build (also what DKMS runs, per kernel). PATCHES=N builds
# with only the first N patches of the line's series (what scripts/scenarios/bench-io/run
# --arm compares; 0: Debian's source as is, built like ours). Only from the
# command line: a PATCHES in the environment must not cut a DKMS build short.
ifneq ($(origin PATCHES),command line)
PATCHES := all
endif
module: need-kver
	scripts/target/in-target $(KVER) $(MAKE) --no-print-directory module-here KVER=$(KVER) PATCHES=$(PATCHES)

module-here:
	scripts/target/prepare --kver $(KVER) --kdir $(KDIR) --patches $(PATCHES)
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean-module:
	test ! -f $(KDIR)/Makefile || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf fs build/src

clean: clean-module
	rm -rf build dist

# Debian packages every target needs (idempotent; installs only what is missing).
deps:
	scripts/target/deps

dkms-install: need-kver
	scripts/package/dkms-install --kver $(KVER)

dkms-remove: need-kver
	scripts/package/dkms-remove --kver $(KVER)

# dist/cifs-echofix-dkms_$(VERSION)_all.deb, built the Debian way (dh-dkms).
deb:
	scripts/package/build-deb

testhost: need-kver
	scripts/testhost/run --kver $(KVER) --module dkms

# The main job: build, install and show the fixed module on a test host.
run: deps dkms-install testhost

# arm64: an arm64 ABI of 'make targets' (KVER= if it is one, else
# ARM64_KVER, default Debian 13's 6.12). 'make arm64' is make check's
# breadth path (scripts/target/cross, then the arm64 test host); 'make
# arm64-dkms' is what a user's arm64 machine does (make run KVER=<arm64 ABI>:
# apt install ./cifs-echofix-dkms_*.deb and DKMS in build/chroot/RELEASE-arm64).
ARM64_KVER ?= $(if $(filter %-arm64,$(KVER)),$(KVER),$(shell scripts/target/kver deb13-6.12-arm64 2>/dev/null))
arm64: deps
	$(MAKE) --no-print-directory module KVER=$(ARM64_KVER)
	scripts/testhost/run --kver $(ARM64_KVER) --module fs/smb/client/cifs.ko

arm64-dkms: deps
	$(MAKE) --no-print-directory dkms-install testhost KVER=$(ARM64_KVER)

# KUnit for arm64 (kunit.py --arch arm64, cross gcc of each tree's
# release): last green run in docs/results (docs/kernels.md says which).
kunit-arm64: deps
	kunit/run --arch arm64 $(foreach t,$(KUNIT_TARGETS),--target $(t))

# The cifs_echo KUnit suite in QEMU (kunit.py), on the full and kunit tiers'
# targets (Debian 12's 6.1, Debian 13's 6.12, 7.3), each with its own gcc.
KUNIT_TARGETS = $(shell scripts/target/targets --names full kunit)
kunit: deps
	kunit/run $(foreach t,$(KUNIT_TARGETS),--target $(t))

# Stock vs fixed on the test hosts, the full-tier kernels: build/bench/latest/report.md
# (echo cadence, skips, detection) and build/liveness/latest/report.md (slow
# links, dropped queue, stopped smbd: reconnects, times, data).
bench: deps
	scripts/scenarios/bench/run $(foreach k,$(KVERS),--kver $(k))
	scripts/scenarios/liveness/run $(foreach k,$(KVERS),--kver $(k))
	scripts/scenarios/bench-load/run $(foreach k,$(KVERS),--kver $(k))

# Echoes under load (saturating I/O at E=2 s, on a link of 0.1E..1.5E round
# trips) and past a round trip of E, stock vs fixed, against Samba and then
# ksmbd: build/bench-load/latest{,-ksmbd}/report.md (BENCH_LOAD_ARGS=--check: the claims,
# fixed only; --runs N for N interleaved runs of each module).
bench-load: deps
	scripts/scenarios/bench-load/run $(BENCH_LOAD_ARGS) $(foreach k,$(KVERS),--kver $(k))
	scripts/scenarios/bench-load/run --server ksmbd $(BENCH_LOAD_ARGS) $(foreach k,$(KVERS),--kver $(k))

# What the fix costs on the data path: fio stock vs fixed in one boot of the
# test host against Samba (BENCH_IO_ARGS, e.g. --size 256M --runs 7):
# build/bench-io/latest/report.md.
bench-io: deps
	scripts/scenarios/bench-io/run --kver $(KVER) $(BENCH_IO_ARGS)

# The e2e bench checks against the kernel's own server (a ksmbd guest) on
# one reference kernel: what make check runs against ksmbd.
bench-ksmbd: deps
	scripts/scenarios/bench/run --check --server ksmbd --kver $(KVER)

# The liveness scenarios alone (LIVENESS_ARGS=--check: the claims, fixed only).
liveness: deps
	scripts/scenarios/liveness/run $(LIVENESS_ARGS) $(foreach k,$(KVERS),--kver $(k))

# The mount options people run (scripts/testhost/mountopts.tsv: default,
# seal, sign, multichannel), stock vs fixed on Debian 12's 6.1 against Samba:
# idle cadence, slow-uplink write, slow-downlink read, dead server
# (build/mountopts/latest/report.md; MOUNTOPTS_ARGS, e.g. --server ksmbd
# --profiles 'seal sign', --short).
mountopts: deps
	scripts/scenarios/mountopts/run --kver $(KVER) $(MOUNTOPTS_ARGS)

# multichannel,max_channels=2 over two links (a network namespace, root):
# each channel's echo cadence, a stalled secondary channel given up alone
# (build/multichannel/latest/report.md; MULTICHANNEL_ARGS, e.g. --server
# ksmbd: build/multichannel/latest-ksmbd/report.md).
multichannel: deps
	scripts/scenarios/multichannel/run --kver $(KVER) $(MULTICHANNEL_ARGS)

# Issue #24's kernel BUG at umount: closes retried by serverclose_work
# while the umount runs, stock vs fixed (build/umount-race/latest/report.md;
# UMOUNT_RACE_ARGS, e.g. --tries 10 --shapes 'mountopts 0.5' --profiles default).
umount-race: deps
	scripts/scenarios/umount-race/run --kver $(KVER) $(UMOUNT_RACE_ARGS)

# patches/mainline as a series to send, under the sender's name (b4):
# build/series/vN/*.eml. FROM defaults to git config user.name/user.email.
series:
	scripts/series/send $(if $(FROM),--from "$(FROM)") $(if $(filter command line,$(origin VERSION)),--version $(VERSION)) $(if $(CHANGES),--changes $(CHANGES))

# patches/mainline as git writes it: the patches applied to 7.3.4's fs/smb
# and written back with format-patch --cover-letter (cover-letter.in is
# the subject and text, docs/results/series-7.3.txt the runtime table).
series-export:
	scripts/series/export $(if $(FROM_REPO),--from $(FROM_REPO))

# The cover letter's runtime table: bench and liveness on Debian's 7.3
# kernel, stock vs patched (docs/results/series-7.3.txt); then series-export.
series-results: deps
	scripts/series/results
	scripts/series/export

# Carry patches/mainline to an older series (SERIES=6.12): git am -3; a
# conflict replays the committed port of that patch (series-diff proves it).
series-port:
	@test -n "$(SERIES)" || { echo "cifs-echofix: error: set SERIES= to a series of patches/ other than mainline (6.1, 6.12)" >&2; exit 1; }
	scripts/series/port $(SERIES)
	scripts/series/diff $(SERIES)

# The same suite with KASAN, UBSAN, lockdep, debugobjects and KFENCE on;
# any report in the console fails it (what make check runs).
kunit-sanitizers: deps
	kunit/run --sanitizers $(foreach t,$(KUNIT_TARGETS),--target $(t))

# Each defect the series fixes, put back one at a time, must fail the suite.
mutants: deps
	kunit/mutants $(KVER_6_12)

# 50 x modprobe/mount/I/O/umount/rmmod and bad echo_interval values, fixed module.
lifecycle: need-kver module
	scripts/scenarios/lifecycle/run --kver $(KVER)

# Server faults with data, fixed module, the full-tier kernels: SOAK_ROUNDS x (smbd
# stopped short and long, killed, link cut); every file written and synced
# must be on the server as written. make check runs a shorter soak
# ('scripts/check --plan' prints its options).
# SOAK_ARGS="--server ksmbd": the same against the kernel's own server.
SOAK_ROUNDS ?= 10
soak: deps
	for k in $(KVERS); do \
		$(MAKE) --no-print-directory -j$$(nproc) module KVER=$$k && \
		scripts/scenarios/soak/run --kver $$k --rounds $(SOAK_ROUNDS) $(SOAK_ARGS) || exit 1; \
	done

# patches/mainline the way a maintainer checks it, on Debian's 7.3 tree
# (the kunit tier of scripts/target/targets.tsv), with the trixie chroot's gcc-14,
# sparse and coccinelle: git am, checkpatch --strict of that tree, the whole
# client built W=1 + sparse at every prefix in defconfig + CIFS=m,
# make coccicheck M=fs/smb/client against the unpatched baseline.
# (make check runs the same with the touched objects per prefix.)
SERIES_TARGET = $(shell scripts/target/targets --names kunit | head -n1)
series-7.3: deps
	k=$$(scripts/target/kver $(SERIES_TARGET)) && sp=$$(scripts/target/newest-sparse) && \
		ECHOFIX_SPARSE=$$sp scripts/target/in-target $$k scripts/series/check --every-prefix $$k

# patches/mainline on a mainline tree (MAINLINE=top of the tree, or its
# fs/smb/client files): git am, checkpatch --strict, Fixes: ids if a git checkout.
series-mainline:
	@test -n "$(MAINLINE)" || { echo "cifs-echofix: error: set MAINLINE= to a mainline tree (or its fs/smb/client files)" >&2; exit 1; }
	scripts/series/mainline $(MAINLINE)

# xfstests (FSTYP=cifs) on the test host with a Debian userland, stock and
# fixed side by side (scripts/scenarios/xfstests/tiers.tsv, exclude.tsv):
# the quick group on the full-tier kernels against Samba and ksmbd; the
# check tier on 6.1 against Samba (what scripts/check runs). Reports:
# build/xfstests/KVER-TIER[-ksmbd]/report.md.
# XFSTESTS_ARGS="--tier check-faults": another tier (the same tests under
# server faults), "--modules fixed": one module.
xfstests: deps
	for k in $(KVERS); do \
		$(MAKE) --no-print-directory -j$$(nproc) module KVER=$$k && \
		scripts/scenarios/xfstests/run --kver $$k --tier quick $(XFSTESTS_ARGS) && \
		scripts/scenarios/xfstests/run --kver $$k --tier quick --server ksmbd $(XFSTESTS_ARGS) || exit 1; \
	done

xfstests-check: deps
	$(MAKE) --no-print-directory -j$$(nproc) module KVER=$(KVER_6_1)
	scripts/scenarios/xfstests/run --kver $(KVER_6_1) --tier check $(XFSTESTS_ARGS)

# cifs-echo-audit's whole test: selftest, conformance with cifs_echo.h, and
# the verdicts on the test host's captures of eight scenarios, stock and
# fixed (make check runs the first two).
echo-audit-test: deps
	scripts/echo-audit/test --kver $(KVER_6_1)

# Is my cifs ours? Per installed kernel of this machine: fixed, stock and
# why, or not built (installed by the package as cifs-echofix-status).
status:
	scripts/package/echofix-status

# The package across a kernel upgrade (scripts/package/upgrade.tsv): in a user's
# chroot of the release, an older ABI with its own linux-source and our
# .deb, then apt to today's ABI; both kernels fixed, the new one booted;
# reinstall, remove, purge. upgrade: the rows of tier check (Debian 12's
# 6.1); upgrade-all: every row (Debian 13's 6.12 too).
upgrade: deps
	scripts/package/upgrade

upgrade-all: deps
	scripts/package/upgrade --tier all

# Every source version of the full tier's lines in the archive (6.1 on
# Debian 12, 6.12 on Debian 13): series applied (git am), module built
# against that version's own headers; build/matrix/table.md.
# MATRIX_ARGS=--versions oldest,newest: the two ends of each line.
matrix: deps
	scripts/target/matrix $(MATRIX_ARGS)

# The fast tier: no root, no network, no QEMU, about a minute on 2 cores
# (tests/run --plan lists its steps).
test:
	tests/run

# make test, then the tiers of scripts/target/targets.tsv: full depth on the full
# tier, smoke (series, DKMS build, test host) on the others, KUnit on the
# kunit tier ('scripts/check --plan' prints every step with its options).
check: deps
	scripts/check

# Every target at full depth, every flavour DKMS-built and booted.
check-all:
	ECHOFIX_ALL_FLAVOURS=1 scripts/target/deps
	scripts/check --all
