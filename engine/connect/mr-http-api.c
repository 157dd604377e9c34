/* mr-http-api.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The HTTP API
 * ============
 *
 * Every body is JSON (UTF-8), in and out. Unknown paths answer 404, a known
 * path with another method 405 (with an Allow header). Errors carry the
 * Kafka Connect REST shape, {"error_code": <the HTTP status>, "message":
 * "..."}, plus "kafka_error" (Kafka's name for the code, e.g.
 * "NOT_ENOUGH_REPLICAS") when the cluster answered with a Kafka error. A
 * request that is refused (bad JSON, a wrong type, an unknown field or query
 * parameter, a value out of range) changes nothing. Integers that do not
 * exist (no leader, no controller, an offline replica's offset) are null.
 *
 * GET /v1/cluster
 *   200 {"cluster_id", "controller", "bootstrap_servers": "host:port,...",
 *        "brokers": [<broker>, ...]}
 *   <broker> is {"id", "host", "port", "state", "controller" (boolean),
 *   "latency_ms", "leaders", "replicas", "size_bytes"}; "state" is running,
 *   stopped, crashed, paused or isolated.
 *
 * GET /v1/brokers                     200 {"brokers": [<broker>, ...]}
 * GET /v1/brokers/{id}                200 <broker>; 404 unknown broker
 * POST /v1/brokers/{id}/{action}      action: start, stop, crash, pause,
 *   resume, isolate, heal, slow. "slow" takes the added latency as
 *   {"latency_ms": N} in the body or ?latency_ms=N; the others take no
 *   body (or {}). 200 <broker> in its new state; 404 unknown broker; 409
 *   when the transition makes no sense (pausing a stopped broker).
 *
 * GET /v1/topics
 *   200 {"topics": [{"name", "internal", "partitions", "replication_factor"}]}
 * POST /v1/topics
 *   {"name", "partitions", "replication_factor", "configs": {"name": value},
 *    "validate_only"}; only "name" is required (the others default to the
 *   cluster's defaults); config values are strings, numbers or booleans.
 *   201 <topic> with a Location header (200 {"name", "partitions",
 *   "replication_factor", "validate_only": true} for a validation); 400 a
 *   bad name, count or config; 409 the topic exists (or a name that
 *   collides with it, differing only by "." against "_").
 * GET /v1/topics/{name}
 *   200 <topic>: {"name", "internal", "configs": {overrides only},
 *   "partitions": [{"partition", "leader", "leader_epoch", "replicas": [ids],
 *   "isr": [ids], "offline_replicas": [ids], "log_start_offset",
 *   "high_watermark", "log_end_offsets": {"<broker id>": offset, ...}}]};
 *   log_end_offsets is an object keyed by the broker id of each replica, in
 *   replica order, null for a replica that is offline. 404 unknown topic.
 * DELETE /v1/topics/{name}            204; 404 unknown topic.
 *
 * POST /v1/topics/{name}/records
 *   {"acks": "all" | "1" | "0" (or -1, 1, 0; default all), "timeout_ms",
 *    "records": [{"key", "value", "key_encoding", "value_encoding",
 *    "headers", "partition", "timestamp"}]}
 *   Keys and values are strings or null; with "<field>_encoding": "base64"
 *   the string is the base64 of the bytes. "headers" is an object
 *   {"name": value} or an array [{"key", "value", "value_encoding"}]; header
 *   values follow the same rules. A record without "partition" goes where
 *   Kafka's default partitioner puts it: murmur2 of the key (see
 *   mr_kafka_partition_for_key()); records with a null key all go to one
 *   partition per request, taken in turn (Kafka's sticky partitioner
 *   sticks per batch). The records of each partition go in one batch; the
 *   topic is created first when the cluster auto-creates topics.
 *   200 {"offsets": [{"partition", "offset"}]}, one per record in request
 *   order (offset null with acks=0). When a partition's batch fails, its
 *   records carry "error" (the Kafka name) and "message" instead of an
 *   offset, and the answer is that failure's status (503 for a retriable
 *   one such as NOT_ENOUGH_REPLICAS) with "error_code", "message",
 *   "kafka_error" and the "offsets" beside them. 404 unknown topic (when not
 *   auto-created) or partition; 400 a bad record.
 * DELETE /v1/topics/{name}/records?before=O
 *   DeleteRecords on every partition: each one's log start moves to O, or to
 *   its high watermark when that is lower (no O: to the high watermark).
 *   200 {"partitions": [{"partition", "low_watermark"}]}.
 *
 * GET /v1/topics/{name}/partitions/{p}/records?offset=O&limit=N&max_wait_ms=T
 *   Committed records (below the high watermark) from O (default: the log
 *   start), at most N (1 to 10000, default 100), waiting up to T ms
 *   (default 0, at most 30000) when there are none yet.
 *   200 {"topic", "partition", "records": [{"offset", "timestamp", "key",
 *   "value", "headers": [{"key", "value"}]}], "log_start_offset",
 *   "high_watermark", "next_offset"}; keys, values and header values that
 *   are not valid UTF-8 (or hold a NUL) travel as base64 with
 *   "key_encoding"/"value_encoding": "base64". next_offset is where the next
 *   read goes on. 404 unknown topic or partition; 416 O below the log start
 *   or past the log end.
 * DELETE /v1/topics/{name}/partitions/{p}/records?before=O
 *   DeleteRecords on one partition (no O: the high watermark). 200
 *   {"partitions": [{"partition", "low_watermark"}]}; 416 O past the high
 *   watermark.
 *
 * GET /v1/events?since=SEQ&wait_ms=T
 *   200 {"events": [...], "first_seq", "last_seq"}: the cluster events with a
 *   sequence number above SEQ (default 0), as mr_cluster_event_to_json_node()
 *   writes them, waiting up to T ms (default 0, at most 60000) for one when
 *   there is none. Poll again with since=last_seq. first_seq is the oldest
 *   event the history still holds: a reader whose SEQ + 1 is below it
 *   missed events.
 *
 * POST /v1/topics/{name}/copy
 *   {"target", "from_offset", "to_offset", "from_time", "to_time"}: copies
 *   the records of every partition in [from_offset, to_offset) and
 *   [from_time, to_time) (times as ms since the epoch or ISO 8601; all
 *   optional) into "target", same partition index modulo its count, keys,
 *   headers and timestamps kept. 200 {"source", "target", "copied"}; 404
 *   unknown topic; 400 a bad range.
 *
 * GET /v1/groups
 *   200 {"groups": [{"group_id", "state", "protocol_type", "coordinator"}]}
 * GET /v1/groups/{id}
 *   200 {"group_id", "state" (Empty, PreparingRebalance,
 *   CompletingRebalance, Stable, Dead), "protocol_type", "protocol",
 *   "generation", "coordinator", "total_lag", "members": [{"member_id",
 *   "group_instance_id", "client_id", "client_host", "in_process",
 *   "assignment": [{"topic", "partition"}]}], "offsets": [{"topic",
 *   "partition", "committed_offset", "log_start_offset", "high_watermark",
 *   "lag", "time_lag_ms", "metadata"}]}; 404 unknown group.
 * DELETE /v1/groups/{id}              204; 404 unknown; 409 has members.
 * GET /v1/groups/{id}/lag
 *   200 {"group_id", "samples": [{"time_ms", "lag", "time_lag_ms"}]}: one
 *   a second over the last ten minutes, oldest first.
 * POST /v1/groups/{id}/reset-offsets
 *   {"topic", "partitions": [p, ...] (default all), exactly one of
 *   "to-earliest": true, "to-latest": true, "to-offset": N,
 *   "to-datetime": ISO 8601 or ms, "by-duration": ISO 8601 duration
 *   ("PT1H") or ms, "shift-by": N; "dry-run": true for a preview}.
 *   200 {"group_id", "dry_run", "changes": [{"topic", "partition",
 *   "old_offset", "new_offset"}]}; 409 while the group has members; 404
 *   unknown topic.
 * POST /v1/groups/{id}/members        {"topics": [...], "client_id"}:
 *   starts an in-process demo member. 201 {"group_id", "client_id"}.
 * DELETE /v1/groups/{id}/members      stops the in-process members. 200
 *   {"group_id", "stopped": N}.
 *
 * Threads: the handler runs on the API's context, routes the request and
 * answers at once when it can (404, 405); everything that touches the
 * cluster, parsing the body included, runs in a GTask worker thread while
 * the message is paused, and the answer is written back on the context. */

#define G_LOG_DOMAIN "mr-connect"

#include "config.h"

#include "mr-http-api.h"

#include <libsoup/soup.h>
#include <string.h>

#include "mr-cluster-error.h"
#include "mr-groups.h"
#include "mr-record-batch.h"
#include "mr-record-batch-builder.h"

/* Bodies above this get 413 without being parsed. */
#define MAX_BODY_SIZE           (64 * 1024 * 1024)
#define MAX_FETCH_RECORDS       10000
#define DEFAULT_FETCH_RECORDS   100
#define FETCH_MAX_BYTES         (1024 * 1024)
#define MAX_FETCH_WAIT_MS       30000
#define MAX_EVENTS_WAIT_MS      60000
/* A long poll checks for cancellation this often. */
#define WAIT_SLICE_MS           250
#define DEFAULT_PRODUCE_TIMEOUT 10000
#define MAX_PRODUCE_TIMEOUT     300000
#define RETRY_BACKOFF_MS        50

struct _MrHttpApi
{
  GObject       parent_instance;

  MrCluster    *cluster;
  GMainContext *context;

  /* @locality: the context's thread. */
  SoupServer   *server;
  char         *host;
  guint         port;
  GCancellable *cancellable;
  guint         n_pending;
  gboolean      stopping;

  /* Atomic: the partition of the next request's keyless records. */
  gint          next_sticky;
};

G_DEFINE_FINAL_TYPE (MrHttpApi, mr_http_api, G_TYPE_OBJECT)

typedef struct _Request Request;

typedef void (*RequestWorker) (Request      *request,
                               GCancellable *cancellable);

/* One request while a worker thread serves it. The context thread fills in
 * the inputs before the worker starts, the worker the outputs; the context
 * thread reads them once the task returns. */
struct _Request
{
  MrHttpApi         *api;
  SoupServerMessage *msg;             /* the context thread's only */
  gulong             disconnected_id;
  gboolean           disconnected;

  RequestWorker      worker;
  char              *captures[2];     /* the path's variable segments */
  GHashTable        *query;           /* name → value, never NULL */
  GBytes            *body;

  guint              status;
  char              *response;        /* JSON text, or NULL for no body */
  gsize              response_len;
  char              *location;
};

typedef struct
{
  const char    *method;
  const char    *pattern;  /* "*" matches any segment, "@action" a broker
                            * action's name */
  RequestWorker  worker;
} Route;

/* Helpers: answers. */

static char *
node_to_data (JsonNode *node,
              gsize    *len)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  gsize text_len = 0;
  char *data;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &text_len);

  /* A final newline, for people reading answers in a terminal. */
  data = g_malloc (text_len + 2);
  memcpy (data, text, text_len);
  data[text_len] = '\n';
  data[text_len + 1] = '\0';
  *len = text_len + 1;
  return data;
}

