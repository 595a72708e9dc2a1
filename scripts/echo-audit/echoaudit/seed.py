# SPDX-License-Identifier: GPL-2.0
"""The original report's capture, rebuilt from its published times.

"Groundhog Day with SMB remount" (the seed of this project) shows a Linux
client's capture of one SMB connection to a Windows server, E = 60 s, on a
kernel with the 2 E limit, 12 Feb 2019 (CET, UTC+1):

  echoes          19:01:55.05, 19:02:56.49, 19:03:57.94, 19:04:59.37
                  (every 61.5 s: the daisy chain)
  application     the server answers at 19:05:01.91; its last 128 bytes
                  arrive 19:05:01.949511 and are acknowledged 19:05:01.997203
  no echo         at about 19:06:00 (skipped: that reply was within E - 1 s)
  keep-alive      the Windows server's TCP keep-alive, the last of the 128
                  bytes again, 19:07:01.999481
  reconnect       19:07:02.25, "has not responded in 120 seconds"; the
                  client sent its next echo first, and its reply is what
                  made the client look at the silence (the article: "the
                  successful echo triggered the abort")

The article gives times to 10 ms; where it does not give one, this file
picks a plausible one and says so: the echo round trip (0.6 ms on a LAN),
the application's requests (19:05:01.900 and .948), the final echo just
before the reconnect (19:07:02.245, its reply 0.6 ms later), and the new
connection (19:07:02.252, NEGOTIATE and an echo). Addresses are from
TEST-NET-1.
"""

import calendar
import time

from . import pcapgen as g

CLIENT, SERVER = '192.0.2.20', '192.0.2.10'
TZ = 'Europe/Berlin'
E = 60
# 12 Feb 2019, CET = UTC+1
DAY = calendar.timegm((2019, 2, 12, 0, 0, 0)) - 3600
RTT = 0.0006
GUID = '0b7c1a2e-5d3f-4e61-9a8b-2c4d6e8f0a1b'

ECHOES = ('19:01:55.050000', '19:02:56.490000', '19:03:57.940000', '19:04:59.370000')
APP_REQUEST = '19:05:01.900000'
APP_REPLY = '19:05:01.910000'
CLOSE_REQUEST = '19:05:01.948000'
LAST_128 = '19:05:01.949511'
ACKED = '19:05:01.997203'
KEEPALIVE = '19:07:01.999481'
LAST_ECHO = '19:07:02.245000'
RECONNECT = '19:07:02.250000'
NEW_CONNECTION = '19:07:02.252000'

# the kernel log line of the report
LOG = ('Feb 12 19:07:02 kernel: CIFS VFS: Server 192.0.2.10 has not responded in 120 seconds. '
       'Reconnecting...\n')


def at(hms):
    h, m, s = hms.split(':')
    return DAY + int(h) * 3600 + int(m) * 60 + float(s)


def build():
    p = g.Pcap()
    c = g.Tcp(p, CLIENT, 50002, SERVER)
    mid = 101
    for hms in ECHOES:
        t = at(hms)
        c.send(t, True, g.smb2(13, mid, body=g.echo_body(), session=0))
        c.send(t + RTT, False, g.smb2(13, mid, True, g.echo_body(), session=0))
        c.ack(t + RTT + 0.04, True)
        mid += 1
    c.send(at(APP_REQUEST), True, g.smb2(5, mid, body=g.create_req_body()))
    c.send(at(APP_REPLY), False, g.smb2(5, mid, True, g.create_resp_body()))
    mid += 1
    c.send(at(CLOSE_REQUEST), True, g.smb2(6, mid, body=g.close_req_body()))
    close = g.smb2(6, mid, True, g.close_resp_body())
    assert len(close) == 128, len(close)
    c.send(at(LAST_128), False, close)
    c.ack(at(ACKED), True)
    mid += 1
    c.keepalive(at(KEEPALIVE), False)
    c.ack(at(KEEPALIVE) + 0.0001, True)
    t = at(LAST_ECHO)
    c.send(t, True, g.smb2(13, mid, body=g.echo_body(), session=0))
    c.send(t + RTT, False, g.smb2(13, mid, True, g.echo_body(), session=0))
    c.fin(at(RECONNECT), True)
    c.fin(at(RECONNECT) + 0.0005, False)
    c.ack(at(RECONNECT) + 0.0008, True)
    n = g.Tcp(p, CLIENT, 50004, SERVER)
    t = at(NEW_CONNECTION)
    n.handshake(t)
    n.send(t + 0.001, True, g.smb2(0, 0, body=g.negotiate_req_body(GUID), session=0))
    n.send(t + 0.0016, False, g.smb2(0, 0, True, g.negotiate_resp_body(), session=0))
    n.send(t + 0.002, True, g.smb2(13, 1, body=g.echo_body(), session=0))
    n.send(t + 0.0026, False, g.smb2(13, 1, True, g.echo_body(), session=0))
    return p


def write(path, cut=None):
    return build().write(path, cut=cut)


def local(t):
    """@t as the article shows it (CET)."""
    return time.strftime('%H:%M:%S', time.gmtime(t + 3600)) + ('%.2f' % (t % 1))[1:]
