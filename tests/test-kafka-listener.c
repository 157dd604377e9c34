/* test-kafka-listener.c: the Kafka listener's framing, dispatch, ordering
 * and broker-state behaviour, over raw sockets.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

typedef struct
{
  char            *dir;
  MrCluster       *cluster;
  MrKafkaListener *listener;     /* broker 1's */
} Fixture;

/* Every API a broker advertises, {key, min, max}. */
static const gint16 api_ranges[][3] = {
  { 0, 0, 7 }, { 1, 0, 11 }, { 2, 0, 3 }, { 3, 0, 6 }, { 18, 0, 3 },
  { 19, 0, 4 }, { 20, 0, 1 }, { 21, 0, 1 }, { 22, 0, 1 }, { 23, 0, 3 },
  { 32, 0, 2 }, { 33, 0, 1 }, { 37, 0, 1 }, { 44, 0, 0 }, { 60, 0, 0 },
  /* Consumer groups. */
  { 8, 0, 7 }, { 9, 0, 5 }, { 10, 0, 2 }, { 11, 0, 5 }, { 12, 0, 3 },
  { 13, 0, 3 }, { 14, 0, 3 }, { 15, 0, 4 }, { 16, 0, 2 }, { 42, 0, 1 },
  { 47, 0, 0 },
};
static const gint32 n_apis_advertised = G_N_ELEMENTS (api_ranges);

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  MrClusterOptions options;

  fixture->dir = mr_test_make_tmpdir ();
  mr_cluster_options_init (&options);
  g_free (options.data_dir);
  options.data_dir = g_strdup (fixture->dir);
  options.n_brokers = 3;
  options.broker_heartbeat_interval_ms = 50;
  options.broker_session_timeout_ms = 400;
  options.replica_lag_time_max_ms = 600;
  options.replica_fetch_wait_max_ms = 100;
  fixture->cluster = mr_cluster_new (&options, &error);
  g_assert_no_error (error);
  mr_cluster_options_clear (&options);
  mr_cluster_start (fixture->cluster, &error);
  g_assert_no_error (error);

  fixture->listener = mr_kafka_listener_new (fixture->cluster, 1, "127.0.0.1",
                                             0, &error);
  g_assert_no_error (error);
  mr_kafka_listener_start (fixture->listener);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->listener, mr_kafka_listener_free);
  mr_cluster_shutdown (fixture->cluster);
  g_clear_pointer (&fixture->cluster, mr_cluster_unref);
  mr_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static GSocket *
try_connect (Fixture  *fixture,
             GError  **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_timeout (socket, 10);
  address = g_inet_socket_address_new (
    loopback, (guint16)mr_kafka_listener_get_port (fixture->listener));
  if (!g_socket_connect (socket, address, NULL, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static GSocket *
connect_to (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket = try_connect (fixture, &error);

  g_assert_no_error (error);
  return socket;
}

static void
send_all (GSocket      *socket,
          const guint8 *data,
          gsize         len)
{
  gsize done = 0;

  while (done < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, (const char *)data + done, len - done,
                                NULL, &error);

      g_assert_no_error (error);
      done += (gsize)n;
    }
}

/* Reads exactly @len bytes; FALSE on end of stream. */
static gboolean
receive_all (GSocket *socket,
             guint8  *data,
             gsize    len)
{
  gsize done = 0;

  while (done < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, (char *)data + done, len - done,
                                   NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR,
                                    G_IO_ERROR_CONNECTION_CLOSED))
        return FALSE;
      g_assert_no_error (error);
      if (n == 0)
        return FALSE;
      done += (gsize)n;
    }
  return TRUE;
}

/* Appends a request frame (header v1, or v2 when @flexible). */
static void
append_request (GByteArray   *out,
                gint16        api_key,
                gint16        api_version,
                gint32        correlation_id,
                gboolean      flexible,
                const guint8 *body,
                gsize         body_len)
{
  gsize position = mr_kafka_writer_begin_size (out);

  mr_kafka_writer_int16 (out, api_key);
  mr_kafka_writer_int16 (out, api_version);
  mr_kafka_writer_int32 (out, correlation_id);
  mr_kafka_writer_string (out, "test");
  if (flexible)
    mr_kafka_writer_empty_tags (out);
  g_byte_array_append (out, body, body_len);
  mr_kafka_writer_end_size (out, position);
}

/* Reads one response frame; NULL when the connection closed. */
static GBytes *
read_response (GSocket *socket,
               gint32  *correlation_id)
{
  guint8 size_buf[4];
  gint32 size;
  guint8 *data;
  MrKafkaReader reader;

  if (!receive_all (socket, size_buf, 4))
    return NULL;
  mr_kafka_reader_init (&reader, size_buf, 4);
  size = mr_kafka_reader_int32 (&reader);
  g_assert_cmpint (size, >=, 4);
  data = g_malloc (size);
  g_assert_true (receive_all (socket, data, size));
  mr_kafka_reader_init (&reader, data, 4);
  *correlation_id = mr_kafka_reader_int32 (&reader);
  return g_bytes_new_take (data, size);
}

static gboolean
closed_by_peer (GSocket *socket)
{
  guint8 byte;

  return !receive_all (socket, &byte, 1);
}

