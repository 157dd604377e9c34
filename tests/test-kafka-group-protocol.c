/* test-kafka-group-protocol.c: the group APIs on the wire, frame by
 * frame: the v4+ MEMBER_ID_REQUIRED round, a JoinGroup and a SyncGroup
 * parked until the group is ready, later responses on the same connection
 * held behind them, and the admin side (DescribeGroups, ListGroups,
 * DeleteGroups, OffsetCommit/OffsetFetch, OffsetDelete).
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

typedef MrTestKafkaCluster Fixture;

enum
{
  OFFSET_COMMIT = 8,
  OFFSET_FETCH = 9,
  JOIN_GROUP = 11,
  HEARTBEAT = 12,
  LEAVE_GROUP = 13,
  SYNC_GROUP = 14,
  DESCRIBE_GROUPS = 15,
  LIST_GROUPS = 16,
  DELETE_GROUPS = 42,
  OFFSET_DELETE = 47,
};

static void
groups_options (MrClusterOptions *options)
{
  options->offsets_topic_partitions = 1;
  options->group_initial_rebalance_delay_ms = 0;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  mr_test_kafka_cluster_start (fixture, 1, groups_options);
  mr_cluster_create_topic (fixture->cluster, "t", 2, 1, NULL, FALSE, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  mr_test_kafka_cluster_stop (fixture);
}

static GSocket *
connect_to (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  GSocket *socket;

  address = g_inet_socket_address_new_from_string (
    "127.0.0.1", mr_kafka_listener_get_port (fixture->listeners[0]));
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (socket, 20);
  return socket;
}

static void
send_request (GSocket    *socket,
              gint16      api_key,
              gint16      version,
              gint32      correlation_id,
              GByteArray *body)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize position = mr_kafka_writer_begin_size (out);
  gsize done = 0;

  mr_kafka_writer_int16 (out, api_key);
  mr_kafka_writer_int16 (out, version);
  mr_kafka_writer_int32 (out, correlation_id);
  mr_kafka_writer_string (out, "wire-test");
  g_byte_array_append (out, body->data, body->len);
  mr_kafka_writer_end_size (out, position);
  while (done < out->len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, (const char *)out->data + done,
                                out->len - done, NULL, &error);

      g_assert_no_error (error);
      done += (gsize)n;
    }
  g_byte_array_unref (body);
}

static void
receive_exactly (GSocket *socket,
                 guint8  *data,
                 gsize    len)
{
  gsize done = 0;

  while (done < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, (char *)data + done, len - done,
                                   NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      done += (gsize)n;
    }
}

/* The next response: checks its correlation id, returns the body. */
static GBytes *
read_response (GSocket *socket,
               gint32   expected_correlation_id)
{
  guint8 head[8];
  MrKafkaReader reader;
  gint32 size;
  guint8 *data;

  receive_exactly (socket, head, 8);
  mr_kafka_reader_init (&reader, head, 8);
  size = mr_kafka_reader_int32 (&reader);
  g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==,
                   expected_correlation_id);
  g_assert_cmpint (size, >=, 4);
  data = g_malloc (size - 4 + 1);
  receive_exactly (socket, data, size - 4);
  return g_bytes_new_take (data, size - 4);
}

/* Nothing arrives within @ms. */
static void
assert_silent (GSocket *socket,
               guint    ms)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (g_socket_condition_timed_wait (socket, G_IO_IN,
                                                 (gint64)ms * 1000, NULL,
                                                 &error));
}

static GByteArray *
join_body (const char *member_id)
{
  GByteArray *b = g_byte_array_new ();
  static const guint8 metadata[] = { 0, 0, 0, 0, 0, 1, 0, 1, 't', 0xff, 0xff, 0xff, 0xff };

  mr_kafka_writer_string (b, "wire");
  mr_kafka_writer_int32 (b, 10000);
  mr_kafka_writer_int32 (b, 10000);
  mr_kafka_writer_string (b, member_id);
  mr_kafka_writer_string (b, NULL);          /* group_instance_id */
  mr_kafka_writer_string (b, "consumer");
  mr_kafka_writer_array_count (b, 1);
  mr_kafka_writer_string (b, "range");
  mr_kafka_writer_bytes (b, metadata, sizeof metadata);
  return b;
}

typedef struct
{
  gint16  error;
  gint32  generation;
  char   *protocol;
  char   *leader;
  char   *member_id;
  gint32  n_members;
} Join;

static void
join_clear (Join *j)
{
  g_free (j->protocol);
  g_free (j->leader);
  g_free (j->member_id);
}

