# SPDX-License-Identifier: GPL-2.0
"""scripts/support-table: make check's support table from its steps' results."""
from reportlib import load_script

st = load_script('support-table')

STEPS = """\
deb12-6.1 6.1.0-57-amd64 amd64 series ok
deb12-6.1 6.1.0-57-amd64 amd64 testhost ok
deb12-6.1 6.1.0-57-amd64 amd64 kunit ok (slow case)
deb12-6.1 6.1.0-57-amd64 rt-amd64 series ok
deb12-6.1 6.1.0-57-amd64 rt-amd64 testhost FAIL
sid-7.2 - cloud-amd64 resolve FAIL
sid-7.2 7.2.13+deb14-cloud-amd64 cloud-amd64 series ok
deb14-7.9 - amd64 unavailable not in the archive today
"""


def rows(text, date='2026-12-04'):
    return st.table(text.splitlines(), date).splitlines()


def test_one_row_per_target_and_flavour():
    r = rows(STEPS)
    assert r[0].startswith('| target | ABI | flavour |')
    assert len(r) == 2 + 4
    assert r[2] == '| deb12-6.1 | 6.1.0-57-amd64 | amd64 | ok | ok | ok | ok (slow case) | 2026-12-04 |'
    assert r[3] == '| deb12-6.1 | 6.1.0-57-amd64 | rt-amd64 | ok | see log | FAIL | - | 2026-12-04 |'


def test_abi_resolved_later_wins_and_unavailable_says_why():
    r = rows(STEPS)
    assert r[4] == '| sid-7.2 | 7.2.13+deb14-cloud-amd64 | cloud-amd64 | ok | - | - | - | 2026-12-04 |'
    assert r[5] == '| deb14-7.9 | - | amd64 | unavailable: not in the archive today | | | | 2026-12-04 |'


def test_no_steps_is_an_empty_table():
    assert len(rows('')) == 2
