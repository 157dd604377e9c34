/* mr-event-stream.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-cluster"

#include "config.h"

#include "mr-event-stream.h"

#include "mr-cluster-event-private.h"

/* How events travel.
 *
 * emit() runs on the engine thread where the thing happened. Under the
 * stream's lock it takes the next sequence number, stamps the event, puts
 * it in the history ring and appends a reference to each subscription's
 * pending array. Doing all of that under one lock is what makes every
 * subscriber see the events in sequence order, each once.
 *
 * Each subscription owns one GSource, attached to its context for the
 * whole life of the subscription. The source has no prepare or check
 * function: only its ready time wakes it. It is -1 while nothing is
 * pending. The emit that finds the subscription idle sets it to "now" (or
 * to the end of the minimum interval since the last delivery), which wakes
 * the context; later emits only append to the pending array. The dispatch
 * takes the whole array as one batch, sets the ready time back to -1 and
 * calls the subscriber without any lock held. So there is at most one
 * pending delivery per subscriber, and a busy stream costs one callback
 * per main loop iteration (or per interval), not one per event.
 *
 * Removing a subscription (unsubscribe, close) marks it inactive under its
 * lock, so that a dispatch that has not yet called the subscriber will not;
 * a dispatch that has called it is waited for, unless it is the caller
 * itself (the callback unsubscribing), in which case the destroy notify is
 * left for the dispatch to run once the callback returns.
 *
 * @locks: lock order is stream->lock, then a subscription's lock, then
 * (inside GLib, by g_source_set_ready_time() and g_source_attach()) a main
 * context's lock. GLib calls dispatch and finalize without its context lock
 * held, and neither takes the stream's lock. No lock is held while a
 * subscriber or a destroy notify runs. */

typedef struct _Subscription Subscription;

struct _Subscription
{
  gatomicrefcount   ref_count;     /* the stream's list and the source */
  guint             id;            /* immutable once listed */
  MrEventBatchFunc  func;          /* immutable */

  /* @locks lock protects every field below. */
  GMutex            lock;
  GCond             cond;          /* signalled when dispatch_thread is reset */
  GMainContext     *context;       /* owned until the subscription is removed */
  GSource          *source;        /* owned until the subscription is removed */
  GPtrArray        *pending;       /* MrClusterEvent, in seq order */
  gboolean          scheduled;     /* the source's ready time is set */
  gboolean          active;        /* FALSE once removed: no more callbacks */
  gint64            min_interval_us;
  gint64            last_delivery_us;
  GThread          *dispatch_thread; /* running the callback, or NULL */
  gboolean          destroy_deferred; /* removed from inside its callback */
  gpointer          user_data;
  GDestroyNotify    destroy;
};

typedef struct
{
  GSource       parent;
  Subscription *subscription;      /* strong */
} DeliverySource;

struct _MrEventStream
{
  gatomicrefcount   ref_count;
  guint             history_size;  /* immutable */

  /* @locks lock protects every field below. */
  GMutex            lock;
  GCond             cond;          /* an event arrived or the stream closed */
  guint             n_waiters;     /* threads in wait_for() */
  gboolean          closed;
  guint64           last_seq;
  MrClusterEvent  **ring;          /* history_size slots */
  guint             ring_head;     /* slot of the oldest event */
  guint             ring_len;
  GPtrArray        *subscriptions; /* Subscription, each holding a ref */
  guint             next_id;
};

static Subscription *
subscription_ref (Subscription *sub)
{
  g_atomic_ref_count_inc (&sub->ref_count);
  return sub;
}

static void
subscription_unref (Subscription *sub)
{
  if (!g_atomic_ref_count_dec (&sub->ref_count))
    return;

  /* Removal took the context, the source and the pending events; only a
   * destroy notify that never ran could remain, and removal runs it. */
  g_assert (sub->context == NULL);
  g_assert (sub->source == NULL);
  g_assert (sub->destroy == NULL);
  g_clear_pointer (&sub->pending, g_ptr_array_unref);
  g_mutex_clear (&sub->lock);
  g_cond_clear (&sub->cond);
  g_free (sub);
}

/* When the source should fire for events that arrive now.
 * @locks sub->lock must be held. */
static gint64
subscription_ready_time_locked (Subscription *sub)
{
  if (sub->min_interval_us == 0)
    return 0;
  return sub->last_delivery_us + sub->min_interval_us;
}

/* Queues @event for @sub and schedules the delivery if none is pending.
 * @locality: the emitting thread. @locks stream->lock must be held; takes
 * sub->lock. */
