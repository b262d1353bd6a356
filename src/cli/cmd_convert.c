/* cmd_convert.c - placeholder until the convert command lands (this session). */
#include "cli/cli.h"
int cmd_convert(int argc, char **argv) { (void)argc; (void)argv; return cli_usage("convert", "pending"); }