static JsonNode *
error_node_new (guint       status,
                const char *message,
                const char *kafka_error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *valid = g_utf8_make_valid (message, -1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error_code");
  json_builder_add_int_value (builder, status);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, valid);
  if (kafka_error != NULL)
    {
      json_builder_set_member_name (builder, "kafka_error");
      json_builder_add_string_value (builder, kafka_error);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
message_respond_json (SoupServerMessage *msg,
                      guint              status,
                      JsonNode          *node)
{
  gsize len = 0;
  char *data = node_to_data (node, &len);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
                                    SOUP_MEMORY_TAKE, data, len);
}

static void
message_respond_error (SoupServerMessage *msg,
                       guint              status,
                       const char        *message)
{
  g_autoptr(JsonNode) node = error_node_new (status, message, NULL);

  message_respond_json (msg, status, node);
}

static void
request_respond (Request  *request,
                 guint     status,
                 JsonNode *node)
{
  g_assert (request->response == NULL);

  request->status = status;
  if (node != NULL)
    request->response = node_to_data (node, &request->response_len);
}

/* Takes @node. */
static void
request_respond_take (Request  *request,
                      guint     status,
                      JsonNode *node)
{
  request_respond (request, status, node);
  json_node_unref (node);
}

static void
request_fail_kafka (Request    *request,
                    guint       status,
                    const char *message,
                    const char *kafka_error)
{
  request_respond_take (request, status,
                        error_node_new (status, message, kafka_error));
}

static gboolean request_fail (Request    *request,
                              guint       status,
                              const char *format,
                              ...) G_GNUC_PRINTF (3, 4);

static gboolean
request_fail (Request    *request,
              guint       status,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  request_fail_kafka (request, status, message, NULL);
  return FALSE;
}

static guint
status_for_cluster_error (const GError *error)
{
  if (error->domain != MR_CLUSTER_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;

  switch ((MrClusterError)error->code)
    {
    case MR_CLUSTER_ERROR_INVALID_TOPIC:
    case MR_CLUSTER_ERROR_INVALID_PARTITIONS:
    case MR_CLUSTER_ERROR_INVALID_REPLICATION_FACTOR:
    case MR_CLUSTER_ERROR_INVALID_CONFIG:
    case MR_CLUSTER_ERROR_INVALID_REPLICA_ASSIGNMENT:
      return SOUP_STATUS_BAD_REQUEST;

    case MR_CLUSTER_ERROR_TOPIC_EXISTS:
    case MR_CLUSTER_ERROR_TOPIC_COLLISION:
    case MR_CLUSTER_ERROR_STALE_EPOCH:
    case MR_CLUSTER_ERROR_INVALID_STATE:
      return SOUP_STATUS_CONFLICT;

    case MR_CLUSTER_ERROR_UNKNOWN_TOPIC:
    case MR_CLUSTER_ERROR_UNKNOWN_PARTITION:
    case MR_CLUSTER_ERROR_UNKNOWN_BROKER:
      return SOUP_STATUS_NOT_FOUND;

    case MR_CLUSTER_ERROR_STORE:
    case MR_CLUSTER_ERROR_STORE_CORRUPT:
    case MR_CLUSTER_ERROR_STORE_TOO_NEW:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;

    default:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

static gboolean
request_fail_error (Request      *request,
                    const GError *error)
{
  guint status = status_for_cluster_error (error);
  const char *kafka_error = NULL;

  if (error->domain == MR_CLUSTER_ERROR || error->domain == MR_KAFKA_ERROR)
    kafka_error = mr_kafka_error_to_string (
      mr_cluster_error_kafka_code_for (error));
  request_fail_kafka (request, status, error->message, kafka_error);
  return FALSE;
}

static guint
status_for_kafka_error (MrKafkaError code)
{
  switch (code)
    {
    case MR_KAFKA_ERROR_NONE:
      return SOUP_STATUS_OK;

    case MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION:
      return SOUP_STATUS_NOT_FOUND;

    case MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE:
      return SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE;

    case MR_KAFKA_ERROR_INVALID_TOPIC_EXCEPTION:
    case MR_KAFKA_ERROR_CORRUPT_MESSAGE:
    case MR_KAFKA_ERROR_INVALID_RECORD:
    case MR_KAFKA_ERROR_INVALID_TIMESTAMP:
    case MR_KAFKA_ERROR_INVALID_REQUIRED_ACKS:
    case MR_KAFKA_ERROR_MESSAGE_TOO_LARGE:
    case MR_KAFKA_ERROR_RECORD_LIST_TOO_LARGE:
    case MR_KAFKA_ERROR_INVALID_PARTITIONS:
    case MR_KAFKA_ERROR_INVALID_REPLICATION_FACTOR:
    case MR_KAFKA_ERROR_INVALID_CONFIG:
    case MR_KAFKA_ERROR_INVALID_REQUEST:
    case MR_KAFKA_ERROR_POLICY_VIOLATION:
      return SOUP_STATUS_BAD_REQUEST;

    case MR_KAFKA_ERROR_TOPIC_ALREADY_EXISTS:
    case MR_KAFKA_ERROR_NON_EMPTY_GROUP:
    case MR_KAFKA_ERROR_GROUP_SUBSCRIBED_TO_TOPIC:
      return SOUP_STATUS_CONFLICT;

    case MR_KAFKA_ERROR_REQUEST_TIMED_OUT:
      return SOUP_STATUS_GATEWAY_TIMEOUT;

    case MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR:
    case MR_KAFKA_ERROR_INVALID_FETCH_SIZE:
    case MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE:
    case MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER:
    case MR_KAFKA_ERROR_BROKER_NOT_AVAILABLE:
    case MR_KAFKA_ERROR_REPLICA_NOT_AVAILABLE:
    case MR_KAFKA_ERROR_NETWORK_EXCEPTION:
    case MR_KAFKA_ERROR_COORDINATOR_LOAD_IN_PROGRESS:
    case MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE:
    case MR_KAFKA_ERROR_NOT_COORDINATOR:
    case MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS:
    case MR_KAFKA_ERROR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case MR_KAFKA_ERROR_ILLEGAL_GENERATION:
    case MR_KAFKA_ERROR_INCONSISTENT_GROUP_PROTOCOL:
    case MR_KAFKA_ERROR_INVALID_GROUP_ID:
    case MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID:
    case MR_KAFKA_ERROR_INVALID_SESSION_TIMEOUT:
    case MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS:
    case MR_KAFKA_ERROR_UNSUPPORTED_VERSION:
    case MR_KAFKA_ERROR_INVALID_REPLICA_ASSIGNMENT:
    case MR_KAFKA_ERROR_NOT_CONTROLLER:
    case MR_KAFKA_ERROR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case MR_KAFKA_ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER:
    case MR_KAFKA_ERROR_DUPLICATE_SEQUENCE_NUMBER:
    case MR_KAFKA_ERROR_INVALID_PRODUCER_EPOCH:
    case MR_KAFKA_ERROR_KAFKA_STORAGE_ERROR:
    case MR_KAFKA_ERROR_UNKNOWN_PRODUCER_ID:
    case MR_KAFKA_ERROR_GROUP_ID_NOT_FOUND:
    case MR_KAFKA_ERROR_FENCED_LEADER_EPOCH:
    case MR_KAFKA_ERROR_UNKNOWN_LEADER_EPOCH:
    case MR_KAFKA_ERROR_OFFSET_NOT_AVAILABLE:
    case MR_KAFKA_ERROR_MEMBER_ID_REQUIRED:
    case MR_KAFKA_ERROR_PREFERRED_LEADER_NOT_AVAILABLE:
    case MR_KAFKA_ERROR_GROUP_MAX_SIZE_REACHED:
    case MR_KAFKA_ERROR_FENCED_INSTANCE_ID:
    default:
      return mr_kafka_error_is_retriable (code)
               ? SOUP_STATUS_SERVICE_UNAVAILABLE
               : SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

static gboolean
request_fail_code (Request      *request,
                   MrKafkaError  code,
                   const char   *message)
{
  g_autofree char *text = NULL;

  if (message == NULL)
    message = text = g_strdup_printf ("The cluster answered %s",
                                      mr_kafka_error_to_string (code));
  request_fail_kafka (request, status_for_kafka_error (code), message,
                      mr_kafka_error_to_string (code));
  return FALSE;
}

/* Helpers: reading requests. */

static gboolean
parse_int64 (const char *text,
             gint64      min,
             gint64      max,
             gint64     *out)
{
  return text != NULL
         && g_ascii_string_to_signed (text, 10, min, max, out, NULL);
}

/* Refuses query parameters other than the NULL-terminated @allowed. */
static gboolean
request_check_query (Request           *request,
                     const char * const *allowed)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, request->query);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (allowed == NULL || !g_strv_contains (allowed, key))
        return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                             "Unknown query parameter “%s”",
                             (const char *)key);
    }

  return TRUE;
}

/* @out keeps its value when the parameter is absent. */
static gboolean
request_query_int64 (Request    *request,
                     const char *name,
                     gint64      min,
                     gint64      max,
                     gint64     *out)
{
  const char *text = g_hash_table_lookup (request->query, name);

  if (text == NULL)
    return TRUE;
  if (!parse_int64 (text, min, max, out))
    return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                         "The query parameter “%s” must be an integer from %"
                         G_GINT64_FORMAT " to %" G_GINT64_FORMAT ", not “%s”",
                         name, min, max, text);
  return TRUE;
}

/* The body as a JSON object in @out (NULL when @optional and the body is
 * empty). */
static gboolean
request_parse_body (Request     *request,
                    gboolean     optional,
                    JsonNode   **out)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  gconstpointer data = NULL;
  gsize len = 0;

  *out = NULL;
  if (request->body != NULL)
    data = g_bytes_get_data (request->body, &len);

  while (len > 0 && g_ascii_isspace (((const char *)data)[len - 1]))
    len--;
  if (len == 0)
    {
      if (optional)
        return TRUE;
      return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                           "The request needs a JSON object as its body");
    }

  if (!json_parser_load_from_data (parser, data, (gssize)len, &error))
    return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                         "The body is not valid JSON: %s", error->message);

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                         "The body must be a JSON object");

  *out = json_node_ref (json_parser_get_root (parser));
  return TRUE;
}

/* Refuses members other than the NULL-terminated @allowed. */
static gboolean
request_check_members (Request            *request,
                       JsonObject         *object,
                       const char * const *allowed,
                       const char         *what)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *iter = members; iter != NULL; iter = iter->next)
    {
      if (!g_strv_contains (allowed, iter->data))
        return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                             "Unknown field “%s” in %s",
                             (const char *)iter->data, what);
    }

  return TRUE;
}

static gboolean
node_get_integer (JsonNode *node,
                  gint64   *out)
{
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  *out = json_node_get_int (node);
  return TRUE;
}

/* An optional integer member; null counts as absent. @out keeps its value
 * when the member is absent. */
static gboolean
request_member_int64 (Request    *request,
                      JsonObject *object,
                      const char *name,
                      gint64      min,
                      gint64      max,
                      gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value = 0;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!node_get_integer (node, &value) || value < min || value > max)
    return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                         "“%s” must be an integer from %" G_GINT64_FORMAT
                         " to %" G_GINT64_FORMAT, name, min, max);
  *out = value;
  return TRUE;
}

static gboolean
base64_is_valid (const char *text)
{
  gsize len = strlen (text);

  if (len % 4 != 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (g_ascii_isalnum (c) || c == '+' || c == '/')
        continue;
      /* Padding: only in the last two places, and never "x=y=". */
      if (c == '=' && i >= len - 2 && (i == len - 1 || text[len - 1] == '='))
        continue;
      return FALSE;
    }

  return TRUE;
}

/* Bytes that travel as a JSON string (or null), base64 when the member
 * @encoding_name says so. @out is NULL for null. */
static gboolean
request_member_bytes (Request     *request,
                      JsonObject  *object,
                      const char  *name,
                      const char  *encoding_name,
                      const char  *what,
                      GBytes     **out)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonNode *encoding_node = NULL;
  gboolean base64 = FALSE;
  const char *text;

  *out = NULL;

  if (encoding_name != NULL)
    encoding_node = json_object_get_member (object, encoding_name);
  if (encoding_node != NULL && !JSON_NODE_HOLDS_NULL (encoding_node))
    {
      const char *encoding = NULL;

      if (JSON_NODE_HOLDS_VALUE (encoding_node)
          && json_node_get_value_type (encoding_node) == G_TYPE_STRING)
        encoding = json_node_get_string (encoding_node);

      if (g_strcmp0 (encoding, "base64") == 0)
        base64 = TRUE;
      else if (g_strcmp0 (encoding, "string") != 0)
        return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                             "“%s” of %s must be \"base64\" or \"string\"",
                             encoding_name, what);
    }

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                         "“%s” of %s must be a string or null", name, what);

  text = json_node_get_string (node);
  if (base64)
    {
      guchar *data;
      gsize len = 0;

      if (!base64_is_valid (text))
        return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                             "“%s” of %s is not valid base64", name, what);
      data = g_base64_decode (text, &len);
      *out = g_bytes_new_take (data, len);
    }
  else
    {
      *out = g_bytes_new (text, strlen (text));
    }

  return TRUE;
}

/* Sets @name to the bytes as a string when they are valid UTF-8 without
 * NUL, otherwise to their base64 with @encoding_name set to "base64". */
static void
object_set_bytes (JsonObject   *object,
                  const char   *name,
                  const char   *encoding_name,
                  const guint8 *data,
                  gssize        len)
{
  if (len < 0)
    json_object_set_null_member (object, name);
  else if (g_utf8_validate_len ((const char *)data, (gsize)len, NULL))
    {
      g_autofree char *text = g_strndup ((const char *)data, (gsize)len);

      json_object_set_string_member (object, name, text != NULL ? text : "");
    }
  else
    {
      g_autofree char *encoded = g_base64_encode (data, (gsize)len);

      json_object_set_string_member (object, name, encoded);
      json_object_set_string_member (object, encoding_name, "base64");
    }
}

