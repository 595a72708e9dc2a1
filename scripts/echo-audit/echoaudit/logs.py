# SPDX-License-Identifier: GPL-2.0
"""Read the SMB client's kernel log and the echo scheduler's trace events.

Formats: dmesg (raw, -T), journalctl -k (short, short-precise, short-iso,
short-iso-precise, short-monotonic), /var/log/kern.log (syslog), tracefs
trace_pipe / trace output, and the test host's console lines ("BENCH:" /
"AUDIT:" dmesg and trace lines, optionally stamped with the host's time).

What a kernel log can tell:
- the unresponsive-server give-ups ("has not responded in N seconds"),
  with or without cifsFYI;
- with cifsFYI (and dynamic debug on for the client): each echo the
  client sent ("In echo request"), a failed send ("Echo request failed:
  -11": no echo credit), each PDU received ("RFC1002 header", without a
  server name, and rate-limited: "callbacks suppressed");
- the fixed module's trace events: cifs:smb3_echo_sent / _late / _skipped
  / _unresponsive, parsed by event name and key=value fields (an extra or
  a missing field is fine).
"""

import calendar
import re
import time
from dataclasses import dataclass, field

from .errors import BadInput

MONTHS = {m: i for i, m in enumerate(('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul',
                                      'Aug', 'Sep', 'Oct', 'Nov', 'Dec'), 1)}

# the test host's console: "<host epoch> BENCH: dmesg [ 8.4] ..." etc.
CONSOLE = re.compile(r'^(?:(?P<host>\d{9,}\.\d+) )?(?:BENCH|AUDIT): (?P<what>dmesg|trace) (?P<rest>.*)$')
TRACE = re.compile(r'^\s*(?P<task>\S.*?)-(?P<pid>\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(?P<cpu>\d+)\]\s+'
                   r'(?:(?P<flags>\S{4,6})\s+)?(?P<ts>\d+\.\d+):\s+(?P<event>\w+):\s*(?P<rest>.*)$')
DMESG = re.compile(r'^(?:<\d+>)?\[\s*(?P<ts>\d+\.\d+)\]\s?(?P<msg>.*)$')
DMESG_T = re.compile(r'^\[(?:\w{3}) (?P<mon>\w{3})\s+(?P<day>\d+) (?P<hms>\d\d:\d\d:\d\d) '
                     r'(?P<year>\d{4})\]\s?(?P<msg>.*)$')
SYSLOG = re.compile(r'^(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d+) (?P<hms>\d\d:\d\d:\d\d)(?P<frac>\.\d+)? '
                    r'(?:(?P<host>\S+) )?kernel: (?P<msg>.*)$')
ISO = re.compile(r'^(?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?P<frac>\.\d+)?(?P<tz>Z|[+-]\d\d:?\d\d)? '
                 r'(?:(?P<host>\S+) )?kernel: (?P<msg>.*)$')
MONO = re.compile(r'^\[\s*(?P<ts>\d+\.\d+)\] (?:(?P<host>\S+) )?kernel: (?P<msg>.*)$')
PRINTK = re.compile(r'^\[\s*(?P<ts>\d+\.\d+)\]\s?(?P<msg>.*)$')

GAVE_UP = re.compile(r'(?:Server (?P<old>\S+)|\\\\(?P<new>\S+)) has not responded in (?P<n>\d+) seconds')
ECHO_FYI = re.compile(r'In echo request(?: for conn_id (?P<cid>\d+))?')
ECHO_SEND = re.compile(r'(?:\\\\(?P<host>\S+) )?send echo request: rc = (?P<rc>-?\d+)')
ECHO_FAIL = re.compile(r'(?:Echo request failed|Unable to send echo request to server): (?P<rc>-?\d+)')
RX = re.compile(r'RFC1002 header 0x[0-9a-fA-F]+')
SUPPRESSED = re.compile(r'(?P<fn>\w+): (?P<n>\d+) callbacks suppressed')
CONNECTING = re.compile(r'generic_ip_connect: connecting to (?P<addr>\S+)|Reconnecting tcp session')
KV = re.compile(r'(\w+)=(\S+)')


@dataclass
class Event:
    t: float                    # seconds, the log's own clock
    kind: str
    line: int
    server: str = None
    conn_id: str = None
    data: dict = field(default_factory=dict)


