/* mr-window-live.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "mr-broker-card.h"
#include "mr-timeline-item.h"
#include "mr-topic-row.h"

/* The window on a running cluster.
 *
 * The main thread never calls into the cluster's locks or disk: listing
 * brokers and topics and applying a fault run in GTask workers, which hand
 * back copies. What changes the picture arrives two ways:
 *
 *  - the cluster's event stream, subscribed on the main context with a
 *    minimum interval, delivers events in batches: they go on top of the
 *    timeline, and each batch asks for one refresh;
 *  - while the window is mapped, a timer asks for one refresh a second, for
 *    the counters (bytes, offsets) that move without events.
 *
 * Refreshes coalesce: while one runs, asking again only marks the state
 * dirty, and one more runs when it ends. A refresh updates the cards and
 * rows in place, so nothing flickers and open topic rows stay open.
 *
 * Workers report to the window through a weak reference: a refresh or a
 * fault may outlive the window, and the window never waits for one. */

/* Often enough for counters to look live, rarely enough to cost nothing. */
#define REFRESH_INTERVAL_S     1

/* Events arrive at most this often: a crash's elections come as one batch. */
#define EVENTS_MIN_INTERVAL_MS 100

/* How far back the timeline goes. */
#define MAX_TIMELINE_ITEMS     500

/* The cluster as one refresh saw it. */
typedef struct
{
  GPtrArray *brokers;              /* MrBrokerInfo, by id */
  GPtrArray *topics;               /* MrTopicInfo, by name */
  GPtrArray *history;              /* MrClusterEvent, oldest first; or NULL */
  gboolean   auto_create_topics;
} Snapshot;

typedef struct
{
  MrCluster *cluster;
  gboolean   with_history;
} RefreshData;

typedef struct
{
  MrCluster      *cluster;
  gint32          broker_id;
  MrBrokerAction  action;
} BrokerActionData;

/* What the callback of a broker action needs once the call is done. */
typedef struct
{
  GWeakRef  window;
  gint32    broker_id;
  guint     entry;                 /* in broker_actions[] */
} BrokerActionRequest;

/* The faults and recoveries, one window action each, all taking the
 * broker id as an int32 target. */
static const struct
{
  const char     *name;
  MrBrokerAction  action;
} broker_actions[] = {
  { "broker.start",   MR_BROKER_ACTION_START },
  { "broker.stop",    MR_BROKER_ACTION_STOP },
  { "broker.crash",   MR_BROKER_ACTION_CRASH },
  { "broker.pause",   MR_BROKER_ACTION_PAUSE },
  { "broker.resume",  MR_BROKER_ACTION_RESUME },
  { "broker.isolate", MR_BROKER_ACTION_ISOLATE },
  { "broker.heal",    MR_BROKER_ACTION_HEAL },
};

static void schedule_refresh (MrWindow *self);

/* Weak references for callbacks. */

static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, object);

  return ref;
}

/* Frees @ref; returns a strong reference to its object, or NULL when the
 * object is gone. */
static gpointer
weak_ref_free_and_get (GWeakRef *ref)
{
  gpointer object = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);

  return object;
}

