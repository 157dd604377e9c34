/* mr-topics-view.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-topics-view.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mr-message-item.h"
#include "mr-message-model.h"
#include "mr-produce-dialog.h"
#include "mr-topic-dialog.h"

/* Topics and messages: the topic list on the left; on the right the chosen
 * topic's partitions (leader, ISR, log start, high watermark and every
 * replica's log end) and a browser over its records.
 *
 * Everything shown comes from the engine's public API, read in GTask
 * worker threads: the main thread never calls a blocking engine function.
 * The view reads the topics again when the cluster's event stream reports
 * a change (topics, partitions, leaders, ISR) and once a second while it is
 * mapped (high watermarks move without events), twice a second when it
 * follows the tail. One refresh runs at a time; a request during one is
 * remembered and runs after it.
 *
 * The browser is a GtkColumnView over MrMessageModel (records loaded by
 * page in threads, see mr-message-model.c). Filters scan the shown
 * partitions in a worker and give the model the matching positions. */

#define REFRESH_INTERVAL_MS       1000
#define TAIL_REFRESH_INTERVAL_MS   500
#define IMPORT_BATCH_RECORDS       500
#define FILTER_DELAY_MS            300

typedef struct
{
  AdwExpanderRow *row;
  GPtrArray      *replica_rows;   /* AdwActionRow, owned by @row */
} PartitionRow;

struct _MrTopicsView
{
  AdwBin              parent_instance;

  /* Template widgets. */
  AdwToastOverlay    *toast_overlay;
  AdwLeaflet         *leaflet;
  GtkStack           *sidebar_stack;
  GtkListBox         *topic_list;
  GtkStack           *content_stack;
  GtkLabel           *topic_title;
  AdwViewStack       *page_stack;
  AdwActionRow       *records_row;
  AdwActionRow       *replication_row;
  AdwActionRow       *configs_row;
  GtkListBox         *partition_list;
  GtkDropDown        *field_dropdown;
  GtkSearchEntry     *filter_entry;
  GtkDropDown        *partition_dropdown;
  GtkStringList      *partition_names;
  GtkPopover         *seek_popover;
  GtkEntry           *offset_entry;
  GtkEntry           *time_entry;
  GtkLabel           *status_label;
  GtkSpinner         *busy_spinner;
  GtkScrolledWindow  *message_scroller;
  GtkColumnView      *message_view;
  GtkColumnViewColumn *offset_column;
  GtkColumnViewColumn *timestamp_column;
  GtkColumnViewColumn *key_column;
  GtkColumnViewColumn *value_column;
  GtkColumnViewColumn *headers_column;
  GtkStack           *detail_stack;
  GtkLabel           *detail_title;
  GtkLabel           *detail_subtitle;
  GtkStack           *format_stack;
  GtkDropDown        *format_dropdown;
  GtkTextView        *json_view;
  GtkTextView        *text_view;
  GtkTextView        *hex_view;
  GtkTextView        *headers_view;

  MrCluster          *cluster;
  guint               events_subscription;
  guint               refresh_source;
  GCancellable       *cancellable;       /* cancelled in dispose */
  gboolean            refreshing;
  gboolean            refresh_again;
  guint               n_busy;

  GPtrArray          *topics;            /* MrTopicInfo, sorted */
  GHashTable         *topic_rows;        /* name → AdwActionRow */
  char               *selected_topic;
  GArray             *partition_rows;    /* PartitionRow */

  MrMessageModel     *messages;
  GtkMultiSelection  *selection;
  MrMessageItem      *detail_item;
  gulong              detail_handler;
  gboolean            updating_partitions;

  GCancellable       *filter_cancellable;
  guint               filter_delay;

  gboolean            live_tail;
  guint               pending_scroll;
  guint               scroll_tick;
  GtkWindow          *dialog;
  GtkNativeDialog    *chooser;
};

G_DEFINE_FINAL_TYPE (MrTopicsView, mr_topics_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_LIVE_TAIL,
  PROP_SELECTED_TOPIC,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void queue_refresh (MrTopicsView *self);
static void start_filter  (MrTopicsView *self);
static void show_detail   (MrTopicsView *self);

/* Busy work. */

static void
busy_hold (MrTopicsView *self)
{
  if (self->n_busy++ == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->busy_spinner), TRUE);
      gtk_spinner_start (self->busy_spinner);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
    }
}

static void
busy_release (MrTopicsView *self)
{
  g_assert (self->n_busy > 0);

  if (--self->n_busy == 0 && self->busy_spinner != NULL)
    {
      gtk_spinner_stop (self->busy_spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->busy_spinner), FALSE);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
    }
}

static void
toast (MrTopicsView *self,
       const char   *text)
{
  /* Work that ends after the view went has no one to tell. */
  if (self->toast_overlay == NULL)
    return;

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
toast_error (MrTopicsView *self,
             const char   *what,
             const GError *error)
{
  /* Translators: "Could not create the topic: <the engine's reason>". */
  g_autofree char *text = g_strdup_printf (_("%s: %s"), what, error->message);

  toast (self, text);
}

static char *
format_count (gint64 value)
{
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

static char *
format_ids (GArray *ids)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      if (i > 0)
        /* Translators: between broker ids in a list, as in “1, 2, 3”. */
        g_string_append (str, _(", "));
      g_string_append_printf (str, "%d", g_array_index (ids, gint32, i));
    }

  return g_string_free (str, FALSE);
}

static gint64
topic_records (const MrTopicInfo *info)
{
  gint64 total = 0;

  for (guint i = 0; i < info->partitions->len; i++)
    {
      const MrPartitionInfo *p = g_ptr_array_index (info->partitions, i);

      if (p->high_watermark > p->log_start_offset)
        total += p->high_watermark - p->log_start_offset;
    }

  return total;
}

/* The bytes of one copy of the topic: each partition's leader's log (or
 * the largest online replica's when it has no leader). */
static gint64
topic_size (const MrTopicInfo *info)
{
  gint64 total = 0;

  for (guint i = 0; i < info->partitions->len; i++)
    {
      const MrPartitionInfo *p = g_ptr_array_index (info->partitions, i);
      gint64 size = 0;

      for (guint r = 0; p->replica_states != NULL && r < p->replica_states->len; r++)
        {
          const MrReplicaInfo *replica = &g_array_index (p->replica_states, MrReplicaInfo, r);

          if (replica->broker_id == p->leader && replica->size_bytes >= 0)
            {
              size = replica->size_bytes;
              break;
            }
          size = MAX (size, replica->size_bytes);
        }
      total += size;
    }

  return total;
}

static guint
topic_replication (const MrTopicInfo *info)
{
  if (info->partitions->len == 0)
    return 0;

  return ((const MrPartitionInfo *)g_ptr_array_index (info->partitions, 0))->replicas->len;
}

static const MrTopicInfo *
find_topic (MrTopicsView *self,
            const char   *name)
{
  for (guint i = 0; self->topics != NULL && name != NULL && i < self->topics->len; i++)
    {
      const MrTopicInfo *info = g_ptr_array_index (self->topics, i);

      if (g_str_equal (info->name, name))
        return info;
    }

  return NULL;
}

static GtkWindow *
parent_window (MrTopicsView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* The topic list. */

static char *
topic_subtitle (const MrTopicInfo *info)
{
  g_autofree char *partitions = NULL;
  g_autofree char *replication = NULL;
  g_autofree char *records = NULL;
  g_autofree char *count = NULL;
  g_autofree char *size = NULL;
  gint64 n = topic_records (info);

  partitions = g_strdup_printf (ngettext ("%u partition", "%u partitions",
                                          info->partitions->len),
                                info->partitions->len);
  replication = g_strdup_printf (_("RF %u"), topic_replication (info));
  count = format_count (n);
  records = g_strdup_printf (ngettext ("%s record", "%s records", n), count);
  size = g_format_size ((guint64) topic_size (info));

  /* Translators: “3 partitions · RF 3 · 1,204 records · 54.6 kB”. */
  return g_strdup_printf (_("%s · %s · %s · %s"), partitions, replication, records, size);
}

static void
update_topic_list (MrTopicsView *self)
{
  gboolean same_names = g_hash_table_size (self->topic_rows) == self->topics->len;

  for (guint i = 0; same_names && i < self->topics->len; i++)
    {
      const MrTopicInfo *info = g_ptr_array_index (self->topics, i);

      same_names = g_hash_table_contains (self->topic_rows, info->name);
    }

  if (!same_names)
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->topic_list))) != NULL)
        gtk_list_box_remove (self->topic_list, child);
      g_hash_table_remove_all (self->topic_rows);

      for (guint i = 0; i < self->topics->len; i++)
        {
          const MrTopicInfo *info = g_ptr_array_index (self->topics, i);
          GtkWidget *row = adw_action_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->name);
          adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          g_object_set_data_full (G_OBJECT (row), "topic", g_strdup (info->name), g_free);
          gtk_list_box_append (self->topic_list, row);
          g_hash_table_insert (self->topic_rows, g_strdup (info->name), row);
        }
    }

  for (guint i = 0; i < self->topics->len; i++)
    {
      const MrTopicInfo *info = g_ptr_array_index (self->topics, i);
      GtkWidget *row = g_hash_table_lookup (self->topic_rows, info->name);
      g_autofree char *subtitle = topic_subtitle (info);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (g_strcmp0 (info->name, self->selected_topic) == 0)
        gtk_list_box_select_row (self->topic_list, GTK_LIST_BOX_ROW (row));
    }

  gtk_stack_set_visible_child_name (self->sidebar_stack,
                                    self->topics->len > 0 ? "list" : "empty");
}

