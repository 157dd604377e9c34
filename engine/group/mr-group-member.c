/* mr-group-member.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* An in-process group member, for the window's demo consumers and for
 * sinks: a consumer client that talks to the group coordinator through
 * the cluster API (via_broker -1) with the same semantics a Kafka client
 * gets on the wire.
 *
 * Its thread: JoinGroup (with the v4 MEMBER_ID_REQUIRED round, so the
 * member id is always known and a stop can leave even while the join is
 * parked), SyncGroup (as the leader it assigns partitions with the range
 * assignor: per topic, the subscribed members sorted by id get
 * partitions/members each and the first partitions%members one more),
 * then it reads its partitions from the committed offsets (the log start
 * when none), heartbeats every 300 ms, commits every second, and goes
 * back to JoinGroup when a heartbeat says REBALANCE_IN_PROGRESS.
 *
 * ConsumerProtocolSubscription v0, the join metadata: version int16 (0),
 * topics ARRAY of STRING, user_data BYTES (null). The assignment is the
 * ConsumerProtocolAssignment v0 of mr-groups.c.
 *
 * @locks lock protects member_id; stop and n_consumed are atomics. */

#define G_LOG_DOMAIN "mr-group"

#include "config.h"

#include "mr-group-member.h"

#include <string.h>

#include "mr-group-coordinator.h"
#include "mr-groups.h"
#include "mr-kafka-codec.h"
#include "mr-record-batch.h"

#define SESSION_TIMEOUT_MS 10000
#define REBALANCE_TIMEOUT_MS 10000
#define HEARTBEAT_US (300 * G_TIME_SPAN_MILLISECOND)
#define COMMIT_US G_TIME_SPAN_SECOND

struct _MrGroupMember
{
  MrCluster          *cluster;
  MrGroupCoordinator *coordinator;
  char               *group_id;
  char               *client_id;
  GStrv               topics;
  GThread            *thread;
  GMutex              lock;
  char               *member_id;
  gint32              generation;
  gint                stop;
  gsize               n_consumed;      /* atomic */
  MrGroupRecordsFunc  records_func;
  gpointer            records_data;
};

typedef struct
{
  GMutex        lock;
  GCond         cond;
  gboolean      done;
  MrKafkaError  error;
  gint32        generation;
  char         *member_id;
  char         *leader_id;
  GPtrArray    *members;           /* MrGroupMemberData */
  GBytes       *assignment;
} Wait;

typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  position;
} Position;

static void
position_clear (gpointer data)
{
  g_free (((Position *)data)->topic);
}

static void
wait_init (Wait *w)
{
  memset (w, 0, sizeof *w);
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
}

static void
wait_clear (Wait *w)
{
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w->member_id);
  g_free (w->leader_id);
  g_clear_pointer (&w->members, g_ptr_array_unref);
  g_clear_pointer (&w->assignment, g_bytes_unref);
}

static void
wait_cb (const MrGroupResponse *response,
         gpointer               user_data)
{
  Wait *w = user_data;

  g_mutex_lock (&w->lock);
  w->error = response->error;
  w->generation = response->generation;
  w->member_id = g_strdup (response->member_id);
  w->leader_id = g_strdup (response->leader_id);
  if (response->members != NULL)
    {
      w->members = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_member_data_free);
      for (guint i = 0; i < response->members->len; i++)
        {
          MrGroupMemberData *d = g_ptr_array_index (response->members, i);
          MrGroupMemberData *c = g_new0 (MrGroupMemberData, 1);

          c->member_id = g_strdup (d->member_id);
          c->metadata = d->metadata != NULL ? g_bytes_ref (d->metadata) : NULL;
          g_ptr_array_add (w->members, c);
        }
    }
  w->assignment = response->assignment != NULL
    ? g_bytes_ref (response->assignment) : NULL;
  w->done = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
}

static gboolean
stopping (MrGroupMember *self)
{
  return g_atomic_int_get (&self->stop) != 0;
}

/* Waits for a parked request; a stop meanwhile leaves the group, which
 * answers it. */
