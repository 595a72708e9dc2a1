# SPDX-License-Identifier: GPL-2.0
"""The replays reproduce what the capture shows, or say that they do not
(issue #26): the stock check as the kernel runs it (before every socket
read, the PDU that ends a silence over 3E thrown away; 7 s wake-ups), the
fixed schedule as the series' v2 runs it, and findings where they and the
capture disagree."""

import pytest

from conftest import audit, cached, fixture, needs_tshark
from echoaudit import model

SERVER = ['lift-server-slice.pcap', 'lift-server.pcap']
CLIENT = ['lift-client-slice.pcap', 'lift-client.pcap']


# ------------------------------------------------------ on the fixtures

def check_problems(doc):
    """The capture through the stock check must reproduce the reconnect."""
    p = []
    c = doc['connections'][0]
    rc = c['reconnect']
    ck = c['check']['stock-3E']
    if not ck['gave_up'] or ck['cause'] != 'reply':
        p.append('the 3E check did not give up on a reply: %s' % ck)
    elif not 6.0 < ck['silence'] < 7.0:
        p.append('the 3E check gave up after %.2f s' % ck['silence'])
    elif not 0 <= rc['at'] - ck['at'] < 0.1:
        p.append('the 3E check gave up %.3f s before the reconnect' % (rc['at'] - ck['at']))
    if not ck.get('reproduces_reconnect'):
        p.append('the 3E check is not said to reproduce the reconnect')
    ck2 = c['check']['stock-2E']
    if not ck2['gave_up'] or rc['at'] - ck2['at'] < 10 or ck2.get('reproduces_reconnect'):
        p.append('the 2E check: %s' % ck2)
    if 'the 3E check reproduces 1, the 2E check 0' not in doc['summary']:
        p.append('the summary does not say which check reproduces it')
    return p


@needs_tshark
@pytest.mark.parametrize('name', SERVER + CLIENT)
def test_stock_check_reproduces_the_reconnect(name):
    assert check_problems(cached(name, e=2)) == []


@needs_tshark
@pytest.mark.parametrize('name', SERVER)
def test_server_side_model_disagreement_is_a_finding(name):
    doc = cached(name, e=2)
    c = doc['connections'][0]
    assert not c['replay']['stock-3E']['gave_up']
    assert len(c['findings']) == 1
    assert 'the schedule model does not reproduce this reconnect' in c['findings'][0]
    assert '1 finding where a replay and the capture disagree' in doc['summary']
    assert 'FINDING: the schedule model does not reproduce' in cached(name, e=2, text=True)


@needs_tshark
@pytest.mark.parametrize('name', CLIENT)
def test_client_side_model_reproduces_the_reconnect(name):
    doc = cached(name, e=2)
    c = doc['connections'][0]
    st = c['replay']['stock-3E']
    assert st['gave_up'] and st['cause'] == 'reply'
    assert abs(st['at'] - c['check']['stock-3E']['at']) < 0.1
    assert 6.0 < st['silence'] < 7.0
    # the fixed schedule echoes on its grid through the same link: no give-up
    assert not c['replay']['fixed']['gave_up']
    assert c['replay']['fixed']['longest_silence'] < 6.0
    assert c['findings'] == []
    assert 'finding' not in doc['summary']


@needs_tshark
def test_mutant_check_that_reads_the_pdu_first_is_caught(monkeypatch):
    """A check that takes the PDU in before judging (the fixed series'
    behaviour, not the stock kernel's) gives the server up only at the next
    wake-up, if at all: the reconnect is no longer reproduced."""
    real = model.check_replay

    def reads_first(pdus, interval_s, intervals, end, lstrp0=None):
        res = real(pdus, interval_s, intervals, end, lstrp0)
        if res.gave_up and res.cause == 'reply':
            return model.ReplayResult(rule=res.rule, longest_silence=res.longest_silence)
        return res
    monkeypatch.setattr(model, 'check_replay', reads_first)
    assert check_problems(audit(fixture('lift-client-slice.pcap'), e=2))


@needs_tshark
def test_mutant_replay_without_throw_away_is_caught(monkeypatch):
    monkeypatch.setattr(model, 'stock_unresponsive', lambda *a: False)
    doc = audit(fixture('lift-client-slice.pcap'), e=2)
    assert not doc['connections'][0]['replay']['stock-3E']['gave_up']


# ------------------------------------------------------- the model alone

def test_check_throws_away_the_reply_that_ends_a_long_silence():
    res = model.check_replay([0.0, 2.0, 8.5], 2, 3, end=20)
    assert res.gave_up and res.cause == 'reply' and res.at == 8.5
    assert res.silence == pytest.approx(6.5)


