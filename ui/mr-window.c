/* mr-window.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "mr-cluster-view.h"
#include "mr-failure-lab.h"
#include "mr-preferences-window.h"
#include "mr-topics-view.h"

/* How long a scan may take before the window trades what it shows for the
 * spinner, so that a quick reload does not flicker. */
#define SHOW_SPINNER_DELAY_MS 250

G_DEFINE_FINAL_TYPE (MrWindow, mr_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CLUSTER,
  PROP_DATA_DIR,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* Scanning, off the main thread. */

static void
scan_inventory_worker (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  const char *directory = task_data;
  g_autoptr(MrLogInventory) inventory = NULL;
  GError *error = NULL;

  g_assert (directory != NULL);

  inventory = mr_log_inventory_scan (directory, cancellable, &error);

  if (inventory == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task,
                           g_steal_pointer (&inventory),
                           (GDestroyNotify) mr_log_inventory_free);
}

static void
scan_inventory_async (const char          *directory,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_assert (directory != NULL);
  g_assert (G_IS_CANCELLABLE (cancellable));

  /* No source object: the worker's last reference on the task may drop in
   * the worker thread, and a widget must never be finalized there. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, scan_inventory_async);
  g_task_set_task_data (task, g_strdup (directory), g_free);
  g_task_run_in_thread (task, scan_inventory_worker);
}

static MrLogInventory *
scan_inventory_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_assert (G_IS_TASK (result));
  g_assert (g_task_is_valid (result, NULL));
  g_assert (g_task_get_source_tag (G_TASK (result)) == scan_inventory_async);

  /* GTask checks the cancellable first, so a scan that was replaced or whose
   * window went away reports G_IO_ERROR_CANCELLED even when it finished. */
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Text for the rows. */

static char *
format_count (gint64 value)
{
  /* The ' flag groups digits the way the user's locale does. */
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

static gulong
plural_n (gint64 value)
{
  /* What ngettext() takes; large values pick the same form as their last
   * six digits, which is what every plural rule looks at. */
  if (value < 0)
    return 0;
  if (value > G_MAXUINT32)
    return (gulong) (value % 1000000) + 1000000;
  return (gulong) value;
}

static char *
describe_topic (const MrTopicSummary *topic)
{
  g_autofree char *partitions = NULL;
  g_autofree char *replicas = NULL;
  g_autofree char *records = NULL;
  g_autofree char *records_count = NULL;
  g_autofree char *size = NULL;

  partitions = g_strdup_printf (ngettext ("%u partition",
                                          "%u partitions",
                                          topic->n_partitions),
                                topic->n_partitions);
  replicas = g_strdup_printf (ngettext ("%u replica",
                                        "%u replicas",
                                        topic->n_replicas),
                              topic->n_replicas);
  records_count = format_count (topic->n_records);
  records = g_strdup_printf (ngettext ("%s record",
                                       "%s records",
                                       plural_n (topic->n_records)),
                             records_count);
  size = g_format_size (topic->size_bytes);

  return g_strjoin (" · ", partitions, replicas, records, size, NULL);
}

static char *
describe_partition (const MrPartitionSummary *partition)
{
  g_autofree char *offsets = NULL;
  g_autofree char *segments = NULL;
  g_autofree char *size = NULL;
  g_autofree char *line = NULL;

  if (partition->error_message != NULL)
    /* Translators: %s is the reason, e.g. “Permission denied”. */
    return g_strdup_printf (_("This log cannot be opened: %s"),
                            partition->error_message);

  if (partition->log_start_offset == partition->log_end_offset)
    {
      g_autofree char *end = format_count (partition->log_end_offset);

      /* Translators: %s is the offset the next record will get. */
      offsets = g_strdup_printf (_("no records, next offset %s"), end);
    }
  else
    {
      g_autofree char *start = format_count (partition->log_start_offset);
      g_autofree char *end = format_count (partition->log_end_offset);

      /* Translators: the range of offsets a log holds, first to next. */
      offsets = g_strdup_printf (_("offsets %s – %s"), start, end);
    }

  segments = g_strdup_printf (ngettext ("%u segment",
                                        "%u segments",
                                        partition->n_segments),
                              partition->n_segments);
  size = g_format_size (partition->size_bytes);
  line = g_strjoin (" · ", offsets, segments, size, NULL);

  if (partition->corrupt_bytes > 0)
    {
      g_autofree char *corrupt = g_format_size (partition->corrupt_bytes);
      g_autofree char *damage = NULL;

      /* Translators: %s is a size, e.g. “1.2 kB”. */
      damage = g_strdup_printf (_("%s at the end of this log are damaged: the "
                                  "broker will drop them when it recovers the "
                                  "log"),
                                corrupt);

      return g_strconcat (line, "\n", damage, NULL);
    }

  return g_steal_pointer (&line);
}

static gboolean
partition_has_problem (const MrPartitionSummary *partition)
{
  return partition->error_message != NULL || partition->corrupt_bytes > 0;
}

static GtkWidget *
create_problem_icon (const MrPartitionSummary *partition)
{
  GtkWidget *image;
  const char *label;

  if (partition->error_message != NULL)
    {
      image = gtk_image_new_from_icon_name ("dialog-error-symbolic");
      gtk_widget_add_css_class (image, "error");
      label = _("Error");
    }
  else
    {
      image = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
      gtk_widget_add_css_class (image, "warning");
      label = _("Warning");
    }

  gtk_widget_set_valign (image, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  return image;
}

/* The one place that builds widgets in C: a row per replica and per topic,
 * from the scan's data, since a .ui file cannot repeat per item. */
static GtkWidget *
create_partition_row (const MrPartitionSummary *partition)
{
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  /* Translators: a replica: its partition number and the broker holding it. */
  title = g_strdup_printf (_("Partition %d · broker %d"),
                           partition->partition,
                           partition->broker_id);
  subtitle = describe_partition (partition);

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (row, "numeric");

  if (partition_has_problem (partition))
    adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                               create_problem_icon (partition));

  return row;
}

static GtkWidget *
create_topic_row (const MrTopicSummary *topic)
{
  g_autofree char *subtitle = NULL;
  const MrPartitionSummary *worst = NULL;
  GtkWidget *row;

  subtitle = describe_topic (topic);

  row = adw_expander_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), topic->topic);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
  gtk_widget_add_css_class (row, "numeric");

  for (guint i = 0; i < topic->partitions->len; i++)
    {
      const MrPartitionSummary *partition;

      partition = g_ptr_array_index (topic->partitions, i);

      adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                                create_partition_row (partition));

      /* The topic shows its worst replica: an unreadable log outranks a
       * damaged tail. */
      if (partition_has_problem (partition) &&
          (worst == NULL ||
           (partition->error_message != NULL && worst->error_message == NULL)))
        worst = partition;
    }

  if (worst != NULL)
    {
      GtkWidget *icon = create_problem_icon (worst);

      gtk_widget_set_tooltip_text (icon,
                                   _("Some replicas of this topic need "
                                     "attention"));
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), icon);
    }

  return row;
}

