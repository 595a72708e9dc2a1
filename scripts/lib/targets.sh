# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The targets table (scripts/target/targets.tsv) and what follows from it: which
# release builds a target (the host or a chroot), the archive it comes
# from, its current kernel ABIs. Source it after lib.sh; do not run it.
#
# Other releases' packages come through a private apt configuration under
# build/apt/RELEASE (never the host's /etc/apt), from the archive URIs of
# the host's own apt sources, so a local mirror or proxy keeps working.

TARGETS_TSV=${TARGETS_TSV:-$ECHOFIX_ROOT/scripts/target/targets.tsv}
TARGET_FIELDS=(name release suites line source series headers flavours tier archive arch)
ARCHES_TSV=${ARCHES_TSV:-$ECHOFIX_ROOT/scripts/target/arches.tsv}
ARCH_FIELDS=(arch triplet karch flavour cross build qemu machine console image tools)

# The rows, tab-separated, without comments.
targets_rows() {
	[ -r "$TARGETS_TSV" ] || die "$TARGETS_TSV is missing: this checkout is incomplete"
	grep -v -e '^#' -e '^[[:space:]]*$' "$TARGETS_TSV"
}

target_names() {
	targets_rows | cut -f1
}

# field_column FIELD TSV NAME...: the column number of FIELD among the
# table's column NAMEs (1-based); dies if the table has no such column.
field_column() {
	local field=$1 tsv=$2 i=0 name
	shift 2
	for name in "$@"; do
		i=$((i + 1))
		[ "$name" = "$field" ] && { echo "$i"; return 0; }
	done
	die "internal: no column '$field' in $tsv"
}

# target_get NAME FIELD: one field of a row; dies naming the targets.
target_get() {
	local name=$1 field=$2 col row
	col=$(field_column "$field" "$TARGETS_TSV" "${TARGET_FIELDS[@]}") || exit
	row=$(targets_rows | awk -F'\t' -v n="$name" '$1 == n')
	[ -n "$row" ] || die "no target '$name' in scripts/target/targets.tsv (targets: $(target_names | tr '\n' ' '); 'make targets' lists them)"
	cut -f"$col" <<<"$row"
}

# arch_get ARCH FIELD: one field of scripts/target/arches.tsv; dies naming
# the architectures.
arch_get() {
	local arch=$1 field=$2 col row
	col=$(field_column "$field" "$ARCHES_TSV" "${ARCH_FIELDS[@]}") || exit
	[ -r "$ARCHES_TSV" ] || die "$ARCHES_TSV is missing: this checkout is incomplete"
	row=$(grep -v -e '^#' -e '^[[:space:]]*$' "$ARCHES_TSV" | awk -F'\t' -v a="$arch" '$1 == a')
	[ -n "$row" ] || die "no architecture '$arch' in scripts/target/arches.tsv (arches: $(grep -v '^#' "$ARCHES_TSV" | cut -f1 | tr '\n' ' ')): add its row"
	cut -f"$col" <<<"$row"
}

host_arch() {
	dpkg --print-architecture
}

# The architecture of a target (its row's arch column).
target_arch() {
	target_get "$1" arch
}

# The series directory of a kernel line, e.g. 7.3 -> mainline. Every row
# of a line must name the same series (scripts/target/targets --lint checks).
series_of_line() {
	local s
	s=$(targets_rows | awk -F'\t' -v l="$1" '$4 == l { print $6; exit }')
	[ -n "$s" ] || die "Linux $1 is in no target of scripts/target/targets.tsv (lines: $(targets_rows | cut -f4 | sort -uV | tr '\n' ' ')): add a row and its series under patches/"
	echo "$s"
}

# The regular expression of the kernel releases DKMS may build for: the
# lines of the table (dkms.conf's BUILD_EXCLUSIVE_KERNEL).
dkms_kernel_regex() {
	echo "^($(targets_rows | cut -f4 | sort -uV | sed 's/\./\\./g' | paste -sd'|'))\\."
}

# Write the table's lines into a dkms.conf (a staged copy: build-deb,
# dkms-install), so a new row needs no edit of dkms.conf.
sync_dkms_conf() { # FILE
	local re
	re=$(dkms_kernel_regex)
	grep -q '^BUILD_EXCLUSIVE_KERNEL=' "$1" || die "$1 has no BUILD_EXCLUSIVE_KERNEL line"
	sed -i "s/^BUILD_EXCLUSIVE_KERNEL=.*/BUILD_EXCLUSIVE_KERNEL=\"${re//\\/\\\\}\"/" "$1"
}

