/* mr-record-reader.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-record-reader"

#include "config.h"

#include "mr-record-reader.h"

#include <string.h>

#include "mr-kafka-error.h"
#include "mr-record-batch-builder.h"

/* Reading: mr_cluster_fetch() returns whole batches starting at or before
 * the asked offset, so the reader decodes each batch with
 * mr_record_batch_foreach_record() (which checks the CRC and decompresses)
 * and keeps the records inside the asked range. It fetches again from
 * the offset after the last batch until the range or the high watermark is
 * reached. A fetch that returns no batch below the high watermark means the
 * range is a gap (compaction or deleted records); the reader stops there.
 *
 * Fetches ask for FETCH_MAX_BYTES; a batch larger than that still comes
 * back whole (the replica returns at least one batch), as in Kafka. */

#define FETCH_MAX_BYTES (1024 * 1024)

void
mr_record_copy_init (MrRecordCopy *copy)
{
  memset (copy, 0, sizeof *copy);
  copy->offset = -1;
  copy->timestamp = -1;
}

static void
header_clear (gpointer data)
{
  MrRecordCopyHeader *header = data;

  g_clear_pointer (&header->key, g_free);
  g_clear_pointer (&header->value, g_bytes_unref);
}

void
mr_record_copy_add_header (MrRecordCopy *copy,
                           const char   *key,
                           const guint8 *value,
                           gssize        value_len)
{
  MrRecordCopyHeader header;

  if (copy->headers == NULL)
    {
      copy->headers = g_array_new (FALSE, TRUE, sizeof (MrRecordCopyHeader));
      g_array_set_clear_func (copy->headers, header_clear);
    }

  header.key = g_strdup (key);
  header.value = value_len < 0 ? NULL : g_bytes_new (value, value_len);
  g_array_append_val (copy->headers, header);
}

void
mr_record_copy_set (MrRecordCopy   *copy,
                    gint32          partition,
                    const MrRecord *record)
{
  mr_record_copy_clear (copy);

  copy->partition = partition;
  copy->offset = record->offset;
  copy->timestamp = record->timestamp;
  if (record->key_len >= 0)
    copy->key = g_bytes_new (record->key, record->key_len);
  if (record->value_len >= 0)
    copy->value = g_bytes_new (record->value, record->value_len);

  for (guint i = 0; i < record->n_headers; i++)
    {
      const MrRecordHeader *h = &record->headers[i];
      g_autofree char *key = g_strndup (h->key, h->key_len);

      mr_record_copy_add_header (copy, key, h->value, h->value_len);
    }
}

void
mr_record_copy_clear (MrRecordCopy *copy)
{
  g_clear_pointer (&copy->key, g_bytes_unref);
  g_clear_pointer (&copy->value, g_bytes_unref);
  g_clear_pointer (&copy->headers, g_array_unref);
  mr_record_copy_init (copy);
}

/* Filters. */

static gboolean
bytes_contain (const guint8 *data,
               gssize        len,
               const char   *needle,
               gsize         needle_len)
{
  if (needle_len == 0)
    return TRUE;
  if (data == NULL || len < 0 || (gsize)len < needle_len)
    return FALSE;

  return memmem (data, len, needle, needle_len) != NULL;
}

static gboolean
header_matches (const char   *key,
                gsize         key_len,
                const guint8 *value,
                gssize        value_len,
                const char   *needle)
{
  const char *eq = strchr (needle, '=');

  if (eq != NULL)
    {
      gsize name_len = eq - needle;

      return key_len == name_len &&
             memcmp (key, needle, name_len) == 0 &&
             bytes_contain (value, value_len, eq + 1, strlen (eq + 1));
    }

  return bytes_contain ((const guint8 *)key, key_len, needle, strlen (needle)) ||
         bytes_contain (value, value_len, needle, strlen (needle));
}

