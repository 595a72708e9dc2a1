# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2154 # sourced by scripts/testhost/run: its variables
#
# The servers of scripts/testhost/run (--server NAME), sourced by it. What
# varies between them is one row of SERVER_TABLE and one set of functions
# NAME_up, NAME_down, NAME_fault ACTION, NAME_md5 FILE, NAME_manifest, NAME_netdev,
# NAME_capture_end; scripts/testhost/run calls only those. NAME_up also
# makes the second link of a two-link profile (PROFILE_LINKS=2,
# scripts/testhost/mountopts.tsv): the client's eth1 (10.0.4.15) reaching
# the server's second address (ip2) as LINK2_NETDEV, QEMU's -netdev and
# -device of the client's second NIC.
#
#   name   where it runs, how the client reaches it
#   samba  a private smbd on this machine's loopback, port 44500..44599,
#          through QEMU's user network (client 10.0.2.15, server 10.0.2.2)
#   ksmbd  a second QEMU guest: the same Debian kernel image, its in-tree
#          ksmbd module, ksmbd.mountd from Debian's ksmbd-tools (unpacked
#          from its .deb, never installed here: its package ships a
#          service that would load ksmbd into this machine's kernel);
#          share on a tmpfs in that guest, 10.0.3.1:445; client 10.0.3.2;
#          the two guests' NICs are joined by a UDP socket netdev on
#          127.0.0.1 (no host address carries SMB); with two links a
#          second pair of NICs, joined the same way (server eth1
#          10.0.4.2, client eth1 10.0.4.15)
#
# What the --host-faults actions (asked for by the client guest's
# host_fault <action> in scripts/lib/guest.sh) mean per server:
#   action      samba (host)                  ksmbd (server guest)
#   smbd-stop   SIGSTOP to smbd's group       hold the server's IP packets
#               (TCP still acked by the host  over 80 bytes on its eth0 in
#               kernel, no SMB reply)         a plugged qdisc (TCP still
#                                             acked, no reply, none lost)
#   smbd-cont   SIGCONT                       unplug: the held replies go
#   smbd-kill   kill smbd, port closed        ksmbd.control --shutdown,
#                                             port closed
#   smbd-start  smbd again on the same port   ksmbd.mountd again
# --capture: samba's is tshark on lo (tcp port); ksmbd's is tshark on lo
# of the UDP datagrams between the two QEMUs, rewritten (scripts/testhost/udp2eth)
# into a capture of the Ethernet frames they carry: the same packets the
# client's NIC sent and got, stamped with this machine's clock.

# The ksmbd server guest's kernel and tools are the table's, whatever the
# client's kernel: Debian 13's 6.12 and its ksmbd-tools. Not Debian 12's
# own: its 6.1.192 ksmbd oopses on the first open without an oplock
# (smb2_open calls opinfo_put(NULL): every directory open, so every mount),
# and its ksmbd-tools 3.4.7 answers no share (BAD_NETWORK_NAME even for
# IPC$; the kernel never logs a share path request: most likely its
# share-config replies fail 6.1.192's stricter reply checks). Debian 13's
# ksmbd-tools 3.5.3 needs glibc >= 2.34, glib >= 2.58: it runs on this
# machine's libraries, copied into the guest like the client's tools.
#
# ip2: the server's address on the second link (two-link profiles), the
# client's eth1 being 10.0.4.15.
#
#               name  server_ip guest_ip  ip2  server kernel, tools' release  host packages (command:package)
SERVER_TABLE='samba 10.0.2.2 10.0.2.15 10.0.4.2 - - smbd:samba,smbpasswd:samba-common-bin
ksmbd 10.0.3.1 10.0.3.2 10.0.4.2 6.12 trixie lib:libglib2.0-0,lib:libnl-3-200,lib:libnl-genl-3-200'

# The port choosers of every checkout on this machine share one lock (held
# until the server listens): runs of two worktrees must not pick the same
# free port at once (a run whose smbd lost the race would mount the other
# run's share, with the wrong password: mount error 13).
PORT_LOCK=/run/lock/cifs-echofix-testhost-port.lock
[ -w /run/lock ] || PORT_LOCK=$ECHOFIX_BUILD/testhost/.port.lock