static void
subscription_queue (Subscription   *sub,
                    MrClusterEvent *event)
{
  g_mutex_lock (&sub->lock);
  g_assert (sub->active);
  g_ptr_array_add (sub->pending, mr_cluster_event_ref (event));
  if (!sub->scheduled)
    {
      sub->scheduled = TRUE;
      g_source_set_ready_time (sub->source,
                               subscription_ready_time_locked (sub));
    }
  g_mutex_unlock (&sub->lock);
}

/* Removes @sub for good and drops the stream list's reference. See
 * mr_event_stream_unsubscribe() for what the caller may rely on.
 * @locality: any thread. @locks: none held by the caller; @sub is no longer
 * in the stream's list, so no emit can reach it. */
static void
subscription_remove (Subscription *sub)
{
  g_autoptr(GPtrArray) dropped = NULL;
  GSource *source;
  GMainContext *context;
  GDestroyNotify destroy = NULL;
  gpointer destroy_data = NULL;

  g_mutex_lock (&sub->lock);
  sub->active = FALSE;
  dropped = g_steal_pointer (&sub->pending);
  source = g_steal_pointer (&sub->source);
  context = g_steal_pointer (&sub->context);
  if (sub->dispatch_thread == g_thread_self ())
    {
      /* Called from the callback (or from a main loop nested in it): the
       * dispatch runs the destroy notify when the callback returns. */
      sub->destroy_deferred = TRUE;
    }
  else
    {
      while (sub->dispatch_thread != NULL)
        g_cond_wait (&sub->cond, &sub->lock);
      destroy = g_steal_pointer (&sub->destroy);
      destroy_data = g_steal_pointer (&sub->user_data);
    }
  g_mutex_unlock (&sub->lock);

  /* A dispatch that GLib starts after this sees active == FALSE. */
  g_source_destroy (source);
  g_source_unref (source);
  g_main_context_unref (context);

  if (destroy != NULL)
    destroy (destroy_data);

  subscription_unref (sub);
}

/* Puts @event at the end of the ring and returns the event it pushed out,
 * if any, for the caller to unref once the lock is released.
 * @locks stream->lock must be held. */
static MrClusterEvent *
history_push_locked (MrEventStream  *stream,
                     MrClusterEvent *event)
{
  MrClusterEvent *evicted = NULL;
  guint slot;

  if (stream->ring_len == stream->history_size)
    {
      evicted = stream->ring[stream->ring_head];
      stream->ring[stream->ring_head] = event;
      stream->ring_head = (stream->ring_head + 1) % stream->history_size;
    }
  else
    {
      slot = (stream->ring_head + stream->ring_len) % stream->history_size;
      stream->ring[slot] = event;
      stream->ring_len++;
    }
  return evicted;
}

/* @locks stream->lock must be held. */
static guint64
first_seq_locked (MrEventStream *stream)
{
  return stream->last_seq - stream->ring_len + 1;
}

/* @locks stream->lock must be held. */
static GPtrArray *
dup_history_locked (MrEventStream *stream,
                    guint64        since_seq)
{
  guint64 first = first_seq_locked (stream);
  guint64 start;
  GPtrArray *events;

  if (since_seq >= stream->last_seq)
    return g_ptr_array_new_with_free_func (
      (GDestroyNotify)mr_cluster_event_unref);

  start = MAX (first, since_seq + 1);
  events = g_ptr_array_new_full ((guint)(stream->last_seq - start + 1),
                                 (GDestroyNotify)mr_cluster_event_unref);
  for (guint64 seq = start; seq <= stream->last_seq; seq++)
    {
      guint slot = (guint)((stream->ring_head + (seq - first))
                           % stream->history_size);

      g_ptr_array_add (events, mr_cluster_event_ref (stream->ring[slot]));
    }
  return events;
}

/* @locality: the subscription's context. @locks: takes sub->lock, never
 * across the callback. */
static gboolean
delivery_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  Subscription *sub = ((DeliverySource *)source)->subscription;
  g_autoptr(GPtrArray) batch = NULL;
  GDestroyNotify destroy = NULL;
  gpointer destroy_data = NULL;
  gpointer func_data = NULL;

  g_mutex_lock (&sub->lock);
  if (sub->active)
    {
      g_source_set_ready_time (source, -1);
      sub->scheduled = FALSE;
      if (sub->pending->len > 0)
        {
          batch = g_steal_pointer (&sub->pending);
          sub->pending = g_ptr_array_new_with_free_func (
            (GDestroyNotify)mr_cluster_event_unref);
          sub->last_delivery_us = g_get_monotonic_time ();
          sub->dispatch_thread = g_thread_self ();
          func_data = sub->user_data;
        }
    }
  g_mutex_unlock (&sub->lock);

  if (batch == NULL)
    return G_SOURCE_CONTINUE;

  sub->func (batch, func_data);

  g_mutex_lock (&sub->lock);
  sub->dispatch_thread = NULL;
  if (sub->destroy_deferred)
    {
      sub->destroy_deferred = FALSE;
      destroy = g_steal_pointer (&sub->destroy);
      destroy_data = g_steal_pointer (&sub->user_data);
    }
  g_cond_broadcast (&sub->cond);
  g_mutex_unlock (&sub->lock);

  if (destroy != NULL)
    destroy (destroy_data);

  return G_SOURCE_CONTINUE;
}

