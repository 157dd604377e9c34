/* mr-event-stream.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <glib.h>

#include "mr-cluster-event.h"

G_BEGIN_DECLS

/* The cluster's event stream: engine threads emit MrClusterEvents, which get
 * consecutive sequence numbers (from 1), go into a bounded history and are
 * delivered in batches to subscribers on the main contexts they chose. The
 * UI subscribes on the GTK main context with a minimum interval of one
 * frame; the HTTP API lists the history and long-polls with
 * mr_event_stream_wait_for().
 *
 * Threads: every function may be called from any thread; a mutex guards the
 * stream, another each subscription (see mr-event-stream.c). Callbacks run
 * only on their subscription's main context, never inside emit. */
typedef struct _MrEventStream MrEventStream;

#define MR_EVENT_STREAM_DEFAULT_HISTORY 10000

/* A batch of events for a subscriber.
 * @events: (element-type MrClusterEvent) (transfer none): one or more events
 *   in increasing sequence order; take a reference on the array or on the
 *   events to keep them past the call. */
typedef void (*MrEventBatchFunc) (GPtrArray *events,
                                  gpointer   user_data);

/* @history_size: how many of the latest events the history keeps; 0 means
 * MR_EVENT_STREAM_DEFAULT_HISTORY. */
MrEventStream *mr_event_stream_new              (guint             history_size) G_GNUC_WARN_UNUSED_RESULT;
MrEventStream *mr_event_stream_ref              (MrEventStream    *stream);
/* The last unref closes the stream (see below), then frees it. */
void           mr_event_stream_unref            (MrEventStream    *stream);

/* Shutdown: removes every subscription as mr_event_stream_unsubscribe()
 * does, wakes every mr_event_stream_wait_for(), and turns later emits into
 * no-ops. The history stays readable. Idempotent.
 *
 * @locality: any thread; it may wait for running callbacks, as
 * mr_event_stream_unsubscribe() does. */
void           mr_event_stream_close            (MrEventStream    *stream);

guint          mr_event_stream_get_history_size (MrEventStream    *stream);
/* The sequence number of the latest event, 0 before the first. */
guint64        mr_event_stream_get_last_seq     (MrEventStream    *stream);
/* The sequence number of the oldest event the history still holds; last
 * seq + 1 when it is empty. A reader that last saw seq N missed events
 * when N + 1 is below it. */
guint64        mr_event_stream_get_first_seq    (MrEventStream    *stream);

/* Stamps @event with the next sequence number (and the current time, when
 * mr_cluster_event_set_time() gave it none), adds it to the history and
 * queues it for every subscriber. Takes its own reference: the caller keeps
 * its own. An event can be emitted once, on one stream; it must not change
 * afterwards. Returns the sequence number, or 0 when the stream is closed
 * (the event is then dropped).
 *
 * @locality: any thread. Never blocks on a subscriber: it only takes the
 * stream's and the subscriptions' mutexes (never held across a callback)
 * and, once per batch, wakes the subscriber's main context. */
guint64        mr_event_stream_emit             (MrEventStream    *stream,
                                                 MrClusterEvent   *event);

/* Delivers every event emitted after this call returns to @func, on
 * @context (NULL: the thread-default main context of the caller, at the
 * time of the call), in sequence order, each exactly once.
 *
 * Delivery is coalesced: the subscription has one GSource on @context, at
 * G_PRIORITY_DEFAULT_IDLE. Events that arrive while a delivery is pending
 * join its batch; at most one delivery is pending at a time; a new one is
 * scheduled no sooner than the minimum interval (see
 * mr_event_stream_set_min_interval()) after the start of the previous one.
 *
 * To show the past too without a gap: subscribe first, then
 * mr_event_stream_dup_history(), and skip delivered events whose seq the
 * history already had.
 *
 * A subscription keeps @context alive until it is removed. @destroy, if
 * not NULL, is called with @user_data once, when the subscription is
 * removed (see mr_event_stream_unsubscribe()). Events pile up while
 * @context does not run: a subscriber that stops iterating its context
 * must unsubscribe.
 *
 * Returns the subscription id, never 0; or 0 if the stream is closed, in
 * which case @destroy has already been called.
 *
 * @locality: any thread. */
guint          mr_event_stream_subscribe        (MrEventStream    *stream,
                                                 GMainContext     *context,
                                                 MrEventBatchFunc  func,
                                                 gpointer          user_data,
                                                 GDestroyNotify    destroy);

/* The shortest time between the starts of two deliveries to one
 * subscription: 0 (the default) delivers as soon as the context runs; the
 * UI asks for about 16 ms, one frame. */
void           mr_event_stream_set_min_interval (MrEventStream    *stream,
                                                 guint             subscription_id,
                                                 guint             interval_ms);

/* Removes a subscription and drops its pending events. Once this returns,
 * no new call of @func starts for this subscription, and:
 *  - called on the delivery context's thread, outside the callback (the
 *    UI's case): none is running either, a pending delivery is cancelled,
 *    and @destroy has run;
 *  - called from inside the subscription's own callback (or from a main
 *    loop nested in it): that call goes on to its end, and @destroy runs on
 *    that thread just after it returns;
 *  - called from any other thread: if the callback is running, this waits
 *    for it to return; @destroy has run, on the calling thread. So a
 *    callback must never wait for a thread that may unsubscribe it.
 *
 * An id that is not (or no longer) subscribed, for instance after
 * mr_event_stream_close(), is ignored.
 *
 * @locality: any thread. */
void           mr_event_stream_unsubscribe      (MrEventStream    *stream,
                                                 guint             subscription_id);

/* The events of the history with seq > @since_seq, oldest first (an empty
 * array when there are none). Events that fell out of the history are not
 * there: compare @since_seq with mr_event_stream_get_first_seq(). */
GPtrArray     *mr_event_stream_dup_history      (MrEventStream    *stream,
                                                 guint64           since_seq) G_GNUC_WARN_UNUSED_RESULT;

/* Blocks until the stream holds an event with seq > @since_seq, the stream
 * is closed, or @timeout_ms passes (-1: no limit); then returns what
 * mr_event_stream_dup_history() would, possibly an empty array.
 *
 * @locality: any thread that may block: tests, the HTTP API's long polls.
 * Never the UI thread. */
GPtrArray     *mr_event_stream_wait_for         (MrEventStream    *stream,
                                                 guint64           since_seq,
                                                 gint              timeout_ms) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrEventStream, mr_event_stream_unref)

G_END_DECLS
