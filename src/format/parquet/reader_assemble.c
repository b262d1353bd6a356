/*
 * reader_assemble.c - rebuilds nested values (LIST, MAP, STRUCT, any depth)
 * from the repetition and definition levels of their leaf columns.
 *
 * Each assembly node (schema.h) sees the level positions of one leaf below
 * it (its representative leaf; for a leaf, its own levels).  A position is a
 * slot of the node when def >= slot_def; it starts a new slot when
 * rep <= node.rep; the node's value there is NULL when def < node.def.  A
 * LIST/MAP slot's elements are the positions with def >= elem_def starting
 * where rep <= elem_rep, and the element node, assembled from its own
 * representative leaf, yields exactly those slots in the same order.  So
 * every node is built in one linear pass over one leaf's levels, and the
 * whole field costs O(depth x levels).
 */
#include <string.h>

#include "format/parquet/reader_int.h"

static int corrupt_field(const PqNode *node, PqReader *r, TarnError *err, const char *what)
{
    int leaf = node->leaf >= 0 ? node->leaf : 0;
    return err_set(err, TARN_ERR_CORRUPT, "column \"%s\": %s", r->ps.leaves[leaf].path, what);
}

/* Value cursor per leaf: how many dense values have been consumed. */
typedef struct Cursor {
    uint32_t *val_pos; /* per leaf */
} Cursor;

static int assemble_node(PqReader *r, const PqNode *node, Vector *v, int hint_leaf, Cursor *cur,
                         TarnError *err);

static int assemble_leaf(PqReader *r, const PqNode *node, Vector *v, int hint_leaf, Cursor *cur,
                         TarnError *err)
{
    int li = node->leaf >= 0 ? node->leaf : hint_leaf;
    if (li < 0)
        return ERR_INTERNAL(err, "leaf without levels");
    const LevelBuf *lb = &r->cols[li].lb;
    uint32_t w = type_width(v->type);
    int sd = node->slot_def, d = node->def;
    /* Count slots first to size the vector. */
    uint32_t n = 0;
    for (uint32_t i = 0; i < lb->n; i++)
        n += lb->def[i] >= sd && lb->rep[i] <= node->rep;
    if (vec_reserve(v, v->len + n))
        return ERR_NOMEM(err, (size_t)n * w);
    uint32_t vp = node->leaf >= 0 ? cur->val_pos[li] : 0;
    bool always_null = node->leaf < 0 || r->ps.leaves[li].conv == PQ_CONV_NULL;
    for (uint32_t i = 0; i < lb->n; i++) {
        if (lb->def[i] < sd || lb->rep[i] > node->rep)
            continue;
        uint32_t k = v->len;
        uint8_t *dst = v->data + (size_t)k * w;
        if (lb->def[i] >= d && !always_null) {
            if (vp >= lb->n_vals)
                return corrupt_field(node, r, err, "fewer values than definition levels promise");
            memcpy(dst, lb->vals + (size_t)vp * lb->width, w);
            vp++;
        } else {
            if (lb->def[i] >= d && node->leaf >= 0)
                vp++; /* a present value in an always-null column */
            memset(dst, 0, w);
            if (vec_set_null(v, k))
                return ERR_NOMEM(err, v->cap / 8);
        }
        v->len++;
    }
    if (node->leaf >= 0)
        cur->val_pos[li] = vp;
    return 0;
}

