# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest-side helpers shared by the test host's /init (scripts/testhost/init)
# and the guest scripts that run inside it (scripts/scenarios/lifecycle/guest,
# scripts/scenarios/soak/guest). busybox sh, inside QEMU only: scripts/testhost/run puts
# this file into the initramfs as /etc/testhost-lib.sh. Needs the settings
# of /etc/testhost.env (PORT SMBUSER SMBPASS SERVER_IP) to be loaded first.

# The run's server (scripts/lib/server.sh): the host's loopback seen
# through QEMU's user network for samba, the server guest for ksmbd
# shellcheck disable=SC2034 # read by the scripts that source this file
HOST_IP=${SERVER_IP:-10.0.2.2}

# Ask the host for a server fault (scripts/testhost/run --host-faults):
# smbd-stop, smbd-cont, smbd-kill or smbd-start. Written to /dev/kmsg, not
# echoed to the console: a kmsg record reaches the console whole, while a
# shell's echo can get a kernel message printed into the middle of its
# line, and the host then could not read the request (a server left
# stopped for good). The host finds "TESTHOST: HOST <action>" after the
# record's printk prefix and logs "HOST: <action> done at ..." on the
# console log. Returns at once: the host acts within a few ms.
host_fault() {
	printf 'TESTHOST: HOST %s\n' "$1" >/dev/kmsg
}

# mount.cifs options of the run's share with echo_interval=$1, and the
# mount profile's (MOUNT_EXTRA: seal, sign, multichannel,max_channels=2;
# scripts/testhost/mountopts.tsv)
smb_opts() {
	echo "port=$PORT,username=$SMBUSER,password=$SMBPASS,vers=3.1.1,echo_interval=$1${MOUNT_EXTRA:+,$MOUNT_EXTRA}"
}

# The guest's links: eth0, and eth1 with two links (LINKS=2, the profile's)
# shellcheck disable=SC2034 # read by the scripts that source this file
NICS=eth0
[ "${LINKS:-1}" = 2 ] && NICS='eth0 eth1'

# /proc/fs/cifs/DebugData's connections and channels, one line each
# (what an operator reads: the channel's address, its echo state)
debugdata_channels() {
	grep -E 'ConnectionId|Extra Channels|Echo interval|Server interfaces|IPv4|CONNECTED|DISCONNECTED|RECONNECTING' /proc/fs/cifs/DebugData
}

# rmmod cifs, retried for up to 20 s: the client drops its last server
# session asynchronously after umount, so "Module cifs is in use" for a
# moment is normal. Prints the number of tries; on failure rmmod's last
# message on stderr, exit status 1.
unload_cifs() {
	_i=0
	while :; do
		_i=$((_i + 1))
		_out=$(/sbin/rmmod cifs 2>&1) && break
		if [ $_i -ge 100 ]; then
			echo "$_out" >&2
			return 1
		fi
		sleep 0.2
	done
	echo "$_i"
}

# Lift eth0's netem delay without losing what the qdisc holds, and then
# delete it: tc qdisc del drops the packets still queued in it (an echo, a
# TCP segment), and the client would wait for TCP's retransmission while
# the single echo credit is held: a loss no scenario meant. Zero delay for
# what comes next, $1 seconds for the rest to drain, then the qdisc goes.
# On failure: which tc step failed on stdout, exit status 1.
netem_lift() {
	/sbin/tc qdisc change dev eth0 root netem delay 0ms || { echo "tc netem delay 0ms failed"; return 1; }
	sleep "$1"
	/sbin/tc qdisc del dev eth0 root || { echo "tc qdisc del failed"; return 1; }
}