@dataclass
class Log:
    path: str
    formats: set = field(default_factory=set)
    clock: str = ''             # 'monotonic' | 'wall'
    year_assumed: bool = False
    events: list = field(default_factory=list)
    lines: int = 0
    recognised: int = 0


def _wall(mon, day, hms, year, frac=''):
    tm = time.strptime('%s %s %s %s' % (year, MONTHS[mon], day, hms), '%Y %m %d %H:%M:%S')
    return time.mktime(tm) + (float(frac) if frac else 0.0)


def split_line(line, log):
    """(t, message, is_trace, trace_event, trace_rest) or None."""
    line = line.rstrip('\n')
    m = CONSOLE.match(line)
    if m:
        log.formats.add('test host console')
        line = m.group('rest')
        if m.group('what') == 'trace':
            t = TRACE.match(line)
            return (float(t.group('ts')), '', True, t.group('event'), t.group('rest')) if t else None
    m = TRACE.match(line)
    if m and m.group('event').startswith(('smb3_', 'cifs_')):
        log.formats.add('trace events')
        return float(m.group('ts')), '', True, m.group('event'), m.group('rest')
    m = MONO.match(line)
    if m:
        log.formats.add('journalctl -o short-monotonic')
        return float(m.group('ts')), m.group('msg'), False, None, None
    m = DMESG.match(line)
    if m:
        log.formats.add('dmesg')
        return float(m.group('ts')), m.group('msg'), False, None, None
    m = DMESG_T.match(line)
    if m and m.group('mon') in MONTHS:
        log.formats.add('dmesg -T')
        return _wall(m.group('mon'), m.group('day'), m.group('hms'), m.group('year')), \
            m.group('msg'), False, None, None
    m = SYSLOG.match(line)
    if m and m.group('mon') in MONTHS:
        log.formats.add('journalctl -k / syslog')
        log.year_assumed = True
        t = _wall(m.group('mon'), m.group('day'), m.group('hms'), time.localtime().tm_year,
                  m.group('frac'))
        return t, m.group('msg'), False, None, None
    m = ISO.match(line)
    if m:
        log.formats.add('journalctl -o short-iso')
        t = calendar.timegm(time.strptime(m.group('iso'), '%Y-%m-%dT%H:%M:%S'))
        tz = m.group('tz')
        if tz and tz != 'Z':
            sign = 1 if tz[0] == '+' else -1
            hh, mm = int(tz[1:3]), int(tz[-2:])
            t -= sign * (hh * 3600 + mm * 60)
        elif not tz:
            t = time.mktime(time.strptime(m.group('iso'), '%Y-%m-%dT%H:%M:%S'))
        t += float(m.group('frac') or 0)
        return t, m.group('msg'), False, None, None
    return None


def read_log(path, text):
    log = Log(path=path)
    mono_inside = True
    parsed = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        log.lines += 1
        s = split_line(line, log)
        if s is None:
            continue
        log.recognised += 1
        t, msg, is_trace, ev, rest = s
        if not is_trace:
            p = PRINTK.match(msg)
            if p:       # a printk time inside a syslog line: more exact
                t, msg = float(p.group('ts')), p.group('msg')
            elif log.formats & {'journalctl -k / syslog', 'dmesg -T', 'journalctl -o short-iso'}:
                mono_inside = False
        parsed.append((n, t, msg, is_trace, ev, rest))
    if not log.recognised:
        raise BadInput('%s is neither a pcap/pcapng capture nor a kernel log in a format this '
                       'tool reads (dmesg, dmesg -T, journalctl -k, /var/log/kern.log, '
                       'trace_pipe): give it the output of one of those, or a tcpdump capture'
                       % path)
    log.clock = 'monotonic' if mono_inside and not (
        log.formats & {'dmesg -T'}) else 'wall'
    seen = set()
    for n, t, msg, is_trace, ev, rest in parsed:
        # the same line twice (a console that shows the log twice)
        key = (t, msg, ev, rest)
        if key in seen:
            continue
        seen.add(key)
        e = _event(n, t, msg, is_trace, ev, rest)
        if e:
            log.events.append(e)
    if not any(e.kind not in ('mark',) for e in log.events):
        raise BadInput('%s: %d kernel log lines, none of them from the SMB client (CIFS): no '
                       'echo, no reconnect. Give the log of the client host around the '
                       'reconnect (journalctl -k --since ..., or dmesg)' % (path, log.recognised))
    log.events.sort(key=lambda e: e.t)
    return log


