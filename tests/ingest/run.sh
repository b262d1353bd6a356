#!/usr/bin/env bash
# tests/ingest/run.sh - the `tarn ingest kafka` suite: builds
# $BUILD/kafka_test (tests/ingest/kafka_test.c), which hosts a librdkafka
# mock cluster on loopback and runs $BUILD/tarn ingest kafka against it:
# SIGKILLs at random moments then --exit-at-end (exactly once, no gaps), a
# consumer group with a rebalance and a killed member, dead letters and
# schema evolution, csv / raw / avro.  Environment: BUILD (default build),
# SAN=1 for the sanitizer build (the driver and tarn both instrumented).
# Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TARN=$BUILD/tarn
DRIVER=$BUILD/kafka_test
if [ "${SAN:-}" = 1 ]; then
    make -s "$TARN" "$DRIVER" BUILD="$BUILD" SAN=1 >/dev/null 2>&1
else
    make -s "$TARN" "$DRIVER" BUILD="$BUILD" >/dev/null 2>&1
fi
if [ ! -x "$TARN" ] || [ ! -x "$DRIVER" ]; then
    echo "ingest: cannot build $TARN / $DRIVER"
    echo "0 passed, 1 failed"
    exit 1
fi
TMP=$(mktemp -d /tmp/tarn-ingest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
"$DRIVER" "$PWD/$TARN" "$TMP" "$@"
rc=$?
# sanitizer reports of the ingesters land in their logs
if grep -l -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$TMP"/*.log >/dev/null 2>&1; then
    grep -h -A5 -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$TMP"/*.log | head -40
    echo "0 passed, 1 failed"
    exit 1
fi
exit $rc