static JsonNode *
id_or_null (gint64 value)
{
  JsonNode *node = json_node_new (JSON_NODE_NULL);

  if (value >= 0)
    json_node_init_int (node, value);
  return node;
}

static JsonArray *
ids_to_array (GArray *ids)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    json_array_add_int_element (array, g_array_index (ids, gint32, i));
  return array;
}

/* Helpers: the cluster as JSON. */

static JsonObject *
broker_to_object (const MrBrokerInfo *info)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "id", info->id);
  json_object_set_string_member (object, "host", info->host);
  json_object_set_int_member (object, "port", info->port);
  json_object_set_string_member (object, "state",
                                 mr_broker_state_to_string (info->state));
  json_object_set_boolean_member (object, "controller", info->is_controller);
  json_object_set_int_member (object, "latency_ms", info->latency_ms);
  json_object_set_int_member (object, "leaders", info->n_leaders);
  json_object_set_int_member (object, "replicas", info->n_replicas);
  json_object_set_int_member (object, "size_bytes", info->size_bytes);
  return object;
}

static gint32
topic_replication_factor (const MrTopicInfo *info)
{
  const MrPartitionInfo *partition;

  if (info->partitions->len == 0)
    return 0;
  partition = g_ptr_array_index (info->partitions, 0);
  return (gint32)partition->replicas->len;
}

static JsonObject *
partition_to_object (const MrPartitionInfo *partition)
{
  JsonObject *object = json_object_new ();
  JsonObject *log_ends = json_object_new ();
  JsonArray *offline = json_array_new ();

  json_object_set_int_member (object, "partition", partition->partition);
  json_object_set_member (object, "leader", id_or_null (partition->leader));
  json_object_set_member (object, "leader_epoch",
                          id_or_null (partition->leader_epoch));
  json_object_set_array_member (object, "replicas",
                                ids_to_array (partition->replicas));
  json_object_set_array_member (object, "isr", ids_to_array (partition->isr));

  for (guint i = 0; partition->replica_states != NULL
                    && i < partition->replica_states->len; i++)
    {
      const MrReplicaInfo *replica = &g_array_index (partition->replica_states,
                                                     MrReplicaInfo, i);
      char key[16];

      g_snprintf (key, sizeof key, "%d", replica->broker_id);
      if (replica->online && replica->log_end_offset >= 0)
        json_object_set_int_member (log_ends, key, replica->log_end_offset);
      else
        json_object_set_null_member (log_ends, key);
      if (!replica->online)
        json_array_add_int_element (offline, replica->broker_id);
    }

  json_object_set_array_member (object, "offline_replicas", offline);
  json_object_set_member (object, "log_start_offset",
                          id_or_null (partition->log_start_offset));
  json_object_set_member (object, "high_watermark",
                          id_or_null (partition->high_watermark));
  json_object_set_object_member (object, "log_end_offsets", log_ends);
  return object;
}

static JsonNode *
topic_to_node (const MrTopicInfo *info)
{
  JsonObject *object = json_object_new ();
  JsonObject *configs = json_object_new ();
  JsonArray *partitions = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GList) names = NULL;

  if (info->configs != NULL)
    names = g_list_sort (g_hash_table_get_keys (info->configs),
                         (GCompareFunc)strcmp);
  for (const GList *iter = names; iter != NULL; iter = iter->next)
    json_object_set_string_member (configs, iter->data,
                                   g_hash_table_lookup (info->configs,
                                                        iter->data));

  for (guint i = 0; i < info->partitions->len; i++)
    json_array_add_object_element (partitions,
                                   partition_to_object (
                                     g_ptr_array_index (info->partitions, i)));

  json_object_set_string_member (object, "name", info->name);
  json_object_set_boolean_member (object, "internal", info->internal);
  json_object_set_object_member (object, "configs", configs);
  json_object_set_array_member (object, "partitions", partitions);
  json_node_take_object (node, object);
  return node;
}

/* Helpers: the partitioner. */

static guint32
murmur2 (const guint8 *data,
         gsize         len)
{
  const guint32 m = 0x5bd1e995;
  const guint8 *tail = data + (len & ~(gsize)3);
  gsize rest = len & 3;
  guint32 h = 0x9747b28c ^ (guint32)len;

  for (gsize i = 0; i + 4 <= len; i += 4)
    {
      guint32 k = (guint32)data[i]
                  | (guint32)data[i + 1] << 8
                  | (guint32)data[i + 2] << 16
                  | (guint32)data[i + 3] << 24;

      k *= m;
      k ^= k >> 24;
      k *= m;
      h *= m;
      h ^= k;
    }

  if (rest == 3)
    h ^= (guint32)tail[2] << 16;
  if (rest >= 2)
    h ^= (guint32)tail[1] << 8;
  if (rest >= 1)
    {
      h ^= tail[0];
      h *= m;
    }

  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

/* Workers: the cluster and its brokers. */

static JsonArray *
brokers_to_array (MrCluster *cluster)
{
  g_autoptr(GPtrArray) brokers = mr_cluster_list_brokers (cluster);
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < brokers->len; i++)
    json_array_add_object_element (array,
                                   broker_to_object (g_ptr_array_index (brokers,
                                                                        i)));
  return array;
}

static void
cluster_get_worker (Request      *request,
                    GCancellable *cancellable)
{
  MrCluster *cluster = request->api->cluster;
  g_autoptr(GPtrArray) brokers = NULL;
  g_autoptr(GString) bootstrap = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  const char *id = mr_cluster_get_id (cluster);
  JsonObject *object;
  JsonArray *array;

  if (!request_check_query (request, NULL))
    return;

  object = json_object_new ();
  array = json_array_new ();
  brokers = mr_cluster_list_brokers (cluster);
  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      g_string_append_printf (bootstrap, "%s%s:%u", i > 0 ? "," : "",
                              info->host, info->port);
      json_array_add_object_element (array, broker_to_object (info));
    }

  if (id != NULL)
    json_object_set_string_member (object, "cluster_id", id);
  else
    json_object_set_null_member (object, "cluster_id");
  json_object_set_member (object, "controller",
                          id_or_null (mr_cluster_get_controller_id (cluster)));
  json_object_set_string_member (object, "bootstrap_servers", bootstrap->str);
  json_object_set_array_member (object, "brokers", array);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);

  request_respond (request, SOUP_STATUS_OK, node);
}

static void
brokers_list_worker (Request      *request,
                     GCancellable *cancellable)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;

  if (!request_check_query (request, NULL))
    return;

  object = json_object_new ();
  json_object_set_array_member (object, "brokers",
                                brokers_to_array (request->api->cluster));
  json_node_take_object (node, object);
  request_respond (request, SOUP_STATUS_OK, node);
}

/* Answers with broker @id's state, or 404. */
static void
request_respond_broker (Request *request,
                        gint64   id)
{
  g_autoptr(GPtrArray) brokers = mr_cluster_list_brokers (request->api->cluster);

  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);

      if (info->id == id)
        {
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

          json_node_take_object (node, broker_to_object (info));
          request_respond (request, SOUP_STATUS_OK, node);
          return;
        }
    }

  request_fail (request, SOUP_STATUS_NOT_FOUND, "There is no broker %"
                G_GINT64_FORMAT, id);
}

static gboolean
request_broker_id (Request *request,
                   gint64  *id)
{
  if (!parse_int64 (request->captures[0], 0, G_MAXINT32, id))
    return request_fail (request, SOUP_STATUS_NOT_FOUND,
                         "There is no broker “%s”", request->captures[0]);
  return TRUE;
}

static void
broker_get_worker (Request      *request,
                   GCancellable *cancellable)
{
  gint64 id = -1;

  if (request_check_query (request, NULL) && request_broker_id (request, &id))
    request_respond_broker (request, id);
}

static void
broker_action_worker (Request      *request,
                      GCancellable *cancellable)
{
  static const char * const slow_query[] = { "latency_ms", NULL };
  static const char * const slow_members[] = { "latency_ms", NULL };
  static const char * const no_members[] = { NULL };
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  MrBrokerAction action = MR_BROKER_ACTION_START;
  gboolean slow;
  gint64 latency = -1;
  gint64 id = -1;

  if (!mr_broker_action_from_string (request->captures[1], &action))
    g_assert_not_reached ();
  slow = action == MR_BROKER_ACTION_SLOW;

  if (!request_check_query (request, slow ? slow_query : NULL)
      || !request_broker_id (request, &id)
      || !request_parse_body (request, TRUE, &body))
    return;

  if (body != NULL
      && !request_check_members (request, json_node_get_object (body),
                                 slow ? slow_members : no_members,
                                 "the request"))
    return;

  if (slow)
    {
      if (!request_query_int64 (request, "latency_ms", 0, 3600000, &latency)
          || (body != NULL
              && !request_member_int64 (request, json_node_get_object (body),
                                        "latency_ms", 0, 3600000, &latency)))
        return;
      if (latency < 0)
        {
          request_fail (request, SOUP_STATUS_BAD_REQUEST,
                        "“slow” needs the added latency: {\"latency_ms\": N} "
                        "or ?latency_ms=N");
          return;
        }
    }

  if (!mr_cluster_broker_action (request->api->cluster, (gint32)id, action,
                                 slow ? (guint)latency : 0, &error))
    {
      request_fail_error (request, error);
      return;
    }

  request_respond_broker (request, id);
}

/* Workers: topics. */

static void
topics_list_worker (Request      *request,
                    GCancellable *cancellable)
{
  g_autoptr(GPtrArray) topics = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;
  JsonArray *array;

  if (!request_check_query (request, NULL))
    return;

  topics = mr_cluster_list_topics (request->api->cluster);
  array = json_array_new ();
  for (guint i = 0; i < topics->len; i++)
    {
      const MrTopicInfo *info = g_ptr_array_index (topics, i);
      JsonObject *topic = json_object_new ();

      json_object_set_string_member (topic, "name", info->name);
      json_object_set_boolean_member (topic, "internal", info->internal);
      json_object_set_int_member (topic, "partitions", info->partitions->len);
      json_object_set_int_member (topic, "replication_factor",
                                  topic_replication_factor (info));
      json_array_add_object_element (array, topic);
    }

  object = json_object_new ();
  json_object_set_array_member (object, "topics", array);
  json_node_take_object (node, object);
  request_respond (request, SOUP_STATUS_OK, node);
}

static gboolean
request_parse_configs (Request     *request,
                       JsonObject  *object,
                       GHashTable **out)
{
  JsonNode *node = json_object_get_member (object, "configs");
  g_autoptr(GHashTable) configs = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *members;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                         "“configs” must be an object of config names and "
                         "values");

  configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  members = json_node_get_object (node);
  names = json_object_get_members (members);
  for (const GList *iter = names; iter != NULL; iter = iter->next)
    {
      JsonNode *value = json_object_get_member (members, iter->data);
      char *text = NULL;

      if (JSON_NODE_HOLDS_VALUE (value))
        {
          GType type = json_node_get_value_type (value);

          if (type == G_TYPE_STRING)
            text = g_strdup (json_node_get_string (value));
          else if (type == G_TYPE_INT64)
            text = g_strdup_printf ("%" G_GINT64_FORMAT,
                                    json_node_get_int (value));
          else if (type == G_TYPE_BOOLEAN)
            text = g_strdup (json_node_get_boolean (value) ? "true" : "false");
          else if (type == G_TYPE_DOUBLE)
            {
              char buffer[G_ASCII_DTOSTR_BUF_SIZE];

              text = g_strdup (g_ascii_dtostr (buffer, sizeof buffer,
                                               json_node_get_double (value)));
            }
        }

      if (text == NULL)
        return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                             "The value of config “%s” must be a string, a "
                             "number or a boolean",
                             (const char *)iter->data);
      g_hash_table_insert (configs, g_strdup (iter->data), text);
    }

  *out = g_steal_pointer (&configs);
  return TRUE;
}

