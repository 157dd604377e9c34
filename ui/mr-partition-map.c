/* mr-partition-map.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-partition-map.h"

#include <glib/gi18n.h>

#include "mr-drawing.h"

/* The partition map: a row per partition, a column per broker, and in each
 * cell what that broker holds of that partition: the leader (filled with
 * the accent colour), an in-sync follower (green), a lagging follower
 * (amber, with how many offsets behind) or a replica on a broker that is
 * down (red). A legend runs under it. Drawn with GtkSnapshot; every colour
 * is one of libadwaita's named colours, so dark mode and high contrast
 * follow. For screen readers the whole map is an image whose label counts
 * what needs attention, and each cell has a tooltip. */

#define CELL_HEIGHT   26
#define CELL_SPACING  4
#define HEADER_HEIGHT 24
#define LEGEND_HEIGHT 28
#define LABEL_MAX     160
#define CELL_MIN      34
#define CELL_MAX      120

typedef struct
{
  MrReplicaRole role;
  gint64        lag;
  gint64        log_end;
} Cell;

typedef struct
{
  char   *topic;
  char   *label;
  gint32  partition;
  gint32  leader;
  Cell    cells[MR_CLUSTER_MAX_BROKERS];
} Row;

struct _MrPartitionMap
{
  GtkWidget  parent_instance;

  GArray    *rows;                 /* Row */
  guint      n_brokers;
  gboolean   down[MR_CLUSTER_MAX_BROKERS];
};

G_DEFINE_FINAL_TYPE (MrPartitionMap, mr_partition_map, GTK_TYPE_WIDGET)

static void
row_clear (Row *row)
{
  g_clear_pointer (&row->topic, g_free);
  g_clear_pointer (&row->label, g_free);
}

static const char *
role_to_text (MrReplicaRole role)
{
  switch (role)
    {
    case MR_REPLICA_ROLE_LEADER:
      return C_("replica", "Leader");
    case MR_REPLICA_ROLE_IN_SYNC:
      return C_("replica", "In sync");
    case MR_REPLICA_ROLE_LAGGING:
      return C_("replica", "Lagging");
    case MR_REPLICA_ROLE_OFFLINE:
      return C_("replica", "Offline");
    case MR_REPLICA_ROLE_NONE:
    default:
      return "";
    }
}

/* Geometry. */

typedef struct
{
  int label_width;
  int cell_width;
} Geometry;

static Geometry
compute_geometry (MrPartitionMap *self,
                  int             width)
{
  Geometry g;
  guint n = MAX (self->n_brokers, 1);

  g.label_width = CLAMP (width / 4, 72, LABEL_MAX);
  g.cell_width = CLAMP ((width - g.label_width) / (int) n - CELL_SPACING,
                        CELL_MIN, CELL_MAX);

  return g;
}

