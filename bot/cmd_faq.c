/* cmd_faq.c — placeholder until this subcommand lands; it fails loudly. */
#include "cmd.h"

#include <stdio.h>

int cmd_faq(int argc, char **argv, mg_config *cfg) {
  fprintf(stderr, "madoguchi faq: not built yet\n");
  return 1;
}
