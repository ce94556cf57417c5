/* mg_err.c — lookups over the error table in mg_err.h. */
#include "util/mg_err.h"

#include <stdio.h>

const char *mg_err_code(int err) {
  switch (err) {
#define MG_X_CODE(name, value, code, msg) case value: return code;
    MG_ERROR_LIST(MG_X_CODE)
#undef MG_X_CODE
  }
  return "internal";
}

const char *mg_err_message(int err) {
  switch (err) {
#define MG_X_MSG(name, value, code, msg) case value: return msg;
    MG_ERROR_LIST(MG_X_MSG)
#undef MG_X_MSG
  }
  return "内部でエラーが発生しました。";
}

int mg_errf(char *buf, int err, const char *fmt, ...) {
  if (buf) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, MG_ERRLEN, fmt, ap);
    va_end(ap);
  }
  return err;
}
