/*
 * kafka.h - `tarn ingest kafka`: a Kafka topic into a Delta table, exactly
 * once (docs/ingest.md has the design; src/ingest/README.md the map).
 *
 * Records are consumed with librdkafka, decoded (decode.h) into an
 * IngestSink and committed in micro-batches (every flush_rows rows or
 * flush_interval_ms, whichever first).  Each commit carries, per source
 * partition in the batch, a txn action appId
 * "tarn-kafka:<group>:<topic>:<partition>", version = the next offset to
 * read; consumption always starts from those versions (never from Kafka's
 * group offsets), so a process killed at any moment resumes exactly after
 * the last committed record.
 */
#ifndef TARN_INGEST_KAFKA_H
#define TARN_INGEST_KAFKA_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ingest/decode.h"
#include "util/err.h"

typedef struct KafkaIngestOptions {
    const char *lake;
    const char *brokers;
    const char *topic;
    const char *schema, *table;     /* target SCHEMA.NAME */
    const char *dlq_table;          /* NULL = <table>_dlq */
    const char *group;              /* NULL = standalone (every partition) */
    IngestFormat format;
    const char *avro_schema_json;
    bool confluent;
    int64_t flush_rows;             /* 0 = 100000 */
    int64_t flush_interval_ms;      /* 0 = 1000 */
    int64_t max_buffer_bytes;       /* 0 = 256 MiB: flush early beyond */
    bool exit_at_end;
    bool verbose;                   /* a line per commit on stderr */
    /* Extra librdkafka properties "name=value" (--property). */
    const char *const *props;
    int n_props;
    /* Set asynchronously (signal handler) to stop after a final flush. */
    atomic_int *stop;
} KafkaIngestOptions;

typedef struct KafkaIngestStats {
    int64_t records, rows, dead_letters, commits, conflicts;
} KafkaIngestStats;

/* Runs until stop is set or (exit_at_end) the assigned partitions are
 * consumed and committed to their end.  0 or an error kind. */
int kafka_ingest_run(const KafkaIngestOptions *o, KafkaIngestStats *stats, TarnError *err);

#endif
