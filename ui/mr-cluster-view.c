/* mr-cluster-view.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-cluster-view.h"

#include <glib/gi18n.h>

#include "mr-broker-card.h"

/* The Cluster view: a card per broker (with its requests a second), the
 * partition map and the timeline, with a filter. It draws what its
 * MrClusterMonitor last read, on every ::refreshed; the timeline is the
 * monitor's list, filtered. Its one action, "cluster.create-topic", asks
 * for a name and creates the topic in a worker; failures go up as
 * ::add-toast. Broker buttons on the cards activate the window's
 * "broker.*" actions. */

struct _MrClusterView
{
  GtkWidget          parent_instance;

  /* Template widgets. */
  GtkWidget         *scroller;
  GtkLabel          *brokers_summary_label;
  GtkFlowBox        *brokers_flow;
  GtkWidget         *partitions_empty_page;
  GtkLabel          *partitions_summary_label;
  MrPartitionMap    *partition_map;
  GtkDropDown       *filter_dropdown;
  GtkStack          *timeline_stack;
  GtkListView       *timeline_view;
  GtkScrolledWindow *timeline_scroller;

  MrClusterMonitor  *monitor;
  GtkFilterListModel *shown_events;
  GtkCustomFilter   *filter;
  GPtrArray         *cards;          /* MrBrokerCard, by id - 1; borrowed */
  GCancellable      *cancellable;
  gulong             refreshed_handler;
};

G_DEFINE_FINAL_TYPE (MrClusterView, mr_cluster_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_ADD_TOAST,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

/* Brokers. */

static MrBrokerCard *
ensure_card (MrClusterView *self,
             gint32         broker_id)
{
  while (self->cards->len < (guint) broker_id)
    {
      gint32 id = (gint32) self->cards->len + 1;
      GtkWidget *card = mr_broker_card_new (id);

      gtk_flow_box_append (self->brokers_flow, card);
      /* The card's buttons take the focus; the card itself need not. */
      gtk_widget_set_focusable (gtk_widget_get_parent (card), FALSE);
      g_ptr_array_add (self->cards, card);
    }

  return g_ptr_array_index (self->cards, broker_id - 1);
}

static void
show_brokers (MrClusterView *self,
              GPtrArray     *brokers)
{
  g_autofree char *summary = NULL;
  guint n_running = 0;
  gint32 controller = -1;

  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);
      MrBrokerCard *card = ensure_card (self, info->id);

      mr_broker_card_update (card, info);
      mr_broker_card_set_request_rates (card,
                                        mr_cluster_monitor_get_request_rates (self->monitor, info->id),
                                        MR_CLUSTER_MONITOR_N_RATES);

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
}

static void
show_partitions (MrClusterView *self,
                 GPtrArray     *brokers,
                 GPtrArray     *topics)
{
  guint n;

  mr_partition_map_update (self->partition_map, brokers, topics);
  n = mr_partition_map_get_n_partitions (self->partition_map);

  if (n > 0)
    {
      g_autofree char *summary = NULL;

      /* Translators: the caption over the partition map. */
      summary = g_strdup_printf (ngettext ("%u partition: every replica, by broker",
                                           "%u partitions: every replica, by broker",
                                           n), n);
      gtk_label_set_label (self->partitions_summary_label, summary);
    }

  gtk_widget_set_visible (self->partitions_empty_page, n == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->partition_map), n > 0);
}

/* The timeline. */

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  MrClusterView *self = user_data;

  return mr_timeline_item_matches (item, gtk_drop_down_get_selected (self->filter_dropdown));
}

static void
timeline_changed (MrClusterView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->shown_events));

  gtk_stack_set_visible_child_name (self->timeline_stack, n > 0 ? "events" : "empty");

  /* A page that scrolls gives the list its minimum height: as tall as a
   * few rows need, up to a point, then it scrolls on its own. */
  gtk_scrolled_window_set_min_content_height (self->timeline_scroller,
                                              MIN (n * 44, 320));
}

/* Create a topic, off the main thread. */

typedef struct
{
  MrCluster *cluster;
  char      *name;
  gint32     n_partitions;
} CreateTopicData;

static void
create_topic_data_free (CreateTopicData *data)
{
  g_clear_pointer (&data->cluster, mr_cluster_unref);
  g_free (data->name);
  g_free (data);
}