/* Reading the cluster, off the main thread. */

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

  g_assert (data != NULL);
  g_assert (data->cluster != NULL);

  if (g_task_return_error_if_cancelled (task))
    return;

  snapshot = g_new0 (Snapshot, 1);
  snapshot->brokers = mr_cluster_list_brokers (data->cluster);
  snapshot->topics = mr_cluster_list_topics (data->cluster);

  mr_cluster_get_options (data->cluster, &options);
  snapshot->auto_create_topics = options.auto_create_topics;
  mr_cluster_options_clear (&options);

  if (data->with_history)
    {
      MrEventStream *stream = mr_cluster_get_event_stream (data->cluster);
      guint64 last = mr_event_stream_get_last_seq (stream);
      guint64 since = last > MAX_TIMELINE_ITEMS ? last - MAX_TIMELINE_ITEMS : 0;

      snapshot->history = mr_event_stream_dup_history (stream, since);
    }

  g_task_return_pointer (task,
                         g_steal_pointer (&snapshot),
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

  g_assert (cluster != NULL);
  g_assert (G_IS_CANCELLABLE (cancellable));

  data = g_new0 (RefreshData, 1);
  data->cluster = mr_cluster_ref (cluster);
  data->with_history = !!with_history;

  /* No source object: the last reference on the task may drop in the
   * worker thread, and a widget must never be finalized there. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, refresh_async);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);
  g_task_run_in_thread (task, refresh_worker);
}

static Snapshot *
refresh_finish (GAsyncResult  *result,
                GError       **error)
{
  g_assert (G_IS_TASK (result));
  g_assert (g_task_is_valid (result, NULL));
  g_assert (g_task_get_source_tag (G_TASK (result)) == refresh_async);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Faults and recoveries, off the main thread. */

static void
broker_action_data_free (BrokerActionData *data)
{
  g_clear_pointer (&data->cluster, mr_cluster_unref);
  g_free (data);
}

static void
broker_action_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  BrokerActionData *data = task_data;
  GError *error = NULL;

  g_assert (data != NULL);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (mr_cluster_broker_action (data->cluster, data->broker_id, data->action,
                                0, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
broker_action_async (MrCluster           *cluster,
                     gint32               broker_id,
                     MrBrokerAction       action,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BrokerActionData *data;

  g_assert (cluster != NULL);
  g_assert (G_IS_CANCELLABLE (cancellable));

  data = g_new0 (BrokerActionData, 1);
  data->cluster = mr_cluster_ref (cluster);
  data->broker_id = broker_id;
  data->action = action;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, broker_action_async);
  g_task_set_task_data (task, data, (GDestroyNotify) broker_action_data_free);
  g_task_run_in_thread (task, broker_action_worker);
}

static gboolean
broker_action_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_assert (G_IS_TASK (result));
  g_assert (g_task_is_valid (result, NULL));
  g_assert (g_task_get_source_tag (G_TASK (result)) == broker_action_async);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A toast's title for a fault or a recovery that failed. */
static char *
dup_failure_title (MrBrokerAction action,
                   gint32         broker_id)
{
  switch (action)
    {
    case MR_BROKER_ACTION_START:
      return g_strdup_printf (_("Broker %d could not be started"), broker_id);
    case MR_BROKER_ACTION_STOP:
      return g_strdup_printf (_("Broker %d could not be stopped"), broker_id);
    case MR_BROKER_ACTION_CRASH:
      return g_strdup_printf (_("Broker %d could not be crashed"), broker_id);
    case MR_BROKER_ACTION_PAUSE:
      return g_strdup_printf (_("Broker %d could not be paused"), broker_id);
    case MR_BROKER_ACTION_RESUME:
      return g_strdup_printf (_("Broker %d could not be resumed"), broker_id);
    case MR_BROKER_ACTION_ISOLATE:
      return g_strdup_printf (_("Broker %d could not be isolated"), broker_id);
    case MR_BROKER_ACTION_HEAL:
      return g_strdup_printf (_("Broker %d could not be healed"), broker_id);
    case MR_BROKER_ACTION_SLOW:
      return g_strdup_printf (_("Broker %d could not be slowed down"), broker_id);
    default:
      g_return_val_if_reached (NULL);
    }
}

/* The timeline. */

static guint64
timeline_seq_at (MrWindow *self,
                 guint     position)
{
  g_autoptr(MrTimelineItem) item = NULL;

  item = g_list_model_get_item (G_LIST_MODEL (self->timeline), position);

  return item != NULL ? mr_timeline_item_get_seq (item) : 0;
}

static void
timeline_changed (MrWindow *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->timeline));

  if (n_items > MAX_TIMELINE_ITEMS)
    g_list_store_splice (self->timeline,
                         MAX_TIMELINE_ITEMS, n_items - MAX_TIMELINE_ITEMS,
                         NULL, 0);

  gtk_stack_set_visible_child_name (self->timeline_stack,
                                    n_items > 0 ? "events" : "empty");
}

