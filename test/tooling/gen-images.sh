#!/usr/bin/env bash
# gen-images.sh OUTDIR -- build the disk-image test corpus.
#
# Imago's own copy of the shared corpus generator (same images, same manifest format), used by
# test/formats/corpus.test.ts; the project must not depend on anything outside itself at run
# time. Keep the two in step when the shared one gains images.
#
# Writes small, deterministic test images into OUTDIR together with
# OUTDIR/manifest.json (expected format, virtual size, accept/reject verdict,
# reason key, and the qemu-img info output for reference).  Some images are
# deliberately hostile (they point at host files such as /etc/passwd); the
# script itself never converts or boots them, it only runs `qemu-img info`
# (read-only) on them.  Re-running is safe: files listed in an existing
# OUTDIR/manifest.json are replaced.
#
# Needs only Debian packages:
#   apt-get install qemu-utils xorriso gdisk fdisk util-linux gzip python3
# Runs as an ordinary user; no loop devices or root needed.
set -euo pipefail
if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
missing=""
for c in python3 qemu-img xorriso sgdisk sfdisk gzip fallocate; do
    command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ -n "$missing" ]; then
    echo "missing commands:$missing" >&2
    echo "install: apt-get install qemu-utils xorriso gdisk fdisk util-linux gzip python3" >&2
    exit 1
fi
mkdir -p -- "$1"
export LC_ALL=C TZ=UTC
exec python3 - "$1" <<'PY'
# ---------------------------------------------------------------------------
# Helpers.
# ---------------------------------------------------------------------------
import hashlib, json, os, re, shutil, struct, subprocess, sys

OUT = os.path.abspath(sys.argv[1])
TMP = os.path.join(OUT, '.gen-tmp')
MiB = 1 << 20
VSIZE = 16 * MiB                      # virtual size of the ordinary test images
POLICY_MAX_VIRTUAL_SIZE = 1 << 40     # 1 TiB: the limit the verdicts assume
SDE = 1700000000                      # fixed timestamp (2023-11-14T22:13:20Z)
ENV = dict(os.environ, LC_ALL='C', TZ='UTC', SOURCE_DATE_EPOCH=str(SDE))

REASON_KEYS = {
    'backing_file': 'image names a backing/parent image that a consumer would open '
                    '(any format that can express one)',
    'data_file': 'qcow2 external data file',
    'vmdk_extent_outside': 'VMDK whose data extents are, or may be, outside the '
                           'uploaded file (anything but a self-contained '
                           'monolithicSparse/streamOptimized VMDK)',
    'format_mismatch': 'declared disk format does not match the detected content',
    'multiple_formats': 'content matches more than one format signature (polyglot); '
                        'ISO+MBR/GPT hybrids are the one allowed combination',
    'truncated': 'file ends before structures its header declares',
    'invalid_header': 'format magic present but header fields are invalid or '
                      'unsupported (version, cluster bits, offsets...)',
    'virtual_size_too_large': 'declared virtual size above policy '
                              '(max_virtual_size_bytes)',
    'unknown_feature': 'qcow2 incompatible-feature bits the service does not know',
    'encrypted': 'encrypted image (qcow2 LUKS/AES, LUKS container)',
    'unsupported_format': 'recognised format the service must not accept as a '
                          'disk image (qed, qcow v1, parallels, gzip/xz/zstd '
                          'containers, ...)',
}

def sh(*cmd, cwd=None, check=True, stdin=None):
    io = {'input': stdin} if stdin is not None else {'stdin': subprocess.DEVNULL}
    p = subprocess.run([str(c) for c in cmd], cwd=cwd or TMP, env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, **io)
    if check and p.returncode != 0:
        sys.exit('command failed: %s\n%s' % (' '.join(map(str, cmd)),
                                            p.stderr.decode(errors='replace')))
    return p

def qimg(*args, **kw):
    return sh('qemu-img', *args, **kw)

def qimg_retry(*args, tries=8):
    # LUKS creation benchmarks PBKDF2 with thread CPU time and fails at random
    # ("Unable to get accurate CPU usage") on coarse-clocked VMs: retry.
    for i in range(tries):
        p = sh('qemu-img', *args, check=(i == tries - 1))
        if p.returncode == 0:
            return p

def tmp(name):
    return os.path.join(TMP, name)

def prng(seed, n):
    """Deterministic pseudo-random bytes (SHA-256 in counter mode)."""
    buf = bytearray()
    c = 0
    while len(buf) < n:
        buf += hashlib.sha256(seed + c.to_bytes(8, 'big')).digest()
        c += 1
    return bytes(buf[:n])

