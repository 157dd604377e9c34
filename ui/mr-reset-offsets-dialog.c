/* mr-reset-offsets-dialog.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-reset-offsets-dialog.h"

#include <glib/gi18n.h>
#include <stdlib.h>

/* The reset dialog: as kafka-consumer-groups --reset-offsets, per topic and
 * partitions, in six kinds (earliest, latest, an offset, a date and time, a
 * duration back from now, a shift by N), each with the input it needs.
 *
 * Every change of the form computes a preview after a short pause: the
 * engine's reset with dry_run, in a worker, which returns each partition's
 * committed offset and the one Apply would commit. Apply runs the same
 * reset for real. The engine refuses both while the group has members;
 * the dialog then says so and offers to stop the in-process ones. A serial
 * number drops the answers of previews that a newer one replaced. */

#define PREVIEW_DELAY_MS 150

struct _MrResetOffsetsDialog
{
  AdwWindow         parent_instance;

  /* Template widgets. */
  AdwWindowTitle   *window_title;
  AdwComboRow      *topic_row;
  AdwEntryRow      *partitions_row;
  AdwComboRow      *kind_row;
  AdwEntryRow      *value_row;
  GtkWidget        *message_box;
  GtkLabel         *message_label;
  GtkWidget        *stop_button;
  GtkSpinner       *spinner;
  GtkWidget        *preview_group;
  GtkListBox       *preview_list;

  MrCluster        *cluster;
  char             *group_id;
  GtkStringList    *topics;
  GCancellable     *cancellable;
  guint             preview_source;
  guint             serial;
  guint             n_busy;
  GPtrArray        *preview;           /* MrOffsetChange, or NULL */
  char             *message;
  int               n_applied;
};

G_DEFINE_FINAL_TYPE (MrResetOffsetsDialog, mr_reset_offsets_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* Parsing. */

gboolean
mr_parse_partitions (const char  *text,
                     GArray     **partitions,
                     GError     **error)
{
  g_autoptr(GArray) result = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_auto(GStrv) parts = g_strsplit_set (text != NULL ? text : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *dash;
      guint64 first, last;

      if (part[0] == '\0')
        continue;
      dash = strchr (part, '-');
      if (dash != NULL)
        *dash = '\0';
      if (!g_ascii_string_to_unsigned (g_strstrip (part), 10, 0, G_MAXINT32, &first, NULL) ||
          (dash != NULL &&
           !g_ascii_string_to_unsigned (g_strstrip (dash + 1), 10, 0, G_MAXINT32, &last, NULL)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a partition number or a range such as 2-5"),
                       parts[i]);
          return FALSE;
        }
      if (dash == NULL)
        last = first;
      if (last < first || last - first > 10000)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The range %s-%s is not valid"), part, dash + 1);
          return FALSE;
        }
      for (guint64 p = first; p <= last; p++)
        {
          gint32 value = (gint32) p;

          g_array_append_val (result, value);
        }
    }

  *partitions = g_steal_pointer (&result);

  return TRUE;
}

gboolean
mr_parse_date_time (const char  *text,
                    gint64      *ms,
                    GError     **error)
{
  g_autofree char *iso = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) dt = NULL;
  char *space = strchr (iso, ' ');

  /* "2026-11-25 09:30", "2026-11-25T09:30:00", with or without a zone. */
  if (space != NULL)
    *space = 'T';
  if (strlen (iso) == 16)
    {
      char *longer = g_strconcat (iso, ":00", NULL);

      g_free (iso);
      iso = longer;
    }
  dt = g_date_time_new_from_iso8601 (iso, local);
  if (dt == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Write a date and time such as 2026-11-25 09:30"));
      return FALSE;
    }
  *ms = g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;

  return TRUE;
}