static void
test_api_versions (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSocket) socket = connect_to (fixture);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  MrKafkaReader reader;
  gint32 correlation_id;
  gint32 n;
  gsize len;
  const guint8 *p;

  /* v3: flexible body, header v2; the response header stays v0. */
  mr_kafka_writer_compact_string (body, "test-client");
  mr_kafka_writer_compact_string (body, "1.0");
  mr_kafka_writer_empty_tags (body);
  append_request (out, 18, 3, 41, TRUE, body->data, body->len);
  send_all (socket, out->data, out->len);
  response = read_response (socket, &correlation_id);
  g_assert_nonnull (response);
  g_assert_cmpint (correlation_id, ==, 41);
  p = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, p + 4, len - 4);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
  n = mr_kafka_reader_compact_array_count (&reader, 7);
  g_assert_cmpint (n, ==, G_N_ELEMENTS (api_ranges));
  for (gint32 i = 0; i < n; i++)
    {
      gint16 key = mr_kafka_reader_int16 (&reader);
      gint16 min = mr_kafka_reader_int16 (&reader);
      gint16 max = mr_kafka_reader_int16 (&reader);
      gboolean found = FALSE;

      mr_kafka_reader_skip_tags (&reader);
      for (gsize j = 0; j < G_N_ELEMENTS (api_ranges); j++)
        if (api_ranges[j][0] == key)
          {
            g_assert_cmpint (min, ==, api_ranges[j][1]);
            g_assert_cmpint (max, ==, api_ranges[j][2]);
            found = TRUE;
          }
      g_assert_true (found);
    }
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
  mr_kafka_reader_skip_tags (&reader);
  g_assert_cmpuint (mr_kafka_reader_remaining (&reader), ==, 0);
  g_assert_true (mr_kafka_reader_finish (&reader, &error));
  g_clear_pointer (&response, g_bytes_unref);

  /* An unsupported version: the v0 body with error 35 and the
   * ApiVersions range; the connection stays open. */
  g_byte_array_set_size (out, 0);
  append_request (out, 18, 42, 42, TRUE, NULL, 0);
  append_request (out, 18, 0, 43, FALSE, NULL, 0);
  send_all (socket, out->data, out->len);
  response = read_response (socket, &correlation_id);
  g_assert_cmpint (correlation_id, ==, 42);
  p = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, p + 4, len - 4);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 35);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 6), ==, 1);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 18);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 3);
  g_assert_cmpuint (mr_kafka_reader_remaining (&reader), ==, 0);
  g_clear_pointer (&response, g_bytes_unref);

  response = read_response (socket, &correlation_id);
  g_assert_cmpint (correlation_id, ==, 43);
  p = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, p + 4, len - 4);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 6), ==,
                   G_N_ELEMENTS (api_ranges));
}

static void
test_bad_requests_close (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSocket) bystander = connect_to (fixture);
  static const guint8 huge[] = { 0x06, 0x40, 0x00, 0x01 };    /* 100 MiB + 1 */
  static const guint8 negative[] = { 0xff, 0xff, 0xff, 0xf0 };
  static const guint8 short_header[] = { 0, 0, 0, 3, 0, 18, 0 };
  gint32 correlation_id;

  /* Each of these closes only its own connection. */
  {
    g_autoptr(GSocket) socket = connect_to (fixture);

    send_all (socket, huge, sizeof huge);
    g_assert_true (closed_by_peer (socket));
  }
  {
    g_autoptr(GSocket) socket = connect_to (fixture);

    send_all (socket, negative, sizeof negative);
    g_assert_true (closed_by_peer (socket));
  }
  {
    g_autoptr(GSocket) socket = connect_to (fixture);

    send_all (socket, short_header, sizeof short_header);
    g_assert_true (closed_by_peer (socket));
  }
  {
    g_autoptr(GSocket) socket = connect_to (fixture);
    g_autoptr(GByteArray) out = g_byte_array_new ();

    /* Unknown API key, then an unsupported Metadata version. */
    append_request (out, 99, 0, 1, FALSE, NULL, 0);
    send_all (socket, out->data, out->len);
    g_assert_true (closed_by_peer (socket));
  }
  {
    g_autoptr(GSocket) socket = connect_to (fixture);
    g_autoptr(GByteArray) out = g_byte_array_new ();

    append_request (out, 3, 7, 1, FALSE, NULL, 0);
    send_all (socket, out->data, out->len);
    g_assert_true (closed_by_peer (socket));
  }
  {
    g_autoptr(GSocket) socket = connect_to (fixture);
    g_autoptr(GByteArray) out = g_byte_array_new ();
    static const guint8 truncated_body[] = { 0, 0, 0, 5 };    /* 5 topics */

    /* A Metadata body that ends early. */
    append_request (out, 3, 1, 1, FALSE, truncated_body, sizeof truncated_body);
    send_all (socket, out->data, out->len);
    g_assert_true (closed_by_peer (socket));
  }

  /* The bystander still gets answers. */
  {
    g_autoptr(GByteArray) out = g_byte_array_new ();
    g_autoptr(GBytes) response = NULL;

    append_request (out, 18, 2, 7, FALSE, NULL, 0);
    send_all (bystander, out->data, out->len);
    response = read_response (bystander, &correlation_id);
    g_assert_nonnull (response);
    g_assert_cmpint (correlation_id, ==, 7);
  }
}

static void
append_produce (GByteArray *out,
                gint32      correlation_id,
                gint16      acks,
                GBytes     *batch)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (batch, &len);

  mr_kafka_writer_string (body, NULL);
  mr_kafka_writer_int16 (body, acks);
  mr_kafka_writer_int32 (body, 5000);
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "pipe");
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_int32 (body, 0);
  mr_kafka_writer_bytes (body, data, len);
  append_request (out, 0, 7, correlation_id, FALSE, body->data, body->len);
}

