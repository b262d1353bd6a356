/*
 * actions.h - the actions of the Delta transaction log as C structs, their
 * JSON parsing (commit files, V2 checkpoint manifests, _last_checkpoint) and
 * their serialization back to one-line JSON.
 *
 * Spec: delta-io/delta PROTOCOL.md, "Actions" (metaData, add, remove, cdc,
 * txn, protocol, commitInfo, domainMetadata, sidecar, checkpointMetadata),
 * "Deletion Vector Descriptor Schema", "Last Checkpoint File Schema".
 *
 * Parsing follows the protocol's evolution rule: unknown fields are
 * ignored, unknown action names are kept as DELTA_ACT_UNKNOWN (with their
 * name) so tools can report them, but never change the table state.  A
 * missing required field or a field of the wrong JSON type is
 * TARN_ERR_CORRUPT; messages name the action and field ("add action without
 * \"path\""), and callers add the file and line through the context chain.
 *
 * Memory: every parsed string, map and array lives in the Arena passed in
 * and dies with it.  Strings are NUL-terminated copies.  A DeltaStrMap value
 * may be NULL (JSON null: a null partition value).
 *
 * Paths: `path` fields hold the text of the log (an RFC 2396 URI reference,
 * %-escaped).  delta_path_decode turns it into a storage path;
 * delta_path_encode does the reverse for writers.
 *
 * Thread-safety: pure functions over caller-owned memory.
 */
#ifndef TARN_TABLE_DELTA_ACTIONS_H
#define TARN_TABLE_DELTA_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/json/json_parse.h"
#include "util/err.h"
#include "util/mem.h"

/* A string -> string map (partitionValues, configuration, tags), in file order. */
typedef struct DeltaStrMap {
    uint32_t n;
    char **keys;   /* arena */
    char **values; /* arena; an entry may be NULL (JSON null) */
} DeltaStrMap;

/* Value of key, or NULL when absent; *found_out (may be NULL) tells absent
 * from a null value. */
const char *delta_map_get(const DeltaStrMap *m, const char *key, bool *found_out);
/* Sets key to value in a map whose arrays live in `a` (copies both; value may be NULL). */
int delta_map_set(Arena *a, DeltaStrMap *m, const char *key, const char *value);
/* Deep copy into arena a. */
int delta_map_copy(Arena *a, DeltaStrMap *dst, const DeltaStrMap *src);

/* Puts `prefix` in front of err's message (used to name the file and line
 * of a malformed log entry). */
void delta_err_prefix(TarnError *err, const char *prefix);

/* ---- Action structs ------------------------------------------------------ */

typedef struct DeltaProtocol {
    int32_t min_reader_version;
    int32_t min_writer_version;
    bool has_reader_features;   /* readerFeatures present (reader version 3) */
    bool has_writer_features;   /* writerFeatures present (writer version 7) */
    uint32_t n_reader_features;
    char **reader_features;     /* arena */
    uint32_t n_writer_features;
    char **writer_features;     /* arena */
} DeltaProtocol;

typedef struct DeltaMetadata {
    char *id;                   /* table GUID */
    char *name;                 /* optional, NULL when absent */
    char *description;          /* optional */
    char *format_provider;      /* "parquet" */
    DeltaStrMap format_options;
    char *schema_string;        /* Spark JSON schema (see schema.h) */
    uint32_t n_partition_columns;
    char **partition_columns;   /* logical names, in partition order */
    bool has_created_time;
    int64_t created_time;       /* ms since epoch */
    DeltaStrMap configuration;  /* table properties ("delta.appendOnly" ...) */
} DeltaMetadata;

/* Deletion vector descriptor (PROTOCOL.md "Deletion Vector Descriptor Schema"). */
typedef struct DeltaDv {
    char storage_type;          /* 'u' (relative, z85 UUID), 'i' (inline), 'p' (absolute path) */
    char *path_or_inline;       /* arena */
    bool has_offset;
    int32_t offset;             /* bytes into the DV file (0 when absent) */
    int32_t size_bytes;         /* serialized bitmap size (before z85 for inline) */
    int64_t cardinality;        /* rows it deletes */
} DeltaDv;

/* The DV's uniqueId (storageType + pathOrInlineDv [+ "@" offset]) appended
 * to out (not NUL-terminated unless buf_terminate is called). */
int delta_dv_unique_id(const DeltaDv *dv, Buf *out);