gboolean
mr_parse_duration (const char  *text,
                   gint64      *ms,
                   GError     **error)
{
  g_autofree char *copy = g_ascii_strdown (text != NULL ? text : "", -1);
  const char *p = g_strstrip (copy);
  gint64 total = 0;
  gboolean any = FALSE;

  /* "1h30m", "90s", "2d", or ISO 8601 as kafka-consumer-groups takes it:
   * "PT10M", "P1DT2H". */
  if (*p == 'p')
    p++;
  while (*p != '\0')
    {
      char *end = NULL;
      double value;
      gint64 unit;

      if (*p == 't' || *p == ' ')
        {
          p++;
          continue;
        }
      value = g_ascii_strtod (p, &end);
      if (end == p || value < 0)
        break;
      p = end;
      while (*p == ' ')
        p++;
      switch (*p)
        {
        case 'd': unit = 24 * 3600 * 1000; break;
        case 'h': unit = 3600 * 1000; break;
        case 'm':
          unit = p[1] == 's' ? 1 : 60 * 1000;
          if (p[1] == 's')
            p++;
          break;
        case 's': unit = 1000; break;
        default: unit = 0; break;
        }
      if (unit == 0)
        break;
      p++;
      total += (gint64) (value * unit);
      any = TRUE;
    }
  if (!any || *p != '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Write a duration such as 15m, 1h30m, 2d or PT10M"));
      return FALSE;
    }
  *ms = total;

  return TRUE;
}

/* The form. */

static MrOffsetResetKind
get_kind (MrResetOffsetsDialog *self)
{
  return (MrOffsetResetKind) adw_combo_row_get_selected (self->kind_row);
}

static const char *
get_topic (MrResetOffsetsDialog *self)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (self->topic_row);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

/* The value the kind needs, from the value row. */
static gboolean
parse_value (MrResetOffsetsDialog *self,
             gint64               *value,
             GError              **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->value_row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  *value = 0;
  switch (get_kind (self))
    {
    case MR_OFFSET_RESET_TO_EARLIEST:
    case MR_OFFSET_RESET_TO_LATEST:
      return TRUE;
    case MR_OFFSET_RESET_TO_OFFSET:
      {
        guint64 offset;

        if (!g_ascii_string_to_unsigned (stripped, 10, 0, G_MAXINT64, &offset, NULL))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _("Write the offset to go to, a whole number from 0"));
            return FALSE;
          }
        *value = (gint64) offset;
        return TRUE;
      }
    case MR_OFFSET_RESET_TO_DATETIME:
      return mr_parse_date_time (stripped, value, error);
    case MR_OFFSET_RESET_BY_DURATION:
      return mr_parse_duration (stripped, value, error);
    case MR_OFFSET_RESET_SHIFT_BY:
      if (!g_ascii_string_to_signed (g_str_has_prefix (stripped, "+") ? stripped + 1 : stripped,
                                     10, G_MININT64 / 2, G_MAXINT64 / 2, value, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Write how many records to shift by, such as -100 to read them again"));
          return FALSE;
        }
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

static void
set_message (MrResetOffsetsDialog *self,
             const char           *message,
             gboolean              offer_stop)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_label (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (self->message_box, message != NULL);
  gtk_widget_set_visible (self->stop_button, offer_stop);
  /* A refusal stands out; the outcome of Apply does not need to. */
  if (offer_stop)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "warning");
}

static void
show_preview (MrResetOffsetsDialog *self,
              GPtrArray            *changes)
{
  GtkWidget *child;

  g_clear_pointer (&self->preview, g_ptr_array_unref);
  if (changes != NULL)
    self->preview = g_ptr_array_ref (changes);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_list))) != NULL)
    gtk_list_box_remove (self->preview_list, child);

  gtk_widget_set_visible (self->preview_group, changes != NULL);
  for (guint i = 0; changes != NULL && i < changes->len; i++)
    {
      MrOffsetChange *change = g_ptr_array_index (changes, i);
      g_autofree char *title = g_strdup_printf ("%s-%d", change->topic, change->partition);
      g_autofree char *old_text = change->old_offset >= 0
        ? g_strdup_printf ("%'" G_GINT64_FORMAT, change->old_offset)
        : g_strdup (C_("no offset committed", "none"));
      g_autofree char *new_text = g_strdup_printf ("%'" G_GINT64_FORMAT, change->new_offset);
      g_autofree char *text = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *label;

      /* Translators: a partition's committed offset now, then after the
       * reset. */
      text = g_strdup_printf (_("%s → %s"), old_text, new_text);
      label = gtk_label_new (text);
      gtk_widget_add_css_class (label, "numeric");
      if (change->new_offset != change->old_offset)
        gtk_widget_add_css_class (label, "accent");
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->preview_list, row);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reset.apply",
                                 changes != NULL && changes->len > 0 && self->n_busy == 0);
}

