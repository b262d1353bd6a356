/* cmd_parquet.c - placeholder until the parquet command lands (this session). */
#include "cli/cli.h"
int cmd_parquet(int argc, char **argv) { (void)argc; (void)argv; return cli_usage("parquet", "pending"); }