static void
append_fetch (GByteArray *out,
              gint32      correlation_id,
              gint64      offset,
              gint32      max_wait_ms)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();

  mr_kafka_writer_int32 (body, -1);
  mr_kafka_writer_int32 (body, max_wait_ms);
  mr_kafka_writer_int32 (body, 1);
  mr_kafka_writer_int32 (body, 1 << 20);
  mr_kafka_writer_int8 (body, 1);
  mr_kafka_writer_int32 (body, 0);
  mr_kafka_writer_int32 (body, -1);
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "pipe");
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_int32 (body, 0);
  mr_kafka_writer_int32 (body, -1);
  mr_kafka_writer_int64 (body, offset);
  mr_kafka_writer_int64 (body, -1);
  mr_kafka_writer_int32 (body, 1 << 20);
  mr_kafka_writer_array_count (body, 0);
  mr_kafka_writer_string (body, "");
  append_request (out, 1, 11, correlation_id, FALSE, body->data, body->len);
}

/* Pipelined requests come back in order: a long-polling Fetch holds back
 * the ApiVersions behind it; acks=0 produces answer nothing. */
static void
test_pipelining (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSocket) socket = connect_to (fixture);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) batch = mr_test_build_batch (5, 10, 0, 1000,
                                                 MR_COMPRESSION_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  gint32 correlation_id;
  gint64 start;
  gint32 leader;
  const gint32 expected[] = { 2, 4, 5, 6 };

  mr_cluster_create_topic (fixture->cluster, "pipe", 1, 3, NULL, FALSE, &error);
  g_assert_no_error (error);
  /* Make broker 1 the partition's leader's listener: connect to whoever
   * leads. */
  info = mr_cluster_describe_topic (fixture->cluster, "pipe", &error);
  g_assert_no_error (error);
  leader = ((MrPartitionInfo *)g_ptr_array_index (info->partitions, 0))->leader;
  if (leader != 1)
    {
      g_clear_object (&socket);
      g_clear_pointer (&fixture->listener, mr_kafka_listener_free);
      fixture->listener = mr_kafka_listener_new (fixture->cluster, leader,
                                                 "127.0.0.1", 0, &error);
      g_assert_no_error (error);
      mr_kafka_listener_start (fixture->listener);
      socket = connect_to (fixture);
    }

  append_produce (out, 1, 0, batch);         /* no response */
  append_produce (out, 2, -1, batch);
  append_produce (out, 3, 0, batch);         /* no response */
  append_fetch (out, 4, 15, 300);            /* waits: nothing at 15 */
  append_request (out, 18, 2, 5, FALSE, NULL, 0);
  append_fetch (out, 6, 0, 300);
  start = g_get_monotonic_time ();
  send_all (socket, out->data, out->len);

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GBytes) response = read_response (socket, &correlation_id);

      g_assert_nonnull (response);
      g_assert_cmpint (correlation_id, ==, expected[i]);
      if (expected[i] == 2)
        {
          MrKafkaReader reader;
          gsize len;
          const guint8 *p = g_bytes_get_data (response, &len);
          g_autofree char *topic = NULL;

          mr_kafka_reader_init (&reader, p + 4, len - 4);
          g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
          topic = mr_kafka_reader_string (&reader);
          g_assert_cmpstr (topic, ==, "pipe");
          g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
          g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
          g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
          g_assert_cmpint (mr_kafka_reader_int64 (&reader), ==, 5);
        }
      if (expected[i] == 5)
        /* Held behind the long poll. */
        g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
    }
}

static void
wait_for_refusal (Fixture  *fixture,
                  gboolean  refused)
{
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = try_connect (fixture, &error);

      if ((socket == NULL) == refused)
        return;
      g_usleep (50 * 1000);
    }
  g_assert_not_reached ();
}

static void
test_follows_broker (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSocket) socket = connect_to (fixture);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  gint32 correlation_id;

  mr_cluster_broker_action (fixture->cluster, 1, MR_BROKER_ACTION_STOP, 0,
                            &error);
  g_assert_no_error (error);
  wait_for_refusal (fixture, TRUE);
  g_assert_true (closed_by_peer (socket));
  g_clear_object (&socket);

  mr_cluster_broker_action (fixture->cluster, 1, MR_BROKER_ACTION_START, 0,
                            &error);
  g_assert_no_error (error);
  wait_for_refusal (fixture, FALSE);

  /* Paused: accepted, but no answer until resumed. */
  socket = connect_to (fixture);
  mr_cluster_broker_action (fixture->cluster, 1, MR_BROKER_ACTION_PAUSE, 0,
                            &error);
  g_assert_no_error (error);
  g_usleep (300 * 1000);
  append_request (out, 18, 2, 9, FALSE, NULL, 0);
  send_all (socket, out->data, out->len);
  g_socket_set_timeout (socket, 1);
  {
    guint8 byte;
    gssize n = g_socket_receive (socket, (char *)&byte, 1, NULL, &error);

    g_assert_cmpint (n, <, 0);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
    g_clear_error (&error);
  }
  g_socket_set_timeout (socket, 10);
  mr_cluster_broker_action (fixture->cluster, 1, MR_BROKER_ACTION_RESUME, 0,
                            &error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) response = read_response (socket, &correlation_id);

    g_assert_nonnull (response);
    g_assert_cmpint (correlation_id, ==, 9);
  }
}