static void
update_busy (MrResetOffsetsDialog *self)
{
  gtk_spinner_set_spinning (self->spinner, self->n_busy > 0);
  if (self->n_busy > 0)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "reset.apply", FALSE);
  else
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "reset.apply",
                                   self->preview != NULL && self->preview->len > 0);
}

/* The engine, in workers. */

typedef enum
{
  JOB_PREVIEW,
  JOB_APPLY,
  JOB_STOP,
} JobKind;

typedef struct
{
  JobKind            kind;
  guint              serial;
  MrCluster         *cluster;
  char              *group_id;
  char              *topic;
  GArray            *partitions;
  MrOffsetResetKind  reset_kind;
  gint64             value;
} Job;

static void
job_free (Job *job)
{
  g_clear_pointer (&job->cluster, mr_cluster_unref);
  g_free (job->group_id);
  g_free (job->topic);
  g_clear_pointer (&job->partitions, g_array_unref);
  g_free (job);
}

static void
job_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  GPtrArray *changes;

  if (job->kind == JOB_STOP)
    {
      guint n = mr_cluster_stop_group_members (job->cluster, job->group_id);

      g_task_return_pointer (task, GUINT_TO_POINTER (n + 1), NULL);
      return;
    }

  changes = mr_cluster_reset_group_offsets (job->cluster, job->group_id, job->topic,
                                            job->partitions, job->reset_kind, job->value,
                                            job->kind == JOB_PREVIEW, &error);
  if (changes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, changes, (GDestroyNotify) g_ptr_array_unref);
}

static void schedule_preview (MrResetOffsetsDialog *self);

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MrResetOffsetsDialog) self = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gpointer answer;

  answer = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->n_busy--;

  if (job->kind == JOB_STOP)
    {
      guint n = GPOINTER_TO_UINT (answer) - 1;
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u demo consumer stopped",
                                                            "%u demo consumers stopped", n), n);

      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, text);
      update_busy (self);
      schedule_preview (self);
      return;
    }

  if (job->kind == JOB_PREVIEW && job->serial != self->serial)
    {
      if (answer != NULL)
        g_ptr_array_unref (answer);
      update_busy (self);
      return;
    }

  if (answer == NULL)
    {
      g_autofree char *message = NULL;
      gboolean members = g_error_matches (error, MR_GROUP_ERROR, MR_GROUP_ERROR_ACTIVE_MEMBERS);

      if (members)
        message = g_strdup_printf (_("“%s” has active members. Offsets can only be reset while the group is empty, so that no consumer commits over them. Stop its consumers first."),
                                   self->group_id);
      else if (job->kind == JOB_PREVIEW)
        /* Translators: the engine's reason follows. */
        message = g_strdup_printf (_("No preview: %s"), error->message);
      else
        message = g_strdup_printf (_("Nothing was reset: %s"), error->message);
      show_preview (self, NULL);
      set_message (self, message, members);
      update_busy (self);
      return;
    }

  if (job->kind == JOB_PREVIEW)
    {
      set_message (self, NULL, FALSE);
      show_preview (self, answer);
      g_ptr_array_unref (answer);
    }
  else
    {
      GPtrArray *changes = answer;
      g_autofree char *text = NULL;

      self->n_applied = changes->len;
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Reset the offset of %u partition of %s",
                                           "Reset the offsets of %u partitions of %s",
                                           changes->len),
                              changes->len, self->group_id);
      set_message (self, text, FALSE);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, text);
      g_ptr_array_unref (changes);
      /* Now the old offsets are the new ones. */
      schedule_preview (self);
    }
  update_busy (self);
}

static void
run_job (MrResetOffsetsDialog *self,
         Job                  *job)
{
  g_autoptr(GTask) task = NULL;

  job->cluster = mr_cluster_ref (self->cluster);
  job->group_id = g_strdup (self->group_id);
  self->n_busy++;
  update_busy (self);
  task = g_task_new (NULL, self->cancellable, job_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, run_job);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_worker);
}

