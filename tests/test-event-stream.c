/* test-event-stream.c: emitting from many threads, coalesced delivery on
 * the subscriber's main context, unsubscribing, history and long polls.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

#define N_EMITTERS          8
#define EVENTS_PER_EMITTER  10000
#define N_EVENTS            (N_EMITTERS * EVENTS_PER_EMITTER)
#define FRAME_MS            16
#define WAIT_LIMIT_US       (60 * G_TIME_SPAN_SECOND)

/* What one subscription received. The callback checks each batch as it
 * arrives: the right thread and context, consecutive sequence numbers
 * from next_seq, and per emitter thread, the order of emission. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  GThread      *expected_thread;
  GMainContext *expected_context;
  guint64       next_seq;
  guint         n_events;
  guint         n_deliveries;
  guint         n_destroyed;
  guint         largest_batch;
  gint64        last_delivery_us;
  gint64        min_gap_us;
  gint64        last_index[N_EMITTERS];
  gboolean      in_callback;
  GThread      *destroy_thread;
} Collector;

static void
collector_init (Collector    *collector,
                GThread      *expected_thread,
                GMainContext *expected_context)
{
  memset (collector, 0, sizeof *collector);
  g_mutex_init (&collector->lock);
  g_cond_init (&collector->cond);
  collector->expected_thread = expected_thread;
  collector->expected_context = expected_context;
  collector->next_seq = 1;
  collector->min_gap_us = G_MAXINT64;
  for (guint i = 0; i < N_EMITTERS; i++)
    collector->last_index[i] = -1;
}

static void
collector_clear (Collector *collector)
{
  g_mutex_clear (&collector->lock);
  g_cond_clear (&collector->cond);
}

static void
collector_batch_cb (GPtrArray *events,
                    gpointer   user_data)
{
  Collector *collector = user_data;
  gint64 now = g_get_monotonic_time ();

  g_assert_cmpuint (events->len, >, 0);
  if (collector->expected_thread != NULL)
    g_assert_true (g_thread_self () == collector->expected_thread);
  if (collector->expected_context != NULL)
    g_assert_true (g_main_context_is_owner (collector->expected_context));

  g_mutex_lock (&collector->lock);
  g_assert_false (collector->in_callback);
  collector->in_callback = TRUE;

  for (guint i = 0; i < events->len; i++)
    {
      MrClusterEvent *event = g_ptr_array_index (events, i);
      gint32 emitter = mr_cluster_event_get_broker_id (event);

      g_assert_cmpuint (mr_cluster_event_get_seq (event), ==,
                        collector->next_seq);
      collector->next_seq++;
      if (emitter >= 0 && emitter < N_EMITTERS)
        {
          gint64 index = mr_cluster_event_get_from_offset (event);

          g_assert_cmpint (index, ==, collector->last_index[emitter] + 1);
          collector->last_index[emitter] = index;
        }
    }

  if (collector->n_deliveries > 0)
    collector->min_gap_us = MIN (collector->min_gap_us,
                                 now - collector->last_delivery_us);
  collector->last_delivery_us = now;
  collector->n_events += events->len;
  collector->n_deliveries++;
  collector->largest_batch = MAX (collector->largest_batch, events->len);
  collector->in_callback = FALSE;
  g_cond_broadcast (&collector->cond);
  g_mutex_unlock (&collector->lock);
}

static void
collector_destroy_cb (gpointer user_data)
{
  Collector *collector = user_data;

  g_mutex_lock (&collector->lock);
  g_assert_false (collector->in_callback);
  collector->n_destroyed++;
  collector->destroy_thread = g_thread_self ();
  g_mutex_unlock (&collector->lock);
}

/* Blocks until @collector has received @n_events, from a thread other than
 * the delivery thread. */
static void
collector_wait (Collector *collector,
                guint      n_events)
{
  gint64 end_time = g_get_monotonic_time () + WAIT_LIMIT_US;

  g_mutex_lock (&collector->lock);
  while (collector->n_events < n_events)
    g_assert_true (g_cond_wait_until (&collector->cond, &collector->lock,
                                      end_time));
  g_mutex_unlock (&collector->lock);
}

