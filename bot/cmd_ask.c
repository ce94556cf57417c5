/* cmd_ask.c — placeholder until this subcommand lands; it fails loudly. */
#include "cmd.h"

#include <stdio.h>

int cmd_ask(int argc, char **argv, mg_config *cfg) {
  fprintf(stderr, "madoguchi ask: not built yet\n");
  return 1;
}