static void
wait_done (MrGroupMember *self,
           Wait          *w,
           const char    *member_id)
{
  gboolean left = FALSE;

  g_mutex_lock (&w->lock);
  while (!w->done)
    {
      g_cond_wait_until (&w->cond, &w->lock,
                         g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND);
      if (!w->done && stopping (self) && !left && member_id != NULL)
        {
          MrKafkaError member_error;

          g_mutex_unlock (&w->lock);
          mr_group_coordinator_leave (self->coordinator, -1, self->group_id,
                                      member_id, NULL, &member_error);
          left = TRUE;
          g_mutex_lock (&w->lock);
        }
    }
  g_mutex_unlock (&w->lock);
}

static GBytes *
subscription (MrGroupMember *self)
{
  GByteArray *out = g_byte_array_new ();
  guint n = g_strv_length (self->topics);

  mr_kafka_writer_int16 (out, 0);
  mr_kafka_writer_array_count (out, (gint32)n);
  for (guint i = 0; i < n; i++)
    mr_kafka_writer_string (out, self->topics[i]);
  mr_kafka_writer_bytes (out, NULL, 0);
  return g_byte_array_free_to_bytes (out);
}

static GStrv
decode_subscription (GBytes *metadata)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  MrKafkaReader reader;
  const guint8 *data;
  gsize len = 0;
  gint32 n;

  data = metadata != NULL ? g_bytes_get_data (metadata, &len) : NULL;
  mr_kafka_reader_init (&reader, data, len);
  (void)mr_kafka_reader_int16 (&reader);
  n = mr_kafka_reader_array_count (&reader, 2);
  for (gint32 i = 0; i < n && !mr_kafka_reader_failed (&reader); i++)
    {
      g_autofree char *topic = mr_kafka_reader_string (&reader);

      if (topic != NULL)
        g_strv_builder_add (builder, topic);
    }
  return g_strv_builder_end (builder);
}

static gint
compare_member_ids (gconstpointer a,
                    gconstpointer b)
{
  return strcmp ((*(MrGroupMemberData * const *)a)->member_id,
                 (*(MrGroupMemberData * const *)b)->member_id);
}

/* The range assignor over @members (MrGroupMemberData with their
 * subscriptions); returns MrGroupMemberData with assignments. */