def _event(n, t, msg, is_trace, ev, rest):
    if is_trace:
        if not ev.startswith('smb3_echo_'):
            return None
        kv = dict(KV.findall(rest))
        server = kv.get('server') or kv.get('hostname') or kv.get('addr')
        kind = 'trace_' + ev[len('smb3_echo_'):]
        return Event(t=t, kind=kind, line=n, server=server, conn_id=kv.get('conn_id'), data=kv)
    m = GAVE_UP.search(msg)
    if m:
        return Event(t=t, kind='gave_up', line=n, server=m.group('old') or m.group('new'),
                     data={'seconds': int(m.group('n')), 'text': msg})
    m = ECHO_FYI.search(msg)
    if m:
        cid = m.group('cid')
        return Event(t=t, kind='echo_fyi', line=n, conn_id=('0x%x' % int(cid)) if cid else None)
    m = ECHO_SEND.search(msg)
    if m:
        return Event(t=t, kind='echo_send_rc', line=n, server=m.group('host'),
                     data={'rc': int(m.group('rc'))})
    m = ECHO_FAIL.search(msg)
    if m:
        return Event(t=t, kind='echo_failed', line=n, data={'rc': int(m.group('rc'))})
    if RX.search(msg):
        return Event(t=t, kind='rx', line=n)
    m = SUPPRESSED.search(msg)
    if m and m.group('fn') in ('cifs_demultiplex_thread', 'smb2_calc_size', '__smb_send_rqst',
                               'cifs_readv_from_socket'):
        return Event(t=t, kind='suppressed', line=n, data={'fn': m.group('fn'), 'n': int(m.group('n'))})
    m = CONNECTING.search(msg)
    if m:
        return Event(t=t, kind='connecting', line=n, data={'addr': m.group('addr')})
    if re.search(r'\b(?:bench|audit): ', msg):
        return Event(t=t, kind='mark', line=n, data={'text': msg})
    return None


# ---------------------------------------------------------------- analysis

@dataclass
class LogConn:
    key: str
    server: str = None
    conn_ids: set = field(default_factory=set)
    sends: list = field(default_factory=list)       # echo on the wire (s)
    failed: list = field(default_factory=list)      # echo attempts that failed (s, rc)
    source: str = ''
    skipped_events: list = field(default_factory=list)  # trace: (t, reason)
    late: list = field(default_factory=list)        # trace: (t, late_ms)
    interval_ms: int = None
    gave_up: list = field(default_factory=list)     # (event, trace_unresponsive or None)


def echo_attempts(events):
    """Echo sends from the FYI lines: each "In echo request", minus those a
    "Echo request failed" line follows (the same run)."""
    out, failed = [], []
    for i, e in enumerate(events):
        if e.kind != 'echo_fyi':
            continue
        nxt = next((x for x in events[i + 1:i + 4] if x.kind in ('echo_failed', 'echo_fyi')), None)
        if nxt is not None and nxt.kind == 'echo_failed' and nxt.t - e.t < 0.5:
            failed.append((e.t, nxt.data['rc']))
        else:
            out.append(e)
    return out, failed