/* The job the form describes, or NULL with the message why not. */
static Job *
job_from_form (MrResetOffsetsDialog *self,
               JobKind               kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) partitions = NULL;
  const char *topic = get_topic (self);
  gint64 value;
  Job *job;

  if (topic == NULL)
    {
      set_message (self, _("The group has no topic to reset"), FALSE);
      return NULL;
    }
  if (!mr_parse_partitions (gtk_editable_get_text (GTK_EDITABLE (self->partitions_row)),
                            &partitions, &error) ||
      !parse_value (self, &value, &error))
    {
      set_message (self, error->message, FALSE);
      show_preview (self, NULL);
      return NULL;
    }

  job = g_new0 (Job, 1);
  job->kind = kind;
  job->topic = g_strdup (topic);
  job->partitions = g_steal_pointer (&partitions);
  job->reset_kind = get_kind (self);
  job->value = value;

  return job;
}

static gboolean
preview_cb (gpointer user_data)
{
  MrResetOffsetsDialog *self = user_data;
  Job *job;

  self->preview_source = 0;
  job = job_from_form (self, JOB_PREVIEW);
  if (job == NULL)
    return G_SOURCE_REMOVE;

  job->serial = ++self->serial;
  run_job (self, job);

  return G_SOURCE_REMOVE;
}

static void
schedule_preview (MrResetOffsetsDialog *self)
{
  /* A newer form: the preview under way no longer counts. */
  self->serial++;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reset.apply", FALSE);
  g_clear_handle_id (&self->preview_source, g_source_remove);
  self->preview_source = g_timeout_add (PREVIEW_DELAY_MS, preview_cb, self);
}

/* Callbacks. */

static void
input_changed_cb (MrResetOffsetsDialog *self)
{
  schedule_preview (self);
}

static void
kind_changed_cb (MrResetOffsetsDialog *self)
{
  const char *title = NULL;
  g_autofree char *example = NULL;

  /* Each kind's input, filled with a value that works, to edit. */
  switch (get_kind (self))
    {
    case MR_OFFSET_RESET_TO_OFFSET:
      title = _("Offset");
      example = g_strdup ("0");
      break;
    case MR_OFFSET_RESET_TO_DATETIME:
      {
        g_autoptr(GDateTime) now = g_date_time_new_now_local ();
        g_autoptr(GDateTime) hour_ago = g_date_time_add_hours (now, -1);

        title = _("Date and Time (such as 2026-11-25 09:30)");
        example = g_date_time_format (hour_ago, "%Y-%m-%d %H:%M");
      }
      break;
    case MR_OFFSET_RESET_BY_DURATION:
      title = _("Duration Back from Now (such as 15m, 1h30m, 2d)");
      example = g_strdup ("15m");
      break;
    case MR_OFFSET_RESET_SHIFT_BY:
      title = _("Shift By (negative goes back)");
      example = g_strdup ("-10");
      break;
    case MR_OFFSET_RESET_TO_EARLIEST:
    case MR_OFFSET_RESET_TO_LATEST:
    default:
      break;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->value_row), title != NULL);
  if (title != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->value_row), title);
      gtk_editable_set_text (GTK_EDITABLE (self->value_row), example);
    }
  schedule_preview (self);
}

/* Actions. */

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MrResetOffsetsDialog *self = MR_RESET_OFFSETS_DIALOG (widget);
  Job *job = job_from_form (self, JOB_APPLY);

  if (job != NULL)
    run_job (self, job);
}

static void
stop_members_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MrResetOffsetsDialog *self = MR_RESET_OFFSETS_DIALOG (widget);
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_STOP;
  run_job (self, job);
}

/* Vfuncs. */

static void
mr_reset_offsets_dialog_dispose (GObject *object)
{
  MrResetOffsetsDialog *self = MR_RESET_OFFSETS_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->preview_source, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (object), MR_TYPE_RESET_OFFSETS_DIALOG);

  G_OBJECT_CLASS (mr_reset_offsets_dialog_parent_class)->dispose (object);
}

static void
mr_reset_offsets_dialog_finalize (GObject *object)
{
  MrResetOffsetsDialog *self = MR_RESET_OFFSETS_DIALOG (object);

  g_clear_pointer (&self->cluster, mr_cluster_unref);
  g_clear_object (&self->topics);
  g_clear_pointer (&self->preview, g_ptr_array_unref);
  g_free (self->group_id);
  g_free (self->message);

  G_OBJECT_CLASS (mr_reset_offsets_dialog_parent_class)->finalize (object);
}

