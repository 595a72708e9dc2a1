# SPDX-License-Identifier: GPL-2.0
"""Cut and check the captures of scripts/echo-audit-fixtures (issue #26).

    python3 -m echoaudit.fixtures --dir DIR [--update FIXTURES_DIR]

DIR holds server.pcap (the host's loopback), client.pcap (inside the
guest, before netem), client.dmesg and marks.txt of one run of
scripts/echo-audit-lift-guest. The captures are cut (editcap) into the
whole scenario and a slice of the 28 s before the reconnect and 1.5 s
after it; each must show the scenario's signature, with --echo-interval 2,
before it is kept:

- the first connection's reconnect follows a reply of the server that
  ended a silence over 3E = 6 s and under 7 s (the stock 7 s socket wait),
  within 100 ms of it: the reply thrown away by the unresponsive check;
- the verdict is the echo bug, with at least 4 echoes skipped;
- on the client's side, the echoes' round trips are the link's 1.5 s;
- the stock 3E check on the capture's own replies reproduces the reconnect;

and, without --echo-interval, as an operator who does not know E would run
it: the whole capture decides E = 2 s (the idle phase's cadence) and says
the echo bug; a slice (the delayed cadence only) never states a verdict
other than the echo bug: undecided between E = 2 s and 4 s, or decided by
what else it holds.

--update copies the files that pass into FIXTURES_DIR.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

from . import capture

TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'run')
BEFORE_S = 28.0     # the slice: this long before the reconnect
AFTER_S = 1.5       # and this long after it


def tool_json(path, e=2):
    """The tool's JSON for @path (with --echo-interval @e; None: without)."""
    args = [sys.executable, TOOL, '--json'] + (['--echo-interval', str(e)] if e else []) + [path]
    p = subprocess.run(args, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise SystemExit('echo-audit failed on %s: %s' % (path, p.stderr.strip()))
    return json.loads(p.stdout)


def reconnect_time(path):
    """The first connection's close by the client (its reconnect)."""
    cap = capture.read_capture(path)
    for c in cap.connections:
        for t, who, _ in c.closes():
            if who == 'client':
                return t
    raise SystemExit('%s: no connection closed by the client: no reconnect' % path)


def cut(src, dst, t0=None, t1=None):
    args = ['editcap', '-F', 'pcap']
    if t0 is not None:
        args += ['-A', '%.6f' % t0]
    if t1 is not None:
        args += ['-B', '%.6f' % t1]
    subprocess.run(args + [src, dst], check=True, capture_output=True)


def signature(path, client_side):
    """Problems with @path's signature (an empty list: it shows it)."""
    doc = tool_json(path)
    p = []
    c = doc['connections'][0]
    rc = c['reconnect']
    if not rc:
        return ['no reconnect on the first connection']
    if rc['verdict'] != 'echo-bug':
        p.append('verdict %s, not the echo bug' % rc['verdict'])
    if not 6.0 < rc['silence'] < 7.0:
        p.append('silence %.2f s, not in (3E, 7 s) = (6, 7) s' % rc['silence'])
    if rc['at'] - rc['silence_to'] > 0.1:
        p.append('the reconnect came %.3f s after the reply that ended the silence, not within '
                 '100 ms' % (rc['at'] - rc['silence_to']))
    if c['skipped'] < 4:
        p.append('%d echoes skipped, fewer than 4' % c['skipped'])
    ck = c['check'].get('stock-3E') or {}
    if not ck.get('reproduces_reconnect'):
        p.append('the stock 3E check does not reproduce the reconnect: %s' % ck)
    # without --echo-interval
    doc = tool_json(path, e=None)
    c = doc['connections'][0]
    v = c['reconnect']['verdict'] if c['reconnect'] else None
    if '-slice' in path:
        if v == 'undecided':
            if c['reconnect']['verdicts_by_interval'].get('2') != 'echo-bug':
                p.append('without E: undecided, but not the echo bug for E = 2 s: %s'
                         % c['reconnect']['verdicts_by_interval'])
        elif v != 'echo-bug' or c['echo_interval'] != 2:
            p.append('without E: %s with E = %s' % (v, c['echo_interval']))
    elif v != 'echo-bug' or c['echo_interval'] != 2:
        p.append('without E the whole capture says %s with E = %s, not the echo bug with '
                 'E = 2 s' % (v, c['echo_interval']))
    if client_side:
        rtts = sorted(x['reply'] - x['t'] for x in c['echoes'] if x['reply'] is not None)
        med = rtts[len(rtts) // 2] if rtts else 0
        if not 1.4 < med < 1.7:
            p.append('median echo round trip %.3f s, not the link\'s 1.5 s' % med)
    return p


def main(argv=None):
    ap = argparse.ArgumentParser(prog='echoaudit.fixtures')
    ap.add_argument('--dir', required=True)
    ap.add_argument('--update', metavar='FIXTURES_DIR')
    a = ap.parse_args(argv)
    d = a.dir
    made = []
    marks = {}
    with open(os.path.join(d, 'marks.txt')) as f:
        for line in f:
            w = line.split()
            if len(w) == 5:
                marks['%s %s' % (w[3], w[4])] = float(w[0])
    for side in ('server', 'client'):
        src = os.path.join(d, '%s.pcap' % side)
        whole = os.path.join(d, 'lift-%s.pcap' % side)
        # the server's side from the idle phase on (not the mount's 1 MiB
        # of I/O); the client's side starts there anyway
        cut(src, whole, marks['idle begin'] - 0.5 if side == 'server' else None)
        t_r = reconnect_time(whole)
        sl = os.path.join(d, 'lift-%s-slice.pcap' % side)
        cut(whole, sl, t_r - BEFORE_S, t_r + AFTER_S)
        made += [whole, sl]
    bad = 0
    for path in made:
        probs = signature(path, '-client' in path)
        print('%s %s (%d bytes)%s' % ('ok  ' if not probs else 'FAIL', os.path.basename(path),
                                      os.path.getsize(path), ': ' + '; '.join(probs) if probs else ''))
        bad += bool(probs)
    if bad:
        print('echoaudit.fixtures: %d capture(s) miss the signature: record again' % bad)
        return 1
    if a.update:
        os.makedirs(a.update, exist_ok=True)
        for path in made:
            shutil.copy(path, a.update)
        shutil.copy(os.path.join(d, 'client.dmesg'), os.path.join(a.update, 'lift-client.dmesg'))
        shutil.copy(os.path.join(d, 'marks.txt'), os.path.join(a.update, 'lift-marks.txt'))
        print('echoaudit.fixtures: kept in %s' % a.update)
    return 0


if __name__ == '__main__':
    sys.exit(main())
