/* mr-record-jsonl.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-record-jsonl"

#include "config.h"

#include "mr-record-jsonl.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* The JSON Lines format of exported records
 *
 * A file is UTF-8 text: one JSON object per line, each line ending in
 * "\n"; blank lines are ignored on import. Each object is one record:
 *
 *   {"topic": "orders", "partition": 0, "offset": 42,
 *    "timestamp": 1700000000000,
 *    "key": "order-7", "key_encoding": "utf-8",
 *    "value": "eyJpZCI6N30=", "value_encoding": "base64",
 *    "headers": [{"key": "source", "value": "web",
 *                 "value_encoding": "utf-8"}]}
 *
 * (shown on several lines here; a real line holds the whole object.)
 *
 *  - "topic" (string), "partition", "offset" (integers) say where the
 *    record was read from. On import they are informative: the importer
 *    chooses the target topic; "partition" is used when it exists there.
 *  - "timestamp": milliseconds since the Unix epoch (integer); on import a
 *    missing or negative timestamp means "now".
 *  - "key" and "value": a string, or null for a null key or value (a
 *    tombstone). Their "key_encoding" / "value_encoding" say how the
 *    string holds the bytes: "utf-8" when the bytes are valid UTF-8 with no
 *    NUL (the string is the text itself), otherwise "base64" (RFC 4648
 *    standard alphabet, with padding). The exporter picks utf-8 whenever it
 *    can; an importer must honour either. A missing encoding means utf-8.
 *    The encoding field is absent when the key or value is null.
 *  - "headers": an array, in record order, of objects with "key" (a
 *    string, the header name), "value" (string or null) and
 *    "value_encoding" as above. Omitted when a record has no headers.
 *
 * Unknown fields are ignored, so that later versions may add some. */

G_DEFINE_QUARK (mr-record-jsonl-error-quark, mr_record_jsonl_error)

static gboolean
is_text (const guint8 *data,
         gsize         len)
{
  return memchr (data, '\0', len) == NULL &&
         g_utf8_validate ((const char *)data, len, NULL);
}

static void
add_bytes (JsonBuilder *builder,
           const char  *name,
           const char  *encoding_name,
           GBytes      *bytes)
{
  const guint8 *data;
  gsize len = 0;

  json_builder_set_member_name (builder, name);
  if (bytes == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }

  data = g_bytes_get_data (bytes, &len);
  if (is_text (data, len))
    {
      g_autofree char *text = g_strndup ((const char *)data, len);

      json_builder_add_string_value (builder, text);
      json_builder_set_member_name (builder, encoding_name);
      json_builder_add_string_value (builder, "utf-8");
    }
  else
    {
      g_autofree char *text = g_base64_encode (data, len);

      json_builder_add_string_value (builder, text);
      json_builder_set_member_name (builder, encoding_name);
      json_builder_add_string_value (builder, "base64");
    }
}

char *
mr_record_to_jsonl (const char         *topic,
                    const MrRecordCopy *copy)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (copy != NULL, NULL);

  json_builder_begin_object (builder);
  if (topic != NULL)
    {
      json_builder_set_member_name (builder, "topic");
      json_builder_add_string_value (builder, topic);
    }
  json_builder_set_member_name (builder, "partition");
  json_builder_add_int_value (builder, copy->partition);
  json_builder_set_member_name (builder, "offset");
  json_builder_add_int_value (builder, copy->offset);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_int_value (builder, copy->timestamp);
  add_bytes (builder, "key", "key_encoding", copy->key);
  add_bytes (builder, "value", "value_encoding", copy->value);

  if (copy->headers != NULL && copy->headers->len > 0)
    {
      json_builder_set_member_name (builder, "headers");
      json_builder_begin_array (builder);
      for (guint i = 0; i < copy->headers->len; i++)
        {
          const MrRecordCopyHeader *h = &g_array_index (copy->headers, MrRecordCopyHeader, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "key");
          json_builder_add_string_value (builder, h->key);
          add_bytes (builder, "value", "value_encoding", h->value);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, MR_RECORD_JSONL_ERROR,
                       MR_RECORD_JSONL_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
get_int (JsonObject  *object,
         const char  *name,
         gint64      *value,
         GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID,
                   "“%s” is not an integer", name);
      return FALSE;
    }

  *value = json_node_get_int (node);
  return TRUE;
}

/* Reads member @name with its encoding member; *bytes stays NULL for null
 * or absent. */