/* The views. */

static void
clear_topics (MrWindow *self)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (self->topics_list, 0)))
    gtk_list_box_remove (self->topics_list, GTK_WIDGET (row));
}

static void
set_stat (GtkLabel   *label,
          GtkLabel   *caption,
          gint64      value,
          const char *caption_text)
{
  g_autofree char *text = format_count (value);

  gtk_label_set_label (label, text);
  gtk_label_set_label (caption, caption_text);
}

static void
show_inventory (MrWindow *self)
{
  const MrLogInventory *inventory = self->inventory;
  g_autofree char *size = NULL;
  gint64 n_partitions = 0;
  gint64 n_records = 0;

  g_assert (inventory != NULL);

  clear_topics (self);

  for (guint i = 0; i < inventory->topics->len; i++)
    {
      const MrTopicSummary *topic = g_ptr_array_index (inventory->topics, i);

      n_partitions += topic->n_partitions;
      n_records += topic->n_records;
      gtk_list_box_append (self->topics_list, create_topic_row (topic));
    }

  /* Translators: captions under counts, e.g. “3” over “Brokers”. */
  set_stat (self->brokers_label, self->brokers_caption, inventory->n_brokers,
            ngettext ("Broker", "Brokers", inventory->n_brokers));
  set_stat (self->topics_label, self->topics_caption, inventory->topics->len,
            ngettext ("Topic", "Topics", inventory->topics->len));
  set_stat (self->partitions_label, self->partitions_caption, n_partitions,
            ngettext ("Partition", "Partitions", plural_n (n_partitions)));
  set_stat (self->records_label, self->records_caption, n_records,
            ngettext ("Record", "Records", plural_n (n_records)));

  gtk_label_set_label (self->directory_label, self->data_dir);
  size = g_format_size (inventory->size_bytes);
  gtk_label_set_label (self->size_label, size);

  gtk_stack_set_visible_child_name (self->stack, "inventory");
}

