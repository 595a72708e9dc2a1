# SPDX-License-Identifier: GPL-2.0
"""The verdicts echo-audit must give on the test host's own captures.

    python3 -m echoaudit.scenarios --dir DIR --kver KVER [--workdir DIR]

DIR holds KVER-stock.* and KVER-fixed.* (capture, console log with the
host's time of each line, .out), recorded by scripts/echo-audit/test with
scripts/echo-audit/guest at E = 2 s. Each phase of the guest's run is cut
out of the capture with editcap (its marks are in the console log, on the
capture's clock) and given to scripts/echo-audit/run as an operator would
(--json --echo-interval 2); so are the whole capture and the client's
kernel log. Each expectation is a check on the tool's JSON.

Every check must also be able to fail: each one is run again on its own
result with the verdict or the count it looks at changed, and must then
report a problem; a check that passes both is a defect of this file.
"""

import argparse
import copy
import json
import os
import subprocess
import sys

E = 2
TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'run')

# phase -> (seconds before its begin mark, after its end mark) of the slice;
# 'slow' starts once the first delayed packets can be through (the delay's
# onset is not a property of the slow link); 'seal' ends once the client
# has closed the unmounted connection (it does so after umount returns)
WINDOWS = {'idle': (0, 0), 'slow': (-1.6, 0), 'late': (0, 0), 'bug': (0, 0),
           'seal': (0, 3), 'dead': (3, 1), 'stall': (3, 1), 'kill': (3, 1)}


def marks(tlog):
    out = {}
    with open(tlog, errors='replace') as f:
        for line in f:
            w = line.split()
            if len(w) == 5 and w[1:3] == ['AUDIT:', 'mark']:
                out['%s %s' % (w[3], w[4])] = float(w[0])
    return out


def run_tool(args):
    p = subprocess.run([sys.executable, TOOL, '--json'] + args, capture_output=True, text=True,
                       check=False)
    if p.returncode != 0:
        raise RuntimeError('echo-audit %s exited %d: %s' % (' '.join(args), p.returncode,
                                                              p.stderr.strip()))
    return json.loads(p.stdout)


def main_conn(doc):
    """The run's mount: the plain connection with the most echoes."""
    plain = [c for c in doc['connections'] if not c['encrypted_pdus']] or doc['connections']
    return max(plain, key=lambda c: len(c['echoes']))


def reconnects(doc):
    return [c['reconnect'] for c in doc['connections'] if c['reconnect']]


def kinds(doc):
    return sorted(r['verdict'] for r in reconnects(doc))


# ------------------------------------------------------------- the checks
# Each returns a list of problems (empty: the expectation holds) and a
# line of evidence.

def no_reconnect(doc):
    r = reconnects(doc)
    return ['%d reconnect(s): %s' % (len(r), [x['verdict_text'] for x in r])] if r else []


def check_idle(doc, mode):
    c = main_conn(doc)
    p = no_reconnect(doc)
    if c['skipped']:
        p.append('%d echoes skipped while idle' % c['skipped'])
    if mode == 'stock':
        if c['schedule'] != 'daisy chain':
            p.append('schedule %r, not the daisy chain' % c['schedule'])
        # the wheel's 16 ms per cycle, plus the work's latency (a busy guest)
        if not 12 <= (c['drift_per_echo'] or 0) * 1000 <= 0.05 * E * 1000 + 16:
            p.append('drift %s s per echo, not the wheel\'s 16 ms (plus latency)'
                     % c['drift_per_echo'])
        if not (c['drift_total'] or 0) > 0.08:
            p.append('total drift %s s: the daisy chain adds up' % c['drift_total'])
    else:
        if c['schedule'] != 'fixed-rate':
            p.append('schedule %r, not fixed-rate' % c['schedule'])
        if c['drift_total'] is None or abs(c['drift_total']) > 0.05:
            p.append('total drift %s s: a fixed-rate grid does not drift' % c['drift_total'])
    return p, '%d echoes, %s, drift %+.3f s per echo, %+.3f s in all, %d skipped' % (
        len(c['echoes']), c['schedule'], c['drift_per_echo'] or 0, c['drift_total'] or 0,
        c['skipped'])


