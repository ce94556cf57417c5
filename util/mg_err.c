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

int mg_err_http_status(int code) {
  switch (code) {
  case MG_EINVAL: case MG_EBADUTF8: case MG_EBADJSON: case MG_EMISSING: case MG_ETOOLONG: case MG_EEMPTY: case MG_EINQUIRYLONG:
    return 400;
  case MG_EAUTH: return 401;
  case MG_EFORBIDDEN: return 403;
  case MG_ENOTFOUND: case MG_ENOTICKET: return 404;
  case MG_ECONFLICT: case MG_ECLOSED: return 409;
  case MG_EEXPIRED: return 410;
  case MG_ECSV: return 422;
  case MG_ERATE: case MG_ETICKETS: return 429;
  case MG_EBUSY: case MG_ENOMEM: case MG_EFULL: return 503;
  default: return 500;
  }
}