def write_payload(path, size=VSIZE):
    """A 16 MiB raw disk with recognisable, deterministic content."""
    with open(path, 'wb') as f:
        f.truncate(size)
        for off, data in (
                (0, (b'CORPUS-PAYLOAD-v1 sector0 ' * 20)[:512]),
                (1 * MiB, prng(b'incompressible', 256 << 10)),
                (4 * MiB, (b'compressible text block. ' * 21000)[:512 << 10]),
                (size - 512, (b'CORPUS-PAYLOAD-v1 last-sector ' * 20)[:512])):
            f.seek(off)
            f.write(data)

def patch(path, offset, data):
    with open(path, 'r+b') as f:
        f.seek(offset)
        f.write(data)

def replace_once(path, old, new):
    assert len(old) == len(new), (old, new)
    with open(path, 'rb') as f:
        d = f.read()
    assert d.count(old) == 1, (path, old, d.count(old))
    with open(path, 'wb') as f:
        f.write(d.replace(old, new))

def truncate_copy(src, dst, length):
    with open(src, 'rb') as f, open(dst, 'wb') as g:
        g.write(f.read(length))

def guid(n):
    return bytes([0x5e, 0xed, 0x00, n & 0xff] + [0x11] * 12)

# --- normalisers: qemu-img writes random UUIDs/CIDs/timestamps; pin them ---
_CRC32C = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C.append(_c)

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF

def vmdk_desc_region(path):
    with open(path, 'rb') as f:
        h = f.read(512)
    assert h[:4] == b'KDMV', path
    desc_sec, desc_num = struct.unpack_from('<QQ', h, 28)
    return desc_sec * 512, desc_num * 512

def vmdk_write_desc(path, text):
    off, size = vmdk_desc_region(path)
    data = text.encode('ascii')
    assert len(data) < size
    patch(path, off, data.ljust(size, b'\0'))

def fix_vmdk(path):
    """Pin the random CID of a sparse VMDK's embedded descriptor."""
    off, size = vmdk_desc_region(path)
    with open(path, 'rb') as f:
        f.seek(off)
        text = f.read(size).split(b'\0')[0]
    text = re.sub(rb'(?m)^CID=[0-9a-fA-F]+', b'CID=5eed0001', text)
    patch(path, off, text.ljust(size, b'\0'))

def fix_vmdk_text(path):
    with open(path, 'rb') as f:
        text = f.read()
    text = re.sub(rb'(?m)^CID=[0-9a-fA-F]+', b'CID=5eed0001', text)
    with open(path, 'wb') as f:
        f.write(text)

def vpc_footer_fix(buf):
    b = bytearray(buf)
    struct.pack_into('>I', b, 24, SDE - 946684800)   # VHD epoch is 2000-01-01
    b[68:84] = guid(0x68)
    struct.pack_into('>I', b, 64, 0)
    struct.pack_into('>I', b, 64, (~sum(b)) & 0xFFFFFFFF)
    return bytes(b)

def fix_vpc(path):
    """Pin timestamp/UUID of the VHD footer(s) and recompute the checksum."""
    n = os.path.getsize(path)
    with open(path, 'r+b') as f:
        for off in (0, n - 512):
            f.seek(off)
            b = f.read(512)
            if b[:8] == b'conectix':
                f.seek(off)
                f.write(vpc_footer_fix(b))

def fix_vdi(path):
    patch(path, 0x188, guid(0x88) + guid(0x98))   # uuid_image, uuid_last_snap

VHDX_METADATA_REGION = bytes.fromhex('06a27c8b90479a4bb8fe575f050f886e')
VHDX_FILE_PARAMS = bytes.fromhex('3767a1ca36fa434db3b633f0aa44e76b')
VHDX_PAGE83 = bytes.fromhex('ab12cabee6b2234593efc309e000c746')

def vhdx_metadata_offset(path):
    with open(path, 'rb') as f:
        f.seek(192 << 10)
        rt = f.read(64 << 10)
    assert rt[:4] == b'regi'
    for i in range(struct.unpack_from('<I', rt, 8)[0]):
        e = rt[16 + 32 * i: 48 + 32 * i]
        if e[:16] == VHDX_METADATA_REGION:
            return struct.unpack_from('<Q', e, 16)[0]
    raise AssertionError('no metadata region')

