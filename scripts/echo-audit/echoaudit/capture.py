# SPDX-License-Identifier: GPL-2.0
"""Read SMB 2/3 connections out of a pcap/pcapng file with tshark.

Two passes of tshark over the file: the first finds the TCP streams that
carry SMB (an NBSS session message whose payload starts with the SMB2,
SMB2 transform or SMB1 magic, on any port), the second dissects those
streams (their ports decoded as NBSS) and returns per frame the TCP facts
and the SMB2 header fields of every PDU in it.

TCP reassembly is off, as in the bench: every SMB2 header that starts a
segment is read at the time of that segment, and a segment the capture
lost cannot hide the PDUs after it. What cannot be read is said so:
encrypted PDUs (SMB3 transform) show neither command nor message id; the
unencrypted, unsigned echo requests of an encrypted session still show.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass, field

from .errors import BadInput

SMB2_ECHO = 13
SMB2_NEGOTIATE = 0
SMB2_LOGOFF = 2
SMB2_TREE_DISCONNECT = 4
COMMANDS = {
    0: 'NEGOTIATE', 1: 'SESSION_SETUP', 2: 'LOGOFF', 3: 'TREE_CONNECT',
    4: 'TREE_DISCONNECT', 5: 'CREATE', 6: 'CLOSE', 7: 'FLUSH', 8: 'READ',
    9: 'WRITE', 10: 'LOCK', 11: 'IOCTL', 12: 'CANCEL', 13: 'ECHO',
    14: 'QUERY_DIRECTORY', 15: 'CHANGE_NOTIFY', 16: 'QUERY_INFO',
    17: 'SET_INFO', 18: 'OPLOCK_BREAK',
}

PCAP_MAGICS = (b'\xd4\xc3\xb2\xa1', b'\xa1\xb2\xc3\xd4',   # pcap, us
               b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d',   # pcap, ns
               b'\x0a\x0d\x0d\x0a')                        # pcapng
SMB_MAGIC_FILTER = ('tcp.payload[0:1] == 00 && (tcp.payload[4:4] == fe:53:4d:42 || '
                    'tcp.payload[4:4] == fd:53:4d:42 || tcp.payload[4:4] == ff:53:4d:42)')
WELL_KNOWN = (445, 139)

FIELDS = ('frame.number', 'frame.time_epoch', 'tcp.stream',
          'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport',
          'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset',
          'tcp.len', 'tcp.seq', 'tcp.nxtseq', 'tcp.ack', 'tcp.window_size',
          'tcp.analysis.retransmission', 'tcp.analysis.keep_alive',
          'smb2.cmd', 'smb2.flags.response', 'smb2.msg_id', 'smb2.flags.async',
          'smb2.header.transform.msg_size', 'smb2.client_guid', 'smb.cmd')


def is_capture_file(path):
    """True if @path starts like a pcap or pcapng file."""
    with open(path, 'rb') as f:
        return f.read(4) in PCAP_MAGICS


@dataclass
class Pdu:
    """One SMB PDU as the capture shows it."""
    t: float
    frame: int
    from_client: bool
    cmd: int = None             # None: encrypted (transform) or SMB1
    response: bool = None
    mid: int = None
    encrypted: bool = False
    async_: bool = False
    smb1: bool = False

    def name(self):
        if self.encrypted:
            return 'an encrypted PDU'
        if self.smb1:
            return 'an SMB1 PDU'
        what = COMMANDS.get(self.cmd, 'command %s' % self.cmd)
        return '%s %s' % (what, 'response' if self.response else 'request')


@dataclass
class Segment:
    """The TCP facts of one frame of an SMB stream."""
    t: float
    frame: int
    from_client: bool
    length: int
    seq: int
    nxtseq: int
    ack: int
    syn: bool = False
    fin: bool = False
    rst: bool = False
    retransmission: bool = False
    keep_alive: bool = False
    win: int = None             # the window it advertises (scaled where the capture knows how)

    @property
    def edge(self):
        """The right edge of the receive window it advertises: moves when its
        sender's application reads (cifs_tx_progress())."""
        return None if self.win is None else self.ack + self.win


@dataclass
class Connection:
    stream: int
    client: tuple               # (ip, port)
    server: tuple
    direction_from: str = ''    # how the client side was told
    syn: float = None           # SYN from the client
    refused: bool = False       # SYN answered by RST, no data
    client_guid: str = None
    pdus: list = field(default_factory=list)
    segments: list = field(default_factory=list)

    @property
    def first(self):
        return self.segments[0].t if self.segments else None

    @property
    def last(self):
        return self.segments[-1].t if self.segments else None

    def label(self):
        return '%s:%s -> %s:%s' % (fmt_ip(self.client[0]), self.client[1],
                                   fmt_ip(self.server[0]), self.server[1])

    def closes(self):
        """(time, 'client'|'server', 'FIN'|'RST') in order."""
        out = []
        for s in self.segments:
            if s.fin or s.rst:
                out.append((s.t, 'client' if s.from_client else 'server',
                            'RST' if s.rst else 'FIN'))
        return out


