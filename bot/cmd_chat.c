/* cmd_chat.c — placeholder until this subcommand lands; it fails loudly. */
#include "cmd.h"

#include <stdio.h>

int cmd_chat(int argc, char **argv, mg_config *cfg) {
  fprintf(stderr, "madoguchi chat: not built yet\n");
  return 1;
}
