# SPDX-License-Identifier: GPL-2.0
"""Judge each SMB connection of a capture: echo cadence, skips, silences,
reconnects and their verdicts, and what each schedule would have done.

Everything is measured at the capture point. A capture taken on the client
sees what the client sees; one taken further away (on the server, or behind
a proxy such as QEMU's user network) sees the client's packets later and
the server's earlier, by a round trip it cannot measure: where that changes
a conclusion, the report says so instead of guessing.
"""

import statistics
from dataclasses import dataclass, field

from . import model
from .capture import SMB2_ECHO, SMB2_LOGOFF, SMB2_NEGOTIATE, SMB2_TREE_DISCONNECT

# A gap between two echoes of at least this many intervals has a skip in it.
SKIP_GAP = 1.5
# A new connection this long after the old one's close can still be its
# reconnect (the client retries the connect every 3 s, the server may be
# down for a while).
RECONNECT_WINDOW_S = 120.0
# Without NEGOTIATE's ClientGuid to tell, a connection is another mount's if
# it starts more than this long before the old one's last request.
RECONNECT_BUSY_S = 10.0
# A LOGOFF or TREE_DISCONNECT this long before the client's close: unmount.
CLEAN_CLOSE_S = 5.0
# How far back of a reconnect its silence is looked for, beyond 3 E and the
# stock client's 7 s socket wait.
LOOKBACK_EXTRA_S = model.RECV_TIMEOUT_S

# The replay runs this long past a reconnect.
REPLAY_AFTER_S = model.RECV_TIMEOUT_S + 1.0

# the hypotheses the cadence is tested against, in order of preference
HZ_CANDIDATES = (250, 100, 300, 1000)
FIXED_TOLERANCE = 0.003     # cadence within 0.3 % of a whole second
STOCK_TOLERANCE = 0.002
STOCK_LATENCY = 0.05        # the daisy chain's period: the wheel's plus latency


@dataclass
class Interval:
    seconds: float = None
    source: str = ''            # how E was found
    alternatives: list = field(default_factory=list)
    schedule: str = ''          # 'fixed-rate' | 'daisy chain' | ''
    hz: int = None              # the timer wheel's HZ that fits the cadence
    warning: str = ''


@dataclass
class Echo:
    t: float
    mid: int
    reply: float = None

    @property
    def rtt(self):
        return None if self.reply is None else self.reply - self.t


@dataclass
class Skip:
    after: float                # the echo before the gap
    before: float               # the echo after it (None: none)
    slots: list                 # when the missing echoes were due
    first: float = None         # the first slot the gap passed
    cause: str = ''             # 'hard-coded second' | 'no credit' | 'unexplained'
    last_pdu: float = None      # the server's last PDU before the first slot
    last_what: str = ''
    text: str = ''


@dataclass
class Verdict:
    kind: str                   # echo-bug | outage | server-closed | short | unmount
    text: str
    details: list = field(default_factory=list)


@dataclass
class Reconnect:
    at: float                   # the first sign of it at the capture point
    how: str
    successor: object = None    # the new Connection, if in the capture
    refused: int = 0            # connection attempts refused in between
    silence: float = None
    silence_from: float = None
    silence_to: float = None
    silence_at_least: bool = False
    answered_before: float = None   # R - the server's last PDU before R
    verdict: Verdict = None


@dataclass
class ConnReport:
    conn: object
    interval: Interval
    echoes: list = field(default_factory=list)
    lateness: list = field(default_factory=list)    # (t, s late on the grid)
    drift_per_echo: float = None
    drift_total: float = None
    skips: list = field(default_factory=list)
    longest_silence: tuple = None   # (seconds, from, to, open)
    encrypted: int = 0
    plain: int = 0
    unreadable: list = field(default_factory=list)
    close: tuple = None             # (t, who, what)
    clean_close: bool = False
    reconnect: Reconnect = None
    replay: dict = field(default_factory=dict)
    check: dict = field(default_factory=dict)      # rule -> the capture through the stock check
    findings: list = field(default_factory=list)   # where a replay and the capture disagree
    candidates: list = field(default_factory=list)  # Candidate, where E is inferred and open
    notes: list = field(default_factory=list)


@dataclass
class Candidate:
    """One echo interval the cadence of an inferred E fits."""
    seconds: float
    every: int                  # 1: an echo every run; 2: every second run's skipped
    schedule: str               # 'daisy chain' | 'fixed-rate' | ''
    hz: int = None
    why: str = ''               # how it fits the cadence, in words
    report: object = None       # the ConnReport with this E


# ------------------------------------------------------------ the interval

def regular_cadence(times):
    c, slots, _ = regular_cadence_n(times)
    return c, slots