/* Sends one request and returns the response body (after the
 * correlation id). */
static GBytes *
round_trip (GSocket      *socket,
            gint16        api_key,
            gint16        api_version,
            const guint8 *body,
            gsize         body_len)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) response = NULL;
  gint32 correlation_id;

  append_request (out, api_key, api_version, 77, FALSE, body, body_len);
  send_all (socket, out->data, out->len);
  response = read_response (socket, &correlation_id);
  g_assert_nonnull (response);
  g_assert_cmpint (correlation_id, ==, 77);
  return g_bytes_new_from_bytes (response, 4, g_bytes_get_size (response) - 4);
}

static void
replace_listener (Fixture *fixture,
                  gint32   broker_id)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&fixture->listener, mr_kafka_listener_free);
  fixture->listener = mr_kafka_listener_new (fixture->cluster, broker_id,
                                             "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  mr_kafka_listener_start (fixture->listener);
}

/* A produce through a broker that does not lead the partition. */
static void
test_not_leader (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) batch = mr_test_build_batch (3, 10, 0, 1000,
                                                 MR_COMPRESSION_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autofree char *topic = NULL;
  MrKafkaReader reader;
  gint32 correlation_id;
  gint32 leader;

  mr_cluster_create_topic (fixture->cluster, "pipe", 1, 3, NULL, FALSE, &error);
  g_assert_no_error (error);
  info = mr_cluster_describe_topic (fixture->cluster, "pipe", &error);
  g_assert_no_error (error);
  leader = ((MrPartitionInfo *)g_ptr_array_index (info->partitions, 0))->leader;
  replace_listener (fixture, leader == 1 ? 2 : 1);
  socket = connect_to (fixture);

  append_produce (out, 3, 1, batch);
  send_all (socket, out->data, out->len);
  response = read_response (socket, &correlation_id);
  g_assert_cmpint (correlation_id, ==, 3);
  mr_kafka_reader_init (&reader, (const guint8 *)g_bytes_get_data (response, NULL) + 4,
                        g_bytes_get_size (response) - 4);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  topic = mr_kafka_reader_string (&reader);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==,
                   MR_KAFKA_ERROR_NOT_LEADER_OR_FOLLOWER);
  g_assert_cmpint (mr_kafka_reader_int64 (&reader), ==, -1);
}

static void
produce_records (Fixture *fixture,
                 guint    n_records)
{
  g_autoptr(GBytes) batch = mr_test_build_batch (n_records, 10, 0, 1000,
                                                 MR_COMPRESSION_NONE);
  g_auto(MrProduceResult) result = { 0, };
  gsize len;
  guint8 *data = g_bytes_unref_to_data (g_steal_pointer (&batch), &len);

  mr_cluster_produce (fixture->cluster, -1, "epochs", 0, data, len, -1, 5000,
                      &result);
  g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
}

static MrPartitionInfo *
describe_epochs (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTopicInfo) info = mr_cluster_describe_topic (fixture->cluster,
                                                           "epochs", &error);
  MrPartitionInfo *partition;

  g_assert_no_error (error);
  partition = g_ptr_array_steal_index (info->partitions, 0);
  return partition;
}

typedef struct
{
  gint16 error;
  gint32 epoch;
  gint64 end_offset;
} EpochEnd;

/* One OffsetForLeaderEpoch round trip for one partition. */
static EpochEnd
offset_for_leader_epoch (GSocket    *socket,
                         gint16      version,
                         const char *topic,
                         gint32      current_epoch,
                         gint32      leader_epoch)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GBytes) response = NULL;
  g_autofree char *name = NULL;
  MrKafkaReader reader;
  EpochEnd end = { 0, -1, -1 };

  if (version >= 3)
    mr_kafka_writer_int32 (body, -1);
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, topic);
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_int32 (body, 0);
  if (version >= 2)
    mr_kafka_writer_int32 (body, current_epoch);
  mr_kafka_writer_int32 (body, leader_epoch);

  response = round_trip (socket, 23, version, body->data, body->len);
  mr_kafka_reader_init (&reader, g_bytes_get_data (response, NULL),
                        g_bytes_get_size (response));
  if (version >= 2)
    g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  name = mr_kafka_reader_string (&reader);
  g_assert_cmpstr (name, ==, topic);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  end.error = mr_kafka_reader_int16 (&reader);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
  if (version >= 1)
    end.epoch = mr_kafka_reader_int32 (&reader);
  end.end_offset = mr_kafka_reader_int64 (&reader);
  g_assert_false (mr_kafka_reader_failed (&reader));
  g_assert_cmpuint (mr_kafka_reader_remaining (&reader), ==, 0);
  return end;
}

/* OffsetForLeaderEpoch after a leader change: where each epoch ends, and
 * the fencing of a stale or future current epoch. */
