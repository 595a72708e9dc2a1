# SPDX-License-Identifier: GPL-2.0
"""No verdict stated as certain that rests on an inferred E (issue #26).

The fixtures are one run of Debian 12's stock cifs.ko (6.1) at
echo_interval=2 behind a 1.5 s delay on the client's packets (every second
echo skipped: the one-second rule), the delay then lifted so that the first
reply after a 6.4 s silence ends it and the client reconnects: captured on
the server's side (the host's loopback) and on the client's (inside the
guest, before netem). The slices hold only the delayed phase and the
reconnect: their cadence (4.03 s) is what E = 2 s with every second echo
skipped makes, and also E = 4 s (the daisy chain at HZ 1000, or a
fixed-rate grid), and the verdict differs between them.
"""

import json

import pytest

from conftest import audit, cached, editcap, fixture, needs_tshark
from echoaudit import analyse, capture

pytestmark = needs_tshark
SLICES = ['lift-server-slice.pcap', 'lift-client-slice.pcap']
WHOLE = ['lift-server.pcap', 'lift-client.pcap']


def undecided_problems(doc):
    """What an undecided slice must show: no certain verdict, both
    candidates with their verdicts, the same in the summary and JSON."""
    p = []
    c = doc['connections'][0]
    rc = c['reconnect']
    if c['echo_interval'] is not None or c['echo_interval_decided']:
        p.append('E stated as %s (decided %s)' % (c['echo_interval'], c['echo_interval_decided']))
    if not rc or rc['verdict'] != 'undecided':
        p.append('verdict %s, not undecided' % (rc and rc['verdict']))
    else:
        if rc['verdicts_by_interval'] != {'2': 'echo-bug', '4': 'short'}:
            p.append('verdicts by interval %s' % rc['verdicts_by_interval'])
        if rc['over_2E'] is not None or rc['over_3E'] is not None:
            p.append('over_2E/over_3E stated for an undecided E')
    cands = {x['echo_interval']: x for x in c['echo_interval_candidates']}
    if sorted(cands) != [2.0, 4.0]:
        p.append('candidates %s, not 2 and 4 s' % sorted(cands))
    else:
        if cands[2.0]['every'] != 2 or cands[4.0]['every'] != 1:
            p.append('E = 2 s is not the every-second-echo-skipped candidate')
        if not cands[2.0]['check']['stock-3E']['reproduces_reconnect']:
            p.append('the 3E check does not reproduce the reconnect with E = 2 s')
        if cands[4.0]['check']['stock-3E']['gave_up']:
            p.append('the 3E check gives up with E = 4 s')
    s = doc['summary']
    for want in ('1 undecided', 'the echo bug if E = 2 s', 'not the echo check if E = 4 s',
                 'pass --echo-interval', 'E = 2 s or 4 s'):
        if want not in s:
            p.append('summary lacks %r' % want)
    for bad in ('1 not the echo check', '1 the echo bug', 'Echo interval E = 4 s',
                'Echo interval E = 2 s'):
        if bad in s:
            p.append('summary says %r' % bad)
    return p


@pytest.mark.parametrize('name', SLICES)
def test_slice_without_e_is_undecided(name):
    assert undecided_problems(cached(name)) == []


@pytest.mark.parametrize('name', SLICES)
def test_slice_text_says_the_same(name):
    text = cached(name, text=True)
    doc = cached(name)
    # the summary paragraph of the text is the JSON's summary
    para = ' '.join(text.split('\n\n')[1].split())
    assert para == ' '.join(doc['summary'].split())
    row = [line for line in text.splitlines() if line.startswith('0  ')][0]
    assert 'reconnect: undecided (the echo bug if E = 2 s, not the echo check if E = 4 s)' in row
    assert '2 or 4 s?' in row
    assert 'VERDICT: undecided' in text
    assert 'VERDICT: the client closed' not in text


@pytest.mark.parametrize('name', SLICES + WHOLE)
def test_echo_interval_given_decides(name):
    doc = cached(name, e=2)
    c = doc['connections'][0]
    assert c['echo_interval'] == 2 and c['echo_interval_decided']
    assert c['echo_interval_candidates'] == []
    assert c['reconnect']['verdict'] == 'echo-bug'
    assert c['reconnect']['over_3E'] is True
    assert 6.0 < c['reconnect']['silence'] < 7.0
    assert '1 reconnect: 1 the echo bug' in doc['summary']


def test_wrong_echo_interval_given_is_taken_as_given():
    c = cached('lift-server-slice.pcap', e=4)['connections'][0]
    assert c['echo_interval'] == 4 and c['reconnect']['verdict'] == 'short'


