/* mr-latency-plot.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-latency-plot.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "mr-drawing.h"

/* What the demo workload's producer lives through: one dot per produced
 * batch over the last WINDOW_S seconds, its height the time to the answer;
 * failed produces are red marks along the top. Dashed lines mark the
 * median and the 99th percentile. The vertical scale follows the 99th
 * percentile, so one stall does not flatten the rest. Drawn with cairo
 * through GtkSnapshot, in libadwaita's named colours. */

#define WINDOW_S     30
#define MAX_SAMPLES  20000

struct _MrLatencyPlot
{
  GtkWidget  parent_instance;

  GArray    *samples;              /* MrDemoLatencySample */
  guint32    p50;                  /* over the samples, kept up to date */
  guint32    p99;
};

G_DEFINE_FINAL_TYPE (MrLatencyPlot, mr_latency_plot, GTK_TYPE_WIDGET)

static int
compare_guint32 (gconstpointer a,
                 gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static guint32
quantile (MrLatencyPlot *self,
          double         q)
{
  g_autofree guint32 *values = NULL;
  guint n = 0;

  if (self->samples->len == 0)
    return 0;

  values = g_new (guint32, self->samples->len);
  for (guint i = 0; i < self->samples->len; i++)
    {
      const MrDemoLatencySample *s = &g_array_index (self->samples, MrDemoLatencySample, i);

      if (s->ok)
        values[n++] = s->latency_us;
    }
  if (n == 0)
    return 0;

  qsort (values, n, sizeof (guint32), compare_guint32);

  return values[MIN ((guint) (q * n), n - 1)];
}

static char *
format_ms (double us)
{
  if (us >= 10000)
    return g_strdup_printf (_("%.0f ms"), us / 1000);
  return g_strdup_printf (_("%.1f ms"), us / 1000);
}

static void
draw (GtkWidget *widget,
      cairo_t   *cr,
      int        width,
      int        height)
{
  MrLatencyPlot *self = MR_LATENCY_PLOT (widget);
  gint64 now = g_get_monotonic_time ();
  guint32 p50 = self->p50;
  guint32 p99 = self->p99;
  g_autofree guint8 *drawn = g_malloc0 ((gsize) width * height);
  double top = MAX (p99 * 1.25, 5000.0);
  GdkRGBA fg, grid, accent, error, warning;
  const struct { guint32 value; const char *name; } marks[] = {
    { p50, C_("median", "p50") },
    { p99, C_("99th percentile", "p99") },
  };

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  mr_drawing_get_faded_foreground (widget, 0.12, &grid);
  mr_drawing_lookup_color (widget, "accent_color", &accent);
  mr_drawing_lookup_color (widget, "error_color", &error);
  mr_drawing_lookup_color (widget, "warning_color", &warning);

  /* Frame: the axis at the bottom. */
  mr_drawing_fill_baseline (cr, &grid, width, height);

  /* Dots. */
  accent.alpha = 0.75;
  for (guint i = 0; i < self->samples->len; i++)
    {
      const MrDemoLatencySample *s = &g_array_index (self->samples, MrDemoLatencySample, i);
      double x = width - (double) (now - s->time_us) / (WINDOW_S * G_USEC_PER_SEC) * width;
      double y;

      if (x < 0)
        continue;

      if (!s->ok)
        {
          gdk_cairo_set_source_rgba (cr, &error);
          cairo_rectangle (cr, x - 1, 0, 2, 8);
          cairo_fill (cr);
          continue;
        }

      y = height - 2 - MIN (s->latency_us / top, 1.0) * (height - 4);

      /* Thousands of batches a second land on the same pixels: draw each
       * pixel once. */
      {
        int px = CLAMP ((int) x, 0, width - 1);
        int py = CLAMP ((int) y, 0, height - 1);

        if (drawn[(gsize) py * width + px])
          continue;
        drawn[(gsize) py * width + px] = 1;
      }

      gdk_cairo_set_source_rgba (cr, s->latency_us > top ? &warning : &accent);
      cairo_rectangle (cr, x - 1, y - 1, 2.5, 2.5);
      cairo_fill (cr);
    }

  /* p50 and p99, dashed, labelled at the left. */
  if (self->samples->len > 0)
    {
      const double dash[] = { 4, 4 };

      for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
        {
          g_autofree char *value = format_ms (marks[i].value);
          g_autofree char *label = g_strdup_printf ("%s %s", marks[i].name, value);
          double y = height - 2 - MIN (marks[i].value / top, 1.0) * (height - 4);
          PangoLayout *layout;
          GdkRGBA line = fg;
          int text_width;

          line.alpha *= 0.45;
          gdk_cairo_set_source_rgba (cr, &line);
          cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, 0, y + 0.5);
          cairo_line_to (cr, width, y + 0.5);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);

          /* The median's label at the left, the 99th's at the right, so
           * that close lines do not write over each other. */
          layout = gtk_widget_create_pango_layout (widget, label);
          pango_layout_get_pixel_size (layout, &text_width, NULL);
          gdk_cairo_set_source_rgba (cr, &fg);
          cairo_move_to (cr, i == 0 ? 4 : width - text_width - 4, MAX (y - 17, 0));
          pango_cairo_show_layout (cr, layout);
          g_object_unref (layout);
        }
    }
}

