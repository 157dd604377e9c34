/* mr-consumer-group.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Kafka's consumer group state machine.
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / join deadline──▶
 *   CompletingRebalance ──leader's SyncGroup──▶ Stable
 *   Stable or CompletingRebalance ──join of a new member, a leader's or
 *   changed member's rejoin, a leave, a session expiry──▶
 *   PreparingRebalance; a join phase that ends with no member ──▶ Empty;
 *   any ──deletion or unload──▶ Dead.
 *
 * Members. A dynamic member joins with an empty id. From JoinGroup v4
 * the coordinator answers MEMBER_ID_REQUIRED with a fresh id, remembered
 * as pending for one session timeout, and the member joins again with it
 * (KIP-394). A static member (group.instance.id, KIP-345) that joins
 * again with an empty id replaces its old member id: in a Stable group
 * it keeps its assignment and no rebalance happens; any request with the
 * old id then gets FENCED_INSTANCE_ID.
 *
 * Join phase. On entering PreparingRebalance the join deadline is the
 * largest rebalance timeout of the members; members that have not
 * rejoined by then are removed. The phase ends early once every member
 * has rejoined, except for a group that was Empty: there the first join
 * waits group.initial.rebalance.delay.ms, extended by each new member up
 * to the rebalance timeout, so a starting fleet joins in one rebalance.
 * Completing the phase bumps the generation, picks the protocol every
 * member supports that most members list first, keeps the leader if it
 * rejoined (else the first member) and answers every parked JoinGroup;
 * only the leader gets the member list.
 *
 * Sessions. Every member has a session deadline, pushed by heartbeats,
 * commits, joins and syncs; a member past it is removed as if it left,
 * except while its JoinGroup is parked (the join deadline rules then).
 *
 * Offsets. Committed offsets live here, keyed by topic and partition;
 * the coordinator applies them once their record is replicated. */

#define G_LOG_DOMAIN "mr-group"

#include "config.h"

#include "mr-consumer-group.h"

#include <string.h>

#include "mr-kafka-codec.h"

typedef struct
{
  char                *member_id;
  char                *group_instance_id;
  char                *client_id;
  char                *client_host;
  gint32               session_timeout_ms;
  gint32               rebalance_timeout_ms;
  GPtrArray           *protocols;          /* MrGroupProtocol */
  GBytes              *assignment;
  gint64               session_deadline;
  MrGroupResponseFunc  join_func;          /* parked JoinGroup */
  gpointer             join_data;
  MrGroupResponseFunc  sync_func;          /* parked SyncGroup */
  gpointer             sync_data;
  gboolean             is_new;
} Member;

typedef struct
{
  char   *topic;
  gint32  partition;
} OffsetKey;

struct _MrConsumerGroup
{
  char          *id;
  MrGroupState   state;
  gint32         generation;
  char          *protocol_type;
  char          *protocol;
  char          *leader_id;
  GPtrArray     *members;          /* Member, in join order */
  GHashTable    *pending;          /* member id → deadline (gint64 *) */
  gint64         join_deadline;
  gint64         join_started;
  gboolean       initial_delay;
  guint          initial_delay_ms;
  gboolean       dirty;
  gboolean       rebalanced;
  GHashTable    *offsets;          /* OffsetKey → MrGroupCommittedOffset */
};

typedef struct
{
  MrGroupResponseFunc func;
  gpointer            user_data;
  MrGroupResponse     response;
} Completion;

/* ---------------------------------------------------------------------- */

const char *
mr_group_state_to_string (MrGroupState state)
{
  switch (state)
    {
    case MR_GROUP_STATE_EMPTY: return "Empty";
    case MR_GROUP_STATE_PREPARING_REBALANCE: return "PreparingRebalance";
    case MR_GROUP_STATE_COMPLETING_REBALANCE: return "CompletingRebalance";
    case MR_GROUP_STATE_STABLE: return "Stable";
    case MR_GROUP_STATE_DEAD: return "Dead";
    default: return "Unknown";
    }
}

void
mr_group_protocol_free (MrGroupProtocol *protocol)
{
  if (protocol == NULL)
    return;
  g_free (protocol->name);
  g_clear_pointer (&protocol->metadata, g_bytes_unref);
  g_free (protocol);
}

void
mr_group_member_data_free (MrGroupMemberData *data)
{
  if (data == NULL)
    return;
  g_free (data->member_id);
  g_free (data->group_instance_id);
  g_clear_pointer (&data->metadata, g_bytes_unref);
  g_free (data);
}

static void
completion_free (Completion *c)
{
  g_free (c->response.protocol_type);
  g_free (c->response.protocol_name);
  g_free (c->response.leader_id);
  g_free (c->response.member_id);
  g_clear_pointer (&c->response.members, g_ptr_array_unref);
  g_clear_pointer (&c->response.assignment, g_bytes_unref);
  g_free (c);
}

GPtrArray *
mr_group_completions_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)completion_free);
}

void
mr_group_completions_run (GPtrArray *completions)
{
  for (guint i = 0; i < completions->len; i++)
    {
      Completion *c = g_ptr_array_index (completions, i);

      c->func (&c->response, c->user_data);
    }
  g_ptr_array_set_size (completions, 0);
}

static Completion *
queue_response (GPtrArray           *completions,
                MrGroupResponseFunc  func,
                gpointer             user_data,
                MrKafkaError         error)
{
  Completion *c = g_new0 (Completion, 1);

  c->func = func;
  c->user_data = user_data;
  c->response.error = error;
  c->response.generation = -1;
  g_ptr_array_add (completions, c);
  return c;
}

static void
member_free (Member *m)
{
  g_free (m->member_id);
  g_free (m->group_instance_id);
  g_free (m->client_id);
  g_free (m->client_host);
  g_clear_pointer (&m->protocols, g_ptr_array_unref);
  g_clear_pointer (&m->assignment, g_bytes_unref);
  g_free (m);
}

