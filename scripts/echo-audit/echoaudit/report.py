# SPDX-License-Identifier: GPL-2.0
"""echo-audit's output: a summary paragraph, a table, details; or JSON."""

import time

from . import model
from . import analyse
from .analyse import fmt_d

RULE_NAMES = {'stock-2E': 'stock, 2E limit', 'stock-3E': 'stock, 3E limit',
              'fixed': 'fixed schedule'}
VERDICT_SHORT = {'echo-bug': 'the echo bug', 'outage': 'a real outage',
                 'server-closed': 'closed by the server', 'short': 'not the echo check',
                 'undecided': 'undecided'}


def _open(rep):
    """The candidates of a connection whose verdict depends on which one
    E is (an empty list: E is given, decided, or the verdict is the same
    for each)."""
    rc = rep.reconnect
    return rep.candidates if rep.candidates and rc and rc.verdict.kind == 'undecided' else []


def _by_candidate(rep):
    """'the echo bug if E = 2 s, not the echo check if E = 4 s'"""
    out = []
    for c in _open(rep):
        rc = c.report.reconnect
        out.append('%s if E = %g s' % (VERDICT_SHORT.get(rc.verdict.kind, rc.verdict.kind)
                                       if rc else 'no reconnect', c.seconds))
    return ', '.join(out)


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
    if rc and _open(rep):
        return 'reconnect: undecided (%s)' % _by_candidate(rep)
    if rc and rc.verdict.kind == 'undecided':
        return 'reconnect: undecided (E unknown)'
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
    recs = [r for r in reports if r.reconnect]
    kinds = {}
    for r in recs:
        kinds[r.reconnect.verdict.kind] = kinds.get(r.reconnect.verdict.kind, 0) + 1
    parts = ['%d SMB connection%s from %d client host%s to %s' % (
        conns, '' if conns == 1 else 's', len(clients), '' if len(clients) == 1 else 's',
        servers[0] if len(servers) == 1 else '%d servers (%s)' % (len(servers), ', '.join(servers[:4])))]
    if recs:
        order = ('echo-bug', 'outage', 'server-closed', 'short', 'undecided')
        open_ = [r for r in recs if _open(r) or r.reconnect.verdict.kind == 'undecided']
        parts.append('%d reconnect%s: %s' % (len(recs), '' if len(recs) == 1 else 's', ', '.join(
            '%d %s' % (kinds[k], VERDICT_SHORT[k]) for k in order if k in kinds)) + (
            ' (%s: pass --echo-interval)' % '; '.join(
                ('connection %s: %s' if len(open_) > 1 else '%.0s%s')
                % (r.conn.stream, _by_candidate(r) if _open(r) else 'E unknown, too few echoes')
                for r in open_) if open_ else ''))
    else:
        parts.append('no reconnect')
    out = '. '.join(p[0].upper() + p[1:] for p in parts) + '.'
    undecided = [r for r in reports if _open(r)]
    sure = [r for r in reports if not _open(r)]
    es = sorted({r.interval.seconds for r in sure if r.interval.seconds})
    if undecided:
        cand = sorted({c.seconds for r in undecided for c in r.candidates})
        out += (' Echo interval not given and not decided by the capture: E = %s (the cadence of '
                'the echoes fits each%s)%s.' % (
                    ' or '.join('%g s' % e for e in cand),
                    ', connection%s %s' % ('' if len(undecided) == 1 else 's',
                                           ', '.join(str(r.conn.stream) for r in undecided)),
                    '; E = %s elsewhere (inferred)' % ', '.join('%g s' % e for e in es) if es else ''))
    elif es:
        src = ('from --echo-interval' if given_e else
               'inferred from the cadence of the echoes, not given')
        if not given_e and any(r.candidates for r in reports):
            src += '; %s would fit the cadence too, with the same verdicts' % ', '.join(sorted(
                {'%g s' % c.seconds for r in reports for c in r.candidates
                 if c.seconds not in es}))
        out += ' Echo interval E = %s (%s).' % (', '.join('%g s' % e for e in es), src)
    chains = [r for r in sure if r.interval.schedule == 'daisy chain' and r.drift_per_echo]
    fixed = [r for r in sure if r.interval.schedule == 'fixed-rate']
    if chains:
        r = max(chains, key=lambda x: len(x.echoes))
        out += (' The stock daisy chain shows: echoes every %.3f E, %s per echo late against '
                'the fixed-rate grid (connection %s).' % (
                    1 + r.drift_per_echo / r.interval.seconds, _ms(r.drift_per_echo),
                    r.conn.stream))
    elif fixed:
        out += ' The echoes keep to a fixed-rate grid (no drift).'
    nskip = sum(len(sk.slots) for r in sure for sk in r.skips)
    hard = sum(len(sk.slots) for r in sure for sk in r.skips if sk.cause == 'hard-coded second')
    if nskip:
        out += ' %d echo%s skipped (a gap of 1.5 E or more)%s.' % (
            nskip, '' if nskip == 1 else 'es',
            ', %d right after a reply within E - 1 s (the hard-coded second)' % hard if hard else '')
    elif any(r.echoes for r in sure):
        out += ' No echo skipped%s.' % (' on the other connections' if undecided else '')
    for r in undecided:
        out += ' Echoes skipped on connection %s: %s.' % (r.conn.stream, ', '.join(
            '%d if E = %g s' % (sum(len(sk.slots) for sk in c.report.skips), c.seconds)
            for c in r.candidates))
        yes = [c for c in r.candidates if c.report.reconnect and (
            _reproduces(c.report, 'stock-3E') or
            (analyse.reproduced_late(c.report) or ('',))[0] == 'stock-3E')]
        no = [c for c in r.candidates if c not in yes]
        if yes:
            out += (' The stock 3E check on the capture\'s own replies reproduces its reconnect if '
                    'E = %s%s.' % (' or '.join('%g s' % c.seconds for c in yes),
                                   ', not if E = %s' % ' or '.join('%g s' % c.seconds for c in no)
                                   if no else ''))
    judged = [r for r in sure if r.check]
    if judged:
        recs_s = [r for r in judged if r.reconnect and
                  r.reconnect.verdict.kind in ('echo-bug', 'outage')]
        rep3 = [r for r in recs_s if _reproduces(r, 'stock-3E')]
        rep2 = [r for r in recs_s if _reproduces(r, 'stock-2E')]
        repf = [r for r in recs_s if _reproduces(r, model.RULE_FIXED)]
        gave3 = sum(1 for r in judged if r.check['stock-3E'].gave_up)
        gave2 = sum(1 for r in judged if r.check['stock-2E'].gave_up)
        out += (' The capture\'s own server replies through the stock client\'s check (before '
                'every socket read, and at its 7 s socket wake-ups) give the server up %d time%s '
                'at 3E and %d at 2E' % (gave3, '' if gave3 == 1 else 's', gave2))
        if recs_s:
            out += ('; of the %d reconnect%s by the client, the 3E check reproduces %d, the 2E '
                    'check %d, the fixed check %d' % (len(recs_s), '' if len(recs_s) == 1 else 's',
                                                      len(rep3), len(rep2), len(repf)))
        out += '.'
    gave = {rule: sum(1 for r in sure if r.replay.get(rule) and r.replay[rule].gave_up)
            for rule in model.RULES}
    if any(r.replay for r in sure):
        out += (' Replayed through the schedule model, the server would have been given up on '
                '%s.' % ', '.join('%d time%s by the %s' % (gave[k], '' if gave[k] == 1 else 's',
                                                          RULE_NAMES[k]) for k in model.RULES))
    nf = sum(len(r.findings) for r in sure)
    if nf:
        out += (' %d finding%s where a replay and the capture disagree (connection%s %s, below).'
                % (nf, '' if nf == 1 else 's',
                   '' if len([r for r in sure if r.findings]) == 1 else 's',
                   ', '.join(str(r.conn.stream) for r in sure if r.findings)))
    return out


