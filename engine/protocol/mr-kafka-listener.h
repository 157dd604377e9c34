/* mr-kafka-listener.h
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

/* One broker's Kafka endpoint: a TCP listener on @host:@port whose
 * requests go to the cluster API with via_broker = @broker_id. It follows
 * its broker's state: a stopped, crashed or isolated broker closes the
 * port and drops its clients; a paused one keeps them but reads and
 * answers nothing until resumed. */
typedef struct _MrKafkaListener MrKafkaListener;

/* socket.request.max.bytes: larger frames close the connection. */
#define MR_KAFKA_MAX_REQUEST_SIZE 104857600

/* Binds @host:@port (port 0: any free port). */
MrKafkaListener *mr_kafka_listener_new      (MrCluster        *cluster,
                                             gint32            broker_id,
                                             const char       *host,
                                             guint             port,
                                             GError          **error) G_GNUC_WARN_UNUSED_RESULT;
/* Starts the I/O thread. */
void             mr_kafka_listener_start    (MrKafkaListener  *listener);
/* Closes the port and every connection, waits for requests in flight;
 * idempotent. Call it before the cluster shuts down. */
void             mr_kafka_listener_stop     (MrKafkaListener  *listener);
void             mr_kafka_listener_free     (MrKafkaListener  *listener);
guint            mr_kafka_listener_get_port (MrKafkaListener  *listener);
gint32           mr_kafka_listener_get_broker_id (MrKafkaListener *listener);

/* Runs one request frame as a client sends it, without its Size prefix,
 * through the same header parse, version check and handler as a
 * connection of @listener would, without a socket, and waits until the
 * request has ended. Returns the response as it would go on the wire
 * (Size and response header included), empty when the request gets no
 * answer (Produce acks=0), or NULL when the connection would close. A long
 * poll is cut short after @patience_ms. For the fuzz target and its corpus
 * replay; the listener must never be started. */
GBytes          *mr_kafka_listener_run_frame (MrKafkaListener *listener,
                                              const guint8    *data,
                                              gsize            len,
                                              guint            patience_ms) G_GNUC_WARN_UNUSED_RESULT;

/* One started listener per broker on the host and port that
 * mr_cluster_list_brokers() reports, for the application: a GPtrArray
 * that stops and frees them when unreffed (do that before the cluster
 * shuts down), or NULL when a port cannot be bound. */
GPtrArray       *mr_kafka_listeners_start_all (MrCluster   *cluster,
                                               GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrKafkaListener, mr_kafka_listener_free)

G_END_DECLS