def fix_vhdx(path):
    """Pin GUIDs/sequence numbers of both VHDX headers (re-CRC), clear the
    stale log (log_guid is zero so it is never replayed), pin page83 id."""
    with open(path, 'r+b') as f:
        hdrs = []
        for hoff in (64 << 10, 128 << 10):
            f.seek(hoff)
            hdrs.append(bytearray(f.read(4096)))
        seqs = [struct.unpack_from('<Q', h, 8)[0] for h in hdrs if h[:4] == b'head']
        for hoff, h in zip((64 << 10, 128 << 10), hdrs):
            if h[:4] != b'head':
                continue
            seq = struct.unpack_from('<Q', h, 8)[0]
            struct.pack_into('<Q', h, 8, 1000 + seq - min(seqs))
            h[16:32] = guid(0x10)
            h[32:48] = guid(0x20)
            log_len, log_off = struct.unpack_from('<IQ', h, 68)
            if h[48:64] == bytes(16) and 0 < log_len <= (64 << 20):
                f.seek(log_off)
                f.write(bytes(log_len))
            struct.pack_into('<I', h, 4, 0)
            struct.pack_into('<I', h, 4, crc32c(bytes(h)))
            f.seek(hoff)
            f.write(h)
    meta = vhdx_metadata_offset(path)
    with open(path, 'r+b') as f:
        f.seek(meta)
        mt = f.read(64 << 10)
        for i in range(struct.unpack_from('<H', mt, 10)[0]):
            e = mt[32 + 32 * i: 64 + 32 * i]
            if e[:16] == VHDX_PAGE83:
                f.seek(meta + struct.unpack_from('<I', e, 16)[0])
                f.write(guid(0x83))

def fix_qcow2_snapshots(path):
    """Pin the creation time stored in each internal snapshot table entry."""
    with open(path, 'r+b') as f:
        h = f.read(72)
        nb, off = struct.unpack_from('>IQ', h, 60)
        for _ in range(nb):
            f.seek(off)
            e = f.read(40)
            id_len, name_len = struct.unpack_from('>HH', e, 12)
            extra = struct.unpack_from('>I', e, 36)[0]
            f.seek(off + 16)
            f.write(struct.pack('>II', SDE, 0))
            size = 40 + extra + id_len + name_len
            off += (size + 7) & ~7

def dig_holes(path):
    sh('fallocate', '--dig-holes', path, cwd=OUT, check=False)

# --- bookkeeping -------------------------------------------------------------
ENTRIES = []

def publish(name, fmt, virtual_size, safe, reason=None, declared=None,
            acceptable=None, subformat=None, description='', notes=None,
            byte_reproducible=True, qemu_format=None, inner_format=None):
    """Move TMP/name into OUT and record its expected verdict."""
    os.replace(tmp(name), os.path.join(OUT, name))
    dig_holes(os.path.join(OUT, name))
    if reason and not acceptable:
        acceptable = [reason]
    assert (reason is None) == safe, name
    for r in acceptable or []:
        assert r in REASON_KEYS, r
    e = {
        'name': name,
        'format': fmt,
        'subformat': subformat,
        'declared_format': declared or fmt,
        'virtual_size': virtual_size,
        'safe': safe,
        'reason': reason,
        'acceptable_reasons': acceptable or [],
        'description': description,
    }
    if inner_format:
        e['inner_format'] = inner_format
    if notes:
        e['notes'] = notes
    e['byte_reproducible'] = byte_reproducible
    e['_qemu_format'] = qemu_format
    ENTRIES.append(e)

QEMU_FORMAT = {'raw': 'raw', 'iso': 'raw', 'gzip': 'raw', 'qcow2': 'qcow2',
               'vmdk': 'vmdk', 'vpc': 'vpc', 'vhdx': 'vhdx', 'vdi': 'vdi',
               'qed': 'qed', 'qcow': 'qcow', 'parallels': 'parallels',
               'luks': 'luks'}

def qemu_info(name, fmt=None):
    args = ['info', '--output=json']
    if fmt:
        args += ['-f', fmt]
    p = qimg(*args, name, cwd=OUT, check=False)
    if p.returncode != 0:
        return {'error': p.stderr.decode(errors='replace').strip()}
    d = json.loads(p.stdout)
    d.pop('actual-size', None)   # depends on the host file system
    return d

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()

def extents_outside(info, name):
    ext = info.get('format-specific', {}).get('data', {}).get('extents', [])
    return [x.get('filename') for x in ext if x.get('filename') != name]

def consistency(e, probe, forced):
    """Compare the expected verdict with what qemu-img reports."""
    problems = []
    info = forced if 'error' not in forced else probe
    name, reason = e['name'], e['reason']
    if e['safe']:
        if 'error' in forced:
            problems.append('qemu-img cannot open a safe image: ' + forced['error'])
        elif forced.get('virtual-size') != e['virtual_size']:
            problems.append('virtual size %s != qemu %s' % (e['virtual_size'], forced.get('virtual-size')))
        for k in ('backing-filename',):
            if k in forced:
                problems.append('safe image has ' + k)
        if forced.get('format-specific', {}).get('data', {}).get('data-file'):
            problems.append('safe image has data-file')
        if extents_outside(forced, name):
            problems.append('safe image has outside extents')
    elif reason == 'backing_file':
        if 'error' not in info and 'backing-filename' not in info:
            problems.append('qemu-img shows no backing file')
    elif reason == 'data_file':
        if 'error' not in info and not info.get('format-specific', {}).get('data', {}).get('data-file'):
            problems.append('qemu-img shows no data-file')
    elif reason == 'vmdk_extent_outside':
        if 'error' not in info and not extents_outside(info, name):
            problems.append('qemu-img shows no outside extent')
    elif reason == 'virtual_size_too_large':
        if 'error' not in info and info.get('virtual-size') != e['virtual_size']:
            problems.append('virtual size %s != qemu %s' % (e['virtual_size'], info.get('virtual-size')))
        if e['virtual_size'] <= POLICY_MAX_VIRTUAL_SIZE:
            problems.append('virtual size not above policy')
    return problems

