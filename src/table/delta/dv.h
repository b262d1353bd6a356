/*
 * dv.h - Delta deletion vectors: Z85 text encoding, the RoaringBitmapArray
 * serialization (magic 1681511377 + 64-bit "portable" roaring bitmap made
 * of 32-bit roaring bitmaps with array, bitmap and run containers), the
 * deletion vector file format, and loading a DV named by a descriptor.
 *
 * Spec: PROTOCOL.md "Deletion Vectors", "Deletion Vector Format",
 * "Deletion Vector File Storage Format"; RoaringFormatSpec (32-bit
 * containers, 64-bit portable extension); Z85 = ZeroMQ RFC 32.
 *
 * A decoded DV is a DeltaRowSet: the sorted, distinct row indexes it
 * deletes.  Decoders treat their input as untrusted: every count and
 * offset is checked against the bytes and the descriptor's cardinality.
 * Thread-safety: pure functions; row sets belong to their caller.
 */
#ifndef TARN_TABLE_DELTA_DV_H
#define TARN_TABLE_DELTA_DV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/storage.h"
#include "table/delta/actions.h"
#include "util/err.h"
#include "util/mem.h"

#define DELTA_DV_MAGIC 1681511377u

/* Sorted distinct row indexes (tarn_malloc'd; free with delta_rowset_free). */
typedef struct DeltaRowSet {
    size_t n;
    uint64_t *rows;
} DeltaRowSet;

void delta_rowset_free(DeltaRowSet *s);
/* True when row is in the set (binary search). */
bool delta_rowset_contains(const DeltaRowSet *s, uint64_t row);
/* dst = a U b (both sorted); dst must be distinct from a and b. */
int delta_rowset_union(const DeltaRowSet *a, const DeltaRowSet *b, DeltaRowSet *dst);

/* Z85: decodes n characters (n % 5 == 0) into n / 5 * 4 bytes.  Returns
 * false on a character outside the alphabet or a group overflowing 32 bits. */
bool delta_z85_decode(const char *s, size_t n, uint8_t *out);
/* Encodes n bytes (n % 4 == 0) as n / 4 * 5 characters appended to out. */
int delta_z85_encode(const uint8_t *p, size_t n, Buf *out);

/* Decodes a 64-bit portable roaring bitmap (no magic); at most max_values
 * values are accepted. */
int delta_roaring64_decode(const uint8_t *p, size_t len, uint64_t max_values, DeltaRowSet *out,
                           TarnError *err);
/* Decodes magic + portable bitmap. */
int delta_dv_bitmap_decode(const uint8_t *p, size_t len, uint64_t max_values, DeltaRowSet *out,
                           TarnError *err);
/* Encodes rows (sorted, distinct) as magic + portable bitmap. */
int delta_dv_bitmap_encode(const uint64_t *rows, size_t n, Buf *out);

/* The table-relative path of a 'u' (UUID-named) deletion vector file:
 * "[<prefix>/]deletion_vector_<uuid>.bin". */
int delta_dv_rel_path(const DeltaDv *dv, char *buf, size_t cap, TarnError *err);

/* Loads the rows deleted by dv.  table_root is the table's prefix in s
 * ("" for the root); absolute ('p') DVs are read from the local file system
 * through abs_storage (a local storage rooted at "/", may be NULL if the
 * table has none, then 'p' is unsupported).  The result's size must equal
 * dv->cardinality. */
int delta_dv_load(Storage *s, Storage *abs_storage, const char *table_root, const DeltaDv *dv,
                  DeltaRowSet *out, TarnError *err);

/* Writes a DV file holding one bitmap for `rows` under table_root with a
 * fresh UUID name and fills *dv (storage type 'u', offset 1) with strings
 * allocated in a. */
int delta_dv_write(Storage *s, const char *table_root, const uint64_t *rows, size_t n, Arena *a,
                   DeltaDv *dv, TarnError *err);
/* Inline descriptor (storage type 'i') for small DVs. */
int delta_dv_inline(const uint64_t *rows, size_t n, Arena *a, DeltaDv *dv, TarnError *err);

/* A random (v4) UUID as 36-character lower-case text into buf (>= 37). */
void delta_uuid_text(char *buf);

#endif
