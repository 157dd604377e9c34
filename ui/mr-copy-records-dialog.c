/* mr-copy-records-dialog.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-copy-records-dialog.h"

#include <glib/gi18n.h>

#include "mr-reset-offsets-dialog.h"

/* The copy dialog: the records of one topic whose offsets (or timestamps)
 * lie in a range, into another topic, keys, headers and timestamps kept,
 * through the engine's mr_cluster_copy_records in a worker. It checks the
 * form before it asks, counts the records as the target acknowledges them,
 * offers Stop while it runs (the copy ends on a batch boundary; what was
 * copied stays and is counted), and then reports how many were copied.
 *
 * @locks progress_lock guards the count the worker reports; everything
 * else is the main thread's. */

struct _MrCopyRecordsDialog
{
  AdwWindow      parent_instance;

  /* Template widgets. */
  AdwComboRow   *source_row;
  AdwComboRow   *target_row;
  AdwComboRow   *range_row;
  AdwEntryRow   *from_row;
  AdwEntryRow   *to_row;
  GtkWidget     *copy_button;
  GtkWidget     *stop_button;
  GtkWidget     *message_box;
  GtkSpinner    *spinner;
  GtkLabel      *message_label;

  MrCluster     *cluster;
  GtkStringList *topics;
  GCancellable  *cancellable;      /* the running copy's */
  gboolean       busy;
  gboolean       stopping;
  gint64         copied;
  char          *message;

  GMutex         progress_lock;
  gint64         progress;         /* records acknowledged so far */
  gboolean       progress_shown;   /* no update is queued */
};

G_DEFINE_FINAL_TYPE (MrCopyRecordsDialog, mr_copy_records_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

typedef struct
{
  MrCopyRecordsDialog *self;       /* kept by the task's callback */
  MrCluster *cluster;
  char      *source;
  char      *target;
  gint64     from_offset;
  gint64     to_offset;
  gint64     from_time;
  gint64     to_time;
} CopyJob;

static void
copy_job_free (CopyJob *job)
{
  g_clear_pointer (&job->cluster, mr_cluster_unref);
  g_free (job->source);
  g_free (job->target);
  g_free (job);
}

static void
set_message (MrCopyRecordsDialog *self,
             const char          *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  gtk_label_set_label (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (self->message_box, message != NULL);
}

static const char *
selected_topic (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

/* A bound of the range from its row: -1 when empty. */
static gboolean
parse_bound (MrCopyRecordsDialog *self,
             AdwEntryRow         *row,
             gint64              *value,
             GError             **error)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  guint64 offset;

  *value = -1;
  if (text[0] == '\0')
    return TRUE;
  if (adw_combo_row_get_selected (self->range_row) == MR_COPY_RANGE_TIME)
    return mr_parse_date_time (text, value, error);
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &offset, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an offset: write a whole number from 0"), text);
      return FALSE;
    }
  *value = (gint64) offset;

  return TRUE;
}

static gboolean
show_progress (gpointer user_data)
{
  MrCopyRecordsDialog *self = user_data;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;
  gint64 progress;

  g_mutex_lock (&self->progress_lock);
  progress = self->progress;
  self->progress_shown = TRUE;
  g_mutex_unlock (&self->progress_lock);

  if (!self->busy || self->stopping)
    return G_SOURCE_REMOVE;
  count = g_strdup_printf ("%'" G_GINT64_FORMAT, progress);
  /* Translators: a running count of records copied so far. */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Copying… %s record so far",
                                       "Copying… %s records so far",
                                       progress),
                          count);
  set_message (self, text);
  return G_SOURCE_REMOVE;
}

/* @locality: the copying worker. One update at a time is queued for the
 * main thread, which shows the latest count. */
static void
copy_progress_cb (gint64   copied,
                  gpointer user_data)
{
  MrCopyRecordsDialog *self = user_data;
  gboolean queue;

  g_mutex_lock (&self->progress_lock);
  self->progress = copied;
  queue = self->progress_shown;
  self->progress_shown = FALSE;
  g_mutex_unlock (&self->progress_lock);

  if (queue)
    g_idle_add_full (G_PRIORITY_DEFAULT, show_progress, g_object_ref (self),
                     g_object_unref);
}

static void
copy_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CopyJob *job = task_data;
  GError *error = NULL;
  gint64 n;

  n = mr_cluster_copy_records (job->cluster, job->source, job->target,
                               job->from_offset, job->to_offset,
                               job->from_time, job->to_time, cancellable,
                               copy_progress_cb, job->self, &error);
  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static void
