/* mr-topic-dialog.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-topic-dialog.h"

#include <glib/gi18n.h>

/* Create a topic, or change an existing one's partition count and common
 * configs. The dialog only collects the values: the view that opened it
 * applies them in a worker thread when the "apply" response comes, and
 * reports the engine's verdict (a bad value changes nothing). */

struct _MrTopicDialog
{
  AdwMessageDialog  parent_instance;

  AdwEntryRow      *name_row;
  AdwActionRow     *partitions_row;
  GtkSpinButton    *partitions_spin;
  AdwActionRow     *replication_row;
  GtkSpinButton    *replication_spin;
  AdwComboRow      *cleanup_row;
  AdwEntryRow      *retention_ms_row;
  AdwEntryRow      *retention_bytes_row;
  AdwEntryRow      *segment_bytes_row;
  AdwEntryRow      *min_insync_row;
  AdwEntryRow      *max_message_row;

  GHashTable       *old_configs;    /* editing: the topic's overrides */
};

G_DEFINE_FINAL_TYPE (MrTopicDialog, mr_topic_dialog, ADW_TYPE_MESSAGE_DIALOG)

static const char * const cleanup_policies[] = { "delete", "compact", "compact,delete" };

static AdwEntryRow *
row_for_config (MrTopicDialog *self,
                const char    *name)
{
  if (g_str_equal (name, "retention.ms"))
    return self->retention_ms_row;
  if (g_str_equal (name, "retention.bytes"))
    return self->retention_bytes_row;
  if (g_str_equal (name, "segment.bytes"))
    return self->segment_bytes_row;
  if (g_str_equal (name, "min.insync.replicas"))
    return self->min_insync_row;
  if (g_str_equal (name, "max.message.bytes"))
    return self->max_message_row;

  return NULL;
}

static const char * const entry_configs[] = {
  "retention.ms", "retention.bytes", "segment.bytes",
  "min.insync.replicas", "max.message.bytes",
};

static void
name_changed_cb (MrTopicDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "apply",
                                           name[0] != '\0');
}

static void
mr_topic_dialog_finalize (GObject *object)
{
  MrTopicDialog *self = (MrTopicDialog *)object;

  g_clear_pointer (&self->old_configs, g_hash_table_unref);

  G_OBJECT_CLASS (mr_topic_dialog_parent_class)->finalize (object);
}

static void
mr_topic_dialog_class_init (MrTopicDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = mr_topic_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/millrace/Millrace/ui/mr-topic-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, partitions_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, partitions_spin);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, replication_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, replication_spin);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, cleanup_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, retention_ms_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, retention_bytes_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, segment_bytes_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, min_insync_row);
  gtk_widget_class_bind_template_child (widget_class, MrTopicDialog, max_message_row);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
}

static void
mr_topic_dialog_init (MrTopicDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
mr_topic_dialog_new (GtkWindow         *parent,
                     guint              n_brokers,
                     const MrTopicInfo *info)
{
  MrTopicDialog *self;

  self = g_object_new (MR_TYPE_TOPIC_DIALOG,
                       "transient-for", parent,
                       NULL);

  gtk_spin_button_set_range (self->replication_spin, 1, MAX (n_brokers, 1));

  if (info == NULL)
    {
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("New Topic"));
      adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self),
                                   _("Records are spread over the partitions by key; each partition is copied to as many brokers as the replication factor says."));
      gtk_spin_button_set_value (self->replication_spin, MIN (3, MAX (n_brokers, 1)));
      name_changed_cb (self);
      return GTK_WIDGET (self);
    }

  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Edit Topic"));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self),
                               _("Partitions can be added but never removed. Empty fields use the broker’s defaults."));
  adw_message_dialog_set_response_label (ADW_MESSAGE_DIALOG (self), "apply", _("_Apply"));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), info->name);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), FALSE);
  gtk_spin_button_set_range (self->partitions_spin, info->partitions->len, 1000);
  gtk_spin_button_set_value (self->partitions_spin, info->partitions->len);
  if (info->partitions->len > 0)
    {
      const MrPartitionInfo *p = g_ptr_array_index (info->partitions, 0);

      gtk_spin_button_set_value (self->replication_spin, p->replicas->len);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->replication_row), FALSE);

  self->old_configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (info->configs != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, info->configs);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_hash_table_insert (self->old_configs, g_strdup (key), g_strdup (value));
          mr_topic_dialog_set_config (self, key, value);
        }
    }
  name_changed_cb (self);

  return GTK_WIDGET (self);
}