static guint
offset_key_hash (gconstpointer data)
{
  const OffsetKey *key = data;

  return g_str_hash (key->topic) * 31 + (guint)key->partition;
}

static gboolean
offset_key_equal (gconstpointer a,
                  gconstpointer b)
{
  const OffsetKey *x = a;
  const OffsetKey *y = b;

  return x->partition == y->partition && strcmp (x->topic, y->topic) == 0;
}

static void
offset_key_free (OffsetKey *key)
{
  g_free (key->topic);
  g_free (key);
}

static void
committed_offset_free (MrGroupCommittedOffset *offset)
{
  mr_group_committed_offset_clear (offset);
  g_free (offset);
}

MrConsumerGroup *
mr_consumer_group_new (const char *group_id,
                       guint       initial_rebalance_delay_ms)
{
  MrConsumerGroup *group = g_new0 (MrConsumerGroup, 1);

  group->id = g_strdup (group_id);
  group->state = MR_GROUP_STATE_EMPTY;
  group->generation = 0;
  group->members = g_ptr_array_new_with_free_func ((GDestroyNotify)member_free);
  group->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          g_free);
  group->initial_delay_ms = initial_rebalance_delay_ms;
  group->join_deadline = G_MAXINT64;
  group->offsets = g_hash_table_new_full (offset_key_hash, offset_key_equal,
                                          (GDestroyNotify)offset_key_free,
                                          (GDestroyNotify)committed_offset_free);
  return group;
}

void
mr_consumer_group_free (MrConsumerGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->id);
  g_free (group->protocol_type);
  g_free (group->protocol);
  g_free (group->leader_id);
  g_ptr_array_unref (group->members);
  g_hash_table_unref (group->pending);
  g_hash_table_unref (group->offsets);
  g_free (group);
}

const char *
mr_consumer_group_get_id (MrConsumerGroup *group)
{
  return group->id;
}

MrGroupState
mr_consumer_group_get_state (MrConsumerGroup *group)
{
  return group->state;
}

gint32
mr_consumer_group_get_generation (MrConsumerGroup *group)
{
  return group->generation;
}

const char *
mr_consumer_group_get_protocol_type (MrConsumerGroup *group)
{
  return group->protocol_type;
}

const char *
mr_consumer_group_get_protocol (MrConsumerGroup *group)
{
  return group->protocol;
}

guint
mr_consumer_group_get_n_members (MrConsumerGroup *group)
{
  return group->members->len;
}

static Member *
find_member (MrConsumerGroup *group,
             const char      *member_id)
{
  if (member_id == NULL || member_id[0] == '\0')
    return NULL;
  for (guint i = 0; i < group->members->len; i++)
    {
      Member *m = g_ptr_array_index (group->members, i);

      if (strcmp (m->member_id, member_id) == 0)
        return m;
    }
  return NULL;
}

static Member *
find_static_member (MrConsumerGroup *group,
                    const char      *instance_id)
{
  if (instance_id == NULL)
    return NULL;
  for (guint i = 0; i < group->members->len; i++)
    {
      Member *m = g_ptr_array_index (group->members, i);

      if (g_strcmp0 (m->group_instance_id, instance_id) == 0)
        return m;
    }
  return NULL;
}

gboolean
mr_consumer_group_has_member (MrConsumerGroup *group,
                              const char      *member_id)
{
  return find_member (group, member_id) != NULL;
}

/* Finds the member a request names. A static instance whose id moved on
 * is fenced. */
static MrKafkaError
lookup_member (MrConsumerGroup  *group,
               const char       *member_id,
               const char       *instance_id,
               Member          **out)
{
  Member *m;

  if (instance_id != NULL)
    {
      m = find_static_member (group, instance_id);
      if (m != NULL && g_strcmp0 (m->member_id, member_id) != 0)
        return MR_KAFKA_ERROR_FENCED_INSTANCE_ID;
    }
  m = find_member (group, member_id);
  if (m == NULL)
    return MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID;
  *out = m;
  return MR_KAFKA_ERROR_NONE;
}

static char *
new_member_id (const char *client_id)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("%s-%s", client_id != NULL && client_id[0] != '\0'
                                   ? client_id : "member", uuid);
}

static GBytes *
member_protocol_metadata (Member     *m,
                          const char *name)
{
  for (guint i = 0; name != NULL && i < m->protocols->len; i++)
    {
      MrGroupProtocol *p = g_ptr_array_index (m->protocols, i);

      if (strcmp (p->name, name) == 0)
        return p->metadata;
    }
  return NULL;
}

static gboolean
member_supports (Member     *m,
                 const char *name)
{
  return member_protocol_metadata (m, name) != NULL;
}

static GPtrArray *
copy_protocols (GPtrArray *protocols)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_group_protocol_free);

  for (guint i = 0; i < protocols->len; i++)
    {
      MrGroupProtocol *p = g_ptr_array_index (protocols, i);
      MrGroupProtocol *q = g_new0 (MrGroupProtocol, 1);

      q->name = g_strdup (p->name);
      q->metadata = p->metadata != NULL ? g_bytes_ref (p->metadata)
                                        : g_bytes_new (NULL, 0);
      g_ptr_array_add (copy, q);
    }
  return copy;
}

static gboolean
same_protocols (GPtrArray *a,
                GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      MrGroupProtocol *p = g_ptr_array_index (a, i);
      MrGroupProtocol *q = g_ptr_array_index (b, i);

      if (strcmp (p->name, q->name) != 0 ||
          !g_bytes_equal (p->metadata, q->metadata))
        return FALSE;
    }
  return TRUE;
}

