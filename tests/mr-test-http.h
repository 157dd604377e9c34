/* mr-test-http.h: a cluster with its HTTP API served on a thread of its
 * own, and a real HTTP client to talk to it, for the HTTP API tests.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mr-test-util.h"

G_BEGIN_DECLS

/* A started cluster in a fresh temporary directory, its HTTP API on a free
 * port of 127.0.0.1, and a client session. The server runs on its own
 * thread and main context, as it would on the main context of the app. */
typedef struct
{
  char         *dir;
  MrCluster    *cluster;

  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  GMutex        lock;
  GCond         cond;
  guint         port;         /* the server's port, once it listens */

  SoupSession  *session;
  char         *base;         /* "http://127.0.0.1:<port>" */
} MrTestHttpFixture;

/* Starts a cluster of @n_brokers (options from
 * mr_test_cluster_options_init(), then changed by @tweak when given) and
 * its HTTP API; returns once the API listens. */
void        mr_test_http_start          (MrTestHttpFixture  *http,
                                         guint               n_brokers,
                                         MrTestOptionsFunc   tweak);
/* Stops the HTTP API and joins its thread; the cluster keeps running.
 * Calling it again does nothing. */
void        mr_test_http_stop_server    (MrTestHttpFixture  *http);
/* Stops the server, shuts the cluster down and removes its directory. */
void        mr_test_http_stop           (MrTestHttpFixture  *http);

/* Sends @method @path (with @body as JSON when given) to the server at
 * @base through @session and returns the status. @out, when given, gets
 * the JSON answer (checked to be served as application/json), or NULL for
 * an empty one; @allow, when given, gets the Allow header. */
guint       mr_test_http_request_full   (SoupSession        *session,
                                         const char         *base,
                                         const char         *method,
                                         const char         *path,
                                         const char         *body,
                                         JsonNode          **out,
                                         char              **allow);
/* mr_test_http_request_full() with the fixture's session and server. */
guint       mr_test_http_request        (MrTestHttpFixture  *http,
                                         const char         *method,
                                         const char         *path,
                                         const char         *body,
                                         JsonNode          **out);
/* Checks that the request answers @status with the Kafka Connect error
 * shape: {"error_code": @status, "message": a non-empty text}. */
void        mr_test_http_assert_error   (MrTestHttpFixture  *http,
                                         const char         *method,
                                         const char         *path,
                                         const char         *body,
                                         guint               status);
/* GETs @path, checks for 200 OK and a JSON object, and returns that object;
 * @holder keeps it (free it with json_node_unref()). */
JsonObject *mr_test_http_get_object     (MrTestHttpFixture  *http,
                                         const char         *path,
                                         JsonNode          **holder);

G_END_DECLS