static void
parse_join (GBytes *body,
            Join   *j)
{
  MrKafkaReader reader;
  gsize len;
  const guint8 *data = g_bytes_get_data (body, &len);

  mr_kafka_reader_init (&reader, data, len);
  (void)mr_kafka_reader_int32 (&reader);
  j->error = mr_kafka_reader_int16 (&reader);
  j->generation = mr_kafka_reader_int32 (&reader);
  j->protocol = mr_kafka_reader_string (&reader);
  j->leader = mr_kafka_reader_string (&reader);
  j->member_id = mr_kafka_reader_string (&reader);
  j->n_members = mr_kafka_reader_array_count (&reader, 6);
  for (gint32 i = 0; i < j->n_members; i++)
    {
      gsize n;

      g_free (mr_kafka_reader_string (&reader));
      g_free (mr_kafka_reader_nullable_string (&reader));
      (void)mr_kafka_reader_bytes (&reader, &n);
    }
  g_assert_true (mr_kafka_reader_finish (&reader, NULL));
}

static GByteArray *
member_body (gint32      generation,
             const char *member_id)
{
  GByteArray *b = g_byte_array_new ();

  mr_kafka_writer_string (b, "wire");
  mr_kafka_writer_int32 (b, generation);
  mr_kafka_writer_string (b, member_id);
  mr_kafka_writer_string (b, NULL);
  return b;
}

static gint16
error_after_throttle (GBytes *body)
{
  MrKafkaReader reader;
  gsize len;
  const guint8 *data = g_bytes_get_data (body, &len);

  mr_kafka_reader_init (&reader, data, len);
  (void)mr_kafka_reader_int32 (&reader);
  return mr_kafka_reader_int16 (&reader);
}

static void
assert_sync_assignment (GBytes     *body,
                        const char *expected)
{
  MrKafkaReader reader;
  gsize len, n = 0;
  const guint8 *data = g_bytes_get_data (body, &len);
  const guint8 *assignment;

  mr_kafka_reader_init (&reader, data, len);
  (void)mr_kafka_reader_int32 (&reader);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
  assignment = mr_kafka_reader_bytes (&reader, &n);
  g_assert_cmpmem (assignment, n, expected, strlen (expected));
}