/* Whether a newcomer's protocols fit the group: some protocol that every
 * current member supports too. */
static gboolean
protocols_fit (MrConsumerGroup *group,
               const char      *protocol_type,
               GPtrArray       *protocols,
               Member          *except)
{
  gboolean others = FALSE;

  for (guint i = 0; i < group->members->len; i++)
    if (g_ptr_array_index (group->members, i) != except)
      others = TRUE;
  if (!others)
    return TRUE;
  if (g_strcmp0 (group->protocol_type, protocol_type) != 0)
    return FALSE;
  for (guint p = 0; p < protocols->len; p++)
    {
      const char *name = ((MrGroupProtocol *)g_ptr_array_index (protocols, p))->name;
      gboolean all = TRUE;

      for (guint i = 0; i < group->members->len && all; i++)
        {
          Member *m = g_ptr_array_index (group->members, i);

          if (m != except && !member_supports (m, name))
            all = FALSE;
        }
      if (all)
        return TRUE;
    }
  return FALSE;
}

/* The protocol every member supports that most members list first among
 * those. */
static char *
select_protocol (MrConsumerGroup *group)
{
  Member *first = g_ptr_array_index (group->members, 0);
  g_autofree guint *votes = g_new0 (guint, first->protocols->len);
  gint best = -1;

  for (guint i = 0; i < group->members->len; i++)
    {
      Member *m = g_ptr_array_index (group->members, i);

      for (guint j = 0; j < m->protocols->len; j++)
        {
          const char *name = ((MrGroupProtocol *)g_ptr_array_index (m->protocols, j))->name;
          gint candidate = -1;
          gboolean all = TRUE;

          for (guint k = 0; k < first->protocols->len; k++)
            if (strcmp (((MrGroupProtocol *)g_ptr_array_index (first->protocols, k))->name,
                        name) == 0)
              candidate = (gint)k;
          for (guint k = 0; k < group->members->len && all; k++)
            all = member_supports (g_ptr_array_index (group->members, k), name);
          if (candidate >= 0 && all)
            {
              votes[candidate]++;
              break;
            }
        }
    }
  for (guint k = 0; k < first->protocols->len; k++)
    if (votes[k] > 0 && (best < 0 || votes[k] > votes[best]))
      best = (gint)k;
  if (best < 0)
    return NULL;
  return g_strdup (((MrGroupProtocol *)g_ptr_array_index (first->protocols, best))->name);
}

static gint32
max_rebalance_timeout (MrConsumerGroup *group)
{
  gint32 timeout = 0;

  for (guint i = 0; i < group->members->len; i++)
    timeout = MAX (timeout, ((Member *)g_ptr_array_index (group->members, i))->rebalance_timeout_ms);
  return timeout;
}

/* Answers @m's parked JoinGroup and SyncGroup, if it has any, with
 * @error; nothing of it is parked after. */
static void
fail_parked_requests (Member       *m,
                      MrKafkaError  error,
                      GPtrArray    *completions)
{
  if (m->join_func != NULL)
    queue_response (completions, m->join_func, m->join_data, error);
  if (m->sync_func != NULL)
    queue_response (completions, m->sync_func, m->sync_data, error);
  m->join_func = m->sync_func = NULL;
  m->join_data = m->sync_data = NULL;
}

static void
fail_sync_waiters (MrConsumerGroup *group,
                   MrKafkaError     error,
                   GPtrArray       *completions)
{
  for (guint i = 0; i < group->members->len; i++)
    {
      Member *m = g_ptr_array_index (group->members, i);

      if (m->sync_func != NULL)
        {
          queue_response (completions, m->sync_func, m->sync_data, error);
          m->sync_func = NULL;
          m->sync_data = NULL;
        }
    }
}

static void
prepare_rebalance (MrConsumerGroup *group,
                   gint64           now,
                   GPtrArray       *completions)
{
  if (group->state == MR_GROUP_STATE_PREPARING_REBALANCE)
    return;
  if (group->state == MR_GROUP_STATE_COMPLETING_REBALANCE)
    {
      for (guint i = 0; i < group->members->len; i++)
        g_clear_pointer (&((Member *)g_ptr_array_index (group->members, i))->assignment,
                         g_bytes_unref);
      fail_sync_waiters (group, MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS,
                         completions);
    }
  group->initial_delay = group->state == MR_GROUP_STATE_EMPTY &&
                         group->initial_delay_ms > 0;
  group->join_started = now;
  if (group->initial_delay)
    group->join_deadline = now + (gint64)MIN ((gint32)group->initial_delay_ms,
                                              MAX (max_rebalance_timeout (group), 1)) * 1000;
  else
    group->join_deadline = now + (gint64)max_rebalance_timeout (group) * 1000;
  group->state = MR_GROUP_STATE_PREPARING_REBALANCE;
  g_debug ("Group %s: preparing a rebalance (generation %d)", group->id,
           group->generation);
}

static void
remove_member (MrConsumerGroup *group,
               Member          *m,
               MrKafkaError     error,
               gint64           now,
               GPtrArray       *completions);

