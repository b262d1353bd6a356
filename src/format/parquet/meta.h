/*
 * meta.h - Parquet file metadata as C structs, and their Thrift compact
 * encoding (parquet.thrift: FileMetaData, SchemaElement, LogicalType,
 * RowGroup, ColumnChunk, ColumnMetaData, Statistics, PageHeader,
 * ColumnIndex, OffsetIndex, BloomFilterHeader).
 *
 * Only the fields tarn uses are kept; unknown fields are skipped when
 * decoding (Thrift's rule), unknown LogicalType union members decode as
 * PQ_LT_UNKNOWN so the column can still be read by its physical type.
 *
 * Memory: the decoders allocate everything (strings, arrays, nested structs)
 * in the Arena passed in; strings are NUL-terminated copies; binary
 * statistics are (ptr, len) copies.  Nothing needs freeing but the arena.
 *
 * Untrusted input: every length, count and nesting depth is checked against
 * the bytes available and fixed limits; violations are TARN_ERR_CORRUPT with
 * a message naming the structure and field ("page header: negative
 * num_values").
 */
#ifndef TARN_FORMAT_PARQUET_META_H
#define TARN_FORMAT_PARQUET_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"

/* parquet.thrift: Type */
typedef enum PqPhysType {
    PQ_BOOLEAN = 0,
    PQ_INT32 = 1,
    PQ_INT64 = 2,
    PQ_INT96 = 3,
    PQ_FLOAT = 4,
    PQ_DOUBLE = 5,
    PQ_BYTE_ARRAY = 6,
    PQ_FIXED_LEN_BYTE_ARRAY = 7
} PqPhysType;

/* parquet.thrift: ConvertedType (legacy annotations); -1 = unset */
typedef enum PqConvertedType {
    PQ_CT_NONE = -1,
    PQ_CT_UTF8 = 0,
    PQ_CT_MAP = 1,
    PQ_CT_MAP_KEY_VALUE = 2,
    PQ_CT_LIST = 3,
    PQ_CT_ENUM = 4,
    PQ_CT_DECIMAL = 5,
    PQ_CT_DATE = 6,
    PQ_CT_TIME_MILLIS = 7,
    PQ_CT_TIME_MICROS = 8,
    PQ_CT_TIMESTAMP_MILLIS = 9,
    PQ_CT_TIMESTAMP_MICROS = 10,
    PQ_CT_UINT_8 = 11,
    PQ_CT_UINT_16 = 12,
    PQ_CT_UINT_32 = 13,
    PQ_CT_UINT_64 = 14,
    PQ_CT_INT_8 = 15,
    PQ_CT_INT_16 = 16,
    PQ_CT_INT_32 = 17,
    PQ_CT_INT_64 = 18,
    PQ_CT_JSON = 19,
    PQ_CT_BSON = 20,
    PQ_CT_INTERVAL = 21
} PqConvertedType;

/* parquet.thrift: FieldRepetitionType; -1 = unset (root) */
typedef enum PqRepetition {
    PQ_REP_NONE = -1,
    PQ_REQUIRED = 0,
    PQ_OPTIONAL = 1,
    PQ_REPEATED = 2
} PqRepetition;

/* parquet.thrift: LogicalType union member (field id in the union). */
typedef enum PqLogicalKind {
    PQ_LT_NONE = 0,
    PQ_LT_STRING = 1,
    PQ_LT_MAP = 2,
    PQ_LT_LIST = 3,
    PQ_LT_ENUM = 4,
    PQ_LT_DECIMAL = 5,
    PQ_LT_DATE = 6,
    PQ_LT_TIME = 7,
    PQ_LT_TIMESTAMP = 8,
    /* 9 reserved for INTERVAL */
    PQ_LT_INTEGER = 10,
    PQ_LT_UNKNOWN_NULL = 11, /* "UNKNOWN" in the spec: always-null column */
    PQ_LT_JSON = 12,
    PQ_LT_BSON = 13,
    PQ_LT_UUID = 14,
    PQ_LT_FLOAT16 = 15,
    PQ_LT_VARIANT = 16,
    PQ_LT_GEOMETRY = 17,
    PQ_LT_GEOGRAPHY = 18,
    PQ_LT_UNKNOWN = 255 /* a union member this reader does not know */
} PqLogicalKind;

typedef enum PqTimeUnit { PQ_MILLIS = 0, PQ_MICROS = 1, PQ_NANOS = 2 } PqTimeUnit;

typedef struct PqLogicalType {
    PqLogicalKind kind;
    int32_t scale, precision;  /* DECIMAL */
    bool is_adjusted_to_utc;   /* TIME, TIMESTAMP */
    PqTimeUnit unit;           /* TIME, TIMESTAMP */
    int8_t bit_width;          /* INTEGER: 8,16,32,64 */
    bool is_signed;            /* INTEGER */
} PqLogicalType;