static void
topic_create_worker (Request      *request,
                     GCancellable *cancellable)
{
  static const char * const members[] = {
    "name", "partitions", "replication_factor", "configs", "validate_only",
    NULL
  };
  MrCluster *cluster = request->api->cluster;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GHashTable) configs = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonNode *member;
  const char *name = NULL;
  gboolean validate_only = FALSE;
  gint64 partitions = -1;
  gint64 replication_factor = -1;

  if (!request_check_query (request, NULL)
      || !request_parse_body (request, FALSE, &body))
    return;

  object = json_node_get_object (body);
  if (!request_check_members (request, object, members, "the topic"))
    return;

  member = json_object_get_member (object, "name");
  if (member != NULL && JSON_NODE_HOLDS_VALUE (member)
      && json_node_get_value_type (member) == G_TYPE_STRING)
    name = json_node_get_string (member);
  if (name == NULL)
    {
      request_fail (request, SOUP_STATUS_BAD_REQUEST,
                    "“name” must be the topic’s name, a string");
      return;
    }

  member = json_object_get_member (object, "validate_only");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member)
          || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        {
          request_fail (request, SOUP_STATUS_BAD_REQUEST,
                        "“validate_only” must be a boolean");
          return;
        }
      validate_only = json_node_get_boolean (member);
    }

  if (!request_member_int64 (request, object, "partitions", 1, G_MAXINT32,
                             &partitions)
      || !request_member_int64 (request, object, "replication_factor", 1,
                                G_MAXINT16, &replication_factor)
      || !request_parse_configs (request, object, &configs))
    return;

  if (!mr_cluster_create_topic (cluster, name, (gint32)partitions,
                                (gint32)replication_factor, configs,
                                validate_only, &error))
    {
      request_fail_error (request, error);
      return;
    }

  if (validate_only)
    {
      MrClusterOptions options;
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      mr_cluster_get_options (cluster, &options);
      if (partitions < 0)
        partitions = options.default_partitions;
      if (replication_factor < 0)
        replication_factor = options.default_replication_factor >= 0
                               ? options.default_replication_factor
                               : MIN (3, (gint64)options.n_brokers);
      mr_cluster_options_clear (&options);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "partitions");
      json_builder_add_int_value (builder, partitions);
      json_builder_set_member_name (builder, "replication_factor");
      json_builder_add_int_value (builder, replication_factor);
      json_builder_set_member_name (builder, "validate_only");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
      request_respond_take (request, SOUP_STATUS_OK,
                            json_builder_get_root (builder));
      return;
    }

  info = mr_cluster_describe_topic (cluster, name, &error);
  if (info == NULL)
    {
      /* Deleted again in between. */
      request_fail_error (request, error);
      return;
    }

  node = topic_to_node (info);
  request->location = g_strdup_printf ("/v1/topics/%s", name);
  request_respond (request, SOUP_STATUS_CREATED, node);
}

static void
topic_get_worker (Request      *request,
                  GCancellable *cancellable)
{
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!request_check_query (request, NULL))
    return;

  info = mr_cluster_describe_topic (request->api->cluster,
                                    request->captures[0], &error);
  if (info == NULL)
    {
      request_fail_error (request, error);
      return;
    }

  node = topic_to_node (info);
  request_respond (request, SOUP_STATUS_OK, node);
}

static void
topic_delete_worker (Request      *request,
                     GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (!request_check_query (request, NULL))
    return;

  if (!mr_cluster_delete_topic (request->api->cluster, request->captures[0],
                                &error))
    {
      request_fail_error (request, error);
      return;
    }

  request_respond (request, SOUP_STATUS_NO_CONTENT, NULL);
}

/* Workers: records. */

typedef struct
{
  char   *key;
  GBytes *value;                /* NULL: a null value */
} Header;

static void
header_free (Header *header)
{
  g_free (header->key);
  g_clear_pointer (&header->value, g_bytes_unref);
  g_free (header);
}

typedef struct
{
  GBytes    *key;               /* NULL: a null key */
  GBytes    *value;             /* NULL: a null value */
  GPtrArray *headers;           /* Header */
  gint32     partition;         /* -1 until known */
  gint64     timestamp;
  guint      position;          /* within its partition's batch */
} ProduceRecord;

static void
produce_record_free (ProduceRecord *record)
{
  g_clear_pointer (&record->key, g_bytes_unref);
  g_clear_pointer (&record->value, g_bytes_unref);
  g_clear_pointer (&record->headers, g_ptr_array_unref);
  g_free (record);
}

static gboolean
request_parse_header (Request     *request,
                      const char  *key,
                      JsonNode    *value,
                      JsonObject  *holder,
                      const char  *what,
                      GPtrArray   *headers)
{
  Header *header;
  GBytes *bytes = NULL;

  if (!g_utf8_validate (key, -1, NULL))
    return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                         "A header name of %s is not valid UTF-8", what);

  if (holder != NULL)
    {
      if (!request_member_bytes (request, holder, "value", "value_encoding",
                                 what, &bytes))
        return FALSE;
    }
  else if (!JSON_NODE_HOLDS_NULL (value))
    {
      if (!JSON_NODE_HOLDS_VALUE (value)
          || json_node_get_value_type (value) != G_TYPE_STRING)
        return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                             "Header “%s” of %s must be a string or null",
                             key, what);
      bytes = g_bytes_new (json_node_get_string (value),
                           strlen (json_node_get_string (value)));
    }

  header = g_new0 (Header, 1);
  header->key = g_strdup (key);
  header->value = bytes;
  g_ptr_array_add (headers, header);
  return TRUE;
}

static gboolean
request_parse_headers (Request    *request,
                       JsonObject *object,
                       const char *what,
                       GPtrArray  *headers)
{
  static const char * const members[] = {
    "key", "value", "value_encoding", NULL
  };
  JsonNode *node = json_object_get_member (object, "headers");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *map = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (map);

      for (const GList *iter = names; iter != NULL; iter = iter->next)
        if (!request_parse_header (request, iter->data,
                                   json_object_get_member (map, iter->data),
                                   NULL, what, headers))
          return FALSE;
      return TRUE;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *header;
          JsonNode *key;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                                 "The headers of %s must be objects with "
                                 "\"key\" and \"value\"", what);
          header = json_node_get_object (element);
          if (!request_check_members (request, header, members, what))
            return FALSE;
          key = json_object_get_member (header, "key");
          if (key == NULL || !JSON_NODE_HOLDS_VALUE (key)
              || json_node_get_value_type (key) != G_TYPE_STRING)
            return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                                 "Each header of %s needs a \"key\" string",
                                 what);
          if (!request_parse_header (request, json_node_get_string (key),
                                     NULL, header, what, headers))
            return FALSE;
        }
      return TRUE;
    }

  return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                       "The headers of %s must be an object or an array",
                       what);
}

static ProduceRecord *
request_parse_record (Request  *request,
                      JsonNode *node,
                      guint     index)
{
  static const char * const members[] = {
    "key", "value", "key_encoding", "value_encoding", "headers", "partition",
    "timestamp", NULL
  };
  g_autofree char *what = g_strdup_printf ("record %u", index);
  ProduceRecord *record;
  JsonObject *object;
  gint64 partition = -1;
  gint64 timestamp = -1;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      request_fail (request, SOUP_STATUS_BAD_REQUEST,
                    "%s must be an object", what);
      return NULL;
    }
  object = json_node_get_object (node);

  if (!request_check_members (request, object, members, what)
      || !request_member_int64 (request, object, "partition", 0, G_MAXINT32,
                                &partition)
      || !request_member_int64 (request, object, "timestamp", 0, G_MAXINT64,
                                &timestamp))
    return NULL;

  record = g_new0 (ProduceRecord, 1);
  record->headers = g_ptr_array_new_with_free_func ((GDestroyNotify)header_free);
  record->partition = (gint32)partition;
  record->timestamp = timestamp;

  if (!request_member_bytes (request, object, "key", "key_encoding", what,
                             &record->key)
      || !request_member_bytes (request, object, "value", "value_encoding",
                                what, &record->value)
      || !request_parse_headers (request, object, what, record->headers))
    {
      produce_record_free (record);
      return NULL;
    }

  return record;
}

static gboolean
request_parse_acks (Request    *request,
                    JsonObject *object,
                    gint16     *acks)
{
  JsonNode *node = json_object_get_member (object, "acks");
  gint64 number = 2;

  *acks = -1;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      if (g_str_equal (text, "all"))
        number = -1;
      else if (!parse_int64 (text, -1, 1, &number))
        number = 2;
    }
  else if (!node_get_integer (node, &number))
    number = 2;

  if (number < -1 || number > 1)
    return request_fail (request, SOUP_STATUS_BAD_REQUEST,
                         "“acks” must be \"all\", \"1\" or \"0\" (or -1, 1, "
                         "0)");
  *acks = (gint16)number;
  return TRUE;
}

typedef struct
{
  GMutex          lock;
  GCond           cond;
  guint           n_pending;
  MrProduceResult results[];
} ProduceWait;

typedef struct
{
  ProduceWait *wait;
  gint32       partition;
} ProduceSlot;

static void
produce_done_cb (const MrProduceResult *result,
                 gpointer               user_data)
{
  ProduceSlot *slot = user_data;
  ProduceWait *wait = slot->wait;

  g_mutex_lock (&wait->lock);
  wait->results[slot->partition] = *result;
  wait->results[slot->partition].error_message =
    g_strdup (result->error_message);
  wait->n_pending--;
  g_cond_signal (&wait->cond);
  g_mutex_unlock (&wait->lock);
}

/* The topic's partition count, creating the topic when the cluster
 * auto-creates topics; -1 with the answer set on failure. */
static gint32
request_topic_partitions (Request    *request,
                          const char *topic)
{
  MrCluster *cluster = request->api->cluster;
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = mr_cluster_describe_topic (cluster, topic, &error);
  if (info == NULL)
    {
      MrClusterOptions options;
      gboolean auto_create;

      mr_cluster_get_options (cluster, &options);
      auto_create = options.auto_create_topics;
      mr_cluster_options_clear (&options);

      if (!auto_create)
        {
          request_fail_error (request, error);
          return -1;
        }

      g_clear_error (&error);
      if (!mr_cluster_create_topic (cluster, topic, -1, -1, NULL, FALSE,
                                    &error)
          && !g_error_matches (error, MR_CLUSTER_ERROR,
                               MR_CLUSTER_ERROR_TOPIC_EXISTS))
        {
          request_fail_error (request, error);
          return -1;
        }

      g_clear_error (&error);
      info = mr_cluster_describe_topic (cluster, topic, &error);
      if (info == NULL)
        {
          request_fail_error (request, error);
          return -1;
        }
    }

  return (gint32)info->partitions->len;
}

