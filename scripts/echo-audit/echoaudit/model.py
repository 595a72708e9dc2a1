# SPDX-License-Identifier: GPL-2.0
"""The echo scheduler's decisions, stock and fixed, and a replay of them.

One copy of the schedule logic for echo-audit and the bench report:

- the fixed series' decisions, a line-by-line mirror of the C helpers in
  fs/smb/client/cifs_echo.h (checked against the real header, compiled in
  userspace, by echoaudit.conformance): the series' first API (a struct
  TCP_Server_Info in, cifs_echo_action() ...) and, as the replay runs it
  now, the pure functions of its v2 (cifs_echo_next(), cifs_echo_needed(),
  cifs_server_silent(), cifs_recv_timeout(), cifs_tx_progress(),
  cifs_server_heard());
- the stock client's rules (Debian 12's 6.1 and 6.12, and the older 2 E
  limit): the echo work skips when a response came within E - 1 s and
  re-queues itself for E after it ran (the daisy chain); the receive path
  gives up after k E of silence, checked when a PDU arrives and when its
  7 s socket wait ends;
- the timer wheel as the KUnit suite models it (cifs_echo_test.c:
  wheel_shift/wheel_fire): a timer armed for delta jiffies fires on the
  next multiple of 8^n jiffies after its expiry, level n being the first
  whose range (63 << 3n) holds delta;
- replay(): a discrete-event run of either rule on a timeline of server
  replies taken from a capture (the schedule model: its own echoes);
- check_replay(): the stock receive path's check as the kernel runs it on
  the capture's own server PDUs: before every socket read (the first
  bytes of a PDU that ends a long silence are read, the check then throws
  the rest away) and at every 7 s wake-up of the socket wait.

Times in the decision functions are jiffies (unsigned long arithmetic,
wrap-safe like time_before/time_after); replay() takes and returns seconds.
"""

import heapq
from dataclasses import dataclass, field

ULONG_BITS = 64
ULONG_MOD = 1 << ULONG_BITS
LONG_MIN_BIT = 1 << (ULONG_BITS - 1)

# enum statusEnum (cifsglob.h)
CIFS_NEW = 'CifsNew'
CIFS_GOOD = 'CifsGood'
CIFS_EXITING = 'CifsExiting'
CIFS_NEED_RECONNECT = 'CifsNeedReconnect'
CIFS_NEED_NEGOTIATE = 'CifsNeedNegotiate'
CIFS_IN_NEGOTIATE = 'CifsInNegotiate'
STATES = (CIFS_NEW, CIFS_GOOD, CIFS_EXITING, CIFS_NEED_RECONNECT,
          CIFS_NEED_NEGOTIATE, CIFS_IN_NEGOTIATE)

# enum cifs_echo_action, named as the trace events name them (trace.h,
# smb3_echo_skipped: __print_symbolic)
ECHO_SEND = 'send'
ECHO_SKIP_EARLY = 'before_deadline'
ECHO_SKIP_STATE = 'not_connected'
ECHO_SKIP_CANNOT = 'cannot_echo'
ECHO_SKIP_UNANSWERED = 'unanswered'
ECHO_SKIP_FAILED = 'failed'
# the stock rule's own reason, which the fixed series removed
ECHO_SKIP_RECENT = 'recent_response'

# enum cifs_server_verdict
SERVER_ALIVE = 'alive'
SERVER_NEG_TIMEOUT = 'negotiate_timeout'
SERVER_UNRESPONSIVE = 'unresponsive'

# SMB_ECHO_TIMEOUT_INTERVALS (cifsglob.h, patch 0004)
SMB_ECHO_TIMEOUT_INTERVALS = 3
# CIFS_RECV_TIMEOUT (cifs_echo.h) and the stock sk_rcvtimeo, in seconds
RECV_TIMEOUT_S = 7
# CIFS_TX_LOOK_INTERVAL (cifs_echo.h): HZ / this, while our bytes are pending
TX_LOOK_PER_S = 4
# -EAGAIN (->echo() while the last echo is unanswered)
EAGAIN = 11
# negotiate must complete within this many seconds (cifs_server_deadline)
NEG_TIMEOUT_S = 20
# Debian's kernels are built with CONFIG_HZ_250
DEFAULT_HZ = 250


def ulong(x):
    return x % ULONG_MOD


def time_after(a, b):
    """(long)((b) - (a)) < 0"""
    return ulong(b - a) >= LONG_MIN_BIT


