/* mr-topic-row.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-topic-row.h"

#include <glib/gi18n.h>

/* A topic of a running cluster: its name and shape, opening onto a row per
 * partition with the leader, the ISR and the offsets. Updates change the
 * rows in place, so an open row stays open and keeps its focus while the
 * cluster changes under it. */

typedef struct
{
  AdwActionRow *row;      /* owned by the expander */
  GtkImage     *icon;     /* owned by the row */
} PartitionRow;

struct _MrTopicRow
{
  AdwExpanderRow  parent_instance;

  /* Template widgets. */
  GtkImage       *status_image;

  char           *name;
  GArray         *partitions;       /* PartitionRow, by partition index */
  guint           n_under_replicated;
  guint           n_offline;
};

G_DEFINE_FINAL_TYPE (MrTopicRow, mr_topic_row, ADW_TYPE_EXPANDER_ROW)

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* Text for the rows. */

static char *
format_count (gint64 value)
{
  /* The ' flag groups digits the way the user's locale does. */
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

static gboolean
ids_contain (GArray *ids,
             gint32  id)
{
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    if (g_array_index (ids, gint32, i) == id)
      return TRUE;

  return FALSE;
}

/* The replicas that are not in the ISR. */
static GArray *
dup_out_of_sync (const MrPartitionInfo *info)
{
  GArray *missing = g_array_new (FALSE, FALSE, sizeof (gint32));

  for (guint i = 0; i < info->replicas->len; i++)
    {
      gint32 id = g_array_index (info->replicas, gint32, i);

      if (!ids_contain (info->isr, id))
        g_array_append_val (missing, id);
    }

  return missing;
}

static char *
describe_partition (const MrPartitionInfo *info)
{
  g_autofree char *leader = NULL;
  g_autofree char *isr = NULL;
  g_autofree char *offsets = NULL;

  if (info->leader >= 0)
    /* Translators: the broker that leads a partition. */
    leader = g_strdup_printf (_("leader %d"), info->leader);
  else
    leader = g_strdup (_("no leader"));

  if (info->isr != NULL && info->isr->len > 0)
    {
      g_autofree char *ids = format_ids (info->isr);

      /* Translators: the in-sync replicas, e.g. “ISR 1, 2, 3”. */
      isr = g_strdup_printf (_("ISR %s"), ids);
    }
  else
    isr = g_strdup (_("ISR empty"));

  /* Without a leader there are no offsets to show. */
  if (info->leader >= 0 && info->high_watermark >= 0)
    {
      gint64 start = MAX (info->log_start_offset, 0);

      if (start >= info->high_watermark)
        {
          g_autofree char *end = format_count (info->high_watermark);

          /* Translators: %s is the offset the next record will get. */
          offsets = g_strdup_printf (_("no records, next offset %s"), end);
        }
      else
        {
          g_autofree char *first = format_count (start);
          g_autofree char *end = format_count (info->high_watermark);

          /* Translators: the range of offsets a log holds, first to next. */
          offsets = g_strdup_printf (_("offsets %s – %s"), first, end);
        }
    }

  return g_strjoin (" · ", leader, isr, offsets, NULL);
}

static void
set_status_icon (GtkImage   *image,
                 const char *style,
                 const char *tooltip)
{
  GtkWidget *widget = GTK_WIDGET (image);

  gtk_widget_remove_css_class (widget, "warning");
  gtk_widget_remove_css_class (widget, "error");

  if (style == NULL)
    {
      gtk_widget_set_visible (widget, FALSE);
      return;
    }

  gtk_image_set_from_icon_name (image,
                                g_str_equal (style, "error")
                                  ? "dialog-error-symbolic"
                                  : "dialog-warning-symbolic");
  gtk_widget_add_css_class (widget, style);
  gtk_widget_set_tooltip_text (widget, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_set_visible (widget, TRUE);
}

static void
set_row_class (GtkWidget  *row,
               const char *style)
{
  static const char * const classes[] = { "under-replicated", "offline" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      if (g_strcmp0 (style, classes[i]) == 0)
        gtk_widget_add_css_class (row, classes[i]);
      else
        gtk_widget_remove_css_class (row, classes[i]);
    }
}

/* The one place that builds widgets in C: a row per partition, since a .ui
 * file cannot repeat per item. */
static PartitionRow
create_partition_row (MrTopicRow *self,
                      gint32      partition)
{
  g_autofree char *title = NULL;
  PartitionRow prow;

  /* Translators: a partition's row, by its number. */
  title = g_strdup_printf (_("Partition %d"), partition);

  prow.row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (prow.row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (prow.row), title);
  gtk_widget_add_css_class (GTK_WIDGET (prow.row), "partition");
  gtk_widget_add_css_class (GTK_WIDGET (prow.row), "numeric");

  prow.icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_valign (GTK_WIDGET (prow.icon), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (prow.icon), FALSE);
  adw_action_row_add_suffix (prow.row, GTK_WIDGET (prow.icon));

  adw_expander_row_add_row (ADW_EXPANDER_ROW (self), GTK_WIDGET (prow.row));

  return prow;
}

static void
update_partition_row (const PartitionRow    *prow,
                      const MrPartitionInfo *info,
                      gboolean              *under_replicated,
                      gboolean              *offline)
{
  g_autofree char *subtitle = describe_partition (info);
  const char *style = NULL;
  g_autofree char *tooltip = NULL;

  *offline = info->leader < 0;
  *under_replicated = !*offline && info->isr->len < info->replicas->len;

  if (*offline)
    {
      style = "error";
      tooltip = g_strdup (_("Offline: no replica can lead this partition, so "
                            "it can be neither read nor written"));
      set_row_class (GTK_WIDGET (prow->row), "offline");
    }
  else if (*under_replicated)
    {
      g_autoptr(GArray) missing = dup_out_of_sync (info);
      g_autofree char *ids = format_ids (missing);

      style = "warning";
      /* Translators: %s lists broker ids, e.g. “2” or “2, 3”. */
      tooltip = g_strdup_printf (ngettext ("Under-replicated: broker %s is "
                                           "not in sync with the leader",
                                           "Under-replicated: brokers %s are "
                                           "not in sync with the leader",
                                           missing->len),
                                 ids);
      set_row_class (GTK_WIDGET (prow->row), "under-replicated");
    }
  else
    set_row_class (GTK_WIDGET (prow->row), NULL);

  adw_action_row_set_subtitle (prow->row, subtitle);
  set_status_icon (prow->icon, style, tooltip);
}

static char *
describe_topic (MrTopicRow        *self,
                const MrTopicInfo *info)
{
  g_autofree char *partitions = NULL;
  g_autofree char *replication = NULL;
  g_autofree char *shape = NULL;
  g_autofree char *under_replicated = NULL;
  g_autofree char *offline = NULL;
  gint64 n_records = 0;
  guint rf = 0;

  for (guint i = 0; i < info->partitions->len; i++)
    {
      const MrPartitionInfo *p = g_ptr_array_index (info->partitions, i);

      rf = MAX (rf, p->replicas->len);
      if (p->leader >= 0 && p->high_watermark > 0)
        n_records += p->high_watermark - MAX (p->log_start_offset, 0);
    }

  partitions = g_strdup_printf (ngettext ("%u partition",
                                          "%u partitions",
                                          info->partitions->len),
                                info->partitions->len);
  /* Translators: RF is the replication factor, as Kafka people say it. */
  replication = g_strdup_printf (_("RF %u"), rf);

  if (n_records > 0)
    {
      g_autofree char *count = format_count (n_records);
      g_autofree char *records = NULL;
      gulong n = n_records > G_MAXUINT32
                   ? (gulong) (n_records % 1000000) + 1000000
                   : (gulong) n_records;

      records = g_strdup_printf (ngettext ("%s record", "%s records", n), count);
      shape = g_strjoin (" · ", partitions, replication, records, NULL);
    }
  else
    shape = g_strjoin (" · ", partitions, replication, NULL);

  if (self->n_under_replicated == 0 && self->n_offline == 0)
    return g_steal_pointer (&shape);

  /* The shape on one line, trouble on the next. */
  if (self->n_offline > 0)
    offline = g_strdup_printf (ngettext ("%u partition offline",
                                         "%u partitions offline",
                                         self->n_offline),
                               self->n_offline);
  if (self->n_under_replicated > 0)
    under_replicated = g_strdup_printf (ngettext ("%u partition under-replicated",
                                                  "%u partitions under-replicated",
                                                  self->n_under_replicated),
                                        self->n_under_replicated);

  if (offline != NULL && under_replicated != NULL)
    return g_strconcat (shape, "\n", offline, " · ", under_replicated, NULL);

  return g_strconcat (shape, "\n", offline != NULL ? offline : under_replicated, NULL);
}

/* Virtual functions. */

static void
mr_topic_row_dispose (GObject *object)
{
  MrTopicRow *self = MR_TOPIC_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_TOPIC_ROW);

  /* The expander owns the partition rows. */
  if (self->partitions != NULL)
    g_array_set_size (self->partitions, 0);

  G_OBJECT_CLASS (mr_topic_row_parent_class)->dispose (object);
}

static void
mr_topic_row_finalize (GObject *object)
{
  MrTopicRow *self = MR_TOPIC_ROW (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->partitions, g_array_unref);

  G_OBJECT_CLASS (mr_topic_row_parent_class)->finalize (object);
}

static void
mr_topic_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MrTopicRow *self = MR_TOPIC_ROW (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_topic_row_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MrTopicRow *self = MR_TOPIC_ROW (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_assert (self->name == NULL);
      self->name = g_value_dup_string (value);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), self->name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_topic_row_class_init (MrTopicRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_topic_row_dispose;
  object_class->finalize = mr_topic_row_finalize;
  object_class->get_property = mr_topic_row_get_property;
  object_class->set_property = mr_topic_row_set_property;

  /**
   * MrTopicRow:name:
   *
   * The topic the row shows.
   */
  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-topic-row.ui");
  gtk_widget_class_bind_template_child (widget_class, MrTopicRow, status_image);
}

static void
mr_topic_row_init (MrTopicRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->partitions = g_array_new (FALSE, FALSE, sizeof (PartitionRow));
}

/* Public API. */

/**
 * mr_topic_row_new:
 * @name: the topic's name
 *
 * Returns: (transfer floating): a new #MrTopicRow with no partitions; call
 *   mr_topic_row_update() to fill it
 */
GtkWidget *
mr_topic_row_new (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (MR_TYPE_TOPIC_ROW,
                       "name", name,
                       NULL);
}

const char *
mr_topic_row_get_name (MrTopicRow *self)
{
  g_return_val_if_fail (MR_IS_TOPIC_ROW (self), NULL);

  return self->name;
}

guint
mr_topic_row_get_n_partitions (MrTopicRow *self)
{
  g_return_val_if_fail (MR_IS_TOPIC_ROW (self), 0);

  return self->partitions->len;
}

/**
 * mr_topic_row_get_partition_row:
 * @self: a #MrTopicRow
 * @partition: a partition index
 *
 * Returns: (transfer none) (nullable): the row of @partition, or %NULL when
 *   the topic has no such partition
 */
AdwActionRow *
mr_topic_row_get_partition_row (MrTopicRow *self,
                                guint       partition)
{
  g_return_val_if_fail (MR_IS_TOPIC_ROW (self), NULL);

  if (partition >= self->partitions->len)
    return NULL;

  return g_array_index (self->partitions, PartitionRow, partition).row;
}

guint
mr_topic_row_get_n_under_replicated (MrTopicRow *self)
{
  g_return_val_if_fail (MR_IS_TOPIC_ROW (self), 0);

  return self->n_under_replicated;
}

guint
mr_topic_row_get_n_offline (MrTopicRow *self)
{
  g_return_val_if_fail (MR_IS_TOPIC_ROW (self), 0);

  return self->n_offline;
}

/**
 * mr_topic_row_update:
 * @self: a #MrTopicRow
 * @info: what the cluster says about the row's topic
 *
 * Shows @info, adding and removing partition rows only when the count
 * changed.
 */
void
mr_topic_row_update (MrTopicRow        *self,
                     const MrTopicInfo *info)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;
  const char *style = NULL;

  g_return_if_fail (MR_IS_TOPIC_ROW (self));
  g_return_if_fail (info != NULL);
  g_return_if_fail (g_strcmp0 (info->name, self->name) == 0);

  while (self->partitions->len > info->partitions->len)
    {
      guint last = self->partitions->len - 1;
      PartitionRow *prow = &g_array_index (self->partitions, PartitionRow, last);

      adw_expander_row_remove (ADW_EXPANDER_ROW (self), GTK_WIDGET (prow->row));
      g_array_set_size (self->partitions, last);
    }

  while (self->partitions->len < info->partitions->len)
    {
      PartitionRow prow = create_partition_row (self, (gint32) self->partitions->len);

      g_array_append_val (self->partitions, prow);
    }

  self->n_under_replicated = 0;
  self->n_offline = 0;

  for (guint i = 0; i < info->partitions->len; i++)
    {
      const MrPartitionInfo *partition = g_ptr_array_index (info->partitions, i);
      gboolean under_replicated = FALSE;
      gboolean offline = FALSE;

      update_partition_row (&g_array_index (self->partitions, PartitionRow, i),
                            partition, &under_replicated, &offline);
      self->n_under_replicated += under_replicated;
      self->n_offline += offline;
    }

  subtitle = describe_topic (self, info);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), subtitle);

  if (self->n_offline > 0)
    {
      style = "error";
      tooltip = g_strdup_printf (ngettext ("%u partition of this topic is "
                                           "offline",
                                           "%u partitions of this topic are "
                                           "offline",
                                           self->n_offline),
                                 self->n_offline);
    }
  else if (self->n_under_replicated > 0)
    {
      style = "warning";
      tooltip = g_strdup_printf (ngettext ("%u partition of this topic is "
                                           "under-replicated",
                                           "%u partitions of this topic are "
                                           "under-replicated",
                                           self->n_under_replicated),
                                 self->n_under_replicated);
    }

  set_status_icon (self->status_image, style, tooltip);
}
