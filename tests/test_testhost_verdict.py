# SPDX-License-Identifier: GPL-2.0
"""scripts/testhost/verdict: the test host's PASS/FAIL from the guest's
console log and the host's facts; one case per reason, in its order."""
from reportlib import load_script

tv = load_script('testhost/verdict')

FACTS = dict(MODE='/build/cifs.ko', QEMU_RC='0', TIMEOUT_S='300', STOCK_SRCVERSION='AAA',
             INJECT='/build/cifs.ko', INJECT_SRCVERSION='BBB', INJECT_ECHOFIX='cifs-echofix 0.3.0',
             HOST_MD5='0123abcd', SERVER='samba', SHARE_DIR='/tmp/share', SERVER_SPLATS='',
             MANIFEST_BAD='', ALLOW_SAME_SRCVERSION='')
LOG = """\
TESTHOST: OK modprobe
TESTHOST: INFO path /lib/modules/6.1.0-57-amd64/updates/dkms/cifs.ko.xz
TESTHOST: INFO srcversion BBB
TESTHOST: INFO echofix cifs-echofix 0.3.0
TESTHOST: INFO tainted 4096
TESTHOST: OK mount //10.0.2.2/share
[   12.000000] CIFS: Attempting to mount //10.0.2.2/share
TESTHOST: OK io 1048576 bytes md5=0123abcd
TESTHOST: DONE
"""


def judge(log=LOG, **over):
    return tv.verdict(dict(FACTS, **over), log.splitlines())


def test_good_run_passes_and_reports_what_it_found():
    reason, found = judge()
    assert reason == ''
    assert found['srcversion'] == 'BBB' and found['echofix'] == 'cifs-echofix 0.3.0'
    assert found['path'].endswith('/updates/dkms/cifs.ko.xz')
    assert found['mount_ok'] == 'yes' and found['io_ok'] == 'yes'


def test_stock_run_wants_the_stock_srcversion():
    assert judge(LOG.replace('srcversion BBB', 'srcversion AAA'), MODE='stock', INJECT='')[0] == ''
    assert judge(MODE='stock', INJECT='')[0] == \
        "step srcversion: guest loaded srcversion 'BBB', stock cifs.ko has AAA"


def test_each_reason_in_order():
    cases = [
        (dict(log=LOG.replace('TESTHOST: DONE', 'TESTHOST: FAIL umount busy\nTESTHOST: DONE')),
         'step umount failed: busy'),
        (dict(log=LOG + '[   13.000000] WARNING: CPU: 0 PID: 1 at fs/smb/client/connect.c:42\n'),
         'kernel log after step io: [   13.000000] WARNING: CPU: 0 PID: 1 at fs/smb/client/connect.c:42'),
        (dict(SERVER_SPLATS='BUG: KASAN: use-after-free', SERVER='ksmbd'),
         "the ksmbd server's kernel log: BUG: KASAN: use-after-free"),
        (dict(QEMU_RC='124'), 'timeout: QEMU killed after 300 s; last step passed: io'),
        (dict(log=LOG.replace('TESTHOST: DONE\n', '')),
         'guest stopped without DONE (qemu exit 0); last step passed: io'),
        (dict(QEMU_RC='1'), 'qemu exited 1'),
        (dict(INJECT_SRCVERSION='CCC'),
         "step srcversion: guest loaded srcversion 'BBB', injected /build/cifs.ko has CCC"),
        (dict(STOCK_SRCVERSION='BBB'), 'step srcversion: guest loaded the stock srcversion BBB'),
        (dict(INJECT_ECHOFIX='cifs-echofix 0.2.0'),
         "step modinfo: guest echofix field 'cifs-echofix 0.3.0', injected module has 'cifs-echofix 0.2.0'"),
        (dict(HOST_MD5='ffff'),
         "step io: the file on the server (samba: /tmp/share/testhost.dat, md5 ffff) does not match the guest's md5 0123abcd"),
        (dict(MANIFEST_BAD='--manifest: listing the samba share failed'),
         '--manifest: listing the samba share failed'),
    ]
    for over, want in cases:
        assert judge(**over)[0] == want, over


def test_same_srcversion_allowed_when_asked():
    assert judge(STOCK_SRCVERSION='BBB', ALLOW_SAME_SRCVERSION='1')[0] == ''


def test_guest_lines_are_not_kernel_reports():
    log = LOG.replace('TESTHOST: OK modprobe', 'TESTHOST: INFO note WARNING: in a guest line')
    assert judge(log)[0] == ''


def test_the_report_list_is_lib_sh_s():
    assert tv.splat_re().search('BUG: KFENCE: out-of-bounds read')
    assert not tv.splat_re().search('CIFS: VFS: \\\\10.0.2.2 has not responded in 6 seconds.')