def time_before(a, b):
    return time_after(b, a)


@dataclass
class Server:
    """The fields of struct TCP_Server_Info that the decisions read."""
    tcpStatus: str = CIFS_GOOD
    echo_interval: int = 0      # jiffies
    echo_deadline: int = 0      # jiffies
    lstrp: int = 0              # jiffies of the last response
    neg_start: int = 0          # jiffies
    lprogress: int = 0          # jiffies of the last sign of life
    tx_una: int = 0             # u32: snd_una at the last look
    tx_pending: bool = False    # some of our bytes were still to be delivered


# ---------------------------------------------------------- fixed series

def echo_action(server, can_echo, now):
    """cifs_echo_action()"""
    if (server.tcpStatus != CIFS_NEED_NEGOTIATE and
            time_before(now, server.echo_deadline)):
        return ECHO_SKIP_EARLY
    if server.tcpStatus in (CIFS_NEED_RECONNECT, CIFS_EXITING, CIFS_NEW):
        return ECHO_SKIP_STATE
    if not can_echo:
        return ECHO_SKIP_CANNOT
    return ECHO_SEND


def echo_sent(rc):
    """cifs_echo_sent(): what became of an echo ->echo() returned @rc for"""
    if not rc:
        return ECHO_SEND
    return ECHO_SKIP_UNANSWERED if rc == -EAGAIN else ECHO_SKIP_FAILED


