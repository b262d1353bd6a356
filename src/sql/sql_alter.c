/*
 * sql_alter.c - ALTER TABLE on Delta tables.
 *
 *   ADD COLUMN [IF NOT EXISTS] c type     delta_add_columns (nullable, no DEFAULT)
 *   DROP COLUMN [IF EXISTS] c             delta_drop_column  } column mapping (name mode),
 *   RENAME [COLUMN] a TO b                delta_rename_column } enabled on first use
 *   RENAME TO new_name                    catalog_rename_relation (the directory; ALTER VIEW too)
 *   ALTER [COLUMN] c SET / DROP NOT NULL  delta_set_nullable (SET checks the rows: 23502)
 *   ALTER [COLUMN] c [SET DATA] TYPE t    delta_widen_column when Delta's type widening
 *                                         allows it (enables delta.enableTypeWidening)
 *
 * Consecutive ADD COLUMN commands share one commit; every other command
 * is a commit of its own, in order (a failing command leaves the earlier
 * ones applied: there are no multi-commit transactions).
 */
#include <stdio.h>
#include <string.h>

#include "sql/func/cast.h"
#include "sql/parse/parse.h"
#include "sql/notice.h"
#include "sql/stmt.h"
#include "table/delta/delta.h"
#include "table/delta/schema.h"

static int tag_result(const char *tag, tarn_result **out, TarnError *err)
{
    *out = sql_result_tag(tag, err);
    return *out ? 0 : err->kind;
}

/* ADD COLUMN commands cmds[0..n) in one commit. */
static int add_columns(Stmt *s, CatalogRel *rel, const Schema *cur, bool if_not_exists, const AstAlterCmd *cmds,
                       uint32_t n, TarnError *err)
{
    Schema add;
    schema_init(&add);
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        const AstNode *c = cmds[i].def;
        LogicalType t;
        if ((rc = bind_type_name(&s->bc, c->u.coldef.type, &t)))
            break;
        if (t.id == TYPE_JSON)
            t = type_simple(TYPE_STRING);
        if (c->u.coldef.default_expr) {
            rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "column defaults are not supported yet");
            bind_error_at(&s->bc, c->u.coldef.default_expr->loc);
            break;
        }
        if (c->u.coldef.not_null) {
            rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "added columns cannot be NOT NULL");
            err_detail(err, "Existing rows would have NULL in the new column.");
            bind_error_at(&s->bc, c->loc);
            break;
        }
        if (schema_find(cur, c->u.coldef.name) >= 0 || schema_find(&add, c->u.coldef.name) >= 0) {
            if ((if_not_exists || cmds[i].missing_ok) && schema_find(cur, c->u.coldef.name) >= 0) {
                sql_notice(s->db, "NOTICE", "42701", "column \"%s\" of relation \"%s\" already exists, skipping",
                           c->u.coldef.name, rel->name);
                continue;
            }
            rc = err_set_state(err, TARN_ERR_INVALID, "42701", "column \"%s\" of relation \"%s\" already exists",
                               c->u.coldef.name, rel->name);
            bind_error_at(&s->bc, c->loc);
            break;
        }
        if ((rc = sql_storable_type(&t, c->u.coldef.name, err)))
            bind_error_at(&s->bc, c->u.coldef.type->loc);
        if (!rc)
            rc = sql_schema_add(&add, c->u.coldef.name, &t, true, err);
    }
    if (!rc && add.n_fields) {
        DeltaResult res;
        rc = delta_add_columns(rel->table, &add, &res, err);
    }
    schema_destroy(&add);
    return rc;
}

static int no_column(CatalogRel *rel, const char *col, TarnError *err)
{
    return err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" of relation \"%s\" does not exist", col, rel->name);
}

static int alter_type(Stmt *s, CatalogRel *rel, const Schema *cur, const AstAlterCmd *c, TarnError *err)
{
    int k = schema_find(cur, c->name);
    if (k < 0)
        return no_column(rel, c->name, err);
    LogicalType t;
    int rc = bind_type_name(&s->bc, c->def, &t);
    if (rc)
        return rc;
    if (t.id == TYPE_JSON)
        t = type_simple(TYPE_STRING);
    const LogicalType *from = &cur->fields[k].type;
    if (c->using_)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "ALTER COLUMN TYPE ... USING is not supported yet");
    if (from->id == TYPE_STRING && t.id == TYPE_STRING) {
        /* text / varchar(n) / char(n): a change of the declared length in the Delta
         * field metadata, when every stored value fits the new type as it is */
        uint32_t fl = from->char_kind ? from->char_len : 0, tl = t.char_kind ? t.char_len : 0;
        if (fl == tl && (!fl || from->char_kind == t.char_kind))
            return 0;
        bool ok = !tl || (fl && fl <= tl && (t.char_kind == TYPE_CHAR_VARCHAR || from->char_kind == TYPE_CHAR_BPCHAR));
        if (!ok) {
            char a[64], b[64];
            err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "cannot change column \"%s\" from %s to %s", c->name,
                          sqltype_name(from, a, sizeof a), sqltype_name(&t, b, sizeof b));
            err_detail(err, "Only changes that keep every stored value as it is are supported: to text, to a "
                            "longer varchar, or from char(n) to a longer char.");
            return TARN_ERR_UNSUPPORTED;
        }
        DeltaResult res;
        return delta_set_char_type(rel->table, cur->fields[k].name, &t, &res, err);
    }
    if (type_equal(from, &t))
        return 0;
    if ((rc = sql_storable_type(&t, c->name, err)))
        return rc;
    if (!delta_type_can_widen(from, &t) || type_is_nested(t.id)) {
        char a[64], b[64];
        err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "cannot change column \"%s\" from %s to %s", c->name,
                      sqltype_name(from, a, sizeof a), sqltype_name(&t, b, sizeof b));
        err_detail(err, "Delta tables change a column's type without rewriting data only for widenings "
                        "(smallint to integer to bigint, real to double precision, integers to double precision, "
                        "date to timestamp, wider numeric).");
        return TARN_ERR_UNSUPPORTED;
    }
    DeltaResult res;
    DeltaSnapshot *snap = delta_snapshot_latest(rel->table, err);
    if (!snap)
        return err->kind;
    bool enabled = false;
    {
        /* type widening must be enabled (a table property; upgrades the protocol) */
        const char *keys[1] = {"delta.enableTypeWidening"};
        const char *vals[1] = {"true"};
        const char *v = delta_snapshot_property(snap, keys[0]);
        enabled = v && !strcasecmp(v, "true");
        delta_snapshot_free(snap);
        if (!enabled && (rc = delta_set_properties(rel->table, keys, vals, 1, &res, err)))
            return rc;
    }
    return delta_widen_column(rel->table, cur->fields[k].name, &t, &res, err);
}