/* The partitions page. */

static void
partition_row_clear (gpointer data)
{
  PartitionRow *prow = data;

  g_clear_pointer (&prow->replica_rows, g_ptr_array_unref);
}

static void
clear_partition_rows (MrTopicsView *self)
{
  for (guint i = 0; i < self->partition_rows->len; i++)
    gtk_list_box_remove (self->partition_list,
                         GTK_WIDGET (g_array_index (self->partition_rows, PartitionRow, i).row));
  g_array_set_size (self->partition_rows, 0);
}

static void
update_partition_row (PartitionRow          *prow,
                      const MrPartitionInfo *p)
{
  g_autofree char *title = NULL;
  g_autofree char *leader = NULL;
  g_autofree char *isr_ids = NULL;
  g_autofree char *isr = NULL;
  g_autofree char *start = NULL;
  g_autofree char *hw = NULL;
  g_autofree char *subtitle = NULL;
  gboolean under_replicated = p->isr->len < p->replicas->len;

  title = g_strdup_printf (_("Partition %d"), p->partition);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (prow->row), title);

  if (p->leader >= 0)
    leader = g_strdup_printf (_("leader %d"), p->leader);
  else
    leader = g_strdup (_("offline"));
  isr_ids = format_ids (p->isr);
  isr = g_strdup_printf (_("ISR %s"), isr_ids);
  start = format_count (MAX (p->log_start_offset, 0));
  hw = format_count (MAX (p->high_watermark, 0));
  /* Translators: “leader 1 · ISR 1, 2, 3 · log start 0 · high watermark 1,204”. */
  subtitle = g_strdup_printf (_("%s · %s · log start %s · high watermark %s"),
                              leader, isr, start, hw);
  adw_expander_row_set_subtitle (prow->row, subtitle);

  if (p->leader < 0)
    gtk_widget_add_css_class (GTK_WIDGET (prow->row), "offline");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (prow->row), "offline");
  if (under_replicated && p->leader >= 0)
    gtk_widget_add_css_class (GTK_WIDGET (prow->row), "under-replicated");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (prow->row), "under-replicated");

  for (guint r = 0; r < prow->replica_rows->len && r < p->replica_states->len; r++)
    {
      const MrReplicaInfo *replica = &g_array_index (p->replica_states, MrReplicaInfo, r);
      AdwActionRow *row = g_ptr_array_index (prow->replica_rows, r);
      g_autofree char *broker = NULL;
      g_autofree char *end = NULL;
      g_autofree char *text = NULL;
      const char *state;

      broker = g_strdup_printf (replica->broker_id == p->leader
                                ? _("Broker %d (leader)") : _("Broker %d"),
                                replica->broker_id);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), broker);

      if (!replica->online)
        state = _("offline");
      else if (replica->in_sync)
        state = _("in sync");
      else
        state = _("out of sync");

      if (replica->online && replica->log_end_offset >= 0)
        {
          g_autofree char *bytes = g_format_size ((guint64) MAX (replica->size_bytes, 0));

          end = format_count (replica->log_end_offset);
          /* Translators: “log end 1,204 · 54.6 kB · in sync”. */
          text = g_strdup_printf (_("log end %s · %s · %s"), end, bytes, state);
        }
      else
        text = g_strdup (state);
      adw_action_row_set_subtitle (row, text);
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static void
update_partitions_page (MrTopicsView      *self,
                        const MrTopicInfo *info)
{
  g_autofree char *records = NULL;
  g_autofree char *count = NULL;
  g_autofree char *size = NULL;
  g_autofree char *replication = NULL;
  GString *configs = g_string_new (NULL);
  gboolean rebuild = self->partition_rows->len != info->partitions->len;
  guint n_under = 0;
  guint n_offline = 0;

  count = format_count (topic_records (info));
  size = g_format_size ((guint64) topic_size (info));
  /* Translators: “1,204 records in 3 partitions · 54.6 kB a copy”. */
  records = g_strdup_printf (ngettext ("%s record in %u partition · %s a copy",
                                       "%s records in %u partitions · %s a copy",
                                       info->partitions->len),
                             count, info->partitions->len, size);
  adw_action_row_set_subtitle (self->records_row, records);

  for (guint i = 0; i < info->partitions->len; i++)
    {
      const MrPartitionInfo *p = g_ptr_array_index (info->partitions, i);

      n_offline += p->leader < 0;
      n_under += p->leader >= 0 && p->isr->len < p->replicas->len;
      if (!rebuild)
        rebuild = g_array_index (self->partition_rows, PartitionRow, i).replica_rows->len !=
                  p->replica_states->len;
    }
  if (n_offline > 0)
    replication = g_strdup_printf (ngettext ("Factor %u · %u partition offline",
                                             "Factor %u · %u partitions offline",
                                             n_offline),
                                   topic_replication (info), n_offline);
  else if (n_under > 0)
    replication = g_strdup_printf (ngettext ("Factor %u · %u partition under-replicated",
                                             "Factor %u · %u partitions under-replicated",
                                             n_under),
                                   topic_replication (info), n_under);
  else
    replication = g_strdup_printf (_("Factor %u · every replica in sync"),
                                   topic_replication (info));
  adw_action_row_set_subtitle (self->replication_row, replication);

  if (info->configs != NULL && g_hash_table_size (info->configs) > 0)
    {
      g_autofree gpointer *keys = g_hash_table_get_keys_as_array (info->configs, NULL);
      guint n = g_hash_table_size (info->configs);

      g_qsort_with_data (keys, n, sizeof (gpointer), compare_names, NULL);
      for (guint i = 0; i < n; i++)
        g_string_append_printf (configs, "%s%s=%s", i > 0 ? "\n" : "",
                                (const char *)keys[i],
                                (const char *)g_hash_table_lookup (info->configs, keys[i]));
    }
  else
    g_string_append (configs, _("Broker defaults"));
  adw_action_row_set_subtitle (self->configs_row, configs->str);
  g_string_free (configs, TRUE);

  if (rebuild)
    {
      clear_partition_rows (self);
      for (guint i = 0; i < info->partitions->len; i++)
        {
          const MrPartitionInfo *p = g_ptr_array_index (info->partitions, i);
          PartitionRow prow;

          prow.row = ADW_EXPANDER_ROW (adw_expander_row_new ());
          gtk_widget_add_css_class (GTK_WIDGET (prow.row), "partition");
          prow.replica_rows = g_ptr_array_new ();
          for (guint r = 0; r < p->replica_states->len; r++)
            {
              GtkWidget *row = adw_action_row_new ();

              gtk_widget_add_css_class (row, "replica");
              adw_expander_row_add_row (prow.row, row);
              g_ptr_array_add (prow.replica_rows, row);
            }
          gtk_list_box_append (self->partition_list, GTK_WIDGET (prow.row));
          g_array_append_val (self->partition_rows, prow);
        }
    }

  for (guint i = 0; i < info->partitions->len; i++)
    update_partition_row (&g_array_index (self->partition_rows, PartitionRow, i),
                          g_ptr_array_index (info->partitions, i));
}

/* The browser. */

static void
update_status (MrTopicsView *self)
{
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

  count = format_count (n);
  if (self->filter_cancellable != NULL)
    text = g_strdup (_("Filtering…"));
  else if (mr_message_model_get_filtered (self->messages))
    text = g_strdup_printf (ngettext ("%s match", "%s matches", n), count);
  else
    text = g_strdup_printf (ngettext ("%s record", "%s records", n), count);

  gtk_label_set_text (self->status_label, text);
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;

  return NULL;
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  MrTopicsView *self = MR_TOPICS_VIEW (user_data);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->message_view));

  self->scroll_tick = 0;
  if (list_view != NULL && self->pending_scroll < n)
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", self->pending_scroll);

  return G_SOURCE_REMOVE;
}

static void
queue_scroll (MrTopicsView *self,
              guint         position)
{
  self->pending_scroll = position;
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->message_view),
                                                      scroll_tick_cb, self, NULL);
}

/* Shows and selects @position: GTK 4.8 has no scroll_to for column views,
 * so this goes through the inner list view's "list.scroll-to-item", on
 * the next frame, once the list has laid out the model's latest change. */
static void
go_to_position (MrTopicsView *self,
                guint         position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));

  if (n == 0)
    return;
  position = MIN (position, n - 1);

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  queue_scroll (self, position);
}

/* Follows the tail: the last row, on the next frame. */
static void
scroll_to_end (MrTopicsView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

  if (n == 0)
    return;

  queue_scroll (self, n - 1);
}

