/* test-consumer-group.c: the group state machine and the
 * __consumer_offsets record formats, without a cluster.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "mr-test-util.h"

#define MS (G_TIME_SPAN_MILLISECOND)

/* One parked request's outcome. */
typedef struct
{
  gboolean     done;
  MrKafkaError error;
  gint32       generation;
  char        *member_id;
  char        *leader_id;
  char        *protocol;
  guint        n_members;
  GBytes      *assignment;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->member_id, g_free);
  g_clear_pointer (&o->leader_id, g_free);
  g_clear_pointer (&o->protocol, g_free);
  g_clear_pointer (&o->assignment, g_bytes_unref);
  memset (o, 0, sizeof *o);
}

static void
outcome_cb (const MrGroupResponse *response,
            gpointer               user_data)
{
  Outcome *o = user_data;

  outcome_clear (o);
  o->done = TRUE;
  o->error = response->error;
  o->generation = response->generation;
  o->member_id = g_strdup (response->member_id);
  o->leader_id = g_strdup (response->leader_id);
  o->protocol = g_strdup (response->protocol_name);
  o->n_members = response->members != NULL ? response->members->len : 0;
  o->assignment = response->assignment != NULL
    ? g_bytes_ref (response->assignment) : NULL;
}

static GPtrArray *
protocols (const char *first,
           ...)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_protocol_free);
  va_list args;

  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      MrGroupProtocol *p = g_new0 (MrGroupProtocol, 1);

      p->name = g_strdup (name);
      p->metadata = g_bytes_new (name, strlen (name));
      g_ptr_array_add (array, p);
    }
  va_end (args);
  return array;
}

/* A JoinGroup with @member_id ("" for new), run to the point where it is
 * answered or parked. */
static void
join (MrConsumerGroup *group,
      const char      *member_id,
      const char      *instance_id,
      GPtrArray       *protos,
      gboolean         v4,
      gint64           now,
      Outcome         *outcome)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  MrGroupJoinRequest request = {
    member_id, instance_id, "client", "/127.0.0.1", 1000, 2000, "consumer",
    protos, v4
  };

  outcome_clear (outcome);
  mr_consumer_group_join (group, &request, outcome_cb, outcome, now,
                          completions);
  mr_group_completions_run (completions);
}

static void
sync_group (MrConsumerGroup *group,
            gint32           generation,
      const char      *member_id,
      GPtrArray       *assignments,
      gint64           now,
      Outcome         *outcome)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();

  outcome_clear (outcome);
  mr_consumer_group_sync (group, generation, member_id, NULL, assignments,
                          outcome_cb, outcome, now, completions);
  mr_group_completions_run (completions);
}

static void
tick (MrConsumerGroup *group,
      gint64           now)
{
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();

  mr_consumer_group_tick (group, now, completions);
  mr_group_completions_run (completions);
}

static GPtrArray *
assignment_for (const char *member_a,
                const char *a,
                const char *member_b,
                const char *b)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_member_data_free);
  MrGroupMemberData *d = g_new0 (MrGroupMemberData, 1);

  d->member_id = g_strdup (member_a);
  d->metadata = g_bytes_new (a, strlen (a));
  g_ptr_array_add (array, d);
  if (member_b != NULL)
    {
      d = g_new0 (MrGroupMemberData, 1);
      d->member_id = g_strdup (member_b);
      d->metadata = g_bytes_new (b, strlen (b));
      g_ptr_array_add (array, d);
    }
  return array;
}

static void
assert_assignment (Outcome    *o,
                   const char *expected)
{
  gsize len = 0;
  const char *data;

  g_assert_true (o->done);
  g_assert_cmpint (o->error, ==, MR_KAFKA_ERROR_NONE);
  data = g_bytes_get_data (o->assignment, &len);
  g_assert_cmpmem (data, len, expected, strlen (expected));
}

/* Two members through MEMBER_ID_REQUIRED, join, sync, heartbeats, a
 * leave and a session expiry. */
