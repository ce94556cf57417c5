/* cmd_eval.c — placeholder until this subcommand lands; it fails loudly. */
#include "cmd.h"

#include <stdio.h>

int cmd_eval(int argc, char **argv, mg_config *cfg) {
  fprintf(stderr, "madoguchi eval: not built yet\n");
  return 1;
}
