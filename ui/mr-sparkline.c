/* mr-sparkline.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-sparkline.h"

#include <glib/gi18n.h>

#include "mr-drawing.h"

/* A small line chart of recent values, such as a broker's requests a
 * second: the line in the accent colour over a faint fill, scaled to the
 * largest value shown. Drawn with cairo through GtkSnapshot (GTK 4.8 has
 * no path nodes); colours come from libadwaita's named colours, so dark
 * mode and high contrast follow. */

struct _MrSparkline
{
  GtkWidget  parent_instance;

  GArray    *values;               /* double */
};

G_DEFINE_FINAL_TYPE (MrSparkline, mr_sparkline, GTK_TYPE_WIDGET)

static double
max_value (MrSparkline *self)
{
  double max = 0;

  for (guint i = 0; i < self->values->len; i++)
    max = MAX (max, g_array_index (self->values, double, i));

  return max;
}

static void
draw (GtkWidget *widget,
      cairo_t   *cr,
      int        width,
      int        height)
{
  MrSparkline *self = MR_SPARKLINE (widget);
  GdkRGBA accent;
  GdkRGBA baseline;
  double max;
  double step;
  guint n = self->values->len;

  mr_drawing_lookup_color (widget, "accent_color", &accent);
  mr_drawing_get_faded_foreground (widget, 0.15, &baseline);

  /* The zero line. */
  mr_drawing_fill_baseline (cr, &baseline, width, height);

  if (n < 2)
    return;

  max = max_value (self);
  if (max <= 0)
    max = 1;
  step = (double) width / (n - 1);

  cairo_move_to (cr, 0, height);
  for (guint i = 0; i < n; i++)
    {
      double v = g_array_index (self->values, double, i);

      cairo_line_to (cr, i * step, height - 1.5 - (height - 3) * v / max);
    }
  cairo_line_to (cr, width, height);
  cairo_close_path (cr);
  accent.alpha *= 0.2;
  gdk_cairo_set_source_rgba (cr, &accent);
  cairo_fill (cr);

  for (guint i = 0; i < n; i++)
    {
      double v = g_array_index (self->values, double, i);
      double y = height - 1.5 - (height - 3) * v / max;

      if (i == 0)
        cairo_move_to (cr, 0, y);
      else
        cairo_line_to (cr, i * step, y);
    }
  accent.alpha = 1;
  mr_drawing_lookup_color (widget, "accent_color", &accent);
  gdk_cairo_set_source_rgba (cr, &accent);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);
}

static void
mr_sparkline_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  mr_drawing_snapshot_cairo (widget, snapshot, draw);
}

static void
mr_sparkline_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 40;
      *natural = 120;
    }
  else
    {
      *minimum = 16;
      *natural = 24;
    }
}

static void
mr_sparkline_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (mr_sparkline_parent_class)->css_changed (widget, change);

  /* The colours may have changed with the style (dark mode). */
  gtk_widget_queue_draw (widget);
}

static void
mr_sparkline_finalize (GObject *object)
{
  MrSparkline *self = MR_SPARKLINE (object);

  g_clear_pointer (&self->values, g_array_unref);

  G_OBJECT_CLASS (mr_sparkline_parent_class)->finalize (object);
}

static void
mr_sparkline_class_init (MrSparklineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = mr_sparkline_finalize;

  widget_class->snapshot = mr_sparkline_snapshot;
  widget_class->measure = mr_sparkline_measure;
  widget_class->css_changed = mr_sparkline_css_changed;

  gtk_widget_class_set_css_name (widget_class, "sparkline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
mr_sparkline_init (MrSparkline *self)
{
  self->values = g_array_new (FALSE, FALSE, sizeof (double));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Trend"),
                                  -1);
}

GtkWidget *
mr_sparkline_new (void)
{
  return g_object_new (MR_TYPE_SPARKLINE, NULL);
}

void
mr_sparkline_set_values (MrSparkline  *self,
                         const double *values,
                         guint         n_values)
{
  g_return_if_fail (MR_IS_SPARKLINE (self));
  g_return_if_fail (values != NULL || n_values == 0);

  g_array_set_size (self->values, 0);
  g_array_append_vals (self->values, values, n_values);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
mr_sparkline_get_n_values (MrSparkline *self)
{
  g_return_val_if_fail (MR_IS_SPARKLINE (self), 0);

  return self->values->len;
}

double
mr_sparkline_get_last (MrSparkline *self)
{
  g_return_val_if_fail (MR_IS_SPARKLINE (self), 0);

  if (self->values->len == 0)
    return 0;

  return g_array_index (self->values, double, self->values->len - 1);
}

double
mr_sparkline_get_max (MrSparkline *self)
{
  g_return_val_if_fail (MR_IS_SPARKLINE (self), 0);

  return max_value (self);
}