/* Puts @events (oldest first) on top of the timeline, newest first,
 * skipping those it shows already. */
static void
prepend_events (MrWindow  *self,
                GPtrArray *events)
{
  g_autoptr(GPtrArray) items = NULL;
  guint64 newest = timeline_seq_at (self, 0);
  GtkAdjustment *vadjustment;
  gboolean at_top;

  items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = events->len; i > 0 && items->len < MAX_TIMELINE_ITEMS; i--)
    {
      MrClusterEvent *event = g_ptr_array_index (events, i - 1);

      if (mr_cluster_event_get_seq (event) > newest)
        g_ptr_array_add (items, mr_timeline_item_new (event));
    }

  if (items->len == 0)
    return;

  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->timeline_view));
  at_top = vadjustment == NULL || gtk_adjustment_get_value (vadjustment) <= 0.0;

  g_list_store_splice (self->timeline, 0, 0, items->pdata, items->len);
  timeline_changed (self);

  /* The list keeps its first visible row in place, which would hide the
   * news above it: a reader at the top follows the news, and one who
   * scrolled down keeps their place. */
  if (at_top)
    gtk_widget_activate_action (GTK_WIDGET (self->timeline_view),
                                "list.scroll-to-item", "u", 0);
}

/* Puts the part of @history (oldest first) older than anything on the
 * timeline below it: the events from before the window subscribed. */
static void
append_history (MrWindow  *self,
                GPtrArray *history)
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

  timeline_changed (self);
}

/* The cluster page. */

static MrBrokerCard *
find_card (MrWindow *self,
           gint32    broker_id)
{
  if (broker_id < 1 || (guint) broker_id > self->broker_cards->len)
    return NULL;

  return g_ptr_array_index (self->broker_cards, broker_id - 1);
}

static MrBrokerCard *
ensure_card (MrWindow *self,
             gint32    broker_id)
{
  g_assert (broker_id >= 1);

  while (self->broker_cards->len < (guint) broker_id)
    {
      gint32 id = (gint32) self->broker_cards->len + 1;
      GtkWidget *card = mr_broker_card_new (id);

      gtk_flow_box_append (self->brokers_flow, card);
      /* The card's buttons take the focus; the card itself need not. */
      gtk_widget_set_focusable (gtk_widget_get_parent (card), FALSE);
      g_ptr_array_add (self->broker_cards, card);
    }

  return find_card (self, broker_id);
}

static void
show_brokers (MrWindow  *self,
              GPtrArray *brokers)
{
  g_autofree char *summary = NULL;
  guint n_running = 0;
  gint32 controller = -1;

  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      mr_broker_card_update (ensure_card (self, info->id), info);

      if (info->state == MR_BROKER_STATE_RUNNING)
        n_running++;
      if (info->is_controller)
        controller = info->id;
    }

  if (controller >= 0)
    /* Translators: e.g. “3 of 3 brokers running · broker 1 is the
     * controller”. */
    summary = g_strdup_printf (ngettext ("%u of %u broker running · broker %d "
                                         "is the controller",
                                         "%u of %u brokers running · broker %d "
                                         "is the controller",
                                         brokers->len),
                               n_running, brokers->len, controller);
  else
    summary = g_strdup_printf (ngettext ("%u of %u broker running · no "
                                         "controller",
                                         "%u of %u brokers running · no "
                                         "controller",
                                         brokers->len),
                               n_running, brokers->len);

  gtk_label_set_label (self->brokers_summary_label, summary);
  adw_view_stack_page_set_needs_attention (self->cluster_page,
                                           n_running < brokers->len);
}

/* The topics page. */