static gboolean
get_bytes (JsonObject  *object,
           const char  *name,
           const char  *encoding_name,
           GBytes     **bytes,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *encoding = "utf-8";
  const char *text;

  *bytes = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID,
                   "“%s” is not a string or null", name);
      return FALSE;
    }

  if (json_object_has_member (object, encoding_name))
    {
      encoding = json_object_get_string_member_with_default (object, encoding_name, NULL);
      if (encoding == NULL)
        {
          g_set_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID,
                       "“%s” is not a string", encoding_name);
          return FALSE;
        }
    }

  text = json_node_get_string (node);
  if (g_str_equal (encoding, "utf-8"))
    {
      *bytes = g_bytes_new (text, strlen (text));
      return TRUE;
    }
  if (g_str_equal (encoding, "base64"))
    {
      gsize len = 0;
      guchar *data;

      /* g_base64_decode() accepts anything; check the alphabet first. */
      for (const char *p = text; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
          {
            g_set_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID,
                         "“%s” is not valid base64", name);
            return FALSE;
          }
      data = g_base64_decode (text, &len);
      *bytes = g_bytes_new_take (data, len);
      return TRUE;
    }

  g_set_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID,
               "unknown encoding “%s” for “%s”", encoding, name);
  return FALSE;
}

gboolean
mr_record_from_jsonl (const char    *line,
                      char         **topic,
                      MrRecordCopy  *copy,
                      GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *root;
  JsonNode *headers;
  gint64 partition = -1;

  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (copy != NULL, FALSE);

  mr_record_copy_clear (copy);
  if (topic != NULL)
    *topic = NULL;

  if (!json_parser_load_from_data (parser, line, -1, &local_error))
    {
      g_set_error (error, MR_RECORD_JSONL_ERROR, MR_RECORD_JSONL_ERROR_INVALID,
                   "not JSON: %s", local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "not a JSON object");
  object = json_node_get_object (root);

  if (!get_int (object, "partition", &partition, error) ||
      !get_int (object, "offset", &copy->offset, error) ||
      !get_int (object, "timestamp", &copy->timestamp, error) ||
      !get_bytes (object, "key", "key_encoding", &copy->key, error) ||
      !get_bytes (object, "value", "value_encoding", &copy->value, error))
    goto fail;
  if (partition < -1 || partition > G_MAXINT32)
    {
      invalid (error, "“partition” is out of range");
      goto fail;
    }
  copy->partition = (gint32)partition;

  headers = json_object_get_member (object, "headers");
  if (headers != NULL && !JSON_NODE_HOLDS_NULL (headers))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (headers))
        {
          invalid (error, "“headers” is not an array");
          goto fail;
        }
      array = json_node_get_array (headers);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          g_autoptr(GBytes) value = NULL;
          const char *key;
          const guint8 *data = NULL;
          gsize len = 0;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              invalid (error, "a header is not an object");
              goto fail;
            }
          key = json_object_get_string_member_with_default (json_node_get_object (node),
                                                            "key", NULL);
          if (key == NULL)
            {
              invalid (error, "a header has no “key” string");
              goto fail;
            }
          if (!get_bytes (json_node_get_object (node), "value", "value_encoding",
                          &value, error))
            goto fail;
          if (value != NULL)
            data = g_bytes_get_data (value, &len);
          mr_record_copy_add_header (copy, key, data, value != NULL ? (gssize)len : -1);
        }
    }

  if (topic != NULL && json_object_has_member (object, "topic"))
    {
      const char *name = json_object_get_string_member_with_default (object, "topic", NULL);

      if (name == NULL)
        {
          invalid (error, "“topic” is not a string");
          goto fail;
        }
      *topic = g_strdup (name);
    }

  return TRUE;

fail:
  mr_record_copy_clear (copy);
  return FALSE;
}

gboolean
mr_record_jsonl_write (GOutputStream       *stream,
                       const char          *topic,
                       const MrRecordCopy  *records,
                       guint                n_records,
                       GCancellable        *cancellable,
                       GError             **error)
{
  g_autoptr(GString) buffer = g_string_new (NULL);

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  for (guint i = 0; i < n_records; i++)
    {
      g_autofree char *line = mr_record_to_jsonl (topic, &records[i]);

      g_string_append (buffer, line);
      g_string_append_c (buffer, '\n');

      if (buffer->len >= 64 * 1024 || i + 1 == n_records)
        {
          if (!g_output_stream_write_all (stream, buffer->str, buffer->len,
                                          NULL, cancellable, error))
            return FALSE;
          g_string_truncate (buffer, 0);
        }
    }

  return TRUE;
}

static void
copy_clear (gpointer data)
{
  mr_record_copy_clear (data);
}

GArray *
mr_record_jsonl_read (GInputStream  *stream,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GDataInputStream) data = NULL;
  g_autoptr(GArray) records = NULL;
  guint line_number = 0;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  data = g_data_input_stream_new (stream);
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  records = g_array_new (FALSE, TRUE, sizeof (MrRecordCopy));
  g_array_set_clear_func (records, copy_clear);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *line = NULL;
      MrRecordCopy copy;

      line = g_data_input_stream_read_line_utf8 (data, NULL, cancellable, &local_error);
      line_number++;
      if (local_error != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "line %u: ", line_number);
          return NULL;
        }
      if (line == NULL)
        break;
      g_strstrip (line);
      if (line[0] == '\0')
        continue;

      mr_record_copy_init (&copy);
      if (!mr_record_from_jsonl (line, NULL, &copy, &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "line %u: ", line_number);
          return NULL;
        }
      g_array_append_val (records, copy);
    }

  return g_steal_pointer (&records);
}