static void
test_join_sync_parking (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GSocket) a = connect_to (fixture);
  g_autoptr(GSocket) b = connect_to (fixture);
  g_autoptr(GBytes) r = NULL;
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  Join j = { 0 };
  GByteArray *body;

  /* v5: the first JoinGroup of a new member only gets its id. */
  send_request (a, JOIN_GROUP, 5, 1, join_body (""));
  r = read_response (a, 1);
  parse_join (r, &j);
  g_assert_cmpint (j.error, ==, 79);             /* MEMBER_ID_REQUIRED */
  g_assert_cmpint (j.generation, ==, -1);
  id_a = g_strdup (j.member_id);
  g_assert_true (g_str_has_prefix (id_a, "wire-test-"));
  join_clear (&j);
  g_clear_pointer (&r, g_bytes_unref);

  /* Alone, it completes the join phase at once and leads. */
  send_request (a, JOIN_GROUP, 5, 2, join_body (id_a));
  r = read_response (a, 2);
  parse_join (r, &j);
  g_assert_cmpint (j.error, ==, 0);
  g_assert_cmpint (j.generation, ==, 1);
  g_assert_cmpstr (j.protocol, ==, "range");
  g_assert_cmpstr (j.leader, ==, id_a);
  g_assert_cmpint (j.n_members, ==, 1);
  join_clear (&j);
  g_clear_pointer (&r, g_bytes_unref);

  /* A second member: its JoinGroup parks until A rejoins. */
  send_request (b, JOIN_GROUP, 5, 1, join_body (""));
  r = read_response (b, 1);
  parse_join (r, &j);
  id_b = g_strdup (j.member_id);
  join_clear (&j);
  g_clear_pointer (&r, g_bytes_unref);
  send_request (b, JOIN_GROUP, 5, 2, join_body (id_b));
  assert_silent (b, 200);

  /* A learns of the rebalance from its heartbeat, and rejoins. */
  send_request (a, HEARTBEAT, 3, 3, member_body (1, id_a));
  r = read_response (a, 3);
  g_assert_cmpint (error_after_throttle (r), ==, 27);   /* REBALANCE_IN_PROGRESS */
  g_clear_pointer (&r, g_bytes_unref);
  send_request (a, JOIN_GROUP, 5, 4, join_body (id_a));
  r = read_response (a, 4);
  parse_join (r, &j);
  g_assert_cmpint (j.generation, ==, 2);
  g_assert_cmpstr (j.leader, ==, id_a);
  g_assert_cmpint (j.n_members, ==, 2);
  join_clear (&j);
  g_clear_pointer (&r, g_bytes_unref);
  r = read_response (b, 2);
  parse_join (r, &j);
  g_assert_cmpint (j.error, ==, 0);
  g_assert_cmpint (j.generation, ==, 2);
  g_assert_cmpint (j.n_members, ==, 0);             /* only the leader sees them */
  join_clear (&j);
  g_clear_pointer (&r, g_bytes_unref);

  /* B's SyncGroup parks, and the Heartbeat it pipelines behind it waits
   * for it: responses leave in request order. */
  body = member_body (2, id_b);
  mr_kafka_writer_array_count (body, 0);
  send_request (b, SYNC_GROUP, 3, 3, body);
  send_request (b, HEARTBEAT, 3, 4, member_body (2, id_b));
  assert_silent (b, 300);

  body = member_body (2, id_a);
  mr_kafka_writer_array_count (body, 2);
  mr_kafka_writer_string (body, id_a);
  mr_kafka_writer_bytes (body, (const guint8 *)"for-a", 5);
  mr_kafka_writer_string (body, id_b);
  mr_kafka_writer_bytes (body, (const guint8 *)"for-b", 5);
  send_request (a, SYNC_GROUP, 3, 5, body);
  r = read_response (a, 5);
  assert_sync_assignment (r, "for-a");
  g_clear_pointer (&r, g_bytes_unref);

  r = read_response (b, 3);
  assert_sync_assignment (r, "for-b");
  g_clear_pointer (&r, g_bytes_unref);
  r = read_response (b, 4);
  g_assert_cmpint (error_after_throttle (r), ==, 0);
  g_clear_pointer (&r, g_bytes_unref);

  /* DescribeGroups v4: Stable, both members, the chosen protocol. */
  body = g_byte_array_new ();
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "wire");
  mr_kafka_writer_int8 (body, 0);
  send_request (a, DESCRIBE_GROUPS, 4, 6, body);
  r = read_response (a, 6);
  {
    MrKafkaReader reader;
    gsize len;
    const guint8 *d = g_bytes_get_data (r, &len);
    g_autofree char *group = NULL;
    g_autofree char *state = NULL;
    g_autofree char *type = NULL;
    g_autofree char *protocol = NULL;

    mr_kafka_reader_init (&reader, d, len);
    (void)mr_kafka_reader_int32 (&reader);
    g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
    g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
    group = mr_kafka_reader_string (&reader);
    state = mr_kafka_reader_string (&reader);
    type = mr_kafka_reader_string (&reader);
    protocol = mr_kafka_reader_string (&reader);
    g_assert_cmpstr (group, ==, "wire");
    g_assert_cmpstr (state, ==, "Stable");
    g_assert_cmpstr (type, ==, "consumer");
    g_assert_cmpstr (protocol, ==, "range");
    g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 2);
  }
  g_clear_pointer (&r, g_bytes_unref);

  /* LeaveGroup v3 for both: the group is empty, so it can be deleted. */
  body = g_byte_array_new ();
  mr_kafka_writer_string (body, "wire");
  mr_kafka_writer_array_count (body, 2);
  mr_kafka_writer_string (body, id_a);
  mr_kafka_writer_string (body, NULL);
  mr_kafka_writer_string (body, id_b);
  mr_kafka_writer_string (body, NULL);
  send_request (a, LEAVE_GROUP, 3, 7, body);
  r = read_response (a, 7);
  g_assert_cmpint (error_after_throttle (r), ==, 0);
  g_clear_pointer (&r, g_bytes_unref);

  body = g_byte_array_new ();
  send_request (a, LIST_GROUPS, 2, 8, body);
  r = read_response (a, 8);
  {
    MrKafkaReader reader;
    gsize len;
    const guint8 *d = g_bytes_get_data (r, &len);
    g_autofree char *group = NULL;

    mr_kafka_reader_init (&reader, d, len);
    (void)mr_kafka_reader_int32 (&reader);
    g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
    g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
    group = mr_kafka_reader_string (&reader);
    g_assert_cmpstr (group, ==, "wire");
  }
  g_clear_pointer (&r, g_bytes_unref);

  body = g_byte_array_new ();
  mr_kafka_writer_array_count (body, 2);
  mr_kafka_writer_string (body, "wire");
  mr_kafka_writer_string (body, "never-was");
  send_request (a, DELETE_GROUPS, 1, 9, body);
  r = read_response (a, 9);
  {
    MrKafkaReader reader;
    gsize len;
    const guint8 *d = g_bytes_get_data (r, &len);

    mr_kafka_reader_init (&reader, d, len);
    (void)mr_kafka_reader_int32 (&reader);
    g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 2);
    g_free (mr_kafka_reader_string (&reader));
    g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
    g_free (mr_kafka_reader_string (&reader));
    g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 69);  /* GROUP_ID_NOT_FOUND */
  }
}

