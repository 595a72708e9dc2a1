# SPDX-License-Identifier: GPL-2.0
"""echo-audit's fast tests (issue #26): offline, on the captures the test
host recorded (fixtures/, made by scripts/echo-audit/fixtures)."""

import functools
import os
import shutil
import subprocess
import sys
import types

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(ROOT, 'scripts', 'echo-audit')
FIXTURES = os.path.join(HERE, 'fixtures')
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)

from echoaudit import capture, cli, fixtures  # noqa: E402

# tshark reads each capture once per session: the analysis does not change
# what read_capture() returns
_read = capture.read_capture


@functools.lru_cache(maxsize=None)
def _read_cached(path, mtime, truncated_ok):
    return _read(path, truncated_ok=truncated_ok)


def _read_capture(path, truncated_ok=False, server_ports=()):
    if server_ports:
        return _read(path, truncated_ok=truncated_ok, server_ports=server_ports)
    return _read_cached(os.path.abspath(path), os.path.getmtime(path), truncated_ok)


cli.read_capture = _read_capture

needs_tshark = pytest.mark.skipif(shutil.which('tshark') is None,
                                  reason='tshark (Debian package tshark) is not installed')


def fixture(name):
    return os.path.join(FIXTURES, name)


def audit(path, e=None, hz=None, text=False):
    """The tool's JSON (or text) for @path, computed in this process (so that
    a test's monkeypatch takes effect)."""
    args = types.SimpleNamespace(echo_interval=e, hz=hz, json=not text, utc=True,
                                 truncated_ok=False)
    return cli.run_one(path, args, cli.Clock(utc=True))[1]


@functools.lru_cache(maxsize=None)
def cached(name, e=None, hz=None, text=False):
    return audit(fixture(name), e, hz, text)


def editcap(src, dst, t0=None, t1=None):
    """A slice of a capture, as the fixtures are cut (echoaudit.fixtures)."""
    fixtures.cut(src, dst, t0, t1)
