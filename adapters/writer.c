/*
 * writer.c — the transcript's group commit (see server.h).
 *
 * Every answered question adds two transcript lines and moves its session's
 * expiry. Written by the worker that answered, that is one write transaction
 * per question, under the process's one write lock: the workers queued on
 * that lock (perf in docs/benchmarks.md: ≈ 160 µs held per answer, half of
 * each worker's time spent waiting), and each commit wrote the same hot pages
 * of the message table again — after the other worker's commit had made this
 * connection's page cache stale.
 *
 * So a worker that answered a question leaves its lines in the job
 * (bot_dialogue_turn) and goes on to the next question; this thread takes
 * every job handed to it since its last commit and writes their lines in one
 * transaction on a connection of its own, then completes the jobs — the
 * replies leave only after their lines are committed, as before, so a
 * resident's next message (which the connection sends only after the reply)
 * always finds them. While one batch commits, the next gathers, so the
 * batches grow with the load; and a batch of fewer than GATHER_TURNS waits
 * up to 1 ms for more (woken early when they come): at 3,000 questions/s
 * the batches were 1.7 turns, each commit's fixed cost (locks, the WAL
 * header, system calls that cost double in a VM) paid for less than two
 * answers. A lone question waits 1 ms at most.
 *
 * Durability is unchanged: the transcript commits at synchronous=NORMAL as
 * it did (session.c); tickets and thread messages never come here. A batch
 * that fails (a full disk, a constraint) is retried one turn at a time, so
 * one bad turn costs only its own resident an error.
 */
#include "adapters/server.h"
#include "bot/session.h"
#include "bot/tables.h"
#include "util/mg_err.h"
#include "util/mg_log.h"

#include <stdlib.h>
#include <string.h>

#define WRITER_BATCH 256   /* turns per transaction at most */
#define GATHER_TURNS 8     /* a batch smaller than this waits … */
#define GATHER_NS 1000000  /* … at most this long for more (1 ms) */

struct srv_writer {
  srv *s;
  sqlite3 *db;
  pthread_t th;
  int started, quit;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  srv_job *head, *tail;
  int n;          /* jobs queued */
  int gathering;  /* the thread waits for GATHER_TURNS: wake it only then */
};

static void write_batch(struct srv_writer *w, srv_job **jobs, int n) {
  bot_turn *turns[WRITER_BATCH];
  char err[MG_ERRLEN] = "";
  for (int i = 0; i < n; i++) turns[i] = jobs[i]->turn;
  if (bot_session_write_turns(w->db, turns, n, err) == 0) {
    srv_metrics_transcript_batch(w->s->metrics, n);
  } else {
    mg_log_error("writer", "transcript batch of %d: %s", n, err);
    if (n > 1)
      for (int i = 0; i < n; i++) bot_session_write_turns(w->db, &turns[i], 1, err);
  }
  for (int i = 0; i < n; i++) {
    if (turns[i]->rc && srv_metrics_db_failed(turns[i]->rc)) srv_metrics_db_error(w->s->metrics);
    ws_chat_turn_done(w->s, jobs[i], err);
  }
}

static void *writer_main(void *arg) {
  struct srv_writer *w = arg;
  srv_job *jobs[WRITER_BATCH];
  pthread_mutex_lock(&w->lock);
  for (;;) {
    int n = 0;
    while (!w->head && !w->quit) pthread_cond_wait(&w->cond, &w->lock);
    if (!w->head) break;   /* quit, and nothing is left to commit */
    if (w->n < GATHER_TURNS && !w->quit) {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_nsec += GATHER_NS;
      if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
      w->gathering = 1;
      while (w->n < GATHER_TURNS && !w->quit && pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0) {}
      w->gathering = 0;
    }
    while (w->head && n < WRITER_BATCH) {
      jobs[n++] = w->head;
      w->head = w->head->next;
    }
    w->n -= n;
    if (!w->head) w->tail = NULL;
    pthread_mutex_unlock(&w->lock);
    write_batch(w, jobs, n);
    pthread_mutex_lock(&w->lock);
  }
  pthread_mutex_unlock(&w->lock);
  bot_db_thread_done(w->db);   /* this thread's cached statements */
  return NULL;
}

int srv_writer_start(srv *s, char *err) {
  struct srv_writer *w = calloc(1, sizeof *w);
  int rc;
  if (!w) return mg_errf(err, MG_ENOMEM, "out of memory");
  w->s = s;
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->cond, NULL);
  s->writer = w;
  if ((rc = bot_db_open(&w->db, s->cfg, NULL, err)) != 0) return rc;
  sqlite3_wal_autocheckpoint(w->db, 0);   /* the checkpointer does it */
  if ((rc = pthread_create(&w->th, NULL, writer_main, w)) != 0)
    return mg_errf(err, MG_EIO, "cannot start the transcript writer: %s", strerror(rc));
  w->started = 1;
  return 0;
}

void srv_writer_submit(srv *s, srv_job *j) {
  struct srv_writer *w = s->writer;
  j->next = NULL;
  pthread_mutex_lock(&w->lock);
  if (w->tail) w->tail->next = j;
  else w->head = j;
  w->tail = j;
  if (++w->n == 1 || !w->gathering || w->n == GATHER_TURNS) pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
}

void srv_writer_stop(srv *s) {
  struct srv_writer *w = s->writer;
  if (!w) return;
  if (w->started) srv_thread_stop(&w->lock, &w->cond, &w->quit, w->th);
  bot_db_close(w->db);
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->cond);
  free(w);
  s->writer = NULL;
}