def group(log):
    """Connections of the log: by conn_id where the log names it, else by
    server name."""
    conns = {}
    host_of = {}
    for e in log.events:
        if e.conn_id and e.server:
            host_of[e.conn_id] = e.server

    def get(cid, server):
        key = cid or server or '?'
        c = conns.get(key)
        if c is None:
            c = conns[key] = LogConn(key=key)
        if cid:
            c.conn_ids.add(cid)
        if server:
            c.server = server
        elif cid and cid in host_of:
            c.server = host_of[cid]
        return c
    trace_sent = [e for e in log.events if e.kind == 'trace_sent']
    if trace_sent:
        for e in trace_sent:
            c = get(e.conn_id, e.server)
            rc = int(e.data.get('rc', 0))
            if rc == 0:
                c.sends.append(e.t)
            else:
                c.failed.append((e.t, rc))
            c.source = 'trace events (cifs:smb3_echo_sent)'
    else:
        fyi, failed = echo_attempts(log.events)
        for e in fyi:
            c = get(e.conn_id, None)
            c.sends.append(e.t)
            c.source = 'cifsFYI "In echo request" lines'
        if fyi:
            for t, rc in failed:
                near = min(conns.values(), key=lambda c: min([abs(t - x) for x in c.sends] or [1e9]))
                near.failed.append((t, rc))
        else:
            for e in log.events:
                if e.kind == 'echo_send_rc':
                    c = get(None, e.server)
                    (c.sends if e.data['rc'] == 0 else c.failed).append(
                        e.t if e.data['rc'] == 0 else (e.t, e.data['rc']))
                    c.source = 'cifsFYI "send echo request" lines'
    for e in log.events:
        if e.kind == 'trace_skipped':
            get(e.conn_id, e.server).skipped_events.append((e.t, e.data.get('reason', '?')))
        elif e.kind == 'trace_late':
            c = get(e.conn_id, e.server)
            c.late.append((e.t, int(e.data.get('late_ms', 0))))
            if e.data.get('interval_ms'):
                c.interval_ms = int(e.data['interval_ms'])
    unresp = [e for e in log.events if e.kind == 'trace_unresponsive']
    for e in log.events:
        if e.kind != 'gave_up':
            continue
        tr = min(unresp, key=lambda x: abs(x.t - e.t), default=None)
        if tr is not None and abs(tr.t - e.t) > 0.5:
            tr = None
        cands = [c for c in conns.values() if (tr and tr.conn_id in c.conn_ids)]
        if not cands:
            cands = [c for c in conns.values() if c.server == e.server]
        c = cands[0] if len(cands) == 1 else get(None, e.server)
        c.gave_up.append((e, tr))
    for c in conns.values():
        c.sends.sort()
    return [c for c in conns.values() if c.sends or c.gave_up or c.failed]


@dataclass
class GiveUp:
    t: float
    seconds: int                # the limit the message names
    server: str
    limit_text: str = ''
    silence: float = None
    silence_from: float = None
    source: str = ''
    verdict: str = ''
    kind: str = ''              # echo-bug | outage | unknown
    details: list = field(default_factory=list)