static gint32
shown_partition (MrTopicsView *self)
{
  guint selected = gtk_drop_down_get_selected (self->partition_dropdown);

  if (selected == GTK_INVALID_LIST_POSITION || selected == 0)
    return -1;

  return (gint32)selected - 1;
}

static void
update_partition_names (MrTopicsView      *self,
                        const MrTopicInfo *info)
{
  guint n_names = g_list_model_get_n_items (G_LIST_MODEL (self->partition_names));
  guint selected = gtk_drop_down_get_selected (self->partition_dropdown);

  if (n_names == info->partitions->len + 1)
    return;

  self->updating_partitions = TRUE;
  gtk_string_list_splice (self->partition_names, 0, n_names, NULL);
  gtk_string_list_append (self->partition_names, _("All Partitions"));
  for (guint i = 0; i < info->partitions->len; i++)
    {
      g_autofree char *name = g_strdup_printf (_("Partition %u"), i);

      gtk_string_list_append (self->partition_names, name);
    }
  if (selected != GTK_INVALID_LIST_POSITION && selected <= info->partitions->len)
    gtk_drop_down_set_selected (self->partition_dropdown, selected);
  else
    gtk_drop_down_set_selected (self->partition_dropdown, 0);
  self->updating_partitions = FALSE;
}

static void
set_source (MrTopicsView      *self,
            const MrTopicInfo *info)
{
  mr_message_model_set_source (self->messages, info, shown_partition (self));
}

static void
apply_selected_topic (MrTopicsView *self)
{
  const MrTopicInfo *info = find_topic (self, self->selected_topic);

  if (info == NULL)
    {
      if (self->selected_topic != NULL)
        {
          g_clear_pointer (&self->selected_topic, g_free);
          g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SELECTED_TOPIC]);
        }
      gtk_stack_set_visible_child_name (self->content_stack, "none");
      set_source (self, NULL);
      clear_partition_rows (self);
      update_status (self);
      return;
    }

  gtk_label_set_text (self->topic_title, info->name);
  gtk_stack_set_visible_child_name (self->content_stack, "topic");
  update_partitions_page (self, info);
  update_partition_names (self, info);

  if (g_strcmp0 (mr_message_model_get_topic (self->messages), info->name) != 0)
    set_source (self, info);
  else
    mr_message_model_update_offsets (self->messages, info);
  update_status (self);

  if (self->live_tail)
    scroll_to_end (self);
}

/* Refreshing. */

static void
list_topics_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  MrCluster *cluster = task_data;

  g_task_return_pointer (task, mr_cluster_list_topics (cluster),
                         (GDestroyNotify)g_ptr_array_unref);
}

static void
refresh_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GPtrArray) topics = NULL;
  MrTopicsView *self;

  topics = g_task_propagate_pointer (G_TASK (result), NULL);
  if (topics == NULL)
    return;   /* cancelled: the view is going */

  self = MR_TOPICS_VIEW (object);
  self->refreshing = FALSE;

  g_clear_pointer (&self->topics, g_ptr_array_unref);
  self->topics = g_steal_pointer (&topics);
  update_topic_list (self);
  apply_selected_topic (self);
  busy_release (self);

  if (self->refresh_again)
    {
      self->refresh_again = FALSE;
      queue_refresh (self);
    }
}

static void
queue_refresh (MrTopicsView *self)
{
  g_autoptr(GTask) task = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (self->refreshing)
    {
      self->refresh_again = TRUE;
      return;
    }

  self->refreshing = TRUE;
  busy_hold (self);
  task = g_task_new (self, self->cancellable, refresh_done_cb, NULL);
  g_task_set_source_tag (task, queue_refresh);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_set_task_data (task, mr_cluster_ref (self->cluster),
                        (GDestroyNotify)mr_cluster_unref);
  g_task_run_in_thread (task, list_topics_thread);
}

static gboolean
refresh_tick_cb (gpointer user_data)
{
  MrTopicsView *self = user_data;

  if (!self->refreshing)
    queue_refresh (self);

  return G_SOURCE_CONTINUE;
}

static void
restart_refresh_timer (MrTopicsView *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  self->refresh_source = g_timeout_add (self->live_tail ? TAIL_REFRESH_INTERVAL_MS
                                                        : REFRESH_INTERVAL_MS,
                                        refresh_tick_cb, self);
}

static void
events_cb (GPtrArray *events,
           gpointer   user_data)
{
  MrTopicsView *self = user_data;

  /* Every kind the view draws from: topics, partitions, configs,
   * leaders, ISR, brokers. One refresh covers the whole batch. */
  if (events->len > 0)
    queue_refresh (self);
}

/* Topic selection. */

static void
select_topic (MrTopicsView *self,
              const char   *name)
{
  GtkWidget *row;

  if (g_strcmp0 (self->selected_topic, name) != 0)
    {
      g_free (self->selected_topic);
      self->selected_topic = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SELECTED_TOPIC]);

      /* A new topic starts unfiltered, on all partitions. */
      self->updating_partitions = TRUE;
      gtk_drop_down_set_selected (self->partition_dropdown, 0);
      self->updating_partitions = FALSE;
      if (self->filter_cancellable != NULL)
        g_cancellable_cancel (self->filter_cancellable);
      g_clear_object (&self->filter_cancellable);
      gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), "");
      g_clear_handle_id (&self->filter_delay, g_source_remove);
      set_source (self, find_topic (self, name));
      clear_partition_rows (self);
    }

  row = name != NULL ? g_hash_table_lookup (self->topic_rows, name) : NULL;
  if (row != NULL)
    gtk_list_box_select_row (self->topic_list, GTK_LIST_BOX_ROW (row));

  /* A topic the view has not read yet (just created elsewhere): read the
   * cluster again, which shows it or finds it gone. */
  if (name != NULL && find_topic (self, name) == NULL)
    queue_refresh (self);
  else
    apply_selected_topic (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
topic_row_activated_cb (MrTopicsView  *self,
                        GtkListBoxRow *row)
{
  select_topic (self, g_object_get_data (G_OBJECT (row), "topic"));
}

/* The cells of the browser: a GtkInscription each, set from the item's
 * text for its column; a row whose page is still loading updates when it
 * arrives. The column is known by the factory, through its column. */

typedef const char *(*CellTextFunc) (MrMessageItem *item);

static const char *
partition_text (MrMessageItem *item)
{
  return NULL;
}

static CellTextFunc
cell_func_for (MrTopicsView       *self,
               GtkListItemFactory *factory)
{
  if (factory == gtk_column_view_column_get_factory (self->offset_column))
    return mr_message_item_get_offset_text;
  if (factory == gtk_column_view_column_get_factory (self->timestamp_column))
    return mr_message_item_get_timestamp_text;
  if (factory == gtk_column_view_column_get_factory (self->key_column))
    return mr_message_item_get_key_text;
  if (factory == gtk_column_view_column_get_factory (self->value_column))
    return mr_message_item_get_value_text;
  if (factory == gtk_column_view_column_get_factory (self->headers_column))
    return mr_message_item_get_headers_text;

  return partition_text;
}

static void
update_cell (GtkListItem *list_item)
{
  MrMessageItem *item = gtk_list_item_get_item (list_item);
  GtkInscription *cell = GTK_INSCRIPTION (gtk_list_item_get_child (list_item));
  CellTextFunc func = g_object_get_data (G_OBJECT (cell), "text-func");
  char number[24];

  if (item == NULL)
    return;

  if (func == partition_text)
    {
      g_snprintf (number, sizeof number, "%d", mr_message_item_get_partition (item));
      gtk_inscription_set_text (cell, number);
    }
  else
    gtk_inscription_set_text (cell, func (item));
}

static void
cell_loaded_cb (GtkListItem *list_item)
{
  update_cell (list_item);
}

static void
cell_setup_cb (MrTopicsView       *self,
               GtkListItem        *list_item,
               GtkListItemFactory *factory)
{
  GtkWidget *cell = gtk_inscription_new (NULL);
  CellTextFunc func = cell_func_for (self, factory);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (func == partition_text || func == mr_message_item_get_offset_text ||
      func == mr_message_item_get_timestamp_text)
    gtk_widget_add_css_class (cell, "numeric");
  g_object_set_data (G_OBJECT (cell), "text-func", func);
  gtk_list_item_set_child (list_item, cell);
}

static void
cell_bind_cb (MrTopicsView       *self,
              GtkListItem        *list_item,
              GtkListItemFactory *factory)
{
  MrMessageItem *item = gtk_list_item_get_item (list_item);

  update_cell (list_item);
  if (!mr_message_item_get_loaded (item))
    g_signal_connect_object (item, "notify::loaded", G_CALLBACK (cell_loaded_cb),
                             list_item, G_CONNECT_SWAPPED);
}

static void
cell_unbind_cb (MrTopicsView       *self,
                GtkListItem        *list_item,
                GtkListItemFactory *factory)
{
  MrMessageItem *item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, cell_loaded_cb, list_item);
}

/* The detail pane. */

static void
set_text (GtkTextView *view,
          const char  *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
}