static void
append_text (GtkWidget   *widget,
             GtkSnapshot *snapshot,
             const char  *text,
             const char  *attrs_class,
             double       x,
             double       y,
             int          width,
             int          height,
             gboolean     center,
             const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int text_width;
  int text_height;

  pango_layout_set_width (layout, width * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  if (center)
    pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  if (attrs_class != NULL)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
      if (g_str_equal (attrs_class, "bold"))
        pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  pango_layout_get_pixel_size (layout, &text_width, &text_height);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (x, y + (height - text_height) / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_box (GtkSnapshot   *snapshot,
            double         x,
            double         y,
            double         width,
            double         height,
            const GdkRGBA *fill,
            const GdkRGBA *border)
{
  graphene_rect_t rect = GRAPHENE_RECT_INIT (x, y, width, height);
  GskRoundedRect rounded;

  gsk_rounded_rect_init_from_rect (&rounded, &rect, 6);

  if (fill != NULL)
    {
      gtk_snapshot_push_rounded_clip (snapshot, &rounded);
      gtk_snapshot_append_color (snapshot, fill, &rect);
      gtk_snapshot_pop (snapshot);
    }

  if (border != NULL)
    {
      const float widths[4] = { 1, 1, 1, 1 };
      const GdkRGBA colors[4] = { *border, *border, *border, *border };

      gtk_snapshot_append_border (snapshot, &rounded, widths, colors);
    }
}

typedef struct
{
  GdkRGBA fg;
  GdkRGBA dim;
  GdkRGBA accent_bg;
  GdkRGBA accent_fg;
  GdkRGBA success;
  GdkRGBA warning;
  GdkRGBA error;
} Palette;

static void
cell_style (const Palette *p,
            MrReplicaRole  role,
            GdkRGBA       *fill,
            GdkRGBA       *border,
            GdkRGBA       *text)
{
  switch (role)
    {
    case MR_REPLICA_ROLE_LEADER:
      *fill = p->accent_bg;
      *border = p->accent_bg;
      *text = p->accent_fg;
      break;
    case MR_REPLICA_ROLE_IN_SYNC:
      *fill = p->success;
      fill->alpha = 0.22;
      *border = p->success;
      *text = p->fg;
      break;
    case MR_REPLICA_ROLE_LAGGING:
      *fill = p->warning;
      fill->alpha = 0.25;
      *border = p->warning;
      *text = p->fg;
      break;
    case MR_REPLICA_ROLE_OFFLINE:
      *fill = p->error;
      fill->alpha = 0.15;
      *border = p->error;
      *text = p->error;
      break;
    case MR_REPLICA_ROLE_NONE:
    default:
      *fill = p->dim;
      fill->alpha = 0.05;
      *border = p->dim;
      border->alpha = 0.1;
      *text = p->dim;
      break;
    }
}

static char *
cell_text (const Cell *cell,
           gboolean    wide)
{
  switch (cell->role)
    {
    case MR_REPLICA_ROLE_LAGGING:
      /* How many offsets the follower is behind its leader. */
      if (wide)
        return g_strdup_printf ("−%'" G_GINT64_FORMAT, cell->lag);
      return g_strdup_printf ("−%" G_GINT64_FORMAT, cell->lag);
    case MR_REPLICA_ROLE_LEADER:
      return g_strdup (wide ? C_("replica", "Leader") : C_("replica, one letter", "L"));
    case MR_REPLICA_ROLE_IN_SYNC:
      return g_strdup (wide ? C_("replica", "In sync") : "✓");
    case MR_REPLICA_ROLE_OFFLINE:
      return g_strdup (wide ? C_("replica", "Offline") : "✕");
    case MR_REPLICA_ROLE_NONE:
    default:
      return g_strdup ("");
    }
}

static void
mr_partition_map_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  MrPartitionMap *self = MR_PARTITION_MAP (widget);
  int width = gtk_widget_get_width (widget);
  Geometry g = compute_geometry (self, width);
  gboolean wide = g.cell_width >= 64;
  Palette p;
  double y;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &p.fg);
  mr_drawing_get_faded_foreground (widget, 0.55, &p.dim);
  mr_drawing_lookup_color (widget, "accent_bg_color", &p.accent_bg);
  mr_drawing_lookup_color (widget, "accent_fg_color", &p.accent_fg);
  mr_drawing_lookup_color (widget, "success_color", &p.success);
  mr_drawing_lookup_color (widget, "warning_color", &p.warning);
  mr_drawing_lookup_color (widget, "error_color", &p.error);

  /* Broker columns. */
  for (guint b = 0; b < self->n_brokers; b++)
    {
      g_autofree char *title = NULL;
      double x = g.label_width + b * (g.cell_width + CELL_SPACING);

      /* Translators: a column of the partition map, short: "B1" is broker 1. */
      if (wide)
        title = g_strdup_printf (_("Broker %u"), b + 1);
      else
        title = g_strdup_printf (C_("broker, short", "B%u"), b + 1);
      append_text (widget, snapshot, title, "bold", x, 0, g.cell_width,
                   HEADER_HEIGHT, TRUE, self->down[b] ? &p.error : &p.dim);
    }

  y = HEADER_HEIGHT;
  for (guint r = 0; r < self->rows->len; r++)
    {
      const Row *row = &g_array_index (self->rows, Row, r);

      append_text (widget, snapshot, row->label, NULL, 0, y,
                   g.label_width - 8, CELL_HEIGHT, FALSE,
                   row->leader < 0 ? &p.error : &p.fg);

      for (guint b = 0; b < self->n_brokers; b++)
        {
          const Cell *cell = &row->cells[b];
          g_autofree char *text = cell_text (cell, wide);
          double x = g.label_width + b * (g.cell_width + CELL_SPACING);
          GdkRGBA fill, border, color;

          cell_style (&p, cell->role, &fill, &border, &color);
          append_box (snapshot, x, y, g.cell_width, CELL_HEIGHT, &fill,
                      cell->role == MR_REPLICA_ROLE_LEADER ? NULL : &border);
          if (*text != '\0')
            append_text (widget, snapshot, text,
                         cell->role == MR_REPLICA_ROLE_LEADER ? "bold" : "small",
                         x + 2, y, g.cell_width - 4, CELL_HEIGHT, TRUE, &color);
        }

      y += CELL_HEIGHT + CELL_SPACING;
    }

  /* The legend. */
  {
    static const MrReplicaRole roles[] = {
      MR_REPLICA_ROLE_LEADER, MR_REPLICA_ROLE_IN_SYNC,
      MR_REPLICA_ROLE_LAGGING, MR_REPLICA_ROLE_OFFLINE,
    };
    double x = 0;

    y += 6;
    for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
      {
        const char *text = role_to_text (roles[i]);
        g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
        GdkRGBA fill, border, color;
        int text_width;

        pango_layout_get_pixel_size (layout, &text_width, NULL);
        if (x > 0 && x + 18 + text_width * 0.85 > width)
          {
            x = 0;
            y += LEGEND_HEIGHT / 2 + 4;
          }

        cell_style (&p, roles[i], &fill, &border, &color);
        append_box (snapshot, x, y + 2, 12, 12, &fill, &border);
        append_text (widget, snapshot, text, "small", x + 18, y, width, 16,
                     FALSE, &p.dim);
        x += 18 + text_width * 0.85 + 16;
      }
  }
}

static int
content_height (MrPartitionMap *self,
                int             width)
{
  /* The legend may wrap once at narrow widths. */
  int legend = width > 0 && width < 360 ? LEGEND_HEIGHT + 20 : LEGEND_HEIGHT;

  return HEADER_HEIGHT + self->rows->len * (CELL_HEIGHT + CELL_SPACING) + 6 + legend;
}

static void
mr_partition_map_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  MrPartitionMap *self = MR_PARTITION_MAP (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      guint n = MAX (self->n_brokers, 1);

      *minimum = 72 + n * (CELL_MIN + CELL_SPACING);
      *natural = LABEL_MAX + n * (CELL_MAX + CELL_SPACING);
      *minimum = MIN (*minimum, 320);
    }
  else
    {
      *minimum = *natural = content_height (self, for_size);
    }
}