static void
test_offset_for_leader_epoch (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  MrPartitionInfo *before;
  MrPartitionInfo *after = NULL;
  gint32 first_epoch;
  gint32 old_leader;
  EpochEnd end;

  mr_cluster_create_topic (fixture->cluster, "epochs", 1, 3, NULL, FALSE,
                           &error);
  g_assert_no_error (error);
  produce_records (fixture, 10);
  before = describe_epochs (fixture);
  first_epoch = before->leader_epoch;
  old_leader = before->leader;
  mr_partition_info_free (before);

  /* A clean stop moves the leadership at once, with a new epoch. */
  mr_cluster_broker_action (fixture->cluster, old_leader,
                            MR_BROKER_ACTION_STOP, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 500; i++)
    {
      g_clear_pointer (&after, mr_partition_info_free);
      after = describe_epochs (fixture);
      if (after->leader > 0 && after->leader != old_leader)
        break;
      g_usleep (10000);
    }
  g_assert_cmpint (after->leader, >, 0);
  g_assert_cmpint (after->leader, !=, old_leader);
  g_assert_cmpint (after->leader_epoch, >, first_epoch);
  produce_records (fixture, 5);

  replace_listener (fixture, after->leader);
  socket = connect_to (fixture);

  /* The first epoch ends where the new leader's began. */
  end = offset_for_leader_epoch (socket, 3, "epochs", after->leader_epoch,
                                 first_epoch);
  g_assert_cmpint (end.error, ==, MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (end.epoch, ==, first_epoch);
  g_assert_cmpint (end.end_offset, ==, 10);

  /* The current epoch ends at the log end. */
  end = offset_for_leader_epoch (socket, 1, "epochs", -1, after->leader_epoch);
  g_assert_cmpint (end.error, ==, MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (end.epoch, ==, after->leader_epoch);
  g_assert_cmpint (end.end_offset, ==, 15);

  /* v0 has no epoch in its answer. */
  end = offset_for_leader_epoch (socket, 0, "epochs", -1, first_epoch);
  g_assert_cmpint (end.error, ==, MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (end.end_offset, ==, 10);

  /* A client that missed the election is fenced; one from the future is
   * told the leader does not know its epoch yet. */
  end = offset_for_leader_epoch (socket, 2, "epochs", first_epoch,
                                 first_epoch);
  g_assert_cmpint (end.error, ==, MR_KAFKA_ERROR_FENCED_LEADER_EPOCH);
  g_assert_cmpint (end.end_offset, ==, -1);
  end = offset_for_leader_epoch (socket, 2, "epochs",
                                 after->leader_epoch + 1, first_epoch);
  g_assert_cmpint (end.error, ==, MR_KAFKA_ERROR_UNKNOWN_LEADER_EPOCH);

  end = offset_for_leader_epoch (socket, 3, "no-such-topic", -1, 0);
  g_assert_cmpint (end.error, ==, MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);

  mr_partition_info_free (after);
}

/* Fetch v11 of two partitions of "two" from offset 0; returns the size of
 * the records each partition answered with. */
static void
fetch_two (GSocket      *socket,
           const gint32  partitions[2],
           gint32        max_wait_ms,
           gint32   max_bytes,
           gsize    sizes[2])
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GBytes) response = NULL;
  MrKafkaReader reader;

  mr_kafka_writer_int32 (body, -1);
  mr_kafka_writer_int32 (body, max_wait_ms);
  mr_kafka_writer_int32 (body, 1);
  mr_kafka_writer_int32 (body, max_bytes);
  mr_kafka_writer_int8 (body, 1);
  mr_kafka_writer_int32 (body, 0);
  mr_kafka_writer_int32 (body, -1);
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "two");
  mr_kafka_writer_array_count (body, 2);
  for (guint p = 0; p < 2; p++)
    {
      mr_kafka_writer_int32 (body, partitions[p]);
      mr_kafka_writer_int32 (body, -1);
      mr_kafka_writer_int64 (body, 0);
      mr_kafka_writer_int64 (body, -1);
      mr_kafka_writer_int32 (body, 1 << 20);
    }
  mr_kafka_writer_array_count (body, 0);
  mr_kafka_writer_string (body, "");

  response = round_trip (socket, 1, 11, body->data, body->len);
  mr_kafka_reader_init (&reader, g_bytes_get_data (response, NULL),
                        g_bytes_get_size (response));
  (void)mr_kafka_reader_int32 (&reader);             /* throttle */
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
  (void)mr_kafka_reader_int32 (&reader);             /* session */
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  g_free (mr_kafka_reader_string (&reader));
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 2);
  for (guint p = 0; p < 2; p++)
    {
      gsize len = 0;

      g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, partitions[p]);
      g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
      (void)mr_kafka_reader_int64 (&reader);         /* high watermark */
      (void)mr_kafka_reader_int64 (&reader);         /* last stable */
      (void)mr_kafka_reader_int64 (&reader);         /* log start */
      g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, -1);
      g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, -1);
      (void)mr_kafka_reader_bytes (&reader, &len);
      sizes[p] = len;
    }
  g_assert_false (mr_kafka_reader_failed (&reader));
}

static void
produce_to_two (MrCluster *cluster,
                gint32     partition)
{
  g_autoptr(GBytes) batch = mr_test_build_batch (20, 50, 0, 1000,
                                                 MR_COMPRESSION_NONE);
  g_auto(MrProduceResult) result = { 0, };
  gsize len;
  guint8 *data = g_bytes_unref_to_data (g_steal_pointer (&batch), &len);

  mr_cluster_produce (cluster, -1, "two", partition, data, len, -1, 5000,
                      &result);
  g_assert_cmpint (result.error, ==, MR_KAFKA_ERROR_NONE);
}

typedef struct
{
  MrCluster *cluster;
  gint32     partition;
} ProduceLater;

static gpointer
produce_later_thread (gpointer data)
{
  ProduceLater *later = data;

  g_usleep (200 * 1000);
  produce_to_two (later->cluster, later->partition);
  return NULL;
}