copy_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MrCopyRecordsDialog) self = user_data;
  CopyJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *count = NULL;
  gssize n;

  n = g_task_propagate_int (G_TASK (result), &error);
  /* Cancelled without Stop: the dialog went away. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !self->stopping)
    return;

  self->busy = FALSE;
  self->stopping = FALSE;
  g_clear_object (&self->cancellable);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_widget_set_visible (self->stop_button, FALSE);
  gtk_widget_set_visible (self->copy_button, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "copy.copy", TRUE);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_mutex_lock (&self->progress_lock);
      self->copied = self->progress;
      g_mutex_unlock (&self->progress_lock);
      count = g_strdup_printf ("%'" G_GINT64_FORMAT, self->copied);
      /* Translators: a count of records, then the target topic. */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Stopped after copying %s record into %s",
                                           "Stopped after copying %s records into %s",
                                           self->copied),
                              count, job->target);
      set_message (self, text);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, text);
      return;
    }

  if (error != NULL)
    {
      self->copied = -1;
      /* Translators: the engine's reason follows. */
      text = g_strdup_printf (_("Nothing was copied: %s"), error->message);
      set_message (self, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      return;
    }

  self->copied = n;
  count = g_strdup_printf ("%'" G_GSSIZE_FORMAT, n);
  /* Translators: a count of records, then the source and target topics. */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Copied %s record from %s into %s",
                                       "Copied %s records from %s into %s",
                                       n),
                          count, job->source, job->target);
  set_message (self, text);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, text);
}

static void
input_changed_cb (MrCopyRecordsDialog *self)
{
  if (!self->busy)
    set_message (self, NULL);
}

static void
range_changed_cb (MrCopyRecordsDialog *self)
{
  if (adw_combo_row_get_selected (self->range_row) == MR_COPY_RANGE_TIME)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->from_row),
                                     _("From (such as 2026-11-25 09:30)"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->to_row),
                                     _("To (such as 2026-11-25 10:00)"));
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->from_row),
                                     _("From Offset"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->to_row),
                                     _("To Offset"));
    }
  gtk_editable_set_text (GTK_EDITABLE (self->from_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), "");
  input_changed_cb (self);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MrCopyRecordsDialog *self = MR_COPY_RECORDS_DIALOG (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  const char *source = selected_topic (self->source_row);
  const char *target = selected_topic (self->target_row);
  gint64 from, to;
  CopyJob *job;

  if (self->busy)
    return;
  if (source == NULL || target == NULL)
    {
      set_message (self, _("Choose the topic to copy from and the one to copy into"));
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      return;
    }
  if (g_str_equal (source, target))
    {
      set_message (self, _("Choose another topic to copy into: copying a topic into itself would repeat its records"));
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      return;
    }
  if (!parse_bound (self, self->from_row, &from, &error) ||
      !parse_bound (self, self->to_row, &to, &error))
    {
      set_message (self, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      return;
    }
  if (from >= 0 && to >= 0 && to < from)
    {
      set_message (self, _("The range ends before it starts"));
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      return;
    }

  job = g_new0 (CopyJob, 1);
  job->self = self;
  job->cluster = mr_cluster_ref (self->cluster);
  job->source = g_strdup (source);
  job->target = g_strdup (target);
  job->from_offset = job->to_offset = job->from_time = job->to_time = -1;
  if (adw_combo_row_get_selected (self->range_row) == MR_COPY_RANGE_TIME)
    {
      job->from_time = from;
      job->to_time = to;
    }
  else
    {
      job->from_offset = from;
      job->to_offset = to;
    }

  self->busy = TRUE;
  self->cancellable = g_cancellable_new ();
  g_mutex_lock (&self->progress_lock);
  self->progress = 0;
  self->progress_shown = TRUE;
  g_mutex_unlock (&self->progress_lock);
  gtk_widget_action_set_enabled (widget, "copy.copy", FALSE);
  gtk_widget_action_set_enabled (widget, "copy.stop", TRUE);
  gtk_widget_set_visible (self->copy_button, FALSE);
  gtk_widget_set_visible (self->stop_button, TRUE);
  set_message (self, _("Copying…"));
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  task = g_task_new (NULL, self->cancellable, copy_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, copy_action);
  g_task_set_task_data (task, job, (GDestroyNotify) copy_job_free);
  g_task_run_in_thread (task, copy_worker);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MrCopyRecordsDialog *self = MR_COPY_RECORDS_DIALOG (widget);

  if (!self->busy || self->stopping)
    return;
  self->stopping = TRUE;
  gtk_widget_action_set_enabled (widget, "copy.stop", FALSE);
  set_message (self, _("Stopping after the batch under way…"));
  g_cancellable_cancel (self->cancellable);
}

static void
mr_copy_records_dialog_dispose (GObject *object)
{
  MrCopyRecordsDialog *self = MR_COPY_RECORDS_DIALOG (object);

  /* A copy under way stops at its next batch; its answer is dropped. */
  self->stopping = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (object), MR_TYPE_COPY_RECORDS_DIALOG);

  G_OBJECT_CLASS (mr_copy_records_dialog_parent_class)->dispose (object);
}