server_names() { echo "$SERVER_TABLE" | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//'; }
server_known() { echo "$SERVER_TABLE" | awk -v n="$1" '$1 == n { f = 1 } END { exit !f }'; }
server_get() { # name column
	echo "$SERVER_TABLE" | awk -v n="$1" -v c="$2" '
		BEGIN { split("name server_ip guest_ip ip2 kline tools pkgs", k); for (i in k) col[k[i]] = i }
		$1 == n { print $col[c] }'
}
# The host packages the server needs that are missing (need_cmd's format).
server_host_pkgs() {
	local e
	for e in $(server_get "$1" pkgs | tr ',' ' '); do
		case "$e" in
		lib:*)
			dpkg-query -W -f='${Status}' "${e#lib:}" 2>/dev/null | grep -q 'install ok installed' ||
				echo "${e#lib:}"
			;;
		*) need_cmd "${e%%:*}" "${e#*:}" ;;
		esac
	done
}

# The log line of a --host-faults action: what, its result, when (this
# machine's clock), the guest's kernel time of the request (its printk
# prefix, fault_ktime) and how long after the request reached the host
# (t_req) the action was done: scripts/scenarios/liveness/report places the
# stop on the guest's clock with these.
fault_done() { # action result
	local t=$EPOCHREALTIME
	echo "HOST: $1 $2 at $t (request [${fault_ktime:-?}] +$(awk -v a="${t_req:-$t}" -v b="$t" 'BEGIN { printf "%d", (b - a) * 1000 }') ms)"
}

# ------------------------------------------------------------- networks
# How the client guest reaches a server on this machine (scripts/testhost/run
# --net KIND): one row per kind. Guest 10.0.2.15/24, server 10.0.2.2 in both.
#   user  QEMU's user network (slirp): the guest's TCP ends inside QEMU,
#         which opens its own connection to smbd on this machine's
#         loopback. After smbd stops, QEMU goes on reading our bytes into
#         its sockets: the window the guest sees is QEMU's, not smbd's.
#   tap   a network namespace of the run's own (deleted on exit) holding a
#         tap device, 10.0.2.2/24 on this side; QEMU and smbd run in it:
#         the guest's TCP connection ends in smbd's socket (end-to-end),
#         so a stopped smbd's receive window closes as a real server's
#         does. Needs root; Samba only.
#
#          kind netns  QEMU -netdev                                        smbd interfaces  capture on  servers
NET_TABLE='user -     user,id=net0                                        127.0.0.1        lo          samba,ksmbd
tap  netns tap,id=net0,ifname=tap0,script=no,downscript=no            10.0.2.2/24      tap0        samba'