int sql_run_alter_table(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    const AstNode *rv = st->u.alter.table;
    CatalogRel *rel;
    int rc = catalog_lookup(db->cat, rv->u.rangevar.schema, rv->u.rangevar.name, db->search_path, db->n_path, &rel, err);
    if (rc) {
        if (st->u.alter.if_exists && !strcmp(err->sqlstate, "42P01")) {
            err_clear(err);
            sql_notice(db, "NOTICE", "00000", "relation \"%s\" does not exist, skipping", rv->u.rangevar.name);
            return tag_result("ALTER TABLE", out, err);
        }
        sql_err_at(err, sql, rv->loc);
        return rc;
    }
    bool rename_only = st->u.alter.n_cmds == 1 && st->u.alter.cmds[0].kind == ALTER_RENAME_TABLE;
    if (rel->kind != REL_TABLE && !rename_only) {
        err_set_state(err, TARN_ERR_INVALID, "42809", "\"%s\" is not a table", rel->name);
        sql_err_at(err, sql, rv->loc);
        return err->kind;
    }
    Stmt s;
    stmt_begin(&s, db, sql, err);
    const AstAlterCmd *cmds = st->u.alter.cmds;
    uint32_t n = st->u.alter.n_cmds;
    for (uint32_t i = 0; i < n && !rc;) {
        const AstAlterCmd *c = &cmds[i];
        if (c->kind == ALTER_RENAME_TABLE) {
            /* tables and views: the relation's directory */
            rc = catalog_rename_relation(db->cat, rel, c->new_name, err);
            break;
        }
        DeltaSnapshot *snap = delta_snapshot_latest(rel->table, err);
        if (!snap) {
            rc = err->kind;
            break;
        }
        const Schema *cur = delta_snapshot_schema(snap);
        int k = c->name ? schema_find(cur, c->name) : -1;
        DeltaResult res;
        switch (c->kind) {
        case ALTER_ADD_COLUMN: {
            uint32_t j = i;
            while (j < n && cmds[j].kind == ALTER_ADD_COLUMN)
                j++;
            rc = add_columns(&s, rel, cur, st->u.alter.col_if_not_exists, c, j - i, err);
            i = j - 1;
            break;
        }
        case ALTER_DROP_COLUMN:
            if (k < 0 && !c->missing_ok)
                rc = no_column(rel, c->name, err);
            else if (k < 0)
                sql_notice(db, "NOTICE", "00000", "column \"%s\" of relation \"%s\" does not exist, skipping", c->name,
                           rel->name);
            else
                rc = delta_drop_column(rel->table, cur->fields[k].name, &res, err);
            break;
        case ALTER_RENAME_COLUMN:
            if (k < 0)
                rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" does not exist", c->name);
            else if (schema_find(cur, c->new_name) >= 0)
                rc = err_set_state(err, TARN_ERR_INVALID, "42701", "column \"%s\" of relation \"%s\" already exists",
                                   c->new_name, rel->name);
            else
                rc = delta_rename_column(rel->table, cur->fields[k].name, c->new_name, &res, err);
            break;
        case ALTER_RENAME_TABLE:
            break;
        case ALTER_SET_NOT_NULL:
        case ALTER_DROP_NOT_NULL:
            if (k < 0) {
                rc = no_column(rel, c->name, err);
                break;
            }
            rc = delta_set_nullable(rel->table, cur->fields[k].name, c->kind == ALTER_DROP_NOT_NULL, &res, err);
            if (rc && !strcmp(err->sqlstate, "23502")) {
                err_clear(err);
                rc = err_set_state(err, TARN_ERR_INVALID, "23502", "column \"%s\" of relation \"%s\" contains null values",
                                   cur->fields[k].name, rel->name);
            }
            break;
        case ALTER_COLUMN_TYPE:
            rc = alter_type(&s, rel, cur, c, err);
            break;
        }
        delta_snapshot_free(snap);
        if (rc && c->kind == ALTER_ADD_COLUMN)
            sql_err_at(err, sql, st->loc);
        i++;
    }
    stmt_end(&s);
    return rc ? rc : tag_result("ALTER TABLE", out, err);
}