static GtkSizeRequestMode
mr_partition_map_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static gboolean
mr_partition_map_query_tooltip (GtkWidget  *widget,
                                int         x,
                                int         y,
                                gboolean    keyboard,
                                GtkTooltip *tooltip)
{
  MrPartitionMap *self = MR_PARTITION_MAP (widget);
  Geometry g = compute_geometry (self, gtk_widget_get_width (widget));
  g_autofree char *text = NULL;
  const Row *row;
  const Cell *cell;
  int r, b;

  if (y < HEADER_HEIGHT || x < g.label_width)
    return FALSE;

  r = (y - HEADER_HEIGHT) / (CELL_HEIGHT + CELL_SPACING);
  b = (x - g.label_width) / (g.cell_width + CELL_SPACING);
  if (r >= (int) self->rows->len || b >= (int) self->n_brokers)
    return FALSE;

  row = &g_array_index (self->rows, Row, r);
  cell = &row->cells[b];

  switch (cell->role)
    {
    case MR_REPLICA_ROLE_NONE:
      /* Translators: a cell of the partition map. */
      text = g_strdup_printf (_("Broker %d holds no replica of %s"), b + 1, row->label);
      break;
    case MR_REPLICA_ROLE_LAGGING:
      text = g_strdup_printf (_("%s on broker %d: a follower out of the in-sync "
                                "replicas, %'" G_GINT64_FORMAT " offsets behind"),
                              row->label, b + 1, cell->lag);
      break;
    case MR_REPLICA_ROLE_LEADER:
      text = g_strdup_printf (_("%s on broker %d: the leader, log end %'" G_GINT64_FORMAT),
                              row->label, b + 1, cell->log_end);
      break;
    case MR_REPLICA_ROLE_IN_SYNC:
      text = g_strdup_printf (_("%s on broker %d: an in-sync follower, log end %'" G_GINT64_FORMAT),
                              row->label, b + 1, cell->log_end);
      break;
    case MR_REPLICA_ROLE_OFFLINE:
    default:
      text = g_strdup_printf (_("%s on broker %d: offline, its broker is down"),
                              row->label, b + 1);
      break;
    }

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
mr_partition_map_css_changed (GtkWidget         *widget,
                              GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (mr_partition_map_parent_class)->css_changed (widget, change);

  gtk_widget_queue_draw (widget);
}

static void
mr_partition_map_finalize (GObject *object)
{
  MrPartitionMap *self = MR_PARTITION_MAP (object);

  g_clear_pointer (&self->rows, g_array_unref);

  G_OBJECT_CLASS (mr_partition_map_parent_class)->finalize (object);
}

static void
mr_partition_map_class_init (MrPartitionMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = mr_partition_map_finalize;

  widget_class->snapshot = mr_partition_map_snapshot;
  widget_class->measure = mr_partition_map_measure;
  widget_class->get_request_mode = mr_partition_map_get_request_mode;
  widget_class->query_tooltip = mr_partition_map_query_tooltip;
  widget_class->css_changed = mr_partition_map_css_changed;

  gtk_widget_class_set_css_name (widget_class, "partitionmap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
mr_partition_map_init (MrPartitionMap *self)
{
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, (GDestroyNotify) row_clear);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Partition map"),
                                  -1);
}

/* Public API. */

GtkWidget *
mr_partition_map_new (void)
{
  return g_object_new (MR_TYPE_PARTITION_MAP, NULL);
}

static void
update_accessible (MrPartitionMap *self)
{
  g_autofree char *description = NULL;
  guint n_offline = 0;
  guint n_lagging = 0;

  for (guint r = 0; r < self->rows->len; r++)
    {
      const Row *row = &g_array_index (self->rows, Row, r);
      gboolean lagging = FALSE;

      if (row->leader < 0)
        n_offline++;
      for (guint b = 0; b < self->n_brokers; b++)
        lagging |= row->cells[b].role == MR_REPLICA_ROLE_LAGGING ||
                   row->cells[b].role == MR_REPLICA_ROLE_OFFLINE;
      n_lagging += lagging;
    }

  /* Translators: the partition map for screen readers. */
  description = g_strdup_printf (_("%u partitions across %u brokers: %u without "
                                   "a leader, %u under-replicated"),
                                 self->rows->len, self->n_brokers, n_offline,
                                 n_lagging);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/**
 * mr_partition_map_update:
 * @self: a #MrPartitionMap
 * @brokers: (element-type MrBrokerInfo): the cluster's brokers
 * @topics: (element-type MrTopicInfo): its topics
 *
 * Shows the replicas of every partition of @topics on @brokers.
 */
void
mr_partition_map_update (MrPartitionMap *self,
                         GPtrArray      *brokers,
                         GPtrArray      *topics)
{
  guint old_len;

  g_return_if_fail (MR_IS_PARTITION_MAP (self));
  g_return_if_fail (brokers != NULL);
  g_return_if_fail (topics != NULL);

  old_len = self->rows->len;
  g_array_set_size (self->rows, 0);
  self->n_brokers = MIN (brokers->len, MR_CLUSTER_MAX_BROKERS);

  for (guint b = 0; b < self->n_brokers; b++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, b);

      self->down[b] = info->state == MR_BROKER_STATE_STOPPED ||
                      info->state == MR_BROKER_STATE_CRASHED;
    }

  for (guint t = 0; t < topics->len; t++)
    {
      const MrTopicInfo *topic = g_ptr_array_index (topics, t);

      if (topic->internal)
        continue;

      for (guint p = 0; p < topic->partitions->len; p++)
        {
          const MrPartitionInfo *partition = g_ptr_array_index (topic->partitions, p);
          gint64 leader_end = -1;
          Row row = { 0, };

          row.topic = g_strdup (topic->name);
          row.label = g_strdup_printf ("%s-%d", topic->name, partition->partition);
          row.partition = partition->partition;
          row.leader = partition->leader;

          for (guint i = 0; i < partition->replica_states->len; i++)
            {
              const MrReplicaInfo *replica = &g_array_index (partition->replica_states,
                                                             MrReplicaInfo, i);

              if (replica->broker_id == partition->leader)
                leader_end = replica->log_end_offset;
            }

          for (guint i = 0; i < partition->replica_states->len; i++)
            {
              const MrReplicaInfo *replica = &g_array_index (partition->replica_states,
                                                             MrReplicaInfo, i);
              Cell *cell;

              if (replica->broker_id < 1 || (guint) replica->broker_id > self->n_brokers)
                continue;

              cell = &row.cells[replica->broker_id - 1];
              cell->log_end = replica->log_end_offset;

              if (!replica->online || self->down[replica->broker_id - 1])
                cell->role = MR_REPLICA_ROLE_OFFLINE;
              else if (replica->broker_id == partition->leader)
                cell->role = MR_REPLICA_ROLE_LEADER;
              else if (replica->in_sync)
                cell->role = MR_REPLICA_ROLE_IN_SYNC;
              else
                {
                  cell->role = MR_REPLICA_ROLE_LAGGING;
                  cell->lag = leader_end >= 0
                              ? MAX (leader_end - replica->log_end_offset, 0)
                              : 0;
                }
            }

          g_array_append_val (self->rows, row);
        }
    }

  update_accessible (self);

  if (old_len != self->rows->len)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
mr_partition_map_get_n_partitions (MrPartitionMap *self)
{
  g_return_val_if_fail (MR_IS_PARTITION_MAP (self), 0);

  return self->rows->len;
}

MrReplicaRole
mr_partition_map_get_role (MrPartitionMap *self,
                           const char     *topic,
                           gint32          partition,
                           gint32          broker_id,
                           gint64         *lag)
{
  g_return_val_if_fail (MR_IS_PARTITION_MAP (self), MR_REPLICA_ROLE_NONE);
  g_return_val_if_fail (topic != NULL, MR_REPLICA_ROLE_NONE);

  if (lag != NULL)
    *lag = 0;

  if (broker_id < 1 || (guint) broker_id > self->n_brokers)
    return MR_REPLICA_ROLE_NONE;

  for (guint r = 0; r < self->rows->len; r++)
    {
      const Row *row = &g_array_index (self->rows, Row, r);

      if (row->partition == partition && g_str_equal (row->topic, topic))
        {
          if (lag != NULL)
            *lag = row->cells[broker_id - 1].lag;
          return row->cells[broker_id - 1].role;
        }
    }

  return MR_REPLICA_ROLE_NONE;
}