static void
records_produce_worker (Request      *request,
                        GCancellable *cancellable)
{
  static const char * const members[] = {
    "acks", "records", "timeout_ms", NULL
  };
  MrHttpApi *self = request->api;
  const char *topic = request->captures[0];
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree ProduceSlot *slots = NULL;
  g_autofree guint *counts = NULL;
  g_autoptr(GPtrArray) batches = NULL;
  gint64 deadline;
  ProduceWait *wait = NULL;
  JsonObject *object;
  JsonNode *member;
  JsonArray *array;
  JsonArray *offsets;
  const MrProduceResult *first_failure = NULL;
  gint64 timeout_ms = DEFAULT_PRODUCE_TIMEOUT;
  gint64 now_ms;
  gint32 n_partitions;
  gint32 sticky = -1;
  gint16 acks = -1;

  if (!request_check_query (request, NULL)
      || !request_parse_body (request, FALSE, &body))
    return;

  object = json_node_get_object (body);
  if (!request_check_members (request, object, members, "the request")
      || !request_parse_acks (request, object, &acks)
      || !request_member_int64 (request, object, "timeout_ms", 1,
                                MAX_PRODUCE_TIMEOUT, &timeout_ms))
    return;

  member = json_object_get_member (object, "records");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member)
      || json_array_get_length (json_node_get_array (member)) == 0)
    {
      request_fail (request, SOUP_STATUS_BAD_REQUEST,
                    "“records” must be a non-empty array of records");
      return;
    }

  /* Everything is checked before anything is written. */
  array = json_node_get_array (member);
  records = g_ptr_array_new_with_free_func (
    (GDestroyNotify)produce_record_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      ProduceRecord *record = request_parse_record (
        request, json_array_get_element (array, i), i);

      if (record == NULL)
        return;
      g_ptr_array_add (records, record);
    }

  n_partitions = request_topic_partitions (request, topic);
  if (n_partitions < 0)
    return;
  if (n_partitions == 0)
    {
      request_fail (request, SOUP_STATUS_SERVICE_UNAVAILABLE,
                    "Topic “%s” has no partitions", topic);
      return;
    }

  counts = g_new0 (guint, n_partitions);
  for (guint i = 0; i < records->len; i++)
    {
      ProduceRecord *record = g_ptr_array_index (records, i);

      if (record->partition >= n_partitions)
        {
          request_fail (request, SOUP_STATUS_NOT_FOUND,
                        "Topic “%s” has no partition %d (it has %d)", topic,
                        record->partition, n_partitions);
          return;
        }

      if (record->partition < 0 && record->key != NULL)
        {
          gsize len = 0;
          const guint8 *data = g_bytes_get_data (record->key, &len);

          record->partition = mr_kafka_partition_for_key (data, len,
                                                          n_partitions);
        }
      else if (record->partition < 0)
        {
          if (sticky < 0)
            sticky = (gint32)((guint)g_atomic_int_add (&self->next_sticky, 1)
                              % (guint)n_partitions);
          record->partition = sticky;
        }

      record->position = counts[record->partition]++;
    }

  /* One batch per partition. */
  wait = g_malloc0 (sizeof (ProduceWait)
                    + sizeof (MrProduceResult) * (gsize)n_partitions);
  g_mutex_init (&wait->lock);
  g_cond_init (&wait->cond);
  slots = g_new0 (ProduceSlot, n_partitions);
  batches = g_ptr_array_new_full ((guint)n_partitions,
                                  (GDestroyNotify)g_bytes_unref);
  now_ms = g_get_real_time () / 1000;

  for (gint32 p = 0; p < n_partitions; p++)
    {
      g_autoptr(MrRecordBatchBuilder) builder = NULL;
      g_autoptr(GError) error = NULL;
      GBytes *batch = NULL;

      slots[p].wait = wait;
      slots[p].partition = p;

      if (counts[p] == 0)
        {
          g_ptr_array_add (batches, NULL);
          continue;
        }

      builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);
      for (guint i = 0; i < records->len; i++)
        {
          ProduceRecord *record = g_ptr_array_index (records, i);
          g_autofree MrRecordHeader *headers = NULL;
          const guint8 *key = NULL;
          const guint8 *value = NULL;
          gsize key_len = 0;
          gsize value_len = 0;

          if (record->partition != p)
            continue;

          headers = g_new0 (MrRecordHeader, MAX (record->headers->len, 1));
          for (guint h = 0; h < record->headers->len; h++)
            {
              Header *header = g_ptr_array_index (record->headers, h);
              gsize header_len = 0;

              headers[h].key = header->key;
              headers[h].key_len = strlen (header->key);
              if (header->value != NULL)
                {
                  headers[h].value = g_bytes_get_data (header->value,
                                                       &header_len);
                  headers[h].value_len = (gssize)header_len;
                }
              else
                {
                  headers[h].value = NULL;
                  headers[h].value_len = -1;
                }
            }

          if (record->key != NULL)
            key = g_bytes_get_data (record->key, &key_len);
          if (record->value != NULL)
            value = g_bytes_get_data (record->value, &value_len);

          mr_record_batch_builder_add (builder,
                                       record->timestamp >= 0
                                         ? record->timestamp : now_ms,
                                       key,
                                       record->key != NULL
                                         ? (gssize)key_len : -1,
                                       value,
                                       record->value != NULL
                                         ? (gssize)value_len : -1,
                                       headers, record->headers->len);
        }

      batch = mr_record_batch_builder_finish (builder, &error);
      if (batch == NULL)
        {
          /* Without compression this cannot happen; report it as the
           * partition's failure all the same. */
          wait->results[p].error = MR_KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
          wait->results[p].error_message = g_strdup (error->message);
        }
      g_ptr_array_add (batches, batch);
    }

  /* All batches in flight at once. A batch that found no leader (a new
   * topic, an election under way) was not written: it goes again after a
   * pause, as a Kafka producer retries, until the timeout. */
  deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  for (;;)
    {
      gboolean again = FALSE;

      for (gint32 p = 0; p < n_partitions; p++)
        {
          GBytes *batch = g_ptr_array_index (batches, p);
          gint64 left_ms;
          gsize len = 0;
          gconstpointer data;

          if (batch == NULL)
            continue;

          left_ms = (deadline - g_get_monotonic_time ())
                    / G_TIME_SPAN_MILLISECOND;
          data = g_bytes_get_data (batch, &len);
          mr_produce_result_clear (&wait->results[p]);

          g_mutex_lock (&wait->lock);
          wait->n_pending++;
          g_mutex_unlock (&wait->lock);

          mr_cluster_produce_async (self->cluster, -1, topic, p,
                                    g_memdup2 (data, len), len, acks,
                                    (guint)MAX (left_ms, 1),
                                    produce_done_cb, &slots[p]);
        }

      g_mutex_lock (&wait->lock);
      while (wait->n_pending > 0)
        g_cond_wait (&wait->cond, &wait->lock);
      g_mutex_unlock (&wait->lock);

      for (gint32 p = 0; p < n_partitions; p++)
        {
          MrKafkaError code = wait->results[p].error;

          if (g_ptr_array_index (batches, p) == NULL)
            continue;
          if ((code == MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE
               || code == MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER)
              && g_get_monotonic_time () + RETRY_BACKOFF_MS
                 * G_TIME_SPAN_MILLISECOND < deadline
              && !g_cancellable_is_cancelled (cancellable))
            again = TRUE;
          else
            g_clear_pointer (&g_ptr_array_index (batches, p), g_bytes_unref);
        }

      if (!again)
        break;
      g_usleep (RETRY_BACKOFF_MS * G_TIME_SPAN_MILLISECOND);
    }

  /* One entry per record, in the order of the request. */
  offsets = json_array_new ();
  for (guint i = 0; i < records->len; i++)
    {
      const ProduceRecord *record = g_ptr_array_index (records, i);
      const MrProduceResult *result = &wait->results[record->partition];
      JsonObject *entry = json_object_new ();

      json_object_set_int_member (entry, "partition", record->partition);
      if (result->error != MR_KAFKA_ERROR_NONE)
        {
          json_object_set_null_member (entry, "offset");
          json_object_set_string_member (entry, "error",
                                         mr_kafka_error_to_string (
                                           result->error));
          if (result->error_message != NULL)
            {
              g_autofree char *message = g_utf8_make_valid (
                result->error_message, -1);

              json_object_set_string_member (entry, "message", message);
            }
          if (first_failure == NULL)
            first_failure = result;
        }
      else
        {
          /* With acks=0 a client learns nothing, as in Kafka. */
          json_object_set_member (entry, "offset",
                                  id_or_null (acks != 0
                                              && result->base_offset >= 0
                                              ? result->base_offset
                                                + record->position
                                              : -1));
        }
      json_array_add_object_element (offsets, entry);
    }

  if (first_failure == NULL)
    {
      JsonObject *answer = json_object_new ();

      json_object_set_array_member (answer, "offsets", offsets);
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, answer);
      request_respond (request, SOUP_STATUS_OK, node);
    }
  else
    {
      guint status = status_for_kafka_error (first_failure->error);
      const char *message = first_failure->error_message;
      g_autofree char *text = NULL;

      if (message == NULL)
        message = text = g_strdup_printf ("Producing to “%s” failed: %s",
                                          topic, mr_kafka_error_to_string (
                                            first_failure->error));
      node = error_node_new (status, message,
                             mr_kafka_error_to_string (first_failure->error));
      json_object_set_array_member (json_node_get_object (node), "offsets",
                                    offsets);
      request_respond (request, status, node);
    }

  for (gint32 p = 0; p < n_partitions; p++)
    mr_produce_result_clear (&wait->results[p]);
  g_mutex_clear (&wait->lock);
  g_cond_clear (&wait->cond);
  g_free (wait);
}

static gboolean
request_partition (Request *request,
                   gint32  *partition)
{
  gint64 value = -1;

  if (!parse_int64 (request->captures[1], 0, G_MAXINT32, &value))
    return request_fail (request, SOUP_STATUS_NOT_FOUND,
                         "Topic “%s” has no partition “%s”",
                         request->captures[0], request->captures[1]);
  *partition = (gint32)value;
  return TRUE;
}

typedef struct
{
  JsonArray *records;
  gint64     from;
  guint      limit;
  gint64     next_offset;
} FetchState;

static gboolean
fetch_record_cb (const MrRecordBatchHeader *batch,
                 const MrRecord            *record,
                 gpointer                   user_data)
{
  FetchState *state = user_data;
  JsonObject *object;
  JsonArray *headers;

  if (record->offset < state->from)
    return TRUE;
  if (json_array_get_length (state->records) >= state->limit)
    return FALSE;

  object = json_object_new ();
  headers = json_array_new ();
  json_object_set_int_member (object, "offset", record->offset);
  json_object_set_int_member (object, "timestamp", record->timestamp);
  object_set_bytes (object, "key", "key_encoding", record->key,
                    record->key_len);
  object_set_bytes (object, "value", "value_encoding", record->value,
                    record->value_len);

  for (guint i = 0; i < record->n_headers; i++)
    {
      const MrRecordHeader *header = &record->headers[i];
      JsonObject *entry = json_object_new ();
      g_autofree char *key = g_strndup (header->key, header->key_len);
      g_autofree char *valid = g_utf8_make_valid (key, -1);

      json_object_set_string_member (entry, "key", valid);
      object_set_bytes (entry, "value", "value_encoding", header->value,
                        header->value_len);
      json_array_add_object_element (headers, entry);
    }

  json_object_set_array_member (object, "headers", headers);
  json_array_add_object_element (state->records, object);
  state->next_offset = record->offset + 1;
  return TRUE;
}

static void
records_fetch_worker (Request      *request,
                      GCancellable *cancellable)
{
  static const char * const query[] = {
    "offset", "limit", "max_wait_ms", NULL
  };
  MrCluster *cluster = request->api->cluster;
  const char *topic = request->captures[0];
  FetchState state = { NULL, };
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  gint64 offset = -1;
  gint64 limit = DEFAULT_FETCH_RECORDS;
  gint64 max_wait_ms = 0;
  gint64 high_watermark = -1;
  gint64 log_start_offset = -1;
  gint32 partition = -1;
  gboolean first = TRUE;

  if (!request_check_query (request, query)
      || !request_partition (request, &partition)
      || !request_query_int64 (request, "offset", 0, G_MAXINT64, &offset)
      || !request_query_int64 (request, "limit", 1, MAX_FETCH_RECORDS, &limit)
      || !request_query_int64 (request, "max_wait_ms", 0, MAX_FETCH_WAIT_MS,
                               &max_wait_ms))
    return;

  if (offset < 0)
    {
      MrKafkaError code = mr_cluster_list_offset (cluster, -1, topic,
                                                  partition, -2, &offset,
                                                  NULL);

      if (code != MR_KAFKA_ERROR_NONE)
        {
          request_fail_code (request, code, NULL);
          return;
        }
    }

  state.records = json_array_new ();
  state.from = offset;
  state.limit = (guint)limit;
  state.next_offset = offset;

  for (;;)
    {
      g_auto(MrFetchResult) result = { 0, };
      MrBatchCursor cursor;
      MrRecordBatchHeader header;
      const guint8 *batch;
      gsize size;
      gint64 before = state.next_offset;

      mr_cluster_fetch (cluster, -1, topic, partition, state.next_offset,
                        FETCH_MAX_BYTES, first ? (guint)max_wait_ms : 0, -1,
                        &result);
      if (result.error != MR_KAFKA_ERROR_NONE)
        {
          if (first)
            {
              g_autofree char *message = NULL;

              if (result.error == MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE)
                message = g_strdup_printf ("Offset %" G_GINT64_FORMAT " of "
                                           "%s-%d is out of range (log start %"
                                           G_GINT64_FORMAT ")", offset, topic,
                                           partition, result.log_start_offset);
              request_fail_code (request, result.error, message);
              json_array_unref (state.records);
              return;
            }
          /* Later slices: answer with what was read. */
          break;
        }

      first = FALSE;
      high_watermark = result.high_watermark;
      log_start_offset = result.log_start_offset;
      if (result.records == NULL)
        break;

      mr_batch_cursor_init (&cursor, result.records);
      while (json_array_get_length (state.records) < state.limit
             && mr_batch_cursor_next (&cursor, &header, &batch, &size))
        {
          g_autoptr(GError) error = NULL;
          gint64 last = mr_record_batch_header_get_last_offset (&header);

          if ((header.attributes & MR_RECORD_BATCH_CONTROL) == 0
              && !mr_record_batch_foreach_record (batch, size,
                                                  fetch_record_cb, &state,
                                                  &error))
            {
              request_fail (request, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                            "A stored batch of %s-%d cannot be read: %s",
                            topic, partition, error->message);
              json_array_unref (state.records);
              return;
            }

          /* A batch read to its end moves past its whole offset range,
           * gaps left by compaction and control batches included. */
          if (json_array_get_length (state.records) < state.limit)
            state.next_offset = MAX (state.next_offset, last + 1);
        }

      if (json_array_get_length (state.records) >= state.limit
          || state.next_offset >= high_watermark
          || state.next_offset == before)
        break;
    }

  object = json_object_new ();
  json_object_set_string_member (object, "topic", topic);
  json_object_set_int_member (object, "partition", partition);
  json_object_set_array_member (object, "records", state.records);
  json_object_set_member (object, "log_start_offset",
                          id_or_null (log_start_offset));
  json_object_set_member (object, "high_watermark",
                          id_or_null (high_watermark));
  json_object_set_int_member (object, "next_offset", state.next_offset);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  request_respond (request, SOUP_STATUS_OK, node);
}