typedef struct DeltaAdd {
    char *path;                 /* as in the log (URI-escaped) */
    DeltaStrMap partition_values; /* physical partition column name -> serialized value */
    int64_t size;               /* bytes */
    int64_t modification_time;  /* ms since epoch */
    bool data_change;
    char *stats;                /* statistics JSON text, NULL when absent */
    DeltaStrMap tags;
    DeltaDv *dv;                /* NULL = no deletion vector */
    bool has_base_row_id;
    int64_t base_row_id;
    bool has_default_row_commit_version;
    int64_t default_row_commit_version;
    char *clustering_provider;  /* optional */
} DeltaAdd;

typedef struct DeltaRemove {
    char *path;
    bool has_deletion_timestamp;
    int64_t deletion_timestamp; /* ms since epoch */
    bool data_change;
    bool extended_file_metadata;
    DeltaStrMap partition_values;
    bool has_size;
    int64_t size;
    char *stats;                /* optional */
    DeltaStrMap tags;
    DeltaDv *dv;
    bool has_base_row_id;
    int64_t base_row_id;
    bool has_default_row_commit_version;
    int64_t default_row_commit_version;
} DeltaRemove;

typedef struct DeltaCdc {
    char *path;
    DeltaStrMap partition_values;
    int64_t size;
    bool data_change;
    DeltaStrMap tags;
} DeltaCdc;

/* "txn" action (SetTransaction): an application's progress marker. */
typedef struct DeltaSetTxn {
    char *app_id;
    int64_t version;
    bool has_last_updated;
    int64_t last_updated;       /* ms since epoch */
} DeltaSetTxn;

/* commitInfo is free-form JSON; the fields tarn reads are pulled out and
 * the whole object is kept as compact JSON text. */
typedef struct DeltaCommitInfo {
    char *json;                 /* the object, compact JSON, arena */
    bool has_timestamp;
    int64_t timestamp;          /* ms since epoch */
    bool has_in_commit_timestamp;
    int64_t in_commit_timestamp;/* ms since epoch */
    char *operation;            /* NULL when absent */
    bool has_read_version;
    int64_t read_version;
    bool is_blind_append;
} DeltaCommitInfo;

typedef struct DeltaDomainMetadata {
    char *domain;
    char *configuration;
    bool removed;
} DeltaDomainMetadata;

typedef struct DeltaCheckpointMetadata {
    int64_t version;
    DeltaStrMap tags;
} DeltaCheckpointMetadata;

typedef struct DeltaSidecar {
    char *path;                 /* usually a bare file name under _delta_log/_sidecars/ */
    int64_t size_bytes;
    int64_t modification_time;
    DeltaStrMap tags;
} DeltaSidecar;

typedef enum DeltaActionKind {
    DELTA_ACT_PROTOCOL = 1,
    DELTA_ACT_METADATA,
    DELTA_ACT_ADD,
    DELTA_ACT_REMOVE,
    DELTA_ACT_CDC,
    DELTA_ACT_TXN,
    DELTA_ACT_COMMIT_INFO,
    DELTA_ACT_DOMAIN_METADATA,
    DELTA_ACT_CHECKPOINT_METADATA,
    DELTA_ACT_SIDECAR,
    DELTA_ACT_UNKNOWN           /* an action this version of tarn does not know */
} DeltaActionKind;

typedef struct DeltaAction {
    DeltaActionKind kind;
    union {
        DeltaProtocol protocol;
        DeltaMetadata metadata;
        DeltaAdd add;
        DeltaRemove remove;
        DeltaCdc cdc;
        DeltaSetTxn txn;
        DeltaCommitInfo commit_info;
        DeltaDomainMetadata domain;
        DeltaCheckpointMetadata checkpoint_metadata;
        DeltaSidecar sidecar;
        const char *unknown_name; /* DELTA_ACT_UNKNOWN: the action's key, arena */
    } u;
} DeltaAction;

/* A growable list of actions (the content of one commit). */
typedef struct DeltaActionList {
    size_t n, cap;
    DeltaAction *items;         /* tarn_malloc'd; free with delta_action_list_free */
} DeltaActionList;

void delta_action_list_init(DeltaActionList *l);
void delta_action_list_free(DeltaActionList *l);
/* Appends a copy of the struct (pointers inside it are shared, not copied). */
int delta_action_list_push(DeltaActionList *l, const DeltaAction *a);
/* Deep copy: every string, map and array of src copied into arena a.
 * Returns 0 or TARN_ERR_NOMEM (dst is then partly copied; drop it). */
int delta_action_copy(Arena *a, DeltaAction *dst, const DeltaAction *src);

/* ---- Parsing --------------------------------------------------------------- */