static guint
collector_get_n_events (Collector *collector)
{
  guint n;

  g_mutex_lock (&collector->lock);
  n = collector->n_events;
  g_mutex_unlock (&collector->lock);

  return n;
}

/* Runs @context until @collector has @n_events (on the calling thread). */
static void
iterate_until (GMainContext *context,
               Collector    *collector,
               guint         n_events)
{
  gint64 end_time = g_get_monotonic_time () + WAIT_LIMIT_US;

  while (collector_get_n_events (collector) < n_events)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end_time);
      g_main_context_iteration (context, TRUE);
    }
}

/* Dispatches whatever @context has ready, without blocking. */
static void
drain (GMainContext *context)
{
  for (guint i = 0; i < 100 && g_main_context_iteration (context, FALSE); i++)
    ;
}

static MrClusterEvent *
numbered_event_new (gint32 emitter,
                    gint64 index)
{
  return mr_cluster_event_new_replica_truncated (emitter, "t", 0, -1, index,
                                                 index, NULL);
}

static void
emit_numbered (MrEventStream *stream,
               guint          n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MrClusterEvent) event = numbered_event_new (-1, i);

      g_assert_cmpuint (mr_event_stream_emit (stream, event), >, 0);
    }
}

/* A thread that runs its own main context until stopped. */
typedef struct
{
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
} LoopThread;

