/* mr-cluster-monitor.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-cluster-monitor.h"

#include <string.h>

#include "mr-timeline-item.h"

/* What every view of a running cluster reads: one object per window, so
 * that the views share one refresh and one event subscription.
 *
 * The main thread never calls into the cluster's locks or disk: listing
 * brokers and topics runs in a GTask worker, which hands back copies. What
 * changes the picture arrives two ways:
 *
 *  - the cluster's event stream, subscribed on the main context with a
 *    minimum interval, delivers events in batches: they go on top of the
 *    timeline, and each batch asks for one refresh;
 *  - while active (a window is mapped), a timer asks for one refresh a
 *    second, for the counters (bytes, offsets, requests) that move without
 *    events.
 *
 * Refreshes coalesce: while one runs, asking again only marks the state
 * dirty, and one more runs when it ends. Each ends with ::refreshed, on
 * which the views update in place.
 *
 * Workers report through a weak reference: a refresh may outlive the
 * monitor, which never waits for one. */

#define REFRESH_INTERVAL_MS    1000

/* Events arrive at most this often: a crash's elections come as one batch,
 * and never more than once a frame. */
#define EVENTS_MIN_INTERVAL_MS 100

/* How far back the timeline goes. */
#define MAX_TIMELINE_ITEMS     500

struct _MrClusterMonitor
{
  GObject       parent_instance;

  MrCluster    *cluster;
  GCancellable *cancellable;
  guint         events_subscription;
  guint         refresh_timer;
  GListStore   *timeline;

  GPtrArray    *brokers;            /* MrBrokerInfo */
  GPtrArray    *topics;             /* MrTopicInfo */
  gboolean      auto_create;

  /* Request rates, by broker id - 1. */
  guint64       last_requests[MR_CLUSTER_MAX_BROKERS];
  gint64        last_requests_time;
  double        rates[MR_CLUSTER_MAX_BROKERS][MR_CLUSTER_MONITOR_N_RATES];

  guint         loading : 1;
  guint         loaded : 1;
  guint         refresh_running : 1;
  guint         refresh_dirty : 1;
  guint         history_loaded : 1;
};

