# SPDX-License-Identifier: GPL-2.0
"""echo-audit's own tests, without QEMU.

    python3 -m echoaudit.selftest --workdir DIR [--header cifs_echo.h] [--only tool|conformance]

tool         the seed's capture and log line, synthetic captures, bad input,
             and mutants of the tool's own code that must make those checks
             fail (a check that cannot fail is a defect)
conformance  (with --header) the model against the header's C helpers, then
             mutants of the header, of its KUnit wheel model and of the
             Python model, each of which must be caught; the shim against
             a header with a new input field, a new parameter and a field
             of an unknown type
"""

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import types

from . import analyse, conformance, model, pcapgen as g, seed
from . import cli

TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'run')
RESULTS = {'ok': 0, 'fail': 0}


def report(name, problems, evidence=''):
    if problems:
        RESULTS['fail'] += 1
        print('FAIL %s: %s' % (name, '; '.join(problems)))
    else:
        RESULTS['ok'] += 1
        print('ok   %s%s' % (name, ': ' + evidence if evidence else ''))


def run(args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([sys.executable, TOOL] + args, capture_output=True, text=True, env=e,
                       check=False)
    return p.returncode, p.stdout, p.stderr


def in_process(path, echo_interval=None):
    """The tool's JSON for @path, computed in this process (so that a
    mutant patched into its modules takes effect)."""
    args = types.SimpleNamespace(echo_interval=echo_interval, hz=None, json=True, utc=False,
                                 truncated_ok=False)
    return cli.run_one(path, args, cli.Clock())[1]


# ------------------------------------------------------------------ seed

def seed_problems(doc):
    """What the seed's capture must show (times in CET, as published)."""
    p = []
    c = doc['connections'][0]
    if c['echo_interval'] != 60:
        p.append('E = %s, not 60' % c['echo_interval'])
    if c['drift_per_echo'] is None or abs(60 + c['drift_per_echo'] - 61.44) > 0.02:
        p.append('cadence %s, not the 61.44 s of the capture' % (
            None if c['drift_per_echo'] is None else 60 + c['drift_per_echo']))
    if c['schedule'] != 'daisy chain':
        p.append('schedule %r, not the daisy chain' % c['schedule'])
    sk = c['skips']
    if c['skipped'] != 1 or len(sk) != 1:
        p.append('%d echoes skipped, the capture has 1 (19:06:00)' % c['skipped'])
    else:
        slot = seed.local(sk[0]['first'])
        if not slot.startswith('19:06:00'):
            p.append('the skipped echo was due at %s, not 19:06:00' % slot)
        if sk[0]['cause'] != 'hard-coded second':
            p.append('skip cause %r, not the reply within E - 1 s' % sk[0]['cause'])
        if sk[0]['last_reply'] is None or seed.local(sk[0]['last_reply']) != '19:05:01.95':
            p.append('the reply before the skip at %s, not 19:05:01.95' % (
                sk[0]['last_reply'] and seed.local(sk[0]['last_reply'])))
    rc = c['reconnect']
    if not rc:
        p.append('no reconnect found')
        return p
    if seed.local(rc['at']) != '19:07:02.25':
        p.append('reconnect at %s, not 19:07:02.25' % seed.local(rc['at']))
    if rc['verdict'] != 'echo-bug':
        p.append('verdict %r: %s' % (rc['verdict'], rc['verdict_text']))
    if not (120 < rc['silence'] < 120.5) or not rc['over_2E'] or rc['over_3E']:
        p.append('silence %.3f s, over 2E %s, over 3E %s' % (rc['silence'], rc['over_2E'],
                                                           rc['over_3E']))
    rp = c['replay']
    if not rp['stock-2E']['gave_up'] or seed.local(rp['stock-2E']['at'])[:10] != '19:07:02.2':
        p.append('the stock 2E replay did not give up at 19:07:02.2x: %s' % rp['stock-2E'])
    if rp['stock-3E']['gave_up'] or rp['fixed']['gave_up']:
        p.append('the stock 3E or the fixed replay gave up: %s / %s' % (rp['stock-3E'], rp['fixed']))
    return p


def test_seed(wd):
    path = os.path.join(wd, 'seed.pcap')
    seed.write(path)
    rc, out, err = run(['--json', path], {'TZ': seed.TZ})
    if rc:
        report('seed capture', ['exit %d: %s' % (rc, err.strip())])
        return path
    doc = json.loads(out)
    report('seed capture: cadence, skip, verdict, replay', seed_problems(doc),
           '61.44 s cadence, the 19:06:00 echo skipped after the 19:05:01.95 reply, '
           'reconnect 19:07:02.25: the echo bug; only the stock 2E replay gives up')
    rc, out, err = run([path], {'TZ': seed.TZ})
    want = ['every 1.024 E', '+1.44 s per echo', 'gap from 19:06:00.8',
            'the hard-coded second', 'the echo bug (fixed by this project)',
            'reconnect at 19:07:02.250', '120.3 s > 2E = 120.0 s',
            'stock, 2E limit: would have given the server up at 19:07:02.25']
    flat = ' '.join(out.split())
    report('seed capture: the text report says it', ['missing %r' % w for w in want if w not in flat])
    rc, out, err = run(['--echo-interval', '60', '--json', path], {'TZ': seed.TZ})
    doc = json.loads(out) if rc == 0 else None
    report('seed capture with --echo-interval 60',
           ['exit %d' % rc] if doc is None else seed_problems(doc))
    return path


def test_seed_log(wd):
    path = os.path.join(wd, 'seed.log')
    with open(path, 'w') as f:
        f.write(seed.LOG)
    rc, out, err = run(['--json', '--echo-interval', '60', path])
    p = []
    if rc:
        p.append('exit %d: %s' % (rc, err.strip()))
    else:
        gu = [x for c in json.loads(out)['connections'] for x in c['gave_up']]
        if len(gu) != 1 or gu[0]['limit'] != '120 s = 2 E' or gu[0]['verdict'] != 'unknown':
            p.append('give-ups %s' % gu)
    rc, out, _ = run([path])
    if 'E = 60 s, the default, gives 2E' not in out or 'cannot tell' not in out:
        p.append('the text does not name 2E at the default E, or claims a verdict: %s' % out[-300:])
    report('seed log line: 2E, and no verdict from the log alone', p)


# ------------------------------------------------------------ synthetic

def cap_outage(path):
    """Client-side capture, E = 10: the server stops answering; the client's
    echoes go unanswered and unacknowledged, it gives up at 3E."""
    p = g.Pcap()
    c = g.Tcp(p, '198.51.100.7', 40001, '198.51.100.1')
    c.handshake(1000.0)
    c.send(1000.01, True, g.smb2(0, 0, body=g.negotiate_req_body(seed.GUID), session=0))
    c.send(1000.02, False, g.smb2(0, 0, True, g.negotiate_resp_body(), session=0))
    mid = 1
    t = 1010.0
    for _ in range(4):
        c.send(t, True, g.smb2(13, mid, body=g.echo_body(), session=0))
        c.send(t + 0.002, False, g.smb2(13, mid, True, g.echo_body(), session=0))
        t += 10.0
        mid += 1
    last = t - 10.0 + 0.002
    for _ in range(2):      # unanswered, retransmitted, never acknowledged
        seq = c.cseq
        c.send(t, True, g.smb2(13, mid, body=g.echo_body(), session=0))
        for k in (0.3, 0.9, 2.1):
            p.frame(t + k, c.c, c.s, c.cport, c.sport, seq, c.sseq, g.PSH | g.ACK,
                    g.smb2(13, mid, body=g.echo_body(), session=0))
        t += 10.0
        mid += 1
    c.fin(last + 30.2, True)
    n = g.Tcp(p, '198.51.100.7', 40003, '198.51.100.1')
    n.send(last + 30.3, True, b'', g.SYN)
    p.write(path)


def cap_reset(path):
    p = g.Pcap()
    c = g.Tcp(p, '198.51.100.7', 40001, '198.51.100.1')
    c.handshake(1000.0)
    for i in range(5):
        t = 1010.0 + 10 * i
        c.send(t, True, g.smb2(13, i + 1, body=g.echo_body(), session=0))
        c.send(t + 0.002, False, g.smb2(13, i + 1, True, g.echo_body(), session=0))
    c.rst(1052.0, False)
    n = g.Tcp(p, '198.51.100.7', 40003, '198.51.100.1')
    n.handshake(1052.1)
    n.send(1052.2, True, g.smb2(0, 0, body=g.negotiate_req_body(seed.GUID), session=0))
    n.send(1052.21, False, g.smb2(0, 0, True, g.negotiate_resp_body(), session=0))
    p.write(path)


def cap_unmount_two_servers_encrypted(path):
    """Two servers; to the second an encrypted session on port 4455 whose
    start is not in the capture (no SYN), echoes in the clear every 5 s."""
    p = g.Pcap()
    a = g.Tcp(p, '198.51.100.7', 40001, '198.51.100.1')
    a.handshake(1000.0)
    for i in range(4):
        t = 1002.0 + 5 * i
        a.send(t, True, g.smb2(13, i + 1, body=g.echo_body(), session=0))
        a.send(t + 0.001, False, g.smb2(13, i + 1, True, g.echo_body(), session=0))
    a.send(1020.0, True, g.smb2(2, 9, body=g.logoff_body()))
    a.send(1020.001, False, g.smb2(2, 9, True, g.logoff_body()))
    a.fin(1020.01, True)
    a.fin(1020.02, False)
    b = g.Tcp(p, '198.51.100.7', 40005, '203.0.113.9', 4455)
    for i in range(6):
        t = 1001.0 + 5 * i
        b.send(t, True, g.smb2(13, 100 + i, body=g.echo_body(), session=0))
        b.send(t + 0.001, False, g.smb2(13, 100 + i, True, g.echo_body(), session=0))
        b.send(t + 1.0, True, g.transform(size=120))
        b.send(t + 1.001, False, g.transform(size=300))
    p.write(path)


def cap_no_smb(path):
    p = g.Pcap()
    c = g.Tcp(p, '198.51.100.7', 40001, '198.51.100.1', 80)
    c.handshake(1000.0)
    c.send(1000.01, True, b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    c.send(1000.02, False, b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    p.write(path)


def test_synthetic(wd):
    path = os.path.join(wd, 'outage.pcap')
    cap_outage(path)
    doc = in_process(path)
    c = doc['connections'][0]
    rc = c['reconnect']
    p = []
    if not rc or rc['verdict'] != 'outage':
        p.append('verdict %s' % (rc and rc['verdict_text']))
    elif not any('did not acknowledge' in d and 'retransmissions' in d for d in rc['details']):
        p.append('no word on the missing TCP acknowledgements: %s' % rc['details'])
    if c['echo_interval'] != 10:
        p.append('E %s, not 10' % c['echo_interval'])
    if c['skipped']:
        p.append('%d skipped: the unanswered echoes were sent' % c['skipped'])
    if rc and not (c['replay']['fixed']['gave_up'] and c['replay']['stock-3E']['gave_up']):
        p.append('the replays of a dead server did not all give up: %s' % c['replay'])
    report('client-side outage: unanswered, unacknowledged echoes', p,
           rc and rc['verdict_text'][:80])

    path = os.path.join(wd, 'reset.pcap')
    cap_reset(path)
    doc = in_process(path)
    rc = doc['connections'][0]['reconnect']
    report('server reset', [] if rc and rc['verdict'] == 'server-closed' else
           ['verdict %s' % (rc and rc['verdict_text'])], rc and rc['verdict_text'][:80])

    path = os.path.join(wd, 'two.pcap')
    cap_unmount_two_servers_encrypted(path)
    doc = in_process(path)
    p = []
    conns = {c['server']: c for c in doc['connections']}
    a, b = conns.get('198.51.100.1:445'), conns.get('203.0.113.9:4455')
    if not a or not b:
        p.append('connections %s' % sorted(conns))
    else:
        if a['reconnect'] or not (a['close'] and a['close']['unmount']):
            p.append('the logoff and close are not an unmount: %s %s' % (a['close'], a['reconnect']))
        if b['encrypted_pdus'] != 12 or not b['unreadable']:
            p.append('encrypted PDUs %s, unreadable %s' % (b['encrypted_pdus'], b['unreadable']))
        if b['echo_interval'] != 5 or len(b['echoes']) != 6 or b['skipped']:
            p.append('the clear echoes of the encrypted session: E %s, %d echoes, %d skipped'
                     % (b['echo_interval'], len(b['echoes']), b['skipped']))
        if b['client'] != '198.51.100.7:40005':
            p.append('client side of the session without SYN: %s' % b['client'])
    if '2 servers' not in doc['summary']:
        p.append('the summary does not count 2 servers: %s' % doc['summary'][:120])
    report('two servers, an unmount, an encrypted session on port 4455', p)


def test_log_formats(wd):
    """trace_pipe with the fields shuffled, journalctl -o short-precise."""
    trace = [
        '  kworker/0:1-23   [000] .....   100.000100: smb3_echo_sent: conn_id=0x2 server=10.1.1.1 next_ms=2000 rc=0',
        '  kworker/0:1-23   [000] .....   102.000100: smb3_echo_late: conn_id=0x2 hostname=10.1.1.1 late_ms=0 interval_ms=2000 extra=1',
        '  kworker/0:1-23   [000] .....   102.000200: smb3_echo_sent: conn_id=0x2 hostname=10.1.1.1 next_ms=2000 rc=0',
        '  kworker/0:1-23   [000] .....   104.000200: smb3_echo_sent: conn_id=0x2 addr=10.1.1.1 next_ms=2000 rc=0',
        '  kworker/0:1-23   [000] .....   106.000300: smb3_echo_sent: conn_id=0x2 next_ms=2000 rc=-11',
        '  cifsd-99         [000] .....   106.100000: smb3_echo_unresponsive: conn_id=0x2 server=10.1.1.1 last_reply_ms=6100 threshold_ms=6000',
    ]
    path = os.path.join(wd, 'trace.txt')
    with open(path, 'w') as f:
        f.write('\n'.join(trace) + '\n')
    with open(path, 'a') as f:
        f.write('[  106.100100] CIFS: VFS: \\\\10.1.1.1 has not responded in 6 seconds. Reconnecting...\n')
    rc, out, err = run(['--json', path])
    p = []
    if rc:
        p.append('exit %d: %s' % (rc, err.strip()))
    else:
        doc = json.loads(out)
        cs = doc['connections']
        if len(cs) != 1 or cs[0]['echo_interval'] != 2 or len(cs[0]['echoes']) != 3:
            p.append('connections %s' % [(c['key'], c['echo_interval'], len(c['echoes'])) for c in cs])
        elif [g['verdict'] for g in cs[0]['gave_up']] != ['outage']:
            p.append('give-ups %s' % cs[0]['gave_up'])
    report('trace events: fields by name (server=, hostname=, addr=, extra, missing)', p)
    base = 'Feb 12 19:0%s kernel: CIFS: fs/smb/client/%s'
    lines = []
    for i, t in enumerate(('0:00.000000', '1:01.440000', '2:02.880000')):
        lines.append(base % (t, 'smb2pdu.c: In echo request for conn_id 1'))
        lines.append(base % (t[:-6] + '001000', 'connect.c: RFC1002 header 0x44'))
    lines.append(base % ('3:04.300000', 'connect.c: RFC1002 header 0x80'))
    lines.append(base % ('5:06.500000', 'smb2pdu.c: In echo request for conn_id 1'))
    lines.append(base % ('5:06.501000', 'connect.c: RFC1002 header 0x44'))
    lines.append('Feb 12 19:05:06.501100 kernel: CIFS: VFS: \\\\192.0.2.10 has not responded in 120 '
                 'seconds. Reconnecting...')
    lines = [x.replace('kernel:', 'client kernel:', 1) if i % 2 else x for i, x in enumerate(lines)]
    path = os.path.join(wd, 'journal.txt')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    rc, out, err = run(['--json', '--echo-interval', '60', path])
    p = []
    if rc:
        p.append('exit %d: %s' % (rc, err.strip()))
    else:
        gu = [g for c in json.loads(out)['connections'] for g in c['gave_up']]
        if [g['verdict'] for g in gu] != ['echo-bug'] or not 120 < gu[0]['silence'] < 122.5:
            p.append('give-ups %s' % gu)
    report('journalctl -o short-precise with cifsFYI: a skipped echo, the reply, the give-up', p)


# ------------------------------------------------------------ bad input

def test_bad_input(wd, seed_path):
    def expect(name, args, regex, code=2, one_line=True):
        rc, out, err = run(args)
        lines = [x for x in err.splitlines() if x.strip()]
        p = []
        if rc != code:
            p.append('exit %d, not %d' % (rc, code))
        if not re.search(regex, err):
            p.append('message %r does not match /%s/' % (err.strip()[:200], regex))
        if one_line and len(lines) != 1:
            p.append('%d lines on stderr, not one' % len(lines))
        report('bad input: ' + name, p, lines[-1][:110] if lines else '')

    def f(name, data):
        path = os.path.join(wd, name)
        with open(path, 'wb') as fh:
            fh.write(data)
        return path
    expect('text that is no log', [f('notes.txt', b'hello\nworld\n')],
           r'neither a pcap/pcapng capture nor a kernel log')
    expect('empty file', [f('empty.pcap', b'')], r'is empty')
    expect('no such file', [os.path.join(wd, 'missing.pcap')], r'no such file')
    expect('a directory', [wd], r'is a directory')
    expect('binary junk', [f('junk.bin', bytes(range(256)) * 4)], r'binary data')
    expect('pcap magic, then garbage', [f('bad.pcap', b'\xd4\xc3\xb2\xa1' + b'\x07' * 64)],
           r'(not a capture tshark can read|tshark could not read|cut short)')
    nosmb = os.path.join(wd, 'http.pcap')
    cap_no_smb(nosmb)
    expect('a capture without SMB', [nosmb], r'holds \d+ packets but no SMB')
    cut = os.path.join(wd, 'cut.pcap')
    size = seed.write(cut)
    seed.write(cut, cut=size - 30)
    expect('a truncated capture', [cut], r'cut short in the middle of a packet.*--truncated-ok')
    rc, out, err = run(['--truncated-ok', cut])
    report('a truncated capture with --truncated-ok', [] if rc == 0 and 'Connection 0' in out
           else ['exit %d: %s' % (rc, err.strip()[:200])])
    expect('a kernel log without the SMB client',
           [f('kern.log', b'[    1.000000] Linux version 6.1.0\n[    2.0] eth0: link up\n')],
           r'none of them from the SMB client')
    expect('--echo-interval out of range', ['--echo-interval', '0', seed_path],
           r'accepts 1\.\.600', one_line=False)


# --------------------------------------------------------- tool mutants

@contextlib.contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def test_tool_mutants(seed_path):
    """Each mutant of the tool's own logic must make the seed's check fail."""
    mutants = [
        ('the stock model without the hard-coded second',
         (model, 'stock_echo_action',
          lambda s, c, now, hz: model.ECHO_SEND if s.tcpStatus == model.CIFS_GOOD else model.ECHO_SKIP_STATE)),
        ('skips counted only from 2.5 E', (analyse, 'SKIP_GAP', 2.5)),
        ('only echo replies counted as the server\'s responses',
         (analyse, 'server_times', lambda conn: sorted(
             x.reply for x in analyse.echoes_of(conn) if x.reply is not None))),
        ('the timer wheel without its rounding', (model, 'wheel_fire', lambda ex, d: ex)),
        ('the stock limit read as 3E', (model, 'stock_unresponsive',
                                        lambda s, c, now, k: analyse.__dict__['_real_unresp'](s, c, now, 3))),
    ]
    analyse._real_unresp = model.stock_unresponsive
    for name, (obj, attr, value) in mutants:
        with patched(obj, attr, value):
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    problems = seed_problems(in_process(seed_path))
            except Exception as e:      # a crash is a failure too
                problems = ['crashed: %r' % e]
        report('mutant caught: ' + name, [] if problems else ['the seed check still passes'],
               problems[0][:90] if problems else '')


# ---------------------------------------------------------- conformance

MUTANTS_H = [
    ('daisy chain: next deadline = now + E',
     'return deadline + ((now - deadline) / interval + 1) * interval;', 'return now + interval;'),
    ('the one-second skip put back',
     '\treturn CIFS_ECHO_SEND;\n}',
     '\tif (time_before(now, server->lstrp + server->echo_interval - HZ))\n'
     '\t\treturn CIFS_ECHO_SKIP_EARLY;\n\treturn CIFS_ECHO_SEND;\n}'),
    ('threshold 2E', 'SMB_ECHO_TIMEOUT_INTERVALS * server->echo_interval;',
     '2 * server->echo_interval;'),
    ('wrap-unsafe verdict', 'time_after(now, deadline)', 'now > deadline'),
    ('verdict on the deadline itself', 'if (!time_before(now, deadline))\n\t\treturn 1;',
     'if (time_after(now, deadline))\n\t\treturn 1;'),
    ('silence counted from lstrp, not from the last sign of life',
     '*deadline = server->lprogress +', '*deadline = server->lstrp +'),
    ('bytes read are no sign of life', '\tserver->lprogress = now;\n}',
     '\t(void)now;\n}'),
    ('socket wait not bounded by the echo interval',
     '\t\ttimeo = min(timeo, server->echo_interval);\n', ''),
    ('socket wait not bounded by CIFS_TX_LOOK_INTERVAL while our bytes are pending',
     'if (server->tx_pending)\n\t\t\ttimeo', 'if (0)\n\t\t\ttimeo'),
    ('an acknowledgment of all we sent counts as life',
     'if (pending && server->tx_pending && una != server->tx_una)',
     'if (server->tx_pending && una != server->tx_una)'),
    ('a new connection keeps the old one\'s last sign of life',
     '\tserver->lstrp = now;\n\tserver->lprogress = now;\n', '\tserver->lstrp = now;\n'),
    ('no echo credit counted as a failed echo', 'rc == -EAGAIN ?', 'rc == -EINTR ?'),
]


def conf(header, wd, cases=12, test_c=None):
    buf = io.StringIO()
    try:
        rc = conformance.check(header, wd, cases, 'selftest', test_c=test_c, out=buf)
    except conformance.ShimError as e:
        return 2, str(e)
    return rc, buf.getvalue().strip()


def tree_copy(header, wd, name):
    d = os.path.join(wd, name)
    os.makedirs(d, exist_ok=True)
    src = os.path.dirname(header)
    for f in ('cifs_echo.h', 'cifsglob.h', 'cifs_echo_test.c'):
        if os.path.exists(os.path.join(src, f)):
            shutil.copy(os.path.join(src, f), d)
    return d


def edit(path, old, new):
    s = open(path).read()
    if old not in s:
        return False
    with open(path, 'w') as f:
        f.write(s.replace(old, new, 1))
    return True


def test_conformance_v2(header, wd):
    """The v2 header's pure helpers: the model matches them, and each
    mutant of the header or of the model is caught."""
    from . import conformance_v2
    rc, msg = conf(header, os.path.join(wd, 'conf'), cases=40)
    report('conformance (v2): the model against cifs_echo.h', [] if rc == 0 else [msg],
           msg.splitlines()[-1] if rc == 0 else '')
    for name, old, new in conformance_v2.MUTANTS_H:
        d = tree_copy(header, wd, 'mut-h')
        if not edit(os.path.join(d, 'cifs_echo.h'), old, new):
            report('conformance (v2) mutant: ' + name, ['the header no longer has %r: update '
                                                        'the mutant' % old[:50]])
            continue
        rc, msg = conf(os.path.join(d, 'cifs_echo.h'), os.path.join(wd, 'conf-m'))
        report('conformance (v2) mutant caught (header): ' + name,
               [] if rc == 1 else ['exit %d: %s' % (rc, msg[:200])], msg.splitlines()[0][:100])
    py_mutants = [
        ('daisy chain in the model', 'echo_next', lambda d, i, now: model.ulong(now + i)),
        ('wrap-unsafe time_after in the model', 'time_after', lambda a, b: a > b),
        ('3E read as 2E in the model', 'SMB_ECHO_TIMEOUT_INTERVALS', 2),
        ('the one-second skip in the model', 'echo_needed',
         lambda o, d, i, s: not s and not model.time_after(o, model.ulong(d - 250))),
    ]
    for name, attr, value in py_mutants:
        with patched(model, attr, value):
            rc, msg = conf(header, os.path.join(wd, 'conf-m'))
        report('conformance (v2) mutant caught (Python): ' + name,
               [] if rc == 1 else ['exit %d: %s' % (rc, msg[:200])], msg.splitlines()[0][:100])
    d = tree_copy(header, wd, 'param')
    edit(os.path.join(d, 'cifs_echo.h'), 'cifs_server_silent(unsigned long heard,',
         'cifs_server_silent(unsigned long heard, u64 progress,')
    rc, msg = conf(os.path.join(d, 'cifs_echo.h'), os.path.join(wd, 'conf-g'))
    report('shim (v2): a helper with a new parameter is refused with its name',
           [] if rc == 2 and 'cifs_server_silent' in msg and 'progress' in msg else
           ['exit %d: %s' % (rc, msg[:300])], msg[:110])


def test_conformance(header, wd):
    from . import conformance_v2
    if conformance_v2.is_v2(open(header).read()):
        return test_conformance_v2(header, wd)
    test_c = os.path.join(os.path.dirname(header), 'cifs_echo_test.c')
    rc, msg = conf(header, os.path.join(wd, 'conf'), cases=40, test_c=test_c)
    report('conformance: the model against cifs_echo.h', [] if rc == 0 else [msg],
           msg.splitlines()[-1] if rc == 0 else '')
    for name, old, new in MUTANTS_H:
        d = tree_copy(header, wd, 'mut-h')
        if not edit(os.path.join(d, 'cifs_echo.h'), old, new):
            report('conformance mutant: ' + name, ['the header no longer has %r: update the '
                                                   'mutant' % old[:50]])
            continue
        rc, msg = conf(os.path.join(d, 'cifs_echo.h'), os.path.join(wd, 'conf-m'))
        report('conformance mutant caught (header): ' + name,
               [] if rc == 1 else ['exit %d: %s' % (rc, msg[:200])], msg.splitlines()[0][:100])
    d = tree_copy(header, wd, 'mut-w')
    if os.path.exists(os.path.join(d, 'cifs_echo_test.c')) and edit(
            os.path.join(d, 'cifs_echo_test.c'), 'return ((expires >> shift) + 1) << shift;',
            'return (expires >> shift) << shift;'):
        rc, msg = conf(os.path.join(d, 'cifs_echo.h'), os.path.join(wd, 'conf-m'),
                       test_c=os.path.join(d, 'cifs_echo_test.c'))
        report('conformance mutant caught (KUnit wheel): fire on the granule itself',
               [] if rc == 1 else ['exit %d: %s' % (rc, msg[:200])], msg.splitlines()[0][:100])
    py_mutants = [
        ('daisy chain in the model', 'echo_next_deadline',
         lambda s, now: model.ulong(now + max(s.echo_interval, 1))),
        ('wrap-unsafe time_after in the model', 'time_after', lambda a, b: a > b),
        ('3E read as 2E in the model', 'SMB_ECHO_TIMEOUT_INTERVALS', 2),
    ]
    for name, attr, value in py_mutants:
        with patched(model, attr, value):
            rc, msg = conf(header, os.path.join(wd, 'conf-m'))
        report('conformance mutant caught (Python): ' + name,
               [] if rc == 1 else ['exit %d: %s' % (rc, msg[:200])], msg.splitlines()[0][:100])
    # the shim against a header that grows
    d = tree_copy(header, wd, 'grow')
    ok1 = edit(os.path.join(d, 'cifsglob.h'), 'unsigned long lstrp;',
               'unsigned long lstrp;\n\tu64 echo_progress_rcvd; /* test: a new input */')
    ok2 = edit(os.path.join(d, 'cifs_echo.h'), '\tif (server->tcpStatus == CifsInNegotiate) {',
               '\tif (server->echo_progress_rcvd > (1ULL << 62))\n\t\treturn CIFS_SERVER_ALIVE;\n'
               '\tif (server->tcpStatus == CifsInNegotiate) {')
    rc, msg = conf(os.path.join(d, 'cifs_echo.h'), os.path.join(wd, 'conf-g'))
    report('shim: a new field the header reads (u64 progress) builds, is held at 0 and named',
           [] if ok1 and ok2 and rc == 0 and 'echo_progress_rcvd' in msg else
           ['edits %s %s, exit %d: %s' % (ok1, ok2, rc, msg[:300])], msg.splitlines()[0][:100])
    d = tree_copy(header, wd, 'param')
    edit(os.path.join(d, 'cifs_echo.h'),
         'cifs_server_verdict(const struct TCP_Server_Info *server, bool can_echo,\n\t\t    unsigned long now)',
         'cifs_server_verdict(const struct TCP_Server_Info *server, bool can_echo,\n\t\t    unsigned long now, u64 progress)')
    rc, msg = conf(os.path.join(d, 'cifs_echo.h'), os.path.join(wd, 'conf-g'))
    report('shim: a helper with a new parameter is refused with its name',
           [] if rc == 2 and 'cifs_server_verdict' in msg and 'progress' in msg else
           ['exit %d: %s' % (rc, msg[:300])], msg[:110])
    d = tree_copy(header, wd, 'type')
    edit(os.path.join(d, 'cifsglob.h'), 'unsigned long lstrp;',
         'unsigned long lstrp;\n\tstruct echo_progress progress;')
    edit(os.path.join(d, 'cifs_echo.h'), '\tif (server->tcpStatus == CifsInNegotiate) {',
         '\tif (server->progress.rcvd)\n\t\treturn CIFS_SERVER_ALIVE;\n'
         '\tif (server->tcpStatus == CifsInNegotiate) {')
    rc, msg = conf(os.path.join(d, 'cifs_echo.h'), os.path.join(wd, 'conf-g'))
    report('shim: a field of a type it cannot stand in for is refused with its name',
           [] if rc == 2 and 'progress' in msg and 'struct echo_progress' in msg else
           ['exit %d: %s' % (rc, msg[:300])], msg[:110])


def main(argv=None):
    a = argparse.ArgumentParser(prog='selftest')
    a.add_argument('--workdir', required=True)
    a.add_argument('--header')
    a.add_argument('--only', choices=('tool', 'conformance'))
    args = a.parse_args(argv)
    wd = os.path.abspath(args.workdir)
    if os.path.isdir(wd):
        shutil.rmtree(wd)
    os.makedirs(wd)
    if args.only != 'conformance':
        seed_path = test_seed(wd)
        test_seed_log(wd)
        test_synthetic(wd)
        test_log_formats(wd)
        test_bad_input(wd, seed_path)
        test_tool_mutants(seed_path)
    if args.only != 'tool' and args.header:
        test_conformance(os.path.abspath(args.header), wd)
    elif args.only == 'conformance':
        print('selftest: --only conformance needs --header')
        return 2
    print('selftest: %d passed, %d failed' % (RESULTS['ok'], RESULTS['fail']))
    return 1 if RESULTS['fail'] else 0


if __name__ == '__main__':
    sys.exit(main())