static void
complete_join (MrConsumerGroup *group,
               gint64           now,
               GPtrArray       *completions)
{
  Member *leader = NULL;

  /* Members that did not rejoin in time are gone. */
  for (guint i = group->members->len; i > 0; i--)
    {
      Member *m = g_ptr_array_index (group->members, i - 1);

      if (m->join_func == NULL)
        g_ptr_array_remove_index (group->members, i - 1);
    }

  group->initial_delay = FALSE;
  group->join_deadline = G_MAXINT64;
  group->generation++;
  group->rebalanced = TRUE;
  /* As in Kafka, the metadata record is written once the leader's
   * assignment arrives (or now, for a group left empty). */
  group->dirty = group->members->len == 0;
  g_clear_pointer (&group->protocol, g_free);

  if (group->members->len == 0)
    {
      group->state = MR_GROUP_STATE_EMPTY;
      g_clear_pointer (&group->leader_id, g_free);
      g_debug ("Group %s: empty at generation %d", group->id, group->generation);
      return;
    }

  group->protocol = select_protocol (group);
  leader = find_member (group, group->leader_id);
  if (leader == NULL)
    {
      leader = g_ptr_array_index (group->members, 0);
      g_free (group->leader_id);
      group->leader_id = g_strdup (leader->member_id);
    }
  group->state = MR_GROUP_STATE_COMPLETING_REBALANCE;
  g_debug ("Group %s: generation %d with %u members, protocol %s, leader %s",
           group->id, group->generation, group->members->len,
           group->protocol, group->leader_id);

  for (guint i = 0; i < group->members->len; i++)
    {
      Member *m = g_ptr_array_index (group->members, i);
      Completion *c = queue_response (completions, m->join_func, m->join_data,
                                      MR_KAFKA_ERROR_NONE);

      c->response.generation = group->generation;
      c->response.protocol_type = g_strdup (group->protocol_type);
      c->response.protocol_name = g_strdup (group->protocol);
      c->response.leader_id = g_strdup (group->leader_id);
      c->response.member_id = g_strdup (m->member_id);
      c->response.members = g_ptr_array_new_with_free_func (
        (GDestroyNotify)mr_group_member_data_free);
      if (m == leader)
        for (guint j = 0; j < group->members->len; j++)
          {
            Member *o = g_ptr_array_index (group->members, j);
            MrGroupMemberData *d = g_new0 (MrGroupMemberData, 1);
            GBytes *meta = member_protocol_metadata (o, group->protocol);

            d->member_id = g_strdup (o->member_id);
            d->group_instance_id = g_strdup (o->group_instance_id);
            d->metadata = meta != NULL ? g_bytes_ref (meta) : g_bytes_new (NULL, 0);
            g_ptr_array_add (c->response.members, d);
          }
      m->join_func = NULL;
      m->join_data = NULL;
      m->is_new = FALSE;
      m->session_deadline = now + (gint64)m->session_timeout_ms * 1000;
    }
}

static gboolean
all_joined (MrConsumerGroup *group)
{
  for (guint i = 0; i < group->members->len; i++)
    if (((Member *)g_ptr_array_index (group->members, i))->join_func == NULL)
      return FALSE;
  return g_hash_table_size (group->pending) == 0;
}

static void
maybe_complete_join (MrConsumerGroup *group,
                     gint64           now,
                     GPtrArray       *completions)
{
  if (group->state == MR_GROUP_STATE_PREPARING_REBALANCE &&
      !group->initial_delay && all_joined (group))
    complete_join (group, now, completions);
}

static void
remove_member (MrConsumerGroup *group,
               Member          *m,
               MrKafkaError     error,
               gint64           now,
               GPtrArray       *completions)
{
  fail_parked_requests (m, error, completions);
  g_debug ("Group %s: member %s leaves", group->id, m->member_id);
  g_ptr_array_remove (group->members, m);

  switch (group->state)
    {
    case MR_GROUP_STATE_STABLE:
    case MR_GROUP_STATE_COMPLETING_REBALANCE:
      prepare_rebalance (group, now, completions);
      maybe_complete_join (group, now, completions);
      break;
    case MR_GROUP_STATE_PREPARING_REBALANCE:
      maybe_complete_join (group, now, completions);
      break;
    case MR_GROUP_STATE_EMPTY:
    case MR_GROUP_STATE_DEAD:
    default:
      break;
    }
}

static void
respond_join_now (MrConsumerGroup     *group,
                  Member              *m,
                  MrGroupResponseFunc  func,
                  gpointer             user_data,
                  GPtrArray           *completions)
{
  Completion *c = queue_response (completions, func, user_data,
                                  MR_KAFKA_ERROR_NONE);

  c->response.generation = group->generation;
  c->response.protocol_type = g_strdup (group->protocol_type);
  c->response.protocol_name = g_strdup (group->protocol);
  c->response.leader_id = g_strdup (group->leader_id);
  c->response.member_id = g_strdup (m->member_id);
  c->response.members = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_group_member_data_free);
  if (g_strcmp0 (m->member_id, group->leader_id) == 0)
    for (guint j = 0; j < group->members->len; j++)
      {
        Member *o = g_ptr_array_index (group->members, j);
        MrGroupMemberData *d = g_new0 (MrGroupMemberData, 1);
        GBytes *meta = member_protocol_metadata (o, group->protocol);

        d->member_id = g_strdup (o->member_id);
        d->group_instance_id = g_strdup (o->group_instance_id);
        d->metadata = meta != NULL ? g_bytes_ref (meta) : g_bytes_new (NULL, 0);
        g_ptr_array_add (c->response.members, d);
      }
}

static Member *
add_member (MrConsumerGroup          *group,
            const MrGroupJoinRequest *request,
            char                     *member_id,
            gint64                    now)
{
  Member *m = g_new0 (Member, 1);

  m->member_id = member_id;
  m->group_instance_id = g_strdup (request->group_instance_id);
  m->client_id = g_strdup (request->client_id != NULL ? request->client_id : "");
  m->client_host = g_strdup (request->client_host != NULL ? request->client_host : "");
  m->session_timeout_ms = request->session_timeout_ms;
  m->rebalance_timeout_ms = request->rebalance_timeout_ms;
  m->protocols = copy_protocols (request->protocols);
  m->session_deadline = now + (gint64)m->session_timeout_ms * 1000;
  m->is_new = TRUE;
  if (group->members->len == 0)
    {
      g_free (group->protocol_type);
      group->protocol_type = g_strdup (request->protocol_type);
    }
  g_ptr_array_add (group->members, m);
  return m;
}

