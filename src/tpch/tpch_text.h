/*
 * tpch_text.h - the TPC-H text pool: pseudo-English sentences made by the
 * grammar of clause 4.2.2.10, from which every comment column takes a
 * random substring.
 *
 * A sentence is a production of `grammar` ("N V P T": noun phrase, verb
 * phrase, prepositional phrase, terminator); noun phrases come from `np`
 * ("D J N": adverb adjective noun, "J, J N" ...), verb phrases from `vp`
 * ("X V D": auxiliary verb adverb ...), a prepositional phrase is a
 * preposition, "the" and a noun phrase, and the terminator abuts the last
 * word.  Words are weighted picks from tpch_dists.h.  Sentences are
 * appended, separated by one space, until the pool holds `bytes` bytes;
 * the last sentence is cut there.
 *
 * dbgen builds one 300 MiB pool from one stream (seed 933588178) and draws
 * comment offsets over the whole of it; a pool of TPCH_TEXT_POOL_BYTES
 * therefore reproduces dbgen's comments.  Building it takes about a second
 * and 300 MiB of memory, once per run.
 *
 * Thread-safety: the pool is immutable once built; any number of threads
 * may read it.  Memory: tpch_text_pool_free releases it.
 */
#ifndef TARN_TPCH_TPCH_TEXT_H
#define TARN_TPCH_TPCH_TEXT_H

#include <stddef.h>

#include "util/err.h"

#define TPCH_TEXT_POOL_BYTES ((size_t)300 << 20)
#define TPCH_TEXT_POOL_SEED 933588178
/* Longest sentence the grammar can make, with margin (bytes). */
#define TPCH_TEXT_MAX_SENTENCE 512

typedef struct TpchTextPool TpchTextPool;

/* Builds a pool of `bytes` bytes (TPCH_TEXT_POOL_BYTES for dbgen's
 * pool).  NULL on failure (TARN_ERR_NOMEM). */
TpchTextPool *tpch_text_pool_new(size_t bytes, TarnError *err);
void tpch_text_pool_free(TpchTextPool *p);

/* The pool's bytes (not NUL-terminated) and length. */
const char *tpch_text_pool_data(const TpchTextPool *p);
size_t tpch_text_pool_size(const TpchTextPool *p);

#endif
