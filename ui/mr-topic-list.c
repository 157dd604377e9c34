/* mr-topic-list.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-topic-list.h"

#include <glib/gi18n.h>

#include "mr-topic-row.h"

/* The Topics view of a running cluster: a row per topic, updated in place
 * on every refresh of the MrClusterMonitor so that open rows stay open; an
 * empty state that says how to make a topic. (The full topic and message
 * browser, MrTopicsView, is a separate widget.) */

struct _MrTopicList
{
  GtkWidget            parent_instance;

  /* Template widgets. */
  GtkStack            *topics_stack;
  AdwStatusPage       *topics_empty_page;
  GtkLabel            *bootstrap_label;
  AdwPreferencesGroup *topics_group;
  GtkListBox          *live_topics_list;

  MrClusterMonitor    *monitor;
  gulong               refreshed_handler;
  GHashTable          *topic_rows;        /* name → MrTopicRow; borrowed */
  guint                n_problems;
};

G_DEFINE_FINAL_TYPE (MrTopicList, mr_topic_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_N_PROBLEMS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

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
refreshed_cb (MrTopicList      *self,
              MrClusterMonitor *monitor)
{
  GPtrArray *topics = mr_cluster_monitor_get_topics (monitor);
  g_autoptr(GHashTable) seen = NULL;
  g_autofree char *description = NULL;
  g_autofree char *n_topics_text = NULL;
  g_autofree char *n_partitions_text = NULL;
  GHashTableIter iter;
  gpointer value;
  guint n_partitions = 0;
  guint n_problems = 0;

  seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < topics->len; i++)
    {
      const MrTopicInfo *info = g_ptr_array_index (topics, i);
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

  n_topics_text = g_strdup_printf (ngettext ("%u topic", "%u topics", topics->len),
                                   topics->len);
  n_partitions_text = g_strdup_printf (ngettext ("%u partition", "%u partitions",
                                                 n_partitions),
                                       n_partitions);
  description = g_strjoin (" · ", n_topics_text, n_partitions_text, NULL);
  adw_preferences_group_set_description (self->topics_group, description);

  if (topics->len == 0)
    {
      g_autofree char *bootstrap = describe_bootstrap (mr_cluster_monitor_get_brokers (monitor));

      /* The status page reads its description as markup. */
      if (mr_cluster_monitor_get_auto_create (monitor))
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
                                    topics->len > 0 ? "list" : "empty");

  if (self->n_problems != n_problems)
    {
      self->n_problems = n_problems;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_PROBLEMS]);
    }
}

static void
mr_topic_list_dispose (GObject *object)
{
  GtkWidget *child;
  MrTopicList *self = MR_TOPIC_LIST (object);

  g_clear_signal_handler (&self->refreshed_handler, self->monitor);
  gtk_widget_dispose_template (GTK_WIDGET (object), MR_TYPE_TOPIC_LIST);
  /* The template's unnamed children too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->topic_rows, g_hash_table_unref);

  G_OBJECT_CLASS (mr_topic_list_parent_class)->dispose (object);
}

static void
mr_topic_list_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MrTopicList *self = MR_TOPIC_LIST (object);

  switch (prop_id)
    {
    case PROP_N_PROBLEMS:
      g_value_set_uint (value, self->n_problems);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_topic_list_class_init (MrTopicListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_topic_list_dispose;
  object_class->get_property = mr_topic_list_get_property;

  /**
   * MrTopicList:n-problems:
   *
   * How many partitions are offline or under-replicated.
   */
  properties [PROP_N_PROBLEMS] =
    g_param_spec_uint ("n-problems", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MR_TYPE_TOPIC_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-topic-list.ui");
  gtk_widget_class_bind_template_child (widget_class, MrTopicList, topics_stack);
  gtk_widget_class_bind_template_child (widget_class, MrTopicList, topics_empty_page);
  gtk_widget_class_bind_template_child (widget_class, MrTopicList, bootstrap_label);
  gtk_widget_class_bind_template_child (widget_class, MrTopicList, topics_group);
  gtk_widget_class_bind_template_child (widget_class, MrTopicList, live_topics_list);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
mr_topic_list_init (MrTopicList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->topic_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_list_box_set_sort_func (self->live_topics_list, compare_topic_rows, NULL, NULL);
}

/**
 * mr_topic_list_new:
 * @monitor: the cluster to show
 *
 * Returns: (transfer floating): a new #MrTopicList
 */
GtkWidget *
mr_topic_list_new (MrClusterMonitor *monitor)
{
  MrTopicList *self;

  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (monitor), NULL);

  self = g_object_new (MR_TYPE_TOPIC_LIST, NULL);
  self->monitor = g_object_ref (monitor);
  self->refreshed_handler = g_signal_connect_swapped (monitor, "refreshed",
                                                      G_CALLBACK (refreshed_cb), self);
  if (mr_cluster_monitor_get_loaded (monitor))
    refreshed_cb (self, monitor);

  return GTK_WIDGET (self);
}

guint
mr_topic_list_get_n_problems (MrTopicList *self)
{
  g_return_val_if_fail (MR_IS_TOPIC_LIST (self), 0);

  return self->n_problems;
}
