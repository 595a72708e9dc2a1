# SPDX-License-Identifier: GPL-2.0
"""echo-audit's output: a summary paragraph, a table, details; or JSON."""

import time

from . import model
from . import analyse
from .analyse import fmt_d

RULE_NAMES = {'stock-2E': 'stock, 2E limit', 'stock-3E': 'stock, 3E limit',
              'fixed': 'fixed schedule'}
VERDICT_SHORT = {'echo-bug': 'the echo bug', 'outage': 'a real outage',
                 'server-closed': 'closed by the server', 'short': 'not the echo check'}


class Clock:
    """Wall-clock times of the capture, in the local zone (TZ) or UTC."""

    def __init__(self, utc=False):
        self.utc = utc

    def tm(self, t):
        return time.gmtime(t) if self.utc else time.localtime(t)

    def __call__(self, t):
        if t is None:
            return '?'
        return time.strftime('%H:%M:%S', self.tm(t)) + ('%.3f' % (t % 1))[1:]

    def date(self, t):
        return time.strftime('%Y-%m-%d %H:%M:%S %Z', self.tm(t)) if not self.utc else \
            time.strftime('%Y-%m-%d %H:%M:%S UTC', self.tm(t))


def _ms(x):
    if x is None:
        return '-'
    return '%+.0f ms' % (x * 1000) if abs(x) < 1 else '%+.2f s' % x


def _end_of(rep):
    rc = rep.reconnect
    if rc:
        return 'reconnect: %s' % VERDICT_SHORT.get(rc.verdict.kind, rc.verdict.kind)
    if rep.clean_close:
        return 'closed by the client (logoff: an unmount)'
    if rep.close:
        return 'closed by the %s (%s), no reconnect seen' % (rep.close[1], rep.close[2])
    return 'open at the end of the capture'