static char *
hex_dump (GBytes *bytes)
{
  const guint8 *data;
  gsize len = 0;
  GString *str = g_string_new (NULL);

  data = g_bytes_get_data (bytes, &len);
  for (gsize line = 0; line < len; line += 16)
    {
      g_string_append_printf (str, "%08" G_GSIZE_MODIFIER "x  ", line);
      for (gsize i = 0; i < 16; i++)
        {
          if (line + i < len)
            g_string_append_printf (str, "%02x ", data[line + i]);
          else
            g_string_append (str, "   ");
          if (i == 7)
            g_string_append_c (str, ' ');
        }
      g_string_append (str, " ");
      for (gsize i = 0; i < 16 && line + i < len; i++)
        g_string_append_c (str, g_ascii_isprint (data[line + i]) ? data[line + i] : '.');
      g_string_append_c (str, '\n');
    }

  return g_string_free (str, FALSE);
}

static char *
pretty_json (GBytes  *bytes,
             GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!json_parser_load_from_data (parser, data, len, error))
    return NULL;

  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);

  return json_generator_to_data (generator, NULL);
}

static gboolean
is_text (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return memchr (data, '\0', len) == NULL && g_utf8_validate (data, len, NULL);
}

static const char * const formats[] = { "json", "text", "hex", "headers" };

static void
show_format (MrTopicsView *self,
             const char   *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_str_equal (formats[i], format))
      gtk_drop_down_set_selected (self->format_dropdown, i);
  gtk_stack_set_visible_child_name (self->format_stack, format);
}

static void
format_changed_cb (MrTopicsView *self)
{
  guint selected = gtk_drop_down_get_selected (self->format_dropdown);

  if (selected < G_N_ELEMENTS (formats))
    gtk_stack_set_visible_child_name (self->format_stack, formats[selected]);
}

static void
detail_loaded_cb (MrTopicsView *self)
{
  show_detail (self);
}

static void
show_detail (MrTopicsView *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(MrMessageItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *time = NULL;
  g_autofree char *key = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *json = NULL;
  g_autofree char *hex = NULL;
  GString *headers;
  const MrRecordCopy *record;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (!gtk_bitset_is_empty (selected))
    item = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                  gtk_bitset_get_minimum (selected));

  if (self->detail_item != item)
    {
      if (self->detail_item != NULL)
        g_clear_signal_handler (&self->detail_handler, self->detail_item);
      g_set_object (&self->detail_item, item);
      if (item != NULL)
        self->detail_handler = g_signal_connect_swapped (item, "notify::loaded",
                                                         G_CALLBACK (detail_loaded_cb),
                                                         self);
    }

  if (item == NULL)
    {
      gtk_label_set_text (GTK_LABEL (gtk_stack_get_child_by_name (self->detail_stack, "empty")),
                          _("Select a record to see it whole."));
      gtk_stack_set_visible_child_name (self->detail_stack, "empty");
      return;
    }

  record = mr_message_item_get_record (item);
  if (record == NULL)
    {
      gtk_label_set_text (GTK_LABEL (gtk_stack_get_child_by_name (self->detail_stack, "empty")),
                          mr_message_item_get_loaded (item)
                          ? _("This offset holds no record any more: compaction removed it.")
                          : _("Loading…"));
      gtk_stack_set_visible_child_name (self->detail_stack, "empty");
      return;
    }

  gtk_stack_set_visible_child_name (self->detail_stack, "record");
  /* Translators: “Partition 0 · offset 1,204”. */
  title = g_strdup_printf (_("Partition %d · offset %" G_GINT64_FORMAT),
                           record->partition, record->offset);
  gtk_label_set_text (self->detail_title, title);
  time = mr_message_format_timestamp (record->timestamp);
  key = mr_message_preview_bytes (record->key, 200);
  /* Translators: “2026-11-24 13:05:00.000 · key user-7”. */
  subtitle = g_strdup_printf (_("%s · key %s"), time, key);
  gtk_label_set_text (self->detail_subtitle, subtitle);

  if (record->value == NULL)
    {
      set_text (self->json_view, "null");
      set_text (self->text_view, _("A null value: this record is a tombstone."));
      set_text (self->hex_view, "");
      show_format (self, "text");
    }
  else
    {
      json = pretty_json (record->value, &error);
      if (json != NULL)
        set_text (self->json_view, json);
      else
        {
          g_autofree char *why = g_strdup_printf (_("The value is not JSON: %s"),
                                                  error->message);

          set_text (self->json_view, why);
        }

      if (is_text (record->value))
        {
          gsize len = 0;
          const char *data = g_bytes_get_data (record->value, &len);
          g_autofree char *text = g_strndup (data, len);

          set_text (self->text_view, text);
        }
      else
        set_text (self->text_view, _("The value is not text: see the Hex view."));

      hex = hex_dump (record->value);
      set_text (self->hex_view, hex);

      if (json != NULL)
        show_format (self, "json");
      else if (is_text (record->value))
        show_format (self, "text");
      else
        show_format (self, "hex");
    }

  headers = g_string_new (NULL);
  for (guint i = 0; record->headers != NULL && i < record->headers->len; i++)
    {
      const MrRecordCopyHeader *h = &g_array_index (record->headers, MrRecordCopyHeader, i);
      g_autofree char *value = mr_message_preview_bytes (h->value, 4096);

      g_string_append_printf (headers, "%s: %s\n", h->key, value);
    }
  if (headers->len == 0)
    g_string_append (headers, _("No headers."));
  set_text (self->headers_view, headers->str);
  g_string_free (headers, TRUE);
}

static void
selection_changed_cb (MrTopicsView *self)
{
  show_detail (self);
}

static void
items_changed_cb (MrTopicsView *self)
{
  update_status (self);
}

/* Filtering. */

typedef struct
{
  MrCluster     *cluster;
  char          *topic;
  GArray        *partitions;   /* Range-like: gint32 partition, gint64 start, end */
  MrRecordField  field;
  char          *needle;
  GArray        *matches;      /* MrMessagePosition */
  gint32         current;
} FilterData;

typedef struct
{
  gint32 partition;
  gint64 start;
  gint64 end;
} Span;

static void
filter_data_free (gpointer data)
{
  FilterData *fd = data;

  mr_cluster_unref (fd->cluster);
  g_free (fd->topic);
  g_array_unref (fd->partitions);
  g_free (fd->needle);
  g_clear_pointer (&fd->matches, g_array_unref);
  g_free (fd);
}

static gboolean
filter_record_cb (const MrRecordBatchHeader *batch,
                  const MrRecord            *record,
                  gpointer                   user_data)
{
  FilterData *fd = user_data;

  if (mr_record_matches (record, fd->field, fd->needle))
    {
      MrMessagePosition pos = { fd->current, record->offset };

      g_array_append_val (fd->matches, pos);
    }

  return TRUE;
}

static void
filter_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  FilterData *fd = task_data;
  GError *error = NULL;

  fd->matches = g_array_new (FALSE, FALSE, sizeof (MrMessagePosition));
  for (guint i = 0; i < fd->partitions->len; i++)
    {
      const Span *span = &g_array_index (fd->partitions, Span, i);

      fd->current = span->partition;
      if (!mr_record_scan (fd->cluster, fd->topic, span->partition, span->start,
                           span->end, filter_record_cb, fd, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&fd->matches),
                         (GDestroyNotify)g_array_unref);
}

static void
filter_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  MrTopicsView *self = MR_TOPICS_VIEW (object);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GArray *matches;

  matches = g_task_propagate_pointer (G_TASK (result), &error);

  busy_release (self);

  /* A newer filter replaced this one. */
  if (cancellable != self->filter_cancellable)
    {
      g_clear_pointer (&matches, g_array_unref);
      return;
    }
  g_clear_object (&self->filter_cancellable);

  if (matches == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast_error (self, _("Could not filter the records"), error);
      update_status (self);
      return;
    }

  mr_message_model_set_matches (self->messages, matches);
  update_status (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->messages)) > 0)
    go_to_position (self, 0);
}

static void
start_filter (MrTopicsView *self)
{
  g_autoptr(GTask) task = NULL;
  const MrTopicInfo *info = find_topic (self, self->selected_topic);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->filter_entry));
  gint32 partition = shown_partition (self);
  FilterData *fd;

  if (self->filter_cancellable != NULL)
    {
      g_cancellable_cancel (self->filter_cancellable);
      g_clear_object (&self->filter_cancellable);
    }

  if (info == NULL || text[0] == '\0')
    {
      if (mr_message_model_get_filtered (self->messages))
        {
          /* Back to every record. */
          set_source (self, info);
        }
      update_status (self);
      return;
    }

  fd = g_new0 (FilterData, 1);
  fd->cluster = mr_cluster_ref (self->cluster);
  fd->topic = g_strdup (info->name);
  fd->field = (MrRecordField)gtk_drop_down_get_selected (self->field_dropdown);
  fd->needle = g_strdup (text);
  fd->partitions = g_array_new (FALSE, FALSE, sizeof (Span));
  for (guint i = 0; i < info->partitions->len; i++)
    {
      const MrPartitionInfo *p = g_ptr_array_index (info->partitions, i);
      Span span = { p->partition, MAX (p->log_start_offset, 0), p->high_watermark };

      if (partition >= 0 && p->partition != partition)
        continue;
      if (p->leader < 0)
        continue;
      g_array_append_val (fd->partitions, span);
    }

  self->filter_cancellable = g_cancellable_new ();
  busy_hold (self);
  update_status (self);

  task = g_task_new (self, self->filter_cancellable, filter_done_cb, NULL);
  g_task_set_source_tag (task, start_filter);
  g_task_set_task_data (task, fd, filter_data_free);
  g_task_run_in_thread (task, filter_thread);
}

