# SPDX-License-Identifier: GPL-2.0
"""Helpers of the Python tests (make test): the report scripts of scripts/
have no .py suffix, so they are loaded by path; fixtures are copied to a
temporary directory first, since every report writes DIR/report.md."""
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, 'scripts')
DATA = os.path.join(ROOT, 'tests', 'data')
sys.path.insert(0, os.path.join(SCRIPTS, 'echo-audit'))     # echoaudit, as the scripts themselves do


def load_script(rel):
    """The module of scripts/REL (a Python script without .py)."""
    path = os.path.join(SCRIPTS, rel)
    name = 'script_' + rel.replace('-', '_').replace('/', '_')
    loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.util.spec_from_loader(name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def run_script(rel, *args, env=None):
    """Run scripts/REL as the shell scripts do; (exit status, stdout)."""
    p = subprocess.run([sys.executable, os.path.join(SCRIPTS, rel), *args], capture_output=True,
                       text=True, env={**os.environ, **(env or {})}, check=False)
    return p.returncode, p.stdout + p.stderr


