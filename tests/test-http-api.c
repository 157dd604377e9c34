/* test-http-api.c: the HTTP API against a real cluster, through a real
 * HTTP client: every endpoint, its status codes and its JSON.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "mr-test-http.h"

/* The cluster (three brokers) and its HTTP API, served on a thread of their
 * own: see mr-test-http.h. */
typedef MrTestHttpFixture Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  mr_test_http_start (fixture, 3, NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  mr_test_http_stop (fixture);
}

static JsonObject *
find_broker (JsonObject *cluster,
             gint64      id)
{
  JsonArray *brokers = json_object_get_array_member (cluster, "brokers");

  for (guint i = 0; i < json_array_get_length (brokers); i++)
    {
      JsonObject *broker = json_array_get_object_element (brokers, i);

      if (json_object_get_int_member (broker, "id") == id)
        return broker;
    }

  g_assert_not_reached ();
  return NULL;
}

static char *
dup_broker_state (Fixture *fixture,
                  gint64   id)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *cluster = mr_test_http_get_object (fixture, "/v1/cluster", &node);

  return g_strdup (json_object_get_string_member (find_broker (cluster, id),
                                                  "state"));
}

/* Waits until every partition of @topic has a leader and every replica is
 * online (its broker has opened it). */
static void
wait_for_leaders (Fixture    *fixture,
                  const char *topic)
{
  g_autofree char *path = g_strdup_printf ("/v1/topics/%s", topic);
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object = mr_test_http_get_object (fixture, path, &node);
      JsonArray *partitions = json_object_get_array_member (object,
                                                            "partitions");
      gboolean ready = TRUE;

      for (guint i = 0; i < json_array_get_length (partitions); i++)
        {
          JsonObject *partition = json_array_get_object_element (partitions,
                                                                 i);

          if (json_object_get_null_member (partition, "leader")
              || json_array_get_length (
                   json_object_get_array_member (partition,
                                                 "offline_replicas")) > 0)
            ready = FALSE;
        }

      if (ready)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
}

static void
create_topic (Fixture    *fixture,
              const char *name,
              guint       partitions)
{
  g_autofree char *body = g_strdup_printf ("{\"name\": \"%s\", "
                                           "\"partitions\": %u, "
                                           "\"replication_factor\": 3}",
                                           name, partitions);

  g_assert_cmpuint (mr_test_http_request (fixture, "POST", "/v1/topics", body,
                                          NULL),
                    ==, SOUP_STATUS_CREATED);
  wait_for_leaders (fixture, name);
}

/* The sum of the topic's high watermarks: what was written to it. */
static gint64
topic_total (Fixture    *fixture,
             const char *topic)
{
  g_autofree char *path = g_strdup_printf ("/v1/topics/%s", topic);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object = mr_test_http_get_object (fixture, path, &node);
  JsonArray *partitions = json_object_get_array_member (object, "partitions");
  gint64 total = 0;

  for (guint i = 0; i < json_array_get_length (partitions); i++)
    total += json_object_get_int_member (
      json_array_get_object_element (partitions, i), "high_watermark");
  return total;
}

static JsonArray *
get_records (Fixture    *fixture,
             const char *path,
             JsonNode  **holder)
{
  return json_object_get_array_member (mr_test_http_get_object (fixture, path,
                                                                holder),
                                       "records");
}

/* The cluster. */