static void
request_respond_low_watermarks (Request *request,
                                GArray  *partitions,
                                GArray  *low_watermarks)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < partitions->len; i++)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_int_member (entry, "partition",
                                  g_array_index (partitions, gint32, i));
      json_object_set_int_member (entry, "low_watermark",
                                  g_array_index (low_watermarks, gint64, i));
      json_array_add_object_element (array, entry);
    }

  json_object_set_array_member (object, "partitions", array);
  json_node_take_object (node, object);
  request_respond (request, SOUP_STATUS_OK, node);
}

static void
records_delete_worker (Request      *request,
                       GCancellable *cancellable)
{
  static const char * const query[] = { "before", NULL };
  const char *topic = request->captures[0];
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) partitions = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GArray) lows = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 before = -1;

  if (!request_check_query (request, query)
      || !request_query_int64 (request, "before", 0, G_MAXINT64, &before))
    return;

  info = mr_cluster_describe_topic (request->api->cluster, topic, &error);
  if (info == NULL)
    {
      request_fail_error (request, error);
      return;
    }

  for (guint i = 0; i < info->partitions->len; i++)
    {
      const MrPartitionInfo *partition = g_ptr_array_index (info->partitions,
                                                            i);
      gint64 offset = -1;
      gint64 low = -1;
      MrKafkaError code;

      if (before >= 0)
        offset = partition->high_watermark >= 0
                   ? MIN (before, partition->high_watermark)
                   : before;
      code = mr_cluster_delete_records (request->api->cluster, topic,
                                        partition->partition, offset, &low);
      if (code != MR_KAFKA_ERROR_NONE)
        {
          request_fail_code (request, code, NULL);
          return;
        }
      g_array_append_val (partitions, partition->partition);
      g_array_append_val (lows, low);
    }

  request_respond_low_watermarks (request, partitions, lows);
}

static void
partition_records_delete_worker (Request      *request,
                                 GCancellable *cancellable)
{
  static const char * const query[] = { "before", NULL };
  g_autoptr(GArray) partitions = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GArray) lows = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 before = -1;
  gint64 low = -1;
  gint32 partition = -1;
  MrKafkaError code;

  if (!request_check_query (request, query)
      || !request_partition (request, &partition)
      || !request_query_int64 (request, "before", 0, G_MAXINT64, &before))
    return;

  code = mr_cluster_delete_records (request->api->cluster,
                                    request->captures[0], partition, before,
                                    &low);
  if (code != MR_KAFKA_ERROR_NONE)
    {
      request_fail_code (request, code, NULL);
      return;
    }

  g_array_append_val (partitions, partition);
  g_array_append_val (lows, low);
  request_respond_low_watermarks (request, partitions, lows);
}

/* Workers: events. */

static void
events_worker (Request      *request,
               GCancellable *cancellable)
{
  static const char * const query[] = { "since", "wait_ms", NULL };
  MrEventStream *stream = mr_cluster_get_event_stream (request->api->cluster);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;
  JsonArray *array;
  gint64 since = 0;
  gint64 wait_ms = 0;
  gint64 deadline;
  guint64 last_seq;

  if (!request_check_query (request, query)
      || !request_query_int64 (request, "since", 0, G_MAXINT64, &since)
      || !request_query_int64 (request, "wait_ms", 0, MAX_EVENTS_WAIT_MS,
                               &wait_ms))
    return;

  /* The wait goes in slices, so that stopping the API ends it quickly. */
  deadline = g_get_monotonic_time () + wait_ms * G_TIME_SPAN_MILLISECOND;
  events = mr_event_stream_dup_history (stream, (guint64)since);
  while (events->len == 0 && !g_cancellable_is_cancelled (cancellable))
    {
      gint64 left = (deadline - g_get_monotonic_time ())
                    / G_TIME_SPAN_MILLISECOND;

      if (left <= 0)
        break;
      g_ptr_array_unref (events);
      events = mr_event_stream_wait_for (stream, (guint64)since,
                                         (gint)MIN (left, WAIT_SLICE_MS));
    }

  array = json_array_new ();
  for (guint i = 0; i < events->len; i++)
    json_array_add_element (array,
                            mr_cluster_event_to_json_node (
                              g_ptr_array_index (events, i)));

  /* With no event, a reader stays where it was, unless the stream is
   * behind it (a new cluster): then it starts over from the stream. */
  if (events->len > 0)
    last_seq = mr_cluster_event_get_seq (g_ptr_array_index (events,
                                                            events->len - 1));
  else
    last_seq = MIN ((guint64)since, mr_event_stream_get_last_seq (stream));

  object = json_object_new ();
  json_object_set_array_member (object, "events", array);
  json_object_set_int_member (object, "first_seq",
                              (gint64)mr_event_stream_get_first_seq (stream));
  json_object_set_int_member (object, "last_seq", (gint64)last_seq);
  json_node_take_object (node, object);
  request_respond (request, SOUP_STATUS_OK, node);
}

/* Workers: consumer groups. */

static guint
status_for_group_error (const GError *error)
{
  if (error->domain != MR_GROUP_ERROR)
    return status_for_cluster_error (error);

  switch ((MrGroupError)error->code)
    {
    case MR_GROUP_ERROR_UNAVAILABLE:
      return SOUP_STATUS_SERVICE_UNAVAILABLE;
    case MR_GROUP_ERROR_UNKNOWN_GROUP:
    case MR_GROUP_ERROR_UNKNOWN_TOPIC:
      return SOUP_STATUS_NOT_FOUND;
    case MR_GROUP_ERROR_ACTIVE_MEMBERS:
      return SOUP_STATUS_CONFLICT;
    case MR_GROUP_ERROR_INVALID_ARGUMENT:
      return SOUP_STATUS_BAD_REQUEST;
    case MR_GROUP_ERROR_FAILED:
    default:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

static gboolean
request_fail_group_error (Request      *request,
                          const GError *error)
{
  request_fail_kafka (request, status_for_group_error (error), error->message,
                      NULL);
  return FALSE;
}

static void
set_nullable_int (JsonObject *object,
                  const char *name,
                  gint64      value)
{
  if (value < 0)
    json_object_set_null_member (object, name);
  else
    json_object_set_int_member (object, name, value);
}

static JsonNode *
group_to_node (const MrGroupInfo *info)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *members = json_array_new ();
  JsonArray *offsets = json_array_new ();

  json_object_set_string_member (object, "group_id", info->group_id);
  json_object_set_string_member (object, "state",
                                 mr_group_state_to_string (info->state));
  json_object_set_string_member (object, "protocol_type", info->protocol_type);
  json_object_set_string_member (object, "protocol", info->protocol);
  json_object_set_int_member (object, "generation", info->generation);
  set_nullable_int (object, "coordinator", info->coordinator);
  json_object_set_int_member (object, "total_lag", info->total_lag);
  for (guint i = 0; i < info->members->len; i++)
    {
      const MrGroupMemberInfo *m = g_ptr_array_index (info->members, i);
      JsonObject *member = json_object_new ();
      JsonArray *assignment = json_array_new ();

      json_object_set_string_member (member, "member_id", m->member_id);
      if (m->group_instance_id != NULL)
        json_object_set_string_member (member, "group_instance_id",
                                       m->group_instance_id);
      else
        json_object_set_null_member (member, "group_instance_id");
      json_object_set_string_member (member, "client_id", m->client_id);
      json_object_set_string_member (member, "client_host", m->client_host);
      json_object_set_boolean_member (member, "in_process", m->in_process);
      for (guint j = 0; j < m->assignment->len; j++)
        {
          const MrTopicPartition *tp = g_ptr_array_index (m->assignment, j);
          JsonObject *entry = json_object_new ();

          json_object_set_string_member (entry, "topic", tp->topic);
          json_object_set_int_member (entry, "partition", tp->partition);
          json_array_add_object_element (assignment, entry);
        }
      json_object_set_array_member (member, "assignment", assignment);
      json_array_add_object_element (members, member);
    }
  json_object_set_array_member (object, "members", members);
  for (guint i = 0; i < info->offsets->len; i++)
    {
      const MrGroupPartitionInfo *p = g_ptr_array_index (info->offsets, i);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "topic", p->topic);
      json_object_set_int_member (entry, "partition", p->partition);
      set_nullable_int (entry, "committed_offset", p->committed_offset);
      set_nullable_int (entry, "log_start_offset", p->log_start_offset);
      set_nullable_int (entry, "high_watermark", p->high_watermark);
      set_nullable_int (entry, "lag", p->lag);
      set_nullable_int (entry, "time_lag_ms", p->time_lag_ms);
      json_object_set_string_member (entry, "metadata", p->metadata);
      json_array_add_object_element (offsets, entry);
    }
  json_object_set_array_member (object, "offsets", offsets);
  json_node_take_object (node, object);
  return node;
}

static void
groups_list_worker (Request      *request,
                    GCancellable *cancellable)
{
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;
  JsonArray *array;

  if (!request_check_query (request, NULL))
    return;
  groups = mr_cluster_list_groups (request->api->cluster, &error);
  if (groups == NULL)
    {
      request_fail_group_error (request, error);
      return;
    }
  array = json_array_new ();
  for (guint i = 0; i < groups->len; i++)
    {
      const MrGroupListing *listing = g_ptr_array_index (groups, i);
      JsonObject *group = json_object_new ();

      json_object_set_string_member (group, "group_id", listing->group_id);
      json_object_set_string_member (group, "state",
                                     mr_group_state_to_string (listing->state));
      json_object_set_string_member (group, "protocol_type",
                                     listing->protocol_type);
      json_object_set_int_member (group, "coordinator", listing->coordinator);
      json_array_add_object_element (array, group);
    }
  object = json_object_new ();
  json_object_set_array_member (object, "groups", array);
  json_node_take_object (node, object);
  request_respond (request, SOUP_STATUS_OK, node);
}

static void
group_get_worker (Request      *request,
                  GCancellable *cancellable)
{
  g_autoptr(MrGroupInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!request_check_query (request, NULL))
    return;
  info = mr_cluster_describe_group (request->api->cluster,
                                    request->captures[0], &error);
  if (info == NULL)
    {
      request_fail_group_error (request, error);
      return;
    }
  request_respond_take (request, SOUP_STATUS_OK, group_to_node (info));
}

