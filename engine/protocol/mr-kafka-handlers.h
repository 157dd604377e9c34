/* mr-kafka-handlers.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_COMPILATION)
# error "This header is private to the engine."
#endif

#include <gio/gio.h>

#include "mr-cluster.h"
#include "mr-kafka-codec.h"

G_BEGIN_DECLS

/* A request between the listener and a handler. The listener fills the
 * header fields and the body; the handler writes the response body into
 * @response and ends the request exactly once, from any thread, with
 * mr_kafka_request_respond(), mr_kafka_request_drop() (no response:
 * acks=0) or mr_kafka_request_fail() (closes the connection). */
typedef struct _MrKafkaRequest MrKafkaRequest;

struct _MrKafkaRequest
{
  MrCluster    *cluster;
  gint32        broker_id;
  guint         port;              /* the listener's own port */
  const gint   *stopping;          /* atomic: the listener is stopping */
  gint16        api_key;
  gint16        api_version;
  gint32        correlation_id;
  gboolean      flexible;
  char         *client_id;
  const char   *client_host;       /* "/address" of the peer */
  GBytes       *frame;             /* the whole request, header included */
  const guint8 *body;
  gsize         body_len;
  /* Starts with room the listener keeps for the frame's size and the
   * response header; handlers only append the body after it. */
  GByteArray   *response;
};

typedef void (*MrKafkaHandlerFunc) (MrKafkaRequest *request);

typedef enum
{
  MR_KAFKA_HANDLER_INLINE,         /* never blocks: may run on the I/O thread */
  MR_KAFKA_HANDLER_LOCAL_WRITE,    /* writes the local log but waits on no
                                    * other thread: the I/O thread while the
                                    * broker runs at full speed, a worker
                                    * while "slow" adds latency */
  MR_KAFKA_HANDLER_WORKER,         /* may block: a worker thread */
} MrKafkaHandlerThreading;

typedef struct
{
  gint16              api_key;
  gint16              min_version;
  gint16              max_version;
  gint16              flexible_from;
  MrKafkaHandlerThreading threading;
  MrKafkaHandlerFunc  func;
} MrKafkaHandler;

#define MR_KAFKA_API_VERSIONS 18

/* The handler for @api_key, or NULL. */
const MrKafkaHandler *mr_kafka_handler_lookup (gint16 api_key);

/* The ApiVersions v0 body for an unsupported ApiVersions version. */
void mr_kafka_write_api_versions_fallback (GByteArray *out);

/* The admin handlers, in mr-kafka-admin-handlers.c. */
void mr_kafka_handle_create_topics             (MrKafkaRequest *request);
void mr_kafka_handle_delete_topics             (MrKafkaRequest *request);
void mr_kafka_handle_delete_records            (MrKafkaRequest *request);
void mr_kafka_handle_describe_configs          (MrKafkaRequest *request);
void mr_kafka_handle_alter_configs             (MrKafkaRequest *request);
void mr_kafka_handle_create_partitions         (MrKafkaRequest *request);
void mr_kafka_handle_incremental_alter_configs (MrKafkaRequest *request);

/* The consumer group handlers, in mr-kafka-group-handlers.c. */
void mr_kafka_handle_find_coordinator          (MrKafkaRequest *request);
void mr_kafka_handle_join_group                (MrKafkaRequest *request);
void mr_kafka_handle_sync_group                (MrKafkaRequest *request);
void mr_kafka_handle_heartbeat                 (MrKafkaRequest *request);
void mr_kafka_handle_leave_group               (MrKafkaRequest *request);
void mr_kafka_handle_offset_commit             (MrKafkaRequest *request);
void mr_kafka_handle_offset_fetch              (MrKafkaRequest *request);
void mr_kafka_handle_list_groups               (MrKafkaRequest *request);
void mr_kafka_handle_describe_groups           (MrKafkaRequest *request);
void mr_kafka_handle_delete_groups             (MrKafkaRequest *request);
void mr_kafka_handle_offset_delete             (MrKafkaRequest *request);

/* Closes the connection over a request whose body does not parse, with
 * the reader's reason. */
void mr_kafka_request_fail_malformed (MrKafkaRequest *request,
                                      MrKafkaReader  *reader);

/* Implemented by the listener. */
void mr_kafka_request_respond (MrKafkaRequest *request);
void mr_kafka_request_drop    (MrKafkaRequest *request);
void mr_kafka_request_fail    (MrKafkaRequest *request,
                               const char     *why);

G_END_DECLS
