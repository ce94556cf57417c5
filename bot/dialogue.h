/*
 * dialogue.h — the conversation, independent of any channel.
 *
 * An adapter (WebSocket today, LINE tomorrow) parses a frame into a JSON
 * message and hands it to dialogue_handle on a worker thread; the dialogue
 * validates every field, runs the answer pipeline (bot/answer.h), stores the
 * masked transcript, creates tickets, and returns the server→client messages
 * of docs/protocol.md. The adapter only moves bytes. Session state lives in
 * SQLite (bot/session.c), so a resident can reconnect to any process.
 */
#ifndef MG_DIALOGUE_H
#define MG_DIALOGUE_H

#include <jansson.h>

#include "bot/answer.h"
#include "bot/session.h"

/* The per-connection state the adapter keeps (on the service thread) and
 * passes to every call; the dialogue fills session on hello. */
typedef struct dlg_conn {
  char session[48];    /* "" until hello; base64url, >= 128 random bits */
  char client_ip[64];  /* for logs/limits only; never stored with the transcript */
  int lang;            /* enum bot_lang the resident chose (hello/ask "lang"); 0 = Japanese */
} dlg_conn;

/* Handle one client→server message (already parsed JSON object; the adapter
 * has checked UTF-8, frame size and rate). Appends server→client messages to
 * the array *out (created when NULL; caller json_decref's it). Protocol errors
 * become `error` messages in *out and return 0; only internal failures return
 * MG_E* (the adapter then sends a generic `error` with code "internal"). */
int bot_dialogue_handle(bot_worker *w, dlg_conn *conn, json_t *msg, json_t **out, char *err);

/* dialogue_handle, but a question's transcript lines (the resident's and
 * the reply) are left in *turn (bot_turn_set) instead of written: the
 * caller writes them — with other residents' in one transaction
 * (bot_session_write_turns) — before it sends *out. turn->reply is the reply
 * to the question (a json_t * inside *out); when it is an answer it has no
 * "answer_id" yet: the caller adds turn->last_id. turn->n stays 0 when there is nothing to write; the
 * caller clears the turn. */
int bot_dialogue_turn(bot_worker *w, dlg_conn *conn, json_t *msg, json_t **out, bot_turn *turn, char *err);

/* Staff replies stored for this session and not yet delivered: appended to
 * *out as `staff_reply` messages and marked delivered. */
int bot_dialogue_pending(bot_worker *w, const dlg_conn *conn, json_t **out, char *err);

#endif