static gpointer
loop_thread_run (gpointer data)
{
  LoopThread *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

static void
loop_thread_start (LoopThread *self)
{
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("subscriber", loop_thread_run, self);
}

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
loop_thread_stop (LoopThread *self)
{
  /* Through the context, so that a quit cannot come before the run. */
  g_main_context_invoke (self->context, quit_loop_cb, self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
}

typedef struct
{
  MrEventStream *stream;
  gint32         index;
  GMutex        *gate_lock;
  GCond         *gate_cond;
  gboolean      *gate_open;
} Emitter;

static gpointer
emitter_run (gpointer data)
{
  Emitter *emitter = data;

  /* Start together, for as much contention as possible. */
  g_mutex_lock (emitter->gate_lock);
  while (!*emitter->gate_open)
    g_cond_wait (emitter->gate_cond, emitter->gate_lock);
  g_mutex_unlock (emitter->gate_lock);

  for (gint64 i = 0; i < EVENTS_PER_EMITTER; i++)
    {
      g_autoptr(MrClusterEvent) event = numbered_event_new (emitter->index, i);

      g_assert_cmpuint (mr_event_stream_emit (emitter->stream, event), >, 0);
    }
  return NULL;
}

/* 8 threads emit 10,000 events each. Three subscribers: two on a thread
 * that runs its own context while the events arrive (one delivering as
 * fast as it can, one at most once a frame), one on the test thread's
 * context, which does not run until every emitter is done. Each receives
 * all 80,000 events once, in sequence order, in far fewer callbacks. */
static void
test_many_threads (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  g_autoptr(GMainContext) main_context = g_main_context_new ();
  Emitter emitters[N_EMITTERS];
  GThread *threads[N_EMITTERS];
  Collector fast, framed, late;
  LoopThread worker;
  GMutex gate_lock;
  GCond gate_cond;
  gboolean gate_open = FALSE;
  guint fast_id, framed_id, late_id;
  gint64 start_us, elapsed_us;

  g_main_context_push_thread_default (main_context);
  loop_thread_start (&worker);
  g_mutex_init (&gate_lock);
  g_cond_init (&gate_cond);

  collector_init (&fast, worker.thread, worker.context);
  collector_init (&framed, worker.thread, worker.context);
  collector_init (&late, g_thread_self (), main_context);

  fast_id = mr_event_stream_subscribe (stream, worker.context,
                                       collector_batch_cb, &fast,
                                       collector_destroy_cb);
  framed_id = mr_event_stream_subscribe (stream, worker.context,
                                         collector_batch_cb, &framed,
                                         collector_destroy_cb);
  mr_event_stream_set_min_interval (stream, framed_id, FRAME_MS);
  /* NULL: the thread-default context of this thread. */
  late_id = mr_event_stream_subscribe (stream, NULL, collector_batch_cb,
                                       &late, collector_destroy_cb);
  g_assert_cmpuint (fast_id, >, 0);
  g_assert_cmpuint (framed_id, !=, fast_id);
  g_assert_cmpuint (late_id, !=, framed_id);

  for (guint i = 0; i < N_EMITTERS; i++)
    {
      emitters[i] = (Emitter) {
        stream, (gint32)i, &gate_lock, &gate_cond, &gate_open,
      };
      threads[i] = g_thread_new ("emitter", emitter_run, &emitters[i]);
    }

  start_us = g_get_monotonic_time ();
  g_mutex_lock (&gate_lock);
  gate_open = TRUE;
  g_cond_broadcast (&gate_cond);
  g_mutex_unlock (&gate_lock);
  for (guint i = 0; i < N_EMITTERS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (mr_event_stream_get_last_seq (stream), ==, N_EVENTS);

  collector_wait (&fast, N_EVENTS);
  collector_wait (&framed, N_EVENTS);
  elapsed_us = g_get_monotonic_time () - start_us;

  /* The test thread's context has not run: one batch holds everything. */
  g_assert_cmpuint (late.n_deliveries, ==, 0);
  iterate_until (main_context, &late, N_EVENTS);

  g_test_message ("%u events in %.1f ms; deliveries: %u as fast as possible "
                  "(largest batch %u), %u once a frame, %u late",
                  N_EVENTS, elapsed_us / 1000.0, fast.n_deliveries,
                  fast.largest_batch, framed.n_deliveries, late.n_deliveries);

  for (guint i = 0; i < 3; i++)
    {
      Collector *collector = (Collector *[]) { &fast, &framed, &late }[i];

      g_assert_cmpuint (collector->n_events, ==, N_EVENTS);
      g_assert_cmpuint (collector->next_seq, ==, N_EVENTS + 1);
      for (guint e = 0; e < N_EMITTERS; e++)
        g_assert_cmpint (collector->last_index[e], ==,
                         EVENTS_PER_EMITTER - 1);
    }
  g_assert_cmpuint (late.n_deliveries, ==, 1);
  /* As fast as possible still coalesces: while one callback runs, the
   * emitters fill the next batch. Typically a few hundred deliveries; the
   * bound leaves room for a loaded machine. */
  g_assert_cmpuint (fast.n_deliveries, <, N_EVENTS / 4);
  /* Once a frame: deliveries start at least a frame apart, so their count
   * follows the time taken. The gaps are measured in the callbacks, a
   * little after the stream's own clock reads: allow a few ms. */
  g_assert_cmpuint (framed.n_deliveries, <=,
                    elapsed_us / (FRAME_MS * 1000) + 2);
  if (framed.n_deliveries > 1)
    g_assert_cmpint (framed.min_gap_us, >=, (FRAME_MS - 4) * 1000);

  /* Unsubscribing from another thread, from the delivery thread (here the
   * test thread for "late"), and the destroy notifies run once each. */
  mr_event_stream_unsubscribe (stream, fast_id);
  mr_event_stream_unsubscribe (stream, framed_id);
  mr_event_stream_unsubscribe (stream, late_id);
  g_assert_cmpuint (fast.n_destroyed, ==, 1);
  g_assert_cmpuint (framed.n_destroyed, ==, 1);
  g_assert_cmpuint (late.n_destroyed, ==, 1);
  g_assert_true (fast.destroy_thread == g_thread_self ());

  /* Nothing reaches a removed subscriber. */
  emit_numbered (stream, 10);
  drain (main_context);
  g_assert_cmpuint (late.n_events, ==, N_EVENTS);

  loop_thread_stop (&worker);
  g_assert_cmpuint (fast.n_events, ==, N_EVENTS);
  g_assert_cmpuint (framed.n_events, ==, N_EVENTS);

  g_main_context_pop_thread_default (main_context);
  g_mutex_clear (&gate_lock);
  g_cond_clear (&gate_cond);
  collector_clear (&fast);
  collector_clear (&framed);
  collector_clear (&late);
}

typedef struct
{
  MrEventStream *stream;
  Collector      collector;
  GMutex         lock;
  GCond          cond;
  gboolean       subscribed;
  GThread       *thread;
} ContextThread;

/* Subscribes with context NULL from a thread whose thread-default context
 * is its own, then runs it until three events have arrived. */
static gpointer
context_thread_run (gpointer data)
{
  ContextThread *self = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  guint id;

  g_main_context_push_thread_default (context);
  collector_init (&self->collector, g_thread_self (), context);
  id = mr_event_stream_subscribe (self->stream, NULL, collector_batch_cb,
                                  &self->collector, collector_destroy_cb);

  g_mutex_lock (&self->lock);
  self->subscribed = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  iterate_until (context, &self->collector, 3);
  mr_event_stream_unsubscribe (self->stream, id);
  g_assert_cmpuint (self->collector.n_destroyed, ==, 1);
  g_assert_true (self->collector.destroy_thread == g_thread_self ());

  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
test_thread_default_context (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  g_autoptr(GMainContext) main_context = g_main_context_new ();
  ContextThread self = { .stream = stream };

  g_main_context_push_thread_default (main_context);
  g_mutex_init (&self.lock);
  g_cond_init (&self.cond);
  self.thread = g_thread_new ("context", context_thread_run, &self);

  g_mutex_lock (&self.lock);
  while (!self.subscribed)
    g_cond_wait (&self.cond, &self.lock);
  g_mutex_unlock (&self.lock);

  emit_numbered (stream, 3);
  g_thread_join (self.thread);

  /* The callback ran on the subscribing thread (checked in it), and
   * nothing was scheduled on this thread's context. */
  g_assert_cmpuint (self.collector.n_events, ==, 3);
  g_assert_false (g_main_context_pending (main_context));

  g_main_context_pop_thread_default (main_context);
  g_mutex_clear (&self.lock);
  g_cond_clear (&self.cond);
  collector_clear (&self.collector);
}

static void
test_coalescing (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  g_autoptr(GMainContext) context = g_main_context_new ();
  Collector collector;
  guint id;

  g_main_context_push_thread_default (context);
  collector_init (&collector, g_thread_self (), context);
  id = mr_event_stream_subscribe (stream, NULL, collector_batch_cb,
                                  &collector, collector_destroy_cb);

  /* Three rounds of emits between iterations: three batches. */
  for (guint round = 0; round < 3; round++)
    {
      emit_numbered (stream, 100);
      iterate_until (context, &collector, (round + 1) * 100);
      g_assert_cmpuint (collector.n_deliveries, ==, round + 1);
      g_assert_cmpuint (collector.largest_batch, ==, 100);
      g_assert_false (g_main_context_pending (context));
    }

  mr_event_stream_unsubscribe (stream, id);
  g_main_context_pop_thread_default (context);
  collector_clear (&collector);
}

static void
test_min_interval (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  g_autoptr(GMainContext) context = g_main_context_new ();
  Collector collector;
  gint64 first_us, second_us;
  guint id;

  g_main_context_push_thread_default (context);
  collector_init (&collector, g_thread_self (), context);
  id = mr_event_stream_subscribe (stream, NULL, collector_batch_cb,
                                  &collector, collector_destroy_cb);
  mr_event_stream_set_min_interval (stream, id, 50);

  emit_numbered (stream, 1);
  iterate_until (context, &collector, 1);
  first_us = collector.last_delivery_us;

  /* Emitted just after a delivery, the next one waits for the interval
   * (measured here in the callbacks, a little after the stream's clock
   * reads: allow a few ms). */
  emit_numbered (stream, 5);
  iterate_until (context, &collector, 6);
  second_us = collector.last_delivery_us;
  g_assert_cmpuint (collector.n_deliveries, ==, 2);
  g_assert_cmpint (second_us - first_us, >=, 45 * 1000);

  /* A long interval holds the next batch back... */
  mr_event_stream_set_min_interval (stream, id, 60 * 1000);
  emit_numbered (stream, 1);
  drain (context);
  g_assert_cmpuint (collector.n_deliveries, ==, 2);

  /* ...and changing it reschedules the pending delivery: due at once. */
  mr_event_stream_set_min_interval (stream, id, 0);
  iterate_until (context, &collector, 7);
  g_assert_cmpuint (collector.n_deliveries, ==, 3);

  mr_event_stream_unsubscribe (stream, id);
  g_main_context_pop_thread_default (context);
  collector_clear (&collector);
}

static void
test_unsubscribe_pending (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  g_autoptr(GMainContext) context = g_main_context_new ();
  Collector collector;
  guint id;

  g_main_context_push_thread_default (context);
  collector_init (&collector, g_thread_self (), context);
  id = mr_event_stream_subscribe (stream, NULL, collector_batch_cb,
                                  &collector, collector_destroy_cb);

  /* A delivery is pending when the subscriber leaves. */
  emit_numbered (stream, 3);
  g_assert_true (g_main_context_pending (context));
  mr_event_stream_unsubscribe (stream, id);
  g_assert_cmpuint (collector.n_destroyed, ==, 1);
  g_assert_true (collector.destroy_thread == g_thread_self ());

  emit_numbered (stream, 3);
  drain (context);
  g_assert_false (g_main_context_pending (context));
  g_assert_cmpuint (collector.n_deliveries, ==, 0);

  /* A second unsubscribe, or an id never given out, is ignored. */
  mr_event_stream_unsubscribe (stream, id);
  mr_event_stream_unsubscribe (stream, 4242);
  g_assert_cmpuint (collector.n_destroyed, ==, 1);

  g_main_context_pop_thread_default (context);
  collector_clear (&collector);
}

/* A subscriber that leaves from its own callback, and one that removes
 * another subscriber whose delivery is pending. */
typedef struct
{
  MrEventStream *stream;
  guint          own_id;
  guint          other_id;
  guint          n_calls;
  gboolean       in_callback;
  guint          n_destroyed;
  gboolean       destroyed_in_callback;
} Leaver;

static void
leaver_batch_cb (GPtrArray *events,
                 gpointer   user_data)
{
  Leaver *leaver = user_data;

  leaver->n_calls++;
  leaver->in_callback = TRUE;
  if (leaver->other_id != 0)
    mr_event_stream_unsubscribe (leaver->stream, leaver->other_id);
  if (leaver->own_id != 0)
    mr_event_stream_unsubscribe (leaver->stream, leaver->own_id);
  /* The destroy notify waits for the callback to return. */
  g_assert_cmpuint (leaver->n_destroyed, ==, 0);
  leaver->in_callback = FALSE;
}

static void
leaver_destroy_cb (gpointer user_data)
{
  Leaver *leaver = user_data;

  leaver->n_destroyed++;
  leaver->destroyed_in_callback = leaver->in_callback;
}

static void
test_unsubscribe_in_callback (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  g_autoptr(GMainContext) context = g_main_context_new ();
  Leaver self_leaver = { .stream = stream };
  Leaver remover = { .stream = stream };
  Collector victim;
  guint victim_calls;

  g_main_context_push_thread_default (context);

  self_leaver.own_id = mr_event_stream_subscribe (stream, NULL,
                                                  leaver_batch_cb,
                                                  &self_leaver,
                                                  leaver_destroy_cb);
  emit_numbered (stream, 2);
  drain (context);
  g_assert_cmpuint (self_leaver.n_calls, ==, 1);
  g_assert_cmpuint (self_leaver.n_destroyed, ==, 1);
  g_assert_false (self_leaver.destroyed_in_callback);
  emit_numbered (stream, 2);
  drain (context);
  g_assert_cmpuint (self_leaver.n_calls, ==, 1);

  /* The remover was subscribed first, so GLib dispatches it first; the
   * victim's pending batch must then never arrive. */
  collector_init (&victim, g_thread_self (), context);
  remover.own_id = 0;
  remover.other_id = 0;
  {
    guint remover_id = mr_event_stream_subscribe (stream, NULL,
                                                  leaver_batch_cb, &remover,
                                                  leaver_destroy_cb);
    remover.other_id = mr_event_stream_subscribe (stream, NULL,
                                                  collector_batch_cb, &victim,
                                                  collector_destroy_cb);
    emit_numbered (stream, 4);
    drain (context);
    victim_calls = victim.n_deliveries;
    g_assert_cmpuint (remover.n_calls, ==, 1);
    g_assert_cmpuint (victim.n_destroyed, ==, 1);
    g_assert_cmpuint (victim_calls, ==, 0);

    remover.other_id = 0;
    emit_numbered (stream, 4);
    drain (context);
    g_assert_cmpuint (remover.n_calls, ==, 2);
    g_assert_cmpuint (victim.n_deliveries, ==, victim_calls);
    mr_event_stream_unsubscribe (stream, remover_id);
    g_assert_cmpuint (remover.n_destroyed, ==, 1);
  }

  g_main_context_pop_thread_default (context);
  collector_clear (&victim);
}

/* Unsubscribing from another thread while the callback runs waits for it:
 * once unsubscribe returns, the callback is over and no other starts. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean started;
  gboolean finished;
  guint    n_calls;
  guint    n_destroyed;
  gboolean finished_before_destroy;
} SlowSubscriber;

static void
slow_batch_cb (GPtrArray *events,
               gpointer   user_data)
{
  SlowSubscriber *slow = user_data;

  g_mutex_lock (&slow->lock);
  slow->n_calls++;
  slow->started = TRUE;
  g_cond_broadcast (&slow->cond);
  g_mutex_unlock (&slow->lock);

  g_usleep (100 * 1000);

  g_mutex_lock (&slow->lock);
  slow->finished = TRUE;
  g_mutex_unlock (&slow->lock);
}

static void
slow_destroy_cb (gpointer user_data)
{
  SlowSubscriber *slow = user_data;

  g_mutex_lock (&slow->lock);
  slow->n_destroyed++;
  slow->finished_before_destroy = slow->finished;
  g_mutex_unlock (&slow->lock);
}

static void
test_unsubscribe_while_running (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  SlowSubscriber slow = { 0 };
  LoopThread worker;
  guint id;

  g_mutex_init (&slow.lock);
  g_cond_init (&slow.cond);
  loop_thread_start (&worker);

  id = mr_event_stream_subscribe (stream, worker.context, slow_batch_cb,
                                  &slow, slow_destroy_cb);
  emit_numbered (stream, 1);

  g_mutex_lock (&slow.lock);
  while (!slow.started)
    g_cond_wait (&slow.cond, &slow.lock);
  g_mutex_unlock (&slow.lock);

  /* More events while the callback runs: they would make a second
   * delivery, which the unsubscribe cancels. */
  emit_numbered (stream, 5);
  mr_event_stream_unsubscribe (stream, id);

  g_mutex_lock (&slow.lock);
  g_assert_true (slow.finished);
  g_assert_cmpuint (slow.n_destroyed, ==, 1);
  g_assert_true (slow.finished_before_destroy);
  g_mutex_unlock (&slow.lock);

  emit_numbered (stream, 5);
  g_usleep (50 * 1000);
  loop_thread_stop (&worker);
  g_assert_cmpuint (slow.n_calls, ==, 1);

  g_mutex_clear (&slow.lock);
  g_cond_clear (&slow.cond);
}

static void
test_history (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (100);
  g_autoptr(MrEventStream) defaults = mr_event_stream_new (0);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) tail = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) beyond = NULL;
  g_autoptr(GPtrArray) empty = NULL;

  g_assert_cmpuint (mr_event_stream_get_history_size (stream), ==, 100);
  g_assert_cmpuint (mr_event_stream_get_history_size (defaults), ==,
                    MR_EVENT_STREAM_DEFAULT_HISTORY);
  g_assert_cmpuint (MR_EVENT_STREAM_DEFAULT_HISTORY, ==, 10000);

  /* An empty stream. */
  g_assert_cmpuint (mr_event_stream_get_last_seq (stream), ==, 0);
  g_assert_cmpuint (mr_event_stream_get_first_seq (stream), ==, 1);
  empty = mr_event_stream_dup_history (stream, 0);
  g_assert_cmpuint (empty->len, ==, 0);

  emit_numbered (stream, 250);
  g_assert_cmpuint (mr_event_stream_get_last_seq (stream), ==, 250);
  g_assert_cmpuint (mr_event_stream_get_first_seq (stream), ==, 151);

  /* Only the latest 100 remain, oldest first. */
  all = mr_event_stream_dup_history (stream, 0);
  g_assert_cmpuint (all->len, ==, 100);
  for (guint i = 0; i < all->len; i++)
    {
      MrClusterEvent *event = g_ptr_array_index (all, i);

      g_assert_cmpuint (mr_cluster_event_get_seq (event), ==, 151 + i);
      g_assert_cmpint (mr_cluster_event_get_from_offset (event), ==, 150 + i);
    }

  tail = mr_event_stream_dup_history (stream, 200);
  g_assert_cmpuint (tail->len, ==, 50);
  g_assert_cmpuint (mr_cluster_event_get_seq (g_ptr_array_index (tail, 0)),
                    ==, 201);
  g_clear_pointer (&tail, g_ptr_array_unref);
  tail = mr_event_stream_dup_history (stream, 151);
  g_assert_cmpuint (tail->len, ==, 99);
  g_clear_pointer (&tail, g_ptr_array_unref);
  tail = mr_event_stream_dup_history (stream, 150);
  g_assert_cmpuint (tail->len, ==, 100);

  none = mr_event_stream_dup_history (stream, 250);
  g_assert_cmpuint (none->len, ==, 0);
  beyond = mr_event_stream_dup_history (stream, G_MAXUINT64);
  g_assert_cmpuint (beyond->len, ==, 0);

  /* The arrays hold their own references. */
  g_clear_pointer (&stream, mr_event_stream_unref);
  g_assert_cmpuint (mr_cluster_event_get_seq (g_ptr_array_index (all, 99)),
                    ==, 250);
}

typedef struct
{
  MrEventStream *stream;
  guint          delay_ms;
  gboolean       close;
} DelayedAction;

static gpointer
delayed_action_run (gpointer data)
{
  DelayedAction *action = data;

  g_usleep (action->delay_ms * 1000);
  if (action->close)
    mr_event_stream_close (action->stream);
  else
    emit_numbered (action->stream, 1);
  return NULL;
}

static void
test_wait_for (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  g_autoptr(GPtrArray) timed_out = NULL;
  g_autoptr(GPtrArray) ready = NULL;
  g_autoptr(GPtrArray) woken = NULL;
  g_autoptr(GPtrArray) closed = NULL;
  DelayedAction emit_later = { stream, 100, FALSE };
  DelayedAction close_later = { stream, 50, TRUE };
  GThread *thread;
  gint64 start_us, elapsed_us;

  emit_numbered (stream, 2);

  /* Nothing after seq 2: an empty array once the timeout has passed. */
  start_us = g_get_monotonic_time ();
  timed_out = mr_event_stream_wait_for (stream, 2, 50);
  elapsed_us = g_get_monotonic_time () - start_us;
  g_assert_cmpuint (timed_out->len, ==, 0);
  g_assert_cmpint (elapsed_us, >=, 50 * 1000);

  /* Events already there: no wait at all, even without a timeout. */
  ready = mr_event_stream_wait_for (stream, 0, -1);
  g_assert_cmpuint (ready->len, ==, 2);

  /* An emit wakes the waiter long before its timeout. */
  thread = g_thread_new ("emit-later", delayed_action_run, &emit_later);
  start_us = g_get_monotonic_time ();
  woken = mr_event_stream_wait_for (stream, 2, 30000);
  elapsed_us = g_get_monotonic_time () - start_us;
  g_thread_join (thread);
  g_assert_cmpuint (woken->len, ==, 1);
  g_assert_cmpuint (mr_cluster_event_get_seq (g_ptr_array_index (woken, 0)),
                    ==, 3);
  g_assert_cmpint (elapsed_us, <, 10 * G_TIME_SPAN_SECOND);

  /* Closing wakes a waiter that has no timeout. */
  thread = g_thread_new ("close-later", delayed_action_run, &close_later);
  closed = mr_event_stream_wait_for (stream, 3, -1);
  g_thread_join (thread);
  g_assert_cmpuint (closed->len, ==, 0);
}

static void
test_close (void)
{
  g_autoptr(MrEventStream) stream = mr_event_stream_new (0);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) waited = NULL;
  g_autoptr(MrClusterEvent) late_event = NULL;
  Collector collector, refused;
  guint id;

  g_main_context_push_thread_default (context);
  collector_init (&collector, g_thread_self (), context);
  collector_init (&refused, g_thread_self (), context);
  id = mr_event_stream_subscribe (stream, NULL, collector_batch_cb,
                                  &collector, collector_destroy_cb);
  emit_numbered (stream, 3);

  /* Closing removes the subscription, pending batch included. */
  mr_event_stream_close (stream);
  g_assert_cmpuint (collector.n_destroyed, ==, 1);
  drain (context);
  g_assert_cmpuint (collector.n_deliveries, ==, 0);
  mr_event_stream_unsubscribe (stream, id);
  mr_event_stream_close (stream);
  g_assert_cmpuint (collector.n_destroyed, ==, 1);

  /* Later emits are dropped; a late subscriber is refused at once. */
  late_event = numbered_event_new (-1, 99);
  g_assert_cmpuint (mr_event_stream_emit (stream, late_event), ==, 0);
  g_assert_cmpuint (mr_cluster_event_get_seq (late_event), ==, 0);
  g_assert_cmpuint (mr_event_stream_subscribe (stream, NULL,
                                               collector_batch_cb, &refused,
                                               collector_destroy_cb), ==, 0);
  g_assert_cmpuint (refused.n_destroyed, ==, 1);
  g_assert_false (g_main_context_pending (context));

  /* The history stays readable; waiting returns at once. */
  history = mr_event_stream_dup_history (stream, 0);
  g_assert_cmpuint (history->len, ==, 3);
  waited = mr_event_stream_wait_for (stream, 3, -1);
  g_assert_cmpuint (waited->len, ==, 0);

  g_main_context_pop_thread_default (context);
  collector_clear (&collector);
  collector_clear (&refused);
}