static void
test_cluster (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) brokers_node = NULL;
  g_autoptr(JsonNode) broker_node = NULL;
  g_autofree char *allow = NULL;
  g_autofree char *bootstrap = NULL;
  JsonObject *cluster;
  JsonArray *brokers;
  MrClusterOptions options;
  gint64 controller;

  cluster = mr_test_http_get_object (fixture, "/v1/cluster", &node);
  g_assert_cmpstr (json_object_get_string_member (cluster, "cluster_id"), ==,
                   mr_cluster_get_id (fixture->cluster));
  controller = json_object_get_int_member (cluster, "controller");
  g_assert_cmpint (controller, >=, 1);
  g_assert_cmpint (controller, <=, 3);

  mr_cluster_get_options (fixture->cluster, &options);
  bootstrap = g_strdup_printf ("127.0.0.1:%u,127.0.0.1:%u,127.0.0.1:%u",
                               options.first_port, options.first_port + 1,
                               options.first_port + 2);
  g_assert_cmpstr (json_object_get_string_member (cluster,
                                                  "bootstrap_servers"), ==,
                   bootstrap);

  brokers = json_object_get_array_member (cluster, "brokers");
  g_assert_cmpuint (json_array_get_length (brokers), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *broker = json_array_get_object_element (brokers, i);

      g_assert_cmpint (json_object_get_int_member (broker, "id"), ==, i + 1);
      g_assert_cmpstr (json_object_get_string_member (broker, "host"), ==,
                       "127.0.0.1");
      g_assert_cmpint (json_object_get_int_member (broker, "port"), ==,
                       options.first_port + i);
      g_assert_cmpstr (json_object_get_string_member (broker, "state"), ==,
                       "running");
      g_assert_cmpint (json_object_get_boolean_member (broker, "controller"),
                       ==, controller == i + 1);
      g_assert_cmpint (json_object_get_int_member (broker, "latency_ms"), ==,
                       0);
      g_assert_true (json_object_has_member (broker, "leaders"));
      g_assert_true (json_object_has_member (broker, "replicas"));
      g_assert_true (json_object_has_member (broker, "size_bytes"));
    }
  mr_cluster_options_clear (&options);

  /* The same brokers, alone and one by one. */
  brokers =
    json_object_get_array_member (mr_test_http_get_object (fixture,
                                                           "/v1/brokers",
                                                           &brokers_node),
                                  "brokers");
  g_assert_cmpuint (json_array_get_length (brokers), ==, 3);
  g_assert_cmpint (json_object_get_int_member (
                     mr_test_http_get_object (fixture, "/v1/brokers/2",
                                              &broker_node),
                     "id"),
                   ==, 2);

  /* Wrong methods, unknown paths and parameters. */
  g_assert_cmpuint (mr_test_http_request_full (fixture->session, fixture->base,
                                               "POST", "/v1/cluster", "{}",
                                               NULL, &allow),
                    ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_assert_cmpstr (allow, ==, "GET");
  mr_test_http_assert_error (fixture, "DELETE", "/v1/cluster", NULL,
                             SOUP_STATUS_METHOD_NOT_ALLOWED);
  mr_test_http_assert_error (fixture, "PUT", "/v1/topics", "{}",
                             SOUP_STATUS_METHOD_NOT_ALLOWED);
  mr_test_http_assert_error (fixture, "GET", "/v1/brokers/2/stop", NULL,
                             SOUP_STATUS_METHOD_NOT_ALLOWED);
  mr_test_http_assert_error (fixture, "GET", "/", NULL, SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET", "/v1/nothing", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET", "/v2/cluster", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET", "/v1/cluster/more", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET", "/v1/cluster?colour=blue", NULL,
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "GET", "/v1/brokers/9", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET", "/v1/brokers/two", NULL,
                             SOUP_STATUS_NOT_FOUND);

  /* A trailing slash is the same path. */
  g_assert_cmpuint (mr_test_http_request (fixture, "GET", "/v1/cluster/", NULL,
                                          NULL),
                    ==, SOUP_STATUS_OK);
  /* Empty segments elsewhere match nothing. */
  mr_test_http_assert_error (fixture, "GET", "/v1//cluster", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET", "/v1/topics//partitions/0/records",
                             NULL, SOUP_STATUS_NOT_FOUND);
}

static void
assert_action (Fixture    *fixture,
               gint64      id,
               const char *action,
               const char *body,
               const char *state)
{
  g_autofree char *path = g_strdup_printf ("/v1/brokers/%" G_GINT64_FORMAT
                                           "/%s", id, action);
  g_autofree char *seen = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *broker;

  g_assert_cmpuint (mr_test_http_request (fixture, "POST", path, body, &node),
                    ==, SOUP_STATUS_OK);
  broker = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (broker, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (broker, "state"), ==, state);

  /* GET /v1/cluster agrees. */
  seen = dup_broker_state (fixture, id);
  g_assert_cmpstr (seen, ==, state);
}

static void
test_brokers (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *state = NULL;

  assert_action (fixture, 2, "stop", NULL, "stopped");
  /* Stopping a stopped broker makes no sense. */
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/stop", NULL,
                             SOUP_STATUS_CONFLICT);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/pause", NULL,
                             SOUP_STATUS_CONFLICT);
  assert_action (fixture, 2, "start", "{}", "running");

  assert_action (fixture, 3, "pause", NULL, "paused");
  assert_action (fixture, 3, "resume", NULL, "running");
  assert_action (fixture, 1, "isolate", NULL, "isolated");
  assert_action (fixture, 1, "heal", NULL, "running");
  assert_action (fixture, 3, "crash", NULL, "crashed");
  assert_action (fixture, 3, "start", NULL, "running");

  /* Slow: the latency in the body or the query. */
  g_assert_cmpuint (mr_test_http_request (fixture, "POST", "/v1/brokers/2/slow",
                                          "{\"latency_ms\": 25}", &node),
                    ==, SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node),
                                               "latency_ms"), ==, 25);
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (mr_test_http_request (fixture, "POST",
                                          "/v1/brokers/2/slow?latency_ms=0",
                                          NULL, &node),
                    ==, SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node),
                                               "latency_ms"), ==, 0);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/slow", NULL,
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/slow",
                             "{\"latency_ms\": \"lots\"}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST",
                             "/v1/brokers/2/slow?latency_ms=-3", NULL,
                             SOUP_STATUS_BAD_REQUEST);

  /* Unknown brokers and actions. */
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/9/stop", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/0/stop", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/x/stop", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/explode", NULL,
                             SOUP_STATUS_NOT_FOUND);

  /* Bad bodies change nothing. */
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/stop",
                             "{\"now\": true}", SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/stop",
                             "{\"latency_ms\": 3}", SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/stop", "{not json",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/stop", "[]",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/brokers/2/stop?force=1",
                             NULL, SOUP_STATUS_BAD_REQUEST);
  state = dup_broker_state (fixture, 2);
  g_assert_cmpstr (state, ==, "running");
}

/* Topics. */