static void
create_topic_worker (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CreateTopicData *data = task_data;
  GError *error = NULL;

  if (mr_cluster_create_topic (data->cluster, data->name, data->n_partitions,
                               -1, NULL, FALSE, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
create_topic_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr(MrClusterView) self = g_weak_ref_get (ref);
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (ref);
  g_free (ref);

  g_task_propagate_boolean (G_TASK (result), &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      g_autofree char *title = NULL;

      /* Translators: %s is the reason. */
      title = g_strdup_printf (_("The topic could not be created: %s"), escaped);
      g_signal_emit (self, signals [SIGNAL_ADD_TOAST], 0, adw_toast_new (title));
    }

  mr_cluster_monitor_refresh (self->monitor);
}

static void
create_topic_response_cb (AdwMessageDialog *dialog,
                          const char       *response,
                          gpointer          user_data)
{
  MrClusterView *self = user_data;
  g_autoptr(GTask) task = NULL;
  CreateTopicData *data;
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "mr-name-entry");
  GtkSpinButton *spin = g_object_get_data (G_OBJECT (dialog), "mr-partitions-spin");
  GWeakRef *ref;

  if (!g_str_equal (response, "create"))
    return;

  data = g_new0 (CreateTopicData, 1);
  data->cluster = mr_cluster_ref (mr_cluster_monitor_get_cluster (self->monitor));
  data->name = g_strdup (gtk_editable_get_text (entry));
  data->n_partitions = gtk_spin_button_get_value_as_int (spin);

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);

  task = g_task_new (NULL, self->cancellable, create_topic_cb, ref);
  g_task_set_source_tag (task, create_topic_response_cb);
  g_task_set_task_data (task, data, (GDestroyNotify) create_topic_data_free);
  g_task_run_in_thread (task, create_topic_worker);
}

static void
topic_name_changed_cb (GtkEditable      *entry,
                       AdwMessageDialog *dialog)
{
  const char *name = gtk_editable_get_text (entry);

  adw_message_dialog_set_response_enabled (dialog, "create",
                                           mr_topic_name_validate (name, NULL));
}

static void
create_topic_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MrClusterView *self = MR_CLUSTER_VIEW (widget);
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *row;
  GtkWidget *label;
  GtkWidget *entry;
  GtkWidget *spin;

  /* A dialog is a window: the one place this view builds widgets in C. */
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Create Topic"),
                                   _("Its partitions spread over the brokers, "
                                     "each replicated as the cluster's "
                                     "defaults say."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "create", _("C_reate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "create");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Topic name"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "orders");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Topic name"),
                                  -1);
  spin = gtk_spin_button_new_with_range (1, 1000, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 3);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Partitions"),
                                  -1);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  label = gtk_label_new_with_mnemonic (_("_Partitions"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), spin);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (row), spin);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), row);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  g_object_set_data (G_OBJECT (dialog), "mr-name-entry", entry);
  g_object_set_data (G_OBJECT (dialog), "mr-partitions-spin", spin);

  g_signal_connect (entry, "changed", G_CALLBACK (topic_name_changed_cb), dialog);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (create_topic_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Callbacks. */

static void
refreshed_cb (MrClusterView    *self,
              MrClusterMonitor *monitor)
{
  GPtrArray *brokers = mr_cluster_monitor_get_brokers (monitor);
  GPtrArray *topics = mr_cluster_monitor_get_topics (monitor);

  show_brokers (self, brokers);
  show_partitions (self, brokers, topics);
}

static void
filter_changed_cb (MrClusterView *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  timeline_changed (self);
}

static void
shown_events_changed_cb (MrClusterView *self,
                         guint          position,
                         guint          removed,
                         guint          added,
                         GListModel    *model)
{
  GtkAdjustment *vadjustment;

  timeline_changed (self);

  /* The list keeps its first visible row in place, which would hide the
   * news above it: a reader at the top follows the news, and one who
   * scrolled down keeps their place. */
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->timeline_view));
  if (position == 0 && added > 0 &&
      (vadjustment == NULL || gtk_adjustment_get_value (vadjustment) <= 0.0))
    gtk_widget_activate_action (GTK_WIDGET (self->timeline_view),
                                "list.scroll-to-item", "u", 0);
}

/* Virtual functions. */

