# SPDX-License-Identifier: GPL-2.0
"""The echo scheduler's decisions, stock and fixed, and a replay of them.

One copy of the schedule logic for echo-audit and the bench report:

- the fixed series' decisions, a line-by-line mirror of the C helpers in
  fs/smb/client/cifs_echo.h (checked against the real header, compiled in
  userspace, by echoaudit.conformance);
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
  replies taken from a capture.

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

# SMB_ECHO_TIMEOUT_INTERVALS (cifsglob.h, patch 4)
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
    server = Server(tcpStatus=CIFS_GOOD, echo_interval=e,
                    echo_deadline=jif(start),
                    lstrp=jif(lstrp0 if lstrp0 is not None else start - interval_s))
    server.lprogress = server.lstrp
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
    push(timer_fire(server.lstrp, RECV_TIMEOUT_S * hz), 'recv_wake', 0)
    echo_in_flight = False
    wake_gen = 0    # only the latest socket wait counts

    def give_up(now):
        res.gave_up = True
        res.at = sec(now)
        res.last_response = sec(server.lstrp)
        res.silence = (now - server.lstrp) / hz

    def judge(now):
        if fixed:
            return server_verdict(server, True, now, hz) != SERVER_ALIVE
        return stock_unresponsive(server, True, now, intervals)

    def rearm(now):
        nonlocal wake_gen
        wake_gen += 1
        wait = (recv_timeout(server, True, now, hz) if fixed
                else RECV_TIMEOUT_S * hz)
        push(timer_fire(now, wait), 'recv_wake', wake_gen)

    while events:
        now, _, kind, data = heapq.heappop(events)
        if now > end_j:
            break
        if kind == 'work':
            first = data == 'first'
            if fixed:
                action = echo_action(server, True, now)
                nxt = echo_next_deadline(server, now)
                server.echo_deadline = nxt
                fire = timer_fire(now, echo_delay(nxt, now))
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
                    if rtt is not None:
                        echo_in_flight = True
                        push(now + max(1, int(round(rtt * hz))), 'reply', 'echo')
                    else:
                        echo_in_flight = True   # never answered: no credit back
            else:
                res.skipped.append((sec(now), action))
            push(fire, 'work', None)
        elif kind == 'reply':
            if data == 'echo':
                echo_in_flight = False
            # reading the PDU: judged with the previous sign of life; a
            # PDU of the capture is read at once (bytes, then its end)
            res.longest_silence = max(res.longest_silence, (now - server.lstrp) / hz)
            if judge(now):
                give_up(now)
                return res
            server_received(server, now)
            server.lstrp = now
            rearm(now)
        elif kind == 'recv_wake':
            if data != wake_gen:
                continue
            if judge(now):
                res.longest_silence = max(res.longest_silence, (now - server.lstrp) / hz)
                give_up(now)
                return res
            rearm(now)
    res.longest_silence = max(res.longest_silence, (end_j - server.lstrp) / hz)
    return res