static int
compare_topic_rows (GtkListBoxRow *row1,
                    GtkListBoxRow *row2,
                    gpointer       user_data)
{
  return g_strcmp0 (mr_topic_row_get_name (MR_TOPIC_ROW (row1)),
                    mr_topic_row_get_name (MR_TOPIC_ROW (row2)));
}

static char *
describe_bootstrap (GPtrArray *brokers)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      if (i > 0)
        g_string_append_c (str, ',');
      g_string_append_printf (str, "%s:%u", info->host, info->port);
    }

  return g_string_free (str, FALSE);
}

static void
show_topics (MrWindow *self,
             Snapshot *snapshot)
{
  g_autoptr(GHashTable) seen = NULL;
  g_autofree char *description = NULL;
  g_autofree char *n_topics_text = NULL;
  g_autofree char *n_partitions_text = NULL;
  GHashTableIter iter;
  gpointer value;
  guint n_partitions = 0;
  guint n_problems = 0;

  seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < snapshot->topics->len; i++)
    {
      const MrTopicInfo *info = g_ptr_array_index (snapshot->topics, i);
      MrTopicRow *row = g_hash_table_lookup (self->topic_rows, info->name);

      if (row == NULL)
        {
          row = MR_TOPIC_ROW (mr_topic_row_new (info->name));
          gtk_list_box_append (self->live_topics_list, GTK_WIDGET (row));
          g_hash_table_insert (self->topic_rows, g_strdup (info->name), row);
        }

      mr_topic_row_update (row, info);
      g_hash_table_add (seen, info->name);

      n_partitions += info->partitions->len;
      n_problems += mr_topic_row_get_n_offline (row);
      n_problems += mr_topic_row_get_n_under_replicated (row);
    }

  /* Topics deleted since the last refresh. */
  g_hash_table_iter_init (&iter, self->topic_rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MrTopicRow *row = value;

      if (!g_hash_table_contains (seen, mr_topic_row_get_name (row)))
        {
          gtk_list_box_remove (self->live_topics_list, GTK_WIDGET (row));
          g_hash_table_iter_remove (&iter);
        }
    }

  n_topics_text = g_strdup_printf (ngettext ("%u topic", "%u topics",
                                             snapshot->topics->len),
                                   snapshot->topics->len);
  n_partitions_text = g_strdup_printf (ngettext ("%u partition",
                                                 "%u partitions",
                                                 n_partitions),
                                       n_partitions);
  description = g_strjoin (" · ", n_topics_text, n_partitions_text, NULL);
  adw_preferences_group_set_description (self->topics_group, description);

  if (snapshot->topics->len == 0)
    {
      g_autofree char *bootstrap = describe_bootstrap (snapshot->brokers);

      /* The status page reads its description as markup. */
      if (snapshot->auto_create_topics)
        adw_status_page_set_description (self->topics_empty_page,
                                         _("Create one with the HTTP API "
                                           "(<tt>POST /v1/topics</tt>), or "
                                           "produce to a new topic name from "
                                           "any Kafka client: this cluster "
                                           "creates topics on first use."));
      else
        adw_status_page_set_description (self->topics_empty_page,
                                         _("Create one with the HTTP API "
                                           "(<tt>POST /v1/topics</tt>) or "
                                           "with a Kafka admin client."));

      gtk_label_set_label (self->bootstrap_label, bootstrap);
    }

  gtk_stack_set_visible_child_name (self->topics_stack,
                                    snapshot->topics->len > 0 ? "list" : "empty");
  adw_view_stack_page_set_needs_attention (self->topics_page, n_problems > 0);
  adw_view_stack_page_set_badge_number (self->topics_page, n_problems);
}