static void
filter_changed_cb (MrTopicsView *self)
{
  g_clear_handle_id (&self->filter_delay, g_source_remove);
  start_filter (self);
}

static void
filter_delay_cb (gpointer user_data)
{
  MrTopicsView *self = user_data;

  self->filter_delay = 0;
  start_filter (self);
}

/* Typing filters after a pause, so that a scan does not start per key. */
static void
filter_text_changed_cb (MrTopicsView *self)
{
  g_clear_handle_id (&self->filter_delay, g_source_remove);
  self->filter_delay = g_timeout_add_once (FILTER_DELAY_MS, filter_delay_cb, self);
}

static void
partition_changed_cb (MrTopicsView *self)
{
  const MrTopicInfo *info;

  if (self->updating_partitions)
    return;

  info = find_topic (self, self->selected_topic);
  if (info == NULL)
    return;

  set_source (self, info);
  update_status (self);
  if (gtk_editable_get_text (GTK_EDITABLE (self->filter_entry))[0] != '\0')
    start_filter (self);
}

/* Seeking. */

static gint32
seek_partition (MrTopicsView *self)
{
  gint32 partition = shown_partition (self);

  return partition >= 0 ? partition : 0;
}

static void
seek_offset (MrTopicsView *self,
             gint64        offset)
{
  go_to_position (self, mr_message_model_find (self->messages, seek_partition (self), offset));
}

typedef struct
{
  MrCluster *cluster;
  char      *topic;
  GArray    *partitions;   /* gint32 */
  gint64     timestamp;
} SeekTimeData;

static void
seek_time_data_free (gpointer data)
{
  SeekTimeData *sd = data;

  mr_cluster_unref (sd->cluster);
  g_free (sd->topic);
  g_array_unref (sd->partitions);
  g_free (sd);
}

static void
seek_time_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  SeekTimeData *sd = task_data;
  MrMessagePosition *best = g_new0 (MrMessagePosition, 1);
  gint64 best_time = G_MAXINT64;

  best->partition = -1;
  best->offset = -1;
  for (guint i = 0; i < sd->partitions->len; i++)
    {
      gint32 partition = g_array_index (sd->partitions, gint32, i);
      gint64 offset = -1;
      gint64 found = -1;
      MrKafkaError code;

      code = mr_cluster_list_offset (sd->cluster, -1, sd->topic, partition,
                                     sd->timestamp, &offset, &found);
      if (code != MR_KAFKA_ERROR_NONE || offset < 0)
        continue;
      if (found < best_time)
        {
          best_time = found;
          best->partition = partition;
          best->offset = offset;
        }
    }

  g_task_return_pointer (task, best, g_free);
}

static void
seek_time_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autofree MrMessagePosition *best = NULL;
  MrTopicsView *self;

  best = g_task_propagate_pointer (G_TASK (result), NULL);
  if (best == NULL)
    return;

  self = MR_TOPICS_VIEW (object);
  busy_release (self);

  if (best->partition < 0)
    {
      toast (self, _("No record at or after that time"));
      return;
    }

  go_to_position (self, mr_message_model_find (self->messages, best->partition,
                                               best->offset));
}

static void
seek_time (MrTopicsView *self,
           gint64        timestamp)
{
  g_autoptr(GTask) task = NULL;
  const MrTopicInfo *info = find_topic (self, self->selected_topic);
  gint32 partition = shown_partition (self);
  SeekTimeData *sd;

  if (info == NULL)
    return;

  sd = g_new0 (SeekTimeData, 1);
  sd->cluster = mr_cluster_ref (self->cluster);
  sd->topic = g_strdup (info->name);
  sd->timestamp = timestamp;
  sd->partitions = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (guint i = 0; i < info->partitions->len; i++)
    {
      const MrPartitionInfo *p = g_ptr_array_index (info->partitions, i);

      if (partition < 0 || p->partition == partition)
        g_array_append_val (sd->partitions, p->partition);
    }

  busy_hold (self);
  task = g_task_new (self, self->cancellable, seek_time_done_cb, NULL);
  g_task_set_source_tag (task, seek_time);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_set_task_data (task, sd, seek_time_data_free);
  g_task_run_in_thread (task, seek_time_thread);
}

static void
offset_entry_activate_cb (MrTopicsView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->offset_entry));
  guint64 offset = 0;

  if (!g_ascii_string_to_unsigned (g_strstrip ((char *)text), 10, 0, G_MAXINT64,
                                   &offset, NULL))
    {
      toast (self, _("An offset is a whole number, 0 or more"));
      return;
    }

  gtk_popover_popdown (self->seek_popover);
  seek_offset (self, (gint64)offset);
}

/* Reads "2026-11-24 13:05[:07]" or "2026-11-24" in local time, or an ISO
 * 8601 date-time with a zone. */
static GDateTime *
parse_date_time (const char *text)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  int n;
  GDateTime *parsed;

  parsed = g_date_time_new_from_iso8601 (text, local);
  if (parsed != NULL)
    return parsed;

  n = sscanf (text, "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &s);
  if (n != 3 && n != 5 && n != 6)
    return NULL;

  return g_date_time_new (local, y, mo, d, h, mi, s);
}

static void
time_entry_activate_cb (MrTopicsView *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->time_entry)));
  g_autoptr(GDateTime) when = parse_date_time (g_strstrip (text));

  if (when == NULL)
    {
      toast (self, _("Write the time as 2026-11-24 13:05 or 2026-11-24 13:05:30"));
      return;
    }

  gtk_popover_popdown (self->seek_popover);
  seek_time (self, g_date_time_to_unix (when) * 1000 +
                   g_date_time_get_microsecond (when) / 1000);
}

/* Dialogs and the changes they ask for. */

typedef enum
{
  CHANGE_CREATE,
  CHANGE_EDIT,
  CHANGE_DELETE,
  CHANGE_PRODUCE,
} ChangeKind;

typedef struct
{
  ChangeKind    kind;
  MrCluster    *cluster;
  char         *topic;
  gint32        n_partitions;
  gint32        old_partitions;
  gint32        replication_factor;
  GHashTable   *configs;
  MrRecordCopy  record;
  gint64        offset;
} Change;

static void
change_free (gpointer data)
{
  Change *change = data;

  mr_cluster_unref (change->cluster);
  g_free (change->topic);
  g_clear_pointer (&change->configs, g_hash_table_unref);
  mr_record_copy_clear (&change->record);
  g_free (change);
}

static void
change_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Change *change = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (change->kind)
    {
    case CHANGE_CREATE:
      /* Check the configs first, so that a bad one creates nothing. */
      ok = mr_cluster_create_topic (change->cluster, change->topic,
                                    change->n_partitions, change->replication_factor,
                                    change->configs, TRUE, &error) &&
           mr_cluster_create_topic (change->cluster, change->topic,
                                    change->n_partitions, change->replication_factor,
                                    change->configs, FALSE, &error);
      break;
    case CHANGE_EDIT:
      ok = mr_cluster_alter_topic_configs (change->cluster, change->topic,
                                           change->configs, TRUE, &error);
      if (ok && change->n_partitions > change->old_partitions)
        ok = mr_cluster_create_partitions (change->cluster, change->topic,
                                           change->n_partitions, TRUE, &error) &&
             mr_cluster_create_partitions (change->cluster, change->topic,
                                           change->n_partitions, FALSE, &error);
      if (ok)
        ok = mr_cluster_alter_topic_configs (change->cluster, change->topic,
                                             change->configs, FALSE, &error);
      break;
    case CHANGE_DELETE:
      ok = mr_cluster_delete_topic (change->cluster, change->topic, &error);
      break;
    case CHANGE_PRODUCE:
      ok = mr_record_produce (change->cluster, change->topic, change->record.partition,
                              &change->record, 1, &change->offset, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
change_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  MrTopicsView *self = MR_TOPICS_VIEW (object);
  Change *change = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  busy_release (self);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      const char *what = NULL;

      switch (change->kind)
        {
        case CHANGE_CREATE: what = _("Could not create the topic"); break;
        case CHANGE_EDIT: what = _("Could not change the topic"); break;
        case CHANGE_DELETE: what = _("Could not delete the topic"); break;
        case CHANGE_PRODUCE: what = _("Could not produce the record"); break;
        default: g_assert_not_reached ();
        }
      toast_error (self, what, error);
      return;
    }

  switch (change->kind)
    {
    case CHANGE_CREATE:
      text = g_strdup_printf (_("Topic “%s” created"), change->topic);
      g_free (self->selected_topic);
      self->selected_topic = g_strdup (change->topic);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SELECTED_TOPIC]);
      break;
    case CHANGE_EDIT:
      text = g_strdup_printf (_("Topic “%s” changed"), change->topic);
      break;
    case CHANGE_DELETE:
      text = g_strdup_printf (_("Topic “%s” deleted"), change->topic);
      break;
    case CHANGE_PRODUCE:
      text = g_strdup_printf (_("Record produced to partition %d at offset %" G_GINT64_FORMAT),
                              change->record.partition, change->offset);
      break;
    default:
      g_assert_not_reached ();
    }

  toast (self, text);
  queue_refresh (self);
}

