#!/usr/bin/env bash
# Conformance suite: files written by other implementations
# (../shared/testdata) read by tarn and checked against independent readers
# and documented values.  Needs node and tools/node (make deps).
set -u
cd "$(dirname "$0")/../.."
TARN_BIN=${TARN_BIN:-$PWD/build/tarn}
SHARED=${TARN_SHARED:-$PWD/../shared}
if [ ! -d "$SHARED/testdata" ]; then
    echo "shared test data not found at $SHARED/testdata"
    echo "0 passed, 1 failed"
    exit 1
fi
exec node tests/conformance/parquet.mjs "$TARN_BIN" "$SHARED/testdata" "$@"
