/* mr-preferences-window.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-preferences-window.h"

#include <glib/gi18n.h>

/* Preferences: every row is bound to its GSettings key, so a change is
 * written at once. The cluster's keys take effect the next time the
 * cluster starts (see app/mr-launch-options.c: command line, then these,
 * then the defaults); the style applies at once. */

struct _MrPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets. */
  AdwComboRow          *style_row;
  GtkSpinButton        *brokers_spin;
  GtkSpinButton        *port_spin;
  GtkSpinButton        *http_port_spin;
  AdwEntryRow          *data_dir_row;
  GtkSwitch            *auto_create_switch;
  GtkSwitch            *power_loss_switch;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (MrPreferencesWindow, mr_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo's rows, in order. */
static const char * const schemes[] = { "default", "light", "dark" };

static gboolean
scheme_to_index (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  const char *scheme = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_str_equal (scheme, schemes[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
index_to_scheme (const GValue       *value,
                 const GVariantType *expected_type,
                 gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  return g_variant_new_string (schemes[MIN (index, G_N_ELEMENTS (schemes) - 1)]);
}

static void
data_dir_apply_cb (MrPreferencesWindow *self,
                   AdwEntryRow         *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  g_settings_set_string (self->settings, "data-dir", text);
}

static void
mr_preferences_window_dispose (GObject *object)
{
  MrPreferencesWindow *self = MR_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (mr_preferences_window_parent_class)->dispose (object);
}

static void
mr_preferences_window_class_init (MrPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, brokers_spin);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, http_port_spin);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, data_dir_row);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, auto_create_switch);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, power_loss_switch);
}

static void
mr_preferences_window_init (MrPreferencesWindow *self)
{
  g_autofree char *data_dir = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

  g_settings_bind (self->settings, "brokers", self->brokers_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "first-port", self->port_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "http-port", self->http_port_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "auto-create-topics", self->auto_create_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "simulate-power-loss", self->power_loss_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "color-scheme", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, scheme_to_index, index_to_scheme,
                                NULL, NULL);

  /* The directory is written when applied, not at every key press. */
  data_dir = g_settings_get_string (self->settings, "data-dir");
  gtk_editable_set_text (GTK_EDITABLE (self->data_dir_row), data_dir);
  g_signal_connect_swapped (self->data_dir_row, "apply",
                            G_CALLBACK (data_dir_apply_cb), self);
}

/**
 * mr_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer none): a new preferences window, owned by GTK
 */
GtkWidget *
mr_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (MR_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
}

static void
apply_color_scheme (GSettings *settings)
{
  g_autofree char *scheme = g_settings_get_string (settings, "color-scheme");
  AdwColorScheme value = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (scheme, "light"))
    value = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (scheme, "dark"))
    value = ADW_COLOR_SCHEME_FORCE_DARK;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), value);
}

static void
color_scheme_changed_cb (GSettings  *settings,
                         const char *key,
                         gpointer    user_data)
{
  apply_color_scheme (settings);
}

void
mr_preferences_follow_color_scheme (GSettings *settings)
{
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_signal_connect (settings, "changed::color-scheme",
                    G_CALLBACK (color_scheme_changed_cb), NULL);
  apply_color_scheme (settings);
}