/* A simple commit (generation -1, no member), fetched back, then deleted
 * with OffsetDelete. */
static void
test_simple_commit_fetch_delete (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GSocket) s = connect_to (fixture);
  g_autoptr(GBytes) r = NULL;
  GByteArray *body;
  MrKafkaReader reader;
  const guint8 *d;
  gsize len;

  body = g_byte_array_new ();
  mr_kafka_writer_string (body, "tool");
  mr_kafka_writer_int32 (body, -1);
  mr_kafka_writer_string (body, "");
  mr_kafka_writer_string (body, NULL);
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "t");
  mr_kafka_writer_array_count (body, 2);
  for (gint32 p = 0; p < 2; p++)
    {
      mr_kafka_writer_int32 (body, p);
      mr_kafka_writer_int64 (body, 40 + p);
      mr_kafka_writer_int32 (body, -1);
      mr_kafka_writer_string (body, "note");
    }
  send_request (s, OFFSET_COMMIT, 7, 1, body);
  r = read_response (s, 1);
  d = g_bytes_get_data (r, &len);
  mr_kafka_reader_init (&reader, d, len);
  (void)mr_kafka_reader_int32 (&reader);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  g_free (mr_kafka_reader_string (&reader));
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 2);
  for (gint32 p = 0; p < 2; p++)
    {
      g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, p);
      g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
    }
  g_clear_pointer (&r, g_bytes_unref);

  /* OffsetFetch v5 with null topics: everything the group committed. */
  body = g_byte_array_new ();
  mr_kafka_writer_string (body, "tool");
  mr_kafka_writer_array_count (body, -1);
  send_request (s, OFFSET_FETCH, 5, 2, body);
  r = read_response (s, 2);
  d = g_bytes_get_data (r, &len);
  mr_kafka_reader_init (&reader, d, len);
  (void)mr_kafka_reader_int32 (&reader);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  g_free (mr_kafka_reader_string (&reader));
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 2);
  for (gint32 p = 0; p < 2; p++)
    {
      g_autofree char *metadata = NULL;

      g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, p);
      g_assert_cmpint (mr_kafka_reader_int64 (&reader), ==, 40 + p);
      g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, -1);
      metadata = mr_kafka_reader_nullable_string (&reader);
      g_assert_cmpstr (metadata, ==, "note");
      g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
    }
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
  g_clear_pointer (&r, g_bytes_unref);

  /* OffsetDelete v0 on partition 1; an empty group may lose its offsets. */
  body = g_byte_array_new ();
  mr_kafka_writer_string (body, "tool");
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "t");
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_int32 (body, 1);
  send_request (s, OFFSET_DELETE, 0, 3, body);
  r = read_response (s, 3);
  d = g_bytes_get_data (r, &len);
  mr_kafka_reader_init (&reader, d, len);
  g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
  g_clear_pointer (&r, g_bytes_unref);

  /* OffsetFetch v1 for both partitions: 1 is gone (-1, no error). */
  body = g_byte_array_new ();
  mr_kafka_writer_string (body, "tool");
  mr_kafka_writer_array_count (body, 1);
  mr_kafka_writer_string (body, "t");
  mr_kafka_writer_array_count (body, 2);
  mr_kafka_writer_int32 (body, 0);
  mr_kafka_writer_int32 (body, 1);
  send_request (s, OFFSET_FETCH, 1, 4, body);
  r = read_response (s, 4);
  d = g_bytes_get_data (r, &len);
  mr_kafka_reader_init (&reader, d, len);
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 1);
  g_free (mr_kafka_reader_string (&reader));
  g_assert_cmpint (mr_kafka_reader_array_count (&reader, 1), ==, 2);
  for (gint32 p = 0; p < 2; p++)
    {
      g_assert_cmpint (mr_kafka_reader_int32 (&reader), ==, p);
      g_assert_cmpint (mr_kafka_reader_int64 (&reader), ==, p == 0 ? 40 : -1);
      g_free (mr_kafka_reader_nullable_string (&reader));
      g_assert_cmpint (mr_kafka_reader_int16 (&reader), ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/kafka-group-protocol/join-sync-parking", Fixture, NULL,
              fixture_setup, test_join_sync_parking, fixture_teardown);
  g_test_add ("/kafka-group-protocol/simple-commit-fetch-delete", Fixture,
              NULL, fixture_setup, test_simple_commit_fetch_delete,
              fixture_teardown);

  return g_test_run ();
}
