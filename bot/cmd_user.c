/* cmd_user.c — placeholder until this subcommand lands; it fails loudly. */
#include "cmd.h"

#include <stdio.h>

int cmd_user(int argc, char **argv, mg_config *cfg) {
  fprintf(stderr, "madoguchi user: not built yet\n");
  return 1;
}
