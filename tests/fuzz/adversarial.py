#!/usr/bin/env python3
# adversarial.py: the hand-made hostile inputs of the fuzz corpus.
#
# Copyright 2026 The Millrace authors
# SPDX-License-Identifier: Apache-2.0
#
# Usage: adversarial.py CORPUS_DIR (or imported by corpus-from-capture.py)
#
# Writes adv-* files (and seed-* ones for what the capture cannot give:
# valid LZ4 batches) into CORPUS_DIR/kafka-request/ (request frames without
# their Size prefix) and CORPUS_DIR/record-batch/ (record sets): truncated
# frames and batches, huge and negative lengths and array counts, bad
# varints and tag buffers, versions out of range, and compressed sections
# that are garbage or inflate past the 64 MiB limit. Each must get a clean
# error (or a closed connection), never a crash. Deterministic: re-running
# rewrites the same bytes.

import os
import struct
import sys
import zlib


def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
    return crc ^ 0xffffffff


def xxh32(data, seed=0):
    p1, p2, p3, p4, p5 = (2654435761, 2246822519, 3266489917, 668265263,
                          374761393)
    m = 0xffffffff

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & m

    def round_(acc, lane):
        return (rotl((acc + lane * p2) & m, 13) * p1) & m

    n, i = len(data), 0
    if n >= 16:
        v = [(seed + p1 + p2) & m, (seed + p2) & m, seed, (seed - p1) & m]
        while i + 16 <= n:
            for k in range(4):
                v[k] = round_(v[k], struct.unpack('<I', data[i:i + 4])[0])
                i += 4
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) +
             rotl(v[3], 18)) & m
    else:
        h = (seed + p5) & m
    h = (h + n) & m
    while i + 4 <= n:
        h = (rotl((h + struct.unpack('<I', data[i:i + 4])[0] * p3) & m, 17)
             * p4) & m
        i += 4
    while i < n:
        h = (rotl((h + data[i] * p5) & m, 11) * p1) & m
        i += 1
    h = ((h ^ (h >> 15)) * p2) & m
    h = ((h ^ (h >> 13)) * p3) & m
    return h ^ (h >> 16)


def lz4_frame(data, compressed_block=True):
    """An LZ4 frame (the framing Kafka uses since 0.10) of one block: a
    literals-only compressed block, or a stored (uncompressed) one."""
    descriptor = bytes([0x60, 0x40])          # version 1, independent blocks
    frame = struct.pack('<I', 0x184D2204) + descriptor
    frame += bytes([(xxh32(descriptor) >> 8) & 0xff])
    if compressed_block:
        n = len(data)
        block = bytes([min(n, 15) << 4])
        if n >= 15:
            rest = n - 15
            while rest >= 255:
                block += b'\xff'
                rest -= 255
            block += bytes([rest])
        block += data
        frame += struct.pack('<I', len(block)) + block
    else:
        frame += struct.pack('<I', len(data) | 0x80000000) + data
    return frame + struct.pack('<I', 0)


def i8(v): return struct.pack('>b', v)
def i16(v): return struct.pack('>h', v)
def i32(v): return struct.pack('>i', v)
def i64(v): return struct.pack('>q', v)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def uvarint(n):
    out = b''
    while True:
        if n < 0x80:
            return out + bytes([n])
        out += bytes([(n & 0x7f) | 0x80])
        n >>= 7


def varint(n):
    return uvarint((n << 1) ^ (n >> 63))


def compact_string(s):
    if s is None:
        return uvarint(0)
    b = s.encode()
    return uvarint(len(b) + 1) + b


def header(api, version, correlation=7, client='adv', flexible=False):
    h = i16(api) + i16(version) + i32(correlation) + string(client)
    return h + (uvarint(0) if flexible else b'')


def record(offset_delta, key=b'k', value=b'v', headers=()):
    body = i8(0) + varint(0) + varint(offset_delta)
    body += varint(len(key)) + key if key is not None else varint(-1)
    body += varint(len(value)) + value if value is not None else varint(-1)
    body += varint(len(headers))
    for hk, hv in headers:
        body += varint(len(hk)) + hk + varint(len(hv)) + hv
    return varint(len(body)) + body