def echo_next_deadline(server, now):
    """cifs_echo_next_deadline()"""
    interval = max(server.echo_interval, 1)
    deadline = server.echo_deadline
    if (server.tcpStatus == CIFS_NEED_NEGOTIATE or
            time_after(deadline, ulong(now + interval))):
        return ulong(now + interval)
    if time_before(now, deadline):
        return deadline
    return ulong(deadline + (ulong(now - deadline) // interval + 1) * interval)


def echo_delay(deadline, now):
    """cifs_echo_delay()"""
    return ulong(deadline - now) if time_after(deadline, now) else 0


def server_deadline(server, can_echo, hz):
    """cifs_server_deadline(): (verdict, deadline)"""
    if server.tcpStatus == CIFS_IN_NEGOTIATE:
        return SERVER_NEG_TIMEOUT, ulong(server.neg_start + NEG_TIMEOUT_S * hz)
    if server.tcpStatus in (CIFS_GOOD, CIFS_NEED_NEGOTIATE) and can_echo:
        return SERVER_UNRESPONSIVE, ulong(
            server.lprogress + SMB_ECHO_TIMEOUT_INTERVALS * server.echo_interval)
    return SERVER_ALIVE, None


def server_verdict(server, can_echo, now, hz):
    """cifs_server_verdict()"""
    verdict, deadline = server_deadline(server, can_echo, hz)
    if verdict != SERVER_ALIVE and time_after(now, deadline):
        return verdict
    return SERVER_ALIVE


def server_received(server, now):
    """cifs_server_received(): bytes of a response were read at @now"""
    server.lprogress = now


def server_tx_progress(server, una, end, now):
    """cifs_server_tx_progress(): @una, @end are u32 (snd_una, write_seq)"""
    pending = una != end
    if pending and server.tx_pending and una != server.tx_una:
        server.lprogress = now
    server.tx_una = una
    server.tx_pending = pending


def server_connected(server, now):
    """cifs_server_connected()"""
    server.lstrp = now
    server.lprogress = now
    server.tx_pending = False


def recv_timeout(server, can_echo, now, hz):
    """cifs_recv_timeout(): jiffies, 1 .. RECV_TIMEOUT_S * hz"""
    timeo = RECV_TIMEOUT_S * hz
    verdict, deadline = server_deadline(server, can_echo, hz)
    if verdict == SERVER_ALIVE:
        return timeo
    if verdict == SERVER_UNRESPONSIVE:
        timeo = min(timeo, server.echo_interval)
        if server.tx_pending:
            timeo = min(timeo, hz // TX_LOOK_PER_S)
    deadline = ulong(deadline + 1)
    if not time_before(now, deadline):
        return 1
    return min(timeo, ulong(deadline - now))


# ------------------------------------------------ fixed series, v2 (pure)
# cifs_echo.h of the series' v2: pure functions of jiffies and of values
# the caller reads from the server. CIFS_RECV_LOOKS: the receive path looks
# at the server this many times per echo interval while it waits.
CIFS_RECV_LOOKS = 8


def echo_next(deadline, interval, now):
    """cifs_echo_next(): the first point of the grid deadline + k * interval
    after @now (@deadline itself while it is still ahead)."""
    if time_after(deadline, now):
        return deadline
    return ulong(deadline + (ulong(now - deadline) // interval + 1) * interval)


def echo_needed(other, deadline, interval, sending):
    """cifs_echo_needed(): an echo unless a request is being sent or the
    server sent something other than an echo reply after the previous
    deadline."""
    if sending:
        return False
    return not time_after(other, ulong(deadline - interval))


def recv_timeout_v2(interval, hz=DEFAULT_HZ):
    """cifs_recv_timeout(): sk_rcvtimeo, interval / CIFS_RECV_LOOKS within
    1 .. CIFS_RECV_TIMEOUT (7 s) jiffies."""
    return min(max(interval // CIFS_RECV_LOOKS, 1), RECV_TIMEOUT_S * hz)


def tx_progress(edge, last_edge, acked, last_acked, pending, last_look, progress):
    """cifs_tx_progress(): the right edge of the server's receive window
    moved forward by more than a quarter of what its TCP acknowledged
    since the previous look (a scaled window's creep is less), while bytes
    of ours were still unacknowledged (@pending): it read our bytes after
    that look."""
    if (pending and edge > last_edge and acked >= last_acked and
            ((edge - last_edge) * 4) & ((1 << 64) - 1) > acked - last_acked and
            time_after(last_look, progress)):
        return last_look
    return progress


def server_heard(lstrp, progress):
    """cifs_server_heard(): the later of the two."""
    return progress if time_after(progress, lstrp) else lstrp


def server_silent(heard, interval, now):
    """cifs_server_silent(): SMB_ECHO_TIMEOUT_INTERVALS intervals since @heard."""
    return time_after(now, ulong(heard + SMB_ECHO_TIMEOUT_INTERVALS * interval))


# ----------------------------------------------------------- stock rules

def stock_echo_action(server, can_echo, now, hz):
    """The stock cifs_echo_request()'s test, before the series."""
    if server.tcpStatus in (CIFS_NEED_RECONNECT, CIFS_EXITING, CIFS_NEW):
        return ECHO_SKIP_STATE
    if not can_echo:
        return ECHO_SKIP_CANNOT
    if time_before(now, ulong(server.lstrp + server.echo_interval - hz)):
        return ECHO_SKIP_RECENT
    return ECHO_SEND


def stock_unresponsive(server, can_echo, now, intervals):
    """The stock server_unresponsive() with a limit of @intervals E."""
    return (server.tcpStatus in (CIFS_GOOD, CIFS_NEED_NEGOTIATE) and can_echo
            and time_after(now, ulong(server.lstrp + intervals * server.echo_interval)))


# ------------------------------------------------------------ timer wheel

def wheel_shift(delta):
    """cifs_echo_test.c: the level whose range holds @delta, as 3 n"""
    shift = 0
    while shift < 24 and delta >= (63 << shift):
        shift += 3
    return shift


def wheel_fire(expires, delta):
    """cifs_echo_test.c: when a timer of @delta expiring at @expires fires"""
    shift = wheel_shift(delta)
    return ((expires >> shift) + 1) << shift


def timer_fire(now, delay):
    """A timer armed at @now for @delay jiffies fires then (absolute jiffies,
    the model's clock starting at 0: no wrap in a replay)."""
    return max(wheel_fire(now + delay, delay), now + delay)


def stock_cadence(interval_s, hz=DEFAULT_HZ):
    """Seconds between two runs of the stock daisy chain, idle, once the
    first run has fired on the wheel (each later run then starts on a
    granule boundary: the cycle is the same every time)."""
    e = int(round(interval_s * hz))
    shift = wheel_shift(e)
    return (((e >> shift) + 1) << shift) / hz


# ------------------------------------------------------------------ replay

RULE_FIXED = 'fixed'
RULES = ('stock-2E', 'stock-3E', RULE_FIXED)


@dataclass
class ReplayResult:
    rule: str
    gave_up: bool = False
    at: float = None            # seconds, when it gave the server up
    silence: float = None       # at - last response, seconds
    last_response: float = None
    cause: str = None           # 'reply': on reading a PDU (thrown away); 'wake': at a socket wake-up
    echoes: list = field(default_factory=list)     # send times (s)
    skipped: list = field(default_factory=list)    # (time, reason)
    no_credit: list = field(default_factory=list)  # runs with an echo in flight
    longest_silence: float = 0.0


def replay(rule, interval_s, start, end, app_replies, echo_rtt, lstrp0=None,
           hz=DEFAULT_HZ):
    """Play @rule from @start (seconds, the first echo run) to @end.

    @app_replies: arrival times (s) of the server's PDUs that do not answer
    an echo (they come whatever the echo schedule does).
    @echo_rtt(t): the round trip of an echo sent at t (s), or None if the
    server would not answer it.
    @lstrp0: the last response before @start (default: one interval
    before it). The run at @start sends its echo whatever the rule says:
    it stands for an echo the capture shows.

    The stock rules: the daisy chain (each run queued E after it ran, the
    timer wheel rounding up), the one-second skip, and the receive path's
    check with a limit of k E, made before every socket read (so the first
    bytes of a PDU that ends a silence over the limit are read and the PDU
    is thrown away: the kernel gives up on it) and at every wake-up of its
    7 s socket wait. The fixed schedule as the series' v2 runs it: echoes
    on the grid deadline + k E (a late run moves to the next point, no
    burst), skipped only after a response other than an echo reply since
    the previous deadline; every read that returns data is a sign of life
    (a reply is never thrown away); the server is given up once it has been
    silent for 3 E, looked at every E / 8 at least (the socket wait).

    Both rules send at most one echo at a time: the client has one echo
    credit, a second echo fails (-EAGAIN) while the first is unanswered.
    """
    if rule == RULE_FIXED:
        intervals = SMB_ECHO_TIMEOUT_INTERVALS
    elif rule.startswith('stock-') and rule.endswith('E'):
        intervals = int(rule[len('stock-'):-1])
    else:
        raise ValueError('unknown rule %r' % rule)
    fixed = rule == RULE_FIXED

    def jif(t):
        return int(round((t - start) * hz)) + base

    def sec(j):
        return (j - base) / hz + start

    e = int(round(interval_s * hz))
    # the model's jiffies: the first run on a granule boundary of E's level
    base = (1 << wheel_shift(e)) * 1024
    res = ReplayResult(rule=rule)
    lstrp = jif(lstrp0 if lstrp0 is not None else start - interval_s)
    progress = lstrp
    other = lstrp           # the last response that was not an echo reply
    deadline = jif(start)
    server = Server(tcpStatus=CIFS_GOOD, echo_interval=e, lstrp=lstrp)
    end_j = jif(end)
    events = []     # (jiffies, order, kind, data)
    order = 0

    def push(j, kind, data=None):
        nonlocal order
        order += 1
        heapq.heappush(events, (j, order, kind, data))

    for t in app_replies:
        if start <= t <= end:
            push(jif(t), 'reply', None)
    push(jif(start), 'work', 'first')
    echo_in_flight = False
    wake_gen = 0    # only the latest socket wait counts

    def heard():
        return server_heard(server.lstrp, progress) if fixed else server.lstrp

    def give_up(now, cause):
        res.gave_up = True
        res.at = sec(now)
        res.last_response = sec(heard())
        res.silence = (now - heard()) / hz
        res.cause = cause

    def rearm(now):
        nonlocal wake_gen
        wake_gen += 1
        wait = recv_timeout_v2(e, hz) if fixed else RECV_TIMEOUT_S * hz
        push(timer_fire(now, wait), 'recv_wake', wake_gen)

    rearm(server.lstrp)
    while events:
        now, _, kind, data = heapq.heappop(events)
        if now > end_j:
            break
        if kind == 'work':
            first = data == 'first'
            if fixed:
                send = echo_needed(other, deadline, e, False)
                action = ECHO_SEND if send else ECHO_SKIP_EARLY
                deadline = echo_next(deadline, e, now)
                fire = timer_fire(now, echo_delay(deadline, now))
            else:
                action = stock_echo_action(server, True, now, hz)
                fire = timer_fire(now, e)
            if first:
                action = ECHO_SEND
            if action == ECHO_SEND:
                if echo_in_flight:
                    res.no_credit.append(sec(now))
                else:
                    res.echoes.append(sec(now))
                    rtt = echo_rtt(sec(now))
                    echo_in_flight = True   # never answered: no credit back
                    if rtt is not None:
                        push(now + max(1, int(round(rtt * hz))), 'reply', 'echo')
            else:
                res.skipped.append((sec(now), action))
            push(fire, 'work', None)
        elif kind == 'reply':
            if data == 'echo':
                echo_in_flight = False
            else:
                other = now
            res.longest_silence = max(res.longest_silence, (now - heard()) / hz)
            if not fixed and stock_unresponsive(server, True, now, intervals):
                # the check before the read of the PDU's rest: thrown away
                give_up(now, 'reply')
                return res
            progress = now
            server.lstrp = now
            rearm(now)
        elif kind == 'recv_wake':
            if data != wake_gen:
                continue
            gone = (server_silent(heard(), e, now) if fixed
                    else stock_unresponsive(server, True, now, intervals))
            if gone:
                res.longest_silence = max(res.longest_silence, (now - heard()) / hz)
                give_up(now, 'wake')
                return res
            rearm(now)
    res.longest_silence = max(res.longest_silence, (end_j - heard()) / hz)
    return res


def check_replay(pdus, interval_s, intervals, end, lstrp0=None):
    """The stock receive path's check on the server PDUs a capture shows.

    @pdus: arrival times (s) of the server's PDUs, sorted; @lstrp0: the
    last whole response before the first of them (default: the first
    itself). The kernel checks before every socket read: when a PDU ends a
    silence over @intervals E, its first bytes (the length) are read and
    the check before the read of its rest gives the server up, the PDU
    thrown away; and, while nothing comes, when the 7 s socket wait ends
    (each wait starts at the last read; the timer wheel may add up to a
    granule, 256 ms at HZ 250, left out here). What only needs the server's
    side: the client's echoes and requests are the capture's own.
    """
    res = ReplayResult(rule='stock-%dE' % intervals)
    times = [t for t in pdus if t <= end]
    if lstrp0 is None:
        if not times:
            return res
        lstrp0, times = times[0], times[1:]
    limit = intervals * interval_s
    lstrp = lstrp0
    wake = lstrp + RECV_TIMEOUT_S
    for t in times + [None]:
        while wake <= (end if t is None else t) and wake <= end:
            if wake - lstrp > limit:
                res.gave_up, res.at, res.cause = True, wake, 'wake'
                res.silence, res.last_response = wake - lstrp, lstrp
                res.longest_silence = max(res.longest_silence, wake - lstrp)
                return res
            wake += RECV_TIMEOUT_S
        if t is None:
            break
        res.longest_silence = max(res.longest_silence, t - lstrp)
        if t - lstrp > limit:
            res.gave_up, res.at, res.cause = True, t, 'reply'
            res.silence, res.last_response = t - lstrp, lstrp
            return res
        lstrp = t
        wake = t + RECV_TIMEOUT_S
    res.longest_silence = max(res.longest_silence, end - lstrp)
    return res


def check_replay_fixed(signs, interval_s, end, lstrp0=None, hz=DEFAULT_HZ):
    """The fixed receive path (the series' v2) on the signs of life a
    capture shows from the server: whole PDUs, bytes of them, and moves of
    the right edge of its receive window (it read our bytes). It looks at
    the server every cifs_recv_timeout() = E / 8 (at most 7 s) while
    nothing comes, and gives it up once cifs_server_silent(): 3 E after
    the last sign (a look counts from the previous look: it gives up at
    most 3 E after the server stopped, never later)."""
    res = ReplayResult(rule=RULE_FIXED)
    times = sorted(t for t in signs if t <= end)
    if lstrp0 is None:
        if not times:
            return res
        lstrp0, times = times[0], times[1:]
    look = recv_timeout_v2(int(round(interval_s * hz)), hz) / hz
    limit = SMB_ECHO_TIMEOUT_INTERVALS * interval_s
    heard = lstrp0
    for t in times + [None]:
        stop = end if t is None else t
        # the looks after the last sign: heard + k * look
        k = int(limit // look) + 1
        first_out = heard + k * look
        while first_out - heard <= limit:
            first_out += look
        if first_out <= stop:
            res.gave_up, res.at, res.cause = True, first_out, 'wake'
            res.silence, res.last_response = first_out - heard, heard
            res.longest_silence = max(res.longest_silence, first_out - heard)
            return res
        if t is None:
            break
        res.longest_silence = max(res.longest_silence, t - heard)
        heard = t
    res.longest_silence = max(res.longest_silence, end - heard)
    return res