@pytest.mark.parametrize('name', WHOLE)
def test_whole_capture_decides_from_the_undelayed_cadence(name):
    doc = cached(name)
    c = doc['connections'][0]
    assert c['echo_interval'] == 2 and c['echo_interval_decided']
    assert c['schedule'] == 'daisy chain' and c['hz'] == 250
    assert c['reconnect']['verdict'] == 'echo-bug'
    assert 'Echo interval E = 2 s (inferred' in doc['summary']


def test_the_reconnect_decides_through_its_successor(tmp_path):
    """The delayed phase and the new connection's undelayed echoes, without
    the idle phase: the new connection (same mount, same ClientGuid) fits
    only E = 2 s, so the old one's E is decided too."""
    t0 = capture.read_capture(fixture('lift-server-slice.pcap')).first
    path = str(tmp_path / 'slow-to-end.pcap')
    editcap(fixture('lift-server.pcap'), path, t0=t0)
    doc = audit(path)
    c0, c1 = doc['connections'][:2]
    assert c0['reconnect']['successor'] == c1['stream']
    assert c0['echo_interval'] == 2 and c0['echo_interval_decided']
    assert 'also fits connection %d' % c1['stream'] in c0['echo_interval_source']
    assert c0['reconnect']['verdict'] == 'echo-bug'
    assert 'undecided' not in doc['summary']


def test_hz_does_not_decide_against_a_fixed_rate_grid():
    """--hz 250 rules out E = 4 s as the daisy chain (4.096 s at HZ 250), not
    as a fixed-rate grid: still undecided."""
    doc = cached('lift-server-slice.pcap', hz=250)
    assert doc['connections'][0]['reconnect']['verdict'] == 'undecided'


def test_mutant_without_candidates_is_caught(monkeypatch):
    """The check above can fail: with the candidates switched off the tool
    goes back to the confident E = 4 s of issue #26."""
    monkeypatch.setattr(analyse, 'interval_candidates', lambda times, iv, hz=None: [])
    doc = audit(fixture('lift-server-slice.pcap'))
    probs = undecided_problems(doc)
    assert probs
    assert doc['connections'][0]['reconnect']['verdict'] == 'short'


def test_mutant_without_half_interval_is_caught(monkeypatch):
    real = analyse.interval_candidates
    monkeypatch.setattr(analyse, 'interval_candidates',
                        lambda times, iv, hz=None: [c for c in real(times, iv, hz) if c.every == 1])
    assert undecided_problems(audit(fixture('lift-client-slice.pcap')))


def test_json_is_valid_and_complete():
    doc = cached('lift-server-slice.pcap')
    json.dumps(doc)
    c = doc['connections'][0]
    assert c['skipped'] is None and c['replay'] == {} and c['check'] == {}
    assert {x['skipped'] for x in c['echo_interval_candidates']} == {7, 1}


# ------------------------------------------------- the client's kernel log

def _log_slice(tmp_path):
    """The client's log from the delayed phase to the reconnect: no echo of
    the idle phase, so the cadence alone fits E = 2 s and 4 s."""
    out, keep = [], False
    for line in open(fixture('lift-client.dmesg')):
        keep = keep or 'audit: slow begin' in line
        if 'audit: lift end' in line:
            break
        if keep:
            out.append(line)
    p = tmp_path / 'slow.dmesg'
    p.write_text(''.join(out))
    return str(p)


def test_log_give_up_decides_between_candidates(tmp_path):
    """'has not responded in 6 seconds' is 3E (or 2E before 2019): E = 2 s
    or 3 s; of the cadence's 2 s and 4 s only 2 s fits."""
    doc = audit(_log_slice(tmp_path))
    c = doc['connections'][0]
    assert c['echo_interval'] == 2
    assert 'only E = 2 s fits the give-up' in c['echo_interval_source']
    assert [g['limit'] for g in c['gave_up']] == ['6 s = 3 E']
    assert [g['verdict'] for g in c['gave_up']] == ['echo-bug']


def test_log_whole_agrees():
    doc = cached('lift-client.dmesg')
    c = doc['connections'][0]
    assert c['echo_interval'] == 2 and 'agrees' in c['echo_interval_source']
    assert [g['verdict'] for g in c['gave_up']] == ['echo-bug']


def test_log_mutant_without_the_give_up_is_caught(tmp_path, monkeypatch):
    from echoaudit import logs
    monkeypatch.setattr(logs, '_interval_from_give_up', lambda c, iv: iv)
    c = audit(_log_slice(tmp_path))['connections'][0]
    assert c['echo_interval'] == 4 and c['gave_up'][0]['limit'] == '6 s = 1.5 E'
