/*
 * func.c - the function registry (see func.h): collects every module's
 * FuncDef table named in func_list.h into one array sorted by (kind, name),
 * looked up by binary search.  Built once; read-only afterwards.
 */
#include "sql/func/func.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FUNC_MODULE(area) extern const FuncDef func_defs_##area[];
#include "sql/func/func_list.h"
#undef FUNC_MODULE

static const FuncDef *const *module_tables[] = {
#define FUNC_MODULE(area) (const FuncDef *const *)func_defs_##area,
#include "sql/func/func_list.h"
#undef FUNC_MODULE
};

static const FuncDef **all_defs;
static uint32_t n_defs;
static int init_rc;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static int cmp_def(const void *a, const void *b)
{
    const FuncDef *x = *(const FuncDef *const *)a, *y = *(const FuncDef *const *)b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x < y ? -1 : x > y; /* stable: registration order within a name */
}

static void build(void)
{
    size_t n = 0;
    size_t n_mod = sizeof module_tables / sizeof module_tables[0];
    for (size_t m = 0; m < n_mod; m++) {
        const FuncDef *t = (const FuncDef *)module_tables[m];
        for (; t->name; t++)
            n++;
    }
    all_defs = malloc((n ? n : 1) * sizeof *all_defs);
    if (!all_defs) {
        init_rc = TARN_ERR_NOMEM;
        return;
    }
    n = 0;
    for (size_t m = 0; m < n_mod; m++) {
        const FuncDef *t = (const FuncDef *)module_tables[m];
        for (; t->name; t++)
            all_defs[n++] = t;
    }
    qsort(all_defs, n, sizeof *all_defs, cmp_def);
    n_defs = (uint32_t)n;
}

int func_registry_init(TarnError *err)
{
    pthread_once(&init_once, build);
    if (init_rc)
        return err_set(err, init_rc, "out of memory building the function registry");
    return 0;
}

static uint32_t lower_bound(const char *name, FuncKind kind)
{
    uint32_t lo = 0, hi = n_defs;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        const FuncDef *d = all_defs[mid];
        int c = d->kind != kind ? (int)d->kind - (int)kind : strcmp(d->name, name);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const FuncDef *const *func_lookup(const char *name, FuncKind kind, uint32_t *n_out)
{
    pthread_once(&init_once, build);
    *n_out = 0;
    if (!all_defs)
        return NULL;
    uint32_t lo = lower_bound(name, kind), hi = lo;
    while (hi < n_defs && all_defs[hi]->kind == kind && !strcmp(all_defs[hi]->name, name))
        hi++;
    *n_out = hi - lo;
    return all_defs + lo;
}

bool func_name_exists(const char *name, FuncKind kind)
{
    uint32_t n;
    func_lookup(name, kind, &n);
    return n > 0;
}

const FuncDef *const *func_all(uint32_t *n_out)
{
    pthread_once(&init_once, build);
    *n_out = n_defs;
    return all_defs;
}

/* ---- Kernel helpers ----------------------------------------------------------- */

int func_propagate_nulls(Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out)
{
    bool any = false;
    for (uint32_t k = 0; k < n_args; k++)
        if (args[k]->validity) {
            any = true;
            break;
        }
    if (!any) {
        if (out->validity)
            memset(out->validity, 0xFF, (out->cap + 7) / 8);
        return 0;
    }
    if (vec_ensure_validity(out))
        return TARN_ERR_NOMEM;
    uint32_t nbytes = (n_rows + 7) / 8;
    memset(out->validity, 0xFF, nbytes);
    for (uint32_t k = 0; k < n_args; k++) {
        const Vector *a = args[k];
        if (!a->validity)
            continue;
        if (a->is_const) {
            if (!vec_is_valid(a, 0)) {
                memset(out->validity, 0, nbytes);
                return 0;
            }
            continue;
        }
        for (uint32_t b = 0; b < nbytes; b++)
            out->validity[b] &= a->validity[b];
    }
    return 0;
}

int func_flatten(Vector *v, uint32_t n_rows)
{
    if (!v->is_const)
        return 0;
    bool valid = vec_is_valid(v, 0);
    if (vec_reserve(v, n_rows ? n_rows : 1))
        return TARN_ERR_NOMEM;
    size_t w = type_width(v->type);
    if (w && valid) {
        uint8_t *d = v->data;
        switch (w) {
        case 1: memset(d + 1, d[0], n_rows > 1 ? n_rows - 1 : 0); break;
        case 4: { uint32_t x; memcpy(&x, d, 4); for (uint32_t i = 1; i < n_rows; i++) memcpy(d + 4 * i, &x, 4); break; }
        case 8: { uint64_t x; memcpy(&x, d, 8); for (uint32_t i = 1; i < n_rows; i++) memcpy(d + 8 * i, &x, 8); break; }
        default:
            for (uint32_t i = 1; i < n_rows; i++)
                memcpy(d + w * i, d, w);
        }
    }
    if (!valid) {
        if (vec_ensure_validity(v))
            return TARN_ERR_NOMEM;
        memset(v->validity, 0, (v->cap + 7) / 8);
    } else if (v->validity) {
        memset(v->validity, 0xFF, (v->cap + 7) / 8);
    }
    v->len = n_rows;
    v->is_const = false;
    return 0;
}

int func_err_division_by_zero(TarnError *err)
{
    return err_set_state(err, TARN_ERR_INVALID, "22012", "division by zero");
}

int func_err_out_of_range(TarnError *err, const char *type_name)
{
    return err_set_state(err, TARN_ERR_INVALID, "22003", "%s out of range", type_name);
}

int128_t func_pow10_i128(int exp)
{
    static int128_t tab[39];
    static int ready;
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        int128_t x = 1;
        for (int i = 0; i <= 38; i++) {
            tab[i] = x;
            if (i < 38)
                x *= 10;
        }
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    if (exp < 0)
        exp = 0;
    if (exp > 38)
        exp = 38;
    return tab[exp];
}