/* Refreshing. */

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MrWindow) self = weak_ref_free_and_get (user_data);
  g_autoptr(Snapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  snapshot = refresh_finish (result, &error);

  /* The window went away. */
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_assert (MR_IS_WINDOW (self));
  g_assert (snapshot != NULL);

  self->refresh_running = FALSE;

  if (snapshot->history != NULL)
    {
      append_history (self, snapshot->history);
      self->history_loaded = TRUE;
    }

  show_brokers (self, snapshot->brokers);
  show_topics (self, snapshot);

  if (self->refresh_dirty)
    schedule_refresh (self);
  else
    _mr_window_set_loading (self, FALSE);
}

static void
schedule_refresh (MrWindow *self)
{
  g_assert (MR_IS_WINDOW (self));

  if (self->cluster == NULL || self->live_cancellable == NULL)
    return;

  if (self->refresh_running)
    {
      self->refresh_dirty = TRUE;
      return;
    }

  self->refresh_running = TRUE;
  self->refresh_dirty = FALSE;
  _mr_window_set_loading (self, TRUE);

  refresh_async (self->cluster,
                 !self->history_loaded,
                 self->live_cancellable,
                 refresh_cb,
                 weak_ref_new (self));
}

/* Callbacks. */

static void
events_cb (GPtrArray *events,
           gpointer   user_data)
{
  MrWindow *self = user_data;

  g_assert (MR_IS_WINDOW (self));

  prepend_events (self, events);
  schedule_refresh (self);
}

static gboolean
refresh_timer_cb (gpointer user_data)
{
  MrWindow *self = user_data;

  schedule_refresh (self);

  return G_SOURCE_CONTINUE;
}

static void
broker_action_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  BrokerActionRequest *request = user_data;
  g_autoptr(MrWindow) self = g_weak_ref_get (&request->window);
  g_autoptr(GError) error = NULL;
  gint32 broker_id = request->broker_id;
  guint entry = request->entry;
  MrBrokerCard *card;

  g_weak_ref_clear (&request->window);
  g_free (request);

  broker_action_finish (result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_assert (entry < G_N_ELEMENTS (broker_actions));

  if ((card = find_card (self, broker_id)))
    mr_broker_card_set_busy (card, FALSE);

  if (error != NULL)
    {
      g_autofree char *title = NULL;
      g_autofree char *escaped = NULL;

      g_debug ("%s on broker %d failed: %s",
               broker_actions[entry].name, broker_id, error->message);

      /* The buttons offer only what the broker's state allows, so a
       * refusal means the state changed meanwhile: the refresh below shows
       * how. Other failures carry their reason. */
      if (g_error_matches (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_BROKER))
        /* Translators: %d is a broker id. */
        title = g_strdup_printf (_("There is no broker %d"), broker_id);
      else if (g_error_matches (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_STATE))
        title = dup_failure_title (broker_actions[entry].action, broker_id);
      else
        {
          g_autofree char *failed = dup_failure_title (broker_actions[entry].action,
                                                       broker_id);

          /* Translators: a failure, then its reason. */
          title = g_strdup_printf (_("%s: %s"), failed, error->message);
        }

      /* Toast titles are markup. */
      escaped = g_markup_escape_text (title, -1);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
    }

  schedule_refresh (self);
}

/* Actions. */

static void
broker_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);
  BrokerActionRequest *request;
  MrBrokerCard *card;
  gint32 broker_id;
  guint entry;

  for (entry = 0; entry < G_N_ELEMENTS (broker_actions); entry++)
    if (g_str_equal (broker_actions[entry].name, action_name))
      break;

  g_assert (entry < G_N_ELEMENTS (broker_actions));
  g_assert (g_variant_is_of_type (parameter, G_VARIANT_TYPE_INT32));

  if (self->cluster == NULL || self->live_cancellable == NULL)
    return;

  broker_id = g_variant_get_int32 (parameter);

  /* One change at a time per broker: a second click waits for the first. */
  if ((card = find_card (self, broker_id)))
    {
      if (mr_broker_card_get_busy (card))
        return;
      mr_broker_card_set_busy (card, TRUE);
    }

  g_debug ("%s on broker %d", action_name, broker_id);

  request = g_new0 (BrokerActionRequest, 1);
  g_weak_ref_init (&request->window, self);
  request->broker_id = broker_id;
  request->entry = entry;

  broker_action_async (self->cluster,
                       broker_id,
                       broker_actions[entry].action,
                       self->live_cancellable,
                       broker_action_cb,
                       request);
}