/* One long poll over two partitions wakes when either gets data, long
 * before its MaxWaitMs; MaxBytes caps the response, but the first batch
 * found comes whole. */
static void
test_fetch_many_partitions (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  GThread *producer;
  gint64 start;
  gsize sizes[2];
  gint32 pair[2] = { -1, -1 };
  ProduceLater later;

  /* Four partitions with one replica each on three brokers: two of them
   * have the same leader, whose listener serves the fetch. */
  mr_cluster_create_topic (fixture->cluster, "two", 4, 1, NULL, FALSE,
                           &error);
  g_assert_no_error (error);
  {
    g_autoptr(MrTopicInfo) info = mr_cluster_describe_topic (fixture->cluster,
                                                             "two", &error);

    g_assert_no_error (error);
    for (guint a = 0; a < 4 && pair[0] < 0; a++)
      for (guint b = a + 1; b < 4 && pair[0] < 0; b++)
        if (((MrPartitionInfo *)g_ptr_array_index (info->partitions, a))->leader ==
            ((MrPartitionInfo *)g_ptr_array_index (info->partitions, b))->leader)
          {
            pair[0] = (gint32)a;
            pair[1] = (gint32)b;
          }
    g_assert_cmpint (pair[0], >=, 0);
    replace_listener (fixture,
                      ((MrPartitionInfo *)g_ptr_array_index (info->partitions,
                                                             pair[0]))->leader);
  }
  socket = connect_to (fixture);

  later.cluster = fixture->cluster;
  later.partition = pair[1];
  producer = g_thread_new ("produce-later", produce_later_thread, &later);
  start = g_get_monotonic_time ();
  fetch_two (socket, pair, 20000, 1 << 20, sizes);
  g_thread_join (producer);
  g_assert_cmpuint (sizes[0], ==, 0);
  g_assert_cmpuint (sizes[1], >, 0);
  /* Woken by the data, not by the 20 s timeout. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  /* Both have data; MaxBytes 1: partition 0's first batch, whole, and
   * nothing from partition 1. */
  produce_to_two (fixture->cluster, pair[0]);
  fetch_two (socket, pair, 0, 1, sizes);
  g_assert_cmpuint (sizes[0], >, 1);
  g_assert_cmpuint (sizes[1], ==, 0);
}

/* Reads a Metadata v1+ response down to the first topic's error code. */
static gint16
metadata_topic_error (GBytes *body,
                      gint16  version)
{
  MrKafkaReader reader;
  gint32 n_brokers;
  gint16 code;

  mr_kafka_reader_init (&reader, g_bytes_get_data (body, NULL),
                        g_bytes_get_size (body));
  if (version >= 3)
    (void)mr_kafka_reader_int32 (&reader);
  n_brokers = mr_kafka_reader_array_count (&reader, 1);
  g_assert_cmpint (n_brokers, ==, 3);
  for (gint32 i = 0; i < n_brokers; i++)
    {
      g_autofree char *host = NULL;
      g_autofree char *rack = NULL;

      (void)mr_kafka_reader_int32 (&reader);
      host = mr_kafka_reader_string (&reader);
      (void)mr_kafka_reader_int32 (&reader);
      rack = mr_kafka_reader_nullable_string (&reader);
    }
  if (version >= 2)
    g_free (mr_kafka_reader_nullable_string (&reader));
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), >=, 1);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  code = mr_kafka_reader_int16 (&reader);
  g_assert_false (mr_kafka_reader_failed (&reader));
  return code;
}

/* A crashed leader, before the controller notices: Metadata never names
 * a broker that it does not list, so the partition answers
 * LEADER_NOT_AVAILABLE with leader -1 (clients then ask again soon)
 * until the new leader is elected. */
static void
test_metadata_crashed_leader (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  MrPartitionInfo *before;
  gint32 crashed;
  gboolean saw_unavailable = FALSE;
  gboolean saw_new_leader = FALSE;

  mr_cluster_create_topic (fixture->cluster, "epochs", 1, 3, NULL, FALSE,
                           &error);
  g_assert_no_error (error);
  before = describe_epochs (fixture);
  crashed = before->leader;
  mr_partition_info_free (before);
  replace_listener (fixture, crashed == 1 ? 2 : 1);
  socket = connect_to (fixture);

  mr_cluster_broker_action (fixture->cluster, crashed, MR_BROKER_ACTION_CRASH,
                            0, &error);
  g_assert_no_error (error);

  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "epochs");
  for (guint attempt = 0; attempt < 500 && !saw_new_leader; attempt++)
    {
      g_autoptr(GBytes) response = round_trip (socket, 3, 1, body->data,
                                               body->len);
      g_autofree char *name = NULL;
      g_autoptr(GArray) listed = g_array_new (FALSE, FALSE, sizeof (gint32));
      MrKafkaReader reader;
      gint32 n;
      gint16 code;
      gint32 leader;

      mr_kafka_reader_init (&reader, g_bytes_get_data (response, NULL),
                            g_bytes_get_size (response));
      n = mr_kafka_reader_array_count (&reader, 1);
      for (gint32 i = 0; i < n; i++)
        {
          gint32 id = mr_kafka_reader_int32 (&reader);

          g_free (mr_kafka_reader_string (&reader));
          (void)mr_kafka_reader_int32 (&reader);
          g_free (mr_kafka_reader_nullable_string (&reader));
          g_array_append_val (listed, id);
          g_assert_cmpint (id, !=, crashed);
        }
      (void)mr_kafka_reader_int32 (&reader);              /* controller */
      g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
      g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
      name = mr_kafka_reader_string (&reader);
      (void)mr_kafka_reader_int8 (&reader);
      g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
      code = mr_kafka_reader_int16 (&reader);
      g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
      leader = mr_kafka_reader_int32 (&reader);
      g_assert_false (mr_kafka_reader_failed (&reader));

      g_assert_cmpint (leader, !=, crashed);
      if (leader < 0)
        {
          g_assert_cmpint (code, ==, MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE);
          saw_unavailable = TRUE;
        }
      else
        {
          gboolean is_listed = FALSE;

          g_assert_cmpint (code, ==, MR_KAFKA_ERROR_NONE);
          for (guint i = 0; i < listed->len; i++)
            is_listed |= g_array_index (listed, gint32, i) == leader;
          g_assert_true (is_listed);
          saw_new_leader = TRUE;
        }
      g_usleep (5000);
    }
  g_assert_true (saw_new_leader);
  if (!saw_unavailable)
    g_test_message ("the election came before the first Metadata request");
}