host_release() {
	(. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# Whether a target is built on the host (its release and architecture are
# the host's).
target_on_host() {
	[ "$(target_get "$1" release)" = "$(host_release)" ] && [ "$(target_arch "$1")" = "$(host_arch)" ]
}

# The chroot of a target, as scripts/target/chroot names it: RELEASE, or
# RELEASE-ARCH for another architecture (DKMS under qemu-user).
target_chroot() {
	local rel arch
	rel=$(target_get "$1" release)
	arch=$(target_arch "$1")
	if [ "$arch" = "$(host_arch)" ]; then echo "$rel"; else echo "$rel-$arch"; fi
}

# The archive's URIs from the host's own apt sources (deb822 and one-line):
# "main URI" and "security URI" (the entry whose suites end in -security).
archive_uri() { # main|security
	local f
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			# deb822: one paragraph per entry
			awk 'BEGIN { RS = ""; FS = "\n" }
			{
				t = u = s = ""
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^Types:/) t = $i
					if ($i ~ /^URIs:/) { u = $i; sub(/^URIs:[ \t]*/, "", u); sub(/ .*/, "", u) }
					if ($i ~ /^Suites:/) s = $i
					if ($i ~ /^Enabled:[ \t]*no/) t = ""
				}
				if (t ~ /[: ]deb( |$)/ && u != "")
					print (s ~ /-security( |$)/ ? "security" : "main"), u
			}' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -r "$f" ] || continue
			awk '$1 == "deb" {
				i = 2
				if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				print ($(i + 1) ~ /-security$/ ? "security" : "main"), $i
			}' "$f"
		done
	} | awk -v w="$1" '$1 == w { print $2; exit }'
}

# The suites of a release's private apt: the release and every suite of
# its targets.
release_suites() {
	local rel=$1
	{
		echo "$rel"
		targets_rows | awk -F'\t' -v r="$rel" '$2 == r { print $3 }' | tr ',' '\n'
	} | awk 'NF && !seen[$0]++'
}

# The release's sources.list lines (private apt and the chroot's own).
release_sources() {
	local rel=$1 main sec s key=/usr/share/keyrings/debian-archive-keyring.gpg
	main=$(archive_uri main)
	sec=$(archive_uri security)
	[ -n "$main" ] || die "no Debian archive URI in the host's apt sources (/etc/apt/sources.list.d/debian.sources 'URIs:' or sources.list 'deb URI ...')"
	[ -r "$key" ] || die "$key is missing: apt-get install debian-archive-keyring"
	while read -r s; do
		case "$s" in
		*-security)
			[ -n "$sec" ] || die "suite $s needs the security archive, but the host's apt sources name none (an entry with Suites: ...-security)"
			echo "deb [signed-by=$key] $sec $s main" ;;
		*) echo "deb [signed-by=$key] $main $s main" ;;
		esac
	done < <(release_suites "$rel")
}

# APT_OPTS: apt-get/apt-cache options of a release's package lists: none
# for the host's release (its own apt), else the private configuration in
# build/apt/RELEASE, updated when older than 6 hours (or with
# ECHOFIX_APT_UPDATE=1). Never writes to /etc/apt or /var/lib/apt.
# Another architecture (ARCH, default the host's): build/apt/RELEASE-ARCH,
# with APT::Architecture(s) ARCH only, even for the host's release.
APT_OPTS=()
apt_for_release() {
	local rel=$1 arch=${2:-} d age=99999999 log
	[ "$arch" != "$(host_arch)" ] || arch=''
	if [ "$rel" = "$(host_release)" ] && [ -z "$arch" ]; then
		APT_OPTS=()
		return 0
	fi
	d=$ECHOFIX_BUILD/apt/$rel${arch:+-$arch}
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	release_sources "$rel" >"$d/sources.list.new"
	APT_OPTS=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o Dir::State::status=/dev/null
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o APT::Sandbox::User=root -o Debug::NoLocking=1)
	[ -z "$arch" ] || APT_OPTS+=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch")
	[ -f "$d/.updated" ] && age=$(($(date +%s) - $(stat -c %Y "$d/.updated")))
	if ! cmp -s "$d/sources.list.new" "$d/sources.list" || [ "$age" -gt 21600 ] ||
		[ -n "${ECHOFIX_APT_UPDATE:-}" ]; then
		mv "$d/sources.list.new" "$d/sources.list"
		log=$d/update.log
		if ! timeout 300 apt-get "${APT_OPTS[@]}" -q update >"$log" 2>&1 ||
			grep -qE '^(E:|W: Failed to fetch)' "$log"; then
			rm -f "$d/.updated"
			grep -E '^(E|W):' "$log" | head -n 5 >&2
			die "release $rel is unreachable: apt-get update of $(release_suites "$rel" | paste -sd' ') from $(archive_uri main) failed (log $log): check the network or the host's apt sources, or leave its targets out"
		fi
		rm -f "$d/abi.cache"
		touch "$d/.updated"
	else
		rm -f "$d/sources.list.new"
	fi
}