def check_idle_inferred(doc, mode):
    c = main_conn(doc)
    p = []
    if c['echo_interval'] != E:
        p.append('E inferred as %s, not %d' % (c['echo_interval'], E))
    if 'inferred' not in c['echo_interval_source']:
        p.append('the report does not say E was inferred: %r' % c['echo_interval_source'])
    return p, 'E = %s, %s' % (c['echo_interval'], c['echo_interval_source'][:60])


def check_slow(doc, mode):
    c = main_conn(doc)
    p = no_reconnect(doc)
    if mode == 'stock' and c['skipped'] < 2:
        p.append('%d echoes skipped on the slow link, expected every second one' % c['skipped'])
    if mode == 'fixed' and c['skipped']:
        p.append('%d echoes skipped on the slow link' % c['skipped'])
    return p, '%d echoes, %d skipped' % (len(c['echoes']), c['skipped'])


def check_late(doc, mode):
    c = main_conn(doc)
    p = no_reconnect(doc)
    hard = [s for s in c['skips'] if s['cause'] == 'hard-coded second']
    if mode == 'stock':
        if c['skipped'] < 3 or len(hard) < 3:
            p.append('%d skipped, %d of them after a reply within E - 1 s: expected at least 3 '
                     'of the 4 late replies' % (c['skipped'], len(hard)))
    elif c['skipped']:
        p.append('%d echoes skipped after late replies' % c['skipped'])
    return p, '%d skipped, %d after a reply within E - 1 s' % (c['skipped'], len(hard))


def check_bug(doc, mode):
    r = reconnects(doc)
    c = main_conn(doc)
    if mode == 'stock':
        p = []
        if kinds(doc) != ['echo-bug']:
            p.append('verdicts %s, expected one: the echo bug' % kinds(doc))
        elif not r[0]['over_3E']:
            p.append('silence %.3f s, not over 3E' % r[0]['silence'])
        return p, '; '.join(x['verdict_text'][:110] for x in r)
    p = no_reconnect(doc)
    longest = c['longest_silence']['seconds'] if c['longest_silence'] else None
    if longest is None or longest >= 3 * E:
        p.append('longest silence %s s, not under 3E' % longest)
    return p, 'no reconnect, longest silence %.2f s' % (longest or -1)


def check_seal(doc, mode):
    enc = [c for c in doc['connections'] if c['encrypted_pdus']]
    p = no_reconnect(doc)
    if len(enc) != 1:
        p.append('%d encrypted connections, expected 1' % len(enc))
        return p, ''
    s = enc[0]
    if len(s['echoes']) < 2:
        p.append('%d echoes seen on the encrypted connection' % len(s['echoes']))
    if s['echo_interval'] != 3:
        p.append('its E is %s, the mount has 3' % s['echo_interval'])
    if not s['unreadable']:
        p.append('the report does not say what it cannot read')
    if not (s['close'] and s['close']['unmount']):
        p.append('its close is %s, not an unmount' % s['close'])
    return p, '%d encrypted PDUs, %d plain echoes, E = %s, %s' % (
        s['encrypted_pdus'], len(s['echoes']), s['echo_interval'], 'unmount' if s['close'] and
        s['close']['unmount'] else 'no unmount')


def _one(doc, kind, detail=None):
    r = reconnects(doc)
    p = []
    if kinds(doc) != [kind]:
        p.append('verdicts %s, expected [%r]' % (kinds(doc), kind))
    elif detail and not any(detail in d for d in r[0]['details']):
        p.append('no detail saying %r: %s' % (detail, r[0]['details']))
    return p, '; '.join(x['verdict_text'][:110] for x in r)


def check_dead(doc, mode):
    return _one(doc, 'outage')


def check_stall(doc, mode):
    return _one(doc, 'outage', 'TCP acknowledged')


def check_kill(doc, mode):
    return _one(doc, 'server-closed')


def check_whole(doc, mode):
    want = {'stock': ['echo-bug', 'outage', 'outage', 'server-closed'],
            'fixed': ['outage', 'outage', 'server-closed']}[mode]
    p = [] if kinds(doc) == want else ['verdicts %s, expected %s' % (kinds(doc), want)]
    return p, '%d connections, verdicts %s' % (len(doc['connections']), kinds(doc))