static void
test_topics (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) list_node = NULL;
  g_autoptr(JsonNode) topic_node = NULL;
  JsonObject *topic;
  JsonObject *configs;
  JsonArray *partitions;
  JsonArray *topics;
  gboolean listed = FALSE;

  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics",
                          "{\"name\": \"orders\", \"partitions\": 3, "
                          "\"replication_factor\": 3, \"configs\": "
                          "{\"retention.ms\": \"60000\", "
                          "\"min.insync.replicas\": 2}}",
                          &node),
    ==, SOUP_STATUS_CREATED);
  topic = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (topic, "name"), ==,
                   "orders");
  configs = json_object_get_object_member (topic, "configs");
  g_assert_cmpstr (json_object_get_string_member (configs, "retention.ms"),
                   ==, "60000");
  g_assert_cmpstr (json_object_get_string_member (configs,
                                                  "min.insync.replicas"),
                   ==, "2");
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (topic, "partitions")),
                    ==, 3);
  wait_for_leaders (fixture, "orders");

  /* The list. */
  topics = json_object_get_array_member (mr_test_http_get_object (fixture,
                                                                  "/v1/topics",
                                                                  &list_node),
                                         "topics");
  for (guint i = 0; i < json_array_get_length (topics); i++)
    {
      JsonObject *entry = json_array_get_object_element (topics, i);

      if (!g_str_equal (json_object_get_string_member (entry, "name"),
                        "orders"))
        continue;
      listed = TRUE;
      g_assert_cmpint (json_object_get_int_member (entry, "partitions"), ==,
                       3);
      g_assert_cmpint (json_object_get_int_member (entry,
                                                   "replication_factor"),
                       ==, 3);
    }
  g_assert_true (listed);

  /* The description: every replica's log end, keyed by broker id. */
  topic = mr_test_http_get_object (fixture, "/v1/topics/orders", &topic_node);
  partitions = json_object_get_array_member (topic, "partitions");
  g_assert_cmpuint (json_array_get_length (partitions), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *partition = json_array_get_object_element (partitions, i);
      JsonArray *replicas = json_object_get_array_member (partition,
                                                          "replicas");
      JsonObject *log_ends = json_object_get_object_member (partition,
                                                            "log_end_offsets");
      gint64 leader = json_object_get_int_member (partition, "leader");

      g_assert_cmpint (json_object_get_int_member (partition, "partition"),
                       ==, i);
      g_assert_cmpint (leader, >=, 1);
      g_assert_cmpint (json_object_get_int_member (partition, "leader_epoch"),
                       >=, 0);
      g_assert_cmpuint (json_array_get_length (replicas), ==, 3);
      g_assert_cmpuint (json_array_get_length (
                          json_object_get_array_member (partition, "isr")),
                        >=, 1);
      g_assert_cmpuint (json_array_get_length (
                          json_object_get_array_member (partition,
                                                        "offline_replicas")),
                        ==, 0);
      g_assert_cmpint (json_object_get_int_member (partition,
                                                   "log_start_offset"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (partition,
                                                   "high_watermark"), ==, 0);
      g_assert_cmpuint (json_object_get_size (log_ends), ==, 3);
      for (guint r = 0; r < 3; r++)
        {
          char key[16];

          g_snprintf (key, sizeof key, "%" G_GINT64_FORMAT,
                      json_array_get_int_element (replicas, r));
          g_assert_cmpint (json_object_get_int_member (log_ends, key), ==, 0);
        }
    }

  /* Conflicts and bad requests; none of them creates anything. */
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"orders\"}", SOUP_STATUS_CONFLICT);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"bad name!\"}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics", "{\"name\": \"\"}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"t1\", \"configs\": "
                             "{\"retention.ms\": "
                             "\"soon\"}}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"t1\", \"configs\": {\"colour\": "
                             "\"blue\"}}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"t1\", \"configs\": "
                             "{\"retention.ms\": null}}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"t1\", \"configs\": "
                             "[\"retention.ms\"]}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"t1\", \"partitions\": 0}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"t1\", \"partitions\": \"3\"}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"t1\", \"partitions\": 2.5}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"t1\", \"replication_factor\": 4}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"name\": \"t1\", \"colour\": \"blue\"}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics", "{\"name\": 7}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics",
                             "{\"partitions\": 1}", SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics", "{\"name\": \"t1\"",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics", "[\"t1\"]",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics", "",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics", NULL,
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "GET", "/v1/topics/t1", NULL,
                             SOUP_STATUS_NOT_FOUND);

  /* A validation creates nothing either. */
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics",
                          "{\"name\": \"t1\", \"validate_only\": true}", &node),
    ==, SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node),
                                               "partitions"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node),
                                               "replication_factor"), ==, 3);
  mr_test_http_assert_error (fixture, "GET", "/v1/topics/t1", NULL,
                             SOUP_STATUS_NOT_FOUND);

  /* Defaults: the cluster's partitions and replication factor. */
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics",
                          "{\"name\": \"t1\", \"partitions\": null, "
                          "\"configs\": {\"retention.ms\": 60000, "
                          "\"unclean.leader.election.enable\": false}}",
                          &node),
    ==, SOUP_STATUS_CREATED);
  configs = json_object_get_object_member (json_node_get_object (node),
                                           "configs");
  g_assert_cmpstr (json_object_get_string_member (configs, "retention.ms"),
                   ==, "60000");
  g_assert_cmpstr (json_object_get_string_member (
                     configs, "unclean.leader.election.enable"), ==, "false");
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (json_node_get_object (node),
                                                    "partitions")), ==, 3);

  /* Delete. */
  g_assert_cmpuint (mr_test_http_request (fixture, "DELETE", "/v1/topics/t1",
                                          NULL, &node),
                    ==, SOUP_STATUS_NO_CONTENT);
  mr_test_http_assert_error (fixture, "GET", "/v1/topics/t1", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "DELETE", "/v1/topics/t1", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "DELETE", "/v1/topics/orders?now=1", NULL,
                             SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (mr_test_http_request (fixture, "GET", "/v1/topics/orders",
                                          NULL, NULL),
                    ==, SOUP_STATUS_OK);
}