# The linux-headers-* package of a Depends line, without its version.
headers_dep() {
	tr ',' '\n' <<<"$1" | sed 's/^ *//; s/ .*//' | grep -m1 '^linux-headers-' || true
}

# The ABI of a target's flavour today, e.g. deb13-6.12 amd64 ->
# 6.12.117+deb13-amd64: the headers meta-package's first dependency. On the
# host's release, the installed meta-package wins (what the host builds
# against); else the newest version in the target's suites.
resolve_kver() {
	local name=$1 flavour=${2:-} rel suites meta dep='' ver line cache arch own=''
	[ -n "$flavour" ] || flavour=$(target_get "$name" flavours | cut -d, -f1)
	target_get "$name" flavours | tr ',' '\n' | grep -qxF -- "$flavour" ||
		die "target $name has no flavour '$flavour' (flavours: $(target_get "$name" flavours))"
	rel=$(target_get "$name" release)
	suites=$(target_get "$name" suites)
	line=$(target_get "$name" line)
	# shellcheck disable=SC2059 # the format is the table's
	meta=$(printf "$(target_get "$name" headers)" "$flavour")
	arch=$(target_arch "$name")
	apt_for_release "$rel" "$arch"
	# the host's own lists: its release and architecture
	[ "$rel" = "$(host_release)" ] && [ "$arch" = "$(host_arch)" ] && own=1
	if [ -n "$own" ]; then
		dep=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null) || dep=''
	fi
	cache=$ECHOFIX_BUILD/apt/$rel/abi.cache
	[ "$arch" = "$(host_arch)" ] || cache=$ECHOFIX_BUILD/apt/$rel-$arch/abi.cache
	if [ -z "$dep" ] && [ -z "$own" ] && [ -f "$cache" ]; then
		dep=$(awk -v k="$meta@$suites" '$1 == k { print $2; exit }' "$cache")
	fi
	if [ -z "$dep" ]; then
		ver=$(apt-cache "${APT_OPTS[@]}" madison "$meta" 2>/dev/null |
			awk -F' *[|] *' -v s=",$suites," '{ split($3, a, " "); split(a[2], b, "/");
				if (index(s, "," b[1] ",")) print $2 }' | sort -V | tail -n1)
		[ -n "$ver" ] ||
			die "the archive has no $meta in $suites (target $name, flavour $flavour): check the flavour, or 'apt-get update' the host if this is its release"
		dep=$(apt-cache "${APT_OPTS[@]}" show "$meta=$ver" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1)
		[ -z "$own" ] && echo "$meta@$suites $(headers_dep "$dep")" >>"$cache"
	fi
	dep=$(headers_dep "$dep")
	dep=${dep#linux-headers-}
	[[ "$dep" == "$line".*-"$flavour" ]] ||
		die "$meta depends on linux-headers-$dep, not a Linux $line kernel of flavour $flavour: fix the row of $name in scripts/target/targets.tsv"
	echo "$dep"
}

