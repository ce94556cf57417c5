/*
 * line.h — the LINE Messaging API channel (docs/channels.md "LINE").
 *
 * LINE posts webhooks to line_webhook_path. The service thread checks the
 * X-Line-Signature header (base64 of HMAC-SHA256 of the raw body under the
 * channel secret) before it parses anything, answers 200 at once and hands
 * the events to a worker (a LINE job). The worker runs each message
 * through the dialogue (bot/dialogue.h) exactly as the widget's `ask`,
 * `choose` and `escalate` run, turns the replies into LINE message objects
 * and queues them in the outbox (channel 'line'). A delivery thread of its
 * own sends them with libcurl to the reply API (replyToken) or, for staff
 * replies, the push API, with the outbox's retries and backoff; pushes are
 * counted per Asia/Tokyo month and held once line_push_quota is spent.
 *
 * Off unless line_channel_secret and line_channel_access_token are both
 * configured. Neither is logged, nor is a LINE user id: logs carry the
 * keyed hash of bot/line_store.h.
 */
#ifndef MG_LINE_H
#define MG_LINE_H

#include <jansson.h>
#include <stddef.h>

#include "bot/messages.h"

#define LINE_MAX_BODY (256 * 1024)  /* a webhook body: more is 413 */
#define LINE_SIGLEN 128             /* room for the X-Line-Signature value */

/* 1 when sig (base64) is HMAC-SHA256(secret, body[0..len)), compared in
 * constant time; 0 otherwise (also for a missing or malformed sig). */
int line_signature_ok(const char *secret, const void *body, size_t len, const char *sig);

/* Parse a webhook body into a new JSON array of the events this channel
 * acts on, each {event_id, type ("message", "postback", "follow",
 * "unfollow"), user (the source's user id), reply_token (or absent), text
 * (message: text only), data (postback), redelivery (bool)}. Events of
 * other types, other sources (groups, rooms) or without a user are left
 * out. Returns 0, or MG_EBADJSON (not JSON, not an object with an "events"
 * array, invalid UTF-8) with err set. Caller json_decref's *out. */
int line_parse(const void *body, size_t len, json_t **out, char *err);

/* The LINE message objects (new JSON array, at most 5) for the dialogue's
 * replies `out` (docs/protocol.md server→client messages): an answer with
 * its department, a clarify's choices as quick-reply buttons, the emergency
 * card with a tel: button per number, 「職員に相談する」 where a person is
 * offered, a ticket's number, staff replies. NULL on OOM. */
json_t *line_messages(const json_t *out, const msg_set *msgs);

/* What a postback's data asks the dialogue (new JSON client message, or
 * NULL for data this channel did not write). */
json_t *line_postback(const char *data, const char *id);

#endif