def _rtts(rep):
    r = sorted(x.rtt for x in rep.echoes if x.rtt is not None)
    if not r:
        return None
    return r[len(r) // 2], r[-1]


def summary(cap, reports, given_e):
    conns = len(reports)
    servers = sorted({'%s:%s' % r.conn.server for r in reports})
    clients = {r.conn.client[0] for r in reports}
    recs = [r.reconnect for r in reports if r.reconnect]
    kinds = {}
    for rc in recs:
        kinds[rc.verdict.kind] = kinds.get(rc.verdict.kind, 0) + 1
    parts = ['%d SMB connection%s from %d client host%s to %s' % (
        conns, '' if conns == 1 else 's', len(clients), '' if len(clients) == 1 else 's',
        servers[0] if len(servers) == 1 else '%d servers (%s)' % (len(servers), ', '.join(servers[:4])))]
    if recs:
        order = ('echo-bug', 'outage', 'server-closed', 'short')
        parts.append('%d reconnect%s: %s' % (len(recs), '' if len(recs) == 1 else 's', ', '.join(
            '%d %s' % (kinds[k], VERDICT_SHORT[k]) for k in order if k in kinds)))
    else:
        parts.append('no reconnect')
    out = '. '.join(p[0].upper() + p[1:] for p in parts) + '.'
    es = sorted({r.interval.seconds for r in reports if r.interval.seconds})
    if es:
        src = ('from --echo-interval' if given_e else
               'inferred from the cadence of the echoes, not given')
        out += ' Echo interval E = %s (%s).' % (', '.join('%g s' % e for e in es), src)
    chains = [r for r in reports if r.interval.schedule == 'daisy chain' and r.drift_per_echo]
    fixed = [r for r in reports if r.interval.schedule == 'fixed-rate']
    if chains:
        r = max(chains, key=lambda x: len(x.echoes))
        out += (' The stock daisy chain shows: echoes every %.3f E, %s per echo late against '
                'the fixed-rate grid (connection %s).' % (
                    1 + r.drift_per_echo / r.interval.seconds, _ms(r.drift_per_echo),
                    r.conn.stream))
    elif fixed:
        out += ' The echoes keep to a fixed-rate grid (no drift).'
    nskip = sum(len(sk.slots) for r in reports for sk in r.skips)
    hard = sum(len(sk.slots) for r in reports for sk in r.skips if sk.cause == 'hard-coded second')
    if nskip:
        out += ' %d echo%s skipped (a gap of 1.5 E or more)%s.' % (
            nskip, '' if nskip == 1 else 'es',
            ', %d right after a reply within E - 1 s (the hard-coded second)' % hard if hard else '')
    else:
        out += ' No echo skipped.'
    gave = {rule: sum(1 for r in reports if r.replay.get(rule) and r.replay[rule].gave_up)
            for rule in model.RULES}
    if any(r.replay for r in reports):
        out += (' Replayed through the schedule model, the server would have been given up on '
                '%s.' % ', '.join('%d time%s by the %s' % (gave[k], '' if gave[k] == 1 else 's',
                                                          RULE_NAMES[k]) for k in model.RULES))
    return out


def text_report(cap, reports, given_e, clock, kind_line):
    lines = ['echo-audit: %s' % kind_line, '']
    lines += wrap(summary(cap, reports, given_e), 78)
    lines.append('')
    head = ('#', 'connection (client -> server)', 'E', 'echoes', 'cadence/E', 'drift/echo',
            'drift total', 'skipped', 'rtt med/max', 'longest silence', 'end')
    rows = []
    for r in reports:
        e = r.interval.seconds
        cad = None
        if r.echoes and e and r.drift_per_echo is not None:
            cad = '%.3f' % (1 + r.drift_per_echo / e)
        rt = _rtts(r)
        rows.append((str(r.conn.stream), r.conn.label(),
                     ('%g s' % e + ('' if given_e else '*')) if e else '?',
                     str(len(r.echoes)), cad or '-', _ms(r.drift_per_echo), _ms(r.drift_total),
                     str(sum(len(sk.slots) for sk in r.skips)),
                     '%s/%s' % (fmt_d(rt[0]), fmt_d(rt[1])) if rt else '-',
                     fmt_d(r.longest_silence[0]) if r.longest_silence else '-',
                     _end_of(r)))
    widths = [max(len(x[i]) for x in [head] + rows) for i in range(len(head))]
    for row in [head] + rows:
        lines.append('  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if not given_e:
        lines.append('* E inferred from the cadence (no --echo-interval)')
    for r in reports:
        lines.append('')
        lines += details(r, clock)
    return '\n'.join(lines) + '\n'


def details(r, clock):
    c = r.conn
    e = r.interval.seconds
    out = ['Connection %s: %s (the client side told by %s)' % (c.stream, c.label(), c.direction_from)]
    out.append('  from %s to %s; %d SMB PDUs%s' % (
        clock(c.first), clock(c.last), len(c.pdus),
        ' (%d encrypted)' % r.encrypted if r.encrypted else ''))
    iv = r.interval
    out += wrap('echo interval: %s, %s' % ('%g s' % e if e else 'unknown', iv.source), 78, '  ')
    if iv.warning:
        out += wrap('warning: ' + iv.warning, 78, '  ')
    if r.echoes:
        sched = {'daisy chain': 'the stock daisy chain (each echo E after the last one ran, '
                                'plus the timer wheel\'s rounding%s)' % (
                                    ': %.3f s at HZ %d' % (model.stock_cadence(int(e), iv.hz), iv.hz)
                                    if iv.hz and e else ''),
                 'fixed-rate': 'fixed-rate (each echo on the grid of the first)'}.get(
                     iv.schedule, 'neither fixed-rate nor the stock daisy chain'
                     if len(r.echoes) >= 3 else 'too few echoes to tell')
        out += wrap('echoes: %d, first %s, last %s; schedule: %s' % (
            len(r.echoes), clock(r.echoes[0].t), clock(r.echoes[-1].t), sched), 78, '  ', '    ')
        if r.drift_per_echo is not None:
            late = [x for _, x in r.lateness]
            out.append('  against the fixed-rate grid: %s per echo, %s in all; lateness min %s, '
                       'max %s' % (_ms(r.drift_per_echo), _ms(r.drift_total), _ms(min(late)),
                                   _ms(max(late))))
        rt = _rtts(r)
        if rt:
            out.append('  echo round trips: median %s, max %s; %d of %d echoes answered' % (
                fmt_d(rt[0]), fmt_d(rt[1]), sum(1 for x in r.echoes if x.reply is not None),
                len(r.echoes)))
    else:
        out.append('  no echo request in this connection')
    for sk in r.skips:
        out += wrap('gap from %s (%d echo%s skipped, %s without one): %s' % (
            clock(sk.first), len(sk.slots), '' if len(sk.slots) == 1 else 'es',
            fmt_d((sk.before or sk.slots[-1]) - sk.after), sk.text), 78, '  ', '    ')
    if r.longest_silence:
        s, a, b, open_ = r.longest_silence
        out.append('  longest silence from the server: %s, %s - %s%s' % (
            fmt_d(s), clock(a), clock(b), ' (to the end of the connection)' if open_ else ''))
    rc = r.reconnect
    if rc:
        out += wrap('reconnect at %s: %s%s' % (
            clock(rc.at), rc.how,
            '; new connection %s (stream %s)%s' % (
                rc.successor.label(), rc.successor.stream,
                ', %d attempt%s refused before it' % (rc.refused, '' if rc.refused == 1 else 's')
                if rc.refused else '') if rc.successor else '; its new connection is not in the capture'),
            78, '  ', '    ')
        lim = ''
        if e:
            lim = ' (%s 2E = %s, %s 3E = %s)' % ('>' if rc.silence > 2 * e else '<=', fmt_d(2 * e),
                                                 '>' if rc.silence > 3 * e else '<=', fmt_d(3 * e))
        out.append('  silence before it: %s%s, %s - %s%s' % (
            'at least ' if rc.silence_at_least else '', fmt_d(rc.silence),
            clock(rc.silence_from), clock(rc.silence_to), lim))
        out += wrap('VERDICT: ' + rc.verdict.text, 78, '  ', '    ')
        for d in rc.verdict.details:
            out += wrap('- ' + d, 78, '    ', '      ')
    elif r.clean_close:
        out.append('  closed by the client after a logoff at %s: an unmount, not a reconnect'
                   % clock(r.close[0]))
    if r.replay:
        until = ('to the reconnect and %g s on' % analyse.REPLAY_AFTER_S if rc
                 else 'to the end of the connection')
        out += wrap('what each schedule would have done (the server\'s replies of this '
                    'connection replayed from its first echo %s; round trips as seen here):'
                    % until, 78, '  ')
        for rule in model.RULES:
            res = r.replay[rule]
            if res.gave_up:
                txt = 'would have given the server up at %s (silence %s)' % (
                    clock(res.at), fmt_d(res.silence))
            else:
                txt = 'would not have given the server up (longest silence %s)' % fmt_d(
                    res.longest_silence)
            out.append('    %-16s %s' % (RULE_NAMES[rule] + ':', txt))
        if rc and rc.verdict.kind == 'echo-bug':
            stock = [k for k in ('stock-2E', 'stock-3E') if r.replay[k].gave_up]
            if not stock:
                out += wrap('note: the stock replay does not reproduce this reconnect with the '
                            'round trips this capture shows; the skips above need longer ones: '
                            'the client is further from this capture point than the replay '
                            'assumes', 78, '    ', '      ')
    for u in r.unreadable:
        out += wrap('cannot be read: ' + u, 78, '  ', '    ')
    for n in r.notes:
        out += wrap('note: ' + n, 78, '  ', '    ')
    return out


def wrap(text, width, first='', rest=None):
    rest = first if rest is None else rest
    words = text.split(' ')
    lines, cur = [], first
    for w in words:
        if cur.strip() and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = rest + w
        else:
            cur = (cur + ' ' + w) if cur.strip() else cur + w
    if cur.strip():
        lines.append(cur)
    return lines


def json_report(cap, reports, given_e, kind):
    def conn_json(r):
        c = r.conn
        rc = r.reconnect
        return {
            'stream': c.stream, 'client': '%s:%s' % c.client, 'server': '%s:%s' % c.server,
            'client_guid': c.client_guid, 'first': c.first, 'last': c.last,
            'echo_interval': r.interval.seconds, 'echo_interval_source': r.interval.source,
            'schedule': r.interval.schedule or None, 'hz': r.interval.hz,
            'echoes': [{'t': x.t, 'mid': x.mid, 'reply': x.reply} for x in r.echoes],
            'drift_per_echo': r.drift_per_echo, 'drift_total': r.drift_total,
            'skipped': sum(len(sk.slots) for sk in r.skips),
            'skips': [{'after': sk.after, 'before': sk.before, 'slots': sk.slots, 'first': sk.first,
                       'cause': sk.cause, 'last_reply': sk.last_pdu, 'text': sk.text}
                      for sk in r.skips],
            'longest_silence': (None if not r.longest_silence else
                                {'seconds': r.longest_silence[0], 'from': r.longest_silence[1],
                                 'to': r.longest_silence[2]}),
            'encrypted_pdus': r.encrypted,
            'close': (None if not r.close else
                      {'t': r.close[0], 'by': r.close[1], 'how': r.close[2], 'unmount': r.clean_close}),
            'reconnect': (None if not rc else {
                'at': rc.at, 'how': rc.how,
                'successor': rc.successor.stream if rc.successor else None,
                'refused_attempts': rc.refused,
                'silence': rc.silence, 'silence_from': rc.silence_from,
                'silence_to': rc.silence_to, 'silence_at_least': rc.silence_at_least,
                'over_2E': bool(r.interval.seconds and rc.silence > 2 * r.interval.seconds),
                'over_3E': bool(r.interval.seconds and rc.silence > 3 * r.interval.seconds),
                'verdict': rc.verdict.kind, 'verdict_text': rc.verdict.text,
                'details': rc.verdict.details}),
            'replay': {k: {'gave_up': v.gave_up, 'at': v.at, 'silence': v.silence,
                           'longest_silence': v.longest_silence, 'echoes': len(v.echoes),
                           'skipped': len(v.skipped)} for k, v in r.replay.items()},
            'unreadable': r.unreadable, 'notes': r.notes,
        }
    return {'input': cap.path, 'kind': kind, 'packets': cap.packets, 'first': cap.first,
            'last': cap.last, 'summary': summary(cap, reports, given_e),
            'connections': [conn_json(r) for r in reports]}
