/* cmd_tickets.c — placeholder until this subcommand lands; it fails loudly. */
#include "cmd.h"

#include <stdio.h>

int cmd_tickets(int argc, char **argv, mg_config *cfg) {
  fprintf(stderr, "madoguchi tickets: not built yet\n");
  return 1;
}