/* Records. */

static void
assert_offset (JsonArray *offsets,
               guint      index,
               gint64     partition,
               gint64     offset)
{
  JsonObject *entry = json_array_get_object_element (offsets, index);

  g_assert_cmpint (json_object_get_int_member (entry, "partition"), ==,
                   partition);
  g_assert_cmpint (json_object_get_int_member (entry, "offset"), ==, offset);
}

static void
test_produce_and_read (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) read_node = NULL;
  JsonObject *answer;
  JsonArray *offsets;
  JsonArray *records;
  JsonArray *headers;
  JsonObject *record;

  create_topic (fixture, "events", 3);

  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics/events/records",
                          "{\"acks\": \"all\", \"records\": ["
                          "{\"key\": \"a\", \"value\": \"1\", "
                          " \"partition\": 0},"
                          "{\"key\": \"b\", \"value\": \"2\", "
                          " \"partition\": 0, \"timestamp\": 1000},"
                          "{\"value\": \"3\", \"partition\": 1, "
                          " \"headers\": {\"h1\": \"v1\", \"h2\": null}},"
                          "{\"key\": null, \"value\": null, "
                          " \"partition\": 2},"
                          "{\"key\": \"c\", \"value\": \"\u00e9t\u00e9\", "
                          " \"partition\": 0}]}",
                          &node),
    ==, SOUP_STATUS_OK);
  offsets = json_object_get_array_member (json_node_get_object (node),
                                          "offsets");
  g_assert_cmpuint (json_array_get_length (offsets), ==, 5);
  assert_offset (offsets, 0, 0, 0);
  assert_offset (offsets, 1, 0, 1);
  assert_offset (offsets, 2, 1, 0);
  assert_offset (offsets, 3, 2, 0);
  assert_offset (offsets, 4, 0, 2);

  /* Read back partition 0, whole. */
  answer =
    mr_test_http_get_object (fixture, "/v1/topics/events/partitions/0/records",
                             &read_node);
  g_assert_cmpstr (json_object_get_string_member (answer, "topic"), ==,
                   "events");
  g_assert_cmpint (json_object_get_int_member (answer, "partition"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (answer, "high_watermark"), ==,
                   3);
  g_assert_cmpint (json_object_get_int_member (answer, "log_start_offset"),
                   ==, 0);
  g_assert_cmpint (json_object_get_int_member (answer, "next_offset"), ==, 3);
  records = json_object_get_array_member (answer, "records");
  g_assert_cmpuint (json_array_get_length (records), ==, 3);
  record = json_array_get_object_element (records, 0);
  g_assert_cmpint (json_object_get_int_member (record, "offset"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (record, "key"), ==, "a");
  g_assert_cmpstr (json_object_get_string_member (record, "value"), ==, "1");
  g_assert_false (json_object_has_member (record, "key_encoding"));
  g_assert_false (json_object_has_member (record, "value_encoding"));
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (record, "headers")), ==,
                    0);
  g_assert_cmpint (json_object_get_int_member (record, "timestamp"), >, 1000);
  record = json_array_get_object_element (records, 1);
  g_assert_cmpint (json_object_get_int_member (record, "timestamp"), ==, 1000);
  record = json_array_get_object_element (records, 2);
  g_assert_cmpstr (json_object_get_string_member (record, "value"), ==,
                   "\u00e9t\u00e9");

  /* From an offset inside the batch, and a limit. */
  g_clear_pointer (&read_node, json_node_unref);
  answer =
    mr_test_http_get_object (fixture,
                             "/v1/topics/events/partitions/0/records?offset=1",
                             &read_node);
  records = json_object_get_array_member (answer, "records");
  g_assert_cmpuint (json_array_get_length (records), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (records, 0), "key"), ==,
                   "b");
  g_clear_pointer (&read_node, json_node_unref);
  answer = mr_test_http_get_object (fixture,
                                    "/v1/topics/events/partitions/0/"
                                    "records?offset=0&limit=2",
                                    &read_node);
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (answer, "records")), ==,
                    2);
  g_assert_cmpint (json_object_get_int_member (answer, "next_offset"), ==, 2);
  g_clear_pointer (&read_node, json_node_unref);
  answer =
    mr_test_http_get_object (fixture,
                             "/v1/topics/events/partitions/0/records?offset=3",
                             &read_node);
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (answer, "records")), ==,
                    0);
  g_assert_cmpint (json_object_get_int_member (answer, "next_offset"), ==, 3);

  /* Headers come back as an array, nulls included; null keys and values
   * stay null. */
  g_clear_pointer (&read_node, json_node_unref);
  records = get_records (fixture, "/v1/topics/events/partitions/1/records",
                         &read_node);
  g_assert_cmpuint (json_array_get_length (records), ==, 1);
  record = json_array_get_object_element (records, 0);
  g_assert_true (json_object_get_null_member (record, "key"));
  headers = json_object_get_array_member (record, "headers");
  g_assert_cmpuint (json_array_get_length (headers), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (headers, 0), "key"), ==,
                   "h1");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (headers, 0), "value"),
                   ==, "v1");
  g_assert_true (json_object_get_null_member (
                   json_array_get_object_element (headers, 1), "value"));
  g_clear_pointer (&read_node, json_node_unref);
  records = get_records (fixture, "/v1/topics/events/partitions/2/records",
                         &read_node);
  record = json_array_get_object_element (records, 0);
  g_assert_true (json_object_get_null_member (record, "key"));
  g_assert_true (json_object_get_null_member (record, "value"));

  /* Numeric acks; acks=0 gives no offsets. */
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics/events/records",
                          "{\"acks\": 1, \"records\": [{\"value\": \"x\", "
                          "\"partition\": 1}]}",
                          &node),
    ==, SOUP_STATUS_OK);
  assert_offset (json_object_get_array_member (json_node_get_object (node),
                                               "offsets"), 0, 1, 1);
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics/events/records",
                          "{\"acks\": \"-1\", \"records\": [{\"value\": "
                          "\"y\", \"partition\": 1}]}",
                          &node),
    ==, SOUP_STATUS_OK);
  assert_offset (json_object_get_array_member (json_node_get_object (node),
                                               "offsets"), 0, 1, 2);
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics/events/records",
                          "{\"acks\": \"0\", \"records\": [{\"value\": "
                          "\"z\", \"partition\": 2}]}",
                          &node),
    ==, SOUP_STATUS_OK);
  g_assert_true (json_object_get_null_member (
                   json_array_get_object_element (
                     json_object_get_array_member (json_node_get_object (node),
                                                   "offsets"), 0),
                   "offset"));

  /* Unknown partitions and bad parameters. */
  mr_test_http_assert_error (fixture, "GET",
                             "/v1/topics/events/partitions/3/records", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET",
                             "/v1/topics/events/partitions/x/records", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET",
                             "/v1/topics/nope/partitions/0/records", NULL,
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "GET",
                             "/v1/topics/events/partitions/0/records?offset=99",
                             NULL, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE);
  mr_test_http_assert_error (fixture, "GET",
                             "/v1/topics/events/partitions/0/records?limit=0",
                             NULL, SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "GET",
                             "/v1/topics/events/partitions/0/"
                             "records?offset=abc",
                             NULL, SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "GET",
                             "/v1/topics/events/partitions/0/records?from=0",
                             NULL, SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "PUT",
                             "/v1/topics/events/partitions/0/records", NULL,
                             SOUP_STATUS_METHOD_NOT_ALLOWED);
}