net_names() { echo "$NET_TABLE" | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//'; }
net_get() { # kind column
	echo "$NET_TABLE" | awk -v n="$1" -v c="$2" '
		BEGIN { split("kind netns netdev smbd_if capture_if servers", k); for (i in k) col[k[i]] = i }
		$1 == n { print $col[c] }'
}
# net_check KIND SERVER: dies unless KIND is a known kind SERVER can use
net_check() {
	[ -n "$(net_get "$1" kind)" ] || die "--net: unknown network '$1' (one of: $(net_names))"
	[[ ",$(net_get "$1" servers)," == *",$2,"* ]] ||
		die "--net $1: not with --server $2 (--net $1 serves only: $(net_get "$1" servers)); use --net user"
	if [ "$(net_get "$1" netns)" = netns ] && [ "$(id -u)" != 0 ]; then
		die "--net $1 needs root (it creates a network namespace and a tap device): run as root, or use --net user"
	fi
	return 0
}
# in_net CMD...: CMD in the run's network namespace (if its kind has one);
# "${IN_NET[@]}" CMD... the same without a shell function between: CMD's
# pid is $! (ip netns exec and setsid exec, they do not fork)
NETNS='' IN_NET=()
# the client guest's first NIC (QEMU's default address, stated)
GUEST_MAC=52:54:00:12:34:56
in_net() { "${IN_NET[@]}" "$@"; }
# net_up KIND: the run's namespace and tap device, for a kind with netns
net_up() {
	local tapdev
	[ "$(net_get "$1" netns)" = netns ] || return 0
	tapdev=$(net_get "$1" capture_if)
	NETNS=testhost-$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	ip netns add "$NETNS" || { NETNS=''; die "--net $1: ip netns add failed"; }
	IN_NET=(ip netns exec "$NETNS")
	in_net ip link set lo up || die "--net $1: ip link set lo up in $NETNS failed"
	in_net ip tuntap add dev "$tapdev" mode tap || die "--net $1: ip tuntap add $tapdev in $NETNS failed"
	in_net ip addr add "$(server_get samba server_ip)/24" dev "$tapdev" || die "--net $1: ip addr add on $tapdev failed"
	in_net ip link set "$tapdev" up || die "--net $1: ip link set $tapdev up failed"
	# The guest's address resolved for good: its ARP replies leave through
	# the guest's shaped uplink, behind up to 25 s of our upload at
	# 0.5 Mbit/s (netem's queue), so an entry that went stale while this
	# side only received failed, and the server's acknowledgments waited
	# in the neighbour queue and were dropped: 22 s in which the server's
	# TCP sent nothing (docs/results/2026-12-06-faults-6.12-arp.md). A router's
	# ARP does not queue behind a client's upload.
	in_net ip neigh replace "$(server_get samba guest_ip)" lladdr "$GUEST_MAC" dev "$tapdev" nud permanent ||
		die "--net $1: ip neigh replace on $tapdev failed"
	note "network: namespace $NETNS, $tapdev $(server_get samba server_ip)/24, guest $(server_get samba guest_ip) at $GUEST_MAC (QEMU and smbd run in it)"
}
# shellcheck disable=SC2317 # called from the EXIT trap
net_down() {
	[ -n "$NETNS" ] || return 0
	ip netns del "$NETNS" || note "ip netns del $NETNS failed: delete it by hand"
	NETNS='' IN_NET=()
}

# ------------------------------------------------------------------ ksmbd
KSMBD_QEMU_PID='' KSMBD_CTL_FD='' KSMBD_IN_FD='' KSMBD_SEQ=0

# ksmbd_cmd COMMAND [ARG]: one command to the server guest's control
# channel; prints its result, 1 if there is none within 30 s.
ksmbd_cmd() {
	local id r
	KSMBD_SEQ=$((KSMBD_SEQ + 1))
	id=$BASHPID.$KSMBD_SEQ
	# written through an fd held open read-write: never blocks, even if
	# the guest is gone
	echo "$id $*" >&"$KSMBD_IN_FD" || return 1
	while IFS= read -r -t "${KSMBD_WAIT:-30}" -u "$KSMBD_CTL_FD" r; do
		r=${r%$'\r'}
		case "$r" in
		"R $id "*) echo "${r#R "$id" }"; return 0 ;;
		esac
	done
	return 1
}

# The server's kernel image (SKVER, SIMG, SVMLINUZ, SNIC), unpacked once
# into build/testhost/ksmbd-server/KVER/image.
ksmbd_image() {
	local line deb rel t tdir
	line=$(server_get ksmbd kline)
	SKVER=$(default_kver "$line") || die "ksmbd: no kernel of Linux $line for the server guest ('make targets')"
	read -r t _ < <(target_of_kver "$SKVER") || exit 1
	rel=$(target_get "$t" release)
	tdir=$ECHOFIX_BUILD/testhost/ksmbd-server/$SKVER
	SIMG=$tdir/image
	mkdir -p "$tdir"
	deb=$(fetch "linux-image-$SKVER" "$rel")
	unpack_image "$SIMG" "$SKVER" "$deb"
	SVMLINUZ=$SIMG/boot/vmlinuz-$SKVER
	[ -f "$SVMLINUZ" ] || SVMLINUZ=$SIMG/lib/modules/$SKVER/vmlinuz
	[ -f "$SVMLINUZ" ] || die "ksmbd: $deb has no kernel image"
	SNIC=''
	for m in $NIC_DRIVERS; do
		modprobe -d "$SIMG" -S "$SKVER" --show-depends "$m" 2>/dev/null | grep -q '^insmod ' &&
			SNIC+="${SNIC:+ }$m"
	done
	return 0
}