static void
mr_cluster_view_dispose (GObject *object)
{
  GtkWidget *child;
  MrClusterView *self = MR_CLUSTER_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  g_clear_signal_handler (&self->refreshed_handler, self->monitor);
  if (self->shown_events != NULL)
    g_signal_handlers_disconnect_by_data (self->shown_events, self);

  gtk_widget_dispose_template (GTK_WIDGET (object), MR_TYPE_CLUSTER_VIEW);
  /* The template's unnamed children too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);

  g_clear_object (&self->shown_events);
  g_clear_object (&self->filter);
  g_clear_object (&self->monitor);
  if (self->cards != NULL)
    g_ptr_array_set_size (self->cards, 0);

  G_OBJECT_CLASS (mr_cluster_view_parent_class)->dispose (object);
}

static void
mr_cluster_view_finalize (GObject *object)
{
  MrClusterView *self = MR_CLUSTER_VIEW (object);

  g_clear_pointer (&self->cards, g_ptr_array_unref);

  G_OBJECT_CLASS (mr_cluster_view_parent_class)->finalize (object);
}

static void
mr_cluster_view_class_init (MrClusterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_cluster_view_dispose;
  object_class->finalize = mr_cluster_view_finalize;

  /**
   * MrClusterView::add-toast:
   * @toast: (transfer full): what to say
   *
   * The view has something to tell: the window shows it as a toast.
   */
  signals [SIGNAL_ADD_TOAST] =
    g_signal_new ("add-toast",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ADW_TYPE_TOAST);

  g_type_ensure (MR_TYPE_BROKER_CARD);
  g_type_ensure (MR_TYPE_PARTITION_MAP);
  g_type_ensure (MR_TYPE_TIMELINE_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-cluster-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, scroller);
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, brokers_summary_label);
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, brokers_flow);
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, partitions_empty_page);
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, partitions_summary_label);
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, partition_map);
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, timeline_stack);
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, timeline_view);
  gtk_widget_class_bind_template_child (widget_class, MrClusterView, timeline_scroller);

  gtk_widget_class_install_action (widget_class, "cluster.create-topic", NULL,
                                   create_topic_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
mr_cluster_view_init (MrClusterView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cards = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();

  g_signal_connect_swapped (self->filter_dropdown, "notify::selected",
                            G_CALLBACK (filter_changed_cb), self);
}

/* Public API. */

/**
 * mr_cluster_view_new:
 * @monitor: what to show
 *
 * Returns: (transfer floating): a new #MrClusterView
 */
GtkWidget *
mr_cluster_view_new (MrClusterMonitor *monitor)
{
  MrClusterView *self;
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (monitor), NULL);

  self = g_object_new (MR_TYPE_CLUSTER_VIEW, NULL);
  self->monitor = g_object_ref (monitor);

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->shown_events = gtk_filter_list_model_new (g_object_ref (mr_cluster_monitor_get_timeline (monitor)),
                                                  g_object_ref (GTK_FILTER (self->filter)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->shown_events)));
  gtk_list_view_set_model (self->timeline_view, GTK_SELECTION_MODEL (selection));
  g_signal_connect_swapped (self->shown_events, "items-changed",
                            G_CALLBACK (shown_events_changed_cb), self);
  timeline_changed (self);

  self->refreshed_handler = g_signal_connect_swapped (monitor, "refreshed",
                                                      G_CALLBACK (refreshed_cb), self);
  if (mr_cluster_monitor_get_loaded (monitor))
    refreshed_cb (self, monitor);

  return GTK_WIDGET (self);
}

MrPartitionMap *
mr_cluster_view_get_partition_map (MrClusterView *self)
{
  g_return_val_if_fail (MR_IS_CLUSTER_VIEW (self), NULL);

  return self->partition_map;
}

void
mr_cluster_view_set_filter (MrClusterView    *self,
                            MrTimelineFilter  filter)
{
  g_return_if_fail (MR_IS_CLUSTER_VIEW (self));

  gtk_drop_down_set_selected (self->filter_dropdown, filter);
}

GListModel *
mr_cluster_view_get_shown_events (MrClusterView *self)
{
  g_return_val_if_fail (MR_IS_CLUSTER_VIEW (self), NULL);

  return G_LIST_MODEL (self->shown_events);
}