static void
show_empty (MrWindow *self)
{
  g_assert (self->inventory != NULL);

  clear_topics (self);

  if (self->inventory->exists)
    {
      adw_status_page_set_title (self->empty_page, _("No Topics Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Nothing has been written to this "
                                         "cluster yet. Its topics appear here "
                                         "once a client produces records or "
                                         "a topic is created."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("New Cluster"));
      adw_status_page_set_description (self->empty_page,
                                       _("This directory does not exist yet. "
                                         "It is created when the cluster "
                                         "first starts, and its topics then "
                                         "appear here."));
    }

  gtk_label_set_label (self->empty_directory_label, self->data_dir);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
show_error (MrWindow *self)
{
  g_autofree char *escaped = NULL;

  g_assert (self->error != NULL);

  clear_topics (self);

  /* The status page reads its description as markup. */
  escaped = g_markup_escape_text (self->error->message, -1);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_label_set_label (self->error_directory_label, self->data_dir);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

void
_mr_window_set_loading (MrWindow *self,
                        gboolean  loading)
{
  loading = !!loading;

  if (self->loading == loading)
    return;

  self->loading = loading;
  /* A running cluster's refreshes coalesce: asking for one more is fine. */
  if (self->cluster == NULL)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reload", !loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADING]);
}

/* Window state, kept in GSettings. */

static void
restore_window_state (MrWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  gtk_window_set_default_size (GTK_WINDOW (self), width, height);

  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (MrWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));

  /* The default size is the unmaximized size, which is what to restore. */
  if (!maximized)
    {
      int width = 0;
      int height = 0;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }

  g_settings_set_boolean (self->settings, "window-maximized", maximized);
}

/* Callbacks. */

static void
show_spinner_cb (gpointer user_data)
{
  MrWindow *self = user_data;

  self->show_spinner_source = 0;
  gtk_stack_set_visible_child_name (self->stack, "loading");
}

static void
scan_inventory_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(MrWindow) self = user_data;
  g_autoptr(MrLogInventory) inventory = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (MR_IS_WINDOW (self));

  inventory = scan_inventory_finish (result, &error);

  /* Replaced by a newer scan, or the window is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_handle_id (&self->show_spinner_source, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->inventory, mr_log_inventory_free);
  g_clear_error (&self->error);

  if (inventory == NULL)
    {
      g_debug ("Scanning %s failed: %s", self->data_dir, error->message);
      self->error = g_steal_pointer (&error);
      show_error (self);
    }
  else
    {
      g_debug ("Scanned %s: %u brokers, %u topics",
               self->data_dir, inventory->n_brokers, inventory->topics->len);
      self->inventory = g_steal_pointer (&inventory);

      if (self->inventory->topics->len == 0)
        show_empty (self);
      else
        show_inventory (self);
    }

  _mr_window_set_loading (self, FALSE);
}

/* Actions. */

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  mr_window_reload (MR_WINDOW (widget));
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  gtk_window_present (GTK_WINDOW (mr_preferences_window_new (GTK_WINDOW (widget))));
}

/* Virtual functions. */

static gboolean
mr_window_close_request (GtkWindow *window)
{
  MrWindow *self = MR_WINDOW (window);

  save_window_state (self);

  return GTK_WINDOW_CLASS (mr_window_parent_class)->close_request (window);
}

static void
mr_window_constructed (GObject *object)
{
  MrWindow *self = MR_WINDOW (object);
  g_autofree char *name = NULL;

  G_OBJECT_CLASS (mr_window_parent_class)->constructed (object);

  /* A running cluster knows its directory. */
  if (self->data_dir == NULL && self->cluster != NULL)
    self->data_dir = g_strdup (mr_cluster_get_data_dir (self->cluster));

  g_assert (self->data_dir != NULL);

  /* The cluster is named after its directory. */
  name = g_path_get_basename (self->data_dir);
  adw_window_title_set_subtitle (self->offline_title, name);

  restore_window_state (self);

  if (self->cluster != NULL)
    _mr_window_start_live (self);
  else
    mr_window_reload (self);
}

static void
mr_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (mr_window_parent_class)->map (widget);

  _mr_window_set_live_mapped (MR_WINDOW (widget), TRUE);
}