static GPtrArray *
assign_range (MrGroupMember *self,
              GPtrArray     *members)
{
  g_autoptr(GHashTable) topics = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                        g_free, NULL);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autofree GStrv *subs = NULL;
  g_autofree GByteArray **outs = NULL;
  GPtrArray *assignments;
  GHashTableIter iter;
  gpointer key;

  assignments = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_member_data_free);
  for (guint i = 0; i < members->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (members, i));
  g_ptr_array_sort (sorted, compare_member_ids);
  subs = g_new0 (GStrv, sorted->len);
  outs = g_new0 (GByteArray *, sorted->len);
  for (guint i = 0; i < sorted->len; i++)
    {
      MrGroupMemberData *d = g_ptr_array_index (sorted, i);

      subs[i] = decode_subscription (d->metadata);
      for (guint t = 0; subs[i][t] != NULL; t++)
        g_hash_table_add (topics, g_strdup (subs[i][t]));
      outs[i] = g_byte_array_new ();
    }

  /* Per member: a list of (topic, [partitions]) written below. */
  {
    g_autoptr(GPtrArray) per_member = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);

    for (guint i = 0; i < sorted->len; i++)
      g_ptr_array_add (per_member, g_ptr_array_new_with_free_func (
                                     (GDestroyNotify)mr_topic_partition_free));
    g_hash_table_iter_init (&iter, topics);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        g_autoptr(MrTopicInfo) info = mr_cluster_describe_topic (self->cluster,
                                                                 key, NULL);
        g_autoptr(GArray) takers = g_array_new (FALSE, FALSE, sizeof (guint));
        guint n_partitions = info != NULL ? info->partitions->len : 0;
        guint next = 0;

        for (guint i = 0; i < sorted->len; i++)
          if (g_strv_contains ((const char * const *)subs[i], key))
            g_array_append_val (takers, i);
        for (guint k = 0; k < takers->len; k++)
          {
            guint count = n_partitions / takers->len +
                          (k < n_partitions % takers->len ? 1 : 0);
            GPtrArray *list = g_ptr_array_index (per_member,
                                                 g_array_index (takers, guint, k));

            for (guint c = 0; c < count; c++, next++)
              {
                MrTopicPartition *tp = g_new0 (MrTopicPartition, 1);

                tp->topic = g_strdup (key);
                tp->partition = (gint32)next;
                g_ptr_array_add (list, tp);
              }
          }
      }

    for (guint i = 0; i < sorted->len; i++)
      {
        GPtrArray *list = g_ptr_array_index (per_member, i);
        MrGroupMemberData *d = g_new0 (MrGroupMemberData, 1);
        GByteArray *out = outs[i];
        guint j = 0;
        gint32 n_topics = 0;

        for (guint k = 0; k < list->len; k++)
          if (k == 0 || strcmp (((MrTopicPartition *)g_ptr_array_index (list, k))->topic,
                                ((MrTopicPartition *)g_ptr_array_index (list, k - 1))->topic) != 0)
            n_topics++;
        mr_kafka_writer_int16 (out, 0);
        mr_kafka_writer_array_count (out, n_topics);
        while (j < list->len)
          {
            const char *topic = ((MrTopicPartition *)g_ptr_array_index (list, j))->topic;
            guint end = j;

            while (end < list->len &&
                   strcmp (((MrTopicPartition *)g_ptr_array_index (list, end))->topic,
                           topic) == 0)
              end++;
            mr_kafka_writer_string (out, topic);
            mr_kafka_writer_array_count (out, (gint32)(end - j));
            for (; j < end; j++)
              mr_kafka_writer_int32 (out, ((MrTopicPartition *)g_ptr_array_index (list, j))->partition);
          }
        mr_kafka_writer_bytes (out, NULL, 0);
        d->member_id = g_strdup (((MrGroupMemberData *)g_ptr_array_index (sorted, i))->member_id);
        d->metadata = g_byte_array_free_to_bytes (out);
        outs[i] = NULL;
        g_ptr_array_add (assignments, d);
        g_strfreev (subs[i]);
      }
  }
  return assignments;
}

static void
commit_positions (MrGroupMember *self,
                  GArray        *positions,
                  const char    *member_id,
                  gint32         generation)
{
  g_autoptr(GPtrArray) entries = NULL;

  if (positions->len == 0)
    return;
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_offset_entry_free);
  for (guint i = 0; i < positions->len; i++)
    {
      Position *p = &g_array_index (positions, Position, i);

      g_ptr_array_add (entries, mr_group_offset_entry_new (p->topic,
                                                           p->partition,
                                                           p->position));
    }
  mr_group_coordinator_commit (self->coordinator, -1, self->group_id,
                               generation, member_id, NULL, entries);
}

/* Reads what is there from each position; returns whether anything came. */
static gboolean
read_partitions (MrGroupMember *self,
                 GArray        *positions)
{
  gboolean any = FALSE;

  for (guint i = 0; i < positions->len && !stopping (self); i++)
    {
      Position *p = &g_array_index (positions, Position, i);
      g_auto(MrFetchResult) result = { 0 };
      const guint8 *data;
      gsize len = 0;
      gsize pos = 0;

      mr_cluster_fetch (self->cluster, -1, p->topic, p->partition, p->position,
                        1 << 20, 0, -1, &result);
      if (result.error == MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE)
        {
          gint64 ts;

          mr_cluster_list_offset (self->cluster, -1, p->topic, p->partition,
                                  -2, &p->position, &ts);
          continue;
        }
      if (result.error != MR_KAFKA_ERROR_NONE || result.records == NULL ||
          g_bytes_get_size (result.records) == 0)
        continue;
      /* A sink sees the batches first; the position (and so the next
       * commit) only moves once it took them: at least once. */
      if (self->records_func != NULL &&
          !self->records_func (p->topic, p->partition, p->position,
                               result.records, self->records_data))
        continue;
      data = g_bytes_get_data (result.records, &len);
      while (pos + MR_RECORD_BATCH_LOG_OVERHEAD <= len)
        {
          MrRecordBatchHeader header;
          gsize size;
          gint64 last;

          if (!mr_record_batch_header_parse (data + pos, len - pos, &header,
                                             NULL))
            break;
          size = mr_record_batch_header_get_size (&header);
          if (pos + size > len)
            break;
          last = mr_record_batch_header_get_last_offset (&header);
          if (last >= p->position)
            {
              g_atomic_pointer_add (&self->n_consumed,
                                    last + 1 - MAX (header.base_offset,
                                                    p->position));
              p->position = last + 1;
              any = TRUE;
            }
          pos += size;
        }
    }
  return any;
}

