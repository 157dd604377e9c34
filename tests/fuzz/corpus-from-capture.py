#!/usr/bin/env python3
# corpus-from-capture.py: turns captured request frames into the fuzz corpus.
#
# Copyright 2026 The Millrace authors
# SPDX-License-Identifier: Apache-2.0
#
# Usage: corpus-from-capture.py CAPTURE_DIR CORPUS_DIR
#
# CAPTURE_DIR holds the frames a listener wrote under
# MILLRACE_KAFKA_CAPTURE_DIR (one request per file, no Size prefix).
# Writes into CORPUS_DIR/kafka-request/ a small selection of them: per API
# key and version a few frames of different sizes, and for Produce a few
# per codec and producer kind; and into CORPUS_DIR/record-batch/ the record
# sets of the selected Produce requests, one file per batch. Files are
# named after what they hold plus a hash of their bytes, so a re-run adds
# new shapes and keeps the old files. Then adds the hand-made adversarial
# inputs (adversarial.py). Only the standard library is used.

import hashlib
import os
import struct
import sys

import adversarial

API_NAMES = {
    0: 'produce', 1: 'fetch', 2: 'list-offsets', 3: 'metadata',
    18: 'api-versions', 19: 'create-topics', 20: 'delete-topics',
    21: 'delete-records', 22: 'init-producer-id', 32: 'describe-configs',
    33: 'alter-configs', 37: 'create-partitions',
    44: 'incremental-alter-configs', 60: 'describe-cluster',
}
CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

MAX_FRAME = 24 * 1024     # bytes: larger frames are left out
PER_SHAPE = 3             # frames kept per (API, version, shape)
MAX_BATCH = 16 * 1024


class Short(Exception):
    pass


class Reader:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise Short()
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def i8(self):
        return struct.unpack('>b', self.take(1))[0]

    def i16(self):
        return struct.unpack('>h', self.take(2))[0]

    def i32(self):
        return struct.unpack('>i', self.take(4))[0]

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n)


def produce_record_sets(frame):
    """The (topic, partition, record set) of a non-flexible Produce frame."""
    r = Reader(frame)
    r.i16()
    version = r.i16()
    r.i32()
    r.string()                  # client_id
    if version >= 3:
        r.string()              # transactional_id
    r.i16()
    r.i32()
    sets = []
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            partition = r.i32()
            n = r.i32()
            if n >= 0:
                sets.append((topic, partition, r.take(n)))
    return sets


def batches(record_set):
    at = 0
    while at + 12 <= len(record_set):
        length = struct.unpack('>i', record_set[at + 8:at + 12])[0]
        end = at + 12 + length
        if length < 49 or end > len(record_set):
            break
        yield record_set[at:end]
        at = end


def batch_shape(batch):
    if batch[16] != 2:
        return 'magic%d' % batch[16]
    attributes = struct.unpack('>h', batch[21:23])[0]
    producer_id = struct.unpack('>q', batch[43:51])[0]
    codec = attributes & 7
    name = CODECS[codec] if codec < len(CODECS) else 'codec%d' % codec
    return name + ('-idempotent' if producer_id >= 0 else '')


def digest(data):
    return hashlib.sha1(data).hexdigest()[:12]


def write(directory, stem, data):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, '%s-%s' % (stem, digest(data)))
    if not os.path.exists(path):
        with open(path, 'wb') as f:
            f.write(data)
        return 1
    return 0


def spread(frames, n):
    """Up to n frames of different sizes: the smallest, the largest, and
    evenly between."""
    frames = sorted(set(frames), key=lambda f: (len(f), f))
    if len(frames) <= n:
        return frames
    step = (len(frames) - 1) / (n - 1)
    return [frames[round(i * step)] for i in range(n)]


def main():
    capture_dir, corpus_dir = sys.argv[1], sys.argv[2]
    request_dir = os.path.join(corpus_dir, 'kafka-request')
    batch_dir = os.path.join(corpus_dir, 'record-batch')

    shapes = {}
    for name in sorted(os.listdir(capture_dir)):
        with open(os.path.join(capture_dir, name), 'rb') as f:
            frame = f.read()
        if len(frame) < 4 or len(frame) > MAX_FRAME:
            continue
        api_key, version = struct.unpack('>hh', frame[:4])
        shape = ''
        if api_key == 0:
            try:
                sets = produce_record_sets(frame)
                kinds = sorted({batch_shape(b) for _, _, s in sets
                                for b in batches(s)})
                shape = '-' + '+'.join(kinds) if kinds else '-empty'
            except Short:
                shape = '-short'
        key = (API_NAMES.get(api_key, 'api%d' % api_key), version, shape)
        shapes.setdefault(key, []).append(frame)

    n_requests = n_batches = 0
    batch_shapes = {}
    for (api, version, shape), frames in sorted(shapes.items()):
        for frame in spread(frames, PER_SHAPE):
            n_requests += write(request_dir, '%s-v%d%s' % (api, version, shape),
                                frame)
            if api != 'produce':
                continue
            for _, _, record_set in produce_record_sets(frame):
                for batch in batches(record_set):
                    kept = batch_shapes.setdefault(batch_shape(batch), set())
                    if len(batch) <= MAX_BATCH and len(kept) < PER_SHAPE:
                        kept.add(batch)
                        n_batches += write(batch_dir, batch_shape(batch),
                                           batch)

    n_adversarial = adversarial.write_all(request_dir, batch_dir)
    print('%d new request frames, %d new batches, %d adversarial inputs'
          % (n_requests, n_batches, n_adversarial))


if __name__ == '__main__':
    main()