static void
delivery_source_finalize (GSource *source)
{
  DeliverySource *self = (DeliverySource *)source;

  g_clear_pointer (&self->subscription, subscription_unref);
}

static GSourceFuncs delivery_source_funcs = {
  .dispatch = delivery_source_dispatch,
  .finalize = delivery_source_finalize,
};

MrEventStream *
mr_event_stream_new (guint history_size)
{
  MrEventStream *stream = g_new0 (MrEventStream, 1);

  g_atomic_ref_count_init (&stream->ref_count);
  stream->history_size = history_size > 0 ? history_size
                                          : MR_EVENT_STREAM_DEFAULT_HISTORY;
  g_mutex_init (&stream->lock);
  g_cond_init (&stream->cond);
  stream->ring = g_new0 (MrClusterEvent *, stream->history_size);
  stream->subscriptions = g_ptr_array_new ();
  stream->next_id = 1;

  return stream;
}

MrEventStream *
mr_event_stream_ref (MrEventStream *stream)
{
  g_return_val_if_fail (stream != NULL, NULL);

  g_atomic_ref_count_inc (&stream->ref_count);
  return stream;
}

void
mr_event_stream_unref (MrEventStream *stream)
{
  g_return_if_fail (stream != NULL);

  if (!g_atomic_ref_count_dec (&stream->ref_count))
    return;

  mr_event_stream_close (stream);

  g_assert (stream->n_waiters == 0);
  for (guint i = 0; i < stream->ring_len; i++)
    {
      guint slot = (stream->ring_head + i) % stream->history_size;

      mr_cluster_event_unref (stream->ring[slot]);
    }
  g_free (stream->ring);
  g_ptr_array_unref (stream->subscriptions);
  g_mutex_clear (&stream->lock);
  g_cond_clear (&stream->cond);
  g_free (stream);
}

void
mr_event_stream_close (MrEventStream *stream)
{
  g_autoptr(GPtrArray) subscriptions = NULL;

  g_return_if_fail (stream != NULL);

  g_mutex_lock (&stream->lock);
  if (!stream->closed)
    {
      stream->closed = TRUE;
      subscriptions = g_steal_pointer (&stream->subscriptions);
      stream->subscriptions = g_ptr_array_new ();
      g_cond_broadcast (&stream->cond);
    }
  g_mutex_unlock (&stream->lock);

  if (subscriptions == NULL)
    return;

  g_debug ("Event stream closed at seq %" G_GUINT64_FORMAT
           "; removing %u subscriptions",
           mr_event_stream_get_last_seq (stream), subscriptions->len);
  for (guint i = 0; i < subscriptions->len; i++)
    subscription_remove (g_ptr_array_index (subscriptions, i));
}

guint
mr_event_stream_get_history_size (MrEventStream *stream)
{
  g_return_val_if_fail (stream != NULL, 0);

  return stream->history_size;
}

guint64
mr_event_stream_get_last_seq (MrEventStream *stream)
{
  guint64 seq;

  g_return_val_if_fail (stream != NULL, 0);

  g_mutex_lock (&stream->lock);
  seq = stream->last_seq;
  g_mutex_unlock (&stream->lock);

  return seq;
}

guint64
mr_event_stream_get_first_seq (MrEventStream *stream)
{
  guint64 seq;

  g_return_val_if_fail (stream != NULL, 0);

  g_mutex_lock (&stream->lock);
  seq = first_seq_locked (stream);
  g_mutex_unlock (&stream->lock);

  return seq;
}

guint64
mr_event_stream_emit (MrEventStream  *stream,
                      MrClusterEvent *event)
{
  MrClusterEvent *evicted;
  guint64 seq;

  g_return_val_if_fail (stream != NULL, 0);
  g_return_val_if_fail (event != NULL, 0);
  g_return_val_if_fail (mr_cluster_event_get_seq (event) == 0, 0);

  g_mutex_lock (&stream->lock);

  if (stream->closed)
    {
      g_mutex_unlock (&stream->lock);
      return 0;
    }

  seq = ++stream->last_seq;
  mr_cluster_event_stamp (event, seq);
  evicted = history_push_locked (stream, mr_cluster_event_ref (event));

  for (guint i = 0; i < stream->subscriptions->len; i++)
    subscription_queue (g_ptr_array_index (stream->subscriptions, i), event);

  if (stream->n_waiters > 0)
    g_cond_broadcast (&stream->cond);

  g_mutex_unlock (&stream->lock);

  if (evicted != NULL)
    mr_cluster_event_unref (evicted);

  return seq;
}