G_DEFINE_FINAL_TYPE (MrClusterMonitor, mr_cluster_monitor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

enum {
  SIGNAL_REFRESHED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/* The cluster as one refresh saw it. */
typedef struct
{
  GPtrArray *brokers;
  GPtrArray *topics;
  GPtrArray *history;               /* MrClusterEvent, oldest first; or NULL */
  gboolean   auto_create;
  gint64     time;                  /* monotonic, when the brokers were read */
} Snapshot;

typedef struct
{
  MrCluster *cluster;
  gboolean   with_history;
} RefreshData;

static void schedule_refresh (MrClusterMonitor *self);

static void
snapshot_free (Snapshot *snapshot)
{
  g_clear_pointer (&snapshot->brokers, g_ptr_array_unref);
  g_clear_pointer (&snapshot->topics, g_ptr_array_unref);
  g_clear_pointer (&snapshot->history, g_ptr_array_unref);
  g_free (snapshot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

static void
refresh_data_free (RefreshData *data)
{
  g_clear_pointer (&data->cluster, mr_cluster_unref);
  g_free (data);
}

static void
refresh_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefreshData *data = task_data;
  g_autoptr(Snapshot) snapshot = NULL;
  MrClusterOptions options;

  if (g_task_return_error_if_cancelled (task))
    return;

  snapshot = g_new0 (Snapshot, 1);
  snapshot->brokers = mr_cluster_list_brokers (data->cluster);
  snapshot->time = g_get_monotonic_time ();
  snapshot->topics = mr_cluster_list_topics (data->cluster);

  mr_cluster_get_options (data->cluster, &options);
  snapshot->auto_create = options.auto_create_topics;
  mr_cluster_options_clear (&options);

  if (data->with_history)
    {
      MrEventStream *stream = mr_cluster_get_event_stream (data->cluster);
      guint64 last = mr_event_stream_get_last_seq (stream);
      guint64 since = last > MAX_TIMELINE_ITEMS ? last - MAX_TIMELINE_ITEMS : 0;

      snapshot->history = mr_event_stream_dup_history (stream, since);
    }

  g_task_return_pointer (task, g_steal_pointer (&snapshot),
                         (GDestroyNotify) snapshot_free);
}

static void
refresh_async (MrCluster           *cluster,
               gboolean             with_history,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RefreshData *data;

  data = g_new0 (RefreshData, 1);
  data->cluster = mr_cluster_ref (cluster);
  data->with_history = !!with_history;

  /* No source object: the last reference on the task may drop in the
   * worker thread, and the monitor must be finalized on the main thread. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, refresh_async);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);
  g_task_run_in_thread (task, refresh_worker);
}

static Snapshot *
refresh_finish (GAsyncResult  *result,
                GError       **error)
{
  g_assert (g_task_get_source_tag (G_TASK (result)) == refresh_async);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The timeline. */

static guint64
timeline_seq_at (MrClusterMonitor *self,
                 guint             position)
{
  g_autoptr(MrTimelineItem) item = NULL;

  item = g_list_model_get_item (G_LIST_MODEL (self->timeline), position);

  return item != NULL ? mr_timeline_item_get_seq (item) : 0;
}

static void
trim_timeline (MrClusterMonitor *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->timeline));

  if (n_items > MAX_TIMELINE_ITEMS)
    g_list_store_splice (self->timeline, MAX_TIMELINE_ITEMS,
                         n_items - MAX_TIMELINE_ITEMS, NULL, 0);
}

/* Puts @events (oldest first) on top of the timeline, newest first,
 * skipping those it shows already. */
static void
prepend_events (MrClusterMonitor *self,
                GPtrArray        *events)
{
  g_autoptr(GPtrArray) items = NULL;
  guint64 newest = timeline_seq_at (self, 0);

  items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = events->len; i > 0 && items->len < MAX_TIMELINE_ITEMS; i--)
    {
      MrClusterEvent *event = g_ptr_array_index (events, i - 1);

      if (mr_cluster_event_get_seq (event) > newest)
        g_ptr_array_add (items, mr_timeline_item_new (event));
    }

  if (items->len == 0)
    return;

  g_list_store_splice (self->timeline, 0, 0, items->pdata, items->len);
  trim_timeline (self);
}

/* Puts the part of @history older than anything on the timeline below it:
 * the events from before the subscription. */
static void
append_history (MrClusterMonitor *self,
                GPtrArray        *history)
{
  g_autoptr(GPtrArray) items = NULL;
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->timeline));
  guint64 oldest = n_items > 0 ? timeline_seq_at (self, n_items - 1) : G_MAXUINT64;

  items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = history->len; i > 0 && n_items + items->len < MAX_TIMELINE_ITEMS; i--)
    {
      MrClusterEvent *event = g_ptr_array_index (history, i - 1);

      if (mr_cluster_event_get_seq (event) < oldest)
        g_ptr_array_add (items, mr_timeline_item_new (event));
    }

  if (items->len > 0)
    g_list_store_splice (self->timeline, n_items, 0, items->pdata, items->len);
}

/* Request rates. */

static void
update_rates (MrClusterMonitor *self,
              Snapshot         *snapshot)
{
  double seconds = (snapshot->time - self->last_requests_time) / (double) G_USEC_PER_SEC;
  gboolean first = self->last_requests_time == 0;

  for (guint i = 0; i < snapshot->brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (snapshot->brokers, i);
      guint index = (guint) info->id - 1;
      double *rates;
      double rate;

      if (index >= MR_CLUSTER_MAX_BROKERS)
        continue;

      rates = self->rates[index];
      if (!first && seconds > 0.05)
        {
          rate = info->n_requests >= self->last_requests[index]
                 ? (info->n_requests - self->last_requests[index]) / seconds
                 : 0;
          memmove (rates, rates + 1, sizeof (double) * (MR_CLUSTER_MONITOR_N_RATES - 1));
          rates[MR_CLUSTER_MONITOR_N_RATES - 1] = rate;
        }
      self->last_requests[index] = info->n_requests;
    }

  /* Too close to the last one to make a rate: keep the older base. */
  if (first || seconds > 0.05)
    self->last_requests_time = snapshot->time;
}

/* Refreshing. */