static void
park_join (MrConsumerGroup     *group,
           Member              *m,
           MrGroupResponseFunc  func,
           gpointer             user_data,
           gint64               now,
           GPtrArray           *completions)
{
  /* A second JoinGroup from the same member replaces the first, which is
   * answered as Kafka does for a superseded request. */
  if (m->join_func != NULL)
    queue_response (completions, m->join_func, m->join_data,
                    MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID);
  m->join_func = func;
  m->join_data = user_data;

  if (group->state != MR_GROUP_STATE_PREPARING_REBALANCE)
    prepare_rebalance (group, now, completions);
  else if (group->initial_delay && m->is_new)
    {
      gint64 limit = group->join_started +
                     (gint64)MAX (max_rebalance_timeout (group), 1) * 1000;

      group->join_deadline = MIN (now + (gint64)group->initial_delay_ms * 1000,
                                  limit);
    }
  maybe_complete_join (group, now, completions);
}

void
mr_consumer_group_join (MrConsumerGroup          *group,
                        const MrGroupJoinRequest *request,
                        MrGroupResponseFunc       func,
                        gpointer                  user_data,
                        gint64                    now,
                        GPtrArray                *completions)
{
  const char *member_id = request->member_id != NULL ? request->member_id : "";
  Member *m = NULL;
  Completion *c;

  if (group->state == MR_GROUP_STATE_DEAD)
    {
      queue_response (completions, func, user_data,
                      MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE);
      return;
    }
  if (request->session_timeout_ms < 1 ||
      request->session_timeout_ms > 30 * 60 * 1000)
    {
      c = queue_response (completions, func, user_data,
                          MR_KAFKA_ERROR_INVALID_SESSION_TIMEOUT);
      c->response.member_id = g_strdup (member_id);
      return;
    }
  if (request->protocol_type == NULL || request->protocol_type[0] == '\0' ||
      request->protocols == NULL || request->protocols->len == 0)
    {
      c = queue_response (completions, func, user_data,
                          MR_KAFKA_ERROR_INCONSISTENT_GROUP_PROTOCOL);
      c->response.member_id = g_strdup (member_id);
      return;
    }

  if (member_id[0] == '\0')
    {
      Member *old = find_static_member (group, request->group_instance_id);

      if (!protocols_fit (group, request->protocol_type, request->protocols,
                          old))
        {
          queue_response (completions, func, user_data,
                          MR_KAFKA_ERROR_INCONSISTENT_GROUP_PROTOCOL);
          return;
        }
      if (old != NULL)
        {
          /* A static member is back: it takes a new id, the old one is
           * fenced. Its assignment stands while the group is Stable. */
          char *new_id = new_member_id (request->client_id);
          gboolean was_leader = g_strcmp0 (group->leader_id, old->member_id) == 0;
          gboolean same = same_protocols (old->protocols, request->protocols);

          fail_parked_requests (old, MR_KAFKA_ERROR_FENCED_INSTANCE_ID,
                                completions);
          g_free (old->member_id);
          old->member_id = new_id;
          if (was_leader)
            {
              g_free (group->leader_id);
              group->leader_id = g_strdup (new_id);
            }
          old->session_timeout_ms = request->session_timeout_ms;
          old->rebalance_timeout_ms = request->rebalance_timeout_ms;
          old->session_deadline = now + (gint64)old->session_timeout_ms * 1000;
          if (group->state == MR_GROUP_STATE_STABLE && same)
            {
              group->dirty = TRUE;
              respond_join_now (group, old, func, user_data, completions);
              return;
            }
          g_clear_pointer (&old->protocols, g_ptr_array_unref);
          old->protocols = copy_protocols (request->protocols);
          park_join (group, old, func, user_data, now, completions);
          return;
        }

      if (request->require_known_member_id && request->group_instance_id == NULL)
        {
          char *new_id = new_member_id (request->client_id);
          gint64 *deadline = g_new (gint64, 1);

          *deadline = now + (gint64)request->session_timeout_ms * 1000;
          g_hash_table_replace (group->pending, g_strdup (new_id), deadline);
          c = queue_response (completions, func, user_data,
                              MR_KAFKA_ERROR_MEMBER_ID_REQUIRED);
          c->response.member_id = new_id;
          return;
        }

      m = add_member (group, request, new_member_id (request->client_id), now);
      park_join (group, m, func, user_data, now, completions);
      return;
    }

  /* A known member id, or one handed out with MEMBER_ID_REQUIRED. */
  m = find_member (group, member_id);
  if (m == NULL)
    {
      if (!g_hash_table_contains (group->pending, member_id))
        {
          c = queue_response (completions, func, user_data,
                              MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID);
          c->response.member_id = g_strdup (member_id);
          return;
        }
      if (!protocols_fit (group, request->protocol_type, request->protocols,
                          NULL))
        {
          queue_response (completions, func, user_data,
                          MR_KAFKA_ERROR_INCONSISTENT_GROUP_PROTOCOL);
          return;
        }
      g_hash_table_remove (group->pending, member_id);
      m = add_member (group, request, g_strdup (member_id), now);
      park_join (group, m, func, user_data, now, completions);
      return;
    }

  if (request->group_instance_id != NULL &&
      g_strcmp0 (m->group_instance_id, request->group_instance_id) != 0)
    {
      queue_response (completions, func, user_data,
                      MR_KAFKA_ERROR_FENCED_INSTANCE_ID);
      return;
    }
  if (!protocols_fit (group, request->protocol_type, request->protocols, m))
    {
      queue_response (completions, func, user_data,
                      MR_KAFKA_ERROR_INCONSISTENT_GROUP_PROTOCOL);
      return;
    }

  m->session_deadline = now + (gint64)request->session_timeout_ms * 1000;
  m->session_timeout_ms = request->session_timeout_ms;
  m->rebalance_timeout_ms = request->rebalance_timeout_ms;
  switch (group->state)
    {
    case MR_GROUP_STATE_COMPLETING_REBALANCE:
    case MR_GROUP_STATE_STABLE:
      if (same_protocols (m->protocols, request->protocols) &&
          (group->state == MR_GROUP_STATE_COMPLETING_REBALANCE ||
           g_strcmp0 (group->leader_id, m->member_id) != 0))
        {
          /* Nothing changed: the member gets the current generation. */
          respond_join_now (group, m, func, user_data, completions);
          return;
        }
      G_GNUC_FALLTHROUGH;
    case MR_GROUP_STATE_EMPTY:
    case MR_GROUP_STATE_PREPARING_REBALANCE:
    case MR_GROUP_STATE_DEAD:
    default:
      g_clear_pointer (&m->protocols, g_ptr_array_unref);
      m->protocols = copy_protocols (request->protocols);
      park_join (group, m, func, user_data, now, completions);
      return;
    }
}