def batch(records_section, count, codec=0, last_delta=None, length=None,
          magic=2, fix_crc=True, producer_id=-1):
    if last_delta is None:
        last_delta = count - 1
    after_crc = (i16(codec) + i32(last_delta) + i64(1700000000000) +
                 i64(1700000000000) + i64(producer_id) + i16(-1) + i32(-1) +
                 i32(count) + records_section)
    crc = crc32c(after_crc) if fix_crc else 0xdeadbeef
    body = i32(-1) + i8(magic) + struct.pack('>I', crc) + after_crc
    if length is None:
        length = len(body)
    return i64(0) + i32(length) + body


def produce(record_set, version=7, acks=-1, topic='fuzz', partition=0,
            records_len=None):
    body = b''
    if version >= 3:
        body += string(None)
    body += i16(acks) + i32(1000) + i32(1) + string(topic) + i32(1)
    n = len(record_set) if records_len is None else records_len
    body += i32(partition) + i32(n) + record_set
    return header(0, version) + body


def good_records(n=3):
    return b''.join(record(i, b'key%d' % i, b'value%d' % i,
                           [(b'h', b'x')] if i == 1 else [])
                    for i in range(n))


def batches():
    good = good_records()
    gzip_bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = gzip_bomb.compress(b'\0' * (65 * 1024 * 1024)) + gzip_bomb.flush()
    # A zstd frame that declares 2^40 bytes of content, then garbage.
    zstd_huge = (struct.pack('<I', 0xFD2FB528) + bytes([0xc0]) +
                 struct.pack('<Q', 1 << 40) + b'\x01\x00\x00' + b'\xaa' * 8)
    # Snappy in the xerial framing with a chunk length past the end.
    xerial = (b'\x82SNAPPY\x00' + i32(1) + i32(1) + i32(0x7fffffff) +
              b'\x10\x00')
    # An LZ4 frame header with a block size larger than the data.
    lz4 = (struct.pack('<I', 0x184D2204) + b'\x64\x40\xa7' +
           struct.pack('<I', 0x7fffff) + b'\x00' * 4)
    return {
        # librdkafka sends no LZ4 to a broker without FindCoordinator, so
        # the capture has none: hand-made valid ones.
        'seed-batch-lz4-literals': batch(lz4_frame(good), 3, codec=3),
        'seed-batch-lz4-stored': batch(lz4_frame(good, False), 3, codec=3),
        'adv-batch-good-none': batch(good, 3),
        'adv-batch-truncated-16': batch(good, 3)[:16],
        'adv-batch-truncated-header': batch(good, 3)[:60],
        'adv-batch-truncated-records': batch(good, 3)[:-5],
        'adv-batch-magic-1': batch(good, 3, magic=1),
        'adv-batch-huge-length': batch(good, 3, length=0x7fffffff),
        'adv-batch-negative-length': batch(good, 3, length=-12),
        'adv-batch-negative-count': batch(good, -1, last_delta=2),
        'adv-batch-count-past-delta': batch(good, 5, last_delta=2),
        'adv-batch-bad-crc': batch(good, 3, fix_crc=False),
        'adv-batch-bad-varint': batch(b'\xff' * 10 + good, 3),
        'adv-batch-record-length-past-end': batch(varint(1000) + b'\0' * 8, 1),
        'adv-batch-negative-key-length': batch(
            varint(6) + i8(0) + varint(0) + varint(0) + varint(-7) +
            varint(-1) + varint(0), 1),
        'adv-batch-huge-header-count': batch(
            varint(8) + i8(0) + varint(0) + varint(0) + varint(-1) +
            varint(-1) + varint(0x3fffffff), 1),
        'adv-batch-offsets-backwards': batch(record(1) + record(0), 2),
        'adv-batch-leftover-bytes': batch(good + b'\0\0', 3),
        'adv-batch-gzip-garbage': batch(b'\x1f\x8b\x08\x00garbage', 3, codec=1),
        'adv-batch-gzip-bomb': batch(bomb, 1, codec=1),
        'adv-batch-snappy-garbage': batch(b'\xff\xff\xff\xff\x0f' + b'\x00' * 8,
                                          3, codec=2),
        'adv-batch-snappy-xerial-past-end': batch(xerial, 3, codec=2),
        'adv-batch-lz4-garbage': batch(lz4, 3, codec=3),
        'adv-batch-zstd-huge-content': batch(zstd_huge, 3, codec=4),
        'adv-batch-codec-7': batch(good, 3, codec=7),
        'adv-batch-empty-compressed': batch(b'', 0, codec=4, last_delta=0),
        'adv-batch-two-then-garbage': batch(good, 3) + batch(good, 3) + b'\x00' * 20,
    }


