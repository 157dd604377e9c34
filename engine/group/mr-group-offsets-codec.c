/* mr-group-offsets-codec.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The records of __consumer_offsets, as Kafka writes them.
 *
 * The topic is compacted: each record's key names what it is about and
 * the latest value per key wins; a null value (a tombstone) deletes it.
 * Every field is big-endian; STRING is an int16 length then UTF-8
 * (NULLABLE_STRING: -1 for null), BYTES an int32 length then the bytes
 * (-1 null), ARRAY an int32 count then the elements.
 *
 * Key. Starts with version int16:
 *   0 and 1: an offset commit. group STRING, topic STRING, partition
 *            int32. We write version 1.
 *   2:       group metadata. group STRING.
 *   Any other version is not ours (Kafka 3.7's newer record types) and is
 *   skipped on load.
 *
 * Offset commit value. version int16, then
 *   v0: offset int64, metadata STRING, commit_timestamp int64
 *   v1: offset int64, metadata STRING, commit_timestamp int64,
 *       expire_timestamp int64 (ignored)
 *   v2: offset int64, metadata STRING, commit_timestamp int64
 *   v3: offset int64, leader_epoch int32, metadata STRING,
 *       commit_timestamp int64
 *   We write v3. A null value: the commit was deleted (OffsetDelete,
 *   DeleteGroups).
 *
 * Group metadata value. version int16 (we write 3), then protocol_type
 *   STRING, generation int32, protocol NULLABLE_STRING, leader
 *   NULLABLE_STRING, current_state_timestamp int64 (v2+), members ARRAY of
 *   {member_id STRING, group_instance_id NULLABLE_STRING (v3+), client_id
 *   STRING, client_host STRING, rebalance_timeout int32 (v1+),
 *   session_timeout int32, subscription BYTES, assignment BYTES}.
 *   A null value: the group was deleted.
 *
 * A value that does not parse is skipped on load with a warning; it never
 * stops the coordinator from loading the rest. */

#define G_LOG_DOMAIN "mr-group"

#include "config.h"

#include "mr-group-offsets-codec.h"

#include <string.h>

#include "mr-kafka-codec.h"

static GBytes *
take_bytes (GByteArray *out)
{
  return g_byte_array_free_to_bytes (out);
}

GBytes *
mr_group_offsets_encode_offset_key (const char *group_id,
                                    const char *topic,
                                    gint32      partition)
{
  GByteArray *out = g_byte_array_new ();

  mr_kafka_writer_int16 (out, 1);
  mr_kafka_writer_string (out, group_id);
  mr_kafka_writer_string (out, topic);
  mr_kafka_writer_int32 (out, partition);
  return take_bytes (out);
}

GBytes *
mr_group_offsets_encode_offset_value (const MrGroupCommittedOffset *offset)
{
  GByteArray *out = g_byte_array_new ();

  mr_kafka_writer_int16 (out, 3);
  mr_kafka_writer_int64 (out, offset->offset);
  mr_kafka_writer_int32 (out, offset->leader_epoch);
  mr_kafka_writer_string (out, offset->metadata != NULL ? offset->metadata : "");
  mr_kafka_writer_int64 (out, offset->commit_timestamp);
  return take_bytes (out);
}

GBytes *
mr_group_offsets_encode_group_key (const char *group_id)
{
  GByteArray *out = g_byte_array_new ();

  mr_kafka_writer_int16 (out, 2);
  mr_kafka_writer_string (out, group_id);
  return take_bytes (out);
}

GBytes *
mr_group_offsets_encode_group_value (const MrGroupMetadataRecord *record)
{
  GByteArray *out = g_byte_array_new ();
  guint n = record->members != NULL ? record->members->len : 0;

  mr_kafka_writer_int16 (out, 3);
  mr_kafka_writer_string (out, record->protocol_type != NULL
                               ? record->protocol_type : "");
  mr_kafka_writer_int32 (out, record->generation);
  mr_kafka_writer_string (out, record->protocol);
  mr_kafka_writer_string (out, record->leader);
  mr_kafka_writer_int64 (out, record->state_timestamp);
  mr_kafka_writer_array_count (out, (gint32)n);
  for (guint i = 0; i < n; i++)
    {
      const MrGroupMemberRecord *m = g_ptr_array_index (record->members, i);

      mr_kafka_writer_string (out, m->member_id);
      mr_kafka_writer_string (out, m->group_instance_id);
      mr_kafka_writer_string (out, m->client_id != NULL ? m->client_id : "");
      mr_kafka_writer_string (out, m->client_host != NULL ? m->client_host : "");
      mr_kafka_writer_int32 (out, m->rebalance_timeout_ms);
      mr_kafka_writer_int32 (out, m->session_timeout_ms);
      mr_kafka_writer_gbytes (out, m->subscription);
      mr_kafka_writer_gbytes (out, m->assignment);
    }
  return take_bytes (out);
}

MrGroupOffsetsRecordType
mr_group_offsets_decode_key (const guint8  *data,
                             gsize          len,
                             char         **group_id,
                             char         **topic,
                             gint32        *partition)
{
  MrKafkaReader reader;
  g_autofree char *group = NULL;
  g_autofree char *name = NULL;
  gint32 index = -1;
  gint16 version;

  if (data == NULL)
    return MR_GROUP_OFFSETS_RECORD_INVALID;
  mr_kafka_reader_init (&reader, data, len);
  version = mr_kafka_reader_int16 (&reader);
  if (version < 0 || version > 2)
    return MR_GROUP_OFFSETS_RECORD_INVALID;
  group = mr_kafka_reader_string (&reader);
  if (version <= 1)
    {
      name = mr_kafka_reader_string (&reader);
      index = mr_kafka_reader_int32 (&reader);
    }
  if (mr_kafka_reader_failed (&reader))
    return MR_GROUP_OFFSETS_RECORD_INVALID;

  *group_id = g_steal_pointer (&group);
  if (topic != NULL)
    *topic = g_steal_pointer (&name);
  if (partition != NULL)
    *partition = index;
  return version <= 1 ? MR_GROUP_OFFSETS_RECORD_OFFSET
                      : MR_GROUP_OFFSETS_RECORD_GROUP;
}

