# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for cifs-echofix scripts. Source it; do not run it.
#
# Every failure goes through die(): one line naming the problem and the fix,
# exit status 1. Nothing is silently changed or guessed.

set -euo pipefail

ECHOFIX_ROOT=${ECHOFIX_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ECHOFIX_BUILD=${ECHOFIX_BUILD:-$ECHOFIX_ROOT/build}

die() {
	echo "cifs-echofix: error: $*" >&2
	exit 1
}

note() {
	echo "cifs-echofix: $*" >&2
}

# The package version, single source of truth: dkms.conf.
echofix_version() {
	sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ECHOFIX_ROOT/dkms.conf"
}

# Kernel release of today's kernel of a line of the host's release, or of a
# target of scripts/target/targets.tsv: "6.1", "6.12", "deb13-6.12" (scripts/target/kver).
default_kver() {
	"$ECHOFIX_ROOT/scripts/target/kver" "${1:-6.1}" || exit 1
}

# The suffix of the report directory of a run against --server NAME
# (build/bench/latest-ksmbd): none for Samba, the default; -NAME for the
# other servers of scripts/testhost-server.sh. Dies on a server it lacks.
server_suffix() {
	# shellcheck source=scripts/lib/server.sh
	. "$ECHOFIX_ROOT/scripts/lib/server.sh"
	server_known "$1" || die "--server: unknown server '$1' (one of: $(server_names))"
	[ "$1" = samba ] || echo "-$1"
}

# VERSION.PATCHLEVEL.SUBLEVEL of a kernel Makefile read on stdin.
makefile_version() {
	awk -F' *= *' '$1=="VERSION"{v=$2} $1=="PATCHLEVEL"{p=$2} $1=="SUBLEVEL"{s=$2}
		END { if (v != "" && p != "" && s != "") print v "." p "." s }'
}

# Headers dir of a kernel release; dies naming the package when absent.
kdir_of() {
	local kver=$1 kdir=${2:-/lib/modules/$1/build}
	[ -f "$kdir/Makefile" ] ||
		die "no kernel headers for $kver at $kdir: install them with 'apt-get install linux-headers-$kver'"
	echo "$kdir"
}

# Upstream version (e.g. 6.1.192) of a headers tree.
headers_version() {
	local kdir=$1 v
	v=$(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$kdir" kernelversion 2>/dev/null | tail -n1)
	[[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
		die "cannot read the kernel version of the headers in $kdir ('make kernelversion' said '$v')"
	echo "$v"
}

# "6.1" from "6.1.192"
series_of() {
	local v=$1
	echo "${v%.*}"
}

# Debian's source tarball of a series, e.g. /usr/src/linux-source-6.1.tar.xz
source_tarball() {
	echo "${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-$1.tar.xz}"
}

# Upstream version of a tarball's top-level Makefile.
tarball_version() {
	local tarball=$1 top=$2
	tar -xJOf "$tarball" --occurrence=1 "$top/Makefile" 2>/dev/null | makefile_version
}

# Debian version of an installed package, or empty.
deb_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true
}

# Install Debian packages that are missing (root only); print what is installed.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}: run 'sudo apt-get install ${missing[*]}'"
	note "installing: ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}" >"${TMPDIR:-/tmp}/echofix-apt.log" 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			"${missing[@]}" >"${TMPDIR:-/tmp}/echofix-apt.log" 2>&1 ||
			{ tail -n 20 "${TMPDIR:-/tmp}/echofix-apt.log" >&2
			  die "apt-get install ${missing[*]} failed (log above)"; }
	fi
}

# Files a patch (read from the file $1) adds, deletes or renames, one per line.
patch_moved_files() {
	awk '/^--- a\// { from = substr($0, 7) }
		/^--- \/dev\/null$/ { from = "" ; added = 1; next }
		/^\+\+\+ b\// && added { print substr($0, 7); added = 0 }
		/^\+\+\+ \/dev\/null$/ && from != "" { print from }
		/^rename (from|to) / { print $3 }' "$1" | sort -u
}

# The maintainer's checkpatch verdict on one patch, shared by
# scripts/series/check (Debian's trees) and scripts/series/mainline:
#
#   checkpatch_verdict TOOLS RUNDIR PATCH REPO BASE
#
# runs TOOLS/scripts/checkpatch.pl --strict --no-tree on the file PATCH
# from RUNDIR (a git checkout there lets it verify Fixes: ids) and prints
# its "total:" line, then each finding that is not accepted, one per line
# as TYPE:NAME: message. Accepted, and only these:
#   - FILE_PATH_CHANGES ("does MAINTAINERS need updating?") when
#     TOOLS/scripts/get_maintainer.pl puts every file the patch adds,
#     deletes or renames under the SMB client's entry (linux-cifs);
#   - CHECK:CAMELCASE for identifiers that the client already has at
#     commit BASE of the git repository REPO (tcpStatus, CifsGood, ...);
#   - ERROR:COMPLEX_MACRO on a list of trace.h's symbolic values
#     ("#define smb3_..._traces" of EM()/E_() lines): checkpatch reports
#     every such list the same way, the three the file already has too;
#   - UNKNOWN_COMMIT_ID when RUNDIR's git history is only Debian's import
#     (one commit before the series): a Fixes: id cannot be looked up
#     there, and the line "unverified Fixes: ID" says so instead.
checkpatch_verdict() {
	local tools=$1 rundir=$2 patch=$3 repo=$4 base=$5 f ignore=() covered=1 moved out line id
	moved=$(patch_moved_files "$patch")
	if [ -n "$moved" ]; then
		for f in $moved; do
			(cd "$tools" && ./scripts/get_maintainer.pl --no-git --no-rolestats -f "$f" 2>/dev/null) |
				grep -q 'linux-cifs@vger.kernel.org' || covered=
		done
		[ -n "$covered" ] && ignore+=(--ignore=FILE_PATH_CHANGES)
	fi
	if grep -q '^Fixes:' "$patch" &&
		[ "$(git -C "$rundir" rev-list --count "$base" 2>/dev/null || echo 0)" -le 1 ]; then
		ignore+=(--ignore=UNKNOWN_COMMIT_ID)
		sed -n 's/^Fixes: \([0-9a-f]*\) .*/\1/p' "$patch" | while read -r id; do
			echo "unverified Fixes: $id (no history in $rundir)" >&2
		done
	fi
	out=$(cd "$rundir" && "$tools/scripts/checkpatch.pl" --strict --no-tree --show-types \
		"${ignore[@]}" "$patch" 2>/dev/null || true)
	grep -m1 '^total:' <<<"$out" || echo "total: checkpatch.pl printed no verdict"
	# a COMPLEX_MACRO finding whose quoted lines define a trace.h list
	out=$(awk '
		/^(ERROR|WARNING|CHECK):/ { flush(); blk = $0; next }
		blk != "" && /^$/ { flush(); next }
		blk != "" { ctx = ctx "\n" $0; next }
		{ print }
		function flush() {
			if (blk == "") return
			if (!(blk ~ /^ERROR:COMPLEX_MACRO:/ && ctx ~ /FILE: fs\/smb\/client\/trace\.h:/ &&
			      ctx ~ /\n\+#define [a-z0-9_]+_traces[ \t]*\\/))
				print blk
			blk = ""; ctx = ""
		}
		END { flush() }' <<<"$out")
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		case "$line" in
		CHECK:CAMELCASE:*)
			id=$(sed -n 's/.*<\(.*\)>$/\1/p' <<<"$line")
			git -C "$repo" grep -qw -e "$id" "$base" -- fs/smb/client && continue ;;
		esac
		echo "$line"
	done < <(grep -E '^(ERROR|WARNING|CHECK):' <<<"$out" | sort -u)
}

# What the kernel's own checkers print when they find something: oops,
# BUG, WARNING, panic, and the reports of KASAN and KFENCE ("BUG: KASAN:",
# "BUG: KFENCE:"), UBSAN, lockdep ("WARNING: possible circular locking
# dependency", "INFO: trying to register non-static key", ...) and
# debugobjects ("ODEBUG:"). kernel_splats FILE... prints the lines found.
SPLAT_RE='Kernel panic|kernel BUG|BUG:|WARNING:|Oops|general protection fault|UBSAN:|ODEBUG:|INFO: (possible|trying to register|lockdep|suspicious RCU)|inconsistent lock state|possible (circular|recursive) locking'
kernel_splats() {
	grep -h -E "$SPLAT_RE" "$@" || true
}

# The fixed module of KVER, built as 'make module KVER=...' would (incremental,
# PATCHES=N for the first N patches of the line's series, default all), and
# copied to DEST (fs/ is rebuilt by the next build). The log is DEST.log;
# a failed build dies with its tail. Every scenario's runner builds through here.
build_fixed_module() { # kver dest [patches]
	local kver=$1 dest=$2 patches=${3:-}
	make -s --no-print-directory -j"$(nproc)" -C "$ECHOFIX_ROOT" module KVER="$kver" \
		${patches:+PATCHES="$patches"} >"$dest.log" 2>&1 || {
		tail -n 20 "$dest.log" >&2
		die "building the fixed module for $kver${patches:+ (first $patches patches)} failed (log $dest.log)"
	}
	cp "$ECHOFIX_ROOT/fs/smb/client/cifs.ko" "$dest"
}
