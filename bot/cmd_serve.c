/* cmd_serve.c — placeholder until this subcommand lands; it fails loudly. */
#include "cmd.h"

#include <stdio.h>

int cmd_serve(int argc, char **argv, mg_config *cfg) {
  fprintf(stderr, "madoguchi serve: not built yet\n");
  return 1;
}