/* The last reference dropped from inside a callback: the stream goes, the
 * dispatch in progress finishes without touching it. */
typedef struct
{
  MrEventStream *stream;
  guint          n_calls;
  guint          n_destroyed;
} Owner;

static void
owner_batch_cb (GPtrArray *events,
                gpointer   user_data)
{
  Owner *owner = user_data;

  owner->n_calls++;
  g_clear_pointer (&owner->stream, mr_event_stream_unref);
}

static void
owner_destroy_cb (gpointer user_data)
{
  Owner *owner = user_data;

  owner->n_destroyed++;
}

static void
test_unref_in_callback (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Owner owner = { mr_event_stream_new (0), 0, 0 };
  Owner other = { NULL, 0, 0 };
  MrEventStream *stream = owner.stream;

  g_main_context_push_thread_default (context);
  mr_event_stream_subscribe (stream, NULL, owner_batch_cb, &owner,
                             owner_destroy_cb);
  mr_event_stream_subscribe (stream, NULL, owner_batch_cb, &other,
                             owner_destroy_cb);
  emit_numbered (stream, 2);
  drain (context);

  g_assert_null (owner.stream);
  g_assert_cmpuint (owner.n_calls, ==, 1);
  g_assert_cmpuint (owner.n_destroyed, ==, 1);
  g_assert_cmpuint (other.n_calls, ==, 0);
  g_assert_cmpuint (other.n_destroyed, ==, 1);
  g_assert_false (g_main_context_pending (context));

  g_main_context_pop_thread_default (context);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/event-stream/many-threads", test_many_threads);
  g_test_add_func ("/event-stream/thread-default-context",
                   test_thread_default_context);
  g_test_add_func ("/event-stream/coalescing", test_coalescing);
  g_test_add_func ("/event-stream/min-interval", test_min_interval);
  g_test_add_func ("/event-stream/unsubscribe-pending",
                   test_unsubscribe_pending);
  g_test_add_func ("/event-stream/unsubscribe-in-callback",
                   test_unsubscribe_in_callback);
  g_test_add_func ("/event-stream/unsubscribe-while-running",
                   test_unsubscribe_while_running);
  g_test_add_func ("/event-stream/history", test_history);
  g_test_add_func ("/event-stream/wait-for", test_wait_for);
  g_test_add_func ("/event-stream/close", test_close);
  g_test_add_func ("/event-stream/unref-in-callback", test_unref_in_callback);

  return g_test_run ();
}
