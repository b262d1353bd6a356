/*
 * avro_int.h - internals shared by the Avro decoder and the container
 * file reader (not part of the interface; see avro.h).
 */
#ifndef TARN_FORMAT_AVRO_AVRO_INT_H
#define TARN_FORMAT_AVRO_AVRO_INT_H

#include "format/avro/avro.h"

typedef unsigned __int128 avro_u128;

/* Items (array elements + map entries) one datum may hold when they take
 * no bytes each (arrays of null or of empty records): bounds the work a
 * tiny hostile datum can ask for. */
#define AVRO_MAX_ITEMS (UINT64_C(1) << 22)

typedef enum AKind {
    AK_NULL, AK_BOOL, AK_INT, AK_LONG, AK_FLOAT, AK_DOUBLE, AK_BYTES, AK_STRING,
    AK_RECORD, AK_ENUM, AK_ARRAY, AK_MAP, AK_UNION, AK_FIXED
} AKind;

typedef enum ALogical {
    AL_NONE, AL_DATE, AL_TIME_MS, AL_TIME_US, AL_TS_MS, AL_TS_US, AL_LTS_MS, AL_LTS_US,
    AL_DECIMAL, AL_UUID, AL_DURATION
} ALogical;

/* One compiled schema node (in the decoder's arena). */
typedef struct ANode {
    AKind kind;
    ALogical logical;
    uint8_t precision, scale;  /* decimal */
    int64_t fixed_size;        /* fixed */
    const char *name;          /* named types: full name */
    const char *short_name;    /* named types: name without namespace */
    uint32_t n;                /* record fields / union branches / enum symbols / 1 */
    struct ANode **kids;       /* record fields, union branches, array items, map values */
    const char **names;        /* record field names / enum symbols */
    const uint32_t *name_lens; /* unused (NULL) */
    int null_branch;           /* union: index of the null branch or -1 */
    uint64_t min_size;         /* fewest bytes one value takes */
    bool in_progress;          /* record being compiled (recursion check) */
} ANode;

struct AvroDecoder {
    Arena arena;
    ANode *root;
    bool top_record;
    Schema schema;
    ANode **named;
    size_t n_named, cap_named;
    const char *path[AVRO_MAX_DEPTH + 1]; /* field path while decoding (errors) */
};

#endif
