/* mr-application.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-app"

#include "config.h"

#include "mr-application.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "mr-window.h"

struct _MrApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (MrApplication, mr_application, ADW_TYPE_APPLICATION)

static const GOptionEntry main_entries[] = {
  { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open the cluster kept in DIR"), N_("DIR") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

/* Helpers. */

static MrWindow *
find_window (MrApplication *self,
             const char    *data_dir)
{
  for (const GList *iter = gtk_application_get_windows (GTK_APPLICATION (self));
       iter != NULL;
       iter = iter->next)
    {
      if (MR_IS_WINDOW (iter->data) &&
          g_strcmp0 (mr_window_get_data_dir (iter->data), data_dir) == 0)
        return iter->data;
    }

  return NULL;
}

static void
present_window (MrApplication *self,
                const char    *data_dir)
{
  MrWindow *window;

  g_assert (MR_IS_APPLICATION (self));
  g_assert (data_dir != NULL);

  window = find_window (self, data_dir);

  if (window == NULL)
    {
      g_debug ("Opening a window on %s", data_dir);
      window = mr_window_new (ADW_APPLICATION (self), data_dir);
    }

  gtk_window_present (GTK_WINDOW (window));
}

/* Actions. */

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  MrApplication *self = user_data;
  GtkWindow *window;
  GtkWidget *about;

  g_assert (MR_IS_APPLICATION (self));

  window = gtk_application_get_active_window (GTK_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", window,
                        "application-name", _("Millrace"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Millrace authors"),
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/millrace/millrace",
                        "issue-url", "https://github.com/millrace/millrace/issues",
                        "copyright", "© 2026 The Millrace authors",
                        "license-type", GTK_LICENSE_APACHE_2_0,
                        /* Translators: Replace "translator-credits" with
                         * your names, one name per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  MrApplication *self = user_data;
  g_autoptr(GList) windows = NULL;

  g_assert (MR_IS_APPLICATION (self));

  /* Closing each window lets it save its state; the application ends with
   * the last one. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (const GList *iter = windows; iter != NULL; iter = iter->next)
    gtk_window_close (iter->data);
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

/* Virtual functions. */

static int
mr_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  /* Go on: the primary instance handles the rest in command_line. */
  return -1;
}

static int
mr_application_command_line (GApplication            *application,
                             GApplicationCommandLine *command_line)
{
  MrApplication *self = MR_APPLICATION (application);
  GVariantDict *options;
  const char *data_dir = NULL;

  options = g_application_command_line_get_options_dict (command_line);

  if (!g_variant_dict_lookup (options, "data-dir", "^&ay", &data_dir))
    {
      g_application_activate (application);
      return EXIT_SUCCESS;
    }

  if (data_dir[0] == '\0')
    {
      g_application_command_line_printerr (command_line, "%s\n",
                                           _("--data-dir needs a directory"));
      return EXIT_FAILURE;
    }
  else
    {
      /* Relative to where the command ran, which for a second instance is
       * not where this one runs. */
      g_autoptr(GFile) file = NULL;
      g_autofree char *path = NULL;

      file = g_application_command_line_create_file_for_arg (command_line, data_dir);
      path = g_file_get_path (file);
      present_window (self, path);
    }

  return EXIT_SUCCESS;
}

static void
mr_application_activate (GApplication *application)
{
  MrApplication *self = MR_APPLICATION (application);
  g_autofree char *data_dir = NULL;
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  data_dir = mr_application_dup_default_data_dir (self);
  present_window (self, data_dir);
}

static void
mr_application_startup (GApplication *application)
{
  MrApplication *self = MR_APPLICATION (application);

  G_APPLICATION_CLASS (mr_application_parent_class)->startup (application);

  self->settings = g_settings_new (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                         "app.quit",
                                         (const char * const []) { "<Control>q", NULL });
}

static void
mr_application_dispose (GObject *object)
{
  MrApplication *self = MR_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (mr_application_parent_class)->dispose (object);
}

static void
mr_application_class_init (MrApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = mr_application_dispose;

  application_class->activate = mr_application_activate;
  application_class->command_line = mr_application_command_line;
  application_class->handle_local_options = mr_application_handle_local_options;
  application_class->startup = mr_application_startup;
}

static void
mr_application_init (MrApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
}

/* Public API. */

MrApplication *
mr_application_new (void)
{
  return g_object_new (MR_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", APP_BASE_PATH,
                       NULL);
}

/**
 * mr_application_dup_default_data_dir:
 * @self: a #MrApplication
 *
 * Gets the cluster directory to open when the command line names none: the
 * `data-dir` setting when it is set, otherwise the `millrace/default` folder
 * of the user's data directory. A relative setting is taken from the home
 * folder.
 *
 * Returns: (transfer full): an absolute path
 */
char *
mr_application_dup_default_data_dir (MrApplication *self)
{
  g_autofree char *setting = NULL;

  g_return_val_if_fail (MR_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (self->settings != NULL, NULL);

  setting = g_settings_get_string (self->settings, "data-dir");

  if (setting[0] != '\0')
    return g_canonicalize_filename (setting, g_get_home_dir ());

  return g_build_filename (g_get_user_data_dir (), "millrace", "default", NULL);
}
