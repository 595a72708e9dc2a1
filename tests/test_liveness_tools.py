# SPDX-License-Identifier: GPL-2.0
"""scripts/scenarios/liveness/ack-gaps and server-window, the tools that read
a stop run's capture and the server's socket samples (docs/upstream.md,
"Window growth"): on a capture and samples made up here, whose answers
are known."""
import re
import struct

from reportlib import run_script

SERVER, CLIENT = '10.0.2.2', '10.0.2.15'


def _ip(a):
    return bytes(int(x) for x in a.split('.'))


def _frame(src, dst, sport, dport, seq, ack, payload):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, 0x10, 65535, 0, 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, _ip(src), _ip(dst))
    return b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + ip + tcp


def write_pcap(path, packets):
    """packets: (time, 'data'|'ack', client port); data from the client to
    the server's port 445, pure acknowledgments back."""
    out = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    seq = {}
    for t, kind, port in packets:
        if kind == 'data':
            s = seq.get(port, 1)
            seq[port] = s + 1000
            f = _frame(CLIENT, SERVER, port, 445, s, 1, b'x' * 1000)
        else:
            f = _frame(SERVER, CLIENT, 445, port, 1, seq.get(port, 1), b'')
        sec = int(t)
        out.append(struct.pack('<IIII', sec, int(round((t - sec) * 1e6)), len(f), len(f)) + f)
    path.write_bytes(b''.join(out))


T0 = 1796496000.0


def a_write(port=40000, n=60, step=0.1, ack_at=(0.5, 1.0, 5.0, 5.5)):
    pk = [(T0 + i * step, 'data', port) for i in range(n)]
    pk += [(T0 + a, 'ack', port) for a in ack_at]
    return sorted(pk)


def gaps(out):
    m = re.search(r'client port (\d+): data for ([\d.]+) s, (\d+) acknowledgments; '
                  r'longest stretches without one: (.*)', out)
    assert m, out
    return int(m[1]), float(m[2]), int(m[3]), [float(g.split()[0]) for g in m[4].split(', ')]


def test_ack_gaps_longest_stretch(tmp_path):
    # data 0..5.9 s; acknowledgments at 0.5, 1.0, 5.0, 5.5: the longest
    # stretch without one is 1.0 -> 5.0
    pcap = tmp_path / 'x.pcap'
    write_pcap(pcap, a_write())
    rc, out = run_script('scenarios/liveness/ack-gaps', str(pcap))
    assert rc == 0, out
    port, span, n, g = gaps(out)
    assert (port, n) == (40000, 4)
    assert abs(span - 5.9) < 0.01
    assert abs(g[0] - 4.0) < 0.01 and g == sorted(g, reverse=True)


def test_ack_gaps_until_and_small_connections(tmp_path):
    # UNTIL cuts the data at 2.975 s (the acknowledgments at 5 and 5.5 do not
    # count); a connection of fewer than 50 data segments is not reported
    pcap = tmp_path / 'x.pcap'
    write_pcap(pcap, sorted(a_write(n=120, step=0.05) + a_write(port=40001, n=20, ack_at=())))
    rc, out = run_script('scenarios/liveness/ack-gaps', str(pcap), str(T0 + 2.975))
    assert rc == 0, out
    assert 'port 40001' not in out
    port, span, n, g = gaps(out)
    assert (port, n) == (40000, 2)
    assert abs(span - 2.95) <= 0.051 and abs(g[0] - 1.95) < 0.01  # span printed to 0.1 s


def test_ack_gaps_usage():
    rc, out = run_script('scenarios/liveness/ack-gaps')
    assert rc != 0 and 'ack-gaps FILE.pcap' in out


def ss_line(t, received, unread, rb, ssthresh, other=None):
    conn = (f'0      0    {SERVER}:44500 {CLIENT}:37978   skmem:(r{unread},rb{rb},t0,tb69120,f0,w0,o0,bl0,d0) '
            f'bbr wscale:7,10 rto:204 bytes_received:{received} unacked:1 rcv_space:14480 '
            f'rcv_ssthresh:{ssthresh} snd_wnd:64128 ')
    if other:
        conn += (f'0      0    {SERVER}:44500 {CLIENT}:37980   skmem:(r0,rb131072,t0) '
                 f'bytes_received:{other} rcv_ssthresh:64088 ')
    return f'T {T0 + t:.6f} {conn}\n'


def test_server_window_picks_the_busy_connection_and_the_span(tmp_path):
    ss = tmp_path / 'x.ss'
    ss.write_text(''.join([
        ss_line(-3.0, 100, 0, 4700000, 3800000),              # before BEFORE: left out
        ss_line(-0.5, 1000, 0, 8500000, 3800000, other=50),
        ss_line(+2.0, 2000, 1000, 8500000, 4900000, other=50),
        ss_line(+4.3, 3000, 2000, 8500000, 5900000),
        ss_line(+7.0, 4000, 3000, 8500000, 5900000),          # after AFTER: left out
        'T 1796496001.0 \n',                                   # an empty look
    ]))
    rc, out = run_script('scenarios/liveness/server-window', str(ss), str(T0))
    assert rc == 0, out
    rows = [line.split()[1:] for line in out.splitlines()[1:]]
    assert [r[0] for r in rows] == ['-0.50', '+2.00', '+4.30']
    # the connection that received most, not the idle one beside it
    assert rows[0][1:] == ['1000', '0', '8500000', '3800000', '14480']
    assert [r[4] for r in rows] == ['3800000', '4900000', '5900000']
    rc, out = run_script('scenarios/liveness/server-window', str(ss), str(T0), '4', '8')
    assert rc == 0 and len(out.splitlines()) == 1 + 5, out


def test_server_window_usage():
    rc, out = run_script('scenarios/liveness/server-window', 'x.ss')
    assert rc != 0 and 'server-window FILE.ss T' in out