def finish(set_name, generator):
    qver = qimg('--version').stdout.decode().splitlines()[0]
    rows = []
    for e in ENTRIES:
        path = os.path.join(OUT, e['name'])
        qfmt = e.pop('_qemu_format') or QEMU_FORMAT.get(e['format'])
        e['size'] = os.path.getsize(path)
        e['sha256'] = sha256_file(path)
        probe = qemu_info(e['name'])
        e['qemu_img_info'] = probe
        forced = probe
        if qfmt and (probe.get('format') != qfmt or 'error' in probe):
            forced = qemu_info(e['name'], qfmt)
            e['qemu_img_info_forced'] = {'format_arg': qfmt, 'result': forced}
        e['qemu_probe_format'] = probe.get('format')
        if e['safe']:
            raw = tmp('content.raw')
            qimg('convert', '-f', qfmt, '-O', 'raw', path, raw)
            e['raw_sha256'] = sha256_file(raw)
            os.unlink(raw)
        e['qemu_consistency'] = consistency(e, probe, forced) or 'ok'
        rows.append(e)
    manifest = {
        'generator': generator,
        'set': set_name,
        'qemu_img_version': qver,
        'policy': {'max_virtual_size_bytes': POLICY_MAX_VIRTUAL_SIZE},
        'reason_keys': REASON_KEYS,
        'fields': {
            'format': 'true format of the bytes (qemu driver names; iso and gzip added; vpc == VHD)',
            'declared_format': 'disk_format to declare on upload; differs from format only in mismatch tests',
            'virtual_size': 'bytes of guest-visible disk (qemu-img info -f <format>); null if undefined',
            'safe': 'expected verdict: true = accept, false = reject',
            'reason': 'primary reason key when rejected (see reason_keys)',
            'acceptable_reasons': 'any of these keys is a correct rejection reason',
            'raw_sha256': 'sha256 of qemu-img convert -O raw output (safe images only)',
            'qemu_img_info': 'qemu-img info --output=json with format probing, run in the output dir (actual-size removed)',
            'qemu_img_info_forced': 'same with -f <true format>, when probing gave another answer or failed',
            'qemu_consistency': '"ok" or the disagreements between the verdict and qemu-img info',
            'byte_reproducible': 'false where the bytes contain unavoidable randomness (LUKS salts/keys)',
        },
        'images': rows,
    }
    tmpm = os.path.join(OUT, '.manifest.json.tmp')
    with open(tmpm, 'w') as f:
        json.dump(manifest, f, indent=2, sort_keys=False)
        f.write('\n')
    os.replace(tmpm, os.path.join(OUT, 'manifest.json'))
    shutil.rmtree(TMP, ignore_errors=True)
    w = max(len(e['name']) for e in rows)
    print('%-*s %-9s %-9s %-6s %-22s %-10s %s' % (w, 'name', 'format', 'declared', 'safe', 'reason', 'qemu-fmt', 'qemu-check'))
    bad = 0
    for e in rows:
        ok = e['qemu_consistency'] == 'ok'
        bad += not ok
        print('%-*s %-9s %-9s %-6s %-22s %-10s %s' % (
            w, e['name'], e['format'], e['declared_format'], e['safe'], e['reason'] or '-',
            e['qemu_probe_format'] or 'ERROR', 'ok' if ok else '; '.join(e['qemu_consistency'])))
    print('%d images, %d qemu-img disagreements; manifest: %s' % (len(rows), bad, os.path.join(OUT, 'manifest.json')))

def start():
    os.makedirs(OUT, exist_ok=True)
    old = os.path.join(OUT, 'manifest.json')
    if os.path.exists(old):                      # idempotent: drop what we made last time
        try:
            for e in json.load(open(old)).get('images', []):
                n = e.get('name', '')
                if n and '/' not in n and not n.startswith('.'):
                    p = os.path.join(OUT, n)
                    if os.path.isfile(p):
                        os.unlink(p)
        except (ValueError, OSError):
            pass
    shutil.rmtree(TMP, ignore_errors=True)
    os.makedirs(TMP)