static int assemble_list(PqReader *r, const PqNode *node, Vector *v, Cursor *cur, TarnError *err)
{
    int li = node->leaf;
    if (li < 0)
        return ERR_INTERNAL(err, "list without leaves");
    const LevelBuf *lb = &r->cols[li].lb;
    int sd = node->slot_def, d = node->def, ed = node->elem_def, er = node->elem_rep;
    uint32_t n = 0;
    for (uint32_t i = 0; i < lb->n; i++)
        n += lb->def[i] >= sd && lb->rep[i] <= node->rep;
    if (vec_reserve(v, v->len + n))
        return ERR_NOMEM(err, (size_t)n * 4);
    /* Child lengths before assembly: the element counts are relative to them. */
    uint32_t child_base = v->children[0].len;
    uint32_t elems = 0;
    bool open = false;
    for (uint32_t i = 0; i < lb->n; i++) {
        uint16_t df = lb->def[i], rp = lb->rep[i];
        if (df < sd)
            continue;
        if (rp <= node->rep) {
            /* A new list slot. */
            uint32_t k = v->len;
            v->offsets[k] = child_base + elems;
            if (df < d) {
                if (vec_set_null(v, k))
                    return ERR_NOMEM(err, v->cap / 8);
            }
            v->len++;
            v->offsets[v->len] = child_base + elems;
            open = true;
        } else if (!open) {
            return corrupt_field(node, r, err, "list element without a list");
        }
        if (df >= ed && rp <= er)
            elems++;
    }
    if (v->len)
        v->offsets[v->len] = child_base + elems;
    if (node->kind == PQ_NODE_LIST) {
        int rc = assemble_node(r, &node->children[0], &v->children[0], li, cur, err);
        if (rc)
            return rc;
        if (v->children[0].len != child_base + elems)
            return corrupt_field(node, r, err, "list elements disagree between levels");
    } else {
        for (int c = 0; c < 2; c++) {
            int rc = assemble_node(r, &node->children[c], &v->children[c], li, cur, err);
            if (rc)
                return rc;
            if (v->children[c].len != child_base + elems)
                return corrupt_field(node, r, err, "map keys and values disagree between levels");
        }
    }
    return 0;
}

static int assemble_struct(PqReader *r, const PqNode *node, Vector *v, Cursor *cur, TarnError *err)
{
    int li = node->leaf;
    if (li < 0)
        return ERR_INTERNAL(err, "struct without leaves");
    const LevelBuf *lb = &r->cols[li].lb;
    int sd = node->slot_def, d = node->def;
    uint32_t n = 0;
    for (uint32_t i = 0; i < lb->n; i++)
        n += lb->def[i] >= sd && lb->rep[i] <= node->rep;
    if (vec_reserve(v, v->len + n))
        return ERR_NOMEM(err, (size_t)n);
    for (uint32_t i = 0; i < lb->n; i++) {
        if (lb->def[i] < sd || lb->rep[i] > node->rep)
            continue;
        uint32_t k = v->len;
        v->data[k] = 0;
        if (lb->def[i] < d && vec_set_null(v, k))
            return ERR_NOMEM(err, v->cap / 8);
        v->len++;
    }
    for (int c = 0; c < node->n_children; c++) {
        int rc = assemble_node(r, &node->children[c], &v->children[c], li, cur, err);
        if (rc)
            return rc;
        if (v->children[c].len != v->len)
            return corrupt_field(&node->children[c], r, err, "struct fields disagree on the number of values");
    }
    return 0;
}

static int assemble_node(PqReader *r, const PqNode *node, Vector *v, int hint_leaf, Cursor *cur,
                         TarnError *err)
{
    switch (node->kind) {
    case PQ_NODE_LEAF:
        return assemble_leaf(r, node, v, hint_leaf, cur, err);
    case PQ_NODE_LIST:
    case PQ_NODE_MAP:
        return assemble_list(r, node, v, cur, err);
    case PQ_NODE_STRUCT:
        return assemble_struct(r, node, v, cur, err);
    }
    return ERR_INTERNAL(err, "unknown assembly node");
}

int pq_assemble(PqReader *r, const PqNode *node, Vector *v, TarnError *err)
{
    uint32_t stack_pos[64];
    uint32_t *pos = stack_pos;
    int n = r->ps.n_leaves;
    if (n > 64) {
        pos = tarn_calloc((size_t)n, sizeof(uint32_t));
        if (!pos)
            return ERR_NOMEM(err, (size_t)n * 4);
    } else {
        memset(stack_pos, 0, sizeof stack_pos);
    }
    Cursor cur = {pos};
    int rc = assemble_node(r, node, v, node->leaf, &cur, err);
    if (!rc) {
        /* Every leaf must have used exactly its values. */
        for (int i = node->first_leaf; i >= 0 && i < node->first_leaf + node->n_leaves; i++) {
            if (r->ps.leaves[i].conv != PQ_CONV_NULL && pos[i] != r->cols[i].lb.n_vals) {
                rc = err_set(err, TARN_ERR_CORRUPT, "column \"%s\": %u values but levels use %u",
                             r->ps.leaves[i].path, r->cols[i].lb.n_vals, pos[i]);
                break;
            }
        }
    }
    if (pos != stack_pos)
        tarn_free(pos);
    return rc;
}