def _reproduces(r, rule):
    return rule in analyse.reproduced_by(r)


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
        cs = _open(r)
        if cs:
            e_col = ' or '.join('%g' % c.seconds for c in cs) + ' s?'
            skipped = '/'.join(str(sum(len(sk.slots) for sk in c.report.skips)) for c in cs)
            cad, drift, total = None, None, None
        else:
            e_col = ('%g s' % e + ('' if given_e else '*')) if e else '?'
            skipped = str(sum(len(sk.slots) for sk in r.skips))
            drift, total = r.drift_per_echo, r.drift_total
        rows.append((str(r.conn.stream), r.conn.label(), e_col,
                     str(len(r.echoes)), cad or '-', _ms(drift), _ms(total), skipped,
                     '%s/%s' % (fmt_d(rt[0]), fmt_d(rt[1])) if rt else '-',
                     fmt_d(r.longest_silence[0]) if r.longest_silence else '-',
                     _end_of(r)))
    widths = [max(len(x[i]) for x in [head] + rows) for i in range(len(head))]
    for row in [head] + rows:
        lines.append('  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if not given_e:
        lines.append('* E inferred from the cadence (no --echo-interval)')
    if any(_open(r) for r in reports):
        lines.append('? E not decided: the cadence fits each interval, and the verdict depends on '
                     'which (skipped: per interval); pass --echo-interval')
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
    if _open(r):
        out += wrap('not decided: the cadence fits %s, and the verdict depends on which (see '
                    'the VERDICT); the lines below are for E = %g s'
                    % (' and '.join('E = %g s (%s)' % (c.seconds, c.why) for c in r.candidates), e),
                    78, '  ', '    ')
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
    if _open(r):
        for c in r.candidates:
            out += wrap('if E = %g s:' % c.seconds, 78, '  ')
            out += _replays(c.report, clock, '    ')
    else:
        out += _replays(r, clock, '  ')
    for f in r.findings:
        out += wrap('FINDING: ' + f, 78, '  ', '    ')
    for u in r.unreadable:
        out += wrap('cannot be read: ' + u, 78, '  ', '    ')
    for n in r.notes:
        out += wrap('note: ' + n, 78, '  ', '    ')
    return out


def _replays(r, clock, ind):
    """The capture through the stock check, then the schedule model."""
    out = []
    rc = r.reconnect
    if r.check:
        out += wrap('the capture through the stock client\'s check (its own server replies, '
                    'judged before every socket read and at each 7 s wake-up of the socket '
                    'wait, %s):' % ('to the reconnect' if rc else 'to the end of the connection'),
                    78, ind)
        for rule, name in (('stock-3E', '3E (Debian 12\'s 6.1 and later)'),
                           ('stock-2E', '2E (kernels before 2019)'),
                           (model.RULE_FIXED, 'fixed (signs of life: PDUs, bytes, the window '
                                              'edge; looks every E / 8)')):
            if rule not in r.check:
                continue
            ck = r.check[rule]
            if ck.gave_up:
                txt = 'gives the server up at %s (%s)' % (clock(ck.at), analyse._cause(ck))
                if rc and rc.verdict.kind != 'server-closed':
                    lag = rc.at - ck.at
                    late = analyse.reproduced_late(r)
                    txt += ('; the reconnect %s later: reproduced' % fmt_d(lag)
                            if rule in analyse.reproduced_by(r) else
                            '; the reconnect %s later: reproduced if the client\'s packets reach '
                            'this capture point that late (%s)' % (fmt_d(lag), analyse.late_hint(r))
                            if late and late[0] == rule else
                            '; the reconnect %s %s' % (fmt_d(abs(lag)),
                                                       'later' if lag > 0 else 'earlier'))
            else:
                txt = 'does not give the server up (longest silence %s)' % fmt_d(
                    ck.longest_silence)
            out += wrap('%s %s' % (name + ':', txt), 78, ind + '  ', ind + '    ')
    if r.replay:
        until = ('to the reconnect and %g s on' % analyse.REPLAY_AFTER_S if rc
                 else 'to the end of the connection')
        out += wrap('what each schedule would have done (the schedule model\'s own echoes, '
                    'with the server\'s other replies of this connection, from its first echo %s; '
                    'round trips as seen here):' % until, 78, ind)
        for rule in model.RULES:
            res = r.replay[rule]
            if res.gave_up:
                txt = 'would have given the server up at %s (%s)' % (
                    clock(res.at), analyse._cause(res))
            else:
                txt = 'would not have given the server up (longest silence %s)' % fmt_d(
                    res.longest_silence)
            out += wrap('%-16s %s' % (RULE_NAMES[rule] + ':', txt), 78, ind + '  ',
                        ind + '    ')
    for f in r.findings if ind != '  ' else []:
        out += wrap('FINDING: ' + f, 78, ind, ind + '  ')
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


def _replay_json(res):
    return {'gave_up': res.gave_up, 'at': res.at, 'silence': res.silence,
            'cause': res.cause, 'longest_silence': res.longest_silence,
            'echoes': len(res.echoes), 'skipped': len(res.skipped)}


def _check_json(r):
    rc = r.reconnect
    out = {}
    for k, v in r.check.items():
        d = {'gave_up': v.gave_up, 'at': v.at, 'silence': v.silence, 'cause': v.cause,
             'longest_silence': v.longest_silence}
        if rc:
            d['reproduces_reconnect'] = k in analyse.reproduced_by(r)
            late = analyse.reproduced_late(r)
            d['reproduces_reconnect_if_late'] = (late[1] if late and late[0] == k else None)
        out[k] = d
    return out


def json_report(cap, reports, given_e, kind):
    def conn_json(r):
        c = r.conn
        rc = r.reconnect
        open_ = _open(r)
        e = None if open_ else r.interval.seconds
        return {
            'stream': c.stream, 'client': '%s:%s' % c.client, 'server': '%s:%s' % c.server,
            'client_guid': c.client_guid, 'first': c.first, 'last': c.last,
            # null where E is inferred and the verdict depends on which of
            # the candidates it is (echo_interval_candidates)
            'echo_interval': e,
            'echo_interval_source': r.interval.source,
            'echo_interval_decided': not open_,
            'echo_interval_candidates': [{
                'echo_interval': x.seconds, 'every': x.every, 'schedule': x.schedule or None,
                'hz': x.hz, 'why': x.why,
                'skipped': sum(len(sk.slots) for sk in x.report.skips),
                'verdict': x.report.reconnect.verdict.kind if x.report.reconnect else None,
                'verdict_text': x.report.reconnect.verdict.text if x.report.reconnect else None,
                'check': _check_json(x.report),
                'replay': {k: _replay_json(v) for k, v in x.report.replay.items()},
                'findings': x.report.findings,
            } for x in r.candidates],
            'schedule': None if open_ else (r.interval.schedule or None),
            'hz': None if open_ else r.interval.hz,
            'echoes': [{'t': x.t, 'mid': x.mid, 'reply': x.reply} for x in r.echoes],
            'drift_per_echo': None if open_ else r.drift_per_echo,
            'drift_total': None if open_ else r.drift_total,
            'skipped': None if open_ else sum(len(sk.slots) for sk in r.skips),
            'skips': [] if open_ else [
                {'after': sk.after, 'before': sk.before, 'slots': sk.slots, 'first': sk.first,
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
                'over_2E': None if open_ else bool(e and rc.silence > 2 * e),
                'over_3E': None if open_ else bool(e and rc.silence > 3 * e),
                'verdict': rc.verdict.kind, 'verdict_text': rc.verdict.text,
                'verdicts_by_interval': {('%g' % x.seconds): (
                    x.report.reconnect.verdict.kind if x.report.reconnect else None)
                    for x in open_},
                'details': rc.verdict.details}),
            'check': {} if open_ else _check_json(r),
            'replay': {} if open_ else {k: _replay_json(v) for k, v in r.replay.items()},
            'findings': [] if open_ else r.findings,
            'unreadable': r.unreadable, 'notes': r.notes,
        }
    return {'input': cap.path, 'kind': kind, 'packets': cap.packets, 'first': cap.first,
            'last': cap.last, 'summary': summary(cap, reports, given_e),
            'connections': [conn_json(r) for r in reports]}