void
mr_consumer_group_sync (MrConsumerGroup     *group,
                        gint32               generation,
                        const char          *member_id,
                        const char          *group_instance_id,
                        GPtrArray           *assignments,
                        MrGroupResponseFunc  func,
                        gpointer             user_data,
                        gint64               now,
                        GPtrArray           *completions)
{
  Member *m = NULL;
  MrKafkaError error;

  if (group->state == MR_GROUP_STATE_DEAD)
    {
      queue_response (completions, func, user_data,
                      MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE);
      return;
    }
  error = lookup_member (group, member_id, group_instance_id, &m);
  if (error == MR_KAFKA_ERROR_NONE && generation != group->generation)
    error = MR_KAFKA_ERROR_ILLEGAL_GENERATION;
  if (error == MR_KAFKA_ERROR_NONE &&
      group->state == MR_GROUP_STATE_PREPARING_REBALANCE)
    error = MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS;
  if (error != MR_KAFKA_ERROR_NONE)
    {
      queue_response (completions, func, user_data, error);
      return;
    }
  m->session_deadline = now + (gint64)m->session_timeout_ms * 1000;

  if (group->state == MR_GROUP_STATE_STABLE)
    {
      Completion *c = queue_response (completions, func, user_data,
                                      MR_KAFKA_ERROR_NONE);

      c->response.protocol_type = g_strdup (group->protocol_type);
      c->response.protocol_name = g_strdup (group->protocol);
      c->response.assignment = m->assignment != NULL
        ? g_bytes_ref (m->assignment) : g_bytes_new (NULL, 0);
      return;
    }

  /* CompletingRebalance: park until the leader's assignment. */
  if (m->sync_func != NULL)
    queue_response (completions, m->sync_func, m->sync_data,
                    MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS);
  m->sync_func = func;
  m->sync_data = user_data;
  if (g_strcmp0 (m->member_id, group->leader_id) != 0)
    return;

  for (guint i = 0; i < group->members->len; i++)
    {
      Member *o = g_ptr_array_index (group->members, i);

      g_clear_pointer (&o->assignment, g_bytes_unref);
      for (guint j = 0; assignments != NULL && j < assignments->len; j++)
        {
          MrGroupMemberData *d = g_ptr_array_index (assignments, j);

          if (g_strcmp0 (d->member_id, o->member_id) == 0 && d->metadata != NULL)
            o->assignment = g_bytes_ref (d->metadata);
        }
      if (o->assignment == NULL)
        o->assignment = g_bytes_new (NULL, 0);
    }
  group->state = MR_GROUP_STATE_STABLE;
  group->dirty = TRUE;
  g_debug ("Group %s: stable at generation %d", group->id, group->generation);
  for (guint i = 0; i < group->members->len; i++)
    {
      Member *o = g_ptr_array_index (group->members, i);
      Completion *c;

      if (o->sync_func == NULL)
        continue;
      c = queue_response (completions, o->sync_func, o->sync_data,
                          MR_KAFKA_ERROR_NONE);
      c->response.protocol_type = g_strdup (group->protocol_type);
      c->response.protocol_name = g_strdup (group->protocol);
      c->response.assignment = g_bytes_ref (o->assignment);
      o->sync_func = NULL;
      o->sync_data = NULL;
    }
}

MrKafkaError
mr_consumer_group_heartbeat (MrConsumerGroup *group,
                             gint32           generation,
                             const char      *member_id,
                             const char      *group_instance_id,
                             gint64           now)
{
  Member *m = NULL;
  MrKafkaError error;

  if (group->state == MR_GROUP_STATE_DEAD)
    return MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
  error = lookup_member (group, member_id, group_instance_id, &m);
  if (error != MR_KAFKA_ERROR_NONE)
    return error;
  m->session_deadline = now + (gint64)m->session_timeout_ms * 1000;
  if (group->state == MR_GROUP_STATE_PREPARING_REBALANCE)
    return MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS;
  if (generation != group->generation)
    return MR_KAFKA_ERROR_ILLEGAL_GENERATION;
  return MR_KAFKA_ERROR_NONE;
}

MrKafkaError
mr_consumer_group_leave (MrConsumerGroup *group,
                         const char      *member_id,
                         const char      *group_instance_id,
                         gint64           now,
                         GPtrArray       *completions)
{
  Member *m = NULL;

  if (group->state == MR_GROUP_STATE_DEAD)
    return MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
  if (group_instance_id != NULL)
    {
      m = find_static_member (group, group_instance_id);
      if (m == NULL)
        return MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID;
      if (member_id != NULL && member_id[0] != '\0' &&
          strcmp (member_id, m->member_id) != 0)
        return MR_KAFKA_ERROR_FENCED_INSTANCE_ID;
    }
  else
    {
      if (member_id != NULL && g_hash_table_remove (group->pending, member_id))
        {
          maybe_complete_join (group, now, completions);
          return MR_KAFKA_ERROR_NONE;
        }
      m = find_member (group, member_id);
      if (m == NULL)
        return MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID;
    }
  remove_member (group, m, MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID, now, completions);
  return MR_KAFKA_ERROR_NONE;
}