@dataclass
class LogReport:
    conn: LogConn
    interval: object            # analyse.Interval
    skips: list = field(default_factory=list)      # (after, before, missing)
    drift_per_echo: float = None
    drift_total: float = None
    gave_up: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def analyse_log(log, given_e=None):
    from . import analyse   # the cadence and interval rules of the captures
    conns = group(log)
    rx = [e.t for e in log.events if e.kind == 'rx']
    suppressed = [e for e in log.events if e.kind == 'suppressed']
    ivs = {}
    for c in conns:
        ivs[c.key] = analyse.infer_interval(c.sends, given_e)

    last_t = max((e.t for e in log.events), default=0)

    def active(c, t):
        """Whether @c was echoing around @t: in the ten intervals before it,
        and after it too unless the log ends first (a connection that gave
        up reconnects under the same conn_id and goes on echoing; one that
        was unmounted stops)."""
        e = ivs[c.key].seconds or 60
        before = any(t - 10 * e <= x <= t for x in c.sends)
        after = any(t < x <= t + 10 * e + 30 for x in c.sends) or last_t < t + 2 * e
        return before and after
    # a give-up line names the server, not the connection: it is the one
    # connection to that server that was echoing then, if only one was
    for h in [c for c in conns if not c.sends and c.gave_up]:
        keep = []
        for ev, tr in h.gave_up:
            cands = [c for c in conns if c.sends and c.server in (None, ev.server) and active(c, ev.t)]
            if len(cands) == 1:
                cands[0].gave_up.append((ev, tr))
                cands[0].server = cands[0].server or ev.server
            else:
                keep.append((ev, tr))
        h.gave_up = keep
    conns = [c for c in conns if c.sends or c.gave_up or c.failed]
    out = []
    for c in conns:
        iv = ivs[c.key]
        if not given_e and c.interval_ms:
            iv.seconds = c.interval_ms / 1000.0
            iv.source = 'from the trace events (interval_ms=%d)' % c.interval_ms
            cad_n = analyse.regular_cadence_n(c.sends)
            iv.schedule, iv.hz = analyse._schedule_of(cad_n[0], iv.seconds, cad_n[2])
        if not given_e and not c.interval_ms and c.gave_up and iv.seconds:
            iv = ivs[c.key] = _interval_from_give_up(c, iv)
        rep = LogReport(conn=c, interval=iv)
        e = iv.seconds
        cad, slots = analyse.regular_cadence(c.sends)
        if e and len(c.sends) >= 2:
            run = analyse.longest_run(c.sends, slots, cad)
            singles = [b - a for (a, b), k in zip(zip(c.sends, c.sends[1:]), slots) if k == 1]
            per = run if run else (sorted(singles)[len(singles) // 2] if singles else None)
            if per is not None and abs(per - e) < 0.15 * e:
                rep.drift_per_echo = per - e
            rep.drift_total = c.sends[-1] - (c.sends[0] + sum(slots) * e)
            for a, b in zip(c.sends, c.sends[1:]):
                if b - a >= analyse.SKIP_GAP * e:
                    rep.skips.append((a, b, max(1, int(round((b - a) / cad)) - 1)))
        if c.failed:
            rep.notes.append('%d echo attempt(s) failed (%s): rc -11 is -EAGAIN, no echo credit '
                             '(the previous echo still unanswered)' % (
                                 len(c.failed), ', '.join(sorted({str(rc) for _, rc in c.failed}))))
        for ev, tr in sorted(c.gave_up, key=lambda x: x[0].t):
            # the receive lines name no connection: usable while this was
            # the only one echoing
            alone = not [d for d in conns if d is not c and active(d, ev.t)]
            rep.gave_up.append(_judge_give_up(ev, tr, c, e, rx if alone else [], suppressed,
                                              bool(rx) and not alone))
        out.append(rep)
    return out


def _interval_from_give_up(c, iv):
    """An E inferred from the cadence, weighed against the give-up lines:
    "has not responded in N seconds" names the limit, 3E (2E before 2019),
    so E is N / 3 or N / 2. The cadence fits E, or E / 2 with every second
    echo skipped (analyse.interval_candidates); the one that both fit is
    taken, and said so; where none fits both, the report says that too."""
    from . import analyse
    ns = sorted({ev.data['seconds'] for ev, _ in c.gave_up})
    by_msg = {float(n) / k for n in ns for k in (3, 2) if n % k == 0}
    cands = analyse.interval_candidates(c.sends, iv) or [
        analyse.Candidate(iv.seconds, 1, iv.schedule, iv.hz, 'the cadence')]
    both = [x for x in cands if x.seconds in by_msg]
    msg = ', '.join('"has not responded in %d seconds"' % n for n in ns)
    if len(both) == 1:
        x = both[0]
        if x.seconds == iv.seconds and len(cands) == 1:
            iv.source += '; %s agrees (%d s = %s E)' % (msg, ns[0], '%g' % (ns[0] / x.seconds))
            return iv
        out = analyse.Interval(seconds=x.seconds, schedule=x.schedule, hz=x.hz)
        out.source = ('inferred: the cadence fits %s, and only E = %g s fits the give-up\'s %s '
                      '(3E, or 2E before 2019): %s; pass --echo-interval to be sure'
                      % (' or '.join('E = %g s' % y.seconds for y in cands), x.seconds, msg, x.why))
        return out
    iv.warning = ('%s does not fit the inferred E = %g s as 2E or 3E%s: E is not decided, pass '
                  '--echo-interval' % (msg, iv.seconds,
                                       ' (nor %s)' % ' or '.join('%g s' % y.seconds for y in cands
                                                                 if y.seconds != iv.seconds)
                                       if len(cands) > 1 else ''))
    iv.source += '; ' + iv.warning if 'E is not decided' not in iv.source else ''
    return iv


def _judge_give_up(ev, tr, c, e, rx, suppressed, rx_ambiguous):
    g = GiveUp(t=ev.t, seconds=ev.data['seconds'], server=ev.server)
    n = g.seconds
    if e:
        k = n / e
        g.limit_text = '%d s = %s E' % (n, ('%g' % k) if abs(k - round(k)) > 1e-6 else '%d' % round(k))
    else:
        g.limit_text = ('%d s: 2E with E = %g s (kernels with the 2E limit), or 3E with E = %g s'
                        % (n, n / 2, n / 3))
        if n in (120, 180):
            g.limit_text += '; E = 60 s, the default, gives %s' % ('2E' if n == 120 else '3E')
    triggered = False     # a PDU's arrival made the client look
    if tr is not None and tr.data.get('last_reply_ms'):
        g.silence = int(tr.data['last_reply_ms']) / 1000.0
        g.silence_from = ev.t - g.silence
        g.source = 'the trace event cifs:smb3_echo_unresponsive (last_reply_ms)'
    elif rx:
        before = [t for t in rx if t <= ev.t]
        if before:
            last = before[-1]
            g.source = 'cifsFYI receive lines'
            if ev.t - last < 1.0 and len(before) >= 2:
                # judged as that PDU came in: the silence is the one before
                g.silence, g.silence_from = last - before[-2], before[-2]
                triggered = True
                g.details.append('a PDU arrived %s before the give-up (RFC1002 header line): the '
                                 'client judged the silence before it as the PDU came in'
                                 % _fmt(ev.t - last))
            else:
                g.silence, g.silence_from = ev.t - last, last
            sup = [x for x in suppressed if g.silence_from <= x.t <= ev.t]
            if sup:
                g.details.append('the receive lines were rate-limited in that time ("%d callbacks '
                                 'suppressed"): the silence may be shorter' % sup[0].data['n'])
    if g.silence is None:
        g.kind = 'unknown'
        g.verdict = ('the log alone cannot tell an outage from the echo bug: it has no receive '
                     'times%s. Turn cifsFYI on (echo 1 > /proc/fs/cifs/cifsFYI; echo "module cifs '
                     '+p" > /sys/kernel/debug/dynamic_debug/control), or capture the traffic '
                     '(tcpdump -i any -w smb.pcap port 445) and give the capture to this tool'
                     % (' (the receive lines name no server, and this log has several '
                        'connections)' if rx_ambiguous else ''))
        return g
    end = g.silence_from + g.silence
    # echoes sent in the silence, long enough before its end to be answered
    unanswered = [t for t in c.sends if g.silence_from < t < end - 1.0]
    failed = [t for t, _ in c.failed if g.silence_from < t < ev.t]
    slots = []
    if e:
        prev = [t for t in c.sends if t <= g.silence_from]
        t = (prev[-1] if prev else g.silence_from) + e
        while t < end - 0.5 and len(slots) < 100:
            if t > g.silence_from and not any(abs(x - t) < e / 4 for x in c.sends):
                slots.append(t)
            t += e
    if failed:
        g.details.append('%d echo attempt(s) in the silence failed with -EAGAIN: no echo credit, '
                         'an earlier echo was still unanswered' % len(failed))
    if triggered and unanswered:
        # the PDU that made the client look answers its oldest request
        unanswered = unanswered[1:]
    if unanswered:
        g.kind = 'outage'
        g.verdict = ('server silent for %s: a real outage (the client sent %d echo(es) in the '
                     'silence, the first %s before it, and nothing came back)'
                     % (_fmt(g.silence), len(unanswered), _fmt(end - unanswered[0])))
    elif triggered:
        g.kind = 'echo-bug'
        g.verdict = ('server answered %s before; %s made the silence %s: the echo bug (fixed by '
                     'this project)' % (_fmt(ev.t - end),
                                        ('%d skipped echo(es)' % len(slots)) if slots else
                                        'no echo in it', _fmt(g.silence)))
    elif failed:
        g.kind = 'outage'
        g.verdict = ('server silent for %s: a real outage (an echo went unanswered and the '
                     'client could send no other)' % _fmt(g.silence))
    else:
        g.kind = 'unknown'
        g.verdict = ('server silent for %s, and the client sent no echo in %d slot(s) of it: '
                     'from the log alone the echo bug and an outage look alike here'
                     % (_fmt(g.silence), len(slots)))
    return g


def _fmt(s):
    from .analyse import fmt_d
    return fmt_d(s)


def console_event(line, log):
    """One line of the test host's console ("BENCH: dmesg ..." or
    "BENCH: trace ..."), as an Event in the guest's clock, or None."""
    s = split_line(line, log)
    if s is None:
        return None
    t, msg, is_trace, ev, rest = s
    return _event(0, t, msg, is_trace, ev, rest)