static void
mr_reset_offsets_dialog_class_init (MrResetOffsetsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_reset_offsets_dialog_dispose;
  object_class->finalize = mr_reset_offsets_dialog_finalize;

  /**
   * MrResetOffsetsDialog::changed:
   * @message: what changed, for a toast
   *
   * Offsets were reset, or demo consumers stopped.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-reset-offsets-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, topic_row);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, partitions_row);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, value_row);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, message_box);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, stop_button);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, preview_group);
  gtk_widget_class_bind_template_child (widget_class, MrResetOffsetsDialog, preview_list);
  gtk_widget_class_bind_template_callback (widget_class, input_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, kind_changed_cb);

  gtk_widget_class_install_action (widget_class, "reset.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "reset.stop-members", NULL, stop_members_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
mr_reset_offsets_dialog_init (MrResetOffsetsDialog *self)
{
  self->n_applied = -1;
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reset.apply", FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->value_row), FALSE);
}

/* Public API. */

/**
 * mr_reset_offsets_dialog_new:
 * @cluster: the running cluster
 * @group_id: the group whose offsets to reset
 * @topics: the topics to offer, the group's
 *
 * Returns: (transfer floating): the dialog, to make transient and present
 */
GtkWidget *
mr_reset_offsets_dialog_new (MrCluster          *cluster,
                             const char         *group_id,
                             const char * const *topics)
{
  MrResetOffsetsDialog *self;

  g_return_val_if_fail (cluster != NULL, NULL);
  g_return_val_if_fail (group_id != NULL, NULL);

  self = g_object_new (MR_TYPE_RESET_OFFSETS_DIALOG, NULL);
  self->cluster = mr_cluster_ref (cluster);
  self->group_id = g_strdup (group_id);
  self->topics = gtk_string_list_new (topics);
  adw_window_title_set_subtitle (self->window_title, group_id);
  adw_combo_row_set_model (self->topic_row, G_LIST_MODEL (self->topics));
  schedule_preview (self);

  return GTK_WIDGET (self);
}

void
mr_reset_offsets_dialog_set_topic (MrResetOffsetsDialog *self,
                                   const char           *topic)
{
  guint n;

  g_return_if_fail (MR_IS_RESET_OFFSETS_DIALOG (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->topics));
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->topics, i), topic) == 0)
      adw_combo_row_set_selected (self->topic_row, i);
}

void
mr_reset_offsets_dialog_set_partitions (MrResetOffsetsDialog *self,
                                        const char           *partitions)
{
  g_return_if_fail (MR_IS_RESET_OFFSETS_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->partitions_row), partitions);
}

void
mr_reset_offsets_dialog_set_kind (MrResetOffsetsDialog *self,
                                  MrOffsetResetKind     kind)
{
  g_return_if_fail (MR_IS_RESET_OFFSETS_DIALOG (self));
  g_return_if_fail (kind <= MR_OFFSET_RESET_SHIFT_BY);

  adw_combo_row_set_selected (self->kind_row, kind);
}

void
mr_reset_offsets_dialog_set_value (MrResetOffsetsDialog *self,
                                   const char           *value)
{
  g_return_if_fail (MR_IS_RESET_OFFSETS_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->value_row), value);
}

gboolean
mr_reset_offsets_dialog_get_busy (MrResetOffsetsDialog *self)
{
  g_return_val_if_fail (MR_IS_RESET_OFFSETS_DIALOG (self), FALSE);

  return self->n_busy > 0 || self->preview_source != 0;
}

GPtrArray *
mr_reset_offsets_dialog_get_preview (MrResetOffsetsDialog *self)
{
  g_return_val_if_fail (MR_IS_RESET_OFFSETS_DIALOG (self), NULL);

  return self->preview;
}

const char *
mr_reset_offsets_dialog_get_message (MrResetOffsetsDialog *self)
{
  g_return_val_if_fail (MR_IS_RESET_OFFSETS_DIALOG (self), NULL);

  return self->message;
}

int
mr_reset_offsets_dialog_get_n_applied (MrResetOffsetsDialog *self)
{
  g_return_val_if_fail (MR_IS_RESET_OFFSETS_DIALOG (self), -1);

  return self->n_applied;
}