static void
test_metadata_auto_create (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GSocket) socket = connect_to (fixture);
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTopicInfo) info = NULL;

  /* v4 with AllowAutoTopicCreation false: unknown, and not created. */
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "fresh");
  mr_kafka_writer_int8 (body, 0);
  {
    g_autoptr(GBytes) response = round_trip (socket, 3, 4, body->data, body->len);

    g_assert_cmpint (metadata_topic_error (response, 4), ==,
                     MR_KAFKA_ERROR_UNKNOWN_TOPIC_OR_PARTITION);
  }
  info = mr_cluster_describe_topic (fixture->cluster, "fresh", &error);
  g_assert_null (info);
  g_clear_error (&error);

  /* v1 always asks: the first answer is LEADER_NOT_AVAILABLE, then the
   * topic is there. */
  g_byte_array_set_size (body, 0);
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "fresh");
  {
    g_autoptr(GBytes) response = round_trip (socket, 3, 1, body->data, body->len);

    g_assert_cmpint (metadata_topic_error (response, 1), ==,
                     MR_KAFKA_ERROR_LEADER_NOT_AVAILABLE);
  }
  {
    g_autoptr(GBytes) response = round_trip (socket, 3, 1, body->data, body->len);

    g_assert_cmpint (metadata_topic_error (response, 1), ==,
                     MR_KAFKA_ERROR_NONE);
  }
  info = mr_cluster_describe_topic (fixture->cluster, "fresh", &error);
  g_assert_no_error (error);
}

/* Random bodies for every API and version in the table, each followed by
 * an ApiVersions on the same connection: the listener either answers both
 * in order or closes the connection, and never crashes. */
static void
test_random_bodies (Fixture       *fixture,
                    gconstpointer  data)
{
  static const gint16 apis[][2] = {
    { 0, 7 }, { 1, 11 }, { 2, 3 }, { 3, 6 }, { 18, 3 }, { 22, 1 },
  };
  guint n_answered = 0;
  guint n_closed = 0;

  for (gsize a = 0; a < G_N_ELEMENTS (apis); a++)
    for (gint16 version = 0; version <= apis[a][1]; version++)
      for (guint round = 0; round < 20; round++)
        {
          g_autoptr(GSocket) socket = connect_to (fixture);
          g_autoptr(GByteArray) out = g_byte_array_new ();
          gsize len = g_test_rand_int_range (0, 48);
          g_autofree guint8 *body = g_malloc (MAX (len, 1));
          gboolean done = FALSE;

          for (gsize i = 0; i < len; i++)
            body[i] = (guint8)g_test_rand_int_range (0, 256);
          /* Small counts now and then, so parsers get further in. */
          if (len >= 4 && round % 2 == 0)
            body[0] = body[1] = body[2] = 0;
          append_request (out, apis[a][0], version, 1,
                          apis[a][0] == 18 && version >= 3, body, len);
          append_request (out, 18, 0, 2, FALSE, NULL, 0);
          send_all (socket, out->data, out->len);
          while (!done)
            {
              gint32 correlation_id;
              g_autoptr(GBytes) response = read_response (socket, &correlation_id);

              if (response == NULL)
                {
                  n_closed++;
                  done = TRUE;
                }
              else if (correlation_id == 2)
                {
                  n_answered++;
                  done = TRUE;
                }
              else
                g_assert_cmpint (correlation_id, ==, 1);
            }
        }
  g_test_message ("%u answered, %u closed", n_answered, n_closed);
  g_assert_cmpuint (n_answered, >, 0);
  g_assert_cmpuint (n_closed, >, 0);
}

/* Stopping does not wait for a long poll to run out. */
static void
test_stop_during_long_poll (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  gint64 start;

  mr_cluster_create_topic (fixture->cluster, "pipe", 1, 3, NULL, FALSE, &error);
  g_assert_no_error (error);
  info = mr_cluster_describe_topic (fixture->cluster, "pipe", &error);
  g_assert_no_error (error);
  replace_listener (fixture,
                    ((MrPartitionInfo *)g_ptr_array_index (info->partitions, 0))->leader);
  socket = connect_to (fixture);
  append_fetch (out, 1, 0, 20000);
  send_all (socket, out->data, out->len);
  g_usleep (200 * 1000);

  start = g_get_monotonic_time ();
  g_clear_pointer (&fixture->listener, mr_kafka_listener_free);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_true (closed_by_peer (socket));
}

