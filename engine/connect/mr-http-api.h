/* mr-http-api.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <gio/gio.h>

#include "cluster/mr-cluster.h"

G_BEGIN_DECLS

/* The HTTP API: a libsoup server on the loopback interface that controls a
 * cluster (brokers, faults, topics, records, events) with JSON bodies. The
 * endpoints and their JSON are described at the top of mr-http-api.c.
 *
 * Threads: the server's handlers run on the GMainContext given to
 * mr_http_api_new(), which the caller iterates in a thread where it is the
 * thread-default context (the global default context on the main thread
 * qualifies). Every call into the cluster runs in a GTask worker thread;
 * the handlers only route requests and write responses.
 *
 * mr_http_api_start() and mr_http_api_stop() are for that thread too. */
#define MR_TYPE_HTTP_API (mr_http_api_get_type ())

G_DECLARE_FINAL_TYPE (MrHttpApi, mr_http_api, MR, HTTP_API, GObject)

/* The address the API binds to unless told otherwise. */
#define MR_HTTP_API_DEFAULT_HOST "127.0.0.1"
#define MR_HTTP_API_DEFAULT_PORT 8083

/* @context: (nullable): where handlers run; NULL is the thread-default
 * context of the caller. The API takes a reference on @cluster. */
MrHttpApi  *mr_http_api_new       (MrCluster     *cluster,
                                   GMainContext  *context) G_GNUC_WARN_UNUSED_RESULT;

/* Listens on @host (an IP address; NULL is 127.0.0.1) and @port (0 picks a
 * free port; mr_http_api_get_port() tells which). A port in use is
 * G_IO_ERROR_ADDRESS_IN_USE.
 *
 * @locality: the context's thread. */
gboolean    mr_http_api_start     (MrHttpApi     *self,
                                   const char    *host,
                                   guint          port,
                                   GError       **error);

/* Stops listening, cancels the long polls, waits for the requests under
 * way to finish (iterating the context meanwhile) and closes every
 * connection. Idempotent; disposing of the API does it too.
 *
 * @locality: the context's thread. */
void        mr_http_api_stop      (MrHttpApi     *self);

MrCluster  *mr_http_api_get_cluster (MrHttpApi   *self);
/* The bound port, or 0 when the API is not listening. */
guint       mr_http_api_get_port  (MrHttpApi     *self);
/* The host it listens on, or NULL when it is not listening. */
const char *mr_http_api_get_host  (MrHttpApi     *self);
/* "http://127.0.0.1:8083", or NULL when it is not listening. */
char       *mr_http_api_dup_url   (MrHttpApi     *self) G_GNUC_WARN_UNUSED_RESULT;

/* Kafka's default partitioner for keyed records: murmur2 of the key bytes
 * (Kafka's seed 0x9747b28c), made positive by clearing the sign bit, modulo
 * @n_partitions. The same key lands where a Java producer puts it. */
gint32      mr_kafka_partition_for_key (const guint8 *key,
                                        gsize         key_len,
                                        gint32        n_partitions);

G_END_DECLS