static gpointer
member_thread (gpointer data)
{
  MrGroupMember *self = data;
  g_autofree char *member_id = NULL;
  g_autoptr(GBytes) metadata = subscription (self);

  while (!stopping (self))
    {
      g_autoptr(GPtrArray) protocols = NULL;
      g_autoptr(GPtrArray) assignments = NULL;
      g_autoptr(GPtrArray) assigned = NULL;
      g_autoptr(GArray) positions = NULL;
      MrGroupProtocol *range;
      MrGroupJoinRequest request = { 0 };
      Wait join;
      Wait sync;
      gint32 generation;
      gint64 last_heartbeat;
      gint64 last_commit;
      MrKafkaError error;

      protocols = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_protocol_free);
      range = g_new0 (MrGroupProtocol, 1);
      range->name = g_strdup ("range");
      range->metadata = g_bytes_ref (metadata);
      g_ptr_array_add (protocols, range);
      request.member_id = member_id != NULL ? member_id : "";
      request.client_id = self->client_id;
      request.client_host = "/127.0.0.1";
      request.session_timeout_ms = SESSION_TIMEOUT_MS;
      request.rebalance_timeout_ms = REBALANCE_TIMEOUT_MS;
      request.protocol_type = "consumer";
      request.protocols = protocols;
      request.require_known_member_id = TRUE;

      wait_init (&join);
      mr_group_coordinator_join (self->coordinator, -1, self->group_id,
                                 &request, wait_cb, &join);
      wait_done (self, &join, member_id);
      if (join.error == MR_KAFKA_ERROR_MEMBER_ID_REQUIRED)
        {
          g_free (member_id);
          member_id = g_strdup (join.member_id);
          wait_clear (&join);
          continue;
        }
      if (join.error != MR_KAFKA_ERROR_NONE)
        {
          if (join.error == MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID ||
              join.error == MR_KAFKA_ERROR_FENCED_INSTANCE_ID)
            g_clear_pointer (&member_id, g_free);
          wait_clear (&join);
          g_usleep (100 * G_TIME_SPAN_MILLISECOND);
          continue;
        }
      generation = join.generation;
      g_mutex_lock (&self->lock);
      g_free (self->member_id);
      self->member_id = g_strdup (member_id);
      self->generation = generation;
      g_mutex_unlock (&self->lock);
      if (g_strcmp0 (join.leader_id, member_id) == 0 && join.members != NULL)
        assignments = assign_range (self, join.members);
      wait_clear (&join);

      wait_init (&sync);
      mr_group_coordinator_sync (self->coordinator, -1, self->group_id,
                                 generation, member_id, NULL, assignments,
                                 wait_cb, &sync);
      wait_done (self, &sync, member_id);
      error = sync.error;
      if (error == MR_KAFKA_ERROR_NONE)
        assigned = mr_consumer_assignment_decode (sync.assignment);
      wait_clear (&sync);
      if (error != MR_KAFKA_ERROR_NONE)
        {
          if (error == MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID)
            g_clear_pointer (&member_id, g_free);
          continue;
        }

      /* The committed offsets, or the log start. */
      positions = g_array_new (FALSE, TRUE, sizeof (Position));
      g_array_set_clear_func (positions, position_clear);
      if (assigned != NULL && assigned->len > 0)
        {
          g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_group_offset_entry_free);

          for (guint i = 0; i < assigned->len; i++)
            {
              MrTopicPartition *tp = g_ptr_array_index (assigned, i);

              g_ptr_array_add (entries, mr_group_offset_entry_new (tp->topic, tp->partition, -1));
            }
          mr_group_coordinator_fetch_offsets (self->coordinator, -1,
                                              self->group_id, entries, NULL);
          for (guint i = 0; i < entries->len; i++)
            {
              MrGroupOffsetEntry *e = g_ptr_array_index (entries, i);
              Position p = { g_strdup (e->topic), e->partition, e->offset };

              if (p.position < 0)
                {
                  gint64 ts;

                  p.position = 0;
                  mr_cluster_list_offset (self->cluster, -1, p.topic,
                                          p.partition, -2, &p.position, &ts);
                }
              g_array_append_val (positions, p);
            }
        }

      last_heartbeat = last_commit = g_get_monotonic_time ();
      while (!stopping (self))
        {
          gint64 now = g_get_monotonic_time ();

          if (now - last_heartbeat >= HEARTBEAT_US)
            {
              last_heartbeat = now;
              error = mr_group_coordinator_heartbeat (self->coordinator, -1,
                                                      self->group_id,
                                                      generation, member_id,
                                                      NULL);
              if (error == MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS)
                {
                  commit_positions (self, positions, member_id, generation);
                  break;
                }
              if (error == MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID ||
                  error == MR_KAFKA_ERROR_ILLEGAL_GENERATION ||
                  error == MR_KAFKA_ERROR_FENCED_INSTANCE_ID)
                {
                  g_clear_pointer (&member_id, g_free);
                  break;
                }
            }
          if (now - last_commit >= COMMIT_US)
            {
              last_commit = now;
              commit_positions (self, positions, member_id, generation);
            }
          if (!read_partitions (self, positions))
            g_usleep (50 * G_TIME_SPAN_MILLISECOND);
        }
      if (stopping (self) && member_id != NULL)
        commit_positions (self, positions, member_id, generation);
    }

  if (member_id != NULL)
    {
      MrKafkaError member_error;

      mr_group_coordinator_leave (self->coordinator, -1, self->group_id,
                                  member_id, NULL, &member_error);
    }
  return NULL;
}