def fmt_ip(ip):
    return '[%s]' % ip if ':' in ip else ip


@dataclass
class Capture:
    path: str
    packets: int = 0
    first: float = None
    last: float = None
    connections: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _tshark():
    exe = shutil.which('tshark')
    if not exe:
        raise BadInput('tshark is not installed: it reads the capture; '
                       "install it with 'apt-get install tshark' (or give the client's "
                       'kernel log instead)', tool_missing=True)
    return exe


def _run(args, path, truncated_ok):
    proc = subprocess.run([_tshark()] + args, capture_output=True, text=True,
                          check=False, errors='replace')
    err = ' '.join(line.strip() for line in proc.stderr.splitlines()
                   if 'Running as user' not in line and line.strip())
    if proc.returncode != 0:
        if 'cut short in the middle of a packet' in err or 'truncated' in err.lower():
            if not truncated_ok:
                n = len([x for x in proc.stdout.splitlines() if x.strip()])
                raise BadInput('%s is cut short in the middle of a packet (a truncated file: '
                               'copied before tcpdump had finished?). Copy it again once '
                               'tcpdump has stopped, or pass --truncated-ok to analyse what '
                               'comes before the cut (%d lines of it read)' % (path, n))
        elif "isn't a capture file" in err or 'unknown file format' in err.lower():
            raise BadInput('%s is not a capture tshark can read: %s' % (path, err.strip()))
        else:
            raise BadInput('tshark could not read %s: %s' % (path, err.strip() or
                                                             'exit status %d' % proc.returncode))
    return proc.stdout


def _bool(v):
    return v in ('1', 'True', 'true')


def _int(v, default=None):
    try:
        return int(v, 0)
    except (TypeError, ValueError):
        return default


def read_capture(path, truncated_ok=False, server_ports=()):
    """Return a Capture of the SMB connections in @path."""
    if not os.path.isfile(path):
        raise BadInput('%s: no such file' % path)
    if not os.access(path, os.R_OK):
        raise BadInput('%s: not readable (permissions?)' % path)
    if os.path.getsize(path) == 0:
        raise BadInput('%s is empty: no packets (did tcpdump capture on the right '
                       "interface? 'tcpdump -i any -w smb.pcap port 445')" % path)
    if not is_capture_file(path):
        raise BadInput('%s is not a pcap or pcapng capture' % path)
    cap = Capture(path=path)

    # pass 1: which streams carry SMB, on which ports; who opened them
    out = _run(['-r', path, '-n', '-Y', SMB_MAGIC_FILTER + ' || (tcp.flags.syn == 1 && tcp.flags.ack == 0)',
                '-T', 'fields', '-E', 'separator=\t',
                '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.dstport',
                '-e', 'tcp.flags.syn', '-e', 'tcp.flags.ack', '-e', 'tcp.len'],
               path, truncated_ok)
    smb_streams, syn_dst = {}, {}
    for line in out.splitlines():
        f = line.split('\t')
        if len(f) < 6 or not f[0]:
            continue
        stream, sport, dport = int(f[0]), int(f[1]), int(f[2])
        if _bool(f[3]) and not _bool(f[4]):
            syn_dst.setdefault(stream, dport)
            if (_int(f[5], 0) or 0) == 0:
                continue
        smb_streams.setdefault(stream, set()).update((sport, dport))
    if not smb_streams:
        count = _run(['-r', path, '-n', '-T', 'fields', '-e', 'frame.number'], path, truncated_ok)
        n = len(count.split())
        raise BadInput('%s holds %d packets but no SMB: no TCP segment starts an SMB2, SMB3 '
                       'or SMB1 message (capture the client\'s SMB port, e.g. '
                       "'tcpdump -i any -w smb.pcap port 445', and keep the payload: "
                       'no -s with a small snap length)' % (path, n))
    ports = set(server_ports)
    for stream, pset in smb_streams.items():
        if stream in syn_dst:
            ports.add(syn_dst[stream])
        elif not pset & set(WELL_KNOWN):
            ports.add(min(pset))
    # connection attempts to an SMB port that carried no SMB (refused, or
    # cut off before negotiate): a reconnect's tries
    for stream, dport in syn_dst.items():
        if dport in ports | set(WELL_KNOWN):
            smb_streams.setdefault(stream, set())
    decode = []
    for p in sorted(ports - set(WELL_KNOWN)):
        decode += ['-d', 'tcp.port==%d,nbss' % p]

    # pass 2: the SMB streams, frame by frame
    streams = ','.join(str(s) for s in sorted(smb_streams))
    args = ['-r', path, '-n', '-o', 'tcp.desegment_tcp_streams:FALSE',
            '-o', 'tcp.relative_sequence_numbers:TRUE'] + decode + [
        '-Y', 'tcp.stream in {%s}' % streams, '-T', 'fields',
        '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,']
    for fld in FIELDS:
        args += ['-e', fld]
    out = _run(args, path, truncated_ok)
    rows = []
    for line in out.splitlines():
        f = line.split('\t')
        if len(f) < len(FIELDS):
            continue
        rows.append(dict(zip(FIELDS, f)))
    total = _run(['-r', path, '-n', '-T', 'fields', '-e', 'frame.time_epoch'], path, truncated_ok).split()
    cap.packets = len(total)
    if total:
        cap.first, cap.last = float(total[0]), float(total[-1])
    cap.connections = _connections(rows, syn_dst, set(ports) | set(WELL_KNOWN))
    return cap


