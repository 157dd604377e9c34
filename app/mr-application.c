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

#include "mr-launch-options.h"
#include "mr-preferences-window.h"
#include "mr-window.h"

/* A bad argument, as in headless mode. */
#define EXIT_USAGE 2

struct _MrApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;

  /* The one cluster this instance runs, from the first command line on;
   * started in a worker thread, then served over HTTP. */
  MrCluster      *cluster;
  MrLaunchOptions options;
  MrHttpApi      *http_api;
  GPtrArray      *kafka_listeners;  /* MrKafkaListener, one per broker */
  gboolean        starting;
};

G_DEFINE_FINAL_TYPE (MrApplication, mr_application, ADW_TYPE_APPLICATION)

/* Shared with headless mode, which fills in arg_data (see mr-headless.c). */
static const GOptionEntry main_entries[] = {
  { "headless", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Run the cluster and the HTTP API without a window, until interrupted"),
    NULL },
  { "brokers", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Run N brokers (1 to 16)"), N_("N") },
  { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open the cluster kept in DIR"), N_("DIR") },
  { "port", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Give broker 1 port PORT, broker 2 the next one, and so on"),
    N_("PORT") },
  { "http-port", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Serve the HTTP API on PORT"), N_("PORT") },
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
      window = MR_WINDOW (mr_window_new (GTK_APPLICATION (self), data_dir,
                                         self->cluster));
    }

  gtk_window_present (GTK_WINDOW (window));
}

/* The cluster. */

static void
start_cluster_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  MrCluster *cluster = task_data;
  GError *error = NULL;

  /* Blocks until a controller has elected leaders. */
  if (!mr_cluster_start (cluster, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_cluster_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  MrApplication *self = MR_APPLICATION (object);
  g_autoptr(GError) error = NULL;

  self->starting = FALSE;
  g_application_release (G_APPLICATION (self));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("The cluster in %s did not start: %s",
                 self->options.data_dir, error->message);
      return;
    }

  /* The application may be on its way out already. */
  if (self->cluster == NULL)
    return;

  /* The Kafka listeners: one per broker, on its advertised port. */
  self->kafka_listeners = mr_kafka_listeners_start_all (self->cluster, &error);
  if (self->kafka_listeners == NULL)
    {
      g_message ("Going on without the Kafka listeners: %s", error->message);
      g_clear_error (&error);
    }

  self->http_api = mr_http_api_new (self->cluster, NULL);
  if (!mr_http_api_start (self->http_api, MR_LAUNCH_HOST,
                          self->options.http_port, &error))
    {
      g_warning ("Going on without the HTTP API: %s", error->message);
      g_clear_object (&self->http_api);
      return;
    }

  g_debug ("HTTP API on port %u", mr_http_api_get_port (self->http_api));
}

/* Creates the cluster with @options, and starts it off the main thread. */
static gboolean
open_cluster (MrApplication          *self,
              const MrLaunchOptions  *options,
              GError                **error)
{
  g_autoptr(GTask) task = NULL;
  MrClusterOptions cluster_options;
  MrCluster *cluster;

  g_assert (self->cluster == NULL);

  mr_launch_options_to_cluster (options, self->settings, &cluster_options);
  cluster = mr_cluster_new (&cluster_options, error);
  mr_cluster_options_clear (&cluster_options);
  if (cluster == NULL)
    return FALSE;

  self->cluster = cluster;
  self->options.n_brokers = options->n_brokers;
  self->options.first_port = options->first_port;
  self->options.http_port = options->http_port;
  g_free (self->options.data_dir);
  self->options.data_dir = g_strdup (options->data_dir);

  /* The application stays up until the cluster has started. */
  self->starting = TRUE;
  g_application_hold (G_APPLICATION (self));
  task = g_task_new (self, NULL, start_cluster_cb, NULL);
  g_task_set_source_tag (task, open_cluster);
  g_task_set_task_data (task, mr_cluster_ref (cluster),
                        (GDestroyNotify)mr_cluster_unref);
  g_task_run_in_thread (task, start_cluster_thread);

  return TRUE;
}

/* Opens the cluster of @options, or checks that the one running is the
 * one asked for. */
static gboolean
ensure_cluster (MrApplication          *self,
                const MrLaunchOptions  *options,
                gboolean                explicit_data_dir,
                GError                **error)
{
  if (self->cluster == NULL)
    return open_cluster (self, options, error);

  if (explicit_data_dir
      && g_strcmp0 (options->data_dir, self->options.data_dir) != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "Millrace already runs the cluster in %s; quit it to "
                   "open %s", self->options.data_dir, options->data_dir);
      return FALSE;
    }

  return TRUE;
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
  static const struct
  {
    const char *name;
    guint       min;
    guint       max;
  } numbers[] = {
    { "brokers", 1, MR_CLUSTER_MAX_BROKERS },
    { "port", 1, G_MAXUINT16 },
    { "http-port", 0, G_MAXUINT16 },
  };

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  /* Numbers are checked here, where the error reaches the terminal that
   * ran the command; the primary instance checks how they combine. */
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autoptr(GError) error = NULL;
      const char *text = NULL;
      guint value = 0;

      if (g_variant_dict_lookup (options, numbers[i].name, "&s", &text)
          && !mr_launch_options_parse_number (numbers[i].name, text,
                                              numbers[i].min, numbers[i].max,
                                              &value, &error))
        {
          g_printerr ("millrace: %s\n", error->message);
          return EXIT_USAGE;
        }
    }

  /* Go on: the primary instance handles the rest in command_line. */
  return -1;
}