def check_log(doc, mode):
    got = [g['verdict'] for c in doc['connections'] for g in c['gave_up']]
    want = {'stock': ['echo-bug', 'outage', 'outage'], 'fixed': ['outage', 'outage']}[mode]
    p = [] if got == want else ['give-ups judged %s, expected %s' % (got, want)]
    return p, 'give-ups: %s' % got


# what each check looks at, changed: the check must then fail
def mutate(doc):
    d = copy.deepcopy(doc)
    if d.get('kind') == 'log':
        for c in d['connections']:
            for g in c['gave_up']:
                g['verdict'] = 'echo-bug' if g['verdict'] != 'echo-bug' else 'outage'
        return d
    for c in d['connections']:
        if c['reconnect']:
            c['reconnect']['verdict'] = ('outage' if c['reconnect']['verdict'] != 'outage'
                                         else 'echo-bug')
    return d


def mutate_counts(doc):
    d = copy.deepcopy(doc)
    for c in d['connections']:
        c['skipped'] = 0 if c['skipped'] else 3
        c['skips'] = [] if c['skips'] else [{'cause': 'hard-coded second'}] * 3
        c['drift_per_echo'] = 0.0 if c['drift_per_echo'] else 0.016
        c['drift_total'] = 0.0 if (c['drift_total'] or 0) > 0.05 else 0.5
        c['schedule'] = 'fixed-rate' if c['schedule'] == 'daisy chain' else 'daisy chain'
        c['echo_interval'] = 5
        c['echo_interval_source'] = '--echo-interval'
        c['encrypted_pdus'] = 0
        if c['longest_silence']:
            c['longest_silence']['seconds'] = 7.0
        if not c['reconnect']:
            c['reconnect'] = {'verdict': 'echo-bug', 'verdict_text': 'mutant', 'details': [],
                              'over_3E': True, 'silence': 7.0}
    return d


CHECKS = {'idle': check_idle, 'slow': check_slow, 'late': check_late, 'bug': check_bug,
          'seal': check_seal, 'dead': check_dead, 'stall': check_stall, 'kill': check_kill}


def main(argv=None):
    a = argparse.ArgumentParser(prog='scenarios')
    a.add_argument('--dir', required=True)
    a.add_argument('--kver', required=True)
    a.add_argument('--workdir', required=True)
    args = a.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)
    failed = passed = 0

    def judge(name, fn, doc, mode):
        nonlocal failed, passed
        problems, evidence = fn(doc, mode)
        caught = bool(fn(mutate(doc), mode)[0]) or bool(fn(mutate_counts(doc), mode)[0])
        if not caught:
            problems.append('the check passes a mutated result too: it cannot fail')
        if problems:
            failed += 1
            print('FAIL %-14s %s' % (name, '; '.join(problems)))
        else:
            passed += 1
            print('ok   %-14s %s' % (name, evidence))
    for mode in ('stock', 'fixed'):
        base = os.path.join(args.dir, '%s-%s' % (args.kver, mode))
        m = marks(base + '.tlog')
        for phase, fn in CHECKS.items():
            b, e = m.get(phase + ' begin'), m.get(phase + ' end')
            name = '%s/%s' % (mode, phase)
            if b is None or e is None:
                failed += 1
                print('FAIL %-14s no marks for the phase in %s.tlog' % (name, base))
                continue
            pre, post = WINDOWS[phase]
            sl = os.path.join(args.workdir, '%s-%s.pcap' % (mode, phase))
            subprocess.run(['editcap', '-A', '%.6f' % (b - pre), '-B', '%.6f' % (e + post),
                            base + '.pcap', sl], check=True, capture_output=True)
            try:
                doc = run_tool(['--echo-interval', str(E), sl])
            except RuntimeError as err:
                failed += 1
                print('FAIL %-14s %s' % (name, err))
                continue
            judge(name, fn, doc, mode)
            if phase == 'idle':
                judge(name + ' (E?)', check_idle_inferred, run_tool([sl]), mode)
        judge('%s/capture' % mode, check_whole, run_tool(['--echo-interval', str(E), base + '.pcap']),
              mode)
        judge('%s/kernel-log' % mode, check_log, run_tool([base + '.out']), mode)
    print('scenarios: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