gboolean
mr_topic_dialog_get_editing (MrTopicDialog *self)
{
  g_return_val_if_fail (MR_IS_TOPIC_DIALOG (self), FALSE);

  return self->old_configs != NULL;
}

const char *
mr_topic_dialog_get_name (MrTopicDialog *self)
{
  g_return_val_if_fail (MR_IS_TOPIC_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_row));
}

void
mr_topic_dialog_set_name (MrTopicDialog *self,
                          const char    *name)
{
  g_return_if_fail (MR_IS_TOPIC_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}

gint32
mr_topic_dialog_get_n_partitions (MrTopicDialog *self)
{
  g_return_val_if_fail (MR_IS_TOPIC_DIALOG (self), 0);

  return gtk_spin_button_get_value_as_int (self->partitions_spin);
}

void
mr_topic_dialog_set_n_partitions (MrTopicDialog *self,
                                  gint32         n_partitions)
{
  g_return_if_fail (MR_IS_TOPIC_DIALOG (self));

  gtk_spin_button_set_value (self->partitions_spin, n_partitions);
}

gint32
mr_topic_dialog_get_replication_factor (MrTopicDialog *self)
{
  g_return_val_if_fail (MR_IS_TOPIC_DIALOG (self), 0);

  return gtk_spin_button_get_value_as_int (self->replication_spin);
}

void
mr_topic_dialog_set_replication_factor (MrTopicDialog *self,
                                        gint32         replication_factor)
{
  g_return_if_fail (MR_IS_TOPIC_DIALOG (self));

  gtk_spin_button_set_value (self->replication_spin, replication_factor);
}

gboolean
mr_topic_dialog_set_config (MrTopicDialog *self,
                            const char    *name,
                            const char    *value)
{
  AdwEntryRow *row;

  g_return_val_if_fail (MR_IS_TOPIC_DIALOG (self), FALSE);

  if (g_str_equal (name, "cleanup.policy"))
    {
      for (guint i = 0; i < G_N_ELEMENTS (cleanup_policies); i++)
        if (g_strcmp0 (value, cleanup_policies[i]) == 0)
          {
            adw_combo_row_set_selected (self->cleanup_row, i);
            return TRUE;
          }
      return FALSE;
    }

  row = row_for_config (self, name);
  if (row == NULL)
    return FALSE;

  gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
  return TRUE;
}

GHashTable *
mr_topic_dialog_dup_configs (MrTopicDialog *self)
{
  GHashTable *configs;
  guint cleanup;

  g_return_val_if_fail (MR_IS_TOPIC_DIALOG (self), NULL);

  configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (self->old_configs != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, self->old_configs);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (configs, g_strdup (key), g_strdup (value));
    }

  cleanup = adw_combo_row_get_selected (self->cleanup_row);
  if (cleanup < G_N_ELEMENTS (cleanup_policies) &&
      (cleanup > 0 || g_hash_table_contains (configs, "cleanup.policy")))
    g_hash_table_insert (configs, g_strdup ("cleanup.policy"),
                         g_strdup (cleanup_policies[cleanup]));

  for (guint i = 0; i < G_N_ELEMENTS (entry_configs); i++)
    {
      AdwEntryRow *row = row_for_config (self, entry_configs[i]);
      g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

      if (text[0] == '\0')
        g_hash_table_remove (configs, entry_configs[i]);
      else
        g_hash_table_insert (configs, g_strdup (entry_configs[i]), g_steal_pointer (&text));
    }

  return configs;
}