static void
run_change (MrTopicsView *self,
            Change       *change)
{
  g_autoptr(GTask) task = NULL;

  change->cluster = mr_cluster_ref (self->cluster);
  busy_hold (self);
  task = g_task_new (self, NULL, change_done_cb, NULL);
  g_task_set_source_tag (task, run_change);
  g_task_set_task_data (task, change, change_free);
  g_task_run_in_thread (task, change_thread);
}

static void
dialog_destroyed_cb (MrTopicsView *self,
                     GtkWindow    *dialog)
{
  if (self->dialog == dialog)
    self->dialog = NULL;
}

static void
present_dialog (MrTopicsView *self,
                GtkWidget    *dialog)
{
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);

  self->dialog = GTK_WINDOW (dialog);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (dialog_destroyed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
topic_dialog_response_cb (MrTopicsView  *self,
                          const char    *response,
                          MrTopicDialog *dialog)
{
  Change *change;

  if (!g_str_equal (response, "apply"))
    return;

  change = g_new0 (Change, 1);
  mr_record_copy_init (&change->record);
  change->kind = mr_topic_dialog_get_editing (dialog) ? CHANGE_EDIT : CHANGE_CREATE;
  change->topic = g_strdup (mr_topic_dialog_get_name (dialog));
  g_strstrip (change->topic);
  change->n_partitions = mr_topic_dialog_get_n_partitions (dialog);
  change->replication_factor = mr_topic_dialog_get_replication_factor (dialog);
  change->configs = mr_topic_dialog_dup_configs (dialog);
  if (change->kind == CHANGE_EDIT)
    {
      const MrTopicInfo *info = find_topic (self, change->topic);

      change->old_partitions = info != NULL ? (gint32)info->partitions->len : 0;
    }

  run_change (self, change);
}

static void
open_topic_dialog (MrTopicsView      *self,
                   const MrTopicInfo *info)
{
  GtkWidget *dialog;

  dialog = mr_topic_dialog_new (parent_window (self),
                                mr_cluster_get_n_brokers (self->cluster), info);
  g_signal_connect_object (dialog, "response", G_CALLBACK (topic_dialog_response_cb),
                           self, G_CONNECT_SWAPPED);
  present_dialog (self, dialog);
}

static void
topics_new_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  open_topic_dialog (MR_TOPICS_VIEW (widget), NULL);
}

static void
topics_edit_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MrTopicsView *self = MR_TOPICS_VIEW (widget);
  const MrTopicInfo *info = find_topic (self, self->selected_topic);

  if (info != NULL)
    open_topic_dialog (self, info);
}

static void
delete_response_cb (MrTopicsView     *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  Change *change;

  if (!g_str_equal (response, "delete"))
    return;

  change = g_new0 (Change, 1);
  mr_record_copy_init (&change->record);
  change->kind = CHANGE_DELETE;
  change->topic = g_strdup (g_object_get_data (G_OBJECT (dialog), "topic"));
  run_change (self, change);
}

static void
topics_delete_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  MrTopicsView *self = MR_TOPICS_VIEW (widget);
  const MrTopicInfo *info = find_topic (self, self->selected_topic);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *count = NULL;
  GtkWidget *dialog;
  gint64 n;

  if (info == NULL)
    return;

  n = topic_records (info);
  count = format_count (n);
  heading = g_strdup_printf (_("Delete “%s”?"), info->name);
  body = g_strdup_printf (ngettext ("Its %s record is removed from every broker. This cannot be undone.",
                                    "Its %s records are removed from every broker. This cannot be undone.",
                                    n),
                          count);
  dialog = adw_message_dialog_new (parent_window (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "topic", g_strdup (info->name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb),
                           self, G_CONNECT_SWAPPED);
  present_dialog (self, dialog);
}

static void
produce_response_cb (MrTopicsView    *self,
                     const char      *response,
                     MrProduceDialog *dialog)
{
  Change *change;

  if (!g_str_equal (response, "produce"))
    return;

  change = g_new0 (Change, 1);
  mr_record_copy_init (&change->record);
  change->kind = CHANGE_PRODUCE;
  change->topic = g_strdup (g_object_get_data (G_OBJECT (dialog), "topic"));
  mr_produce_dialog_get_record (dialog, &change->record);
  run_change (self, change);
}

static void
messages_produce_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MrTopicsView *self = MR_TOPICS_VIEW (widget);
  const MrTopicInfo *info = find_topic (self, self->selected_topic);
  GtkWidget *dialog;

  if (info == NULL)
    return;

  dialog = mr_produce_dialog_new (parent_window (self), info->name,
                                  info->partitions->len);
  if (shown_partition (self) >= 0)
    mr_produce_dialog_set_partition (MR_PRODUCE_DIALOG (dialog), shown_partition (self));
  g_object_set_data_full (G_OBJECT (dialog), "topic", g_strdup (info->name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (produce_response_cb),
                           self, G_CONNECT_SWAPPED);
  present_dialog (self, dialog);
}

/* Export and import. */

typedef struct
{
  MrCluster *cluster;
  char      *topic;
  GFile     *file;
  GArray    *spans;        /* Span, for export */
  gint32     n_partitions; /* for import */
  guint64    n_records;
  gboolean   importing;
} Transfer;

static void
transfer_free (gpointer data)
{
  Transfer *transfer = data;

  mr_cluster_unref (transfer->cluster);
  g_free (transfer->topic);
  g_object_unref (transfer->file);
  g_clear_pointer (&transfer->spans, g_array_unref);
  g_free (transfer);
}

typedef struct
{
  GOutputStream *stream;
  const char    *topic;
  gint32         partition;
  GString       *buffer;
  guint64        n_records;
  GError        *error;
} ExportState;

