/*
 * mail.h — the e-mail channel: one delivery thread that sends the outbox's
 * due notices (bot/outbox.h) to the SMTP relay of the configuration through
 * libcurl, with retry and backoff, never on the chat workers.
 *
 * No smtp_url in the configuration: no thread, and no e-mail is offered to
 * residents (the welcome says email_notice false). The texts are the
 * city's, from dict/messages.json (mail_*); the link in a "received"
 * notice is public_base_url + /t/<number>#<secret>.
 */
#ifndef MG_MAIL_H
#define MG_MAIL_H

#include "bot/answer.h"
#include "util/mg_config.h"

typedef struct mail_sender mail_sender;

/* Start the delivery thread (*out = NULL when no relay is configured).
 * Call from the main thread before other threads use libcurl. */
int mail_start(mail_sender **out, bot *b, const mg_config *cfg, char *err);
/* Stop and join it (a send in progress finishes or times out first). */
void mail_stop(mail_sender *m);

/* The message as sent (headers and base64 body, CRLF line ends), new
 * string; exposed for the unit test. message_id (without <>) is the
 * Message-ID, NULL = a random one at from's domain. NULL when out of memory. */
char *mail_compose(const char *from, const char *to, const char *subject, const char *body, const char *message_id,
                   time_t now);

#endif
