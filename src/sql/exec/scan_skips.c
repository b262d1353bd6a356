/*
 * scan_skips.c - see scan_skips.h.
 */
#include "sql/exec/scan_skips.h"

void scan_skips_add(ScanSkips *s, const PqReadStats *rs)
{
    int64_t bloom = rs->row_groups_skipped_bloom;
    atomic_fetch_add(&s->rg_read, rs->row_groups_read);
    atomic_fetch_add(&s->rg_bloom, bloom);
    atomic_fetch_add(&s->rg_stats, rs->row_groups_skipped - bloom);
    atomic_fetch_add(&s->pages_read, rs->pages_total);
    atomic_fetch_add(&s->pages_skipped, rs->pages_skipped);
}

void scan_skips_explain(ScanSkips *s, Buf *out)
{
    if (!atomic_load(&s->ran))
        return;
    long long r = (long long)atomic_load(&s->rg_read), st = (long long)atomic_load(&s->rg_stats),
              b = (long long)atomic_load(&s->rg_bloom);
    buf_printf(out, ", row groups %lld of %lld read, %lld skipped by statistics, %lld by bloom filters", r, r + st + b,
               st, b);
    long long pr = (long long)atomic_load(&s->pages_read), ps = (long long)atomic_load(&s->pages_skipped);
    if (ps)
        buf_printf(out, ", pages %lld read, %lld skipped", pr, ps);
}