static void
group_delete_worker (Request      *request,
                     GCancellable *cancellable)
{
  MrKafkaError code;

  if (!request_check_query (request, NULL))
    return;
  code = mr_group_coordinator_delete_group (
    mr_cluster_get_group_coordinator (request->api->cluster), -1,
    request->captures[0]);
  if (code == MR_KAFKA_ERROR_GROUP_ID_NOT_FOUND)
    request_fail_kafka (request, SOUP_STATUS_NOT_FOUND,
                        "There is no such group", mr_kafka_error_to_string (code));
  else if (code == MR_KAFKA_ERROR_NON_EMPTY_GROUP)
    request_fail_kafka (request, SOUP_STATUS_CONFLICT,
                        "The group has active members: stop them first",
                        mr_kafka_error_to_string (code));
  else if (code != MR_KAFKA_ERROR_NONE)
    request_fail_code (request, code, NULL);
  else
    request_respond (request, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
group_lag_worker (Request      *request,
                  GCancellable *cancellable)
{
  g_autoptr(GArray) samples = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *array = json_array_new ();

  if (!request_check_query (request, NULL))
    return;
  samples = mr_cluster_get_group_lag_samples (request->api->cluster,
                                              request->captures[0]);
  for (guint i = 0; i < samples->len; i++)
    {
      const MrLagSample *s = &g_array_index (samples, MrLagSample, i);
      JsonObject *sample = json_object_new ();

      json_object_set_int_member (sample, "time_ms", s->time_ms);
      json_object_set_int_member (sample, "lag", s->lag);
      set_nullable_int (sample, "time_lag_ms", s->time_lag_ms);
      json_array_add_object_element (array, sample);
    }
  json_object_set_string_member (object, "group_id", request->captures[0]);
  json_object_set_array_member (object, "samples", array);
  json_node_take_object (node, object);
  request_respond (request, SOUP_STATUS_OK, node);
}

/* An ISO 8601 duration, PnDTnHnMn.nS (the form kafka-consumer-groups
 * takes), in ms; -1 when it does not parse. */
static gint64
parse_iso_duration (const char *text)
{
  const char *p = text;
  gboolean in_time = FALSE;
  gboolean any = FALSE;
  gdouble total = 0;

  if (*p != 'P')
    return -1;
  p++;
  while (*p != '\0')
    {
      char *end = NULL;
      gdouble value;

      if (*p == 'T' && !in_time)
        {
          in_time = TRUE;
          p++;
          continue;
        }
      if (!g_ascii_isdigit (*p))
        return -1;
      value = g_ascii_strtod (p, &end);
      if (end == p)
        return -1;
      p = end;
      switch (*p)
        {
        case 'D':
          if (in_time)
            return -1;
          total += value * 86400000.0;
          break;
        case 'H':
          if (!in_time)
            return -1;
          total += value * 3600000.0;
          break;
        case 'M':
          if (!in_time)
            return -1;
          total += value * 60000.0;
          break;
        case 'S':
          if (!in_time)
            return -1;
          total += value * 1000.0;
          break;
        default:
          return -1;
        }
      any = TRUE;
      p++;
    }
  if (!any || total > (gdouble)G_MAXINT64 / 2)
    return -1;
  return (gint64)total;
}

/* A time given as ms since the epoch or as an ISO 8601 date-time (UTC
 * when it names no zone). */
static gboolean
node_get_datetime_ms (JsonNode *node,
                      gint64   *out)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = NULL;

  if (node_get_integer (node, out))
    return *out >= 0;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (json_node_get_string (node), utc);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt) * 1000
         + g_date_time_get_microsecond (dt) / 1000;
  return *out >= 0;
}

static void
group_reset_worker (Request      *request,
                    GCancellable *cancellable)
{
  static const char * const members[] = {
    "topic", "partitions", "to-earliest", "to-latest", "to-offset",
    "to-datetime", "by-duration", "shift-by", "dry-run", NULL
  };
  static const char * const kinds[] = {
    "to-earliest", "to-latest", "to-offset", "to-datetime", "by-duration",
    "shift-by", NULL
  };
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GArray) partitions = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  MrOffsetResetKind kind = MR_OFFSET_RESET_TO_EARLIEST;
  const char *topic = NULL;
  const char *chosen = NULL;
  JsonObject *object;
  JsonObject *result;
  JsonArray *array;
  JsonNode *member;
  gboolean dry_run = FALSE;
  gint64 value = 0;

  if (!request_check_query (request, NULL)
      || !request_parse_body (request, FALSE, &body))
    return;
  object = json_node_get_object (body);
  if (!request_check_members (request, object, members, "the reset"))
    return;

  member = json_object_get_member (object, "topic");
  if (member != NULL && JSON_NODE_HOLDS_VALUE (member)
      && json_node_get_value_type (member) == G_TYPE_STRING)
    topic = json_node_get_string (member);
  if (topic == NULL)
    {
      request_fail (request, SOUP_STATUS_BAD_REQUEST,
                    "“topic” must be the name of the topic to reset");
      return;
    }

  member = json_object_get_member (object, "partitions");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      JsonArray *list;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        {
          request_fail (request, SOUP_STATUS_BAD_REQUEST,
                        "“partitions” must be an array of partition numbers");
          return;
        }
      list = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          gint64 p;

          if (!node_get_integer (json_array_get_element (list, i), &p)
              || p < 0 || p > G_MAXINT32)
            {
              request_fail (request, SOUP_STATUS_BAD_REQUEST,
                            "“partitions” must be an array of partition "
                            "numbers");
              return;
            }
          g_array_append_vals (partitions, &(gint32){ (gint32)p }, 1);
        }
    }

  member = json_object_get_member (object, "dry-run");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member)
          || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        {
          request_fail (request, SOUP_STATUS_BAD_REQUEST,
                        "“dry-run” must be a boolean");
          return;
        }
      dry_run = json_node_get_boolean (member);
    }

  for (guint i = 0; kinds[i] != NULL; i++)
    {
      member = json_object_get_member (object, kinds[i]);
      if (member == NULL || JSON_NODE_HOLDS_NULL (member))
        continue;
      if (chosen != NULL)
        {
          request_fail (request, SOUP_STATUS_BAD_REQUEST,
                        "Give one of to-earliest, to-latest, to-offset, "
                        "to-datetime, by-duration and shift-by, not both "
                        "“%s” and “%s”", chosen, kinds[i]);
          return;
        }
      chosen = kinds[i];
      mr_offset_reset_kind_from_string (kinds[i], &kind);
      switch (kind)
        {
        case MR_OFFSET_RESET_TO_EARLIEST:
        case MR_OFFSET_RESET_TO_LATEST:
          if (!JSON_NODE_HOLDS_VALUE (member)
              || json_node_get_value_type (member) != G_TYPE_BOOLEAN
              || !json_node_get_boolean (member))
            {
              request_fail (request, SOUP_STATUS_BAD_REQUEST,
                            "“%s” takes true", kinds[i]);
              return;
            }
          break;
        case MR_OFFSET_RESET_TO_OFFSET:
          if (!node_get_integer (member, &value) || value < 0)
            {
              request_fail (request, SOUP_STATUS_BAD_REQUEST,
                            "“to-offset” must be an offset, 0 or more");
              return;
            }
          break;
        case MR_OFFSET_RESET_SHIFT_BY:
          if (!node_get_integer (member, &value))
            {
              request_fail (request, SOUP_STATUS_BAD_REQUEST,
                            "“shift-by” must be an integer");
              return;
            }
          break;
        case MR_OFFSET_RESET_TO_DATETIME:
          if (!node_get_datetime_ms (member, &value))
            {
              request_fail (request, SOUP_STATUS_BAD_REQUEST,
                            "“to-datetime” must be an ISO 8601 date-time "
                            "(“2026-11-24T18:00:00Z”) or ms since the epoch");
              return;
            }
          break;
        case MR_OFFSET_RESET_BY_DURATION:
          if (!node_get_integer (member, &value))
            {
              if (JSON_NODE_HOLDS_VALUE (member)
                  && json_node_get_value_type (member) == G_TYPE_STRING)
                value = parse_iso_duration (json_node_get_string (member));
              else
                value = -1;
            }
          if (value < 0)
            {
              request_fail (request, SOUP_STATUS_BAD_REQUEST,
                            "“by-duration” must be an ISO 8601 duration "
                            "(“PT1H30M”) or a number of ms, 0 or more");
              return;
            }
          break;
        default:
          break;
        }
    }
  if (chosen == NULL)
    {
      request_fail (request, SOUP_STATUS_BAD_REQUEST,
                    "Say where to reset to: one of to-earliest, to-latest, "
                    "to-offset, to-datetime, by-duration, shift-by");
      return;
    }

  changes = mr_cluster_reset_group_offsets (request->api->cluster,
                                            request->captures[0], topic,
                                            partitions, kind, value, dry_run,
                                            &error);
  if (changes == NULL)
    {
      request_fail_group_error (request, error);
      return;
    }
  result = json_object_new ();
  array = json_array_new ();
  json_object_set_string_member (result, "group_id", request->captures[0]);
  json_object_set_boolean_member (result, "dry_run", dry_run);
  for (guint i = 0; i < changes->len; i++)
    {
      const MrOffsetChange *c = g_ptr_array_index (changes, i);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "topic", c->topic);
      json_object_set_int_member (entry, "partition", c->partition);
      set_nullable_int (entry, "old_offset", c->old_offset);
      json_object_set_int_member (entry, "new_offset", c->new_offset);
      json_array_add_object_element (array, entry);
    }
  json_object_set_array_member (result, "changes", array);
  json_node_take_object (node, result);
  request_respond (request, SOUP_STATUS_OK, node);
}

static void
group_members_start_worker (Request      *request,
                            GCancellable *cancellable)
{
  static const char * const members[] = { "topics", "client_id", NULL };
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) topics = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;
  JsonObject *result;
  JsonNode *member;
  JsonArray *list;
  const char *client_id = NULL;

  if (!request_check_query (request, NULL)
      || !request_parse_body (request, FALSE, &body))
    return;
  object = json_node_get_object (body);
  if (!request_check_members (request, object, members, "the member"))
    return;
  member = json_object_get_member (object, "topics");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member)
      || json_array_get_length (json_node_get_array (member)) == 0)
    {
      request_fail (request, SOUP_STATUS_BAD_REQUEST,
                    "“topics” must be an array of topic names");
      return;
    }
  list = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);

      if (!JSON_NODE_HOLDS_VALUE (element)
          || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          request_fail (request, SOUP_STATUS_BAD_REQUEST,
                        "“topics” must be an array of topic names");
          return;
        }
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  member = json_object_get_member (object, "client_id");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member)
          || json_node_get_value_type (member) != G_TYPE_STRING)
        {
          request_fail (request, SOUP_STATUS_BAD_REQUEST,
                        "“client_id” must be a string");
          return;
        }
      client_id = json_node_get_string (member);
    }
  topics = g_strv_builder_end (builder);
  if (!mr_cluster_start_group_member (request->api->cluster,
                                      request->captures[0], client_id,
                                      (const char * const *)topics, &name,
                                      &error))
    {
      request_fail_group_error (request, error);
      return;
    }
  result = json_object_new ();
  json_object_set_string_member (result, "group_id", request->captures[0]);
  json_object_set_string_member (result, "client_id", name);
  json_node_take_object (node, result);
  request_respond (request, SOUP_STATUS_CREATED, node);
}

static void
group_members_stop_worker (Request      *request,
                           GCancellable *cancellable)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *result = json_object_new ();
  guint n;

  if (!request_check_query (request, NULL))
    {
      json_object_unref (result);
      return;
    }
  n = mr_cluster_stop_group_members (request->api->cluster,
                                     request->captures[0]);
  json_object_set_string_member (result, "group_id", request->captures[0]);
  json_object_set_int_member (result, "stopped", n);
  json_node_take_object (node, result);
  request_respond (request, SOUP_STATUS_OK, node);
}

static void
topic_copy_worker (Request      *request,
                   GCancellable *cancellable)
{
  static const char * const members[] = {
    "target", "from_offset", "to_offset", "from_time", "to_time", NULL
  };
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object;
  JsonObject *result;
  JsonNode *member;
  const char *target = NULL;
  gint64 from_offset = 0;
  gint64 to_offset = -1;
  gint64 from_time = -1;
  gint64 to_time = -1;
  gint64 copied;

  if (!request_check_query (request, NULL)
      || !request_parse_body (request, FALSE, &body))
    return;
  object = json_node_get_object (body);
  if (!request_check_members (request, object, members, "the copy"))
    return;
  member = json_object_get_member (object, "target");
  if (member != NULL && JSON_NODE_HOLDS_VALUE (member)
      && json_node_get_value_type (member) == G_TYPE_STRING)
    target = json_node_get_string (member);
  if (target == NULL)
    {
      request_fail (request, SOUP_STATUS_BAD_REQUEST,
                    "“target” must be the name of the topic to copy into");
      return;
    }
  if (!request_member_int64 (request, object, "from_offset", 0, G_MAXINT64,
                             &from_offset)
      || !request_member_int64 (request, object, "to_offset", 0, G_MAXINT64,
                                &to_offset))
    return;
  member = json_object_get_member (object, "from_time");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member)
      && !node_get_datetime_ms (member, &from_time))
    {
      request_fail (request, SOUP_STATUS_BAD_REQUEST,
                    "“from_time” must be an ISO 8601 date-time or ms since "
                    "the epoch");
      return;
    }
  member = json_object_get_member (object, "to_time");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member)
      && !node_get_datetime_ms (member, &to_time))
    {
      request_fail (request, SOUP_STATUS_BAD_REQUEST,
                    "“to_time” must be an ISO 8601 date-time or ms since "
                    "the epoch");
      return;
    }

  copied = mr_cluster_copy_records (request->api->cluster,
                                    request->captures[0], target, from_offset,
                                    to_offset, from_time, to_time, NULL, NULL,
                                    NULL, &error);
  if (copied < 0)
    {
      request_fail_group_error (request, error);
      return;
    }
  result = json_object_new ();
  json_object_set_string_member (result, "source", request->captures[0]);
  json_object_set_string_member (result, "target", target);
  json_object_set_int_member (result, "copied", copied);
  json_node_take_object (node, result);
  request_respond (request, SOUP_STATUS_OK, node);
}

