/* mr-produce-dialog.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-produce-dialog.h"

#include <glib/gi18n.h>
#include <string.h>

/* One record by hand: key, value, headers and partition. The view that
 * opened the dialog produces it in a worker thread on "produce". */

struct _MrProduceDialog
{
  AdwMessageDialog  parent_instance;

  AdwComboRow      *partition_row;
  GtkStringList    *partition_list;
  AdwEntryRow      *key_row;
  GtkTextView      *value_view;
  GtkTextView      *headers_view;

  gint32            n_partitions;
};

G_DEFINE_FINAL_TYPE (MrProduceDialog, mr_produce_dialog, ADW_TYPE_MESSAGE_DIALOG)

static char *
dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
mr_produce_dialog_class_init (MrProduceDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/millrace/Millrace/ui/mr-produce-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MrProduceDialog, partition_row);
  gtk_widget_class_bind_template_child (widget_class, MrProduceDialog, partition_list);
  gtk_widget_class_bind_template_child (widget_class, MrProduceDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, MrProduceDialog, value_view);
  gtk_widget_class_bind_template_child (widget_class, MrProduceDialog, headers_view);
}

static void
mr_produce_dialog_init (MrProduceDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
mr_produce_dialog_new (GtkWindow  *parent,
                       const char *topic,
                       gint32      n_partitions)
{
  MrProduceDialog *self;
  g_autofree char *body = NULL;

  self = g_object_new (MR_TYPE_PRODUCE_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->n_partitions = n_partitions;

  /* Translators: %s is a topic name. */
  body = g_strdup_printf (_("The record goes to “%s” with acks=all."), topic);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  gtk_string_list_append (self->partition_list, _("Chosen by Key"));
  for (gint32 p = 0; p < n_partitions; p++)
    {
      g_autofree char *name = g_strdup_printf (_("Partition %d"), p);

      gtk_string_list_append (self->partition_list, name);
    }

  return GTK_WIDGET (self);
}

void
mr_produce_dialog_set_key (MrProduceDialog *self,
                           const char      *key)
{
  g_return_if_fail (MR_IS_PRODUCE_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->key_row), key);
}

void
mr_produce_dialog_set_value (MrProduceDialog *self,
                             const char      *value)
{
  g_return_if_fail (MR_IS_PRODUCE_DIALOG (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->value_view), value, -1);
}

void
mr_produce_dialog_set_headers (MrProduceDialog *self,
                               const char      *headers)
{
  g_return_if_fail (MR_IS_PRODUCE_DIALOG (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->headers_view), headers, -1);
}

void
mr_produce_dialog_set_partition (MrProduceDialog *self,
                                 gint32           partition)
{
  g_return_if_fail (MR_IS_PRODUCE_DIALOG (self));
  g_return_if_fail (partition >= -1 && partition < self->n_partitions);

  adw_combo_row_set_selected (self->partition_row, partition + 1);
}

void
mr_produce_dialog_get_record (MrProduceDialog *self,
                              MrRecordCopy    *record)
{
  g_autofree char *value = NULL;
  g_autofree char *headers = NULL;
  g_auto(GStrv) lines = NULL;
  const char *key;
  guint selected;

  g_return_if_fail (MR_IS_PRODUCE_DIALOG (self));

  mr_record_copy_clear (record);

  key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));
  if (key[0] != '\0')
    record->key = g_bytes_new (key, strlen (key));
  value = dup_text (self->value_view);
  record->value = g_bytes_new (value, strlen (value));

  headers = dup_text (self->headers_view);
  lines = g_strsplit (headers, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq;

      if (line[0] == '\0')
        continue;
      eq = strchr (line, '=');
      if (eq == NULL)
        mr_record_copy_add_header (record, line, NULL, -1);
      else
        {
          *eq = '\0';
          mr_record_copy_add_header (record, g_strstrip (line),
                                     (const guint8 *)eq + 1, strlen (eq + 1));
        }
    }

  selected = adw_combo_row_get_selected (self->partition_row);
  if (selected >= 1 && selected != GTK_INVALID_LIST_POSITION)
    record->partition = (gint32)selected - 1;
  else if (record->key != NULL && self->n_partitions > 0)
    record->partition = mr_record_partition_for_key ((const guint8 *)key, strlen (key),
                                                     self->n_partitions);
  else
    record->partition = 0;
}
