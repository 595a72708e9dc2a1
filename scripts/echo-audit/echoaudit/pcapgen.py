# SPDX-License-Identifier: GPL-2.0
"""Write small pcap files of SMB2 conversations (stdlib only): the seed's
capture rebuilt from its published times, and the test suite's synthetic
captures. Classic pcap, Ethernet, IPv4, TCP with real checksums and
sequence numbers, microsecond timestamps."""

import struct
import uuid

SMB2_MAGIC = b'\xfeSMB'


def _csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def _ip(a):
    return bytes(int(x) for x in a.split('.'))


class Pcap:
    def __init__(self):
        self.records = []

    def frame(self, t, src, dst, sport, dport, seq, ack, flags, payload=b''):
        tcp = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                          5 << 4, flags, 65535, 0, 0)
        pseudo = _ip(src) + _ip(dst) + struct.pack('!BBH', 0, 6, len(tcp) + len(payload))
        tcp = tcp[:16] + struct.pack('!H', _csum(pseudo + tcp + payload)) + tcp[18:]
        ipl = 20 + len(tcp) + len(payload)
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, ipl, 0, 0x4000, 64, 6, 0, _ip(src), _ip(dst))
        ip = ip[:10] + struct.pack('!H', _csum(ip)) + ip[12:]
        eth = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01' + b'\x08\x00'
        self.records.append((t, eth + ip + tcp + payload))

    def write(self, path, cut=None):
        data = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
        for t, pkt in sorted(self.records, key=lambda r: r[0]):
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            if usec == 1000000:
                sec, usec = sec + 1, 0
            data += struct.pack('<IIII', sec, usec, len(pkt), len(pkt)) + pkt
        if cut is not None:
            data = data[:cut]
        with open(path, 'wb') as f:
            f.write(data)
        return len(data)


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Tcp:
    """One TCP connection in a Pcap, sequence numbers kept per side."""

    def __init__(self, pcap, client, cport, server, sport=445):
        self.p = pcap
        self.c, self.cport, self.s, self.sport = client, cport, server, sport
        self.cseq, self.sseq = 1000, 5000

    def handshake(self, t, rtt=0.0005):
        self.p.frame(t, self.c, self.s, self.cport, self.sport, self.cseq, 0, SYN)
        self.cseq += 1
        self.p.frame(t + rtt / 2, self.s, self.c, self.sport, self.cport, self.sseq, self.cseq, SYN | ACK)
        self.sseq += 1
        self.p.frame(t + rtt, self.c, self.s, self.cport, self.sport, self.cseq, self.sseq, ACK)

    def send(self, t, from_client, payload, flags=PSH | ACK):
        if from_client:
            self.p.frame(t, self.c, self.s, self.cport, self.sport, self.cseq, self.sseq, flags, payload)
            self.cseq += len(payload) + (1 if flags & FIN else 0)
        else:
            self.p.frame(t, self.s, self.c, self.sport, self.cport, self.sseq, self.cseq, flags, payload)
            self.sseq += len(payload) + (1 if flags & FIN else 0)

    def ack(self, t, from_client):
        self.send(t, from_client, b'', ACK)

    def keepalive(self, t, from_client):
        """A Windows keep-alive: the last byte already acknowledged, again."""
        if from_client:
            self.p.frame(t, self.c, self.s, self.cport, self.sport, self.cseq - 1, self.sseq, ACK, b'\0')
        else:
            self.p.frame(t, self.s, self.c, self.sport, self.cport, self.sseq - 1, self.cseq, ACK, b'\0')

    def fin(self, t, from_client):
        self.send(t, from_client, b'', FIN | ACK)

    def rst(self, t, from_client):
        self.send(t, from_client, b'', RST | ACK)


def smb2(cmd, mid, response=False, body=b'', session=0x1234, tree=1, status=0, credits=1):
    flags = 1 if response else 0
    hdr = SMB2_MAGIC + struct.pack('<HHIHHIIQIIQ16s', 64, 1, status if response else 0, cmd,
                                   credits, flags, 0, mid, 0xfeff, tree, session, b'\0' * 16)
    msg = hdr + body
    return struct.pack('>I', len(msg)) + msg


def transform(session=0x1234, size=100):
    """An SMB3 encrypted message: transform header and opaque bytes."""
    hdr = b'\xfdSMB' + b'\x11' * 16 + b'\x22' * 16 + struct.pack('<IHHQ', size, 0, 1, session)
    msg = hdr + b'\x33' * size
    return struct.pack('>I', len(msg)) + msg


# bodies: minimal and well formed, enough for tshark's SMB2 dissector
def echo_body():
    return struct.pack('<HH', 4, 0)


def create_req_body():
    return struct.pack('<HBBIQQIIIIIHHII', 57, 0, 0, 2, 0, 0, 0x80, 7, 1, 0, 0, 0x78, 0, 0, 0) + b'\0'


def create_resp_body():
    return struct.pack('<HBBIQQQQQQII16sII', 89, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 0,
                       b'\x01' * 16, 0, 0) + b'\0'


def close_req_body():
    return struct.pack('<HHI16s', 24, 0, 0, b'\x01' * 16)


def close_resp_body():
    return struct.pack('<HHIQQQQQQI', 60, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def negotiate_req_body(guid):
    return struct.pack('<HHHHI16sQ', 36, 1, 1, 0, 0x7f, uuid.UUID(guid).bytes_le, 0) + \
        struct.pack('<H', 0x0302)


def negotiate_resp_body():
    return struct.pack('<HHHH16sIIIIQQHHI', 65, 1, 0x0302, 0, b'\x02' * 16, 0x7f, 65536,
                       65536, 65536, 0, 0, 0x80, 0, 0) + b'\0'


def logoff_body():
    return struct.pack('<HH', 4, 0)