static void
mr_window_unmap (GtkWidget *widget)
{
  _mr_window_set_live_mapped (MR_WINDOW (widget), FALSE);

  GTK_WIDGET_CLASS (mr_window_parent_class)->unmap (widget);
}

static void
mr_window_dispose (GObject *object)
{
  MrWindow *self = MR_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->show_spinner_source, g_source_remove);

  _mr_window_stop_live (self);

  /* The view stack's pages go before the sidebar that lists them: let go
   * of them first, or the list would follow their removal one by one. */
  if (self->sidebar_list != NULL)
    gtk_list_view_set_model (self->sidebar_list, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_WINDOW);
  _mr_window_finish_live (self);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->cluster, mr_cluster_unref);

  G_OBJECT_CLASS (mr_window_parent_class)->dispose (object);
}

static void
mr_window_finalize (GObject *object)
{
  MrWindow *self = MR_WINDOW (object);

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->inventory, mr_log_inventory_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (mr_window_parent_class)->finalize (object);
}

static void
mr_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MrWindow *self = MR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLUSTER:
      g_value_set_pointer (value, self->cluster);
      break;

    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MrWindow *self = MR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLUSTER:
      {
        MrCluster *cluster = g_value_get_pointer (value);

        g_assert (self->cluster == NULL);
        self->cluster = cluster != NULL ? mr_cluster_ref (cluster) : NULL;
      }
      break;

    case PROP_DATA_DIR:
      g_assert (self->data_dir == NULL);
      self->data_dir = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_window_class_init (MrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = mr_window_constructed;
  object_class->dispose = mr_window_dispose;
  object_class->finalize = mr_window_finalize;
  object_class->get_property = mr_window_get_property;
  object_class->set_property = mr_window_set_property;

  widget_class->map = mr_window_map;
  widget_class->unmap = mr_window_unmap;

  window_class->close_request = mr_window_close_request;

  /**
   * MrWindow:cluster:
   *
   * The running cluster the window shows live, as an `MrCluster *`; the
   * window holds a reference. %NULL shows the offline inventory of
   * #MrWindow:data-dir instead.
   */
  properties [PROP_CLUSTER] =
    g_param_spec_pointer ("cluster", NULL, NULL,
                          (G_PARAM_READWRITE |
                           G_PARAM_CONSTRUCT_ONLY |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * MrWindow:data-dir:
   *
   * The cluster's data directory, whose broker folders the window reads
   * when it has no running cluster. With one, it defaults to the cluster's.
   */
  properties [PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * MrWindow:loading:
   *
   * Whether a scan of the data directory, or a refresh of the running
   * cluster's state, is under way. It turns %FALSE when the outcome is on
   * screen.
   */
  properties [PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MR_TYPE_CLUSTER_VIEW);
  g_type_ensure (MR_TYPE_FAILURE_LAB);
  g_type_ensure (MR_TYPE_TOPICS_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MrWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, offline_title);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, reload_button);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, error_directory_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, empty_directory_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, brokers_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, brokers_caption);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, topics_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, topics_caption);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, partitions_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, partitions_caption);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, records_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, records_caption);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, directory_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, size_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, topics_list);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, view_stack);

  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reload", NULL);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.preferences", NULL);

  _mr_window_class_init_live (klass);
}

