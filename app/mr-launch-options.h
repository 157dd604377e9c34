/* mr-launch-options.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

/* What the cluster runs with, as the window and headless mode resolve it:
 * the command line, then the settings (when the schema is installed), then
 * the built-in defaults. Broker i listens on first_port + i - 1; everything
 * binds to the loopback interface. */
typedef struct
{
  guint  n_brokers;
  guint  first_port;
  guint  http_port;
  char  *data_dir;     /* absolute */
} MrLaunchOptions;

#define MR_LAUNCH_HOST "127.0.0.1"

/* The application's settings, or NULL when the schema is not installed
 * (headless mode works without it). */
GSettings *mr_launch_options_dup_settings   (void) G_GNUC_WARN_UNUSED_RESULT;

/* The settings' values, or the built-in defaults when @settings is NULL. */
void       mr_launch_options_init           (MrLaunchOptions        *options,
                                             GSettings              *settings);
void       mr_launch_options_clear          (MrLaunchOptions        *options);

/* The cluster directory the "data-dir" setting names (relative to the home
 * folder), or $XDG_DATA_HOME/millrace/default when it is empty or there are
 * no settings. */
char      *mr_launch_options_dup_default_data_dir
                                            (GSettings              *settings) G_GNUC_WARN_UNUSED_RESULT;

/* Checks that one option's text is a whole number from @min to @max. */
gboolean   mr_launch_options_parse_number   (const char             *option_name,
                                             const char             *text,
                                             guint                   min,
                                             guint                   max,
                                             guint                  *value,
                                             GError                **error);

/* Applies the options given on a command line (NULL: not given) and checks
 * the result. @data_dir is taken relative to @cwd. Errors are
 * G_OPTION_ERROR_BAD_VALUE. */
gboolean   mr_launch_options_apply          (MrLaunchOptions        *options,
                                             const char             *brokers,
                                             const char             *port,
                                             const char             *http_port,
                                             const char             *data_dir,
                                             const char             *cwd,
                                             GError                **error);

/* Binds each broker port on the loopback interface and closes it again,
 * so that a port in use is reported before the cluster starts; the HTTP
 * port too when @with_http. G_IO_ERROR_ADDRESS_IN_USE names the port. */
gboolean   mr_launch_options_check_ports    (const MrLaunchOptions  *options,
                                             gboolean                with_http,
                                             GError                **error);

/* Cluster options from these; clear them with mr_cluster_options_clear(). */
void       mr_launch_options_to_cluster     (const MrLaunchOptions  *options,
                                             GSettings              *settings,
                                             MrClusterOptions       *cluster_options);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MrLaunchOptions, mr_launch_options_clear)

G_END_DECLS