/* mr_kafka_listener_run_frame(), which the fuzz target runs: a frame gets
 * the answer it would get over a socket, without one. */
static void
test_run_frame (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(MrKafkaListener) unstarted = NULL;
  g_autoptr(GBytes) batch = mr_test_build_batch (5, 10, 0, 1000,
                                                 MR_COMPRESSION_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrTopicInfo) info = NULL;
  GByteArray *out = g_byte_array_new ();
  GBytes *response;
  MrKafkaReader reader;
  const guint8 *p;
  gsize len;
  gint32 leader;
  gint64 start;

  mr_cluster_create_topic (fixture->cluster, "pipe", 1, 3, NULL, FALSE, &error);
  g_assert_no_error (error);
  info = mr_cluster_describe_topic (fixture->cluster, "pipe", &error);
  g_assert_no_error (error);
  leader = ((MrPartitionInfo *)g_ptr_array_index (info->partitions, 0))->leader;
  unstarted = mr_kafka_listener_new (fixture->cluster, leader, "127.0.0.1", 0,
                                     &error);
  g_assert_no_error (error);

  /* ApiVersions: the whole response frame, Size and correlation id first. */
  append_request (out, 18, 2, 41, FALSE, NULL, 0);
  response = mr_kafka_listener_run_frame (unstarted, out->data + 4,
                                          out->len - 4, 1000);
  g_assert_nonnull (response);
  p = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, p, len);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, (gint32)len - 4);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 41);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
  /* As many APIs as a socket's ApiVersions lists (test_api_versions). */
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, n_apis_advertised);
  g_bytes_unref (response);

  /* What would close the connection gives NULL. */
  g_byte_array_set_size (out, 0);
  append_request (out, 99, 0, 42, FALSE, NULL, 0);
  g_assert_null (mr_kafka_listener_run_frame (unstarted, out->data + 4,
                                              out->len - 4, 1000));
  g_assert_null (mr_kafka_listener_run_frame (unstarted, out->data + 4, 3,
                                              1000));

  /* A long poll on the empty partition ends after the patience, not
   * after its 10 s. */
  g_byte_array_set_size (out, 0);
  append_fetch (out, 43, 0, 10000);
  start = g_get_monotonic_time ();
  response = mr_kafka_listener_run_frame (unstarted, out->data + 4,
                                          out->len - 4, 100);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_nonnull (response);
  p = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, p + 4, len - 4);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 43);
  g_bytes_unref (response);

  /* Produce acks=1: answered once appended, at offset 0; acks=0: an
   * empty answer. */
  g_byte_array_set_size (out, 0);
  append_produce (out, 44, 1, batch);
  response = mr_kafka_listener_run_frame (unstarted, out->data + 4,
                                          out->len - 4, 1000);
  g_assert_nonnull (response);
  p = g_bytes_get_data (response, &len);
  mr_kafka_reader_init (&reader, p + 4, len - 4);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 44);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  g_free (mr_kafka_reader_string (&reader));
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
  g_assert_cmpint (mr_kafka_reader_int64 (&reader), ==, 0);
  g_assert_false (mr_kafka_reader_failed (&reader));
  g_bytes_unref (response);

  g_byte_array_set_size (out, 0);
  append_produce (out, 45, 0, batch);
  response = mr_kafka_listener_run_frame (unstarted, out->data + 4,
                                          out->len - 4, 1000);
  g_assert_nonnull (response);
  g_assert_cmpuint (g_bytes_get_size (response), ==, 0);
  g_bytes_unref (response);
  g_byte_array_unref (out);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/kafka-listener/api-versions", Fixture, NULL,
              fixture_setup, test_api_versions, fixture_teardown);
  g_test_add ("/kafka-listener/bad-requests-close", Fixture, NULL,
              fixture_setup, test_bad_requests_close, fixture_teardown);
  g_test_add ("/kafka-listener/pipelining", Fixture, NULL,
              fixture_setup, test_pipelining, fixture_teardown);
  g_test_add ("/kafka-listener/follows-broker", Fixture, NULL,
              fixture_setup, test_follows_broker, fixture_teardown);
  g_test_add ("/kafka-listener/not-leader", Fixture, NULL,
              fixture_setup, test_not_leader, fixture_teardown);
  g_test_add ("/kafka-listener/offset-for-leader-epoch", Fixture, NULL,
              fixture_setup, test_offset_for_leader_epoch, fixture_teardown);
  g_test_add ("/kafka-listener/metadata-crashed-leader", Fixture, NULL,
              fixture_setup, test_metadata_crashed_leader, fixture_teardown);
  g_test_add ("/kafka-listener/fetch-many-partitions", Fixture, NULL,
              fixture_setup, test_fetch_many_partitions, fixture_teardown);
  g_test_add ("/kafka-listener/metadata-auto-create", Fixture, NULL,
              fixture_setup, test_metadata_auto_create, fixture_teardown);
  g_test_add ("/kafka-listener/random-bodies", Fixture, NULL,
              fixture_setup, test_random_bodies, fixture_teardown);
  g_test_add ("/kafka-listener/stop-during-long-poll", Fixture, NULL,
              fixture_setup, test_stop_during_long_poll, fixture_teardown);
  g_test_add ("/kafka-listener/run-frame", Fixture, NULL,
              fixture_setup, test_run_frame, fixture_teardown);

  return g_test_run ();
}