guint
mr_event_stream_subscribe (MrEventStream    *stream,
                           GMainContext     *context,
                           MrEventBatchFunc  func,
                           gpointer          user_data,
                           GDestroyNotify    destroy)
{
  Subscription *sub;
  GSource *source;
  guint id = 0;

  g_return_val_if_fail (stream != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  sub = g_new0 (Subscription, 1);
  g_atomic_ref_count_init (&sub->ref_count);
  sub->func = func;
  g_mutex_init (&sub->lock);
  g_cond_init (&sub->cond);
  sub->context = context != NULL ? g_main_context_ref (context)
                                 : g_main_context_ref_thread_default ();
  sub->pending = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_cluster_event_unref);
  sub->active = TRUE;
  sub->user_data = user_data;
  sub->destroy = destroy;

  source = g_source_new (&delivery_source_funcs, sizeof (DeliverySource));
  ((DeliverySource *)source)->subscription = subscription_ref (sub);
  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_static_name (source, "[millrace] event stream delivery");
  g_source_attach (source, sub->context);
  sub->source = source;

  g_mutex_lock (&stream->lock);
  if (!stream->closed)
    {
      id = stream->next_id++;
      if (stream->next_id == 0)
        stream->next_id = 1;
      sub->id = id;
      g_ptr_array_add (stream->subscriptions, sub);
    }
  g_mutex_unlock (&stream->lock);

  if (id == 0)
    subscription_remove (sub);

  return id;
}

void
mr_event_stream_set_min_interval (MrEventStream *stream,
                                  guint          subscription_id,
                                  guint          interval_ms)
{
  g_return_if_fail (stream != NULL);
  g_return_if_fail (subscription_id != 0);

  g_mutex_lock (&stream->lock);
  for (guint i = 0; i < stream->subscriptions->len; i++)
    {
      Subscription *sub = g_ptr_array_index (stream->subscriptions, i);

      if (sub->id != subscription_id)
        continue;

      g_mutex_lock (&sub->lock);
      sub->min_interval_us = (gint64)interval_ms * G_TIME_SPAN_MILLISECOND;
      if (sub->scheduled)
        g_source_set_ready_time (sub->source,
                                 subscription_ready_time_locked (sub));
      g_mutex_unlock (&sub->lock);
      break;
    }
  g_mutex_unlock (&stream->lock);
}

void
mr_event_stream_unsubscribe (MrEventStream *stream,
                             guint          subscription_id)
{
  Subscription *sub = NULL;

  g_return_if_fail (stream != NULL);
  g_return_if_fail (subscription_id != 0);

  g_mutex_lock (&stream->lock);
  for (guint i = 0; i < stream->subscriptions->len; i++)
    {
      Subscription *candidate = g_ptr_array_index (stream->subscriptions, i);

      if (candidate->id == subscription_id)
        {
          sub = g_ptr_array_steal_index (stream->subscriptions, i);
          break;
        }
    }
  g_mutex_unlock (&stream->lock);

  if (sub != NULL)
    subscription_remove (sub);
}

GPtrArray *
mr_event_stream_dup_history (MrEventStream *stream,
                             guint64        since_seq)
{
  GPtrArray *events;

  g_return_val_if_fail (stream != NULL, NULL);

  g_mutex_lock (&stream->lock);
  events = dup_history_locked (stream, since_seq);
  g_mutex_unlock (&stream->lock);

  return events;
}

GPtrArray *
mr_event_stream_wait_for (MrEventStream *stream,
                          guint64        since_seq,
                          gint           timeout_ms)
{
  GPtrArray *events;
  gint64 end_time = -1;

  g_return_val_if_fail (stream != NULL, NULL);

  if (timeout_ms >= 0)
    end_time = g_get_monotonic_time ()
               + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;

  g_mutex_lock (&stream->lock);
  stream->n_waiters++;
  while (!stream->closed && stream->last_seq <= since_seq)
    {
      if (end_time < 0)
        g_cond_wait (&stream->cond, &stream->lock);
      else if (!g_cond_wait_until (&stream->cond, &stream->lock, end_time))
        break;
    }
  stream->n_waiters--;
  events = dup_history_locked (stream, since_seq);
  g_mutex_unlock (&stream->lock);

  return events;
}