/* Parses one action from a parsed JSON object {"<kind>": {...}}. */
int delta_action_from_json(Arena *a, const JsonNode *obj, DeltaAction *out, TarnError *err);

/* Parses one line of a commit file.  An empty or blank line sets
 * out->kind = 0 and succeeds (callers skip it). */
int delta_action_parse_line(Arena *a, const char *line, size_t len, DeltaAction *out,
                            TarnError *err);

/* Parses a whole commit file (newline-delimited JSON) and appends its
 * actions to `out`.  `file_name` is used in messages: errors read
 * `delta log "<file_name>" line N: <what>`. */
int delta_actions_parse(Arena *a, const char *text, size_t len, const char *file_name,
                        DeltaActionList *out, TarnError *err);

/* Parses a deletion vector descriptor object. */
int delta_dv_from_json(Arena *a, const JsonNode *obj, DeltaDv **out, TarnError *err);

/* ---- Serialization ---------------------------------------------------------
 * Each appends one JSON object ({"add":{...}}) and a '\n' to out.  Absent
 * optional fields are omitted.  Returns 0 or TARN_ERR_NOMEM. */

int delta_action_serialize(const DeltaAction *act, Buf *out);
/* Appends the DV descriptor object (no newline). */
int delta_dv_serialize(const DeltaDv *dv, Buf *out);
/* Appends a DeltaStrMap as a JSON object (no newline). */
int delta_map_serialize(const DeltaStrMap *m, Buf *out);

/* ---- _last_checkpoint -------------------------------------------------------- */

typedef struct DeltaLastCheckpoint {
    int64_t version;
    int64_t size;               /* actions in the checkpoint */
    bool has_parts;
    int64_t parts;              /* multi-part checkpoints */
    bool has_size_in_bytes;
    int64_t size_in_bytes;
    bool has_num_add_files;
    int64_t num_add_files;
} DeltaLastCheckpoint;

int delta_last_checkpoint_parse(const char *text, size_t len, DeltaLastCheckpoint *out,
                                TarnError *err);
int delta_last_checkpoint_serialize(const DeltaLastCheckpoint *lc, Buf *out);

/* ---- Log file names ------------------------------------------------------------ */

typedef enum DeltaLogFileKind {
    DELTA_LOG_OTHER = 0,        /* not part of the log (e.g. .crc, _last_checkpoint) */
    DELTA_LOG_COMMIT,           /* NNNNNNNNNNNNNNNNNNNN.json */
    DELTA_LOG_CHECKPOINT,       /* NNN.checkpoint.parquet (classic) */
    DELTA_LOG_CHECKPOINT_PART,  /* NNN.checkpoint.OOOOOOOOOO.PPPPPPPPPP.parquet */
    DELTA_LOG_CHECKPOINT_V2,    /* NNN.checkpoint.<uuid>.json|parquet */
    DELTA_LOG_COMPACTION,       /* <start>.<end>.compacted.json */
    DELTA_LOG_CRC               /* NNN.crc */
} DeltaLogFileKind;

typedef struct DeltaLogFileName {
    DeltaLogFileKind kind;
    int64_t version;            /* the version it describes (compaction: start) */
    int64_t end_version;        /* compaction: end */
    int32_t part, n_parts;      /* multi-part checkpoint: 1-based part of n_parts */
    bool is_json;               /* V2 checkpoint manifest in JSON */
} DeltaLogFileName;

/* Classifies a file name under _delta_log/ (no directory part). */
DeltaLogFileName delta_log_file_classify(const char *name);
/* Writes "%020lld.json" into buf (>= 32 bytes); returns buf. */
char *delta_commit_file_name(int64_t version, char *buf);

/* ---- Paths ----------------------------------------------------------------------- */

/* Decodes a log path (%XX escapes) into out (NUL-terminated, arena).
 * Absolute URIs are reported through *is_absolute_out: "file:/x", "file:///x"
 * and "/x" become "/x"; other schemes are TARN_ERR_UNSUPPORTED
 * "unsupported: file system scheme \"s3\"". */
int delta_path_decode(Arena *a, const char *path, char **out, bool *is_absolute_out,
                      TarnError *err);
/* Escapes a relative path for the log: bytes outside the unreserved set
 * [A-Za-z0-9-._~/] and '=' are written as %XX (as Spark does for ' ', '%',
 * ':' and non-ASCII). */
int delta_path_encode(const char *path, Buf *out);
/* Escapes one partition directory component "col=value" the Hive way
 * (characters like '/', '%', ':', '=' and control bytes as %XX). */
int delta_partition_escape(const char *s, Buf *out);

#endif