static void
mr_latency_plot_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  mr_drawing_snapshot_cairo (widget, snapshot, draw);
}

static void
mr_latency_plot_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = 360;
    }
  else
    {
      *minimum = 80;
      *natural = 140;
    }
}

static void
mr_latency_plot_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (mr_latency_plot_parent_class)->css_changed (widget, change);

  gtk_widget_queue_draw (widget);
}

static void
mr_latency_plot_finalize (GObject *object)
{
  MrLatencyPlot *self = MR_LATENCY_PLOT (object);

  g_clear_pointer (&self->samples, g_array_unref);

  G_OBJECT_CLASS (mr_latency_plot_parent_class)->finalize (object);
}

static void
mr_latency_plot_class_init (MrLatencyPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = mr_latency_plot_finalize;

  widget_class->snapshot = mr_latency_plot_snapshot;
  widget_class->measure = mr_latency_plot_measure;
  widget_class->css_changed = mr_latency_plot_css_changed;

  gtk_widget_class_set_css_name (widget_class, "latencyplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
mr_latency_plot_init (MrLatencyPlot *self)
{
  self->samples = g_array_new (FALSE, FALSE, sizeof (MrDemoLatencySample));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Produce latency"),
                                  -1);
}

GtkWidget *
mr_latency_plot_new (void)
{
  return g_object_new (MR_TYPE_LATENCY_PLOT, NULL);
}

void
mr_latency_plot_add_samples (MrLatencyPlot *self,
                             GArray        *samples)
{
  gint64 oldest = g_get_monotonic_time () - WINDOW_S * G_USEC_PER_SEC;
  g_autofree char *description = NULL;
  g_autofree char *p50 = NULL;
  g_autofree char *p99 = NULL;
  guint drop = 0;

  g_return_if_fail (MR_IS_LATENCY_PLOT (self));
  g_return_if_fail (samples != NULL);

  g_array_append_vals (self->samples, samples->data, samples->len);

  while (drop < self->samples->len &&
         g_array_index (self->samples, MrDemoLatencySample, drop).time_us < oldest)
    drop++;
  if (self->samples->len - drop > MAX_SAMPLES)
    drop = self->samples->len - MAX_SAMPLES;
  if (drop > 0)
    g_array_remove_range (self->samples, 0, drop);

  self->p50 = quantile (self, 0.5);
  self->p99 = quantile (self, 0.99);
  p50 = format_ms (self->p50);
  p99 = format_ms (self->p99);
  /* Translators: the latency plot for screen readers. */
  description = g_strdup_printf (_("Median %s, 99th percentile %s over the last "
                                   "%d seconds"), p50, p99, WINDOW_S);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
mr_latency_plot_clear (MrLatencyPlot *self)
{
  g_return_if_fail (MR_IS_LATENCY_PLOT (self));

  g_array_set_size (self->samples, 0);
  self->p50 = self->p99 = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
mr_latency_plot_get_n_samples (MrLatencyPlot *self)
{
  g_return_val_if_fail (MR_IS_LATENCY_PLOT (self), 0);

  return self->samples->len;
}

guint32
mr_latency_plot_get_quantile (MrLatencyPlot *self,
                              double         q)
{
  g_return_val_if_fail (MR_IS_LATENCY_PLOT (self), 0);

  if (q == 0.5)
    return self->p50;
  if (q == 0.99)
    return self->p99;
  return quantile (self, q);
}
