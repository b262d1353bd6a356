#!/usr/bin/env bash
# bench/ingest.sh - `tarn ingest kafka` throughput and latency (issue #7).
#
#   BENCH_INGEST_EVENTS=2000000 BENCH_INGEST_ROUNDS=3 bench/ingest.sh
#   (BENCH_RECORD=0: a trial run that leaves BENCHMARKS.md alone;
#    BENCH_INGEST_PARTITIONS=32, BENCH_INGEST_LAT_SECONDS=10,
#    BENCH_INGEST_LAT_RATE=20000)
#
# $BUILD/kafka_bench (bench/kafka_ceiling.c) hosts a librdkafka mock
# cluster on loopback and produces EVENTS JSON events (~200 bytes, 10
# fields, lz4) into a topic of PARTITIONS partitions (the mock keeps about
# 5 MB per partition: the records really held are counted from the
# watermarks), then runs ROUNDS interleaved rounds of
#   ceiling  a plain librdkafka consumer reading the topic to its end
#            (its own process, rd_kafka_consumer_poll per message)
#   tarn     tarn ingest kafka --exit-at-end into a fresh lake (JSON ->
#            Delta, default flush of 100,000 rows; the first round checks
#            the table holds exactly the records)
# and finally the latency run: tarn ingest kafka --flush-interval-ms 1000
# while events stamped with their produce time arrive at LAT_RATE/s for
# LAT_SECONDS; the driver polls the Delta log every 20 ms and takes, per
# event, produce -> first snapshot holding it.
# Prints medians (events/s), the tarn/ceiling ratio, peak RSS (wait4
# ru_maxrss = VmHWM) and p50/p99 latency, and writes the "ingest" section
# of BENCHMARKS.md.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}
TARN=$(realpath -m "${TARN_BIN:-$BUILD/tarn}")
KB=$BUILD/kafka_bench
EVENTS=${BENCH_INGEST_EVENTS:-2000000}
ROUNDS=${BENCH_INGEST_ROUNDS:-3}
PARTS=${BENCH_INGEST_PARTITIONS:-32}
LAT_S=${BENCH_INGEST_LAT_SECONDS:-10}
LAT_RATE=${BENCH_INGEST_LAT_RATE:-20000}
make -s "$TARN" "$KB" BUILD="$BUILD" >/dev/null 2>&1
for need in "$TARN" "$KB"; do
    [ -x "$need" ] || { echo "bench ingest: $need is missing"; exit 1; }
done
WORK=$(realpath -m "${BENCH_DIR:-$BUILD/bench}/ingest")
rm -rf "$WORK"
mkdir -p "$WORK"
echo "bench ingest: $EVENTS events, $PARTS partitions, $ROUNDS rounds; latency $LAT_S s at $LAT_RATE/s"
if ! "$KB" run "$TARN" "$WORK" "$EVENTS" "$ROUNDS" "$PARTS" "$LAT_S" "$LAT_RATE" >"$WORK/out.txt" 2>"$WORK/err.txt"; then
    cat "$WORK/out.txt"; tail -20 "$WORK/err.txt"
    echo "bench ingest: failed"
    exit 1
fi
cat "$WORK/out.txt"
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
records=$(awk '/^records/{print $2}' "$WORK/out.txt")
ceil_s=$(awk '$1=="round" && $3=="ceiling"{print $4}' "$WORK/out.txt" | median)
tarn_s=$(awk '$1=="round" && $3=="tarn"{print $4}' "$WORK/out.txt" | median)
tarn_rss=$(awk '$1=="round" && $3=="tarn"{print $5}' "$WORK/out.txt" | sort -g | tail -1)
ceil_rss=$(awk '$1=="round" && $3=="ceiling"{print $5}' "$WORK/out.txt" | sort -g | tail -1)
ceil_cpu=$(awk '$1=="round" && $3=="ceiling"{print $6}' "$WORK/out.txt" | median)
tarn_cpu=$(awk '$1=="round" && $3=="tarn"{print $6}' "$WORK/out.txt" | median)
load=$(cut -d' ' -f1 /proc/loadavg)
p50=$(awk '/^latency p50/{print $3}' "$WORK/out.txt")
p99=$(awk '/^latency p99/{print $3}' "$WORK/out.txt")
lat_rss=$(awk '/^latency rss/{print $3}' "$WORK/out.txt")
TABLE=$WORK/table.md
{
    echo "Mock cluster (librdkafka rdkafka_mock, loopback) on this 2-core machine; $records JSON events of ~200 bytes,"
    echo "10 fields, lz4, $PARTS partitions; medians of $ROUNDS interleaved rounds (bench/ingest.sh)."
    echo
    echo "| | seconds | events/s | CPU seconds (user+sys) | events per CPU second | peak RSS |"
    echo "|---|---:|---:|---:|---:|---:|"
    awk -v n="$records" -v s="$ceil_s" -v c="$ceil_cpu" -v r="$ceil_rss" 'BEGIN {printf "| plain librdkafka consumer (ceiling) | %.2f | %.0f | %.2f | %.0f | %.0f MB |\n", s, n/s, c, n/c, r/1024}'
    awk -v n="$records" -v s="$tarn_s" -v c="$tarn_cpu" -v r="$tarn_rss" 'BEGIN {printf "| tarn ingest kafka --exit-at-end (JSON -> Delta) | %.2f | %.0f | %.2f | %.0f | %.0f MB |\n", s, n/s, c, n/c, r/1024}'
    echo
    echo "Load average at the end of the run: $load (the machine is shared; the mock broker runs in the driver process)."
    echo
    awk -v a="$ceil_s" -v b="$tarn_s" 'BEGIN {printf "tarn / ceiling throughput: %.2f (target >= 0.80; >= 500,000 events/s)\n", a/b}'
    echo
    echo "End-to-end latency, produce -> visible in the Delta log, --flush-interval-ms 1000, $LAT_RATE events/s for $LAT_S s:"
    echo "p50 ${p50} ms, p99 ${p99} ms (target p99 < 2000 ms); ingester peak RSS $((lat_rss / 1024)) MB."
} >"$TABLE"
echo
cat "$TABLE"
if [ "${BENCH_RECORD:-1}" != 0 ]; then
    bench_record_section ingest "Ingest: Kafka -> Delta" "$TABLE" "$WORK"
    echo "bench ingest: figures written to BENCHMARKS.md"
fi