/* parquet.thrift: Encoding */
typedef enum PqEncoding {
    PQ_ENC_PLAIN = 0,
    PQ_ENC_PLAIN_DICTIONARY = 2,
    PQ_ENC_RLE = 3,
    PQ_ENC_BIT_PACKED = 4,
    PQ_ENC_DELTA_BINARY_PACKED = 5,
    PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
    PQ_ENC_DELTA_BYTE_ARRAY = 7,
    PQ_ENC_RLE_DICTIONARY = 8,
    PQ_ENC_BYTE_STREAM_SPLIT = 9
} PqEncoding;

/* parquet.thrift: CompressionCodec */
typedef enum PqCodec {
    PQ_CODEC_UNCOMPRESSED = 0,
    PQ_CODEC_SNAPPY = 1,
    PQ_CODEC_GZIP = 2,
    PQ_CODEC_LZO = 3,
    PQ_CODEC_BROTLI = 4,
    PQ_CODEC_LZ4 = 5, /* deprecated Hadoop-framed LZ4 */
    PQ_CODEC_ZSTD = 6,
    PQ_CODEC_LZ4_RAW = 7
} PqCodec;

/* parquet.thrift: PageType */
typedef enum PqPageType {
    PQ_PAGE_DATA = 0,
    PQ_PAGE_INDEX = 1,
    PQ_PAGE_DICTIONARY = 2,
    PQ_PAGE_DATA_V2 = 3
} PqPageType;

/* A binary value (statistics, key-value metadata values). */
typedef struct PqBytes {
    const uint8_t *ptr; /* in the arena; NULL when absent */
    uint32_t len;
} PqBytes;

typedef struct PqSchemaElement {
    int32_t type;          /* PqPhysType, or -1 for groups */
    int32_t type_length;   /* FIXED_LEN_BYTE_ARRAY width; -1 if unset */
    int32_t repetition;    /* PqRepetition (-1 if unset) */
    const char *name;
    int32_t num_children;  /* 0 for leaves */
    int32_t converted_type;/* PqConvertedType (-1 if unset) */
    int32_t scale;         /* legacy decimal */
    int32_t precision;     /* legacy decimal */
    int32_t field_id;      /* -1 if unset */
    bool has_field_id;
    PqLogicalType logical; /* kind PQ_LT_NONE if unset */
} PqSchemaElement;

typedef struct PqStatistics {
    PqBytes max, min;              /* deprecated fields 1, 2 (signed order) */
    PqBytes max_value, min_value;  /* fields 5, 6 */
    int64_t null_count;            /* -1 if unset */
    int64_t distinct_count;        /* -1 if unset */
    bool has_is_max_value_exact, is_max_value_exact;
    bool has_is_min_value_exact, is_min_value_exact;
} PqStatistics;

typedef struct PqKeyValue {
    const char *key;
    const char *value; /* NULL when unset */
} PqKeyValue;

typedef struct PqPageEncodingStats {
    int32_t page_type, encoding, count;
} PqPageEncodingStats;

typedef struct PqColumnMetaData {
    int32_t type;                  /* PqPhysType */
    int32_t n_encodings;
    int32_t *encodings;            /* PqEncoding[] */
    int32_t n_path;
    const char **path_in_schema;
    int32_t codec;                 /* PqCodec */
    int64_t num_values;
    int64_t total_uncompressed_size;
    int64_t total_compressed_size;
    int32_t n_kv;
    PqKeyValue *key_value_metadata;
    int64_t data_page_offset;
    int64_t index_page_offset;     /* -1 if unset */
    int64_t dictionary_page_offset;/* -1 if unset */
    bool has_statistics;
    PqStatistics statistics;
    int32_t n_encoding_stats;
    PqPageEncodingStats *encoding_stats;
    int64_t bloom_filter_offset;   /* -1 if unset */
    int32_t bloom_filter_length;   /* -1 if unset */
} PqColumnMetaData;

typedef struct PqColumnChunk {
    const char *file_path;         /* NULL: same file */
    int64_t file_offset;
    bool has_meta_data;
    PqColumnMetaData meta_data;
    int64_t offset_index_offset;   /* -1 if unset */
    int32_t offset_index_length;
    int64_t column_index_offset;   /* -1 if unset */
    int32_t column_index_length;
    bool encrypted;                /* crypto_metadata or encrypted_column_metadata present */
} PqColumnChunk;

typedef struct PqSortingColumn {
    int32_t column_idx;
    bool descending;
    bool nulls_first;
} PqSortingColumn;

typedef struct PqRowGroup {
    int32_t n_columns;
    PqColumnChunk *columns;
    int64_t total_byte_size;
    int64_t num_rows;
    int32_t n_sorting_columns;
    PqSortingColumn *sorting_columns;
    int64_t file_offset;           /* -1 if unset */
    int64_t total_compressed_size; /* -1 if unset */
    int16_t ordinal;               /* -1 if unset */
} PqRowGroup;

typedef struct PqFileMetaData {
    int32_t version;
    int32_t n_schema;
    PqSchemaElement *schema;       /* depth-first, element 0 is the root */
    int64_t num_rows;
    int32_t n_row_groups;
    PqRowGroup *row_groups;
    int32_t n_kv;
    PqKeyValue *key_value_metadata;
    const char *created_by;        /* NULL if unset */
    int32_t n_column_orders;       /* ColumnOrder list: 1 = TYPE_ORDER per column */
    int32_t *column_orders;        /* union member id per column (1 = TypeDefinedOrder, 2 = IEEE754) */
    bool encrypted;                /* encryption_algorithm present (plaintext footer mode) */
} PqFileMetaData;

