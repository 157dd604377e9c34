/* mr-group-offsets-codec.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#if !defined (MILLRACE_ENGINE_INSIDE) && !defined (MILLRACE_ENGINE_COMPILATION)
# error "Only <millrace-engine.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* The records of the internal topic __consumer_offsets, in Kafka's own
 * formats (see mr-group-offsets-codec.c for the layouts). */

#define MR_GROUP_OFFSETS_TOPIC "__consumer_offsets"

typedef enum
{
  MR_GROUP_OFFSETS_RECORD_INVALID,
  MR_GROUP_OFFSETS_RECORD_OFFSET,      /* key versions 0 and 1 */
  MR_GROUP_OFFSETS_RECORD_GROUP,       /* key version 2 */
} MrGroupOffsetsRecordType;

/* A committed offset. */
typedef struct
{
  gint64  offset;
  gint32  leader_epoch;            /* -1: unknown */
  char   *metadata;                /* never NULL */
  gint64  commit_timestamp;        /* ms since the epoch */
} MrGroupCommittedOffset;

/* One member as a group metadata record keeps it. */
typedef struct
{
  char   *member_id;
  char   *group_instance_id;       /* NULL: dynamic member */
  char   *client_id;
  char   *client_host;
  gint32  rebalance_timeout_ms;
  gint32  session_timeout_ms;
  GBytes *subscription;
  GBytes *assignment;
} MrGroupMemberRecord;

typedef struct
{
  char      *protocol_type;
  gint32     generation;
  char      *protocol;             /* NULL when none was chosen */
  char      *leader;               /* NULL when none */
  gint64     state_timestamp;      /* ms since the epoch, -1: unknown */
  GPtrArray *members;              /* MrGroupMemberRecord */
} MrGroupMetadataRecord;

GBytes  *mr_group_offsets_encode_offset_key    (const char                   *group_id,
                                                const char                   *topic,
                                                gint32                        partition) G_GNUC_WARN_UNUSED_RESULT;
GBytes  *mr_group_offsets_encode_offset_value  (const MrGroupCommittedOffset *offset) G_GNUC_WARN_UNUSED_RESULT;
GBytes  *mr_group_offsets_encode_group_key     (const char                   *group_id) G_GNUC_WARN_UNUSED_RESULT;
GBytes  *mr_group_offsets_encode_group_value   (const MrGroupMetadataRecord  *record) G_GNUC_WARN_UNUSED_RESULT;

/* Reads a key: its type, its group and, for offset keys, the topic and
 * partition (@topic may be NULL for group keys). */
MrGroupOffsetsRecordType
         mr_group_offsets_decode_key           (const guint8                 *data,
                                                gsize                         len,
                                                char                        **group_id,
                                                char                        **topic,
                                                gint32                       *partition);
gboolean mr_group_offsets_decode_offset_value  (const guint8                 *data,
                                                gsize                         len,
                                                MrGroupCommittedOffset       *offset);
gboolean mr_group_offsets_decode_group_value   (const guint8                 *data,
                                                gsize                         len,
                                                MrGroupMetadataRecord        *record);

void     mr_group_committed_offset_clear       (MrGroupCommittedOffset       *offset);
void     mr_group_member_record_free           (MrGroupMemberRecord          *member);
void     mr_group_metadata_record_clear        (MrGroupMetadataRecord        *record);

/* The offsets partition of @group_id: Kafka's abs(hashCode) % n, with
 * Java's String.hashCode over the UTF-16 code units. */
gint32   mr_group_offsets_partition_for        (const char                   *group_id,
                                                gint32                        n_partitions);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MrGroupCommittedOffset, mr_group_committed_offset_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MrGroupMetadataRecord, mr_group_metadata_record_clear)

G_END_DECLS