def regular_cadence_n(times):
    """(cadence, slots, n): the echo period of @times and the slot count of
    each gap (1 normally, 2 for one skipped echo, ...).

    The period is the median of the gaps of one slot; where the echoes
    keep to one grid, the mean over all of them is more exact (single gaps
    of a fixed-rate schedule jitter by a timer granule, up to 2 s at E = 60
    s) and is taken instead."""
    gaps = [b - a for a, b in zip(times, times[1:])]
    if not gaps or min(gaps) <= 0:
        return None, [], 0
    low = sorted(gaps)[max(0, len(gaps) // 4 - 1)]
    c = statistics.median([g for g in gaps if 0.75 * low <= g <= 1.25 * low])
    slots = [max(1, int(round(g / c))) for g in gaps]
    mean = (times[-1] - times[0]) / sum(slots)
    if abs(mean - c) <= 0.01 * c and all(abs(g / c - k) < 0.25 for g, k in zip(gaps, slots)):
        return mean, slots, sum(slots)
    run = longest_run(times, slots, c, with_n=True)
    return (run[0], slots, run[1]) if run else (c, slots, 1)


def longest_run(times, slots, c, with_n=False):
    """The mean period over the longest run of one-slot gaps that keep
    within 25 % of @c (three gaps at least), or None: end to end, so that a
    fixed-rate grid's granule jitter cancels out and a daisy chain's drift
    adds up."""
    best, start = (0, None), 0
    for i in range(len(slots) + 1):
        ok = i < len(slots) and slots[i] == 1 and abs(times[i + 1] - times[i] - c) <= 0.25 * c
        if not ok:
            if i - start > best[0]:
                best = (i - start, start)
            start = i + 1
    n, a = best
    if n < 3:
        return None
    per = (times[a + n] - times[a]) / n
    return (per, n) if with_n else per


def cadence_for(times, e):
    """regular_cadence(), held to E when it is known: where the echoes in
    view are mostly gaps of skips (a short slice of a slow link), their own
    "regular" gap is not one interval."""
    c, slots = regular_cadence(times)
    if not e or c is None or 0.9 * e <= c <= 1.1 * e:
        return c, slots
    gaps = [b - a for a, b in zip(times, times[1:])]
    slots = [max(1, int(round(g / e))) for g in gaps]
    singles = [g for g, k in zip(gaps, slots) if k == 1]
    return (statistics.median(singles) if singles else e), slots


def infer_interval(times, given=None):
    """E for a connection: @given (from the mount options), else fitted to
    the cadence of the echo send times @times."""
    iv = Interval()
    cadence, _, n = regular_cadence_n(times)
    if given:
        iv.seconds = float(given)
        iv.source = '--echo-interval'
        if cadence and len(times) >= 3:
            r = cadence / given
            if not 0.97 <= r <= 1.06 and abs(r - round(r)) > 0.06:
                other = infer_interval(times)
                if other.seconds and 'fits neither' not in other.source:
                    other.warning = ('its echoes come every %.3f s, which does not fit '
                                     '--echo-interval %g: E = %g s taken for this connection '
                                     '(another mount with its own echo_interval)'
                                     % (cadence, given, other.seconds))
                    return other
                iv.warning = ('the echoes come every %.3f s, which does not fit '
                              '--echo-interval %g (another mount with its own interval?)'
                              % (cadence, given))
        iv.schedule, iv.hz = _schedule_of(cadence, iv.seconds, n)
        return iv
    if not cadence:
        iv.source = 'unknown: fewer than two echoes and no --echo-interval'
        return iv
    whole = round(cadence)
    # a whole second to 0.3 % first, then the stock daisy chain's exact
    # periods, then a whole second to a timer granule (few echoes)
    if whole >= 1 and (abs(cadence - whole) <= FIXED_TOLERANCE * whole or (
            fixed_fits(cadence, whole, n) and not _stock_fits(cadence))):
        iv.seconds = float(whole)
        iv.source = ('inferred from the cadence (%.3f s over %d echoes; pass --echo-interval '
                     'to be sure)' % (cadence, len(times)))
        if len(times) < 4:
            iv.source += '; few echoes: a guess'
        iv.schedule, iv.hz = _schedule_of(cadence, iv.seconds, n)
        return iv
    fits = _stock_fits(cadence)
    exact = bool(fits)
    if not fits:
        fits = _stock_fits(cadence, latency=True)
    if fits:
        es = sorted({e for e, _ in fits})

        def rank(e):
            if not exact:   # the nearest wheel period below the cadence
                return (cadence - model.stock_cadence(e), e)
            return (e != 60, e % 10 != 0, e % 5 != 0, abs(model.stock_cadence(e) - cadence), e)
        best = min(es, key=rank)
        hz = next(h for e, h in fits if e == best)
        iv.seconds = float(best)
        iv.hz = hz
        iv.schedule = 'daisy chain'
        iv.alternatives = sorted({e for e, h in fits if e != best},
                                 key=lambda e: (e not in [x for x, h in fits if h == hz], abs(e - best)))
        same = [e for e, h in fits if h == hz and e != best]
        iv.source = ('inferred from the cadence: %.3f s between echoes is what the stock '
                     'daisy chain makes of E = %d s at HZ %d%s%s; pass --echo-interval to be sure'
                     % (cadence, best, hz, '' if exact else
                        ' plus %.0f ms of the echo work\'s own latency per cycle'
                        % ((cadence - model.stock_cadence(best, hz)) * 1000),
                        ' (%s s would fit too at HZ %d)' % (', '.join(str(e) for e in same), hz)
                        if same else ''))
        return iv
    iv.seconds = float(max(1, whole))
    iv.source = ('inferred from the cadence (%.3f s), which fits neither a fixed-rate '
                 'schedule nor the stock timer wheel: pass --echo-interval' % cadence)
    return iv


def with_midpoints(times, k=2):
    """@times with k - 1 points evenly in each gap: the echoes a client
    would have sent had it not skipped k - 1 of every k runs."""
    out = []
    for a, b in zip(times, times[1:]):
        out += [a + (b - a) * j / k for j in range(k)]
    return out + times[-1:]


def interval_candidates(times, iv, hz=None):
    """The intervals an inferred E could be, where the cadence fits more
    than one (an empty list: it fits one, or there are too few echoes to
    weigh). An operator weighs E itself (an echo every run), E / 2 with
    every second echo skipped and E / 3 with two of three skipped (a round
    trip over E + 1 s): the stock one-second rule skips an echo
    when a response came within E - 1 s, so on a link whose round trip is
    over a second (and E >= 2 s) every second run is skipped and the
    echoes come every 2 E, plus the timer wheel's rounding of each run;
    the fixed schedule does so only when the round trip is over E (one echo
    credit). Each candidate must fit the cadence with its own schedule: the
    daisy chain's timer-wheel period (twice it for E / 2), or a fixed-rate
    grid."""
    if not iv.seconds or len(times) < 2 or iv.source.startswith('--echo-interval'):
        return []
    out = []

    def fits_hz(x):
        return hz is None or x.hz is None or x.hz == hz

    cadence, _, n = regular_cadence_n(times)
    whole = round(cadence) if cadence else 0
    grid = bool(whole >= 1 and fixed_fits(cadence, whole, n))
    one = iv
    if fits_hz(one):
        fit = ('fits the cadence only roughly: neither a fixed-rate grid nor the stock timer '
               'wheel' if 'fits neither' in one.source else
               {'daisy chain': 'the stock daisy chain\'s period at HZ %s' % one.hz,
                'fixed-rate': 'a fixed-rate grid'}.get(one.schedule, 'a fixed-rate grid or the '
                                                       'stock daisy chain'))
        if one.schedule == 'daisy chain' and grid and whole == one.seconds:
            fit += ', or a fixed-rate grid (the fixed series)'
        out.append(Candidate(one.seconds, 1, one.schedule, one.hz,
                             'an echo every run: %s' % fit))
    elif grid:
        out.append(Candidate(float(whole), 1, 'fixed-rate', None,
                             'an echo every run: a fixed-rate grid (the fixed series; the stock '
                             'daisy chain at HZ %s would not fit)' % hz))
    for k in (2, 3):
        part = infer_interval(with_midpoints(times, k))
        if not part.seconds or 'fits neither' in part.source or not fits_hz(part) or \
                part.seconds in [c.seconds for c in out]:
            continue
        skipped = ('every second echo skipped' if k == 2 else
                   'two of every three echoes skipped')
        if part.schedule == 'daisy chain' and part.seconds >= 2:
            out.append(Candidate(part.seconds, k, part.schedule, part.hz,
                                 '%s (the stock one-second rule on a link whose round trip at '
                                 'the client is over %s): %s the daisy chain\'s period at HZ %s'
                                 % (skipped, '1 s' if k == 2 else 'E + 1 s',
                                    'twice' if k == 2 else 'three times', part.hz)))
        elif part.schedule in ('fixed-rate', ''):
            out.append(Candidate(part.seconds, k, 'fixed-rate', None,
                                 '%s without an echo credit (the fixed schedule on a link whose '
                                 'round trip at the client is over %s): %s a fixed-rate grid'
                                 % (skipped, 'E' if k == 2 else '2 E',
                                    'twice' if k == 2 else 'three times')))
    return sorted(out, key=lambda c: c.seconds)


def _stock_fits(cadence, latency=False):
    """(E, HZ) pairs whose stock daisy chain has period @cadence: the
    timer wheel's period exactly, or (@latency) that plus up to
    STOCK_LATENCY E of the echo work's own latency, which the daisy chain
    adds to every cycle (a busy machine)."""
    out = []
    for hz in HZ_CANDIDATES:
        for e in range(1, 601):
            c = model.stock_cadence(e, hz)
            tol = max(STOCK_TOLERANCE * cadence, 0.004)
            if c - tol <= cadence <= c + (STOCK_LATENCY * e if latency else tol):
                out.append((e, hz))
    return out


def fixed_fits(cadence, e, n):
    """Whether a period @cadence measured over @n intervals is a fixed-rate
    E: each echo is late by less than one timer granule (HZ 250's, the
    coarsest here) and that does not add up, so the period is E to within
    a granule over n, or 0.3 %."""
    gran = (1 << model.wheel_shift(int(e * 250))) / 250.0
    return abs(cadence - e) <= max(FIXED_TOLERANCE * e, gran / max(n, 1))


def _schedule_of(cadence, e, n=1000):
    """('fixed-rate' | 'daisy chain' | '', HZ): which schedule the period
    fits; '' when it fits both (too few echoes to tell) or neither."""
    if not cadence or not e:
        return '', None
    fixed = fixed_fits(cadence, e, n)
    stock = [hz for ee, hz in _stock_fits(cadence, latency=True) if ee == int(e)]
    if fixed and not stock:
        return 'fixed-rate', None
    if stock and not fixed:
        return 'daisy chain', stock[0]
    return '', None


# ------------------------------------------------------------- the echoes

def echoes_of(conn):
    """The client's echo requests (first transmissions) and their replies."""
    replies = {}
    for p in conn.pdus:
        if not p.from_client and p.response and p.mid is not None:
            replies.setdefault(p.mid, p.t)
    out = []
    for p in conn.pdus:
        if p.from_client and p.cmd == SMB2_ECHO and p.response is False:
            r = replies.get(p.mid)
            out.append(Echo(t=p.t, mid=p.mid, reply=r if r is not None and r >= p.t else None))
    return out


def server_times(conn):
    return sorted(p.t for p in conn.pdus if not p.from_client)


def requests_of(conn):
    """Plain requests: (t, pdu, answered-at or None)."""
    answer = {}
    for p in conn.pdus:
        if not p.from_client and p.mid is not None and p.response:
            answer.setdefault(p.mid, p.t)
    out = []
    for p in conn.pdus:
        if p.from_client and p.response is False and p.cmd != 12 and p.mid is not None:
            a = answer.get(p.mid)
            out.append((p.t, p, a if a is not None and a >= p.t else None))
    return out


def describe_pdu(conn, t):
    """What the server's PDU at @t was, in words."""
    echo_mids = {e.mid for e in echoes_of(conn)}
    for p in conn.pdus:
        if not p.from_client and p.t == t:
            if p.encrypted:
                return 'an encrypted PDU'
            if p.mid in echo_mids:
                return 'the reply to our echo'
            return 'the reply to %s' % p.name().replace(' response', '')
    return 'a PDU'


def last_before(times, t):
    best = None
    for x in times:
        if x < t:
            best = x
        else:
            break
    return best


def fmt_d(s):
    """A duration: ms below a second, else seconds."""
    if s is None:
        return '?'
    if abs(s) < 1:
        return '%.0f ms' % (s * 1000) if abs(s) >= 0.01 else '%.1f ms' % (s * 1000)
    return '%.2f s' % s if abs(s) < 100 else '%.1f s' % s


def analyse_echoes(rep, cad_slots, e):
    """Grid lateness, drift and skips of rep.echoes."""
    conn = rep.conn
    times = [x.t for x in rep.echoes]
    if len(times) < 2 or not e:
        return
    cadence, slots = cad_slots
    n = 0
    rep.lateness = [(times[0], 0.0)]
    for t, k in zip(times[1:], slots):
        n += k
        rep.lateness.append((t, t - (times[0] + n * e)))
    run = longest_run(times, slots, cadence)
    singles = [b - a for (a, b), k in zip(zip(times, times[1:]), slots) if k == 1]
    per = run if run else (statistics.median(singles) if singles else None)
    if per is not None and abs(per - e) < 0.15 * e:
        rep.drift_per_echo = per - e
    rep.drift_total = rep.lateness[-1][1]
    server = server_times(conn)
    for i, (a, b) in enumerate(zip(rep.echoes, rep.echoes[1:])):
        gap = b.t - a.t
        if gap < SKIP_GAP * e:
            continue
        k = max(2, int(round(gap / cadence)))
        slots_due = [a.t + j * cadence for j in range(1, k)]
        sk = Skip(after=a.t, before=b.t, slots=slots_due, first=slots_due[0])
        first = slots_due[0]
        frac = gap / cadence - round(gap / cadence)
        nxt = rep.echoes[i + 2].t - b.t if i + 2 < len(rep.echoes) else None
        if abs(frac) > 0.2 and nxt is not None and abs(nxt - cadence) <= 0.1 * cadence:
            whole = int(gap / cadence)
            sk.slots = slots_due[:whole - 1]
            sk.cause = 'grid shifted'
            sk.text = ('%.2f intervals without an echo, not a whole number, and the echoes after '
                       'it keep their period on a grid %.2f s later: at this capture point the '
                       'client\'s packets began to arrive later (a delay between the client and '
                       'the capture point) or the capture\'s clock jumped; counted as %d '
                       'skipped' % (gap / cadence, gap - whole * cadence, whole - 1))
        elif a.reply is None or a.reply > first:
            sk.cause = 'no credit'
            sk.text = ('the echo before it was still unanswered %s at the slot: the client '
                       'has one echo credit and cannot send a second'
                       % ('(never answered)' if a.reply is None else
                          '(answered %s after it)' % fmt_d(a.reply - a.t)))
        else:
            lp = last_before(server, first)
            sk.last_pdu = lp
            sk.last_what = describe_pdu(conn, lp) if lp is not None else ''
            if rep.interval.schedule == 'fixed-rate':
                sk.cause = 'unexplained'
                sk.text = ('the fixed schedule skips an echo only while the previous one is '
                           'unanswered (one echo credit) or the connection is down; here that '
                           'echo was answered %s before the slot at this capture point, so at the '
                           'client it was still unanswered (a round trip this capture cannot '
                           'see), or the echo was lost before the capture point'
                           % fmt_d(first - a.reply))
            elif lp is not None and first - lp < e - 1:
                sk.cause = 'hard-coded second'
                sk.text = ('%s came %s before the slot, within E - 1 s = %g s: the stock '
                           'client skips the echo (the hard-coded second)'
                           % (sk.last_what, fmt_d(first - lp), e - 1))
            else:
                sk.cause = 'unexplained'
                sk.text = ('no reply within E - 1 s of the slot at this capture point (%s); the '
                           'stock client skips only after one, so it got that reply at least '
                           '%s later than this capture shows (a capture not taken on the '
                           'client?), or the echo was lost before the capture point'
                           % ('%s %s before' % (sk.last_what, fmt_d(first - lp))
                              if lp is not None else 'none at all',
                              fmt_d(max(0.0, first - lp - (e - 1))) if lp is not None else '?'))
        if len(sk.slots) >= 2 and sk.cause in ('hard-coded second', 'no credit'):
            sk.text += ('; the %d echo(es) due after it no rule skips (no reply came in between): '
                        'they were not sent or did not reach this capture point'
                        % (len(sk.slots) - 1))
        rep.skips.append(sk)


# ------------------------------------------------------------ reconnects

def find_close(conn):
    closes = conn.closes()
    return closes[0] if closes else None


def is_clean_close(conn, close):
    if close is None or close[1] != 'client':
        return False
    return any(p.from_client and p.cmd in (SMB2_LOGOFF, SMB2_TREE_DISCONNECT) and
               close[0] - CLEAN_CLOSE_S <= p.t <= close[0] for p in conn.pdus)


def _start(d):
    return d.syn if d.syn is not None else d.first


def pair_reconnects(conns):
    """{old stream: new Connection}: the connection each reconnect opened.

    A candidate is a later connection from the same client host to the same
    server address and port that starts with NEGOTIATE, within
    RECONNECT_WINDOW_S of the old one's close. NEGOTIATE's ClientGuid
    decides where both connections show it (the client keeps it across its
    reconnects; another mount has its own). Where it cannot, the old
    connection that had been silent the longest when the new one started
    gets it: a client reconnects after a silence, an unmount does not wait
    for one."""
    live = [c for c in conns if not c.refused and c.segments]
    news = [d for d in live if any(p.from_client and p.cmd == SMB2_NEGOTIATE for p in d.pdus)]
    # a connection the client sent nothing on in the capture is the rest
    # of one it had left before the capture began
    olds = [c for c in live if any(p.from_client for p in c.pdus)]
    pairs = []
    for c in olds:
        close = find_close(c)
        limit = (close[0] if close else c.last) + RECONNECT_WINDOW_S
        asked = [p.t for p in c.pdus if p.from_client and p.response is False]
        busy_until = (asked[-1] if asked else c.first) - RECONNECT_BUSY_S
        server = server_times(c)
        for d in news:
            if d is c or d.client[0] != c.client[0] or d.server != c.server:
                continue
            start = _start(d)
            if start is None or start <= c.first or start > limit:
                continue
            if close and is_clean_close(c, close) and close[0] <= start:
                continue
            if c.client_guid and d.client_guid:
                if c.client_guid != d.client_guid:
                    continue
                score = (2, -start)
            else:
                if start < busy_until:
                    continue
                heard = last_before(server, start)
                silence = start - (heard if heard is not None else c.first)
                score = (1, silence)
            pairs.append((score, c.stream, d))
    out, taken = {}, set()
    for score, old, d in sorted(pairs, key=lambda x: x[0], reverse=True):
        if old in out or d.stream in taken:
            continue
        out[old] = d
        taken.add(d.stream)
    return out


def analyse_reconnect(rep, conns, succ, e):
    conn = rep.conn
    close = rep.close
    if succ is None and (close is None or rep.clean_close):
        return None
    if not any(p.from_client for p in conn.pdus):
        rep.notes.append('no request of the client on this connection in the capture (the '
                         'rest of a connection it had left before, or only its TCP segments): '
                         'its close is not judged')
        return None
    if succ is None and close[1] == 'client':
        # no logoff and no new connection in the capture: a reconnect only
        # if the client had a reason (a silence over the smallest limit)
        heard = last_before(server_times(conn), close[0])
        silence = close[0] - (heard if heard is not None else conn.first)
        if not e or silence <= 2 * e:
            rep.notes.append('closed by the client (%s) without a LOGOFF in the capture and no '
                             'new connection after it: an unmount whose logoff the capture does '
                             'not show, most likely, not a reconnect' % close[2])
            return None
    marks = []
    if close:
        marks.append((close[0], 'the %s closed the connection (%s)' % (close[1], close[2])))
    if succ is not None:
        marks.append((succ.syn if succ.syn is not None else succ.first,
                      'the client opened a new connection (%s)' % succ.label()))
    at, how = min(marks)
    rc = Reconnect(at=at, how=how, successor=succ)
    if succ is not None:
        start = succ.syn if succ.syn is not None else succ.first
        rc.refused = sum(1 for d in conns if d.refused and d.client[0] == conn.client[0]
                         and d.server == conn.server and at <= (d.syn or d.first) <= start)
    server = [t for t in server_times(conn) if t < at]
    lookback = model.SMB_ECHO_TIMEOUT_INTERVALS * (e or 0) + (e or 0) + LOOKBACK_EXTRA_S
    gaps = [(b - a, a, b) for a, b in zip(server, server[1:]) if b >= at - lookback]
    if server:
        gaps.append((at - server[-1], server[-1], at))
        rc.silence, rc.silence_from, rc.silence_to = max(gaps)
        rc.answered_before = at - server[-1]
    else:
        start = conn.first
        rc.silence, rc.silence_from, rc.silence_to = at - start, start, at
        rc.silence_at_least = True
    rc.verdict = judge(rep, rc, e)
    return rc


def judge(rep, rc, e):
    """The verdict on one reconnect: whose silence, and why."""
    conn = rep.conn
    s = rc.silence
    limits = []
    if e:
        for k in (2, 3):
            limits.append('%s %s %dE = %s' % (fmt_d(s), '>' if s > k * e else '<=', k, fmt_d(k * e)))
    lim = ' (%s)' % ', '.join(limits) if limits else ''
    close = rep.close
    # the server hung up first
    if close and close[1] == 'server' and close[0] <= rc.at:
        return Verdict('server-closed',
                       'the server closed the connection (%s) after %s of silence%s: not an echo '
                       'timeout (a server restart, or the server\'s own decision)'
                       % (close[2], fmt_d(s), lim))
    reqs = requests_of(conn)
    t_out = answer_timeout(reqs, rc.silence_from, e)
    # the server's TCP in the silence: not SMB responses (they do not count
    # as one for the client), but a sign of its host
    tcp = [sg for sg in conn.segments if not sg.from_client and
           rc.silence_from + 0.001 < sg.t < rc.silence_to and not any(
               p.t == sg.t and not p.from_client for p in conn.pdus)]
    if tcp:
        ka = [sg for sg in tcp if sg.keep_alive]
        note = ('the server\'s TCP sent %d segment(s) without an SMB message in the silence%s: '
                'not a response to the client, but its host was up'
                % (len(tcp), ' (a keep-alive at %s)' % _clock(ka[0].t) if ka else ''))
    else:
        note = None
    in_gap = [(t, p, a) for t, p, a in reqs if rc.silence_from < t <= rc.at]
    unanswered = [(t, p, a) for t, p, a in in_gap if (a is None or a > rc.at) and rc.at - t >= t_out]
    held = [(t, p) for t, p, a in reqs if t > rc.at]
    details = [note] if note else []
    if held:
        details.append('%d request(s) of this connection reached the capture point only after it: '
                       '%s (held up between the client and the capture point)'
                       % (len(held), ', '.join('%s mid %s at +%s' % (p.name(), p.mid, fmt_d(t - rc.at))
                                               for t, p in held[:4])))
    if unanswered:
        t0, p0, a0 = unanswered[0]
        acked = any((not sg.from_client) and sg.ack >= _nxtseq_of(conn, p0) and t0 <= sg.t <= rc.at
                    for sg in conn.segments)
        retrans = sum(1 for sg in conn.segments if sg.from_client and sg.retransmission
                      and t0 <= sg.t <= rc.at)
        details.append('%d request(s) unanswered when the client gave up, the oldest %s (mid %s, '
                       'sent %s before)' % (len(unanswered), p0.name(), p0.mid, fmt_d(rc.at - t0)))
        if a0 is not None:
            details.append('the server answered it %s later, after the client had given up'
                           % fmt_d(a0 - rc.at))
        if acked:
            details.append('the server\'s TCP acknowledged it: the host was up, its SMB server '
                           'did not answer (a hung or overloaded server)')
        else:
            details.append('the server\'s TCP did not acknowledge it%s: the server host or the '
                           'network was down' % (' (%d retransmissions)' % retrans if retrans else ''))
        return Verdict('outage', 'server silent for %s: a real outage%s' % (fmt_d(s), lim), details)
    # nothing reached the capture point from the client during the silence
    # although echoes were due: the stock client skips an echo only after a
    # reply within E - 1 s, so at most the first slot after the last reply;
    # any other missing echo did not get here
    client_pkts = [sg for sg in conn.segments if sg.from_client and sg.length > 0 and
                   not sg.retransmission and not sg.keep_alive and rc.silence_from < sg.t < rc.at]
    gap_open = rc.silence_to >= rc.at
    slots = grid_slots(rep, rc.silence_from, rc.at, e) if e else []
    if gap_open and not client_pkts and slots:
        explained = slots[0] - rc.silence_from < e - 1
        if held or len(slots) >= 2 or not explained:
            details.insert(0, 'nothing of this connection reached the capture point for %s '
                           'although %d echo(es) were due (at %s)'
                           % (fmt_d(s), len(slots), ', '.join(_clock(x) for x in slots[:4])))
            return Verdict('outage', 'server silent for %s: a real outage (no reply reached the '
                           'client, and the client\'s own packets did not reach this capture '
                           'point: the link was down)%s' % (fmt_d(s), lim), details)
    if e and s > 2 * e:
        in_silence = [sk for sk in rep.skips if rc.silence_from <= sk.first <= rc.silence_to]
        nskip = sum(len(sk.slots) for sk in in_silence)
        causes = []
        if rep.drift_per_echo and 0.001 * e < rep.drift_per_echo < 0.1 * e:
            causes.append('echo schedule drift (+%.3f s per echo)' % rep.drift_per_echo)
        elif rep.drift_per_echo is None and nskip and s > (nskip + 1) * e:
            # no run of plain intervals in view to measure it on: what the
            # silence has beyond its whole intervals
            causes.append('echo schedule drift (+%.3f s over %d intervals)'
                          % (s - (nskip + 1) * e, nskip + 1))
        if nskip:
            causes.append('%s' % ('a skipped echo' if nskip == 1 else '%d skipped echoes' % nskip))
        if not causes:
            causes.append('no echo in it')
        for sk in in_silence:
            details.append('echo due at %s skipped: %s' % (_clock(sk.first), sk.text))
        return Verdict('echo-bug',
                       'server answered %s before; %s made the silence %s: the echo bug '
                       '(fixed by this project)%s'
                       % (fmt_d(rc.answered_before), ' and '.join(causes), fmt_d(s), lim), details)
    if not e:
        return Verdict('undecided', 'undecided: the client closed the connection after %s of '
                       'server silence, and E is unknown (fewer than two echoes in view and no '
                       '--echo-interval): whether that passed its limit (3E, 2E before 2019) '
                       'cannot be told; pass --echo-interval' % fmt_d(s), details)
    return Verdict('short', 'the client closed the connection after %s of server silence%s: '
                   'not the unresponsive-server check (another reason: an error, a remount)'
                   % (fmt_d(s), lim), details)


def answer_timeout(reqs, before, e):
    """How long a request may go unanswered before that means something:
    four times the slowest answer the server gave before @before, at least
    1 s, at most one interval."""
    rtts = [a - t for t, _, a in reqs if a is not None and a <= before]
    t_out = max(1.0, 4 * max(rtts)) if rtts else 1.0
    return min(t_out, e) if e else t_out


def grid_slots(rep, t_from, t_to, e):
    """The client's echo slots in (t_from, t_to) where no echo was seen: on
    the grid of its echoes (last echo before t_from + n * cadence)."""
    times = [x.t for x in rep.echoes]
    cadence, _ = regular_cadence(times)
    cadence = cadence if cadence and 0.9 * e <= cadence <= 1.1 * e else e
    prev = last_before(times, t_from + 1e-9)
    t = (prev if prev is not None else t_from) + cadence
    out = []
    while t < t_to and len(out) < 1000:
        if not any(abs(x - t) < cadence / 4 for x in times):
            out.append(t)
        t += cadence
    return out


def _nxtseq_of(conn, pdu):
    for sg in conn.segments:
        if sg.frame == pdu.frame:
            return sg.nxtseq
    return 1 << 62


_CLOCK = {'fmt': None}


def _clock(t):
    return _CLOCK['fmt'](t) if _CLOCK['fmt'] else '%.3f' % t


# ------------------------------------------------------------------ replay

def replay_connection(rep, e, hz, end):
    """Run the stock (2E, 3E) and fixed rules on the connection's own server
    replies from its first echo to @end."""
    conn = rep.conn
    if not rep.echoes or not e:
        return {}
    start = rep.echoes[0].t
    echo_mids = {x.mid for x in rep.echoes}
    app = [p.t for p in conn.pdus if not p.from_client and p.mid not in echo_mids]
    reqs = requests_of(conn)
    t_out = answer_timeout(reqs, end, e)
    answered = [t for t, _, a in reqs if a is not None and a - t <= t_out]
    if rep.reconnect and rep.reconnect.verdict.kind == 'outage':
        # a request sent within half an interval of one the server answered
        # would have been answered too; none later
        alive_until = (max(answered) if answered else start) + e / 2
    else:
        # the server answered to the end: past the capture's end of the
        # connection, assume it goes on answering
        alive_until = end
    timed = [(x.t, x.rtt) for x in rep.echoes if x.rtt is not None]

    def echo_rtt(t):
        if t > alive_until or not timed:
            return None
        return min(timed, key=lambda x: abs(x[0] - t))[1]
    server = server_times(conn)
    lstrp0 = last_before(server, start)
    out = {}
    for rule in model.RULES:
        out[rule] = model.replay(rule, e, start, end, app, echo_rtt,
                                 lstrp0=lstrp0, hz=hz)
    return out


# -------------------------------------------------------------------- all

def _conn_report(conn, echoes, iv):
    rep = ConnReport(conn=conn, interval=iv, echoes=echoes)
    rep.encrypted = sum(1 for p in conn.pdus if p.encrypted)
    rep.plain = sum(1 for p in conn.pdus if not p.encrypted and not p.smb1)
    if rep.encrypted:
        rep.unreadable.append('%d encrypted PDUs (SMB3 transform): their commands and message '
                              'ids cannot be read; each one from the server counts as a '
                              'response, none can be matched to a request' % rep.encrypted)
    if any(p.smb1 for p in conn.pdus):
        rep.unreadable.append('SMB1 PDUs: counted as traffic, no echo analysis for SMB1')
    e = iv.seconds
    analyse_echoes(rep, cadence_for([x.t for x in echoes], e), e)
    close = find_close(conn)
    rep.close = close
    rep.clean_close = is_clean_close(conn, close)
    return rep


def _finish(rep, conns, succ, hz):
    """The reconnect, the longest silence and the replays of @rep."""
    e = rep.interval.seconds
    rep.reconnect = analyse_reconnect(rep, conns, succ, e)
    # the longest silence of the connection's life: to its close or its
    # reconnect, whichever came first
    end = rep.close[0] if rep.close else rep.conn.last
    if rep.reconnect:
        end = min(end, rep.reconnect.at)
    server = [t for t in server_times(rep.conn) if t <= end]
    if server:
        gaps = [(b - a, a, b, False) for a, b in zip(server, server[1:])]
        gaps.append((end - server[-1], server[-1], end, True))
        rep.longest_silence = max(gaps)
    # to the reconnect and a socket wait on: the stock client gives up
    # as the reply that ends the silence arrives, or when its 7 s wait
    # in the socket ends, a moment after the new connection may show
    end = rep.reconnect.at + REPLAY_AFTER_S if rep.reconnect else (
        rep.close[0] if rep.close else rep.conn.last)
    rep.replay = replay_connection(rep, e, hz or rep.interval.hz or model.DEFAULT_HZ, end)
    rep.check = check_connection(rep, e)
    rep.findings = findings_of(rep)


# A reconnect the stock check explains comes this soon after the check
# gives up (the client closes at once; the capture point may see the close
# later, by the delay between them).
REPRODUCE_S = 1.0


def check_connection(rep, e):
    """The capture's own server PDUs through the stock receive path's check,
    2E and 3E, to the reconnect (or the close, or the end)."""
    if not e:
        return {}
    conn = rep.conn
    rc = rep.reconnect
    end = rc.at if rc else (rep.close[0] if rep.close else conn.last)
    if end is None:
        return {}
    pdus = [t for t in server_times(conn) if t < end] if rc else server_times(conn)
    if not pdus:
        return {}
    out = {}
    for k in (2, 3):
        out['stock-%dE' % k] = model.check_replay(pdus, e, k, end)
    out[model.RULE_FIXED] = model.check_replay_fixed(signs_of_life(conn, end), e, end)
    return out


def signs_of_life(conn, end):
    """What the fixed receive path counts as a sign of life from the
    server, as this capture shows it: its PDUs, any segment of its bytes,
    and a move of the right edge of the window it advertises (it read
    ours), before @end."""
    out = [p.t for p in conn.pdus if not p.from_client and p.t < end]
    last_edge = None
    for sg in conn.segments:
        if sg.from_client or sg.t >= end:
            continue
        if sg.length > 0 and not sg.keep_alive:
            out.append(sg.t)
        if sg.edge is not None:
            if last_edge is not None and sg.edge != last_edge:
                out.append(sg.t)
            last_edge = sg.edge
    return sorted(set(out))


def findings_of(rep):
    """Where the replays and the capture disagree, in words."""
    out = []
    e = rep.interval.seconds
    rc = rep.reconnect
    if not e or not rep.check:
        return out
    ck = rep.check.get('stock-3E')
    closed_by_client = rc is not None and rc.verdict.kind in ('echo-bug', 'outage')
    names = {'stock-3E': 'the stock 3E check', 'stock-2E': 'the stock 2E check',
             model.RULE_FIXED: 'the fixed check'}
    if rc and closed_by_client:
        if not reproduced_by(rep) and not reproduced_late(rep):
            early = [(k, v) for k, v in rep.check.items() if v.gave_up and v.at < rc.at]
            out.append('no check on this capture\'s replies gives the server up when the capture '
                       'shows the reconnect (%s): %s; the client saw other silences than this '
                       'capture point did (replies delayed between them, or a delay that '
                       'changed), or E is not %g s'
                       % (_clock(rc.at), '; '.join(
                           '%s %s' % (names[k], 'gives up at %s, %s before it' % (
                               _clock(v.at), fmt_d(rc.at - v.at)) if (k, v) in early else
                               'does not give up by then (longest silence %s)' % fmt_d(
                                   v.longest_silence)) for k, v in sorted(rep.check.items())), e))
    elif not rc and not rep.clean_close and ck.gave_up:
        others = [names[k] for k, v in rep.check.items() if v.gave_up and k != 'stock-3E']
        out.append('the stock 3E check on this capture\'s replies would have given the server up '
                   'at %s (%s), and the capture shows no reconnect%s: not a stock client, or E '
                   'is not %g s' % (_clock(ck.at), _cause(ck),
                                    ' (%s would have too)' % ', '.join(others) if others else '', e))
    for rule in [k for k in reproduced_by(rep) if k.startswith('stock-')][:1]:
        st = rep.replay.get(rule)
        if st is None or (st.gave_up and abs(st.at - rep.check[rule].at) <= REPRODUCE_S):
            continue
        rtts = sorted(x.rtt for x in rep.echoes if x.rtt is not None)
        out.append('the schedule model does not reproduce this reconnect, which the %s check '
                   'does: with the round trips this capture shows (median %s) its stock '
                   'schedule %s; the client got its replies later than this capture point did '
                   '(the capture is not on the client, or the link\'s delay changed), so its '
                   '"what each schedule would have done" is a lower bound'
                   % (rule[len('stock-'):], fmt_d(rtts[len(rtts) // 2]) if rtts else '?',
                      'would not have given the server up (longest silence %s)'
                      % fmt_d(st.longest_silence) if not st.gave_up else
                      'gives up at %s instead' % _clock(st.at)))
    return out


def reproduced_by(rep):
    """The check (stock-3E, stock-2E, fixed) that, on the capture's own
    traffic, gives the server up just before the reconnect it shows: the
    closest one within REPRODUCE_S (two within 50 ms of each other: both)."""
    rc = rep.reconnect
    if not rc or not rep.check:
        return []
    lags = {k: rc.at - v.at for k, v in rep.check.items()
            if v.gave_up and 0 <= rc.at - v.at <= REPRODUCE_S}
    if not lags:
        return []
    best = min(lags.values())
    return [k for k in ('stock-3E', 'stock-2E', model.RULE_FIXED)
            if k in lags and lags[k] - best <= 0.05]


# A reconnect seen this much later than a check gives up is still that
# check's, if the capture shows the client's packets reaching it late (a
# delay between the client and the capture point, which it cannot measure).
REPRODUCE_LATE_S = 10.0


def late_hint(rep):
    """What in the capture says the client's packets reach it late, or ''."""
    late = [sk for sk in rep.skips if sk.cause in ('unexplained', 'grid shifted')]
    if late:
        return ('%d skip(s) above need the client to be further from this capture point than it '
                'shows' % len(late))
    return ''


def reproduced_late(rep):
    """(rule, lag): the stock check that gives the server up before the
    reconnect, by more than REPRODUCE_S, where the capture says the client's
    packets reach it late; None where a check reproduces it, or none does."""
    rc = rep.reconnect
    if not rc or not rep.check or reproduced_by(rep) or not late_hint(rep):
        return None
    lags = [(rc.at - v.at, k) for k, v in rep.check.items() if k.startswith('stock-') and
            v.gave_up and REPRODUCE_S < rc.at - v.at <= REPRODUCE_LATE_S]
    if not lags:
        return None
    lag, k = min(lags, key=lambda x: (round(x[0], 3), x[1] != 'stock-3E'))
    return k, lag


def _cause(res):
    if res.cause == 'reply':
        return 'the PDU that ended a silence of %s thrown away' % fmt_d(res.silence)
    return 'at a socket wake-up, after %s of silence' % fmt_d(res.silence)


def _chains(reports, succs):
    """Lists of reports of one mount: a connection and its reconnects."""
    by_stream = {r.conn.stream: r for r in reports}
    nxt = {old: new.stream for old, new in succs.items()}
    heads = set(by_stream) - set(nxt.values())
    out = []
    for h in sorted(heads):
        chain, s = [], h
        while s in by_stream and s not in [r.conn.stream for r in chain]:
            chain.append(by_stream[s])
            s = nxt.get(s)
        out.append(chain)
    return out


def analyse_capture(cap, given_e=None, hz=None, clock=None):
    _CLOCK['fmt'] = clock
    reports = []
    for conn in cap.connections:
        if conn.refused or (not conn.pdus and not conn.segments):
            continue
        echoes = echoes_of(conn)
        iv = infer_interval([x.t for x in echoes], given_e)
        reports.append(_conn_report(conn, echoes, iv))
    succs = pair_reconnects(cap.connections)
    # E inferred: the candidates each connection's cadence fits, narrowed by
    # the other connections of its mount (its reconnects keep its interval)
    cands = {}
    if not given_e:
        for r in reports:
            cands[r.conn.stream] = interval_candidates([x.t for x in r.echoes], r.interval, hz)
        for chain in _chains(reports, succs):
            sets = [{c.seconds for c in cands[r.conn.stream]} for r in chain
                    if cands[r.conn.stream]]
            if len(sets) < 2:
                continue
            common = set.intersection(*sets)
            for r in chain:
                if cands[r.conn.stream] and common:
                    kept = [c for c in cands[r.conn.stream] if c.seconds in common]
                    if len(kept) < len(cands[r.conn.stream]):
                        others = [x.conn.stream for x in chain if x is not r]
                        for c in kept:
                            c.why += ('; the only interval that also fits connection%s %s of '
                                      'the same mount' % ('' if len(others) == 1 else 's',
                                                         ', '.join(map(str, others))))
                    cands[r.conn.stream] = kept
        for r in reports:
            cs = cands[r.conn.stream]
            if len(cs) == 1 and (cs[0].seconds != r.interval.seconds or len(cs[0].why) > 0):
                c = cs[0]
                if c.seconds != r.interval.seconds or c.every != 1:
                    iv = Interval(seconds=c.seconds, schedule=c.schedule, hz=c.hz,
                                  source='inferred from the cadence: %s (%s); pass '
                                         '--echo-interval to be sure' % (
                                             'E = %g s' % c.seconds, c.why))
                    idx = reports.index(r)
                    reports[idx] = _conn_report(r.conn, r.echoes, iv)
    # a connection with too few echoes of its own takes the interval of
    # another connection of its mount, where that one's is not open
    if not given_e:
        for chain in _chains(reports, succs):
            known = [r for r in chain if r.interval.seconds and len(cands.get(r.conn.stream) or []) < 2
                     and len(r.echoes) >= 3]
            for r in chain:
                if r.interval.seconds or not known:
                    continue
                src = min(known, key=lambda x: abs(chain.index(x) - chain.index(r)))
                iv = Interval(seconds=src.interval.seconds, schedule=src.interval.schedule,
                              hz=src.interval.hz,
                              source='taken from connection %s of the same mount (%s), whose '
                                     'cadence gives it: %s' % (
                                         src.conn.stream, 'same ClientGuid' if src.conn.client_guid
                                         and src.conn.client_guid == r.conn.client_guid else
                                         'paired by its reconnect', src.interval.source))
                reports[reports.index(r)] = _conn_report(r.conn, r.echoes, iv)
    for idx, rep in enumerate(reports):
        _finish(rep, cap.connections, succs.get(rep.conn.stream), hz)
        cs = cands.get(rep.conn.stream) or []
        if len(cs) < 2:
            continue
        for c in cs:
            iv = Interval(seconds=c.seconds, schedule=c.schedule, hz=c.hz,
                          source='a candidate: %s' % c.why)
            c.report = _conn_report(rep.conn, rep.echoes, iv)
            _finish(c.report, cap.connections, succs.get(rep.conn.stream), hz)
        rep.candidates = cs
        decide(rep)
    return reports


def _kind(r):
    return r.reconnect.verdict.kind if r.reconnect else None


def decide(rep):
    """With more than one candidate E: the verdict stands only if every
    candidate gives it; otherwise the reconnect is undecided and each
    candidate's verdict is said."""
    cs = rep.candidates
    kinds = {_kind(c.report) for c in cs}
    rc = rep.reconnect
    if len(kinds) == 1:
        if rc:
            rc.verdict.details.append('E is inferred and the cadence fits %s: the verdict is the '
                                      'same for each' % ' and '.join('E = %g s' % c.seconds
                                                                     for c in cs))
        return
    if rc is None:
        # a reconnect with one candidate, none with another: the report's
        # own E found none; take the candidate's reconnect as the one to say
        src = next(c.report for c in cs if c.report.reconnect)
        rc = rep.reconnect = Reconnect(at=src.reconnect.at, how=src.reconnect.how,
                                       successor=src.reconnect.successor,
                                       refused=src.reconnect.refused,
                                       silence=src.reconnect.silence,
                                       silence_from=src.reconnect.silence_from,
                                       silence_to=src.reconnect.silence_to,
                                       silence_at_least=src.reconnect.silence_at_least,
                                       answered_before=src.reconnect.answered_before)
    parts, details = [], []
    for c in cs:
        r = c.report
        ck = r.check.get('stock-3E')
        if r.reconnect:
            v = r.reconnect.verdict
            parts.append('%s if E = %g s' % (VERDICT_WORDS.get(v.kind, v.kind), c.seconds))
            rep_ok = 'stock-3E' in reproduced_by(r)
            late = reproduced_late(r)
            if rep_ok:
                how = ('gives the server up %s before the reconnect (%s): it explains the '
                       'reconnect' % (fmt_d(r.reconnect.at - ck.at), _cause(ck)))
            elif late and late[0] == 'stock-3E':
                how = ('gives the server up %s before the reconnect (%s): it explains the '
                       'reconnect if the client\'s packets reach this capture point that late '
                       '(%s)' % (fmt_d(late[1]), _cause(ck), late_hint(r)))
            else:
                how = ('does not give the server up just before it: nothing in the capture '
                       'explains the reconnect with this E')
            details.append('if E = %g s (%s): %s; the stock 3E check on this capture\'s replies %s'
                           % (c.seconds, c.why, v.text, how))
        else:
            parts.append('no reconnect if E = %g s' % c.seconds)
            details.append('if E = %g s (%s): no reconnect' % (c.seconds, c.why))
    rc.verdict = Verdict('undecided',
                         'undecided: E is inferred, not given, and the cadence fits more than '
                         'one interval: %s; pass --echo-interval (the mount\'s echo_interval, '
                         'in /proc/mounts) to decide' % '; '.join(parts), details)


VERDICT_WORDS = {'echo-bug': 'the echo bug', 'outage': 'a real outage',
                 'server-closed': 'closed by the server', 'short': 'not the echo check',
                 'undecided': 'undecided'}


def interval_stats(times, e):
    """Echo intervals / E: mean, min, max and skips (gap >= 1.5 E), as the
    bench reports them."""
    gaps = [b - a for a, b in zip(times, times[1:])]
    if not gaps:
        return None
    return {'n': len(times), 'mean': sum(gaps) / len(gaps) / e,
            'min': min(gaps) / e, 'max': max(gaps) / e,
            'skipped': sum(1 for g in gaps if g >= SKIP_GAP * e)}
