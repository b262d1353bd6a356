/*
 * op_stream.h - a result sink that hands rows to another thread through a
 * bounded queue (sql_cursor.c): the query's threads block while the queue
 * is full, so a result is never materialized whole.
 *
 * Threads: any number of pipeline threads call the sink; one consumer
 * pops.  Items are collections holding the rows of one input chunk,
 * copied (strings included): they do not depend on the plan's buffers.
 */
#ifndef TARN_SQL_EXEC_OP_STREAM_H
#define TARN_SQL_EXEC_OP_STREAM_H

#include "sql/exec/collection.h"
#include "sql/exec/exec.h"

/* A sink over child keeping at most max_items chunks queued. */
PhysOp *op_stream_new(Arena *a, PhysOp *child, uint32_t max_items, TarnError *err);
/* Waits for the next item: 1 = *out filled (caller frees with coll_free),
 * 0 = the producer finished and the queue is empty. */
int op_stream_pop(PhysOp *op, Collection *out);
/* Producer side: no more items will come (after exec_run returned). */
void op_stream_finish(PhysOp *op);
/* Consumer side: stop early; blocked and later sink calls drop their rows
 * and report done. */
void op_stream_stop(PhysOp *op);
/* For a query run on the consumer's own thread (sql_cursor.c, small
 * results): the sink never waits; when the queue is full it stops the
 * query instead and op_stream_overflowed turns true (the caller then runs
 * the query again on another thread). */
void op_stream_set_no_wait(PhysOp *op);
bool op_stream_overflowed(PhysOp *op);

#endif
