#!/bin/sh
# capture-corpus.sh: takes the fuzz corpus from real client traffic.
#
# Copyright 2026 The Millrace authors
# SPDX-License-Identifier: Apache-2.0
#
# Usage: tests/fuzz/capture-corpus.sh BUILD_DIR [CORPUS_DIR]
#
# Every Kafka listener writes the request frames it receives to
# $MILLRACE_KAFKA_CAPTURE_DIR. With that set, this runs
#   1. the protocol tests that drive real clients: kafka-kcat (kcat:
#      metadata, produce and consume with every codec, headers, offsets for
#      times), kafka-admin (librdkafka's admin API: create, delete and
#      describe topics, configs, partitions, records, cluster) and
#      kafka-faults (idempotent producers);
#   2. a headless Millrace and kcat sessions against it: produce with each
#      codec, consume, -L, -Q, and the same with the older protocol
#      versions librdkafka speaks to brokers without ApiVersions
#      (broker.version.fallback);
# then corpus-from-capture.py picks a small set of frames per API, version
# and codec into CORPUS_DIR/kafka-request/, the record batches of the
# Produce frames it picked into CORPUS_DIR/record-batch/, and rewrites the
# hand-made adversarial inputs (adversarial.py). Existing corpus files are
# kept. Needs kcat and python3.

set -eu

build=$(cd "${1:?usage: capture-corpus.sh BUILD_DIR [CORPUS_DIR]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
corpus=${2:-$here/corpus}
capture=$(mktemp -d "${TMPDIR:-/tmp}/millrace-capture-XXXXXX")
data=$(mktemp -d "${TMPDIR:-/tmp}/millrace-capture-data-XXXXXX")
pid=
trap 'test -n "$pid" && kill "$pid" 2>/dev/null; rm -rf "$capture" "$data"' EXIT
export MILLRACE_KAFKA_CAPTURE_DIR="$capture"

meson test -C "$build" --print-errorlogs kafka-kcat kafka-admin kafka-faults

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
http_port=$(free_port)
GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$build/data" \
  "$build/app/millrace" --headless --brokers=1 --data-dir="$data/cluster" \
  --port="$port" --http-port="$http_port" >"$data/millrace.log" 2>&1 &
pid=$!
bootstrap=127.0.0.1:$port
i=0
until kcat -b "$bootstrap" -L -m 2 >/dev/null 2>&1; do
  i=$((i + 1))
  test $i -lt 100 || { cat "$data/millrace.log"; exit 1; }
  sleep 0.1
done

session () {
  # $1: a name for the topics; the rest: extra kcat arguments.
  name=$1
  shift
  for codec in none gzip snappy lz4 zstd; do
    # Values that compress, or librdkafka sends the batch uncompressed.
    seq 1 200 | sed 's/^\(.*\)$/key\1:value \1 of the capture session, repeated/' |
      kcat -b "$bootstrap" "$@" -P -K: -t "$name-$codec" -z "$codec" \
        -H trace=capture -m 5 >/dev/null 2>&1 || true
    kcat -b "$bootstrap" "$@" -C -t "$name-$codec" -o beginning -e -q \
      -m 5 >/dev/null 2>&1 || true
  done
  kcat -b "$bootstrap" "$@" -L -m 2 >/dev/null 2>&1 || true
  kcat -b "$bootstrap" "$@" -Q -t "$name-none:0:1000" -m 2 >/dev/null 2>&1 || true
}

session capture
session capture-idempotent -X enable.idempotence=true
for fallback in 0.9.0 0.10.0 0.11.0 1.0.0 2.0.0; do
  session "capture-$(echo $fallback | tr . -)" \
    -X api.version.request=false -X broker.version.fallback="$fallback"
done

kill "$pid"
wait "$pid" || true
pid=

python3 "$here/corpus-from-capture.py" "$capture" "$corpus"