static void
set_loading (MrClusterMonitor *self,
             gboolean          loading)
{
  loading = !!loading;

  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADING]);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr(MrClusterMonitor) self = g_weak_ref_get (ref);
  g_autoptr(Snapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (ref);
  g_free (ref);

  snapshot = refresh_finish (result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_assert (snapshot != NULL);

  self->refresh_running = FALSE;

  if (snapshot->history != NULL)
    {
      append_history (self, snapshot->history);
      self->history_loaded = TRUE;
    }

  update_rates (self, snapshot);

  g_clear_pointer (&self->brokers, g_ptr_array_unref);
  g_clear_pointer (&self->topics, g_ptr_array_unref);
  self->brokers = g_steal_pointer (&snapshot->brokers);
  self->topics = g_steal_pointer (&snapshot->topics);
  self->auto_create = snapshot->auto_create;
  self->loaded = TRUE;

  g_signal_emit (self, signals [SIGNAL_REFRESHED], 0);

  if (self->refresh_dirty)
    schedule_refresh (self);
  else
    set_loading (self, FALSE);
}

static void
schedule_refresh (MrClusterMonitor *self)
{
  GWeakRef *ref;

  if (self->cancellable == NULL)
    return;

  if (self->refresh_running)
    {
      self->refresh_dirty = TRUE;
      return;
    }

  self->refresh_running = TRUE;
  self->refresh_dirty = FALSE;
  set_loading (self, TRUE);

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  refresh_async (self->cluster, !self->history_loaded, self->cancellable,
                 refresh_cb, ref);
}

/* Callbacks. */

static void
events_cb (GPtrArray *events,
           gpointer   user_data)
{
  MrClusterMonitor *self = user_data;

  prepend_events (self, events);
  schedule_refresh (self);
}

static gboolean
refresh_timer_cb (gpointer user_data)
{
  schedule_refresh (user_data);

  return G_SOURCE_CONTINUE;
}

/* Virtual functions. */

static void
mr_cluster_monitor_dispose (GObject *object)
{
  MrClusterMonitor *self = MR_CLUSTER_MONITOR (object);

  mr_cluster_monitor_stop (self);

  G_OBJECT_CLASS (mr_cluster_monitor_parent_class)->dispose (object);
}

static void
mr_cluster_monitor_finalize (GObject *object)
{
  MrClusterMonitor *self = MR_CLUSTER_MONITOR (object);

  g_clear_object (&self->timeline);
  g_clear_pointer (&self->brokers, g_ptr_array_unref);
  g_clear_pointer (&self->topics, g_ptr_array_unref);
  g_clear_pointer (&self->cluster, mr_cluster_unref);

  G_OBJECT_CLASS (mr_cluster_monitor_parent_class)->finalize (object);
}

static void
mr_cluster_monitor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MrClusterMonitor *self = MR_CLUSTER_MONITOR (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_cluster_monitor_class_init (MrClusterMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_cluster_monitor_dispose;
  object_class->finalize = mr_cluster_monitor_finalize;
  object_class->get_property = mr_cluster_monitor_get_property;

  /**
   * MrClusterMonitor:loading:
   *
   * Whether a refresh is under way.
   */
  properties [PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MrClusterMonitor::refreshed:
   *
   * A refresh has ended: the brokers, topics and rates are new.
   */
  signals [SIGNAL_REFRESHED] =
    g_signal_new ("refreshed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
mr_cluster_monitor_init (MrClusterMonitor *self)
{
  self->timeline = g_list_store_new (MR_TYPE_TIMELINE_ITEM);
}

/* Public API. */

/**
 * mr_cluster_monitor_new:
 * @cluster: a running cluster
 *
 * Starts following @cluster: subscribes to its events on the thread-default
 * main context, and refreshes once.
 *
 * Returns: (transfer full): a new #MrClusterMonitor
 */
MrClusterMonitor *
mr_cluster_monitor_new (MrCluster *cluster)
{
  MrClusterMonitor *self;
  MrEventStream *stream;

  g_return_val_if_fail (cluster != NULL, NULL);

  self = g_object_new (MR_TYPE_CLUSTER_MONITOR, NULL);
  self->cluster = mr_cluster_ref (cluster);
  self->cancellable = g_cancellable_new ();

  /* Subscribe first, then read the history in the first refresh: events
   * that land in both show once. */
  stream = mr_cluster_get_event_stream (cluster);
  self->events_subscription = mr_event_stream_subscribe (stream, NULL,
                                                         events_cb, self,
                                                         NULL);
  if (self->events_subscription != 0)
    mr_event_stream_set_min_interval (stream, self->events_subscription,
                                      EVENTS_MIN_INTERVAL_MS);

  schedule_refresh (self);

  return self;
}

MrCluster *
mr_cluster_monitor_get_cluster (MrClusterMonitor *self)
{
  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (self), NULL);

  return self->cluster;
}

void
mr_cluster_monitor_set_active (MrClusterMonitor *self,
                               gboolean          active)
{
  g_return_if_fail (MR_IS_CLUSTER_MONITOR (self));

  if (self->cancellable == NULL)
    return;

  if (active && self->refresh_timer == 0)
    {
      self->refresh_timer = g_timeout_add (REFRESH_INTERVAL_MS,
                                           refresh_timer_cb, self);
      schedule_refresh (self);
    }
  else if (!active)
    g_clear_handle_id (&self->refresh_timer, g_source_remove);
}

void
mr_cluster_monitor_refresh (MrClusterMonitor *self)
{
  g_return_if_fail (MR_IS_CLUSTER_MONITOR (self));

  schedule_refresh (self);
}

/**
 * mr_cluster_monitor_stop:
 * @self: a #MrClusterMonitor
 *
 * Stops following the cluster: no more events, refreshes or signals.
 * Idempotent; dispose calls it.
 */
void
mr_cluster_monitor_stop (MrClusterMonitor *self)
{
  g_return_if_fail (MR_IS_CLUSTER_MONITOR (self));

  /* On the delivery context, outside the callback: once this returns, no
   * batch is pending or running. */
  if (self->events_subscription != 0)
    mr_event_stream_unsubscribe (mr_cluster_get_event_stream (self->cluster),
                                 self->events_subscription);
  self->events_subscription = 0;

  g_clear_handle_id (&self->refresh_timer, g_source_remove);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

gboolean
mr_cluster_monitor_get_loading (MrClusterMonitor *self)
{
  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (self), FALSE);

  return self->loading;
}

gboolean
mr_cluster_monitor_get_loaded (MrClusterMonitor *self)
{
  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (self), FALSE);

  return self->loaded;
}

/**
 * mr_cluster_monitor_get_brokers:
 * @self: a #MrClusterMonitor
 *
 * Returns: (nullable) (transfer none) (element-type MrBrokerInfo): the
 *   brokers as the last refresh saw them
 */
GPtrArray *
mr_cluster_monitor_get_brokers (MrClusterMonitor *self)
{
  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (self), NULL);

  return self->brokers;
}

/**
 * mr_cluster_monitor_get_topics:
 * @self: a #MrClusterMonitor
 *
 * Returns: (nullable) (transfer none) (element-type MrTopicInfo): the
 *   topics as the last refresh saw them, by name
 */
GPtrArray *
mr_cluster_monitor_get_topics (MrClusterMonitor *self)
{
  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (self), NULL);

  return self->topics;
}

gboolean
mr_cluster_monitor_get_auto_create (MrClusterMonitor *self)
{
  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (self), FALSE);

  return self->auto_create;
}

double
mr_cluster_monitor_get_request_rate (MrClusterMonitor *self,
                                     gint32            broker_id)
{
  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (self), 0);
  g_return_val_if_fail (broker_id >= 1 && broker_id <= MR_CLUSTER_MAX_BROKERS, 0);

  return self->rates[broker_id - 1][MR_CLUSTER_MONITOR_N_RATES - 1];
}

const double *
mr_cluster_monitor_get_request_rates (MrClusterMonitor *self,
                                      gint32            broker_id)
{
  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (self), NULL);
  g_return_val_if_fail (broker_id >= 1 && broker_id <= MR_CLUSTER_MAX_BROKERS, NULL);

  return self->rates[broker_id - 1];
}

/**
 * mr_cluster_monitor_get_timeline:
 * @self: a #MrClusterMonitor
 *
 * Returns: (transfer none): the events, newest first, as #MrTimelineItem
 */
GListModel *
mr_cluster_monitor_get_timeline (MrClusterMonitor *self)
{
  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (self), NULL);

  return G_LIST_MODEL (self->timeline);
}