static gboolean
export_record_cb (const MrRecordBatchHeader *batch,
                  const MrRecord            *record,
                  gpointer                   user_data)
{
  ExportState *state = user_data;
  g_auto(MrRecordCopy) copy = { 0 };
  g_autofree char *line = NULL;

  mr_record_copy_init (&copy);
  mr_record_copy_set (&copy, state->partition, record);
  line = mr_record_to_jsonl (state->topic, &copy);
  g_string_append (state->buffer, line);
  g_string_append_c (state->buffer, '\n');
  state->n_records++;

  if (state->buffer->len >= 256 * 1024)
    {
      if (!g_output_stream_write_all (state->stream, state->buffer->str,
                                      state->buffer->len, NULL, NULL, &state->error))
        return FALSE;
      g_string_truncate (state->buffer, 0);
    }

  return TRUE;
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Transfer *transfer = task_data;
  g_autoptr(GFileOutputStream) stream = NULL;
  ExportState state = { 0 };
  GError *error = NULL;

  stream = g_file_replace (transfer->file, NULL, FALSE, G_FILE_CREATE_NONE,
                           cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  state.stream = G_OUTPUT_STREAM (stream);
  state.topic = transfer->topic;
  state.buffer = g_string_new (NULL);

  for (guint i = 0; i < transfer->spans->len && state.error == NULL; i++)
    {
      const Span *span = &g_array_index (transfer->spans, Span, i);

      state.partition = span->partition;
      if (!mr_record_scan (transfer->cluster, transfer->topic, span->partition,
                           span->start, span->end, export_record_cb, &state,
                           cancellable, &error))
        {
          g_string_free (state.buffer, TRUE);
          g_task_return_error (task, error);
          return;
        }
    }

  if (state.error == NULL && state.buffer->len > 0)
    g_output_stream_write_all (state.stream, state.buffer->str, state.buffer->len,
                               NULL, cancellable, &state.error);
  g_string_free (state.buffer, TRUE);
  if (state.error == NULL)
    g_output_stream_close (state.stream, cancellable, &state.error);
  if (state.error != NULL)
    {
      g_task_return_error (task, state.error);
      return;
    }

  transfer->n_records = state.n_records;
  g_task_return_boolean (task, TRUE);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Transfer *transfer = task_data;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GArray) records = NULL;
  g_autoptr(GPtrArray) by_partition = NULL;
  GError *error = NULL;

  stream = g_file_read (transfer->file, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The whole file is read and checked before anything is produced: a bad
   * line changes nothing. */
  records = mr_record_jsonl_read (G_INPUT_STREAM (stream), cancellable, &error);
  if (records == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  by_partition = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  for (gint32 p = 0; p < transfer->n_partitions; p++)
    g_ptr_array_add (by_partition, g_array_new (FALSE, FALSE, sizeof (MrRecordCopy)));

  for (guint i = 0; i < records->len; i++)
    {
      MrRecordCopy *copy = &g_array_index (records, MrRecordCopy, i);
      gint32 partition = copy->partition;

      if (partition < 0 || partition >= transfer->n_partitions)
        {
          if (copy->key != NULL)
            {
              gsize len = 0;
              const guint8 *key = g_bytes_get_data (copy->key, &len);

              partition = mr_record_partition_for_key (key, len, transfer->n_partitions);
            }
          else
            partition = (gint32)(i % transfer->n_partitions);
        }
      /* Borrowed copies: @records keeps ownership. */
      g_array_append_vals (g_ptr_array_index (by_partition, partition), copy, 1);
    }

  for (gint32 p = 0; p < transfer->n_partitions; p++)
    {
      GArray *part = g_ptr_array_index (by_partition, p);

      for (guint first = 0; first < part->len; first += IMPORT_BATCH_RECORDS)
        {
          guint n = MIN (IMPORT_BATCH_RECORDS, part->len - first);

          if (!mr_record_produce (transfer->cluster, transfer->topic, p,
                                  &g_array_index (part, MrRecordCopy, first), n,
                                  NULL, &error))
            {
              g_task_return_error (task, error);
              return;
            }
          transfer->n_records += n;
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
transfer_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  MrTopicsView *self = MR_TOPICS_VIEW (object);
  Transfer *transfer = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;

  busy_release (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      toast_error (self, transfer->importing ? _("Could not import the records")
                                             : _("Could not export the records"),
                   error);
      if (transfer->importing && transfer->n_records > 0)
        queue_refresh (self);
      return;
    }

  count = format_count (transfer->n_records);
  if (transfer->importing)
    text = g_strdup_printf (ngettext ("%s record imported", "%s records imported",
                                      transfer->n_records), count);
  else
    text = g_strdup_printf (ngettext ("%s record exported", "%s records exported",
                                      transfer->n_records), count);
  toast (self, text);

  if (transfer->importing)
    queue_refresh (self);
}

/* The spans to export: the selection, or everything shown. */
static GArray *
collect_spans (MrTopicsView *self,
               gboolean      selection_only)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (Span));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;
  Span *last = NULL;

  if (selection_only)
    selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  else
    selected = gtk_bitset_new_range (0, n);

  if (!gtk_bitset_iter_init_first (&iter, selected, &position))
    return spans;

  do
    {
      MrMessagePosition pos;

      if (!mr_message_model_get_position (self->messages, position, &pos))
        break;

      if (last != NULL && last->partition == pos.partition && last->end == pos.offset)
        last->end++;
      else
        {
          Span span = { pos.partition, pos.offset, pos.offset + 1 };

          g_array_append_val (spans, span);
          last = &g_array_index (spans, Span, spans->len - 1);
        }
    }
  while (gtk_bitset_iter_next (&iter, &position));

  return spans;
}

static Transfer *
transfer_new (MrTopicsView *self,
              const char   *topic,
              GFile        *file)
{
  Transfer *transfer = g_new0 (Transfer, 1);

  transfer->cluster = mr_cluster_ref (self->cluster);
  transfer->topic = g_strdup (topic);
  transfer->file = g_object_ref (file);

  return transfer;
}

/* Runs @thread on @transfer (which the task then owns) in a worker, the
 * view busy until transfer_done_cb() has its outcome. */
static void
run_transfer (MrTopicsView    *self,
              Transfer        *transfer,
              gpointer         source_tag,
              GTaskThreadFunc  thread)
{
  g_autoptr(GTask) task = NULL;

  busy_hold (self);
  task = g_task_new (self, NULL, transfer_done_cb, NULL);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, transfer, transfer_free);
  g_task_run_in_thread (task, thread);
}

static void
export_to (MrTopicsView *self,
           GFile        *file,
           gboolean      selection_only)
{
  Transfer *transfer;

  if (self->selected_topic == NULL)
    return;

  transfer = transfer_new (self, self->selected_topic, file);
  transfer->spans = collect_spans (self, selection_only);
  run_transfer (self, transfer, export_to, export_thread);
}

static void
import_from (MrTopicsView *self,
             GFile        *file)
{
  const MrTopicInfo *info = find_topic (self, self->selected_topic);
  Transfer *transfer;

  if (info == NULL || info->partitions->len == 0)
    return;

  transfer = transfer_new (self, info->name, file);
  transfer->n_partitions = info->partitions->len;
  transfer->importing = TRUE;
  run_transfer (self, transfer, import_from, import_thread);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     MrTopicsView    *self)
{
  const char *purpose = g_object_get_data (G_OBJECT (chooser), "purpose");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (g_str_equal (purpose, "import"))
        import_from (self, file);
      else
        export_to (self, file, g_str_equal (purpose, "export-selection"));
    }

  if (self->chooser == chooser)
    g_clear_object (&self->chooser);
}

static void
open_chooser (MrTopicsView *self,
              const char   *purpose)
{
  gboolean importing = g_str_equal (purpose, "import");
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (importing ? _("Import Records") : _("Export Records"),
                                         parent_window (self),
                                         importing ? GTK_FILE_CHOOSER_ACTION_OPEN
                                                   : GTK_FILE_CHOOSER_ACTION_SAVE,
                                         importing ? _("_Import") : _("_Export"),
                                         _("_Cancel"));
  gtk_file_filter_set_name (filter, _("JSON Lines"));
  gtk_file_filter_add_pattern (filter, "*.jsonl");
  gtk_file_filter_add_pattern (filter, "*.ndjson");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  if (!importing)
    {
      g_autofree char *name = g_strdup_printf ("%s.jsonl", self->selected_topic);

      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
    }

  g_object_set_data_full (G_OBJECT (chooser), "purpose", g_strdup (purpose), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  g_clear_object (&self->chooser);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* Actions. */

static void
topics_select_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  select_topic (MR_TOPICS_VIEW (widget), g_variant_get_string (parameter, NULL));
}

static void
topics_refresh_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  queue_refresh (MR_TOPICS_VIEW (widget));
}

static void
topics_back_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  adw_leaflet_navigate (MR_TOPICS_VIEW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
seek_beginning_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MrTopicsView *self = MR_TOPICS_VIEW (widget);

  gtk_popover_popdown (self->seek_popover);
  go_to_position (self, 0);
}

static void
seek_end_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MrTopicsView *self = MR_TOPICS_VIEW (widget);

  gtk_popover_popdown (self->seek_popover);
  go_to_position (self, G_MAXUINT);
}

static void
seek_offset_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  seek_offset (MR_TOPICS_VIEW (widget), g_variant_get_int64 (parameter));
}

static void
seek_time_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  seek_time (MR_TOPICS_VIEW (widget), g_variant_get_int64 (parameter));
}

static void
filter_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MrTopicsView *self = MR_TOPICS_VIEW (widget);
  const char *text = NULL;
  guint32 field = 0;

  g_variant_get (parameter, "(u&s)", &field, &text);
  if (field > MR_RECORD_FIELD_HEADER)
    return;

  /* Through the widgets, as a user would, without the typing delay. */
  g_signal_handlers_block_by_func (self->field_dropdown, filter_changed_cb, self);
  gtk_drop_down_set_selected (self->field_dropdown, field);
  gtk_editable_set_text (GTK_EDITABLE (self->filter_entry), text);
  g_signal_handlers_unblock_by_func (self->field_dropdown, filter_changed_cb, self);
  filter_changed_cb (self);
}

static void
partition_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MrTopicsView *self = MR_TOPICS_VIEW (widget);
  gint32 partition = g_variant_get_int32 (parameter);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->partition_names));

  if (partition < -1 || (guint)(partition + 1) >= n)
    return;

  gtk_drop_down_set_selected (self->partition_dropdown, partition + 1);
}

static void
export_selection_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  open_chooser (MR_TOPICS_VIEW (widget), "export-selection");
}

static void
export_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  open_chooser (MR_TOPICS_VIEW (widget), "export-all");
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  open_chooser (MR_TOPICS_VIEW (widget), "import");
}

static void
export_to_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  g_autoptr(GFile) file = NULL;
  const char *uri = NULL;
  gboolean selection_only = FALSE;

  g_variant_get (parameter, "(&sb)", &uri, &selection_only);
  file = g_file_new_for_uri (uri);
  export_to (MR_TOPICS_VIEW (widget), file, selection_only);
}

static void
import_from_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  import_from (MR_TOPICS_VIEW (widget), file);
}

/* GtkWidget. */

static void
mr_topics_view_map (GtkWidget *widget)
{
  MrTopicsView *self = MR_TOPICS_VIEW (widget);

  GTK_WIDGET_CLASS (mr_topics_view_parent_class)->map (widget);

  queue_refresh (self);
  restart_refresh_timer (self);
}

static void
mr_topics_view_unmap (GtkWidget *widget)
{
  MrTopicsView *self = MR_TOPICS_VIEW (widget);

  g_clear_handle_id (&self->refresh_source, g_source_remove);

  GTK_WIDGET_CLASS (mr_topics_view_parent_class)->unmap (widget);
}

