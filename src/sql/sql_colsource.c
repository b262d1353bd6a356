/*
 * sql_colsource.c - where a query's result columns come from: the table
 * OID and column number PostgreSQL puts in RowDescription (PQftable /
 * PQftablecol, JDBC's ResultSetMetaData.getTableName, node-pg's
 * field.tableID).
 *
 * A column that is a plain reference to a Delta table's column - through
 * projections, filters, sorts, joins, derived tables - gets the table's OID
 * (the one pg_class shows: syscat_name_oid of "schema.table"; the catalog
 * emulation moves an OID up only when two names hash alike, which this
 * does not see) and the column's 1-based position; anything computed
 * (expressions, aggregates, set operations, VALUES, files) gets 0 / 0, as
 * in PostgreSQL.  A view's columns name the view's base table (tarn inlines
 * views; PostgreSQL names the view).
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "sql/plan/plan.h"
#include "sql/prepare.h"
#include "sql/syscat/syscat.h"

/* The operator of plan that defines binding b (its table index), or NULL;
 * not inside subquery expressions. */
static const LogicalOp *defining_op(const LogicalOp *op, ColBinding b, int depth)
{
    if (!op || depth > 200)
        return NULL;
    switch (op->kind) {
    case LOP_GET:
        if (op->u.get.table_index == b.table)
            return op;
        break;
    case LOP_PROJECT:
        if (op->u.project.table_index == b.table)
            return op;
        break;
    case LOP_CTE_SCAN:
        for (uint32_t i = 0; i < op->u.cte.n_cols; i++)
            if (binding_eq(op->u.cte.cols[i], b))
                return op;
        break;
    default:
        break;
    }
    for (uint32_t i = 0; i < op->n_children; i++) {
        const LogicalOp *d = defining_op(op->children[i], b, depth + 1);
        if (d)
            return d;
    }
    return NULL;
}

static void source_of(const LogicalOp *root, ColBinding b, uint32_t *oid, int16_t *attnum)
{
    *oid = 0;
    *attnum = 0;
    const LogicalOp *op = root;
    for (int hops = 0; hops < 64; hops++) {
        const LogicalOp *d = defining_op(op, b, 0);
        if (!d)
            return;
        if (d->kind == LOP_GET) {
            const CatalogRel *rel = d->u.get.rel;
            if (d->u.get.source != SCAN_DELTA || !rel || rel->kind != REL_TABLE || b.col >= 32767)
                return;
            char key[600];
            snprintf(key, sizeof key, "%s.%s", rel->schema, rel->name);
            *oid = syscat_name_oid(key);
            *attnum = (int16_t)(b.col + 1);
            return;
        }
        if (d->kind == LOP_CTE_SCAN) {
            /* a shared WITH query / view: the same column of its body */
            uint32_t i = 0;
            while (i < d->u.cte.n_cols && !binding_eq(d->u.cte.cols[i], b))
                i++;
            const LogicalOp *body = d->u.cte.share->plan;
            if (i >= body->n_out)
                return;
            b = body->out[i];
            op = body;
            continue;
        }
        /* a projection: follow a plain column reference below it */
        if (b.col >= d->u.project.n_exprs)
            return;
        const Expr *e = d->u.project.exprs[b.col];
        if (!e || e->kind != EX_COLREF || d->n_children == 0)
            return;
        b = e->u.col.b;
        op = d->children[0];
    }
}

void sql_col_sources(const LogicalOp *plan, uint32_t n, uint32_t *oids, int16_t *attnums)
{
    for (uint32_t i = 0; i < n; i++) {
        oids[i] = 0;
        attnums[i] = 0;
        if (plan && i < plan->n_out)
            source_of(plan, plan->out[i], &oids[i], &attnums[i]);
    }
}
