/* mr-launch-options.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-app"

#include "config.h"

#include "mr-launch-options.h"

#define DEFAULT_BROKERS    3
#define DEFAULT_FIRST_PORT 9092

GSettings *
mr_launch_options_dup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;

  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

char *
mr_launch_options_dup_default_data_dir (GSettings *settings)
{
  g_autofree char *setting = NULL;

  if (settings != NULL)
    setting = g_settings_get_string (settings, "data-dir");

  if (setting != NULL && setting[0] != '\0')
    return g_canonicalize_filename (setting, g_get_home_dir ());

  return g_build_filename (g_get_user_data_dir (), "millrace", "default", NULL);
}

void
mr_launch_options_init (MrLaunchOptions *options,
                        GSettings       *settings)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  options->n_brokers = DEFAULT_BROKERS;
  options->first_port = DEFAULT_FIRST_PORT;
  options->http_port = MR_HTTP_API_DEFAULT_PORT;
  options->data_dir = mr_launch_options_dup_default_data_dir (settings);

  if (settings != NULL)
    {
      options->n_brokers = (guint)g_settings_get_int (settings, "brokers");
      options->first_port = (guint)g_settings_get_int (settings, "first-port");
      options->http_port = (guint)g_settings_get_int (settings, "http-port");
    }
}

void
mr_launch_options_clear (MrLaunchOptions *options)
{
  g_clear_pointer (&options->data_dir, g_free);
}

gboolean
mr_launch_options_parse_number (const char  *option_name,
                                const char  *text,
                                guint        min,
                                guint        max,
                                guint       *value,
                                GError     **error)
{
  guint64 number = 0;

  if (text == NULL
      || !g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--%s takes a number from %u to %u, not “%s”",
                   option_name, min, max, text != NULL ? text : "");
      return FALSE;
    }

  *value = (guint)number;
  return TRUE;
}

gboolean
mr_launch_options_apply (MrLaunchOptions  *options,
                         const char       *brokers,
                         const char       *port,
                         const char       *http_port,
                         const char       *data_dir,
                         const char       *cwd,
                         GError          **error)
{
  g_return_val_if_fail (options != NULL, FALSE);

  if ((brokers != NULL
       && !mr_launch_options_parse_number ("brokers", brokers, 1,
                                           MR_CLUSTER_MAX_BROKERS,
                                           &options->n_brokers, error))
      || (port != NULL
          && !mr_launch_options_parse_number ("port", port, 1, G_MAXUINT16,
                                              &options->first_port, error))
      || (http_port != NULL
          && !mr_launch_options_parse_number ("http-port", http_port, 0,
                                              G_MAXUINT16,
                                              &options->http_port, error)))
    return FALSE;

  if (data_dir != NULL)
    {
      if (data_dir[0] == '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--data-dir needs a directory");
          return FALSE;
        }
      g_free (options->data_dir);
      options->data_dir = g_canonicalize_filename (data_dir, cwd);
    }

  /* Settings can disagree with each other too. */
  if (options->n_brokers < 1 || options->n_brokers > MR_CLUSTER_MAX_BROKERS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "A cluster has 1 to %d brokers, not %u",
                   MR_CLUSTER_MAX_BROKERS, options->n_brokers);
      return FALSE;
    }
  if (options->first_port < 1
      || options->first_port + options->n_brokers - 1 > G_MAXUINT16)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%u brokers from port %u would go past port %u",
                   options->n_brokers, options->first_port, G_MAXUINT16);
      return FALSE;
    }
  if (options->http_port != 0
      && options->http_port >= options->first_port
      && options->http_port < options->first_port + options->n_brokers)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "The HTTP port %u is one of the broker ports (%u to %u)",
                   options->http_port, options->first_port,
                   options->first_port + options->n_brokers - 1);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_port (guint    port,
            GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) host = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;

  /* With SO_REUSEADDR, as a listener binds: connections of an earlier run
   * lingering in TIME_WAIT do not count, a listening socket does. */
  host = g_inet_address_new_from_string (MR_LAUNCH_HOST);
  address = g_inet_socket_address_new (host, port);
  if (!g_socket_bind (socket, address, TRUE, &local_error))
    {
      g_set_error (error, G_IO_ERROR,
                   local_error->domain == G_IO_ERROR
                     ? local_error->code : G_IO_ERROR_FAILED,
                   "Port %u on %s is not available: %s", port,
                   MR_LAUNCH_HOST, local_error->message);
      return FALSE;
    }

  return g_socket_close (socket, error);
}

gboolean
mr_launch_options_check_ports (const MrLaunchOptions  *options,
                               gboolean                with_http,
                               GError                **error)
{
  g_return_val_if_fail (options != NULL, FALSE);

  for (guint i = 0; i < options->n_brokers; i++)
    {
      if (!check_port (options->first_port + i, error))
        {
          g_prefix_error (error, "Broker %u: ", i + 1);
          return FALSE;
        }
    }

  if (with_http && options->http_port != 0
      && !check_port (options->http_port, error))
    {
      g_prefix_error (error, "HTTP API: ");
      return FALSE;
    }

  return TRUE;
}

void
mr_launch_options_to_cluster (const MrLaunchOptions *options,
                              GSettings             *settings,
                              MrClusterOptions      *cluster_options)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (cluster_options != NULL);

  mr_cluster_options_init (cluster_options);
  g_free (cluster_options->data_dir);
  cluster_options->data_dir = g_strdup (options->data_dir);
  g_free (cluster_options->host);
  cluster_options->host = g_strdup (MR_LAUNCH_HOST);
  cluster_options->n_brokers = options->n_brokers;
  cluster_options->first_port = options->first_port;

  if (settings != NULL)
    {
      cluster_options->auto_create_topics =
        g_settings_get_boolean (settings, "auto-create-topics");
      cluster_options->simulate_power_loss =
        g_settings_get_boolean (settings, "simulate-power-loss");
    }
}