def requests():
    good_set = batch(good_records(), 3)
    return {
        'adv-request-empty': b'',
        'adv-request-one-byte': b'\x00',
        'adv-request-header-truncated': i16(3) + i16(1) + i16(0),
        'adv-request-client-id-past-end': i16(3) + i16(1) + i32(1) + i16(500) + b'ab',
        'adv-request-client-id-negative': i16(3) + i16(1) + i32(1) + i16(-7),
        'adv-request-unknown-api': header(99, 0),
        'adv-request-produce-v99': header(0, 99) + b'\0' * 20,
        'adv-request-api-versions-v99': header(18, 99),
        'adv-request-api-versions-v-1': header(18, -1),
        'adv-request-api-versions-v3-bad-varint':
            header(18, 3, flexible=True) + b'\xff' * 12,
        'adv-request-api-versions-v3-huge-tag':
            i16(18) + i16(3) + i32(1) + string('adv') + uvarint(1) + uvarint(0) +
            uvarint(0x7fffffff),
        'adv-request-metadata-huge-count': header(3, 1) + i32(0x7fffffff),
        'adv-request-metadata-negative-count': header(3, 1) + i32(-2),
        'adv-request-metadata-name-past-end': header(3, 1) + i32(1) + i16(0x7fff) + b'x',
        'adv-request-metadata-name-negative': header(3, 4) + i32(1) + i16(-3) + i8(1),
        'adv-request-metadata-v0-all': header(3, 0) + i32(0),
        'adv-request-metadata-odd-names': header(3, 4) + i32(3) + string('') +
            string('..') + string('a' * 300) + i8(1),
        'adv-request-produce-records-huge': produce(good_set, records_len=0x7fffffff),
        'adv-request-produce-records-negative': produce(b'', records_len=-2),
        'adv-request-produce-records-null': produce(b'', records_len=-1),
        'adv-request-produce-short-set': produce(good_set[:40]),
        'adv-request-produce-bad-magic': produce(batch(good_records(), 3, magic=0)),
        'adv-request-produce-bad-crc': produce(batch(good_records(), 3, fix_crc=False)),
        'adv-request-produce-acks-5': produce(good_set, acks=5),
        'adv-request-produce-acks-0': produce(good_set, acks=0),
        'adv-request-produce-partition-negative': produce(good_set, partition=-1),
        'adv-request-produce-partition-huge': produce(good_set, partition=0x7fffffff),
        'adv-request-produce-v0': produce(good_set, version=0),
        'seed-request-produce-v7-lz4': produce(batch(lz4_frame(good_records()), 3,
                                                     codec=3)),
        'adv-request-produce-gzip-bomb-topic': produce(batches()['adv-batch-zstd-huge-content']),
        'adv-request-produce-transactional': header(0, 3) + string('tx') + i16(1) +
            i32(1000) + i32(1) + string('fuzz') + i32(1) + i32(0) +
            i32(len(good_set)) + good_set,
        'adv-request-produce-count-mismatch': produce(batch(good_records(), 2, last_delta=2)),
        'adv-request-produce-idempotent-seq': produce(batch(good_records(), 3, producer_id=42)),
        'adv-request-fetch-forever': header(1, 11) + i32(-1) + i32(0x7fffffff) +
            i32(0x7fffffff) + i32(0x7fffffff) + i8(0) + i32(0) + i32(-1) +
            i32(1) + string('fuzz') + i32(1) + i32(0) + i32(-1) + i64(1000) +
            i64(-1) + i32(1048576) + i32(0) + string(''),
        'adv-request-fetch-negative-offset': header(1, 4) + i32(-1) + i32(0) +
            i32(1) + i32(-5) + i8(3) + i32(1) + string('fuzz') + i32(2) +
            i32(0) + i64(-100) + i32(-1) + i32(-1) + i64(0x7fffffffffffffff) + i32(0),
        'adv-request-fetch-forgotten-huge': header(1, 7) + i32(-1) + i32(0) +
            i32(1) + i32(100) + i8(0) + i32(0) + i32(0) + i32(0) + i32(0x7fffffff),
        'adv-request-list-offsets-min-time': header(2, 1) + i32(-1) + i32(1) +
            string('fuzz') + i32(2) + i32(0) + i64(-0x8000000000000000) +
            i32(1) + i64(0x7fffffffffffffff),
        'adv-request-list-offsets-v0-unknown': header(2, 0) + i32(-1) + i32(1) +
            string('nope') + i32(1) + i32(0) + i64(-1) + i32(-5),
        'adv-request-create-topics-huge-partitions': header(19, 4) + i32(1) +
            string('adv-huge') + i32(0x7fffffff) + i16(1) + i32(0) + i32(0) +
            i32(1000) + i8(1),
        'adv-request-create-topics-negative-counts': header(19, 4) + i32(1) +
            string('adv-neg') + i32(-5) + i16(-7) + i32(-3) + i32(-9) +
            i32(1000) + i8(0),
        'adv-request-create-topics-bad-name': header(19, 1) + i32(1) +
            string('../../etc') + i32(1) + i16(1) + i32(0) + i32(0) + i32(1000) + i8(1),
        'adv-request-create-topics-assignment': header(19, 4) + i32(1) +
            string('adv-assign') + i32(-1) + i16(-1) + i32(2) + i32(0) +
            i32(2) + i32(1) + i32(1) + i32(0) + i32(1) + i32(7) + i32(1) +
            string('cleanup.policy') + string(None) + i32(1000) + i8(0),
        'adv-request-delete-topics-huge-count': header(20, 1) + i32(0x7fffffff),
        'adv-request-delete-records-negative': header(21, 1) + i32(1) +
            string('fuzz') + i32(1) + i32(0) + i64(-100) + i32(1000),
        'adv-request-delete-records-past-end': header(21, 1) + i32(1) +
            string('fuzz') + i32(1) + i32(1) + i64(0x7fffffffffffffff) + i32(1000),
        'adv-request-describe-configs-bad-type': header(32, 1) + i32(1) +
            i8(99) + string('fuzz') + i32(-1) + i8(1),
        'adv-request-alter-configs-null-value': header(33, 0) + i32(1) + i8(2) +
            string('fuzz') + i32(2) + string('retention.ms') + string(None) +
            string('no.such.config') + string('1') + i8(1),
        'adv-request-create-partitions-huge': header(37, 1) + i32(1) +
            string('fuzz') + i32(0x7fffffff) + i32(-1) + i32(1000) + i8(1),
        'adv-request-incremental-alter-bad-op': header(44, 0) + i32(1) + i8(2) +
            string('fuzz') + i32(1) + string('retention.ms') + i8(9) +
            string('5') + i8(1),
        'adv-request-init-producer-id-tx': header(22, 1) + string('tx') + i32(-1),
        'adv-request-describe-cluster-bad-tags': header(60, 0, flexible=True) +
            i8(1) + uvarint(3) + uvarint(1) + uvarint(0x7fffffff),
    }


def write_all(request_dir, batch_dir):
    n = 0
    for directory, inputs in ((request_dir, requests()), (batch_dir, batches())):
        os.makedirs(directory, exist_ok=True)
        for name, data in inputs.items():
            with open(os.path.join(directory, name), 'wb') as f:
                f.write(data)
            n += 1
    return n


if __name__ == '__main__':
    corpus = sys.argv[1]
    print(write_all(os.path.join(corpus, 'kafka-request'),
                    os.path.join(corpus, 'record-batch')), 'adversarial inputs')