MrKafkaError
mr_consumer_group_check_commit (MrConsumerGroup *group,
                                gint32           generation,
                                const char      *member_id,
                                const char      *group_instance_id,
                                gint64           now)
{
  Member *m = NULL;
  MrKafkaError error;

  if (group->state == MR_GROUP_STATE_DEAD)
    return MR_KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
  if (generation < 0 && (member_id == NULL || member_id[0] == '\0'))
    return group->members->len == 0 ? MR_KAFKA_ERROR_NONE
                                    : MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID;
  error = lookup_member (group, member_id, group_instance_id, &m);
  if (error != MR_KAFKA_ERROR_NONE)
    return error;
  if (generation != group->generation)
    return MR_KAFKA_ERROR_ILLEGAL_GENERATION;
  if (group->state == MR_GROUP_STATE_COMPLETING_REBALANCE)
    return MR_KAFKA_ERROR_REBALANCE_IN_PROGRESS;
  m->session_deadline = now + (gint64)m->session_timeout_ms * 1000;
  return MR_KAFKA_ERROR_NONE;
}

void
mr_consumer_group_tick (MrConsumerGroup *group,
                        gint64           now,
                        GPtrArray       *completions)
{
  GHashTableIter iter;
  gpointer value;

  if (group->state == MR_GROUP_STATE_DEAD)
    return;

  g_hash_table_iter_init (&iter, group->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (*(gint64 *)value <= now)
      g_hash_table_iter_remove (&iter);

  for (guint i = group->members->len; i > 0; i--)
    {
      Member *m;

      if (i > group->members->len)
        continue;
      m = g_ptr_array_index (group->members, i - 1);
      if (m->join_func == NULL && m->session_deadline <= now)
        {
          g_debug ("Group %s: member %s's session expired", group->id,
                   m->member_id);
          remove_member (group, m, MR_KAFKA_ERROR_UNKNOWN_MEMBER_ID, now,
                         completions);
        }
    }

  if (group->state == MR_GROUP_STATE_PREPARING_REBALANCE &&
      group->join_deadline <= now)
    {
      g_hash_table_remove_all (group->pending);
      complete_join (group, now, completions);
    }
  else
    maybe_complete_join (group, now, completions);
}

void
mr_consumer_group_shutdown (MrConsumerGroup *group,
                            MrKafkaError     error,
                            GPtrArray       *completions)
{
  for (guint i = 0; i < group->members->len; i++)
    fail_parked_requests (g_ptr_array_index (group->members, i), error,
                          completions);
  group->state = MR_GROUP_STATE_DEAD;
}

gint64
mr_consumer_group_next_deadline (MrConsumerGroup *group)
{
  gint64 next = G_MAXINT64;
  GHashTableIter iter;
  gpointer value;

  if (group->state == MR_GROUP_STATE_DEAD)
    return next;
  if (group->state == MR_GROUP_STATE_PREPARING_REBALANCE)
    next = group->join_deadline;
  for (guint i = 0; i < group->members->len; i++)
    {
      Member *m = g_ptr_array_index (group->members, i);

      if (m->join_func == NULL)
        next = MIN (next, m->session_deadline);
    }
  g_hash_table_iter_init (&iter, group->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    next = MIN (next, *(gint64 *)value);
  return next;
}

gboolean
mr_consumer_group_take_dirty (MrConsumerGroup *group)
{
  gboolean dirty = group->dirty;

  group->dirty = FALSE;
  return dirty;
}

gboolean
mr_consumer_group_take_rebalanced (MrConsumerGroup *group)
{
  gboolean rebalanced = group->rebalanced;

  group->rebalanced = FALSE;
  return rebalanced;
}

void
mr_consumer_group_to_record (MrConsumerGroup       *group,
                             MrGroupMetadataRecord *record)
{
  memset (record, 0, sizeof *record);
  record->protocol_type = g_strdup (group->protocol_type != NULL
                                    ? group->protocol_type : "");
  record->generation = group->generation;
  record->protocol = g_strdup (group->protocol);
  record->leader = g_strdup (group->leader_id);
  record->state_timestamp = g_get_real_time () / 1000;
  record->members = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_group_member_record_free);
  for (guint i = 0; i < group->members->len; i++)
    {
      Member *m = g_ptr_array_index (group->members, i);
      MrGroupMemberRecord *r = g_new0 (MrGroupMemberRecord, 1);
      GBytes *meta = member_protocol_metadata (m, group->protocol);

      if (meta == NULL && m->protocols->len > 0)
        meta = ((MrGroupProtocol *)g_ptr_array_index (m->protocols, 0))->metadata;
      r->member_id = g_strdup (m->member_id);
      r->group_instance_id = g_strdup (m->group_instance_id);
      r->client_id = g_strdup (m->client_id);
      r->client_host = g_strdup (m->client_host);
      r->rebalance_timeout_ms = m->rebalance_timeout_ms;
      r->session_timeout_ms = m->session_timeout_ms;
      r->subscription = meta != NULL ? g_bytes_ref (meta) : g_bytes_new (NULL, 0);
      r->assignment = m->assignment != NULL ? g_bytes_ref (m->assignment)
                                            : g_bytes_new (NULL, 0);
      g_ptr_array_add (record->members, r);
    }
}

void
mr_consumer_group_load_record (MrConsumerGroup             *group,
                               const MrGroupMetadataRecord *record,
                               gint64                       now)
{
  /* A new coordinator takes the group as its last record left it: the
   * members of a Stable group with their assignments and fresh sessions,
   * so consumers that reach it in time go on without a rebalance; those
   * that do not are expired as usual. */
  group->generation = record->generation;
  g_free (group->protocol_type);
  group->protocol_type = g_strdup (record->protocol_type);
  g_clear_pointer (&group->protocol, g_free);
  g_clear_pointer (&group->leader_id, g_free);
  g_ptr_array_set_size (group->members, 0);
  group->state = MR_GROUP_STATE_EMPTY;
  if (record->protocol == NULL || record->members == NULL ||
      record->members->len == 0)
    return;

  group->protocol = g_strdup (record->protocol);
  group->leader_id = g_strdup (record->leader);
  for (guint i = 0; i < record->members->len; i++)
    {
      const MrGroupMemberRecord *r = g_ptr_array_index (record->members, i);
      Member *m = g_new0 (Member, 1);
      MrGroupProtocol *p = g_new0 (MrGroupProtocol, 1);

      m->member_id = g_strdup (r->member_id);
      m->group_instance_id = g_strdup (r->group_instance_id);
      m->client_id = g_strdup (r->client_id != NULL ? r->client_id : "");
      m->client_host = g_strdup (r->client_host != NULL ? r->client_host : "");
      m->session_timeout_ms = r->session_timeout_ms;
      m->rebalance_timeout_ms = r->rebalance_timeout_ms;
      m->protocols = g_ptr_array_new_with_free_func (
        (GDestroyNotify)mr_group_protocol_free);
      p->name = g_strdup (record->protocol);
      p->metadata = r->subscription != NULL ? g_bytes_ref (r->subscription)
                                            : g_bytes_new (NULL, 0);
      g_ptr_array_add (m->protocols, p);
      m->assignment = r->assignment != NULL ? g_bytes_ref (r->assignment)
                                            : g_bytes_new (NULL, 0);
      m->session_deadline = now + (gint64)m->session_timeout_ms * 1000;
      g_ptr_array_add (group->members, m);
    }
  group->state = MR_GROUP_STATE_STABLE;
}

gboolean
mr_consumer_group_is_subscribed (MrConsumerGroup *group,
                                 const char      *topic)
{
  if (g_strcmp0 (group->protocol_type, "consumer") != 0)
    return FALSE;
  for (guint i = 0; i < group->members->len; i++)
    {
      Member *m = g_ptr_array_index (group->members, i);
      GBytes *meta = member_protocol_metadata (m, group->protocol);
      MrKafkaReader reader;
      gsize len = 0;
      const guint8 *data;
      gint32 n;

      if (meta == NULL && m->protocols->len > 0)
        meta = ((MrGroupProtocol *)g_ptr_array_index (m->protocols, 0))->metadata;
      if (meta == NULL)
        continue;
      /* ConsumerProtocolSubscription: version int16, topics ARRAY of
       * STRING, user_data BYTES, ... */
      data = g_bytes_get_data (meta, &len);
      mr_kafka_reader_init (&reader, data, len);
      (void)mr_kafka_reader_int16 (&reader);
      n = mr_kafka_reader_array_count (&reader, 2);
      for (gint32 t = 0; t < n && !mr_kafka_reader_failed (&reader); t++)
        {
          g_autofree char *name = mr_kafka_reader_string (&reader);

          if (g_strcmp0 (name, topic) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

void
mr_consumer_group_set_offset (MrConsumerGroup              *group,
                              const char                   *topic,
                              gint32                        partition,
                              const MrGroupCommittedOffset *offset)
{
  OffsetKey *key = g_new0 (OffsetKey, 1);
  MrGroupCommittedOffset *copy = g_new0 (MrGroupCommittedOffset, 1);

  key->topic = g_strdup (topic);
  key->partition = partition;
  *copy = *offset;
  copy->metadata = g_strdup (offset->metadata != NULL ? offset->metadata : "");
  g_hash_table_replace (group->offsets, key, copy);
}

void
mr_consumer_group_remove_offset (MrConsumerGroup *group,
                                 const char      *topic,
                                 gint32           partition)
{
  OffsetKey key = { (char *)topic, partition };

  g_hash_table_remove (group->offsets, &key);
}

const MrGroupCommittedOffset *
mr_consumer_group_lookup_offset (MrConsumerGroup *group,
                                 const char      *topic,
                                 gint32           partition)
{
  OffsetKey key = { (char *)topic, partition };

  return g_hash_table_lookup (group->offsets, &key);
}

static gint
compare_offset_keys (gconstpointer a,
                     gconstpointer b)
{
  const OffsetKey *x = *(const OffsetKey **)a;
  const OffsetKey *y = *(const OffsetKey **)b;
  int c = strcmp (x->topic, y->topic);

  if (c != 0)
    return c;
  return x->partition < y->partition ? -1 : x->partition > y->partition;
}

void
mr_consumer_group_foreach_offset (MrConsumerGroup   *group,
                                  MrGroupOffsetFunc  func,
                                  gpointer           user_data)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key_data;

  g_hash_table_iter_init (&iter, group->offsets);
  while (g_hash_table_iter_next (&iter, &key_data, NULL))
    g_ptr_array_add (keys, key_data);

  g_ptr_array_sort (keys, compare_offset_keys);
  for (guint i = 0; i < keys->len; i++)
    {
      OffsetKey *key = g_ptr_array_index (keys, i);

      func (key->topic, key->partition,
            g_hash_table_lookup (group->offsets, key), user_data);
    }
}

guint
mr_consumer_group_get_n_offsets (MrConsumerGroup *group)
{
  return g_hash_table_size (group->offsets);
}