# ---------------------------------------------------------------------------
# Public corpus cases.
# ---------------------------------------------------------------------------
def main():
    start()
    payload = tmp('payload.raw')
    write_payload(payload)

    # ----- raw ---------------------------------------------------------------
    with open(tmp('raw-zeros.img'), 'wb') as f:
        f.truncate(VSIZE)
    publish('raw-zeros.img', 'raw', VSIZE, True, subformat='none',
            description='16 MiB of zeros (sparse)')

    shutil.copyfile(payload, tmp('raw-payload.img'))
    publish('raw-payload.img', 'raw', VSIZE, True, subformat='none',
            description='16 MiB raw disk with the deterministic test payload; '
                        'every converted safe image has the same content as this '
                        '(vpc adds a CHS-rounding tail of zeros)')

    with open(tmp('raw-mbr.img'), 'wb') as f:
        f.truncate(VSIZE)
    sh('sfdisk', '-q', 'raw-mbr.img', stdin=b'label: dos\nlabel-id: 0x0c0ffee0\n'
       b'unit: sectors\n\nstart=2048, size=30720, type=83, bootable\n')
    publish('raw-mbr.img', 'raw', VSIZE, True, subformat='mbr',
            description='raw disk with a DOS/MBR partition table (one bootable Linux partition)',
            notes='oslo.utils GPTInspector also matches plain MBRs and names them "gpt"; '
                  'Glance treats gpt as raw')

    with open(tmp('raw-gpt.img'), 'wb') as f:
        f.truncate(VSIZE)
    sh('sgdisk', '-o', '-U', '11111111-2222-3333-4444-555555555555',
       '-n', '1:2048:+4M', '-t', '1:ef00', '-c', '1:esp',
       '-u', '1:aaaaaaaa-0000-4000-8000-000000000001',
       '-n', '2:0:0', '-t', '2:8300', '-c', '2:root',
       '-u', '2:aaaaaaaa-0000-4000-8000-000000000002', 'raw-gpt.img')
    publish('raw-gpt.img', 'raw', VSIZE, True, subformat='gpt',
            description='raw disk with a GPT (protective MBR type 0xEE, ESP + Linux partition)')

    # ----- qcow2 (all from the payload) ---------------------------------------
    qcow2_variants = [
        ('qcow2-v2.qcow2', ['-o', 'compat=0.10'], 'v2', 'qcow2 version 2 (compat=0.10)'),
        ('qcow2-v3.qcow2', ['-o', 'compat=1.1'], 'v3', 'qcow2 version 3 (compat=1.1)'),
        ('qcow2-v2-compressed.qcow2', ['-c', '-o', 'compat=0.10'], 'v2',
         'qcow2 v2, compressed clusters (deflate)'),
        ('qcow2-v3-compressed-zlib.qcow2', ['-c', '-o', 'compat=1.1,compression_type=zlib'], 'v3',
         'qcow2 v3, compressed clusters, compression_type=zlib (deflate)'),
        ('qcow2-v3-compressed-zstd.qcow2', ['-c', '-o', 'compat=1.1,compression_type=zstd'], 'v3',
         'qcow2 v3, compressed clusters, compression_type=zstd (incompatible feature bit 3)'),
        ('qcow2-v3-lazy-refcounts.qcow2', ['-o', 'compat=1.1,lazy_refcounts=on'], 'v3',
         'qcow2 v3 with lazy refcounts (compatible feature bit 0)'),
        ('qcow2-v3-extended-l2.qcow2', ['-o', 'compat=1.1,extended_l2=on'], 'v3',
         'qcow2 v3 with extended L2 entries / subclusters (incompatible feature bit 4)'),
    ]
    for name, opts, sub, desc in qcow2_variants:
        qimg('convert', '-f', 'raw', '-O', 'qcow2', *opts, payload, tmp(name))
        notes = None
        if 'extended_l2' in ' '.join(opts):
            notes = ('legitimate qemu >= 5.2 feature; oslo.utils format_inspector '
                     '(I_FEATURES_MAX_BIT = 4) rejects it as unknown_features')
        publish(name, 'qcow2', VSIZE, True, subformat=sub, description=desc, notes=notes)

    qimg('convert', '-f', 'raw', '-O', 'qcow2', '-o', 'compat=1.1', payload,
         tmp('qcow2-v3-internal-snapshot.qcow2'))
    qimg('snapshot', '-c', 'snap1', tmp('qcow2-v3-internal-snapshot.qcow2'))
    fix_qcow2_snapshots(tmp('qcow2-v3-internal-snapshot.qcow2'))
    publish('qcow2-v3-internal-snapshot.qcow2', 'qcow2', VSIZE, True, subformat='v3',
            description='qcow2 v3 with one internal snapshot (nb_snapshots = 1)')

    # ----- vmdk ---------------------------------------------------------------
    for name, sub in (('vmdk-monolithicSparse.vmdk', 'monolithicSparse'),
                      ('vmdk-streamOptimized.vmdk', 'streamOptimized')):
        qimg('convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=' + sub, payload, name)
        fix_vmdk(tmp(name))
        publish(name, 'vmdk', VSIZE, True, subformat=sub,
                description='single-file VMDK, createType="%s" (KDMV sparse header '
                            'plus embedded descriptor at sector 1)' % sub)

    # ----- vpc / vhd ----------------------------------------------------------
    qimg('convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=dynamic', payload, tmp('vpc-dynamic.vhd'))
    fix_vpc(tmp('vpc-dynamic.vhd'))
    publish('vpc-dynamic.vhd', 'vpc', 16781312, True, subformat='dynamic',
            description='dynamic VHD: footer copy at offset 0 ("conectix"), '
                        'dynamic header "cxsparse" at 512, BAT, footer at EOF',
            notes='qemu rounds 16 MiB up to a CHS geometry (481x4x17 -> 16781312 bytes); '
                  'creator "qemu" => size taken from CHS geometry')
    qimg('convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed', payload, tmp('vpc-fixed.vhd'))
    fix_vpc(tmp('vpc-fixed.vhd'))
    publish('vpc-fixed.vhd', 'vpc', 16781312, True, subformat='fixed',
            description='fixed VHD: raw data followed by a 512-byte footer; nothing at offset 0',
            notes='qemu-img probing reports "raw" (vpc_probe only looks at offset 0); '
                  'detecting it needs the footer at EOF. Treating it as raw is also safe '
                  '(the guest would just see the 512-byte footer as a trailing sector)')

    # ----- vhdx ---------------------------------------------------------------
    qimg('convert', '-f', 'raw', '-O', 'vhdx', '-o', 'block_size=1M', payload, tmp('vhdx-dynamic.vhdx'))
    fix_vhdx(tmp('vhdx-dynamic.vhdx'))
    publish('vhdx-dynamic.vhdx', 'vhdx', VSIZE, True, subformat='dynamic',
            description='dynamic VHDX (1 MiB blocks): file id "vhdxfile", headers at 64K/128K, '
                        'region tables at 192K/256K, log, metadata, BAT')

    # ----- vdi ----------------------------------------------------------------
    qimg('convert', '-f', 'raw', '-O', 'vdi', payload, tmp('vdi-dynamic.vdi'))
    fix_vdi(tmp('vdi-dynamic.vdi'))
    publish('vdi-dynamic.vdi', 'vdi', VSIZE, True, subformat='dynamic',
            description='dynamic VirtualBox VDI (signature 0xbeda107f at 0x40, disk size at 0x170)')

    # ----- iso ----------------------------------------------------------------
    os.makedirs(tmp('isoroot'))
    with open(tmp('isoroot/README.TXT'), 'w') as f:
        f.write('corpus test ISO\n')
    for p in ('isoroot/README.TXT', 'isoroot'):
        os.utime(tmp(p), (SDE, SDE))
    sh('xorriso', '-as', 'mkisofs', '-quiet', '-o', 'iso9660.iso', '-V', 'CORPUS', '-J', '-r', 'isoroot')
    publish('iso9660.iso', 'iso', os.path.getsize(tmp('iso9660.iso')), True, subformat='iso9660',
            description='plain ISO 9660 + Joliet + Rock Ridge (xorriso); "CD001" at 0x8001',
            notes='qemu-img treats ISOs as raw; PVD volume space size x logical block size '
                  'equals the file size here')
    sh('xorriso', '-as', 'mkisofs', '-quiet', '-o', 'iso-hybrid-mbr.iso', '-V', 'CORPUS', '-J', '-r',
       '--protective-msdos-label', 'isoroot')
    publish('iso-hybrid-mbr.iso', 'iso', os.path.getsize(tmp('iso-hybrid-mbr.iso')), True,
            subformat='iso9660+mbr',
            description='ISO with an MBR partition table in the system area (bootable-as-disk '
                        'hybrid); matches both ISO and MBR signatures',
            notes='Glance allows exactly the iso+gpt(mbr) double match and treats it as iso')

    # ----- hostile: backing file / data file ------------------------------------
    qimg('create', '-q', '-f', 'qcow2', '-o', 'compat=1.1', '-b', '/etc/passwd', '-F', 'raw', '-u',
         tmp('qcow2-backing-file.qcow2'), str(VSIZE))
    publish('qcow2-backing-file.qcow2', 'qcow2', VSIZE, False, 'backing_file', subformat='v3',
            description='qcow2 whose backing file is the host path /etc/passwd (raw): '
                        'converting/booting it exposes the host file (OSSA-2015-014 class)')

    # data_file: create with a same-length placeholder, then point it at /etc/passwd
    # (never let qemu-img create the real target: it would truncate it).
    qimg('create', '-q', '-f', 'qcow2', '-o', 'compat=1.1,data_file=XXXXXXXXXXX',
         'qcow2-data-file.qcow2', str(VSIZE))
    os.unlink(tmp('XXXXXXXXXXX'))
    replace_once(tmp('qcow2-data-file.qcow2'), b'XXXXXXXXXXX', b'/etc/passwd')
    publish('qcow2-data-file.qcow2', 'qcow2', VSIZE, False, 'data_file', subformat='v3',
            description='qcow2 with an external data file /etc/passwd (incompatible bit 2 + '
                        'header extension 0x44415441): CVE-2024-32498 / OSSA-2024-001')

    # ----- hostile: VMDK descriptors ----------------------------------------------
    with open(tmp('vmdk-flat-extent-etc-hostname.vmdk'), 'w') as f:
        f.write('# Disk DescriptorFile\nversion=1\nCID=5eed0001\nparentCID=ffffffff\n'
                'createType="monolithicFlat"\n\n# Extent description\n'
                'RW 2048 FLAT "/etc/hostname" 0\n\n# The Disk Data Base\n#DDB\n'
                'ddb.virtualHWVersion = "4"\nddb.geometry.cylinders = "2"\n'
                'ddb.geometry.heads = "16"\nddb.geometry.sectors = "63"\nddb.adapterType = "ide"\n')
    publish('vmdk-flat-extent-etc-hostname.vmdk', 'vmdk', 1 * MiB, False, 'vmdk_extent_outside',
            subformat='monolithicFlat',
            description='text-only VMDK descriptor (createType monolithicFlat) whose FLAT extent is '
                        'the host file /etc/hostname: CVE-2022-47951 / OSSA-2023-002')

    qimg('create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat',
         'vmdk-monolithicFlat-descriptor.vmdk', str(VSIZE))
    os.unlink(tmp('vmdk-monolithicFlat-descriptor-flat.vmdk'))
    fix_vmdk_text(tmp('vmdk-monolithicFlat-descriptor.vmdk'))
    publish('vmdk-monolithicFlat-descriptor.vmdk', 'vmdk', VSIZE, False, 'vmdk_extent_outside',
            subformat='monolithicFlat',
            description='descriptor file as written by qemu-img (extent "vmdk-monolithicFlat-'
                        'descriptor-flat.vmdk", a relative name); the data is not in the upload',
            notes='qemu-img info fails here only because the extent file is absent; next to a '
                  'file of that name it would read it')

    # ----- hostile: truncation / garbage ----------------------------------------------
    truncate_copy(os.path.join(OUT, 'qcow2-v3.qcow2'), tmp('qcow2-truncated-header.qcow2'), 48)
    publish('qcow2-truncated-header.qcow2', 'qcow2', None, False, 'truncated', subformat='v3',
            acceptable=['truncated', 'invalid_header', 'format_mismatch'],
            description='first 48 bytes of qcow2-v3.qcow2: magic, version and size present, '
                        'rest of the 104-byte v3 header missing')
    truncate_copy(os.path.join(OUT, 'vhdx-dynamic.vhdx'), tmp('vhdx-truncated.vhdx'), 200000)
    publish('vhdx-truncated.vhdx', 'vhdx', None, False, 'truncated', subformat='dynamic',
            acceptable=['truncated', 'invalid_header', 'format_mismatch'],
            description='vhdx-dynamic.vhdx cut at 200000 bytes: identifier and both headers '
                        'present, region table (192K..256K) cut mid-way, no metadata')
    truncate_copy(os.path.join(OUT, 'vmdk-monolithicSparse.vmdk'), tmp('vmdk-truncated.vmdk'), 700)
    publish('vmdk-truncated.vmdk', 'vmdk', None, False, 'truncated', subformat='monolithicSparse',
            acceptable=['truncated', 'invalid_header', 'format_mismatch'],
            description='vmdk-monolithicSparse.vmdk cut at 700 bytes: sparse header intact, '
                        'embedded descriptor cut mid-way')

    with open(tmp('raw-qfi-magic-garbage.img'), 'wb') as f:
        f.write(b'QFI\xfb' + prng(b'garbage-after-qcow2-magic', 1 * MiB - 4))
    publish('raw-qfi-magic-garbage.img', 'raw', None, False, 'invalid_header', declared='raw',
            acceptable=['invalid_header', 'format_mismatch', 'unknown_feature', 'truncated',
                        'backing_file'],
            subformat='none',
            description='1 MiB of pseudo-random bytes that starts with the qcow2 magic "QFI\\xfb": '
                        'qemu probes it as qcow2 and fails; it must not be waved through as raw')

    # ----- hostile: size -----------------------------------------------------------------
    qimg('create', '-q', '-f', 'qcow2', '-o', 'compat=1.1,cluster_size=2M',
         tmp('qcow2-virtual-size-2p60.qcow2'), str(1 << 60))
    publish('qcow2-virtual-size-2p60.qcow2', 'qcow2', 1 << 60, False, 'virtual_size_too_large',
            subformat='v3',
            description='valid qcow2 (2 MiB clusters) declaring 2^60 bytes (1 EiB); ~22 MB '
                        'apparent size (16 MiB L1 table, zeros, stored sparse)')

    # ----- hostile: containers / unsupported formats -------------------------------------
    with open(os.path.join(OUT, 'qcow2-v3.qcow2'), 'rb') as f, open(tmp('qcow2-v3.qcow2.gz'), 'wb') as g:
        g.write(sh('gzip', '-n', '-9', '-c', stdin=f.read()).stdout)
    publish('qcow2-v3.qcow2.gz', 'gzip', None, False, 'unsupported_format', declared='qcow2',
            acceptable=['unsupported_format', 'format_mismatch'], inner_format='qcow2',
            description='gzip -n -9 of qcow2-v3.qcow2 (magic 1f 8b), uploaded claiming qcow2',
            notes='qemu-img sees raw; a service that decompresses must re-inspect the inner '
                  'image and bound the decompressed size (compression bombs)')
    qimg('create', '-q', '-f', 'qed', tmp('qed.qed'), str(VSIZE))
    publish('qed.qed', 'qed', VSIZE, False, 'unsupported_format',
            description='QED image ("QED\\0"); oslo.utils bans QED outright')
    qimg('create', '-q', '-f', 'qcow', tmp('qcow1.qcow'), str(VSIZE))
    publish('qcow1.qcow', 'qcow', VSIZE, False, 'unsupported_format',
            acceptable=['unsupported_format', 'invalid_header'],
            description='legacy qcow version 1 (same "QFI\\xfb" magic, version field 1)')
    qimg('create', '-q', '-f', 'parallels', tmp('parallels.img'), str(VSIZE))
    publish('parallels.img', 'parallels', VSIZE, False, 'unsupported_format', declared='raw',
            acceptable=['unsupported_format', 'format_mismatch'],
            description='Parallels image ("WithoutFreeSpace"), declared raw: Glance has no '
                        'inspector for it and would call it raw, but qemu-img probes parallels')

    # ----- hostile: feature bits / encryption ------------------------------------------------
    qimg('create', '-q', '-f', 'qcow2', '-o', 'compat=1.1', tmp('qcow2-unknown-incompat-feature.qcow2'), str(VSIZE))
    with open(tmp('qcow2-unknown-incompat-feature.qcow2'), 'rb') as f:
        feat = struct.unpack_from('>Q', f.read(80), 72)[0]
    patch(tmp('qcow2-unknown-incompat-feature.qcow2'), 72, struct.pack('>Q', feat | (1 << 10)))
    publish('qcow2-unknown-incompat-feature.qcow2', 'qcow2', VSIZE, False, 'unknown_feature',
            subformat='v3', acceptable=['unknown_feature', 'invalid_header'],
            description='qcow2 v3 with incompatible feature bit 10 set (unknown to every qemu): '
                        'the spec says implementations must refuse to open it')

    secret = ['--object', 'secret,id=sec0,data=corpus-passphrase']
    qimg_retry('create', '-q', *secret, '-f', 'qcow2', '-o',
         'compat=1.1,encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10',
         tmp('qcow2-luks-encrypted.qcow2'), str(VSIZE))
    publish('qcow2-luks-encrypted.qcow2', 'qcow2', VSIZE, False, 'encrypted', subformat='v3',
            description='qcow2 with LUKS encryption (crypt_method 2 + header extension 0x0537be77); '
                        'passphrase "corpus-passphrase"',
            byte_reproducible=False,
            notes='cannot be inspected or converted without the key; salts/keys are random')
    qimg_retry('create', '-q', *secret, '-f', 'luks', '-o', 'key-secret=sec0,iter-time=10',
         tmp('luks.img'), str(VSIZE))
    publish('luks.img', 'luks', VSIZE, False, 'encrypted', acceptable=['encrypted', 'unsupported_format'],
            description='raw LUKS1 container ("LUKS\\xba\\xbe"), passphrase "corpus-passphrase"',
            byte_reproducible=False)

    # ----- hostile: declared format does not match -------------------------------------------
    shutil.copyfile(os.path.join(OUT, 'qcow2-v3.qcow2'), tmp('mismatch-qcow2-declared-raw.img'))
    publish('mismatch-qcow2-declared-raw.img', 'qcow2', VSIZE, False, 'format_mismatch', declared='raw',
            subformat='v3',
            description='clean qcow2 uploaded with disk_format=raw',
            notes='Glance only warns here (it treats the bytes as raw and still runs the qcow2 '
                  'safety checks); this corpus expects a rejection because any later '
                  'format-probing consumer would interpret it as qcow2')
    shutil.copyfile(payload, tmp('mismatch-raw-declared-qcow2.qcow2'))
    publish('mismatch-raw-declared-qcow2.qcow2', 'raw', VSIZE, False, 'format_mismatch', declared='qcow2',
            subformat='none', description='raw payload uploaded with disk_format=qcow2')

    finish('public', 'test/tooling/gen-images.sh')

main()
PY