ksmbd_up() {
	local deb x sroot i p ports=() t1 wanted ip2='' link2=()
	t1=$EPOCHREALTIME
	# ksmbd.mountd: Debian's ksmbd-tools of this machine's release (its
	# libraries are this machine's, copied below like the client's tools)
	deb=$(fetch ksmbd-tools "$(server_get ksmbd tools)")
	x=$RUN/ksmbd-tools
	dpkg-deb -x "$DEBDIR/$deb" "$x" || die "ksmbd: dpkg-deb -x $DEBDIR/$deb failed"
	[ -x "$x/usr/libexec/ksmbd.tools" ] || die "ksmbd: $deb has no /usr/libexec/ksmbd.tools (ksmbd-tools 3.4.5 or later expected)"
	ksmbd_image
	local IMG=$SIMG kver=$SKVER MODDIR_REL=lib/modules/$SKVER NIC_MODULES=$SNIC VMLINUZ=$SVMLINUZ
	modinfo -b "$IMG" -k "$kver" -n ksmbd >/dev/null 2>&1 ||
		die "ksmbd: the image of $kver has no ksmbd module (CONFIG_SMB_SERVER)"

	# the server guest's initramfs: busybox, kmod, tc, ksmbd.tools, modules
	sroot=$RUN/ksmbd-root
	mkdir -p "$sroot"/{bin,sbin,usr/sbin,usr/libexec,etc,dev,proc,sys,tmp,run,srv,"$MODDIR_REL"}
	cp "$BUSYBOX" "$sroot/bin/busybox"
	ln -s busybox "$sroot/bin/sh"
	(
		ROOT=$sroot
		copy_bin "$(command -v kmod)" sbin/kmod
		copy_bin "$(command -v tc)" sbin/tc
		copy_bin "$x/usr/libexec/ksmbd.tools" usr/libexec/ksmbd.tools
	) || die "ksmbd: copying kmod, tc, ksmbd.tools into the server's initramfs failed"
	for a in modprobe insmod rmmod lsmod modinfo; do ln -s kmod "$sroot/sbin/$a"; done
	# tc's names of the ematches (smbd-stop's 'basic match cmp(...)')
	mkdir -p "$sroot/etc/iproute2"
	cp /etc/iproute2/ematch_map "$sroot/etc/iproute2/" || die "ksmbd: no /etc/iproute2/ematch_map (iproute2)"
	for a in mountd adduser control; do ln -s ../libexec/ksmbd.tools "$sroot/usr/sbin/ksmbd.$a"; done
	if [ "$(id -u)" = 0 ]; then
		mknod -m 600 "$sroot/dev/console" c 5 1
		mknod -m 666 "$sroot/dev/null" c 1 3
	fi
	echo 'root:x:0:0:root:/root:/bin/sh' >"$sroot/etc/passwd"
	echo 'root:x:0:' >"$sroot/etc/group"
	wanted=$( {
		# shellcheck disable=SC2086
		echo ksmbd $NIC_MODULES nls_utf8 sch_prio sch_plug cls_basic em_cmp sch_ingress cls_u32 act_gact
		softdeps "$(modinfo -b "$IMG" -k "$kver" -n ksmbd)"
		mod_names "$IMG/$MODDIR_REL"/kernel/{crypto,arch/x86/crypto,lib/crypto}
	} | sed '/^$/d' | sort -u)
	# (softdeps name aliases too, e.g. aead2: modprobe fails on those)
	# shellcheck disable=SC2086
	modprobe -d "$IMG" -S "$kver" --show-depends -a $wanted 2>/dev/null |
		awk '$1 == "insmod" { print $2 }' | sort -u >"$RUN/ksmbd-modules.list" || true
	grep -q '/ksmbd\.ko' "$RUN/ksmbd-modules.list" || die "ksmbd: modprobe --show-depends found no ksmbd module in $IMG"
	sed "s|^$IMG/||" "$RUN/ksmbd-modules.list" | (cd "$IMG" && cpio -pdm --quiet "$sroot") ||
		die "ksmbd: copying the modules from $IMG failed"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$IMG/$MODDIR_REL/$f" ] && cp "$IMG/$MODDIR_REL/$f" "$sroot/$MODDIR_REL/"
	done
	depmod -b "$sroot" "$kver" || die "ksmbd: depmod -b <server initramfs> $kver failed"
	cp "$(dirname "$INIT_TEMPLATE")/ksmbd-init" "$sroot/init" || die "ksmbd: scripts/testhost/ksmbd-init is missing"
	chmod 755 "$sroot/init"
	PORT=445
	[ "${PROFILE_LINKS:-1}" = 2 ] && ip2=$(server_get ksmbd ip2)
	{
		echo "SHARE=$(sq "$SHARE")"
		echo "SMBUSER=$(sq "$SMBUSER")"
		echo "SMBPASS=$(sq "$SMBPASS")"
		echo "SERVER_IP=$(sq "$(server_get ksmbd server_ip)")"
		echo "SERVER_IP2=$(sq "$ip2")"
		echo "PORT=$PORT"
		echo "NIC_MODULES=$(sq "$NIC_MODULES")"
		echo "KSMBD_DEBUG=$(sq "${KSMBD_DEBUG:-}")"
		echo "EXTRA_SHARES=$(sq "${extra_shares[*]}")"
		echo "KSMBD_EXTRA_CONF=$(sq "${KSMBD_EXTRA_CONF:-}")"
	} >"$sroot/etc/ksmbd-server.env"
	(cd "$sroot" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$RUN/ksmbd-initramfs.cpio.gz" || die "ksmbd: cpio/gzip of the server's initramfs failed"

	# free UDP ports on 127.0.0.1, two per link: one per guest's end
	exec {portlock}>"$PORT_LOCK"
	flock -w 60 "$portlock" || die "ksmbd: could not get $PORT_LOCK within 60 s"
	for ((p = 44600; p < 44700 && ${#ports[@]} < 2 * ${PROFILE_LINKS:-1}; p++)); do
		[ -z "$(ss -uanH "sport = :$p")" ] || continue
		ports+=("$p")
	done
	[ ${#ports[@]} = $((2 * ${PROFILE_LINKS:-1})) ] ||
		die "ksmbd: no $((2 * ${PROFILE_LINKS:-1})) free UDP ports in 44600..44699"
	KSMBD_UDP="${ports[0]} ${ports[1]}"
	# The second link (two-link profiles): the server's eth1 ($ip2) and
	# the client's eth1, joined like the first. The advertised link speed
	# (FSCTL_QUERY_NETWORK_INTERFACE_INFO: ksmbd reports what ethtool
	# says, virtio-net's unknown speed as 4294967295 Mbit/s) is set to
	# 1 Gbit/s on both server NICs: the channels' weights stay equal.
	if [ -n "$ip2" ]; then
		# shellcheck disable=SC2054 # commas inside one QEMU option
		link2=(-netdev "socket,id=net1,udp=127.0.0.1:${ports[2]},localaddr=127.0.0.1:${ports[3]}"
			-device virtio-net-pci,netdev=net1,romfile=,mac=52:54:00:12:34:02,speed=1000,duplex=full)
		LINK2_NETDEV=(-netdev "socket,id=net1,udp=127.0.0.1:${ports[3]},localaddr=127.0.0.1:${ports[2]}"
			-device 'virtio-net-pci,netdev=net1,romfile=,mac=52:54:00:12:34:57')
	fi
	mkfifo "$RUN/ksmbd-ctl.in" "$RUN/ksmbd-ctl.out"
	exec {KSMBD_CTL_FD}<>"$RUN/ksmbd-ctl.out"
	exec {KSMBD_IN_FD}<>"$RUN/ksmbd-ctl.in"
	KSMBD_LOG=$HOSTDIR/console-ksmbd-server.log
	: >"$KSMBD_LOG"
	# ipv6.disable=1: ksmbd lists each interface's IPv6 address too (the
	# link-local fe80::, useless to a client without its scope): IPv4
	# only, as Samba's 'interfaces' lists.
	timeout -k 10 $((timeout_s + 300)) qemu-system-x86_64 \
		-accel tcg -m 768 -smp 1 -display none -monitor none -no-reboot \
		-serial stdio -serial "pipe:$RUN/ksmbd-ctl" \
		-kernel "$VMLINUZ" -initrd "$RUN/ksmbd-initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 quiet loglevel=5 ipv6.disable=1" \
		-netdev "socket,id=net0,udp=127.0.0.1:${ports[0]},localaddr=127.0.0.1:${ports[1]}" \
		-device virtio-net-pci,netdev=net0,romfile=,mac=52:54:00:12:34:01,speed=1000,duplex=full \
		"${link2[@]}" </dev/null >"$KSMBD_LOG" 2>&1 &
	KSMBD_QEMU_PID=$!
	note "ksmbd server guest: qemu pid $KSMBD_QEMU_PID, UDP 127.0.0.1:${ports[1]} <-> :${ports[0]}${ip2:+, second link $ip2: :${ports[3]} <-> :${ports[2]}}, console $KSMBD_LOG"
	for ((i = 0; i < 3000; i++)); do
		grep -q '^KSMBDSRV: \(READY\|FAIL\)' "$KSMBD_LOG" && break
		kill -0 "$KSMBD_QEMU_PID" 2>/dev/null || break
		sleep 0.1
	done
	flock -u "$portlock"
	if ! grep -q '^KSMBDSRV: READY' "$KSMBD_LOG"; then
		tail -n 15 "$KSMBD_LOG" >&2
		if grep -q '^KSMBDSRV: FAIL' "$KSMBD_LOG"; then
			die "ksmbd: the server did not start: $(sed -n 's/^KSMBDSRV: FAIL //p' "$KSMBD_LOG" | head -n1) (console $KSMBD_LOG, tail above)"
		fi
		kill -0 "$KSMBD_QEMU_PID" 2>/dev/null &&
			die "ksmbd: the server guest was not ready within 300 s (console $KSMBD_LOG, tail above)"
		die "ksmbd: the server guest's QEMU exited before ksmbd was ready (console $KSMBD_LOG, tail above)"
	fi
	note "ksmbd: kernel $SKVER, $(sed -n 's/^KSMBDSRV: READY //p' "$KSMBD_LOG" | head -n1) ($(elapsed "$t1" "$EPOCHREALTIME") s)"
	SHARE_DIR="(server guest) /srv/share"
	CAPTURE_FILTER="udp port ${ports[0]} or udp port ${ports[1]}"
	[ -n "$capture" ] && CAPTURE_RAW=$RUN/udp.pcap
	return 0
}
# shellcheck disable=SC2317 # called from the EXIT trap
ksmbd_down() {
	[ -n "$KSMBD_QEMU_PID" ] || return 0
	# a clean poweroff prints ksmbd.mountd's log on the server's console
	kill -0 "$KSMBD_QEMU_PID" 2>/dev/null && KSMBD_WAIT=10 ksmbd_cmd poweroff >/dev/null
	stop_pid "$KSMBD_QEMU_PID" "ksmbd server qemu"
	KSMBD_QEMU_PID=
}
ksmbd_fault() {
	local r
	r=$(ksmbd_cmd "$1") || r="FAILED (no reply from the server guest within 30 s)"
	fault_done "$1" "$r"
}
ksmbd_md5() { ksmbd_cmd md5 "$1"; }
ksmbd_manifest() {
	local r
	# md5 of every file under TCG: more than one command's 30 s
	r=$(KSMBD_WAIT=300 ksmbd_cmd manifest) || return 1
	tr ';' '\n' <<<"$r" | grep .
}
ksmbd_netdev() {
	local a=${KSMBD_UDP% *} b=${KSMBD_UDP#* }
	echo "-netdev socket,id=net0,udp=127.0.0.1:$b,localaddr=127.0.0.1:$a"
}
ksmbd_capture_end() {
	python3 "$(dirname "$INIT_TEMPLATE")/udp2eth" "$CAPTURE_RAW" "$capture" ||
		die "--capture: rewriting $CAPTURE_RAW into $capture failed"
}
# The server guest's console: a panic, BUG, WARNING, Oops (first line).
ksmbd_splats() {
	grep -v -e '^KSMBDSRV: ' -e '^\[ksmbd\.' "$KSMBD_LOG" | kernel_splats - | head -n1
}

# ------------------------------------------------------------------ samba
# Whether process group $1 has a live (not zombie) member.
# shellcheck disable=SC2317
group_alive() {
	ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
}

# smbd runs under setsid: it and its helpers (smbd-notifyd, cleanupd, one
# smbd per client) are process group $(cat $SMBD_PIDFILE), which holds
# nothing else. A stopped group is continued first, so that it can act on
# the signal. SIGKILL after 10 s, or at once with 'stop_smbd KILL'. The
# shell that started smbd (start_smbd) must be the one to stop it: it
# reaps it.
# shellcheck disable=SC2317
stop_smbd() {
	local pid i
	pid=$(cat "$SMBD_PIDFILE" 2>/dev/null) || return 0
	[ -n "$pid" ] || return 0
	kill -CONT -- "-$pid" 2>/dev/null
	kill "-$1" -- "-$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		group_alive "$pid" || break
		sleep 0.1
	done
	if group_alive "$pid"; then
		note "smbd (process group $pid) ignored SIG$1: sending SIGKILL"
		kill -KILL -- "-$pid" 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			group_alive "$pid" || break
			sleep 0.1
		done
	fi
	wait "$pid" 2>/dev/null
	rm -f "$SMBD_PIDFILE"
}

# Two links (--net user only): a network namespace of this run, made here
# as the run's NETNS/IN_NET (net_down deletes it on exit), with a veth pair
# inside, one end per link address; the private smbd and QEMU run in it
# (IN_NET), so QEMU's two user networks reach that smbd on the namespace's
# 127.0.0.1, and Samba advertises both addresses.
samba_links() {
	local ip1 ip2
	[ "${PROFILE_LINKS:-1}" = 2 ] || return 0
	[ -z "$NETNS" ] || die "--profile $profile: two links need --net user (--net $net has its own namespace)"
	command -v ip >/dev/null || die "--profile $profile: needs ip (iproute2)"
	ip1=$(server_get samba server_ip) ip2=$(server_get samba ip2)
	NETNS=testhost-$$-links
	ip netns add "$NETNS" || { NETNS=''; die "--profile $profile: ip netns add failed (root needed)"; }
	IN_NET=(ip netns exec "$NETNS")
	in_net ip link set lo up &&
		in_net ip link add thl0 type veth peer name thl1 &&
		in_net ip addr add "$ip1/24" dev thl0 &&
		in_net ip addr add "$ip2/24" dev thl1 &&
		in_net ip link set thl0 up &&
		in_net ip link set thl1 up ||
		die "--profile $profile: setting up the veth pair in netns $NETNS failed"
	LINK2_NETDEV=(-netdev "user,id=net1,net=${ip2%.*}.0/24,host=$ip2"
		-device 'virtio-net-pci,netdev=net1,romfile=,mac=52:54:00:12:34:57')
	note "links: netns $NETNS, server $ip1 + $ip2 (veth thl0/thl1), guest eth0 + eth1"
}

# Samba: a private smbd on this machine's loopback.
samba_up() {
samba_links
SMB=$RUN/smb
mkdir -p "$SMB"/{state,lock,pid,private,cache,ncalrpc,log}
SHARE_DIR=${share_dir:-$SMB/share}
mkdir -p "$SHARE_DIR"
chmod 700 "$SMB/private"

# listening PORT: something on this machine listens on TCP PORT
listening() {
	[ -n "$(in_net ss -ltnH "sport = :$1")" ]
}

# One port chooser at a time (parallel runs): held until smbd listens.
exec {portlock}>"$PORT_LOCK"
flock -w 60 "$portlock" || die "smbd: could not get $PORT_LOCK within 60 s"
PORT=
for ((p = 44500; p < 44600; p++)); do
	if ! listening "$p"; then
		PORT=$p
		break
	fi
done
[ -n "$PORT" ] || die "smbd: no free TCP port in 44500..44599"

cat >"$SMB/smb.conf" <<EOF
# testhost: private smbd, loopback only
[global]
	netbios name = TESTHOST
	workgroup = WORKGROUP
	server role = standalone server
	smb ports = $PORT
	interfaces = $(net_get "$net" smbd_if)
	bind interfaces only = yes
	disable netbios = yes
	state directory = $SMB/state
	lock directory = $SMB/lock
	pid directory = $SMB/pid
	private dir = $SMB/private
	cache directory = $SMB/cache
	ncalrpc dir = $SMB/ncalrpc
	log file = $SMB/log/smbd.log
	max log size = 0
	log level = 1
	passdb backend = tdbsam:$SMB/private/passdb.tdb
	map to guest = never
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes
	rpc start on demand helpers = no
	server min protocol = SMB2_02
	# the mount profile's (scripts/testhost/mountopts.tsv)
${SAMBA_EXTRA_CONF:-}

[$SHARE]
	path = $SHARE_DIR
	read only = no
	valid users = $SMBUSER
EOF
# --extra-share NAME: more shares, each an empty directory of the run
for n in "${extra_shares[@]}"; do
	mkdir -p "$SMB/extra/$n"
	printf '\n[%s]\n\tpath = %s\n\tread only = no\n\tvalid users = %s\n' \
		"$n" "$SMB/extra/$n" "$SMBUSER" >>"$SMB/smb.conf"
done
printf '%s\n%s\n' "$SMBPASS" "$SMBPASS" |
	smbpasswd -c "$SMB/smb.conf" -a -s "$SMBUSER" >"$SMB/log/smbpasswd.log" 2>&1 || {
	tail -n 5 "$SMB/log/smbpasswd.log" >&2
	die "smbd: smbpasswd -a $SMBUSER in the private passdb failed (log above)"
}
# Start smbd and wait (10 s at most) until it listens; 1 if it does not.
# setsid: smbd signals its whole process group when it exits.
start_smbd() {
	local pid i
	# (a simple command: $! must be smbd's pid, its process group)
	"${IN_NET[@]}" setsid smbd --foreground --no-process-group -s "$SMB/smb.conf" \
		</dev/null >>"$SMB/log/smbd.out" 2>&1 &
	pid=$!
	echo "$pid" >"$SMBD_PIDFILE"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		# ours, not another checkout's smbd on the same port
		listening "$PORT" && { in_net ss -ltnpH "sport = :$PORT" | grep -q "pid=$pid,"; return; }
		sleep 0.1
	done
	return 1
}
if ! start_smbd; then
	for f in "$SMB/log/smbd.out" "$SMB/log/smbd.log"; do
		[ -s "$f" ] || continue
		echo "---- $f (tail)"
		tail -n 15 "$f"
	done >&2
	die "smbd: failed to start listening on 127.0.0.1:$PORT (log tail above)"
fi
note "smbd pid $(cat "$SMBD_PIDFILE") on $(net_get "$net" smbd_if):$PORT (--net $net), share //10.0.2.2/$SHARE -> $SHARE_DIR"
flock -u "$portlock"
CAPTURE_FILTER="tcp port $PORT"
}
# shellcheck disable=SC2317
samba_down() { stop_smbd TERM; }
samba_md5() { md5sum <"$SHARE_DIR/$1" 2>/dev/null | cut -d' ' -f1; }
samba_manifest() {
	(cd "$SHARE_DIR" && find . -type f | sort | while read -r f; do
		echo "$(stat -c %s "$f") $(md5sum <"$f" | cut -d' ' -f1) ${f#./}"
	done)
}
samba_capture_end() { :; }
samba_splats() { :; }
samba_netdev() { echo "-netdev $(net_get "$net" netdev)"; }

# --host-faults: one action on the run's smbd, asked for by the guest.
samba_fault() {
	local pid r='done' i holders
	pid=$(cat "$SMBD_PIDFILE" 2>/dev/null)
	case "$1:$pid" in
	smbd-start:)
		restarted=1
		start_smbd || r="FAILED (not listening on port $PORT within 10 s)"
		;;
	smbd-start:*) r="FAILED (smbd $pid is running)" ;;
	*:) r="FAILED (no smbd running)" ;;
	smbd-stop:*) kill -STOP -- "-$pid" || r=FAILED ;;
	smbd-cont:*) kill -CONT -- "-$pid" || r=FAILED ;;
	smbd-kill:*)
		# The port must stop listening before any client connection is
		# reset. Not only the parent holds the listening socket:
		# smbd-scavenger, forked once a durable handle is left
		# disconnected, inherits it; and every child exits by itself as
		# soon as the parent is gone. Killed in any order, a connection's
		# smbd can die while a holder still listens, and the client's
		# reconnect, sent within a millisecond of the reset, is accepted
		# into a backlog no one serves and reset too: a second reconnect
		# that the harness, not the client, caused. So: stop the whole
		# group (a stopped child cannot exit), kill the listening
		# socket's holders, wait until the port no longer listens, then
		# kill the rest.
		kill -STOP -- "-$pid"
		holders=$(in_net ss -ltnpH "sport = :$PORT" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u |
			while read -r h; do
				[ "$(ps -o pgid= -p "$h" | tr -d ' ')" = "$pid" ] && echo "$h"
			done)
		# shellcheck disable=SC2086 # one pid per word
		[ -n "$holders" ] && kill -KILL $holders
		for ((i = 0; i < 100; i++)); do
			listening "$PORT" || break
			sleep 0.05
		done
		# shellcheck disable=SC2086,SC2116 # echo joins the pids with single spaces
		listening "$PORT" &&
			r="FAILED (port $PORT still listening after killing $(echo $holders))"
		stop_smbd KILL
		# shellcheck disable=SC2086,SC2116 # echo joins the pids with single spaces
		[ "$r" = 'done' ] && r="done (listener holders $(echo $holders) first)"
		;;
	*) r="FAILED (unknown action)" ;;
	esac
	fault_done "$1" "$r"
}