/* For mr-window.c. */

void
_mr_window_class_init_live (MrWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  for (guint i = 0; i < G_N_ELEMENTS (broker_actions); i++)
    gtk_widget_class_install_action (widget_class, broker_actions[i].name, "i",
                                     broker_action);
}

void
_mr_window_init_live (MrWindow *self)
{
  self->broker_cards = g_ptr_array_new ();
  self->topic_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  gtk_list_box_set_sort_func (self->live_topics_list, compare_topic_rows, NULL, NULL);

  /* Nothing to act on until a cluster comes. */
  for (guint i = 0; i < G_N_ELEMENTS (broker_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), broker_actions[i].name, FALSE);
}

/* Shows the cluster and starts following it; from constructed(). */
void
_mr_window_start_live (MrWindow *self)
{
  MrEventStream *stream;

  g_assert (MR_IS_WINDOW (self));
  g_assert (self->cluster != NULL);
  g_assert (self->live_cancellable == NULL);

  self->live_cancellable = g_cancellable_new ();

  for (guint i = 0; i < G_N_ELEMENTS (broker_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), broker_actions[i].name, TRUE);

  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, TRUE);
  gtk_widget_set_visible (self->reload_button, FALSE);
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_set_visible_child_name (self->stack, "live");
  timeline_changed (self);

  /* Subscribe first, then read the history in the first refresh: events
   * that land in both show once. */
  stream = mr_cluster_get_event_stream (self->cluster);
  self->events_subscription = mr_event_stream_subscribe (stream, NULL,
                                                         events_cb, self,
                                                         NULL);
  if (self->events_subscription != 0)
    mr_event_stream_set_min_interval (stream, self->events_subscription,
                                      EVENTS_MIN_INTERVAL_MS);

  schedule_refresh (self);
}

/* Stops following the cluster; from dispose(), so maybe more than once. */
void
_mr_window_stop_live (MrWindow *self)
{
  g_assert (MR_IS_WINDOW (self));

  /* On the delivery context, outside the callback: once this returns, no
   * batch is pending or running. */
  if (self->events_subscription != 0)
    mr_event_stream_unsubscribe (mr_cluster_get_event_stream (self->cluster),
                                 self->events_subscription);
  self->events_subscription = 0;

  g_clear_handle_id (&self->refresh_timer, g_source_remove);

  if (self->live_cancellable != NULL)
    g_cancellable_cancel (self->live_cancellable);
  g_clear_object (&self->live_cancellable);

  /* The widgets go with the template; these only borrowed them. */
  if (self->broker_cards != NULL)
    g_ptr_array_set_size (self->broker_cards, 0);
  g_clear_pointer (&self->broker_cards, g_ptr_array_unref);
  g_clear_pointer (&self->topic_rows, g_hash_table_unref);
}

void
_mr_window_refresh_live (MrWindow *self)
{
  g_assert (MR_IS_WINDOW (self));

  schedule_refresh (self);
}

/* Counters move without events: poll them while anyone can see them. */
void
_mr_window_set_live_mapped (MrWindow *self,
                            gboolean  mapped)
{
  g_assert (MR_IS_WINDOW (self));

  if (self->cluster == NULL || self->live_cancellable == NULL)
    return;

  if (mapped && self->refresh_timer == 0)
    {
      self->refresh_timer = g_timeout_add_seconds (REFRESH_INTERVAL_S,
                                                   refresh_timer_cb,
                                                   self);
      schedule_refresh (self);
    }
  else if (!mapped)
    g_clear_handle_id (&self->refresh_timer, g_source_remove);
}
