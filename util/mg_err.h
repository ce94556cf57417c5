/*
 * mg_err.h — the one table of error codes.
 *
 * Every function that can fail returns 0 or a negative MG_E* code and, where
 * it takes one, writes a human-readable reason into a caller-owned buffer of
 * MG_ERRLEN bytes. The same X-macro list gives the C enum, the stable string
 * used as the protocol's `error.code`, and the Japanese message shown to a
 * resident, so the three never drift apart (docs/protocol.md lists them).
 */
#ifndef MG_ERR_H
#define MG_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define MG_ERRLEN 256

/*     enum name          value  stable code          message for residents (Japanese) */
#define MG_ERROR_LIST(X) \
  X(MG_OK,                  0, "ok",               "成功しました。") \
  X(MG_ENOMEM,             -1, "no_memory",        "サーバーが混み合っています。しばらくしてからお試しください。") \
  X(MG_EIO,                -2, "io",               "内部でエラーが発生しました。") \
  X(MG_EDB,                -3, "database",         "内部でエラーが発生しました。") \
  X(MG_EINVAL,             -4, "invalid",          "入力の形式が正しくありません。") \
  X(MG_ENOTFOUND,          -5, "not_found",        "見つかりませんでした。") \
  X(MG_EBADUTF8,           -6, "bad_utf8",         "文字コードが正しくありません（UTF-8で送ってください）。") \
  X(MG_EBADJSON,           -7, "bad_json",         "メッセージの形式（JSON）が正しくありません。") \
  X(MG_EUNKNOWNTYPE,       -8, "unknown_type",     "不明な種類のメッセージです。") \
  X(MG_EMISSING,           -9, "missing_field",    "必要な項目が足りません。") \
  X(MG_ETOOLONG,          -10, "text_too_long",    "文章が長すぎます。1,000文字以内で入力してください。") \
  X(MG_EBINARY,           -11, "binary_frame",     "テキスト以外のデータは受け付けていません。") \
  X(MG_EFRAME,            -12, "frame_too_large",  "メッセージが大きすぎます。") \
  X(MG_ERATE,             -13, "rate_limited",     "送信が速すぎます。少し待ってからもう一度お試しください。") \
  X(MG_ECONFIG,           -14, "config",           "設定に誤りがあります。") \
  X(MG_ECSV,              -15, "bad_csv",          "CSVの内容に誤りがあります。") \
  X(MG_ECONFLICT,         -16, "conflict",         "他の操作と競合しました。もう一度お試しください。") \
  X(MG_EAUTH,             -17, "unauthorized",     "ログインが必要です。") \
  X(MG_EFORBIDDEN,        -18, "forbidden",        "この操作は許可されていません。") \
  X(MG_EBUSY,             -19, "busy",             "サーバーが混み合っています。しばらくしてからお試しください。") \
  X(MG_ESESSION,          -20, "bad_session",      "会話の有効期限が切れました。新しい会話を始めます。") \
  X(MG_EEMPTY,            -21, "empty_text",       "質問を入力してください。") \
  X(MG_EFULL,             -22, "storage_full",     "ただいま記録ができないため、受け付けられません。しばらくしてからお試しください。") \
  X(MG_ETICKETS,          -23, "ticket_limit",     "お問い合わせの受付数が上限に達しました。お急ぎの場合は、担当課へ直接お電話ください。") \
  X(MG_ENOTICKET,         -24, "ticket_not_found", "お問い合わせが見つかりませんでした。受付番号とリンクをご確認ください。") \
  X(MG_ECLOSED,           -25, "ticket_closed",    "このお問い合わせは完了しています。続けてのご相談は、新しくお問い合わせください。") \
  X(MG_EEXPIRED,          -26, "lookup_expired",   "このリンクの有効期限が過ぎました。担当課へ直接お問い合わせください。") \
  X(MG_EINQUIRYLONG,      -27, "inquiry_too_long", "お問い合わせの本文が長すぎます。短くするか、いくつかに分けてお送りください。")

enum mg_err {
#define MG_X_ENUM(name, value, code, msg) name = value,
  MG_ERROR_LIST(MG_X_ENUM)
#undef MG_X_ENUM
};

/* Stable machine-readable code for an error value ("bad_utf8"); never NULL. */
const char *mg_err_code(int err);
/* Japanese message for residents; never NULL. */
const char *mg_err_message(int err);
/* The HTTP status for a failed operation's code (400 bad input, 401, 403,
 * 404, 409, 410, 422, 429, 503 busy; 500 for anything internal): the one map
 * the HTTP API and the console share. */
int mg_err_http_status(int code);
/* Format into a caller-owned MG_ERRLEN buffer (NULL buf is allowed) and return err. */
int mg_errf(char *buf, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