gboolean
mr_record_matches (const MrRecord *record,
                   MrRecordField   field,
                   const char     *needle)
{
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (needle != NULL, FALSE);

  if (needle[0] == '\0')
    return TRUE;

  switch (field)
    {
    case MR_RECORD_FIELD_KEY:
      return bytes_contain (record->key, record->key_len, needle, strlen (needle));
    case MR_RECORD_FIELD_VALUE:
      return bytes_contain (record->value, record->value_len, needle, strlen (needle));
    case MR_RECORD_FIELD_HEADER:
      for (guint i = 0; i < record->n_headers; i++)
        if (header_matches (record->headers[i].key, record->headers[i].key_len,
                            record->headers[i].value, record->headers[i].value_len,
                            needle))
          return TRUE;
      return FALSE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

static gboolean
gbytes_contain (GBytes     *bytes,
                const char *needle)
{
  gsize len = 0;
  const guint8 *data;

  if (bytes == NULL)
    return needle[0] == '\0';

  data = g_bytes_get_data (bytes, &len);
  return bytes_contain (data, len, needle, strlen (needle));
}

gboolean
mr_record_copy_matches (const MrRecordCopy *copy,
                        MrRecordField       field,
                        const char         *needle)
{
  g_return_val_if_fail (copy != NULL, FALSE);
  g_return_val_if_fail (needle != NULL, FALSE);

  if (needle[0] == '\0')
    return TRUE;

  switch (field)
    {
    case MR_RECORD_FIELD_KEY:
      return gbytes_contain (copy->key, needle);
    case MR_RECORD_FIELD_VALUE:
      return gbytes_contain (copy->value, needle);
    case MR_RECORD_FIELD_HEADER:
      for (guint i = 0; copy->headers != NULL && i < copy->headers->len; i++)
        {
          const MrRecordCopyHeader *h = &g_array_index (copy->headers, MrRecordCopyHeader, i);
          const guint8 *value = NULL;
          gsize value_len = 0;

          if (h->value != NULL)
            value = g_bytes_get_data (h->value, &value_len);
          if (header_matches (h->key, strlen (h->key), value,
                              h->value != NULL ? (gssize)value_len : -1, needle))
            return TRUE;
        }
      return FALSE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

/* Scanning. */

typedef struct
{
  gint64        from;
  gint64        end;
  gint64        next;          /* the offset after the last record seen */
  MrRecordFunc  func;
  gpointer      user_data;
  gboolean      stopped;
} ScanState;

static gboolean
scan_record_cb (const MrRecordBatchHeader *batch,
                const MrRecord            *record,
                gpointer                   user_data)
{
  ScanState *state = user_data;

  if (record->offset >= state->end)
    {
      state->next = state->end;
      return FALSE;
    }

  state->next = record->offset + 1;
  if (record->offset < state->from)
    return TRUE;

  if (!state->func (batch, record, state->user_data))
    {
      state->stopped = TRUE;
      return FALSE;
    }

  return TRUE;
}

static gboolean
set_kafka_error (MrKafkaError   code,
                 const char    *what,
                 GError       **error)
{
  g_set_error (error, MR_KAFKA_ERROR, code, "%s: %s", what,
               mr_kafka_error_to_string (code));
  return FALSE;
}

static gboolean
scan_full (MrCluster     *cluster,
           const char    *topic,
           gint32         partition,
           gint64         from,
           gint64         end,
           MrRecordFunc   func,
           gpointer       user_data,
           gint64        *high_watermark,
           gint64        *log_start_offset,
           GCancellable  *cancellable,
           GError       **error)
{
  ScanState state = { 0 };
  gboolean first = TRUE;

  state.from = MAX (from, 0);
  state.end = end;
  state.next = state.from;
  state.func = func;
  state.user_data = user_data;

  for (;;)
    {
      g_auto(MrFetchResult) result = { 0 };
      MrBatchCursor cursor;
      MrRecordBatchHeader header;
      const guint8 *batch;
      gsize size;
      gint64 before;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      mr_cluster_fetch (cluster, -1, topic, partition, state.next,
                        FETCH_MAX_BYTES, 0, -1, &result);

      if (result.high_watermark >= 0)
        {
          *high_watermark = result.high_watermark;
          *log_start_offset = result.log_start_offset;
        }

      if (result.error == MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE && first &&
          result.log_start_offset > state.next)
        {
          /* Below the log start: read from there. */
          state.next = result.log_start_offset;
          state.from = MAX (state.from, state.next);
          first = FALSE;
          continue;
        }
      if (result.error == MR_KAFKA_ERROR_OFFSET_OUT_OF_RANGE &&
          state.next >= result.high_watermark && result.high_watermark >= 0)
        return TRUE;
      if (result.error != MR_KAFKA_ERROR_NONE)
        return set_kafka_error (result.error, topic, error);

      first = FALSE;
      if (state.end < 0 || state.end > result.high_watermark)
        state.end = result.high_watermark;
      if (state.next >= state.end)
        return TRUE;
      if (result.records == NULL)
        return TRUE;

      before = state.next;

      /* A partial batch at the end of the slice ends the walk. */
      mr_batch_cursor_init (&cursor, result.records);
      while (mr_batch_cursor_next (&cursor, &header, &batch, &size))
        {
          if (mr_record_batch_header_get_last_offset (&header) >= state.next &&
              !mr_record_batch_foreach_record (batch, size, scan_record_cb,
                                               &state, error))
            {
              g_prefix_error (error, "%s-%d: ", topic, partition);
              return FALSE;
            }
          if (state.stopped || state.next >= state.end)
            return TRUE;

          /* Control batches and compacted ranges: skip the whole batch. */
          state.next = MAX (state.next,
                            mr_record_batch_header_get_last_offset (&header) + 1);
        }

      if (state.next == before)
        return TRUE;    /* nothing more to read below the high watermark */
    }
}

gboolean
mr_record_scan (MrCluster     *cluster,
                const char    *topic,
                gint32         partition,
                gint64         from,
                gint64         end,
                MrRecordFunc   func,
                gpointer       user_data,
                GCancellable  *cancellable,
                GError       **error)
{
  gint64 high_watermark = -1;
  gint64 log_start_offset = -1;

  g_return_val_if_fail (cluster != NULL, FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  return scan_full (cluster, topic, partition, from, end, func, user_data,
                    &high_watermark, &log_start_offset, cancellable, error);
}

/* Pages. */

typedef struct
{
  GArray *records;
  gint32  partition;
} PageFill;

static gboolean
page_record_cb (const MrRecordBatchHeader *batch,
                const MrRecord            *record,
                gpointer                   user_data)
{
  PageFill *fill = user_data;
  MrRecordCopy copy;

  mr_record_copy_init (&copy);
  mr_record_copy_set (&copy, fill->partition, record);
  g_array_append_val (fill->records, copy);

  return TRUE;
}

static void
page_clear (gpointer data)
{
  MrRecordPage *page = data;

  for (guint i = 0; i < page->n_records; i++)
    mr_record_copy_clear (&page->records[i]);
  g_free (page->records);
}

MrRecordPage *
mr_record_page_read (MrCluster     *cluster,
                     const char    *topic,
                     gint32         partition,
                     gint64         from,
                     gint64         end,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GArray) records = NULL;
  MrRecordPage *page;
  PageFill fill;
  gint64 high_watermark = -1;
  gint64 log_start_offset = -1;

  g_return_val_if_fail (cluster != NULL, NULL);
  g_return_val_if_fail (topic != NULL, NULL);

  records = g_array_new (FALSE, FALSE, sizeof (MrRecordCopy));
  fill.records = records;
  fill.partition = partition;

  if (!scan_full (cluster, topic, partition, from, end, page_record_cb,
                  &fill, &high_watermark, &log_start_offset, cancellable, error))
    {
      for (guint i = 0; i < records->len; i++)
        mr_record_copy_clear (&g_array_index (records, MrRecordCopy, i));
      return NULL;
    }

  page = g_atomic_rc_box_new0 (MrRecordPage);
  page->partition = partition;
  page->from_offset = from;
  page->high_watermark = high_watermark;
  page->log_start_offset = log_start_offset;
  page->end_offset = end < 0 ? high_watermark : MIN (end, high_watermark);
  page->n_records = records->len;
  page->records = (MrRecordCopy *)(void *)g_array_free (g_steal_pointer (&records), FALSE);

  return page;
}

MrRecordPage *
mr_record_page_ref (MrRecordPage *page)
{
  return g_atomic_rc_box_acquire (page);
}

void
mr_record_page_unref (MrRecordPage *page)
{
  g_atomic_rc_box_release_full (page, page_clear);
}

const MrRecordCopy *
mr_record_page_lookup (MrRecordPage *page,
                       gint64        offset)
{
  guint lo = 0;
  guint hi;

  g_return_val_if_fail (page != NULL, NULL);

  hi = page->n_records;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 at = page->records[mid].offset;

      if (at == offset)
        return &page->records[mid];
      if (at < offset)
        lo = mid + 1;
      else
        hi = mid;
    }

  return NULL;
}

/* Producing. */

GBytes *
mr_record_build_batch (const MrRecordCopy  *records,
                       guint                n_records,
                       GError             **error)
{
  g_autoptr(MrRecordBatchBuilder) builder = NULL;
  gint64 now = g_get_real_time () / 1000;

  g_return_val_if_fail (records != NULL || n_records == 0, NULL);

  builder = mr_record_batch_builder_new (MR_COMPRESSION_NONE);

  for (guint i = 0; i < n_records; i++)
    {
      const MrRecordCopy *copy = &records[i];
      g_autofree MrRecordHeader *headers = NULL;
      guint n_headers = copy->headers != NULL ? copy->headers->len : 0;
      const guint8 *key = NULL;
      const guint8 *value = NULL;
      gsize key_len = 0;
      gsize value_len = 0;

      headers = g_new0 (MrRecordHeader, MAX (n_headers, 1));
      for (guint h = 0; h < n_headers; h++)
        {
          const MrRecordCopyHeader *ch = &g_array_index (copy->headers, MrRecordCopyHeader, h);
          gsize hlen = 0;

          headers[h].key = ch->key;
          headers[h].key_len = strlen (ch->key);
          headers[h].value = ch->value != NULL ? g_bytes_get_data (ch->value, &hlen) : NULL;
          headers[h].value_len = ch->value != NULL ? (gssize)hlen : -1;
        }

      if (copy->key != NULL)
        key = g_bytes_get_data (copy->key, &key_len);
      if (copy->value != NULL)
        value = g_bytes_get_data (copy->value, &value_len);

      mr_record_batch_builder_add (builder,
                                   copy->timestamp >= 0 ? copy->timestamp : now,
                                   key, copy->key != NULL ? (gssize)key_len : -1,
                                   value, copy->value != NULL ? (gssize)value_len : -1,
                                   headers, n_headers);
    }

  return mr_record_batch_builder_finish (builder, error);
}

gboolean
mr_record_produce (MrCluster           *cluster,
                   const char          *topic,
                   gint32               partition,
                   const MrRecordCopy  *records,
                   guint                n_records,
                   gint64              *base_offset,
                   GError             **error)
{
  g_auto(MrProduceResult) result = { 0 };
  g_autoptr(GBytes) batch = NULL;
  guint8 *data;
  gsize len = 0;

  g_return_val_if_fail (cluster != NULL, FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);

  batch = mr_record_build_batch (records, n_records, error);
  if (batch == NULL)
    return FALSE;

  data = g_bytes_unref_to_data (g_steal_pointer (&batch), &len);
  mr_cluster_produce (cluster, -1, topic, partition, data, len, -1, 10000, &result);
  if (result.error != MR_KAFKA_ERROR_NONE)
    {
      g_set_error (error, MR_KAFKA_ERROR, result.error, "%s-%d: %s", topic,
                   partition, result.error_message != NULL
                              ? result.error_message
                              : mr_kafka_error_to_string (result.error));
      return FALSE;
    }

  if (base_offset != NULL)
    *base_offset = result.base_offset;

  return TRUE;
}

gint32
mr_record_partition_for_key (const guint8 *key,
                             gsize         key_len,
                             gint32        n_partitions)
{
  const guint32 m = 0x5bd1e995;
  guint32 h = 0x9747b28c ^ (guint32)key_len;
  gsize n4 = key_len / 4;

  g_return_val_if_fail (n_partitions > 0, 0);

  for (gsize i = 0; i < n4; i++)
    {
      guint32 k = (guint32)key[4 * i] | ((guint32)key[4 * i + 1] << 8) |
                  ((guint32)key[4 * i + 2] << 16) | ((guint32)key[4 * i + 3] << 24);

      k *= m;
      k ^= k >> 24;
      k *= m;
      h *= m;
      h ^= k;
    }

  switch (key_len % 4)
    {
    case 3:
      h ^= (guint32)key[(key_len & ~(gsize)3) + 2] << 16;
      G_GNUC_FALLTHROUGH;
    case 2:
      h ^= (guint32)key[(key_len & ~(gsize)3) + 1] << 8;
      G_GNUC_FALLTHROUGH;
    case 1:
      h ^= key[key_len & ~(gsize)3];
      h *= m;
      break;
    default:
      break;
    }

  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;

  return (gint32)((h & 0x7fffffff) % (guint32)n_partitions);
}
