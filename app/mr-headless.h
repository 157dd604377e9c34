/* mr-headless.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether @argv asks for headless mode (--headless before any "--"). */
gboolean mr_headless_requested (int    argc,
                                char **argv);

/* `millrace --headless`: the cluster and the HTTP API with no window and
 * no GTK, until SIGINT or SIGTERM. Returns the exit status: 0 after a clean
 * shutdown, 2 for a bad argument, a port in use or an unusable data
 * directory (one line on stderr), 1 for other failures. */
int      mr_headless_run       (int    argc,
                                char **argv);

G_END_DECLS
