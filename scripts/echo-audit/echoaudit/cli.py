# SPDX-License-Identifier: GPL-2.0
"""echo-audit: was a reconnect of the Linux SMB client the echo bug?

    echo-audit [--echo-interval E] [--hz HZ] [--json] [--utc] [--truncated-ok] FILE...

FILE is a capture taken on the client (tcpdump -w, pcap or pcapng, any SMB
port, several connections and servers), or the client's kernel log (dmesg,
journalctl -k, with or without cifsFYI) or the echo scheduler's trace
events (trace_pipe); '-' reads a log from stdin.

Exit status: 0 when the input was analysed (whatever the verdicts), 2 for
input the tool cannot use (one message says what and how to fix it).
"""

import argparse
import json
import os
import sys

from . import analyse, logs, model
from .capture import is_capture_file, read_capture
from .errors import BadInput
from .report import Clock, json_report, text_report, wrap

EXIT_BAD_INPUT = 2


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print('echo-audit: error: %s' % message, file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def parse_args(argv):
    p = Parser(prog='echo-audit', description=(
        'Tell from a capture or a kernel log whether an SMB client reconnect '
        '("has not responded in N seconds. Reconnecting...") was the echo bug '
        '(echo schedule drift and a skipped echo) or a real outage.'))
    p.add_argument('files', nargs='+', metavar='FILE',
                   help='pcap/pcapng capture, kernel log or trace_pipe output; - for stdin')
    p.add_argument('--echo-interval', type=float, metavar='E',
                   help='the mount\'s echo_interval in seconds (default: inferred from the '
                        'echoes\' cadence, and said so)')
    p.add_argument('--hz', type=int, choices=(100, 250, 300, 1000),
                   help='the client kernel\'s HZ for the timer wheel of the replay '
                        '(default: what fits the cadence, else 250 as on Debian)')
    p.add_argument('--json', action='store_true', help='one JSON document on stdout')
    p.add_argument('--utc', action='store_true', help='times in UTC (default: local time, TZ)')
    p.add_argument('--truncated-ok', action='store_true',
                   help='analyse a capture cut short in the middle of a packet up to the cut')
    a = p.parse_args(argv)
    if a.echo_interval is not None and not 1 <= a.echo_interval <= 600:
        p.error('--echo-interval %g: the client accepts 1..600 s' % a.echo_interval)
    return a


def run_one(path, args, clock):
    if path == '-':
        text = sys.stdin.read()
        return 'log', log_output(logs.read_log('stdin', text), args, clock)
    if not os.path.exists(path):
        raise BadInput('%s: no such file' % path)
    if os.path.isdir(path):
        raise BadInput('%s is a directory: give a capture or a log file' % path)
    if not os.access(path, os.R_OK):
        raise BadInput('%s: not readable (permissions?)' % path)
    if os.path.getsize(path) == 0:
        raise BadInput('%s is empty: nothing to analyse (a capture from tcpdump -w, or a log '
                       'from dmesg / journalctl -k)' % path)
    if is_capture_file(path):
        cap = read_capture(path, truncated_ok=args.truncated_ok)
        reports = analyse.analyse_capture(cap, given_e=args.echo_interval, hz=args.hz, clock=clock)
        if not reports:
            raise BadInput('%s: the SMB streams in it carry no SMB connection to analyse' % path)
        span = '%s - %s' % (clock.date(cap.first), clock(cap.last)) if cap.first else ''
        kind = 'capture %s (%d packets, %s, %.0f s)' % (path, cap.packets, span,
                                                        (cap.last or 0) - (cap.first or 0))
        if args.json:
            return 'capture', json_report(cap, reports, args.echo_interval, 'capture')
        return 'capture', text_report(cap, reports, args.echo_interval, clock, kind)
    with open(path, 'rb') as f:
        raw = f.read()
    if b'\0' in raw[:65536]:
        raise BadInput('%s is neither a pcap/pcapng capture nor a text log (binary data): '
                       'give tcpdump -w output or a kernel log' % path)
    text = raw.decode('utf-8', errors='replace')
    return 'log', log_output(logs.read_log(path, text), args, clock)


def log_output(log, args, clock):
    reps = logs.analyse_log(log, args.echo_interval)
    fmt = clock if log.clock == 'wall' else (lambda t: '%.3f' % t)
    if args.json:
        return {'input': log.path, 'kind': 'log', 'formats': sorted(log.formats),
                'clock': log.clock, 'year_assumed': log.year_assumed,
                'connections': [{
                    'key': r.conn.key, 'server': r.conn.server,
                    'conn_ids': sorted(r.conn.conn_ids), 'echo_source': r.conn.source,
                    'echo_interval': r.interval.seconds,
                    'echo_interval_source': r.interval.source,
                    'schedule': r.interval.schedule or None,
                    'echoes': r.conn.sends, 'failed': [t for t, _ in r.conn.failed],
                    'drift_per_echo': r.drift_per_echo, 'drift_total': r.drift_total,
                    'skipped': sum(m for _, _, m in r.skips),
                    'skips': [{'after': a, 'before': b, 'missing': m} for a, b, m in r.skips],
                    'gave_up': [{'t': g.t, 'seconds': g.seconds, 'limit': g.limit_text,
                                 'silence': g.silence, 'silence_from': g.silence_from,
                                 'silence_source': g.source, 'verdict': g.kind,
                                 'verdict_text': g.verdict, 'details': g.details}
                                for g in r.gave_up],
                    'notes': r.notes} for r in reps]}
    out = ['echo-audit: kernel log %s (%s; %d of %d lines read; times: %s)' % (
        log.path, ', '.join(sorted(log.formats)), log.recognised, log.lines,
        'seconds since boot' if log.clock == 'monotonic' else
        'wall clock' + (' (no year in the log: this year assumed)' if log.year_assumed else ''))]
    out.append('')
    n_give = sum(len(r.gave_up) for r in reps)
    kinds = {}
    for r in reps:
        for g in r.gave_up:
            kinds[g.kind] = kinds.get(g.kind, 0) + 1
    para = '%d connection%s in the log; %s.' % (
        len(reps), '' if len(reps) == 1 else 's',
        ('%d give-up%s ("has not responded"): %s' % (
            n_give, '' if n_give == 1 else 's', ', '.join(
                '%d %s' % (v, {'echo-bug': 'the echo bug', 'outage': 'a real outage',
                               'unknown': 'not decidable from the log'}[k])
                for k, v in sorted(kinds.items())))) if n_give else 'no give-up')
    out += wrap(para, 78)
    for r in reps:
        c = r.conn
        out.append('')
        out.append('Connection %s%s%s' % (
            c.key, ' (server %s)' % c.server if c.server and c.server != c.key else '',
            ', conn_id %s' % ', '.join(sorted(c.conn_ids)) if c.conn_ids and c.key not in c.conn_ids else ''))
        e = r.interval.seconds
        out += wrap('echo interval: %s, %s' % ('%g s' % e if e else 'unknown', r.interval.source),
                    78, '  ')
        if c.sends:
            out.append('  echoes: %d (from the %s), first %s, last %s' % (
                len(c.sends), c.source, fmt(c.sends[0]), fmt(c.sends[-1])))
        if r.drift_per_echo is not None and e:
            out.append('  against the fixed-rate grid: %+.3f s per echo (cadence %.3f E), %+.3f s '
                       'in all' % (r.drift_per_echo, 1 + r.drift_per_echo / e, r.drift_total))
        nsk = sum(m for _, _, m in r.skips)
        out.append('  echoes skipped (gap of 1.5 E or more): %d' % nsk)
        for a, b, m in r.skips[:20]:
            out.append('    after %s: %d missing, next at %s' % (fmt(a), m, fmt(b)))
        for g in r.gave_up:
            out.append('  gave the server up at %s: "has not responded in %d seconds" (%s)'
                       % (fmt(g.t), g.seconds, g.limit_text))
            if g.silence is not None:
                out.append('    silence before it: %.3f s, from %s (%s)' % (
                    g.silence, fmt(g.silence_from), g.source))
            out += wrap('VERDICT: ' + g.verdict, 78, '    ', '      ')
            for d in g.details:
                out += wrap('- ' + d, 78, '      ', '        ')
        for n in r.notes:
            out += wrap('note: ' + n, 78, '  ', '    ')
    return '\n'.join(out) + '\n'


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    clock = Clock(utc=args.utc)
    docs = []
    try:
        for path in args.files:
            docs.append(run_one(path, args, clock))
    except BadInput as e:
        print('echo-audit: error: %s' % e, file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        body = [d for _, d in docs]
        json.dump(body[0] if len(body) == 1 else body, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write('\n')
    else:
        sys.stdout.write('\n'.join(d for _, d in docs))
    return 0


__all__ = ['main', 'model']