static void
test_binary_round_trip (Fixture       *fixture,
                        gconstpointer  data)
{
  static const guint8 key[] = { 0xff, 0x00, 0x01 };
  static const guint8 value[] = { 0x80, 'a', 'b', 'c', 0x00, 0xfe };
  static const guint8 header[] = { 0xc3, 0x28 };
  g_autofree char *key64 = g_base64_encode (key, sizeof key);
  g_autofree char *value64 = g_base64_encode (value, sizeof value);
  g_autofree char *header64 = g_base64_encode (header, sizeof header);
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) read_node = NULL;
  g_autofree guchar *decoded = NULL;
  JsonArray *records;
  JsonObject *record;
  JsonObject *entry;
  gsize len = 0;

  create_topic (fixture, "bytes", 1);

  body = g_strdup_printf ("{\"records\": ["
                          "{\"key\": \"%s\", \"key_encoding\": \"base64\", "
                          " \"value\": \"%s\", \"value_encoding\": \"base64\","
                          " \"headers\": [{\"key\": \"bin\", \"value\": \"%s\","
                          "                \"value_encoding\": \"base64\"},"
                          "               {\"key\": \"text\", "
                          "                \"value\": \"plain\"}]},"
                          "{\"key\": \"aGVsbG8=\", \"key_encoding\": "
                          " \"base64\", \"value\": \"text\", "
                          " \"value_encoding\": \"string\"}]}",
                          key64, value64, header64);
  g_assert_cmpuint (mr_test_http_request (fixture, "POST",
                                          "/v1/topics/bytes/records", body,
                                          &node),
                    ==, SOUP_STATUS_OK);

  records = get_records (fixture, "/v1/topics/bytes/partitions/0/records",
                         &read_node);
  g_assert_cmpuint (json_array_get_length (records), ==, 2);

  /* Bytes that are not UTF-8 come back as base64, flagged. */
  record = json_array_get_object_element (records, 0);
  g_assert_cmpstr (json_object_get_string_member (record, "key_encoding"), ==,
                   "base64");
  g_assert_cmpstr (json_object_get_string_member (record, "value_encoding"),
                   ==, "base64");
  decoded = g_base64_decode (json_object_get_string_member (record, "key"),
                             &len);
  g_assert_cmpmem (decoded, len, key, sizeof key);
  g_clear_pointer (&decoded, g_free);
  decoded = g_base64_decode (json_object_get_string_member (record, "value"),
                             &len);
  g_assert_cmpmem (decoded, len, value, sizeof value);
  g_clear_pointer (&decoded, g_free);

  entry = json_array_get_object_element (
    json_object_get_array_member (record, "headers"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "key"), ==, "bin");
  g_assert_cmpstr (json_object_get_string_member (entry, "value_encoding"),
                   ==, "base64");
  decoded = g_base64_decode (json_object_get_string_member (entry, "value"),
                             &len);
  g_assert_cmpmem (decoded, len, header, sizeof header);
  entry = json_array_get_object_element (
    json_object_get_array_member (record, "headers"), 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "value"), ==,
                   "plain");
  g_assert_false (json_object_has_member (entry, "value_encoding"));

  /* UTF-8 sent as base64 comes back as a plain string. */
  record = json_array_get_object_element (records, 1);
  g_assert_cmpstr (json_object_get_string_member (record, "key"), ==, "hello");
  g_assert_false (json_object_has_member (record, "key_encoding"));
  g_assert_cmpstr (json_object_get_string_member (record, "value"), ==,
                   "text");
}

