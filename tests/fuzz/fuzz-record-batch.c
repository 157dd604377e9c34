/* fuzz-record-batch.c: the record-batch decoder under libFuzzer.
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The input is a record set as a Produce request carries it: batches
 * back to back. Each batch goes through the three readers the broker
 * uses: mr_record_batch_header_parse(), mr_record_batch_validate() and
 * mr_record_batch_foreach_record(), which decompresses (mr-compression)
 * and walks every record. A mutated batch almost never keeps a matching
 * CRC-32C, so each batch is walked twice: as it is, then with its CRC
 * recomputed, so that the fuzzer reaches the records section and the
 * decompressors behind it. The callback reads every byte of every key,
 * value and header it is handed, so a pointer past the input shows up
 * under AddressSanitizer. Last, mr_batch_cursor_next(), which the engine
 * uses to step through fetched bytes, walks the whole input: it must give
 * exactly the whole batches, back to back from the start, that the walk
 * above found before its first unparsable or cut-short one.
 *
 * Built twice (tests/fuzz/meson.build): with clang and libFuzzer under
 * -Dfuzzing=true, and always with fuzz-replay.c as a plain test that runs
 * the corpus in tests/fuzz/corpus/record-batch/. */

#define G_LOG_DOMAIN "mr-fuzz"

#include "config.h"

#include <string.h>

#include "millrace-engine.h"

#include "fuzz-target.h"

typedef struct
{
  guint   n_records;
  guint8  checksum;
  gint64  last_offset;
} Walk;

static void
touch (Walk         *walk,
       const guint8 *data,
       gssize        len)
{
  for (gssize i = 0; data != NULL && i < len; i++)
    walk->checksum ^= data[i];
}

static gboolean
on_record (const MrRecordBatchHeader *batch,
           const MrRecord            *record,
           gpointer                   user_data)
{
  Walk *walk = user_data;

  /* Offsets increase strictly within a batch and stay inside it. */
  g_assert (walk->n_records == 0 || record->offset > walk->last_offset);
  g_assert (record->offset <= mr_record_batch_header_get_last_offset (batch));
  walk->last_offset = record->offset;
  walk->n_records++;

  g_assert (record->key_len >= -1 && record->value_len >= -1);
  touch (walk, record->key, record->key_len);
  touch (walk, record->value, record->value_len);
  for (guint i = 0; i < record->n_headers; i++)
    {
      const MrRecordHeader *h = &record->headers[i];

      g_assert (h->key != NULL || h->key_len == 0);
      touch (walk, (const guint8 *)h->key, (gssize)h->key_len);
      touch (walk, h->value, h->value_len);
    }
  return TRUE;
}

static void
walk_batch (const guint8              *data,
            gsize                      len,
            const MrRecordBatchHeader *header)
{
  g_autoptr(GError) error = NULL;
  Walk walk = { 0, 0, 0 };

  if (mr_record_batch_foreach_record (data, len, on_record, &walk, &error))
    {
      g_assert_no_error (error);
      g_assert_cmpuint (walk.n_records, ==, (guint)header->record_count);
    }
  else
    g_assert (error != NULL && error->message != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gsize at = 0;
  gsize whole = 0;     /* bytes of whole batches from the start */

  while (at < size)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *copy = NULL;
      MrRecordBatchHeader header;
      MrRecordBatchHeader validated;
      gsize batch_size;
      gsize present;
      gboolean valid;

      if (!mr_record_batch_header_parse (data + at, size - at, &header,
                                         &error))
        {
          g_assert (error != NULL);
          break;
        }
      batch_size = mr_record_batch_header_get_size (&header);
      g_assert_cmpuint (batch_size, >=, MR_RECORD_BATCH_HEADER_SIZE);
      present = MIN (batch_size, size - at);
      if (present == batch_size)
        whole = at + batch_size;

      valid = mr_record_batch_validate (data + at, size - at, &validated,
                                        &error);
      if (valid)
        {
          g_assert_no_error (error);
          g_assert_cmpint (validated.crc, ==, header.crc);
          walk_batch (data + at, size - at, &header);
        }
      else
        g_clear_error (&error);

      /* The same batch with a CRC that matches, when it is all there. */
      if (!valid && present == batch_size)
        {
          guint32 crc;

          copy = g_memdup2 (data + at, present);
          crc = mr_crc32c (0, copy + MR_RECORD_BATCH_OFFSET_ATTRIBUTES,
                           present - MR_RECORD_BATCH_OFFSET_ATTRIBUTES);
          copy[MR_RECORD_BATCH_OFFSET_CRC] = (guint8)(crc >> 24);
          copy[MR_RECORD_BATCH_OFFSET_CRC + 1] = (guint8)(crc >> 16);
          copy[MR_RECORD_BATCH_OFFSET_CRC + 2] = (guint8)(crc >> 8);
          copy[MR_RECORD_BATCH_OFFSET_CRC + 3] = (guint8)crc;
          walk_batch (copy, present, &header);
        }
      at += present;
    }

  {
    g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
    const guint8 *start = g_bytes_get_data (bytes, NULL);
    MrRecordBatchHeader header;
    MrBatchCursor cursor;
    const guint8 *batch;
    gsize batch_size;
    gsize walked = 0;

    mr_batch_cursor_init (&cursor, bytes);
    while (mr_batch_cursor_next (&cursor, &header, &batch, &batch_size))
      {
        g_assert_true (batch == start + walked);
        g_assert_cmpuint (batch_size, ==,
                          mr_record_batch_header_get_size (&header));
        g_assert_cmpuint (walked + batch_size, <=, size);
        walked += batch_size;
      }
    g_assert_cmpuint (walked, ==, whole);
  }
  return 0;
}