def test_check_gives_up_at_a_7s_wakeup():
    # E = 2: the wake-up 7 s after the last read comes before the reply
    res = model.check_replay([0.0, 10.0], 2, 3, end=20)
    assert res.gave_up and res.cause == 'wake' and res.at == pytest.approx(7.0)
    # E = 3 (3E = 9 s): the first wake-up (7 s) is too early, the second
    # one (14 s) gives up
    res = model.check_replay([0.0, 30.0], 3, 3, end=40)
    assert res.gave_up and res.cause == 'wake' and res.at == pytest.approx(14.0)
    # a reply before it keeps the server
    res = model.check_replay([0.0, 6.0, 11.0], 2, 3, end=11.5)
    assert not res.gave_up


def test_2e_limit():
    res = model.check_replay([0.0, 4.1], 2, 2, end=10)
    assert res.gave_up and res.at == 4.1


def test_fixed_check_looks_every_eighth_interval():
    res = model.check_replay_fixed([0.0, 10.0], 2, end=20)
    # E / 8 = 500 // 8 = 62 jiffies at HZ 250 (248 ms): the first look
    # after 3E = 6 s is the 25th, at 6.2 s
    assert res.gave_up and res.at == pytest.approx(25 * 62 / 250) and res.cause == 'wake'
    assert not model.check_replay_fixed([0.0, 5.0, 10.0], 2, end=10.5).gave_up


def test_v2_helpers():
    hz = 250
    e = 2 * hz
    assert model.echo_next(1000, e, 900) == 1000
    assert model.echo_next(1000, e, 1000) == 1500
    assert model.echo_next(1000, e, 2100) == 2500      # late: the next point, no burst
    assert model.echo_needed(other=400, deadline=1000, interval=e, sending=False)
    assert not model.echo_needed(other=600, deadline=1000, interval=e, sending=False)
    assert not model.echo_needed(other=0, deadline=1000, interval=e, sending=True)
    assert model.recv_timeout_v2(e, hz) == 62
    assert model.recv_timeout_v2(600 * hz, hz) == 7 * hz
    assert model.recv_timeout_v2(3, hz) == 1
    assert model.tx_progress(10, 5, 10, 5, True, 700, 600) == 700       # read at line rate
    assert model.tx_progress(10, 10, 20, 10, True, 700, 600) == 600     # buffer filling
    assert model.tx_progress(5010, 5000, 5800, 0, True, 700, 600) == 600  # a scaled window's creep
    assert model.tx_progress(5072, 5000, 72, 0, False, 700, 600) == 600  # our echo, all taken in
    assert model.server_heard(100, 200) == 200
    assert not model.server_silent(0, e, 3 * e)
    assert model.server_silent(0, e, 3 * e + 1)
    # wrap-safe
    top = model.ULONG_MOD - 10
    assert model.server_silent(top, e, model.ulong(top + 3 * e + 1))


def test_fixed_replay_on_a_slow_link():
    """The fixed schedule on a 1.5 s link at E = 2 s: no skip (its own echo
    replies are no reason to skip), no give-up."""
    res = model.replay('fixed', 2, 0.0, 60.0, [], lambda t: 1.5, lstrp0=-2.0)
    assert not res.gave_up and not res.skipped
    assert len(res.echoes) >= 29
    gaps = [b - a for a, b in zip(res.echoes, res.echoes[1:])]
    assert max(gaps) - min(gaps) < 0.05 and abs(sum(gaps) / len(gaps) - 2.0) < 0.01


def test_stock_replay_on_a_slow_link_skips_every_second_echo():
    res = model.replay('stock-3E', 2, 0.0, 60.0, [], lambda t: 1.5, lstrp0=-2.0)
    assert not res.gave_up
    gaps = [b - a for a, b in zip(res.echoes, res.echoes[1:])]
    assert all(3.9 < g < 4.2 for g in gaps)
    # at 2E the 4 s silences are over the limit: given up on a reply
    res2 = model.replay('stock-2E', 2, 0.0, 60.0, [], lambda t: 1.5, lstrp0=-2.0)
    assert res2.gave_up and res2.cause == 'reply'


def test_fixed_replay_skips_after_another_response():
    res = model.replay('fixed', 10, 0.0, 25.0, [15.0], lambda t: 0.01, lstrp0=-1.0)
    # the 15 s response came after the 10 s deadline: the 20 s echo is skipped
    assert [round(t) for t in res.echoes] == [0, 10]
    assert [round(t) for t, _ in res.skipped] == [20]