MrGroupMember *
mr_group_member_new (MrCluster          *cluster,
                     const char         *group_id,
                     const char         *client_id,
                     const char * const *topics)
{
  return mr_group_member_new_full (cluster, group_id, client_id, topics, NULL,
                                   NULL);
}

MrGroupMember *
mr_group_member_new_full (MrCluster          *cluster,
                          const char         *group_id,
                          const char         *client_id,
                          const char * const *topics,
                          MrGroupRecordsFunc  func,
                          gpointer            user_data)
{
  MrGroupMember *self = g_new0 (MrGroupMember, 1);

  self->records_func = func;
  self->records_data = user_data;
  self->cluster = cluster;
  self->coordinator = mr_cluster_get_group_coordinator (cluster);
  self->group_id = g_strdup (group_id);
  self->client_id = g_strdup (client_id);
  self->topics = g_strdupv ((char **)topics);
  g_mutex_init (&self->lock);
  self->thread = g_thread_new ("group-member", member_thread, self);
  return self;
}

void
mr_group_member_free (MrGroupMember *self)
{
  if (self == NULL)
    return;
  g_atomic_int_set (&self->stop, 1);
  g_thread_join (self->thread);
  g_free (self->group_id);
  g_free (self->client_id);
  g_strfreev (self->topics);
  g_free (self->member_id);
  g_mutex_clear (&self->lock);
  g_free (self);
}

const char *
mr_group_member_get_group_id (MrGroupMember *self)
{
  return self->group_id;
}

const char *
mr_group_member_get_client_id (MrGroupMember *self)
{
  return self->client_id;
}

char *
mr_group_member_dup_member_id (MrGroupMember *self)
{
  char *id;

  g_mutex_lock (&self->lock);
  id = g_strdup (self->member_id);
  g_mutex_unlock (&self->lock);
  return id;
}

guint64
mr_group_member_get_n_consumed (MrGroupMember *self)
{
  return (guint64)g_atomic_pointer_get (&self->n_consumed);
}