static void
test_partitioner (Fixture       *fixture,
                  gconstpointer  data)
{
  /* Kafka's own murmur2 vectors (UtilsTest.testMurmur2). */
  static const struct
  {
    const char *key;
    gint32      hash;
  } vectors[] = {
    { "21", -973932308 },
    { "foobar", -790332482 },
    { "a-little-bit-long-string", -985981536 },
    { "a-little-bit-longer-string", -1486304829 },
    { "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971 },
    { "abc", 479470107 },
  };
  g_autoptr(JsonNode) node = NULL;
  JsonArray *offsets;
  gint64 sticky;

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      guint32 positive = (guint32)vectors[i].hash & 0x7fffffff;

      /* With 2^31 - 1 partitions the partition is the positive hash. */
      g_assert_cmpint (mr_kafka_partition_for_key ((const guint8 *)vectors[i].key,
                                                   strlen (vectors[i].key),
                                                   G_MAXINT32),
                       ==, positive % G_MAXINT32);
      g_assert_cmpint (mr_kafka_partition_for_key ((const guint8 *)vectors[i].key,
                                                   strlen (vectors[i].key), 3),
                       ==, positive % 3);
    }

  /* Keyed records go where a Java producer puts them; keyless ones of one
   * request stay together. The topic is created on first use. */
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics/auto/records",
                          "{\"records\": ["
                          "{\"key\": \"21\", \"value\": \"v\"},"
                          "{\"key\": \"foobar\", \"value\": \"v\"},"
                          "{\"key\": \"abc\", \"value\": \"v\"},"
                          "{\"value\": \"k1\"}, {\"value\": \"k2\"},"
                          "{\"key\": null, \"value\": \"k3\"}]}",
                          &node),
    ==, SOUP_STATUS_OK);
  offsets = json_object_get_array_member (json_node_get_object (node),
                                          "offsets");
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (offsets, 0), "partition"),
                   ==, (((guint32)-973932308) & 0x7fffffff) % 3);
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (offsets, 1), "partition"),
                   ==, (((guint32)-790332482) & 0x7fffffff) % 3);
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (offsets, 2), "partition"),
                   ==, (479470107u & 0x7fffffff) % 3);
  sticky = json_object_get_int_member (
    json_array_get_object_element (offsets, 3), "partition");
  for (guint i = 4; i < 6; i++)
    g_assert_cmpint (json_object_get_int_member (
                       json_array_get_object_element (offsets, i),
                       "partition"), ==, sticky);
  g_assert_cmpint (topic_total (fixture, "auto"), ==, 6);
}

