#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the fixtures under tests/data/ (run it again after changing it).

No run's raw output was kept in this tree, so these are made up, line for
line in the formats the guest scripts print (scripts/*-guest, 'LOAD:',
'BENCHIO:', 'BENCH:', 'LIVENESS:', 'XFSTESTS:' lines), with figures like those of the
runs in docs/results/. Replace one with a recorded run's output when you
have one (build/<scenario>/latest/ holds it): the tests only need the
verdicts they assert to stay true. Deterministic (fixed seeds).
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, text):
    path = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


# ------------------------------------------------------------- bench-io
def terse(read_kib=0, read_bw=0.0, read_iops=0.0, write_kib=0, write_bw=0.0, write_iops=0.0):
    f = ['0'] * 130
    f[0], f[1], f[2], f[3], f[4] = '3', 'fio-3.33', 'bench', '0', '0'
    f[5], f[6], f[7] = str(read_kib), '%.0f' % read_bw, '%.0f' % read_iops
    f[46], f[47], f[48] = str(write_kib), '%.0f' % write_bw, '%.0f' % write_iops
    return ';'.join(f)


def bench_io(name, runs, jobs, ratio, seed, arms=()):
    """ratio(job, rng) -> fixed/stock throughput of one round."""
    rng = random.Random(seed)
    modes = ['stock', 'fixed'] + [a for a, _ in arms]
    size_mib, files = 1024, 2000
    env = dict(DATE='2026-12-03T10:51Z', KVER='6.1.0-57-amd64', RUNS=str(runs),
               MACHINE='2 cores, 24 GiB, QEMU TCG, Debian GNU/Linux 12 (bookworm)',
               SIZE='1G', RANDTIME='20', FILES=str(files), E='60', JOBS=','.join(jobs),
               ARMS=' '.join(a for a, _ in arms), ARM_PATCHES=' '.join(str(n) for _, n in arms),
               LOAD_BEFORE='1.60 1.22 1.12', LOAD_AFTER='1.26 1.18 1.14', WALL='930')
    lines = ['[    0.000000] Linux version 6.1.0-57-amd64 (fixture)']
    for r in range(1, runs + 1):
        for m in modes:
            for j in jobs:
                base = {'seqread': 75.0, 'seqwrite': 20.0, 'randread': 1200.0,
                        'create': 480.0, 'stat': 470.0, 'unlink': 310.0}[j]
                rate = base * rng.uniform(0.85, 1.15)
                if m != 'stock':
                    rate *= ratio(j, rng)
                cpu, cs = rng.randint(1200, 1500), rng.randint(4600, 6200)
                if j == 'seqwrite':
                    t = terse(write_kib=size_mib * 1024, write_bw=rate * 1024, write_iops=rate)
                elif j == 'seqread':
                    t = terse(read_kib=size_mib * 1024, read_bw=rate * 1024, read_iops=rate)
                elif j == 'randread':
                    t = terse(read_kib=int(rate * 20 * 4), read_bw=rate * 4, read_iops=rate)
                else:
                    t = terse(read_kib=0, read_bw=0, read_iops=rate)
                lines.append('BENCHIO: run=%d mode=%s job=%s cpu=%d cs=%d t=%d terse=%s'
                             % (r, m, j, cpu, cs, rng.randint(9000, 15000), t))
    lines.append('TESTHOST: DONE')
    write('bench-io/%s/bench-io.env' % name, ''.join('%s=%s\n' % kv for kv in env.items()))
    write('bench-io/%s/run.out' % name, '\n'.join(lines) + '\n')


bench_io('ten-rounds-same', 10, ['seqread', 'stat'], lambda j, g: g.uniform(0.9, 1.1), 1)
bench_io('ten-rounds-slower', 10, ['seqread', 'stat'],
         lambda j, g: g.uniform(0.6, 0.8) if j == 'seqread' else g.uniform(0.9, 1.1), 2)
bench_io('five-rounds-arms', 5, ['seqread', 'stat'], lambda j, g: g.uniform(0.5, 0.7), 3,
         arms=[('rebuilt', 0), ('p3', 3)])


# ----------------------------------------------------------- bench-load
def bench_load(name, mode, fail_rtt190=False):
    """One run of scripts/scenarios/bench-load/guest's output, E = 2 s."""
    e = 2.0
    out = []
    t = 100.0

    def trace(ts, ev, body):
        out.append('LOAD: trace        kworker/0:1-42      [000] ..... %.6f: %s: %s' % (ts, ev, body))

    def mark(ts, ph, what):
        trace(ts, 'tracing_mark_write', 'bench-load: mark %s %s' % (ph, what))
        out.append('LOAD: dmesg [%12.6f] bench-load: mark %s %s' % (ts - 0.5, ph, what))

    # the v2 series: each run of the echo work is one smb3_echo_sent or
    # smb3_echo_skipped event, with late_ms
    def echo(ts, rtt):
        trace(ts, 'smb3_echo_sent', 'conn_id=0x1 addr=10.0.2.2:44500 late_ms=20 next_ms=1980')
        trace(ts + 0.001, 'smb3_cmd_enter', 'sid=0x0 tid=0x0 cmd=13 mid=1')
        trace(ts + 0.001 + rtt, 'echo_answered', '(smb2_echo_callback+0x0/0xc0 [cifs])')

    def refuse(ts):
        trace(ts + 0.001, 'smb3_echo_skipped', 'conn_id=0x1 addr=10.0.2.2:44500 reason=unanswered rc=-11 late_ms=20')

    def result(ph, rec, unr, mib=0):
        out.append('LOAD: result phase=%s reconnects=%d unresponsive=%d mib=%d' % (ph, rec, unr, mib))

    # load: an echo per E, answered in 40 ms
    mark(t, 'load', 'begin')
    for k in range(15):
        echo(t + 1 + k * e, 0.04)
    mark(t + 30, 'load', 'end')
    result('load', 0, 0, 1856)
    # jitter, rtt125, rtt190: one echo per 2E, the deadline between refused
    for ph, rtt in (('jitter', 2.5), ('rtt125', 2.5), ('rtt190', 3.8)):
        t += 40
        mark(t, ph, 'begin')
        for k in range(8):
            echo(t + 1 + k * 2 * e, rtt)
            refuse(t + 1 + k * 2 * e + e)
        mark(t + 34, ph, 'end')
        bad = fail_rtt190 and ph == 'rtt190'
        result(ph, 1 if bad else 0, 1 if bad else 0)
    # dead190: the last answer, then the give-up 3E later
    t += 40
    mark(t, 'dead190', 'begin')
    echo(t + 1, 3.8)
    mark(t + 5, 'dead190', 'loss')
    echo(t + 5.5, 99)          # never answered: the answer lies past the end
    out.pop()
    trace(t + 1 + 3.801 + 3 * e + 0.02, 'smb3_echo_unresponsive', 'conn_id=0x1 addr=10.0.2.2:44500')
    mark(t + 20, 'dead190', 'end')
    result('dead190', 1, 1)
    out.append('LOAD: debugdata phase=load Echo interval: 2s Next echo in: 1976ms Echoes sent: 15 skipped: 0 unanswered: 0')
    out.append('testhost: PASS 6.1.0-57-amd64 %s' % mode)
    return '\n'.join(out) + '\n'


def bench_load_dir(name, runs):
    env = dict(DATE='2026-12-02T17:01Z', E='2', SERVER='samba', LOAD_SECS='30', RTT_N='10',
               MACHINE='2 cores, QEMU TCG (fixture)', RUNS=' '.join(n for n, _ in runs))
    write('bench-load/%s/bench-load.env' % name, ''.join('%s=%s\n' % kv for kv in env.items()))
    for n, text in runs:
        write('bench-load/%s/%s.out' % (name, n), text)


bench_load_dir('fixed-ok', [('6.1.0-57-amd64-fixed-1', bench_load('x', 'fixed'))])
bench_load_dir('fixed-reconnects', [('6.1.0-57-amd64-fixed-1', bench_load('x', 'fixed', fail_rtt190=True))])


# ------------------------------------------------------------- liveness
def liveness(up_mib, stop_ms, drop_reconnects=(0, 0, 0), differs=False, silence=None, net=None, reps=1):
    """A liveness run's output. stop_ms: the stop to the give-up per stop
    scenario (stop E=1, stop5 E=5, stopu E=2), on the guest's clock;
    silence: the silence the client counted, per scenario (None: an older
    guest without the field); net: the summary's "net:" line; reps: each
    stop scenario's reps (the same figures, host delay 12 ms)."""
    out = []
    if net:
        out.append('net:           %s' % net)
    for s, secs in (('up1', 4.6), ('up5', 17.7)):
        out.append('LIVENESS: result scenario=%s rep=1 reconnects=0 unresponsive=0 secs=%s rc=0 md5=-' % (s, secs))
        out.append('LIVENESS: written %s.dat 0123456789abcdef0123456789abcdef' % s)
    out.append('LIVENESS: result scenario=down1 rep=1 reconnects=0 unresponsive=0 secs=18.4 rc=0 '
               'md5=feedfacefeedfacefeedfacefeedface want=feedfacefeedfacefeedfacefeedface')
    for i, r in enumerate(drop_reconnects, 1):
        out.append('LIVENESS: result scenario=drop rep=%d reconnects=%d unresponsive=%d secs=10.0 rc=0 md5=-' % (i, r, r))
    t = 100.0
    for j, (s, ms) in enumerate(zip(('stop', 'stop5', 'stopu'), stop_ms)):
        for rep in range(1, reps + 1):
            extra = ''
            if silence is not None:
                # the guest's own stop_ms is 300 ms late; the aligned one is ms
                t += 60
                out.append('[%11.6f] TESTHOST: HOST smbd-stop' % t)
                out.append('HOST: smbd-stop done at 1796455418.657538 (request [%.6f] +12 ms)' % t)
                extra = ' stop_k=%.6f gone_k=%.6f silence_ms=%s' % (t, t + (ms + 12) / 1000, silence[j])
            out.append('LIVENESS: result scenario=%s rep=%d reconnects=1 unresponsive=1 secs=12.0 rc=1 md5=- '
                       'detect_ms=%d stop_ms=%d%s' % (s, rep, ms - 900, ms + (300 if silence is not None else 0), extra))
    out.append('testhost: PASS 6.1.0-57-amd64 fixed')
    out.append('LIVENESS: server up1.dat identical')
    out.append('LIVENESS: server up5.dat %s' % ('DIFFERS (guest 0123, server missing)' if differs else 'identical'))
    return '\n'.join(out) + '\n'


write('liveness/check-ok/6.1.0-57-amd64-fixed.out', liveness(4, (3110, 15020, 6080)))
write('liveness/check-bad/6.1.0-57-amd64-fixed.out',
      liveness(4, (3110, 9000, 6080), drop_reconnects=(0, 1, 0), differs=True))
# --net tap, 3 reps: within 3E + E/4 + 0.5 s (3.75, 16.75, 7.0 s) after >= 3E of silence
write('liveness/tap-ok/6.1.0-57-amd64-fixed.out',
      liveness(4, (3110, 15020, 6080), silence=(3004, 15004, 6004), net='tap', reps=3))
# stop5 given up late (17.0 s > 16.75), stopu after only 5.9 s of silence
write('liveness/tap-bad/6.1.0-57-amd64-fixed.out',
      liveness(4, (3110, 17000, 6080), silence=(3004, 15004, 5900), net='tap', reps=1))
# the same on the user network: no upper bound, the silence still judged
write('liveness/user-silence/6.1.0-57-amd64-fixed.out',
      liveness(4, (3110, 17000, 6080), silence=(3004, 15004, 5900), net='user', reps=1))


# ---------------------------------------------------------------- bench
def bench(mode, seed):
    """One run's console (NAME.tlog): host time, then the line. E = 2 s."""
    rng = random.Random(seed)
    e, off = 2.0, 1764720000.0
    out = []

    def line(g, text):
        out.append('%.6f %s' % (g + off + 0.05, text))

    def mark(g, ph, what):
        line(g, 'BENCH: mark %s %s' % (ph, what))
        line(g, 'BENCH: dmesg [%12.6f] bench: %s %s' % (g, ph, what))

    def echo(g):
        line(g, 'BENCH: dmesg [%12.6f] CIFS: fs/smb/client/smb2pdu.c: In echo request for conn_id 1' % g)
        if mode == 'fixed':
            line(g, 'BENCH: trace     kworker/0:1-42      [000] ..... %.6f: smb3_echo_sent: '
                 'conn_id=0x1 addr=10.0.2.2:44500 next_ms=1990' % (g + 0.0001))

    phases = (('idle', 31, 1.0), ('slow', 21, 1.0), ('late', 21, 1.0))
    g = 10.0
    for ph, n, _ in phases:
        mark(g, ph, 'begin')
        t = g + 1.0
        for k in range(n):
            if mode == 'stock' and ph == 'slow' and k % 2:
                t += e      # the hard-coded second: every second echo skipped
                continue
            echo(t + rng.uniform(-0.01, 0.01))
            t += e * (1.008 if mode == 'stock' else 1.0)
        g = t + 0.5
        mark(g, ph, 'end')
        g += 1.0
    mark(g, 'dead', 'begin')
    echo(g + 0.5)
    line(g + 3 * e + 0.2, 'BENCH: dmesg [%12.6f] CIFS: VFS: \\\\10.0.2.2 has not responded in 6 seconds. '
         'Reconnecting...' % (g + 3 * e + 0.2))
    mark(g + 20, 'dead', 'end')
    line(g + 21, 'BENCH: result recovery_read yes')
    line(g + 21, 'BENCH: result recovery_write yes')
    line(g + 22, 'TESTHOST: DONE')
    return '\n'.join(out) + '\n'


env = dict(DATE='2026-11-25T13:18Z', MACHINE='2 cores, 24 GiB, QEMU TCG (fixture)', E='2',
           IDLE_N='30', SLOW_N='20', LATE_N='20', DELAY_MS='1500',
           RUNS='6.1.0-56-amd64-stock 6.1.0-56-amd64-fixed')
write('bench/two-modules/bench.env', ''.join('%s=%s\n' % kv for kv in env.items()))
write('bench/two-modules/6.1.0-56-amd64-stock.tlog', bench('stock', 4))
write('bench/two-modules/6.1.0-56-amd64-fixed.tlog', bench('fixed', 5))


# ----------------------------------------------------------------- soak
def soak(name, share, reconnects=None, rounds=1):
    """A soak run's directory: SHARE {name: content} on the server, the
    writer wrote 'w-1' = b'abcd'; RECONNECTS {kind: count} overrides the
    right counts (stall-short 0, every other fault 1)."""
    import hashlib
    md5 = lambda b: hashlib.md5(b).hexdigest()  # noqa: E731
    kinds = ('stall-short', 'stall', 'kill', 'loss')
    write('soak/%s/soak.env' % name, "KVER=6.1.0-57-amd64\nROUNDS=%d\nE=2\nFILE_KB=1\n"
          "KINDS=stall-short\\ stall\\ kill\\ loss\nSERVER=samba\nSECS=312\n" % rounds)
    write('soak/%s/share.manifest' % name, ''.join(
        '%d %s soak/%s\n' % (len(c), md5(c), n) for n, c in sorted(share.items())))
    lines = []
    for r in range(rounds):
        for i, k in enumerate(kinds):
            rc = (reconnects or {}).get(k, 0 if k == 'stall-short' else 1)
            lines.append('result fault=%d kind=%s reconnects=%d unresponsive=%d writer_wait_ms=%d '
                         'recovered_ms=%d files=3' % (4 * r + i + 1, k, rc, min(rc, 1), 1500 + 700 * i, 900 + 300 * i))
    lines.append('written w-1 4 %s 1000' % md5(b'abcd'))
    lines.append('summary written=1 failed=2 faults=%d' % (4 * rounds))
    lines.append('dmesg fault=3 [  42.000000] CIFS: VFS: \\\\10.0.2.2 has not responded in 6 seconds. Reconnecting...')
    write('soak/%s/soak.lines' % name, '\n'.join(lines) + '\n')


soak('ok', {'w-1': b'abcd', 'other': b'zz'})
soak('lost', {'w-1': b'abce'})
soak('gone', {'other': b'zz'})
soak('short', {'w-1': b'abc'})
soak('storm', {'w-1': b'abcd'}, reconnects={'kill': 2})
soak('stall-reconnect', {'w-1': b'abcd'}, reconnects={'stall-short': 1})


# ------------------------------------------------------------- xfstests
def xfstests(name, results, plan=None, end=True, testhost_rc=(0, 0), faults=((), ())):
    """Two console logs (stock, fixed) of scripts/scenarios/xfstests/run:
    RESULTS {test: (stock line, fixed line)}, the rest of check's line of
    each test (None: no line, e.g. not reached); PLAN the tests check -n
    listed (default: RESULTS' tests); FAULTS (stock's, fixed's) the rest of
    each 'XFSTESTS: FAULT' line."""
    plan = plan if plan is not None else list(results)
    for i, mod in enumerate(('stock', 'fixed')):
        lines = ['TESTHOST: OK mount //10.0.2.2/testhost on /userland/mnt/share vers=3.1.1 echo_interval=60',
                 'XFSTESTS: PLAN ' + ' '.join(plan) + ' ',
                 'XFSTESTS: START tier=check budget=900',
                 'XFSTESTS: FSTYP         -- cifs',
                 'XFSTESTS: MKFS_OPTIONS  -- //10.0.2.2/scratch',
                 'XFSTESTS: ']
        for t, both in results.items():
            if both[i] is None:
                continue
            lines.append('[   42.312389] run fstests %s at 2026-12-05 07:24:02' % t)
            lines.append('XFSTESTS: %s %s' % (t, both[i]))
            if 'mismatch' in both[i]:
                lines.append('XFSTESTS:     --- tests/%s.out\t2026-01-01 00:00:00' % t)
                lines.append('XFSTESTS:     @@ -1,2 +1,3 @@')
        for f in faults[i]:
            lines.append('XFSTESTS: FAULT ' + f)
        if end:
            lines.append('XFSTESTS: Ran: ' + ' '.join(results))
            lines.append('XFSTESTS: END rc=%d secs=%d' % (0, 600 + 20 * i))
        lines.append('TESTHOST: DONE')
        lines.append('WALL %d' % (700 + 20 * i))
        lines.append('TESTHOST_RC %d' % testhost_rc[i])
        write('xfstests/%s/console-%s.log' % (name, mod), '\n'.join(lines) + '\n')
    write('xfstests/%s/exclude.txt' % name,
          'generic/013\thangs or runs past any tier\'s budget under TCG\n')


MISMATCH = '- output mismatch (see /opt/xfstests/results//generic/009.out.bad)'
xfstests('same', {'cifs/001': ('15s', ' 15s ...  14s'), 'generic/002': ('3s', '3s'),
                  'generic/008': ('      [not run] xfs_io fzero  failed (old kernel/wrong fs?)',) * 2,
                  'generic/009': (MISMATCH, MISMATCH)})
xfstests('regress', {'cifs/001': ('15s', '15s'), 'generic/002': ('3s', MISMATCH.replace('009', '002')),
                     'generic/009': (MISMATCH, '4s')})
xfstests('budget', {'cifs/001': ('15s', '15s'), 'generic/002': ('3s', ''), 'generic/008': ('5s', None)},
         end=False)
xfstests('hostfail', {'cifs/001': ('15s', '15s')}, testhost_rc=(0, 1))
STALL, KILL = 'kind=stall test=generic/002 at=3 secs=10', 'kind=kill test=generic/009 at=3 secs=25'
xfstests('faults', {'cifs/001': ('15s', '15s')},
         faults=((STALL + ' reconnects=1 unresponsive=1', KILL + ' reconnects=1 unresponsive=1 cut=1'),
                 (STALL + ' reconnects=0 unresponsive=0', KILL + ' reconnects=1 unresponsive=1')))
xfstests('faults-stall-reconnect', {'cifs/001': ('15s', '15s')},
         faults=((STALL + ' reconnects=0 unresponsive=0',), (STALL + ' reconnects=1 unresponsive=1',)))