/* Routing. */

static const Route routes[] = {
  { "GET",    "v1/cluster",                       cluster_get_worker },
  { "GET",    "v1/brokers",                       brokers_list_worker },
  { "GET",    "v1/brokers/*",                     broker_get_worker },
  { "POST",   "v1/brokers/*/@action",             broker_action_worker },
  { "GET",    "v1/topics",                        topics_list_worker },
  { "POST",   "v1/topics",                        topic_create_worker },
  { "GET",    "v1/topics/*",                      topic_get_worker },
  { "DELETE", "v1/topics/*",                      topic_delete_worker },
  { "POST",   "v1/topics/*/records",              records_produce_worker },
  { "DELETE", "v1/topics/*/records",              records_delete_worker },
  { "GET",    "v1/topics/*/partitions/*/records", records_fetch_worker },
  { "DELETE", "v1/topics/*/partitions/*/records", partition_records_delete_worker },
  { "GET",    "v1/events",                        events_worker },
  { "POST",   "v1/topics/*/copy",                 topic_copy_worker },
  { "GET",    "v1/groups",                        groups_list_worker },
  { "GET",    "v1/groups/*",                      group_get_worker },
  { "DELETE", "v1/groups/*",                      group_delete_worker },
  { "GET",    "v1/groups/*/lag",                  group_lag_worker },
  { "POST",   "v1/groups/*/reset-offsets",        group_reset_worker },
  { "POST",   "v1/groups/*/members",              group_members_start_worker },
  { "DELETE", "v1/groups/*/members",              group_members_stop_worker },
};

/* Whether @segments match @pattern; the variable segments go to
 * @captures (borrowed). */
static gboolean
route_matches (const Route  *route,
               char * const *segments,
               const char  **captures)
{
  g_auto(GStrv) parts = g_strsplit (route->pattern, "/", -1);
  guint n_captures = 0;
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    {
      MrBrokerAction action;

      if (segments[i] == NULL || segments[i][0] == '\0')
        return FALSE;
      if (g_str_equal (parts[i], "*")
          || (g_str_equal (parts[i], "@action")
              && mr_broker_action_from_string (segments[i], &action)))
        {
          g_assert (n_captures < 2);
          captures[n_captures++] = segments[i];
        }
      else if (!g_str_equal (parts[i], segments[i]))
        return FALSE;
    }

  return segments[i] == NULL;
}

/* Wherever the task's last reference goes: the worker thread or the
 * context's. */
static void
request_free (Request *request)
{
  g_assert (request->msg == NULL);
  g_assert (request->api == NULL);

  g_free (request->captures[0]);
  g_free (request->captures[1]);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->response);
  g_free (request->location);
  g_free (request);
}

static void
request_disconnected_cb (SoupServerMessage *msg,
                         gpointer           user_data)
{
  Request *request = user_data;

  request->disconnected = TRUE;
}

static void
request_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Request *request = task_data;

  request->worker (request, cancellable);
  if (request->status == 0)
    request_fail (request, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                  "The request got no answer");
  g_task_return_boolean (task, TRUE);
}

static void
request_done_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(MrHttpApi) self = g_steal_pointer (&request->api);
  SoupServerMessage *msg = g_steal_pointer (&request->msg);

  g_assert (self->n_pending > 0);
  self->n_pending--;

  g_signal_handler_disconnect (msg, request->disconnected_id);
  if (!request->disconnected)
    {
      soup_server_message_set_status (msg, request->status, NULL);
      if (request->location != NULL)
        soup_message_headers_replace (
          soup_server_message_get_response_headers (msg), "Location",
          request->location);
      if (request->response != NULL)
        soup_server_message_set_response (msg, "application/json",
                                          SOUP_MEMORY_TAKE,
                                          g_steal_pointer (&request->response),
                                          request->response_len);
      soup_server_message_unpause (msg);
    }

  /* The message and the API are let go here, on the server's context, not
   * wherever the task's last reference goes: once the last request is done,
   * nothing but the API's owners holds it. */
  g_object_unref (msg);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  MrHttpApi *self = user_data;
  g_auto(GStrv) split = NULL;
  g_autoptr(GPtrArray) segments = g_ptr_array_new ();
  g_autoptr(GString) allowed = g_string_new (NULL);
  g_autoptr(GTask) task = NULL;
  const char *method = soup_server_message_get_method (msg);
  const char *captures[2] = { NULL, NULL };
  const Route *route = NULL;
  SoupMessageBody *body;
  Request *request;

  g_debug ("%s %s", method, path);

  if (self->stopping)
    {
      message_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                             "The HTTP API is stopping");
      return;
    }

  /* "/v1/topics/" is "/v1/topics"; empty segments elsewhere match
   * nothing. */
  split = g_strsplit (path, "/", -1);
  for (guint i = 1; split[i] != NULL; i++)
    {
      if (split[i][0] == '\0' && split[i + 1] == NULL && i > 1)
        break;
      g_ptr_array_add (segments, split[i]);
    }
  g_ptr_array_add (segments, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      const char *matched[2] = { NULL, NULL };

      if (!route_matches (&routes[i], (char * const *)segments->pdata,
                          matched))
        continue;

      if (g_str_equal (routes[i].method, method))
        {
          route = &routes[i];
          captures[0] = matched[0];
          captures[1] = matched[1];
          break;
        }

      if (strstr (allowed->str, routes[i].method) == NULL)
        g_string_append_printf (allowed, "%s%s", allowed->len > 0 ? ", " : "",
                                routes[i].method);
    }

  if (route == NULL && allowed->len > 0)
    {
      g_autofree char *message = g_strdup_printf ("%s is not allowed on %s "
                                                  "(allowed: %s)", method,
                                                  path, allowed->str);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allowed->str);
      message_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, message);
      return;
    }
  if (route == NULL)
    {
      g_autofree char *message = g_strdup_printf ("There is no %s", path);

      message_respond_error (msg, SOUP_STATUS_NOT_FOUND, message);
      return;
    }

  body = soup_server_message_get_request_body (msg);
  if (body->length > MAX_BODY_SIZE)
    {
      message_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                             "The body is too large");
      return;
    }

  request = g_new0 (Request, 1);
  request->api = g_object_ref (self);
  request->msg = g_object_ref (msg);
  request->worker = route->worker;
  request->captures[0] = g_strdup (captures[0]);
  request->captures[1] = g_strdup (captures[1]);
  request->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          g_free);
  if (query != NULL)
    {
      GHashTableIter iter;
      gpointer key;
      gpointer value;

      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (request->query, g_utf8_make_valid (key, -1),
                             g_utf8_make_valid (value, -1));
    }
  request->body = soup_message_body_flatten (body);
  request->disconnected_id = g_signal_connect (msg, "disconnected",
                                               G_CALLBACK (request_disconnected_cb),
                                               request);

  /* The answer comes back to this context, whatever the thread's default
   * is. */
  g_main_context_push_thread_default (self->context);
  task = g_task_new (NULL, self->cancellable, request_done_cb, NULL);
  g_main_context_pop_thread_default (self->context);
  g_task_set_source_tag (task, server_cb);
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);

  self->n_pending++;
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, request_thread);
}

/* GObject. */

static void
mr_http_api_dispose (GObject *object)
{
  MrHttpApi *self = MR_HTTP_API (object);

  /* Requests under way hold a reference: none is left. */
  g_assert (self->n_pending == 0);
  if (self->server != NULL)
    mr_http_api_stop (self);

  G_OBJECT_CLASS (mr_http_api_parent_class)->dispose (object);
}

static void
mr_http_api_finalize (GObject *object)
{
  MrHttpApi *self = MR_HTTP_API (object);

  g_clear_pointer (&self->cluster, mr_cluster_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->host, g_free);

  G_OBJECT_CLASS (mr_http_api_parent_class)->finalize (object);
}

static void
mr_http_api_class_init (MrHttpApiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_http_api_dispose;
  object_class->finalize = mr_http_api_finalize;
}

static void
mr_http_api_init (MrHttpApi *self)
{
  self->cancellable = g_cancellable_new ();
}

/* Public API. */

MrHttpApi *
mr_http_api_new (MrCluster    *cluster,
                 GMainContext *context)
{
  MrHttpApi *self;

  g_return_val_if_fail (cluster != NULL, NULL);

  self = g_object_new (MR_TYPE_HTTP_API, NULL);
  self->cluster = mr_cluster_ref (cluster);
  self->context = context != NULL ? g_main_context_ref (context)
                                  : g_main_context_ref_thread_default ();
  return self;
}

gboolean
mr_http_api_start (MrHttpApi   *self,
                   const char  *host,
                   guint        port,
                   GError     **error)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  GSList *listeners;
  gboolean listening;

  g_return_val_if_fail (MR_IS_HTTP_API (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (host == NULL)
    host = MR_HTTP_API_DEFAULT_HOST;

  address = g_inet_socket_address_new_from_string (host, port);
  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address", host);
      return FALSE;
    }

  server = soup_server_new ("server-header", "millrace/" PACKAGE_VERSION " ",
                           NULL);
  soup_server_add_handler (server, NULL, server_cb, self, NULL);

  /* The listener's sources go to the thread-default context. */
  g_main_context_push_thread_default (self->context);
  listening = soup_server_listen (server, address, 0, error);
  g_main_context_pop_thread_default (self->context);
  if (!listening)
    {
      g_prefix_error (error, "Cannot listen on %s:%u: ", host, port);
      return FALSE;
    }

  listeners = soup_server_get_listeners (server);
  g_assert (listeners != NULL);
  local = g_socket_get_local_address (listeners->data, error);
  g_slist_free (listeners);
  if (local == NULL)
    {
      soup_server_disconnect (server);
      return FALSE;
    }

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  self->stopping = FALSE;
  self->server = g_steal_pointer (&server);
  g_free (self->host);
  self->host = g_strdup (host);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  g_debug ("HTTP API listening on http://%s:%u", self->host, self->port);
  return TRUE;
}

void
mr_http_api_stop (MrHttpApi *self)
{
  g_return_if_fail (MR_IS_HTTP_API (self));

  if (self->server == NULL)
    return;

  /* New requests get 503 meanwhile; long polls end early. */
  self->stopping = TRUE;
  g_cancellable_cancel (self->cancellable);
  while (self->n_pending > 0)
    g_main_context_iteration (self->context, TRUE);

  /* The last answers go out if the sockets take them at once. */
  for (guint i = 0; i < 100 && g_main_context_pending (self->context); i++)
    g_main_context_iteration (self->context, FALSE);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->host, g_free);
  self->port = 0;
  self->stopping = FALSE;
}

MrCluster *
mr_http_api_get_cluster (MrHttpApi *self)
{
  g_return_val_if_fail (MR_IS_HTTP_API (self), NULL);

  return self->cluster;
}

guint
mr_http_api_get_port (MrHttpApi *self)
{
  g_return_val_if_fail (MR_IS_HTTP_API (self), 0);

  return self->port;
}

const char *
mr_http_api_get_host (MrHttpApi *self)
{
  g_return_val_if_fail (MR_IS_HTTP_API (self), NULL);

  return self->host;
}

char *
mr_http_api_dup_url (MrHttpApi *self)
{
  g_return_val_if_fail (MR_IS_HTTP_API (self), NULL);

  if (self->server == NULL)
    return NULL;

  /* An IPv6 address goes in brackets. */
  if (strchr (self->host, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u", self->host, self->port);
  return g_strdup_printf ("http://%s:%u", self->host, self->port);
}

gint32
mr_kafka_partition_for_key (const guint8 *key,
                            gsize         key_len,
                            gint32        n_partitions)
{
  g_return_val_if_fail (key != NULL || key_len == 0, 0);
  g_return_val_if_fail (n_partitions > 0, 0);

  return (gint32)((murmur2 (key, key_len) & 0x7fffffff)
                  % (guint32)n_partitions);
}