typedef struct PqDataPageHeader {
    int32_t num_values;
    int32_t encoding;
    int32_t definition_level_encoding;
    int32_t repetition_level_encoding;
    bool has_statistics;
    PqStatistics statistics;
} PqDataPageHeader;

typedef struct PqDictionaryPageHeader {
    int32_t num_values;
    int32_t encoding;
    bool is_sorted;
} PqDictionaryPageHeader;

typedef struct PqDataPageHeaderV2 {
    int32_t num_values;
    int32_t num_nulls;
    int32_t num_rows;
    int32_t encoding;
    int32_t definition_levels_byte_length;
    int32_t repetition_levels_byte_length;
    bool is_compressed;            /* default true */
    bool has_statistics;
    PqStatistics statistics;
} PqDataPageHeaderV2;

typedef struct PqPageHeader {
    int32_t type;                  /* PqPageType */
    int32_t uncompressed_page_size;
    int32_t compressed_page_size;
    bool has_crc;
    uint32_t crc;                  /* CRC-32 of the (compressed) page data */
    PqDataPageHeader data_page;    /* valid when type == PQ_PAGE_DATA */
    PqDictionaryPageHeader dict_page; /* type == PQ_PAGE_DICTIONARY */
    PqDataPageHeaderV2 data_page_v2;  /* type == PQ_PAGE_DATA_V2 */
} PqPageHeader;

/* parquet.thrift: ColumnIndex */
typedef struct PqColumnIndex {
    int32_t n_pages;
    bool *null_pages;
    PqBytes *min_values;
    PqBytes *max_values;
    int32_t boundary_order;        /* 0 UNORDERED, 1 ASCENDING, 2 DESCENDING */
    int64_t *null_counts;          /* NULL if unset */
} PqColumnIndex;

typedef struct PqPageLocation {
    int64_t offset;
    int32_t compressed_page_size;
    int64_t first_row_index;
} PqPageLocation;

/* parquet.thrift: OffsetIndex */
typedef struct PqOffsetIndex {
    int32_t n_pages;
    PqPageLocation *page_locations;
} PqOffsetIndex;

/* parquet.thrift: BloomFilterHeader (only SPLIT_BLOCK / XXHASH / UNCOMPRESSED exist) */
typedef struct PqBloomFilterHeader {
    int32_t num_bytes;
    int32_t algorithm;   /* union member id: 1 = BLOCK */
    int32_t hash;        /* 1 = XXHASH */
    int32_t compression; /* 1 = UNCOMPRESSED */
} PqBloomFilterHeader;

/* Limits applied to untrusted metadata. */
#define PQ_MAX_SCHEMA_ELEMENTS 100000
#define PQ_MAX_NESTING 64          /* Thrift struct nesting while decoding */
#define PQ_MAX_LIST 100000000      /* elements of any one Thrift list */

/* ---- Decoding ----------------------------------------------------------
 * Each decoder reads from buf[0..len) and sets *used_out to the number of
 * bytes consumed (where given).  Allocations go to arena `a`.  Returns 0 or
 * a TARN_ERR_* kind with err set. */

int pq_decode_file_metadata(const uint8_t *buf, size_t len, Arena *a, PqFileMetaData *out,
                            TarnError *err);
int pq_decode_page_header(const uint8_t *buf, size_t len, Arena *a, PqPageHeader *out,
                          size_t *used_out, TarnError *err);
int pq_decode_column_index(const uint8_t *buf, size_t len, Arena *a, PqColumnIndex *out,
                           TarnError *err);
int pq_decode_offset_index(const uint8_t *buf, size_t len, Arena *a, PqOffsetIndex *out,
                           TarnError *err);
int pq_decode_bloom_header(const uint8_t *buf, size_t len, PqBloomFilterHeader *out,
                           size_t *used_out, TarnError *err);

/* ---- Encoding ----------------------------------------------------------
 * Each encoder appends the Thrift compact encoding to `out`.  Fields that
 * are "unset" by the conventions above (-1, NULL, false has_*) are omitted.
 * Returns 0 or TARN_ERR_NOMEM. */

int pq_encode_file_metadata(const PqFileMetaData *m, Buf *out);
int pq_encode_page_header(const PqPageHeader *h, Buf *out);
int pq_encode_column_index(const PqColumnIndex *ci, Buf *out);
int pq_encode_offset_index(const PqOffsetIndex *oi, Buf *out);
int pq_encode_bloom_header(const PqBloomFilterHeader *h, Buf *out);

/* Initialisers that set every optional field to "unset". */
void pq_schema_element_init(PqSchemaElement *e);
void pq_statistics_init(PqStatistics *s);
void pq_column_chunk_init(PqColumnChunk *c);
void pq_page_header_init(PqPageHeader *h);

#endif