static void
test_rebalance_cycle (void)
{
  MrConsumerGroup *group = mr_consumer_group_new ("g", 0);
  g_autoptr(GPtrArray) p = protocols ("range", "roundrobin", NULL);
  g_autoptr(GPtrArray) p2 = protocols ("roundrobin", "range", NULL);
  g_autoptr(GPtrArray) completions = mr_group_completions_new ();
  g_autoptr(GPtrArray) assignments = NULL;
  Outcome a = { 0 }, b = { 0 }, sa = { 0 }, sb = { 0 };
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  gint64 now = 1000 * MS;

  g_assert_cmpstr (mr_group_state_to_string (mr_consumer_group_get_state (group)),
                   ==, "Empty");

  /* v4+: a new member first gets its id. */
  join (group, "", NULL, p, TRUE, now, &a);
  g_assert_cmpint (a.error, ==, MR_KAFKA_ERROR_MEMBER_ID_REQUIRED);
  id_a = g_strdup (a.member_id);
  g_assert_cmpuint (mr_consumer_group_get_n_members (group), ==, 0);
  join (group, "", NULL, p2, TRUE, now, &b);
  id_b = g_strdup (b.member_id);

  /* The first rejoin parks while the other id is pending... */
  join (group, id_a, NULL, p, TRUE, now, &a);
  g_assert_false (a.done);
  g_assert_cmpint (mr_consumer_group_get_state (group), ==,
                   MR_GROUP_STATE_PREPARING_REBALANCE);
  /* ...and the second completes the join phase. */
  join (group, id_b, NULL, p2, TRUE, now, &b);
  g_assert_true (a.done && b.done);
  g_assert_cmpint (a.error, ==, MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (a.generation, ==, 1);
  g_assert_cmpint (b.generation, ==, 1);
  g_assert_cmpstr (a.leader_id, ==, id_a);
  g_assert_cmpuint (a.n_members, ==, 2);     /* the leader sees everyone */
  g_assert_cmpuint (b.n_members, ==, 0);
  /* One vote each: "range" (first member's first) wins the tie. */
  g_assert_cmpstr (a.protocol, ==, "range");
  g_assert_cmpint (mr_consumer_group_get_state (group), ==,
                   MR_GROUP_STATE_COMPLETING_REBALANCE);

  /* The follower's sync parks until the leader's. */
  sync_group (group, 1, id_b, NULL, now, &sb);
  g_assert_false (sb.done);
  assignments = assignment_for (id_a, "A", id_b, "B");
  sync_group (group, 1, id_a, assignments, now, &sa);
  assert_assignment (&sa, "A");
  assert_assignment (&sb, "B");
  g_assert_cmpint (mr_consumer_group_get_state (group), ==,
                   MR_GROUP_STATE_STABLE);
  g_assert_true (mr_consumer_group_take_dirty (group));

  /* Heartbeats. */
  g_assert_cmpint (mr_consumer_group_heartbeat (group, 1, id_a, NULL, now),
                   ==, MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (mr_consumer_group_heartbeat (group, 0, id_a, NULL, now),
                   ==, MR_KAFKA_ERROR_ILLEGAL_GENERATION);
  g_assert_cmpint (mr_consumer_group_heartbeat (group, 1, "nobody", NULL, now),
                   ==, MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID);
  g_assert_cmpint (mr_consumer_group_check_commit (group, 1, id_b, NULL, now),
                   ==, MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (mr_consumer_group_check_commit (group, -1, "", NULL, now),
                   ==, MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID);

  /* b leaves: a rebalance; a's heartbeat says so and a rejoins alone. */
  g_assert_cmpint (mr_consumer_group_leave (group, id_b, NULL, now,
                                            completions), ==,
                   MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (mr_consumer_group_get_state (group), ==,
                   MR_GROUP_STATE_PREPARING_REBALANCE);
  g_assert_cmpint (mr_consumer_group_heartbeat (group, 1, id_a, NULL, now),
                   ==, MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS);
  join (group, id_a, NULL, p, TRUE, now, &a);
  g_assert_true (a.done);
  g_assert_cmpint (a.generation, ==, 2);

  /* a stops heartbeating: its session (1000 ms) expires. */
  g_clear_pointer (&assignments, g_ptr_array_unref);
  assignments = assignment_for (id_a, "all", NULL, NULL);
  sync_group (group, 2, id_a, assignments, now, &sa);
  assert_assignment (&sa, "all");
  tick (group, now + 900 * MS);
  g_assert_cmpuint (mr_consumer_group_get_n_members (group), ==, 1);
  tick (group, now + 1001 * MS);
  g_assert_cmpuint (mr_consumer_group_get_n_members (group), ==, 0);
  g_assert_cmpint (mr_consumer_group_get_state (group), ==, MR_GROUP_STATE_EMPTY);
  g_assert_cmpint (mr_consumer_group_get_generation (group), ==, 3);
  /* An empty group takes simple commits. */
  g_assert_cmpint (mr_consumer_group_check_commit (group, -1, "", NULL, now),
                   ==, MR_KAFKA_ERROR_NONE);

  outcome_clear (&a);
  outcome_clear (&b);
  outcome_clear (&sa);
  outcome_clear (&sb);
  mr_consumer_group_free (group);
}

/* A member that does not rejoin within the rebalance timeout is dropped
 * and the others go on; a protocol nobody shares is refused. */
static void
test_join_deadline_and_protocols (void)
{
  MrConsumerGroup *group = mr_consumer_group_new ("g", 0);
  g_autoptr(GPtrArray) p = protocols ("range", NULL);
  g_autoptr(GPtrArray) other = protocols ("sticky", NULL);
  g_autoptr(GPtrArray) a_assign = NULL;
  Outcome a = { 0 }, b = { 0 }, c = { 0 }, s = { 0 };
  gint64 now = 0;

  join (group, "", NULL, p, FALSE, now, &a);
  g_assert_true (a.done);
  g_assert_cmpint (a.generation, ==, 1);
  a_assign = assignment_for (a.member_id, "x", NULL, NULL);
  sync_group (group, 1, a.member_id, a_assign, now, &s);

  join (group, "", NULL, other, FALSE, now, &c);
  g_assert_cmpint (c.error, ==, MR_KAFKA_ERROR_INCONSISTENT_GROUP_PROTOCOL);

  /* b joins; a keeps heartbeating (1000 ms sessions) but never rejoins
   * (its rebalance timeout is 2000 ms). */
  join (group, "", NULL, p, FALSE, now + 10 * MS, &b);
  g_assert_false (b.done);
  g_assert_cmpint (mr_consumer_group_heartbeat (group, 1, a.member_id, NULL,
                                                now + 900 * MS),
                   ==, MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS);
  tick (group, now + 1500 * MS);
  g_assert_false (b.done);
  mr_consumer_group_heartbeat (group, 1, a.member_id, NULL, now + 1800 * MS);
  tick (group, now + 2011 * MS);
  g_assert_true (b.done);
  g_assert_cmpint (b.generation, ==, 2);
  g_assert_cmpuint (mr_consumer_group_get_n_members (group), ==, 1);
  g_assert_cmpstr (b.leader_id, ==, b.member_id);

  outcome_clear (&a);
  outcome_clear (&b);
  outcome_clear (&c);
  outcome_clear (&s);
  mr_consumer_group_free (group);
}

/* group.initial.rebalance.delay.ms: the first join waits so a fleet
 * joins in one generation. */
static void
test_initial_delay (void)
{
  MrConsumerGroup *group = mr_consumer_group_new ("g", 300);
  g_autoptr(GPtrArray) p = protocols ("range", NULL);
  Outcome a = { 0 }, b = { 0 };

  join (group, "", NULL, p, FALSE, 0, &a);
  g_assert_false (a.done);
  join (group, "", NULL, p, FALSE, 200 * MS, &b);
  tick (group, 400 * MS);          /* extended to 500 ms by b */
  g_assert_false (a.done);
  tick (group, 501 * MS);
  g_assert_true (a.done && b.done);
  g_assert_cmpint (a.generation, ==, 1);
  g_assert_cmpint (b.generation, ==, 1);
  outcome_clear (&a);
  outcome_clear (&b);
  mr_consumer_group_free (group);
}

/* A static member that comes back keeps its assignment without a
 * rebalance; its old id is fenced. */
static void
test_static_member (void)
{
  MrConsumerGroup *group = mr_consumer_group_new ("g", 0);
  g_autoptr(GPtrArray) p = protocols ("range", NULL);
  g_autoptr(GPtrArray) assignments = NULL;
  Outcome a = { 0 }, s = { 0 }, again = { 0 };
  g_autofree char *old_id = NULL;

  join (group, "", "instance-1", p, TRUE, 0, &a);
  g_assert_true (a.done);
  g_assert_cmpint (a.error, ==, MR_KAFKA_ERROR_NONE);
  old_id = g_strdup (a.member_id);
  assignments = assignment_for (old_id, "mine", NULL, NULL);
  sync_group (group, 1, old_id, assignments, 0, &s);
  assert_assignment (&s, "mine");

  join (group, "", "instance-1", p, TRUE, 10 * MS, &again);
  g_assert_true (again.done);
  g_assert_cmpint (again.error, ==, MR_KAFKA_ERROR_NONE);
  g_assert_cmpint (again.generation, ==, 1);
  g_assert_cmpstr (again.member_id, !=, old_id);
  g_assert_cmpint (mr_consumer_group_get_state (group), ==,
                   MR_GROUP_STATE_STABLE);
  sync_group (group, 1, again.member_id, NULL, 10 * MS, &s);
  assert_assignment (&s, "mine");
  g_assert_cmpint (mr_consumer_group_heartbeat (group, 1, old_id, "instance-1",
                                                10 * MS),
                   ==, MR_KAFKA_ERROR_FENCED_INSTANCE_ID);

  outcome_clear (&a);
  outcome_clear (&s);
  outcome_clear (&again);
  mr_consumer_group_free (group);
}

/* A new coordinator loads a Stable group from its record: the members
 * go on with the same generation and assignments. */
static void
test_load_record (void)
{
  MrConsumerGroup *group = mr_consumer_group_new ("g", 0);
  MrConsumerGroup *loaded = mr_consumer_group_new ("g", 0);
  g_autoptr(GPtrArray) p = protocols ("range", NULL);
  g_autoptr(GPtrArray) assignments = NULL;
  g_auto(MrGroupMetadataRecord) record = { 0 };
  g_auto(MrGroupMetadataRecord) decoded = { 0 };
  g_autoptr(GBytes) value = NULL;
  Outcome a = { 0 }, s = { 0 };
  const guint8 *data;
  gsize len;

  join (group, "", NULL, p, FALSE, 0, &a);
  assignments = assignment_for (a.member_id, "parts", NULL, NULL);
  sync_group (group, 1, a.member_id, assignments, 0, &s);
  mr_consumer_group_to_record (group, &record);
  value = mr_group_offsets_encode_group_value (&record);
  data = g_bytes_get_data (value, &len);
  g_assert_true (mr_group_offsets_decode_group_value (data, len, &decoded));

  mr_consumer_group_load_record (loaded, &decoded, 5000 * MS);
  g_assert_cmpint (mr_consumer_group_get_state (loaded), ==,
                   MR_GROUP_STATE_STABLE);
  g_assert_cmpint (mr_consumer_group_get_generation (loaded), ==, 1);
  g_assert_cmpstr (mr_consumer_group_get_protocol (loaded), ==, "range");
  g_assert_cmpint (mr_consumer_group_heartbeat (loaded, 1, a.member_id, NULL,
                                                5100 * MS),
                   ==, MR_KAFKA_ERROR_NONE);
  sync_group (loaded, 1, a.member_id, NULL, 5100 * MS, &s);
  assert_assignment (&s, "parts");
  /* Its session runs from the load: gone if it never shows up. */
  tick (loaded, 6200 * MS);
  g_assert_cmpint (mr_consumer_group_get_state (loaded), ==,
                   MR_GROUP_STATE_EMPTY);

  outcome_clear (&a);
  outcome_clear (&s);
  mr_consumer_group_free (group);
  mr_consumer_group_free (loaded);
}

static void
test_codec (void)
{
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) value = NULL;
  g_auto(MrGroupCommittedOffset) decoded = { 0 };
  g_auto(MrGroupMetadataRecord) record = { 0 };
  g_auto(MrGroupMetadataRecord) back = { 0 };
  MrGroupCommittedOffset offset = { 42, 3, (char *)"meta", 1700000000000 };
  MrGroupMemberRecord *member;
  g_autofree char *group = NULL;
  g_autofree char *topic = NULL;
  gint32 partition = -1;
  const guint8 *data;
  gsize len;
  static const guint8 expected_key[] = {
    0, 1, 0, 1, 'g', 0, 1, 't', 0, 0, 0, 7
  };

  key = mr_group_offsets_encode_offset_key ("g", "t", 7);
  data = g_bytes_get_data (key, &len);
  g_assert_cmpmem (data, len, expected_key, sizeof expected_key);
  g_assert_cmpint (mr_group_offsets_decode_key (data, len, &group, &topic,
                                                &partition),
                   ==, MR_GROUP_OFFSETS_RECORD_OFFSET);
  g_assert_cmpstr (group, ==, "g");
  g_assert_cmpstr (topic, ==, "t");
  g_assert_cmpint (partition, ==, 7);

  value = mr_group_offsets_encode_offset_value (&offset);
  data = g_bytes_get_data (value, &len);
  g_assert_cmpuint (len, ==, 2 + 8 + 4 + 2 + 4 + 8);
  g_assert_true (mr_group_offsets_decode_offset_value (data, len, &decoded));
  g_assert_cmpint (decoded.offset, ==, 42);
  g_assert_cmpint (decoded.leader_epoch, ==, 3);
  g_assert_cmpstr (decoded.metadata, ==, "meta");
  g_assert_cmpint (decoded.commit_timestamp, ==, 1700000000000);
  /* Truncated values and unknown key versions are refused. */
  {
    g_auto(MrGroupCommittedOffset) truncated = { 0 };

    g_assert_false (mr_group_offsets_decode_offset_value (data, len - 1,
                                                         &truncated));
  }
  g_assert_cmpint (mr_group_offsets_decode_key ((const guint8 *)"\0\x09", 2,
                                                &group, NULL, NULL),
                   ==, MR_GROUP_OFFSETS_RECORD_INVALID);

  record.protocol_type = g_strdup ("consumer");
  record.generation = 5;
  record.protocol = g_strdup ("range");
  record.leader = g_strdup ("m1");
  record.state_timestamp = 123;
  record.members = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_member_record_free);
  member = g_new0 (MrGroupMemberRecord, 1);
  member->member_id = g_strdup ("m1");
  member->group_instance_id = g_strdup ("i1");
  member->client_id = g_strdup ("c");
  member->client_host = g_strdup ("/127.0.0.1");
  member->rebalance_timeout_ms = 300000;
  member->session_timeout_ms = 45000;
  member->subscription = g_bytes_new ("sub", 3);
  member->assignment = g_bytes_new ("asg", 3);
  g_ptr_array_add (record.members, member);
  g_clear_pointer (&value, g_bytes_unref);
  value = mr_group_offsets_encode_group_value (&record);
  data = g_bytes_get_data (value, &len);
  g_assert_true (mr_group_offsets_decode_group_value (data, len, &back));
  g_assert_cmpstr (back.protocol_type, ==, "consumer");
  g_assert_cmpint (back.generation, ==, 5);
  g_assert_cmpstr (back.protocol, ==, "range");
  g_assert_cmpstr (back.leader, ==, "m1");
  g_assert_cmpuint (back.members->len, ==, 1);
  member = g_ptr_array_index (back.members, 0);
  g_assert_cmpstr (member->group_instance_id, ==, "i1");
  g_assert_cmpint (member->session_timeout_ms, ==, 45000);
  g_assert_true (g_bytes_equal (member->assignment,
                                ((MrGroupMemberRecord *)g_ptr_array_index (record.members, 0))->assignment));

  /* Kafka's placement: abs(String.hashCode) % partitions. */
  g_assert_cmpint (mr_group_offsets_partition_for ("my-group", 50), ==, 12);
  g_assert_cmpint (mr_group_offsets_partition_for ("console-consumer-12345", 50),
                   ==, 6);
  g_assert_cmpint (mr_group_offsets_partition_for ("g", 50), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/consumer-group/rebalance-cycle", test_rebalance_cycle);
  g_test_add_func ("/consumer-group/join-deadline-and-protocols",
                   test_join_deadline_and_protocols);
  g_test_add_func ("/consumer-group/initial-delay", test_initial_delay);
  g_test_add_func ("/consumer-group/static-member", test_static_member);
  g_test_add_func ("/consumer-group/load-record", test_load_record);
  g_test_add_func ("/consumer-group/offsets-codec", test_codec);

  return g_test_run ();
}