static void
mr_window_init (MrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

  _mr_window_init_live (self);

#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/* Public API. */

/**
 * mr_window_new:
 * @application: (nullable): the application the window belongs to
 * @data_dir: (nullable): the cluster's data directory; %NULL takes the
 *   directory of @cluster
 * @cluster: (nullable): a running cluster to show live, or %NULL to show
 *   what @data_dir holds on disk
 *
 * Creates a window on a cluster. With @cluster, the window shows its
 * brokers, its topics and its events as they change, and its buttons inject
 * faults; it takes a reference on @cluster and never calls it from the main
 * thread. Without, it shows an inventory of @data_dir.
 *
 * As with any #GtkWindow, GTK owns the new window: gtk_window_destroy()
 * ends it.
 *
 * Returns: (transfer none): a new #MrWindow
 */
GtkWidget *
mr_window_new (GtkApplication *application,
               const char     *data_dir,
               MrCluster      *cluster)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (data_dir != NULL || cluster != NULL, NULL);

  return g_object_new (MR_TYPE_WINDOW,
                       "application", application,
                       "data-dir", data_dir,
                       "cluster", cluster,
                       NULL);
}

const char *
mr_window_get_data_dir (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return self->data_dir;
}

/**
 * mr_window_get_cluster:
 * @self: a #MrWindow
 *
 * Returns: (nullable) (transfer none): the running cluster the window
 *   shows, or %NULL when it shows the offline inventory
 */
MrCluster *
mr_window_get_cluster (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return self->cluster;
}

gboolean
mr_window_get_loading (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), FALSE);

  return self->loading;
}

/**
 * mr_window_get_inventory:
 * @self: a #MrWindow
 *
 * Gets what the last scan of the data directory found.
 *
 * Returns: (nullable) (transfer none): the inventory, or %NULL while the
 *   first scan runs, when the last one failed, or when the window shows a
 *   running cluster
 */
const MrLogInventory *
mr_window_get_inventory (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return self->inventory;
}

/**
 * mr_window_get_error:
 * @self: a #MrWindow
 *
 * Returns: (nullable) (transfer none): why the last scan failed, or %NULL
 */
const GError *
mr_window_get_error (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  return self->error;
}

/**
 * mr_window_get_visible_view:
 * @self: a #MrWindow
 *
 * Returns: the name of the view on screen: "loading", "error", "empty" or
 *   "inventory" for a data directory; "cluster", "topics" or "failure-lab"
 *   for a running cluster
 */
const char *
mr_window_get_visible_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);

  if (self->cluster != NULL)
    return adw_view_stack_get_visible_child_name (self->view_stack);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * mr_window_reload:
 * @self: a #MrWindow
 *
 * Scans the data directory again, replacing any scan under way; or, with a
 * running cluster, reads its state again.
 */
void
mr_window_reload (MrWindow *self)
{
  g_return_if_fail (MR_IS_WINDOW (self));

  if (self->cluster != NULL)
    {
      _mr_window_refresh_live (self);
      return;
    }

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* The first scan shows the spinner at once; later ones keep the current
   * view up for a moment, as most scans end before anyone would notice. */
  g_clear_handle_id (&self->show_spinner_source, g_source_remove);
  if (self->inventory != NULL || self->error != NULL)
    self->show_spinner_source = g_timeout_add_once (SHOW_SPINNER_DELAY_MS,
                                                    show_spinner_cb,
                                                    self);
  else
    gtk_stack_set_visible_child_name (self->stack, "loading");

  _mr_window_set_loading (self, TRUE);

  scan_inventory_async (self->data_dir,
                        self->cancellable,
                        scan_inventory_cb,
                        g_object_ref (self));
}