static int
mr_application_command_line (GApplication            *application,
                             GApplicationCommandLine *command_line)
{
  MrApplication *self = MR_APPLICATION (application);
  g_auto(MrLaunchOptions) launch = { 0, };
  g_autoptr(GError) error = NULL;
  GVariantDict *options;
  const char *data_dir = NULL;
  const char *brokers = NULL;
  const char *port = NULL;
  const char *http_port = NULL;
  gboolean have_data_dir;

  options = g_application_command_line_get_options_dict (command_line);
  have_data_dir = g_variant_dict_lookup (options, "data-dir", "^&ay",
                                         &data_dir);
  g_variant_dict_lookup (options, "brokers", "&s", &brokers);
  g_variant_dict_lookup (options, "port", "&s", &port);
  g_variant_dict_lookup (options, "http-port", "&s", &http_port);

  if (g_variant_dict_contains (options, "headless"))
    {
      /* main() runs headless mode before the application exists; only a
       * second instance gets here. */
      g_application_command_line_printerr (command_line, "millrace: %s\n",
                                           "--headless cannot join a "
                                           "running Millrace window");
      return EXIT_USAGE;
    }

  /* The command line, then the settings, then the defaults. A relative
   * directory is taken from where the command ran, which for a second
   * instance is not where this one runs. */
  mr_launch_options_init (&launch, self->settings);
  if (!mr_launch_options_apply (&launch, brokers, port, http_port, data_dir,
                                g_application_command_line_get_cwd (command_line),
                                &error)
      || !ensure_cluster (self, &launch, have_data_dir, &error))
    {
      g_application_command_line_printerr (command_line, "millrace: %s\n",
                                           error->message);
      return EXIT_USAGE;
    }

  present_window (self, self->options.data_dir);
  return EXIT_SUCCESS;
}

static void
mr_application_activate (GApplication *application)
{
  MrApplication *self = MR_APPLICATION (application);
  g_auto(MrLaunchOptions) launch = { 0, };
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  /* Activated without a command line (D-Bus activation): the settings. */
  mr_launch_options_init (&launch, self->settings);
  if (!ensure_cluster (self, &launch, FALSE, &error))
    {
      g_warning ("Cannot open the cluster in %s: %s", launch.data_dir,
                 error->message);
      return;
    }

  present_window (self, self->options.data_dir);
}

static void
mr_application_startup (GApplication *application)
{
  MrApplication *self = MR_APPLICATION (application);

  G_APPLICATION_CLASS (mr_application_parent_class)->startup (application);

  self->settings = g_settings_new (APP_ID);
  mr_preferences_follow_color_scheme (self->settings);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                         "app.quit",
                                         (const char * const []) { "<Control>q", NULL });
}

static void
mr_application_shutdown (GApplication *application)
{
  MrApplication *self = MR_APPLICATION (application);

  /* The start cannot be interrupted: let it finish, then stop everything
   * cleanly. The cluster's shutdown joins the broker threads, which takes
   * a moment at exit. */
  while (self->starting)
    g_main_context_iteration (NULL, TRUE);

  if (self->http_api != NULL)
    {
      mr_http_api_stop (self->http_api);
      g_clear_object (&self->http_api);
    }
  /* The Kafka listeners stop before the cluster. */
  g_clear_pointer (&self->kafka_listeners, g_ptr_array_unref);
  if (self->cluster != NULL)
    {
      mr_cluster_shutdown (self->cluster);
      g_clear_pointer (&self->cluster, mr_cluster_unref);
    }

  G_APPLICATION_CLASS (mr_application_parent_class)->shutdown (application);
}

static void
mr_application_dispose (GObject *object)
{
  MrApplication *self = MR_APPLICATION (object);

  g_clear_object (&self->http_api);
  g_clear_pointer (&self->kafka_listeners, g_ptr_array_unref);
  g_clear_pointer (&self->cluster, mr_cluster_unref);
  mr_launch_options_clear (&self->options);
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
  application_class->shutdown = mr_application_shutdown;
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
  g_return_val_if_fail (MR_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (self->settings != NULL, NULL);

  return mr_launch_options_dup_default_data_dir (self->settings);
}

/**
 * mr_application_get_cluster:
 * @self: a #MrApplication
 *
 * Gets the cluster the application runs, which may still be starting.
 *
 * Returns: (transfer none) (nullable): the cluster, or %NULL before the
 *   first window and after shutdown
 */
MrCluster *
mr_application_get_cluster (MrApplication *self)
{
  g_return_val_if_fail (MR_IS_APPLICATION (self), NULL);

  return self->cluster;
}

/**
 * mr_application_get_http_api:
 * @self: a #MrApplication
 *
 * Gets the HTTP API, once the cluster has started and the API listens.
 *
 * Returns: (transfer none) (nullable): the HTTP API, or %NULL
 */
MrHttpApi *
mr_application_get_http_api (MrApplication *self)
{
  g_return_val_if_fail (MR_IS_APPLICATION (self), NULL);

  return self->http_api;
}

/**
 * mr_application_get_option_entries:
 *
 * Gets the command-line options of the application, with %NULL
 * `arg_data` as g_application_add_main_option_entries() wants them;
 * headless mode parses the same table.
 *
 * Returns: (transfer none): the entries, ending with an empty one
 */
const GOptionEntry *
mr_application_get_option_entries (void)
{
  return main_entries;
}