static void
test_bad_produce_changes_nothing (Fixture       *fixture,
                                  gconstpointer  data)
{
  static const char * const bodies[] = {
    "{not json",
    "[]",
    "{}",
    "{\"records\": []}",
    "{\"records\": {}}",
    "{\"records\": [\"value\"]}",
    "{\"acks\": \"all\", \"records\": [{\"value\": \"v\"}], \"linger\": 5}",
    "{\"records\": [{\"value\": \"ok\"}, {\"value\": \"v\", \"colour\": 1}]}",
    "{\"records\": [{\"value\": \"ok\"}, {\"key\": 5, \"value\": \"v\"}]}",
    "{\"records\": [{\"value\": {\"nested\": true}}]}",
    "{\"records\": [{\"value\": \"***\", \"value_encoding\": \"base64\"}]}",
    "{\"records\": [{\"value\": \"abc\", \"value_encoding\": \"base64\"}]}",
    "{\"records\": [{\"value\": \"v\", \"value_encoding\": \"hex\"}]}",
    "{\"records\": [{\"value\": \"v\", \"partition\": -1}]}",
    "{\"records\": [{\"value\": \"v\", \"partition\": \"0\"}]}",
    "{\"records\": [{\"value\": \"v\", \"headers\": \"h\"}]}",
    "{\"records\": [{\"value\": \"v\", \"headers\": {\"h\": 1}}]}",
    "{\"records\": [{\"value\": \"v\", \"headers\": [{\"value\": \"x\"}]}]}",
    "{\"records\": [{\"value\": \"v\", \"headers\": [{\"key\": \"k\", "
    "\"colour\": 1}]}]}",
    "{\"acks\": 2, \"records\": [{\"value\": \"v\"}]}",
    "{\"acks\": \"some\", \"records\": [{\"value\": \"v\"}]}",
    "{\"acks\": true, \"records\": [{\"value\": \"v\"}]}",
  };
  gint64 before;

  create_topic (fixture, "guarded", 2);
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics/guarded/records",
                          "{\"records\": [{\"value\": \"first\", "
                          "\"partition\": 0}]}",
                          NULL),
    ==, SOUP_STATUS_OK);
  before = topic_total (fixture, "guarded");
  g_assert_cmpint (before, ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_test_message ("body %u: %s", i, bodies[i]);
      mr_test_http_assert_error (fixture, "POST", "/v1/topics/guarded/records",
                                 bodies[i], SOUP_STATUS_BAD_REQUEST);
    }

  /* An unknown partition: the valid records before it are not written
   * either. */
  mr_test_http_assert_error (fixture, "POST", "/v1/topics/guarded/records",
                             "{\"records\": [{\"value\": \"ok\", "
                             "\"partition\": 0}, "
                             "{\"value\": \"v\", \"partition\": 2}]}",
                             SOUP_STATUS_NOT_FOUND);
  mr_test_http_assert_error (fixture, "POST",
                             "/v1/topics/guarded/records?acks=1",
                             "{\"records\": [{\"value\": \"v\"}]}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/topics/bad%20name/records",
                             "{\"records\": [{\"value\": \"v\"}]}",
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "GET", "/v1/topics/guarded/records", NULL,
                             SOUP_STATUS_METHOD_NOT_ALLOWED);

  g_assert_cmpint (topic_total (fixture, "guarded"), ==, before);
}

static void
test_delete_records (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) read_node = NULL;
  g_autoptr(JsonNode) topic_node = NULL;
  JsonArray *partitions;
  JsonObject *answer;

  create_topic (fixture, "trim", 2);
  g_assert_cmpuint (
    mr_test_http_request (fixture, "POST", "/v1/topics/trim/records",
                          "{\"records\": ["
                          "{\"value\": \"0\", \"partition\": 0},"
                          "{\"value\": \"1\", \"partition\": 0},"
                          "{\"value\": \"2\", \"partition\": 0},"
                          "{\"value\": \"3\", \"partition\": 0},"
                          "{\"value\": \"4\", \"partition\": 0},"
                          "{\"value\": \"a\", \"partition\": 1},"
                          "{\"value\": \"b\", \"partition\": 1}]}",
                          NULL),
    ==, SOUP_STATUS_OK);

  g_assert_cmpuint (mr_test_http_request (fixture, "DELETE",
                                          "/v1/topics/trim/partitions/0/"
                                          "records?before=3",
                                          NULL, &node),
                    ==, SOUP_STATUS_OK);
  partitions = json_object_get_array_member (json_node_get_object (node),
                                             "partitions");
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (partitions, 0),
                     "low_watermark"), ==, 3);

  /* Reads start at the new log start; below it is out of range. */
  answer =
    mr_test_http_get_object (fixture, "/v1/topics/trim/partitions/0/records",
                             &read_node);
  g_assert_cmpint (json_object_get_int_member (answer, "log_start_offset"),
                   ==, 3);
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (
                       json_object_get_array_member (answer, "records"), 0),
                     "offset"), ==, 3);
  mr_test_http_assert_error (fixture, "GET",
                             "/v1/topics/trim/partitions/0/records?offset=1",
                             NULL, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE);
  mr_test_http_assert_error (fixture, "DELETE",
                             "/v1/topics/trim/partitions/0/records?before=99",
                             NULL, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE);
  mr_test_http_assert_error (fixture, "DELETE",
                             "/v1/topics/trim/partitions/0/records?before=x",
                             NULL, SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "DELETE",
                             "/v1/topics/trim/partitions/7/records", NULL,
                             SOUP_STATUS_NOT_FOUND);

  /* The whole topic, up to each high watermark. */
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (mr_test_http_request (fixture, "DELETE",
                                          "/v1/topics/trim/records?before=4",
                                          NULL, &node),
                    ==, SOUP_STATUS_OK);
  partitions = json_object_get_array_member (json_node_get_object (node),
                                             "partitions");
  g_assert_cmpuint (json_array_get_length (partitions), ==, 2);
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (partitions, 0),
                     "low_watermark"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (partitions, 1),
                     "low_watermark"), ==, 2);

  partitions =
    json_object_get_array_member (mr_test_http_get_object (fixture,
                                                           "/v1/topics/trim",
                                                           &topic_node),
                                  "partitions");
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (partitions, 0),
                     "log_start_offset"), ==, 4);
  mr_test_http_assert_error (fixture, "DELETE", "/v1/topics/gone/records", NULL,
                             SOUP_STATUS_NOT_FOUND);
}