/* GObject. */

static void
mr_topics_view_dispose (GObject *object)
{
  MrTopicsView *self = (MrTopicsView *)object;

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_handle_id (&self->filter_delay, g_source_remove);
  if (self->events_subscription != 0)
    {
      mr_event_stream_unsubscribe (mr_cluster_get_event_stream (self->cluster),
                                   self->events_subscription);
      self->events_subscription = 0;
    }
  g_cancellable_cancel (self->cancellable);
  if (self->filter_cancellable != NULL)
    g_cancellable_cancel (self->filter_cancellable);
  g_clear_object (&self->filter_cancellable);
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->detail_item != NULL)
    g_clear_signal_handler (&self->detail_handler, self->detail_item);
  g_clear_object (&self->detail_item);
  if (self->scroll_tick != 0 && self->message_view != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->message_view), self->scroll_tick);
  self->scroll_tick = 0;

  /* AdwBin holds its child in a field of its own: let it go first. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_TOPICS_VIEW);

  g_clear_object (&self->selection);
  g_clear_object (&self->messages);

  G_OBJECT_CLASS (mr_topics_view_parent_class)->dispose (object);
}

static void
mr_topics_view_finalize (GObject *object)
{
  MrTopicsView *self = (MrTopicsView *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->topics, g_ptr_array_unref);
  g_clear_pointer (&self->topic_rows, g_hash_table_unref);
  g_clear_pointer (&self->partition_rows, g_array_unref);
  g_clear_pointer (&self->selected_topic, g_free);
  g_clear_pointer (&self->cluster, mr_cluster_unref);

  G_OBJECT_CLASS (mr_topics_view_parent_class)->finalize (object);
}

static void
mr_topics_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MrTopicsView *self = MR_TOPICS_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->n_busy > 0);
      break;
    case PROP_LIVE_TAIL:
      g_value_set_boolean (value, self->live_tail);
      break;
    case PROP_SELECTED_TOPIC:
      g_value_set_string (value, self->selected_topic);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_topics_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MrTopicsView *self = MR_TOPICS_VIEW (object);

  switch (prop_id)
    {
    case PROP_LIVE_TAIL:
      if (self->live_tail == g_value_get_boolean (value))
        return;
      self->live_tail = g_value_get_boolean (value);
      restart_refresh_timer (self);
      if (self->live_tail)
        {
          queue_refresh (self);
          scroll_to_end (self);
        }
      g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_topics_view_class_init (MrTopicsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_topics_view_dispose;
  object_class->finalize = mr_topics_view_finalize;
  object_class->get_property = mr_topics_view_get_property;
  object_class->set_property = mr_topics_view_set_property;

  widget_class->map = mr_topics_view_map;
  widget_class->unmap = mr_topics_view_unmap;

  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_LIVE_TAIL] =
    g_param_spec_boolean ("live-tail", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_SELECTED_TOPIC] =
    g_param_spec_string ("selected-topic", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MR_TYPE_MESSAGE_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/millrace/Millrace/ui/mr-topics-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, leaflet);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, topic_list);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, topic_title);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, page_stack);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, records_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, replication_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, configs_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, partition_list);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, field_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, filter_entry);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, partition_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, partition_names);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, seek_popover);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, offset_entry);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, time_entry);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, status_label);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, message_scroller);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, message_view);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, offset_column);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, timestamp_column);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, key_column);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, value_column);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, headers_column);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, detail_title);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, detail_subtitle);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, format_stack);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, format_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, json_view);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, text_view);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, hex_view);
  gtk_widget_class_bind_template_child (widget_class, MrTopicsView, headers_view);
  gtk_widget_class_bind_template_callback (widget_class, topic_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_text_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, format_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cell_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, cell_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, cell_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, partition_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, offset_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, time_entry_activate_cb);

  gtk_widget_class_install_action (widget_class, "topics.new", NULL, topics_new_action);
  gtk_widget_class_install_action (widget_class, "topics.edit", NULL, topics_edit_action);
  gtk_widget_class_install_action (widget_class, "topics.add-partitions", NULL, topics_edit_action);
  gtk_widget_class_install_action (widget_class, "topics.delete", NULL, topics_delete_action);
  gtk_widget_class_install_action (widget_class, "topics.select", "s", topics_select_action);
  gtk_widget_class_install_action (widget_class, "topics.refresh", NULL, topics_refresh_action);
  gtk_widget_class_install_action (widget_class, "topics.back", NULL, topics_back_action);
  gtk_widget_class_install_action (widget_class, "messages.seek-beginning", NULL, seek_beginning_action);
  gtk_widget_class_install_action (widget_class, "messages.seek-end", NULL, seek_end_action);
  gtk_widget_class_install_action (widget_class, "messages.seek-offset", "x", seek_offset_action);
  gtk_widget_class_install_action (widget_class, "messages.seek-time", "x", seek_time_action);
  gtk_widget_class_install_action (widget_class, "messages.filter", "(us)", filter_action);
  gtk_widget_class_install_action (widget_class, "messages.partition", "i", partition_action);
  gtk_widget_class_install_property_action (widget_class, "messages.live-tail", "live-tail");
  gtk_widget_class_install_action (widget_class, "messages.produce", NULL, messages_produce_action);
  gtk_widget_class_install_action (widget_class, "messages.export-selection", NULL, export_selection_action);
  gtk_widget_class_install_action (widget_class, "messages.export-all", NULL, export_all_action);
  gtk_widget_class_install_action (widget_class, "messages.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "messages.export-to", "(sb)", export_to_action);
  gtk_widget_class_install_action (widget_class, "messages.import-from", "s", import_from_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "topics.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, GDK_CONTROL_MASK,
                                       "messages.seek-beginning", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, GDK_CONTROL_MASK,
                                       "messages.seek-end", NULL);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_css_name (widget_class, "topicsview");
}

static void
mr_topics_view_init (MrTopicsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->topic_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->partition_rows = g_array_new (FALSE, FALSE, sizeof (PartitionRow));
  g_array_set_clear_func (self->partition_rows, partition_row_clear);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Topics and Messages"),
                                  -1);
}

GtkWidget *
mr_topics_view_new (MrCluster *cluster)
{
  MrTopicsView *self;
  MrEventStream *stream;

  g_return_val_if_fail (cluster != NULL, NULL);

  self = g_object_new (MR_TYPE_TOPICS_VIEW, NULL);
  self->cluster = mr_cluster_ref (cluster);

  self->messages = mr_message_model_new (cluster);
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->messages)));
  gtk_column_view_set_model (self->message_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->messages, "items-changed",
                           G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);

  stream = mr_cluster_get_event_stream (cluster);
  self->events_subscription = mr_event_stream_subscribe (stream, NULL, events_cb, self, NULL);
  if (self->events_subscription != 0)
    mr_event_stream_set_min_interval (stream, self->events_subscription, 100);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "topics.back", TRUE);

  return GTK_WIDGET (self);
}

MrCluster *
mr_topics_view_get_cluster (MrTopicsView *self)
{
  g_return_val_if_fail (MR_IS_TOPICS_VIEW (self), NULL);

  return self->cluster;
}

const char *
mr_topics_view_get_selected_topic (MrTopicsView *self)
{
  g_return_val_if_fail (MR_IS_TOPICS_VIEW (self), NULL);

  return self->selected_topic;
}

gboolean
mr_topics_view_get_busy (MrTopicsView *self)
{
  g_return_val_if_fail (MR_IS_TOPICS_VIEW (self), FALSE);

  return self->n_busy > 0;
}

GListModel *
mr_topics_view_get_messages (MrTopicsView *self)
{
  g_return_val_if_fail (MR_IS_TOPICS_VIEW (self), NULL);

  return G_LIST_MODEL (self->messages);
}

GtkSelectionModel *
mr_topics_view_get_selection (MrTopicsView *self)
{
  g_return_val_if_fail (MR_IS_TOPICS_VIEW (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

const MrTopicInfo *
mr_topics_view_get_topic_info (MrTopicsView *self)
{
  g_return_val_if_fail (MR_IS_TOPICS_VIEW (self), NULL);

  return find_topic (self, self->selected_topic);
}

char *
mr_topics_view_dup_detail_text (MrTopicsView *self,
                                const char   *format)
{
  GtkTextView *view = NULL;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (MR_IS_TOPICS_VIEW (self), NULL);

  if (g_strcmp0 (format, "json") == 0)
    view = self->json_view;
  else if (g_strcmp0 (format, "text") == 0)
    view = self->text_view;
  else if (g_strcmp0 (format, "hex") == 0)
    view = self->hex_view;
  else if (g_strcmp0 (format, "headers") == 0)
    view = self->headers_view;
  g_return_val_if_fail (view != NULL, NULL);

  if (!g_str_equal (gtk_stack_get_visible_child_name (self->detail_stack), "record"))
    return NULL;

  buffer = gtk_text_view_get_buffer (view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

GtkWindow *
mr_topics_view_get_dialog (MrTopicsView *self)
{
  g_return_val_if_fail (MR_IS_TOPICS_VIEW (self), NULL);

  return self->dialog;
}