# The target and flavour of a kernel release: "NAME FLAVOUR". Dies if the
# release is no target's current ABI.
target_of_kver() {
	local kver=$1 name fl line known=()
	while IFS=$'\t' read -r name _ _ line _ _ _ fl _; do
		[[ "$kver" == "$line".* ]] || continue
		for fl in ${fl//,/ }; do
			[[ "$kver" == *-"$fl" ]] || continue
			# flavour amd64 is not cloud-amd64's, arm64 not rt-arm64's
			[[ "$fl" != *-* && "$kver" == *-*-"$fl" && "${kver%-"$fl"}" =~ -(cloud|rt)$ ]] && continue
			if [ "$(resolve_kver "$name" "$fl")" = "$kver" ]; then
				echo "$name $fl"
				return 0
			fi
			known+=("$name:$(resolve_kver "$name" "$fl")")
		done
	done < <(targets_rows)
	die "kernel $kver is in no target${known:+ (current ABIs of its line: ${known[*]})}: pick one from 'make targets', or add a row to scripts/target/targets.tsv"
}

# Root directory of a target's release: / on the host, else its chroot;
# for another architecture (ARCH), its chroot of that architecture
# (build/chroot/RELEASE-ARCH, where DKMS runs under qemu-user).
release_root() { # RELEASE [ARCH]
	local arch=${2:-}
	[ "$arch" != "$(host_arch)" ] || arch=''
	if [ "$1" = "$(host_release)" ] && [ -z "$arch" ]; then
		echo /
	else
		echo "$ECHOFIX_BUILD/chroot/$1${arch:+-$arch}"
	fi
}

# The newest line of a series, and a tarball of its Debian source: the
# host's /usr/src for the host's release where installed, else the
# linux-source package of the target's release, downloaded through the
# private apt and unpacked under build/src/.
series_base_tarball() { # SERIES -> path
	local s=$1 line name rel src deb dir
	line=$(targets_rows | awk -F'\t' -v s="$s" '$6 == s { print $4 }' | sort -uV | tail -n1)
	name=$(targets_rows | awk -F'\t' -v s="$s" -v l="$line" -v h="$(host_release)" \
		'$6 == s && $4 == l { if ($2 == h) { print $1; exit } n = n ? n : $1 } END { if (n) print n }' | head -n1)
	rel=$(target_get "$name" release)
	src=$(target_get "$name" source)
	if [ "$rel" = "$(host_release)" ] && [ -f "/usr/src/$src.tar.xz" ]; then
		echo "/usr/src/$src.tar.xz"
		return
	fi
	apt_for_release "$rel"
	dir=$ECHOFIX_BUILD/src
	mkdir -p "$dir" "$ECHOFIX_BUILD/debs"
	(cd "$ECHOFIX_BUILD/debs" && apt-get -q "${APT_OPTS[@]}" download "$src" >"$dir/$src.download.log" 2>&1) ||
		{ tail -n 3 "$dir/$src.download.log" >&2; die "apt-get download $src ($rel) failed (log above)"; }
	deb=$(find "$ECHOFIX_BUILD/debs" -maxdepth 1 -name "${src}_*_all.deb" | sort -V | tail -n1)
	[ -n "$deb" ] || die "apt-get download $src left no ${src}_*_all.deb in build/debs"
	if [ ! -f "$dir/$(basename "$deb" .deb).tar.xz" ]; then
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$src.tar.xz" >"$dir/$(basename "$deb" .deb).tar.xz.tmp" ||
			die "$deb has no /usr/src/$src.tar.xz"
		mv "$dir/$(basename "$deb" .deb).tar.xz.tmp" "$dir/$(basename "$deb" .deb).tar.xz"
	fi
	echo "$dir/$(basename "$deb" .deb).tar.xz"
}

# The archive's kernel ABIs of a line and flavour, with the Debian version
# of each headers package: "VERSION ABI" per line, e.g. "6.1.192-2
# 6.1.0-56-amd64". CMD... runs apt-cache (a chroot's: scripts/target/chroot REL
# --run), so the release's own package lists answer.
archive_abis() { # LINE FLAVOUR CMD...
	local line=$1 fl=$2 pkgs
	shift 2
	pkgs=$("$@" apt-cache search --names-only "^linux-headers-${line//./\\.}\\.[0-9]+[-+][^-]*-${fl}\$" | cut -d' ' -f1)
	[ -n "$pkgs" ] || return 0
	# shellcheck disable=SC2086 # one package per word
	"$@" apt-cache madison $pkgs | awk -F' *[|] *' '{ sub(/^ *linux-headers-/, "", $1); print $2, $1 }'
}
