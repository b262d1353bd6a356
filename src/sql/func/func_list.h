/*
 * func_list.h - every module of SQL functions, one FUNC_MODULE(<area>) line
 * each.  Module <area> defines `const FuncDef func_defs_<area>[]` (ending
 * with an entry whose name is NULL) in src/sql/func/func_<area>.c.
 * func.c expands this list to build the registry (see func.h).
 *
 * Owners: func_core_* by the SQL engine; add your module's line at the end.
 */
FUNC_MODULE(core_ops)
FUNC_MODULE(core_agg)
FUNC_MODULE(string)
FUNC_MODULE(math)
FUNC_MODULE(datetime)
FUNC_MODULE(datetime_fmt)
FUNC_MODULE(regex)
FUNC_MODULE(agg)
FUNC_MODULE(json)
FUNC_MODULE(misc)
FUNC_MODULE(array)
FUNC_MODULE(settings)
FUNC_MODULE(srf)
FUNC_MODULE(char)
FUNC_MODULE(syscat)
