/* mr-headless.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-app"

#include "config.h"

#include "mr-headless.h"

#include <glib-unix.h>
#include <millrace-engine.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mr-application.h"
#include "mr-launch-options.h"

/* What a shell script tests for: bad arguments, ports in use and unusable
 * directories, as opposed to failures of the cluster itself. */
#define EXIT_USAGE 2

typedef struct
{
  gboolean  headless;
  gboolean  version;
  char     *brokers;
  char     *port;
  char     *http_port;
  char     *data_dir;
} Arguments;

static void
arguments_clear (Arguments *arguments)
{
  g_clear_pointer (&arguments->brokers, g_free);
  g_clear_pointer (&arguments->port, g_free);
  g_clear_pointer (&arguments->http_port, g_free);
  g_clear_pointer (&arguments->data_dir, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Arguments, arguments_clear)

static int fail (int         status,
                 const char *format,
                 ...) G_GNUC_PRINTF (2, 3);

/* One line on stderr, whatever the message holds. */
static int
fail (int         status,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_strdelimit (message, "\r\n", ' ');
  g_printerr ("millrace: %s\n", message);
  return status;
}

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_debug ("Signal received: shutting down");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* The application's option table, pointed at @arguments. */
static GOptionEntry *
dup_entries (Arguments *arguments)
{
  const GOptionEntry *shared = mr_application_get_option_entries ();
  guint n = 0;
  GOptionEntry *entries;

  while (shared[n].long_name != NULL)
    n++;
  entries = g_new0 (GOptionEntry, n + 1);
  memcpy (entries, shared, sizeof (GOptionEntry) * n);

  for (guint i = 0; i < n; i++)
    {
      const char *name = entries[i].long_name;

      if (g_str_equal (name, "headless"))
        entries[i].arg_data = &arguments->headless;
      else if (g_str_equal (name, "version"))
        entries[i].arg_data = &arguments->version;
      else if (g_str_equal (name, "brokers"))
        entries[i].arg_data = &arguments->brokers;
      else if (g_str_equal (name, "port"))
        entries[i].arg_data = &arguments->port;
      else if (g_str_equal (name, "http-port"))
        entries[i].arg_data = &arguments->http_port;
      else if (g_str_equal (name, "data-dir"))
        entries[i].arg_data = &arguments->data_dir;
      else
        g_assert_not_reached ();
    }

  return entries;
}

gboolean
mr_headless_requested (int    argc,
                       char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--headless"))
        return TRUE;
    }

  return FALSE;
}

int
mr_headless_run (int    argc,
                 char **argv)
{
  g_auto(Arguments) arguments = { 0, };
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_auto(GStrv) args = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_auto(MrLaunchOptions) options = { 0, };
  MrClusterOptions cluster_options;
  g_autoptr(MrCluster) cluster = NULL;
  g_autoptr(MrHttpApi) api = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GPtrArray) brokers = NULL;
  g_autoptr(GPtrArray) kafka_listeners = NULL;
  g_autoptr(GString) bootstrap = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *url = NULL;
  guint sigint_source;
  guint sigterm_source;

  /* Logs go to stderr: stdout carries the ready line and nothing else. */
  g_log_writer_default_set_use_stderr (TRUE);

  entries = dup_entries (&arguments);
  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  if (!g_option_context_parse_strv (context, &args, &error))
    return fail (EXIT_USAGE, "%s", error->message);

  if (arguments.version)
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (args[0] != NULL && args[1] != NULL)
    return fail (EXIT_USAGE, "Unexpected argument “%s”", args[1]);

  /* The settings only when their schema is there: a server has none. */
  settings = mr_launch_options_dup_settings ();
  mr_launch_options_init (&options, settings);
  if (!mr_launch_options_apply (&options, arguments.brokers, arguments.port,
                                arguments.http_port, arguments.data_dir, cwd,
                                &error)
      || !mr_launch_options_check_ports (&options, TRUE, &error))
    return fail (EXIT_USAGE, "%s", error->message);

  mr_launch_options_to_cluster (&options, settings, &cluster_options);
  g_clear_object (&settings);
  cluster = mr_cluster_new (&cluster_options, &error);
  mr_cluster_options_clear (&cluster_options);
  if (cluster == NULL)
    return fail (g_error_matches (error, MR_CLUSTER_ERROR,
                                  MR_CLUSTER_ERROR_STORE)
                 ? EXIT_USAGE : EXIT_FAILURE,
                 "%s", error->message);

  api = mr_http_api_new (cluster, NULL);
  if (!mr_http_api_start (api, MR_LAUNCH_HOST, options.http_port, &error))
    return fail (EXIT_USAGE, "%s", error->message);

  /* From here on a signal means a clean shutdown, even during the start. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint_source = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_source = g_unix_signal_add (SIGTERM, quit_cb, loop);

  if (!mr_cluster_start (cluster, &error))
    {
      g_source_remove (sigint_source);
      g_source_remove (sigterm_source);
      mr_http_api_stop (api);
      return fail (EXIT_FAILURE, "%s", error->message);
    }

  /* The Kafka listeners: one per broker, on its advertised port. */
  kafka_listeners = mr_kafka_listeners_start_all (cluster, &error);
  if (kafka_listeners == NULL)
    {
      g_source_remove (sigint_source);
      g_source_remove (sigterm_source);
      mr_http_api_stop (api);
      mr_cluster_shutdown (cluster);
      return fail (EXIT_FAILURE, "%s", error->message);
    }

  brokers = mr_cluster_list_brokers (cluster);
  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      g_string_append_printf (bootstrap, "%s%s:%u", i > 0 ? "," : "",
                              info->host, info->port);
    }
  url = mr_http_api_dup_url (api);
  g_print ("millrace: ready bootstrap=%s http=%s\n", bootstrap->str, url);
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  mr_http_api_stop (api);
  g_clear_object (&api);
  /* The Kafka listeners stop before the cluster. */
  g_clear_pointer (&kafka_listeners, g_ptr_array_unref);
  mr_cluster_shutdown (cluster);
  g_clear_pointer (&cluster, mr_cluster_unref);
  g_debug ("Shut down cleanly");

  return EXIT_SUCCESS;
}