/* Events. */

typedef struct
{
  char  *base;
  gint64 broker;
} LateAction;

static gpointer
late_pause_thread (gpointer data)
{
  LateAction *late = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *path = g_strdup_printf ("/v1/brokers/%" G_GINT64_FORMAT
                                           "/pause", late->broker);

  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (mr_test_http_request_full (session, late->base, "POST",
                                               path, NULL, NULL, NULL),
                    ==, SOUP_STATUS_OK);
  return NULL;
}

static void
test_events (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) empty_node = NULL;
  g_autoptr(JsonNode) wait_node = NULL;
  g_autofree char *path = NULL;
  LateAction late = { fixture->base, 3 };
  JsonObject *answer;
  JsonArray *events;
  GThread *thread;
  gint64 last_seq;
  gint64 start;
  gboolean paused = FALSE;

  /* The start of the cluster is in the history. */
  answer = mr_test_http_get_object (fixture, "/v1/events", &node);
  events = json_object_get_array_member (answer, "events");
  g_assert_cmpuint (json_array_get_length (events), >, 0);
  last_seq = json_object_get_int_member (answer, "last_seq");
  g_assert_cmpint (last_seq, ==,
                   json_object_get_int_member (
                     json_array_get_object_element (
                       events, json_array_get_length (events) - 1), "seq"));
  g_assert_cmpint (json_object_get_int_member (answer, "first_seq"), ==, 1);
  g_assert_true (json_object_has_member (
                   json_array_get_object_element (events, 0), "kind"));

  /* Nothing new: an empty list at once, or after the wait. */
  path = g_strdup_printf ("/v1/events?since=%" G_GINT64_FORMAT "&wait_ms=150",
                          last_seq);
  start = g_get_monotonic_time ();
  answer = mr_test_http_get_object (fixture, path, &empty_node);
  g_assert_cmpint (g_get_monotonic_time () - start, >=,
                   140 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (answer, "events")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (answer, "last_seq"), ==,
                   last_seq);

  /* A long poll returns when the event happens. */
  g_free (path);
  path = g_strdup_printf ("/v1/events?since=%" G_GINT64_FORMAT
                          "&wait_ms=20000", last_seq);
  thread = g_thread_new ("late-pause", late_pause_thread, &late);
  start = g_get_monotonic_time ();
  answer = mr_test_http_get_object (fixture, path, &wait_node);
  g_assert_cmpint (g_get_monotonic_time () - start, <,
                   15 * G_TIME_SPAN_SECOND);
  g_thread_join (thread);
  events = json_object_get_array_member (answer, "events");
  g_assert_cmpuint (json_array_get_length (events), >, 0);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      g_assert_cmpint (json_object_get_int_member (event, "seq"), >, last_seq);
      if (g_str_equal (json_object_get_string_member (event, "kind"),
                       "broker-state-changed")
          && json_object_get_int_member (event, "broker") == 3
          && g_str_equal (json_object_get_string_member (event, "new_state"),
                          "paused"))
        paused = TRUE;
    }
  g_assert_true (paused);

  mr_test_http_assert_error (fixture, "GET", "/v1/events?since=-1", NULL,
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "GET", "/v1/events?wait_ms=600000", NULL,
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "GET", "/v1/events?until=3", NULL,
                             SOUP_STATUS_BAD_REQUEST);
  mr_test_http_assert_error (fixture, "POST", "/v1/events", "{}",
                             SOUP_STATUS_METHOD_NOT_ALLOWED);
}

/* Stopping. */

static gpointer
long_poll_thread (gpointer data)
{
  const char *base = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (base, "/v1/events?since=1000000"
                                      "&wait_ms=60000", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GBytes) bytes = NULL;

  /* Either the answer (empty) or a closed connection: both end it. */
  bytes = soup_session_send_and_read (session, msg, NULL, NULL);
  return NULL;
}

static void
test_stop_ends_long_polls (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(MrHttpApi) other = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start;

  /* The port is taken. */
  other = mr_http_api_new (fixture->cluster, context);
  g_assert_false (mr_http_api_start (other, "127.0.0.1", fixture->port,
                                     &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_false (mr_http_api_start (other, "localhost", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_finalize_object (g_steal_pointer (&other));

  thread = g_thread_new ("long-poll", long_poll_thread, fixture->base);
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);

  start = g_get_monotonic_time ();
  mr_test_http_stop_server (fixture);
  g_assert_cmpint (g_get_monotonic_time () - start, <,
                   3 * G_TIME_SPAN_SECOND);
  g_thread_join (thread);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/http-api/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("cluster", test_cluster);
  ADD ("brokers", test_brokers);
  ADD ("topics", test_topics);
  ADD ("produce-and-read", test_produce_and_read);
  ADD ("binary-round-trip", test_binary_round_trip);
  ADD ("partitioner", test_partitioner);
  ADD ("bad-produce-changes-nothing", test_bad_produce_changes_nothing);
  ADD ("delete-records", test_delete_records);
  ADD ("events", test_events);
  ADD ("stop-ends-long-polls", test_stop_ends_long_polls);

  return g_test_run ();
}