def _connections(rows, syn_dst, server_ports):
    conns = {}
    for r in rows:
        stream = int(r['tcp.stream'])
        src = r['ip.src'] or r['ipv6.src']
        dst = r['ip.dst'] or r['ipv6.dst']
        sport, dport = int(r['tcp.srcport']), int(r['tcp.dstport'])
        c = conns.get(stream)
        if c is None:
            c = Connection(stream=stream, client=None, server=None)
            c.endpoints = ((src, sport), (dst, dport))
            c.rows = []
            conns[stream] = c
        c.rows.append((r, (src, sport)))
    out = []
    for stream in sorted(conns):
        c = conns[stream]
        a, b = c.endpoints
        # who is the client: the SYN's sender, else the side of the SMB2
        # requests, else the side not on a server port
        client = None
        if stream in syn_dst:
            client = a if b[1] == syn_dst[stream] else b
            c.direction_from = 'the SYN'
        if client is None:
            votes = {a: 0, b: 0}
            for r, src in c.rows:
                for resp in r['smb2.flags.response'].split(','):
                    if resp in ('0', 'False'):
                        votes[src] += 1
                    elif resp in ('1', 'True'):
                        votes[b if src == a else a] += 1
            if votes[a] != votes[b]:
                client = a if votes[a] > votes[b] else b
                c.direction_from = 'the SMB2 request/response flags'
        if client is None:
            client = b if a[1] in server_ports and b[1] not in server_ports else a
            c.direction_from = 'the port numbers (a guess: no SYN, no readable SMB2 header)'
        c.client = client
        c.server = b if client == a else a
        for r, src in c.rows:
            _add_frame(c, r, src == client)
        if c.syn is not None and not c.pdus and any(s.rst and not s.from_client for s in c.segments):
            c.refused = True
        del c.rows, c.endpoints
        out.append(c)
    return out


def _add_frame(c, r, from_client):
    t = float(r['frame.time_epoch'])
    frame = int(r['frame.number'])
    seg = Segment(t=t, frame=frame, from_client=from_client,
                  length=_int(r['tcp.len'], 0) or 0,
                  seq=_int(r['tcp.seq'], 0) or 0,
                  nxtseq=_int(r['tcp.nxtseq'], 0) or 0,
                  ack=_int(r['tcp.ack'], 0) or 0,
                  win=_int(r.get('tcp.window_size', '')),
                  syn=_bool(r['tcp.flags.syn']), fin=_bool(r['tcp.flags.fin']),
                  rst=_bool(r['tcp.flags.reset']),
                  retransmission=_bool(r['tcp.analysis.retransmission']),
                  keep_alive=_bool(r['tcp.analysis.keep_alive']))
    c.segments.append(seg)
    if seg.syn and from_client and not _bool(r['tcp.flags.ack']) and c.syn is None:
        c.syn = t
    if seg.retransmission or seg.keep_alive:
        return      # the same bytes again: not a new PDU
    cmds = [x for x in r['smb2.cmd'].split(',') if x != '']
    resp = r['smb2.flags.response'].split(',')
    mids = r['smb2.msg_id'].split(',')
    asyncs = r['smb2.flags.async'].split(',')
    for i, cmd in enumerate(cmds):
        c.pdus.append(Pdu(t=t, frame=frame, from_client=from_client, cmd=int(cmd),
                          response=_bool(resp[i]) if i < len(resp) else None,
                          mid=_int(mids[i]) if i < len(mids) else None,
                          async_=_bool(asyncs[i]) if i < len(asyncs) else False))
    for _ in [x for x in r['smb2.header.transform.msg_size'].split(',') if x != '']:
        c.pdus.append(Pdu(t=t, frame=frame, from_client=from_client, encrypted=True))
    for _ in [x for x in r['smb.cmd'].split(',') if x != '']:
        c.pdus.append(Pdu(t=t, frame=frame, from_client=from_client, smb1=True))
    guid = r['smb2.client_guid'].split(',')[0]
    if guid and from_client and c.client_guid is None:
        c.client_guid = guid