gboolean
mr_group_offsets_decode_offset_value (const guint8           *data,
                                      gsize                   len,
                                      MrGroupCommittedOffset *offset)
{
  MrKafkaReader reader;
  gint16 version;

  memset (offset, 0, sizeof *offset);
  if (data == NULL)
    return FALSE;
  mr_kafka_reader_init (&reader, data, len);
  version = mr_kafka_reader_int16 (&reader);
  if (version < 0 || version > 3)
    return FALSE;
  offset->offset = mr_kafka_reader_int64 (&reader);
  offset->leader_epoch = version >= 3 ? mr_kafka_reader_int32 (&reader) : -1;
  offset->metadata = mr_kafka_reader_string (&reader);
  offset->commit_timestamp = mr_kafka_reader_int64 (&reader);
  if (version == 1)
    (void)mr_kafka_reader_int64 (&reader);
  if (mr_kafka_reader_failed (&reader))
    {
      mr_group_committed_offset_clear (offset);
      return FALSE;
    }
  return TRUE;
}

gboolean
mr_group_offsets_decode_group_value (const guint8          *data,
                                     gsize                  len,
                                     MrGroupMetadataRecord *record)
{
  MrKafkaReader reader;
  gint16 version;
  gint32 n;

  memset (record, 0, sizeof *record);
  record->state_timestamp = -1;
  record->members = g_ptr_array_new_with_free_func (
    (GDestroyNotify)mr_group_member_record_free);
  if (data == NULL)
    return FALSE;
  mr_kafka_reader_init (&reader, data, len);
  version = mr_kafka_reader_int16 (&reader);
  if (version < 0 || version > 3)
    return FALSE;
  record->protocol_type = mr_kafka_reader_string (&reader);
  record->generation = mr_kafka_reader_int32 (&reader);
  record->protocol = mr_kafka_reader_nullable_string (&reader);
  record->leader = mr_kafka_reader_nullable_string (&reader);
  if (version >= 2)
    record->state_timestamp = mr_kafka_reader_int64 (&reader);
  n = mr_kafka_reader_array_count (&reader, 20);
  for (gint32 i = 0; i < n && !mr_kafka_reader_failed (&reader); i++)
    {
      MrGroupMemberRecord *m = g_new0 (MrGroupMemberRecord, 1);

      m->member_id = mr_kafka_reader_string (&reader);
      if (version >= 3)
        m->group_instance_id = mr_kafka_reader_nullable_string (&reader);
      m->client_id = mr_kafka_reader_string (&reader);
      m->client_host = mr_kafka_reader_string (&reader);
      m->rebalance_timeout_ms = version >= 1 ? mr_kafka_reader_int32 (&reader) : 0;
      m->session_timeout_ms = mr_kafka_reader_int32 (&reader);
      m->subscription = mr_kafka_reader_dup_bytes (&reader);
      m->assignment = mr_kafka_reader_dup_bytes (&reader);
      g_ptr_array_add (record->members, m);
    }
  if (mr_kafka_reader_failed (&reader))
    {
      mr_group_metadata_record_clear (record);
      return FALSE;
    }
  return TRUE;
}

void
mr_group_committed_offset_clear (MrGroupCommittedOffset *offset)
{
  g_clear_pointer (&offset->metadata, g_free);
}

void
mr_group_member_record_free (MrGroupMemberRecord *member)
{
  if (member == NULL)
    return;
  g_free (member->member_id);
  g_free (member->group_instance_id);
  g_free (member->client_id);
  g_free (member->client_host);
  g_clear_pointer (&member->subscription, g_bytes_unref);
  g_clear_pointer (&member->assignment, g_bytes_unref);
  g_free (member);
}

void
mr_group_metadata_record_clear (MrGroupMetadataRecord *record)
{
  g_clear_pointer (&record->protocol_type, g_free);
  g_clear_pointer (&record->protocol, g_free);
  g_clear_pointer (&record->leader, g_free);
  g_clear_pointer (&record->members, g_ptr_array_unref);
}

gint32
mr_group_offsets_partition_for (const char *group_id,
                                gint32      n_partitions)
{
  g_autofree char *valid = NULL;
  gint32 hash = 0;
  const char *p;

  g_return_val_if_fail (n_partitions > 0, 0);

  /* Walking malformed UTF-8 by its lead bytes could step past the end:
   * such an id is hashed as Java would have decoded it, with U+FFFD. */
  if (!g_utf8_validate (group_id, -1, NULL))
    group_id = valid = g_utf8_make_valid (group_id, -1);

  /* Java's String.hashCode: s[0]*31^(n-1) + ... over UTF-16 units, with
   * int overflow. */
  for (p = group_id; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x10000)
        {
          guint32 v = c - 0x10000;
          guint16 high = (guint16)(0xD800 + (v >> 10));
          guint16 low = (guint16)(0xDC00 + (v & 0x3FF));

          hash = (gint32)((guint32)hash * 31u + high);
          hash = (gint32)((guint32)hash * 31u + low);
        }
      else
        hash = (gint32)((guint32)hash * 31u + c);
    }
  /* Kafka's Utils.abs: MIN_VALUE maps to 0. */
  if (hash == G_MININT32)
    hash = 0;
  return ABS (hash) % n_partitions;
}