static void
mr_copy_records_dialog_finalize (GObject *object)
{
  MrCopyRecordsDialog *self = MR_COPY_RECORDS_DIALOG (object);

  g_clear_pointer (&self->cluster, mr_cluster_unref);
  g_clear_object (&self->topics);
  g_free (self->message);
  g_mutex_clear (&self->progress_lock);

  G_OBJECT_CLASS (mr_copy_records_dialog_parent_class)->finalize (object);
}

static void
mr_copy_records_dialog_class_init (MrCopyRecordsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_copy_records_dialog_dispose;
  object_class->finalize = mr_copy_records_dialog_finalize;

  /**
   * MrCopyRecordsDialog::changed:
   * @message: what was copied, for a toast
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-copy-records-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, source_row);
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, target_row);
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, range_row);
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, from_row);
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, to_row);
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, stop_button);
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, message_box);
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, MrCopyRecordsDialog, message_label);
  gtk_widget_class_bind_template_callback (widget_class, input_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, range_changed_cb);

  gtk_widget_class_install_action (widget_class, "copy.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "copy.stop", NULL, stop_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
mr_copy_records_dialog_init (MrCopyRecordsDialog *self)
{
  self->copied = -1;
  g_mutex_init (&self->progress_lock);
  self->progress_shown = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "copy.stop", FALSE);
  range_changed_cb (self);
}

/**
 * mr_copy_records_dialog_new:
 * @cluster: the running cluster
 * @topics: the topics to offer
 *
 * Returns: (transfer floating): the dialog, to make transient and present
 */
GtkWidget *
mr_copy_records_dialog_new (MrCluster          *cluster,
                            const char * const *topics)
{
  MrCopyRecordsDialog *self;

  g_return_val_if_fail (cluster != NULL, NULL);

  self = g_object_new (MR_TYPE_COPY_RECORDS_DIALOG, NULL);
  self->cluster = mr_cluster_ref (cluster);
  self->topics = gtk_string_list_new (topics);
  adw_combo_row_set_model (self->source_row, G_LIST_MODEL (self->topics));
  adw_combo_row_set_model (self->target_row, G_LIST_MODEL (self->topics));
  if (g_list_model_get_n_items (G_LIST_MODEL (self->topics)) > 1)
    adw_combo_row_set_selected (self->target_row, 1);
  set_message (self, NULL);

  return GTK_WIDGET (self);
}

static void
select_topic (MrCopyRecordsDialog *self,
              AdwComboRow         *row,
              const char          *topic)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->topics));

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->topics, i), topic) == 0)
      adw_combo_row_set_selected (row, i);
}

void
mr_copy_records_dialog_set_topics (MrCopyRecordsDialog *self,
                                   const char          *source,
                                   const char          *target)
{
  g_return_if_fail (MR_IS_COPY_RECORDS_DIALOG (self));

  select_topic (self, self->source_row, source);
  select_topic (self, self->target_row, target);
}

void
mr_copy_records_dialog_set_range (MrCopyRecordsDialog *self,
                                  MrCopyRange          range,
                                  const char          *from,
                                  const char          *to)
{
  g_return_if_fail (MR_IS_COPY_RECORDS_DIALOG (self));

  adw_combo_row_set_selected (self->range_row, range);
  gtk_editable_set_text (GTK_EDITABLE (self->from_row), from != NULL ? from : "");
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), to != NULL ? to : "");
}

gboolean
mr_copy_records_dialog_get_busy (MrCopyRecordsDialog *self)
{
  g_return_val_if_fail (MR_IS_COPY_RECORDS_DIALOG (self), FALSE);

  return self->busy;
}

gint64
mr_copy_records_dialog_get_copied (MrCopyRecordsDialog *self)
{
  g_return_val_if_fail (MR_IS_COPY_RECORDS_DIALOG (self), -1);

  return self->copied;
}

const char *
mr_copy_records_dialog_get_message (MrCopyRecordsDialog *self)
{
  g_return_val_if_fail (MR_IS_COPY_RECORDS_DIALOG (self), NULL);

  return self->message;
}
