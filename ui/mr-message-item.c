/* mr-message-item.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-message-item.h"

#include <glib/gi18n.h>
#include <string.h>

/* One row of the message browser. The model creates items on demand, as
 * the list asks for them; an item holds a reference on the page that has
 * its record, so that it costs a pointer and two integers plus the texts
 * made for the cells that show it. Until its page arrives from the
 * loader thread it shows "Loading…", and its properties notify when the
 * page comes, so the cells update in place. Main thread only. */

struct _MrMessageItem
{
  GObject              parent_instance;

  gint32               partition;
  gint64               offset;
  MrRecordPage        *page;
  const MrRecordCopy  *record;    /* inside @page */

  char                *partition_text;
  char                *offset_text;
  char                *timestamp_text;
  char                *key_text;
  char                *value_text;
  char                *headers_text;
};

G_DEFINE_FINAL_TYPE (MrMessageItem, mr_message_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PARTITION,
  PROP_OFFSET,
  PROP_LOADED,
  PROP_PARTITION_TEXT,
  PROP_OFFSET_TEXT,
  PROP_TIMESTAMP_TEXT,
  PROP_KEY_TEXT,
  PROP_VALUE_TEXT,
  PROP_HEADERS_TEXT,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

#define PREVIEW_CHARS 160

char *
mr_message_preview_bytes (GBytes *bytes,
                          gsize   max_chars)
{
  const guint8 *data;
  gsize len = 0;
  GString *str;

  if (bytes == NULL)
    return g_strdup ("null");

  data = g_bytes_get_data (bytes, &len);
  str = g_string_new (NULL);

  if (memchr (data, '\0', len) == NULL &&
      g_utf8_validate ((const char *)data, len, NULL))
    {
      const char *p = (const char *)data;
      const char *end = p + len;
      gsize n = 0;

      while (p < end && n < max_chars)
        {
          gunichar c = g_utf8_get_char (p);

          /* One line: control characters become spaces. */
          if (g_unichar_iscntrl (c))
            g_string_append_c (str, ' ');
          else
            g_string_append_unichar (str, c);
          p = g_utf8_next_char (p);
          n++;
        }
      if (p < end)
        g_string_append (str, "…");
    }
  else
    {
      gsize shown = MIN (len, max_chars / 3);

      g_string_append (str, "0x");
      for (gsize i = 0; i < shown; i++)
        g_string_append_printf (str, "%02x", data[i]);
      if (shown < len)
        g_string_append (str, "…");
    }

  return g_string_free (str, FALSE);
}

char *
mr_message_format_timestamp (gint64 timestamp_ms)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *text = NULL;

  if (timestamp_ms < 0)
    return g_strdup ("—");

  utc = g_date_time_new_from_unix_utc (timestamp_ms / 1000);
  if (utc == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, timestamp_ms);
  local = g_date_time_to_local (utc);
  text = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");

  return g_strdup_printf ("%s.%03d", text, (int)(timestamp_ms % 1000));
}

static void
clear_texts (MrMessageItem *self)
{
  g_clear_pointer (&self->timestamp_text, g_free);
  g_clear_pointer (&self->key_text, g_free);
  g_clear_pointer (&self->value_text, g_free);
  g_clear_pointer (&self->headers_text, g_free);
}

static void
mr_message_item_finalize (GObject *object)
{
  MrMessageItem *self = (MrMessageItem *)object;

  clear_texts (self);
  g_clear_pointer (&self->offset_text, g_free);
  g_clear_pointer (&self->partition_text, g_free);
  g_clear_pointer (&self->page, mr_record_page_unref);

  G_OBJECT_CLASS (mr_message_item_parent_class)->finalize (object);
}

static void
mr_message_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  MrMessageItem *self = MR_MESSAGE_ITEM (object);

  switch (prop_id)
    {
    case PROP_PARTITION:
      g_value_set_int (value, self->partition);
      break;
    case PROP_OFFSET:
      g_value_set_int64 (value, self->offset);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->page != NULL);
      break;
    case PROP_PARTITION_TEXT:
      if (self->partition_text == NULL)
        self->partition_text = g_strdup_printf ("%d", self->partition);
      g_value_set_string (value, self->partition_text);
      break;
    case PROP_OFFSET_TEXT:
      g_value_set_string (value, mr_message_item_get_offset_text (self));
      break;
    case PROP_TIMESTAMP_TEXT:
      g_value_set_string (value, mr_message_item_get_timestamp_text (self));
      break;
    case PROP_KEY_TEXT:
      g_value_set_string (value, mr_message_item_get_key_text (self));
      break;
    case PROP_VALUE_TEXT:
      g_value_set_string (value, mr_message_item_get_value_text (self));
      break;
    case PROP_HEADERS_TEXT:
      g_value_set_string (value, mr_message_item_get_headers_text (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_message_item_class_init (MrMessageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_message_item_finalize;
  object_class->get_property = mr_message_item_get_property;

  properties [PROP_PARTITION] =
    g_param_spec_int ("partition", NULL, NULL, -1, G_MAXINT32, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_OFFSET] =
    g_param_spec_int64 ("offset", NULL, NULL, -1, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_PARTITION_TEXT] =
    g_param_spec_string ("partition-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_OFFSET_TEXT] =
    g_param_spec_string ("offset-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_TIMESTAMP_TEXT] =
    g_param_spec_string ("timestamp-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_KEY_TEXT] =
    g_param_spec_string ("key-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_VALUE_TEXT] =
    g_param_spec_string ("value-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_HEADERS_TEXT] =
    g_param_spec_string ("headers-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mr_message_item_init (MrMessageItem *self)
{
}

MrMessageItem *
mr_message_item_new (gint32 partition,
                     gint64 offset)
{
  MrMessageItem *self = g_object_new (MR_TYPE_MESSAGE_ITEM, NULL);

  self->partition = partition;
  self->offset = offset;

  return self;
}

gint32
mr_message_item_get_partition (MrMessageItem *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_ITEM (self), -1);

  return self->partition;
}

gint64
mr_message_item_get_offset (MrMessageItem *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_ITEM (self), -1);

  return self->offset;
}

gboolean
mr_message_item_get_loaded (MrMessageItem *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_ITEM (self), FALSE);

  return self->page != NULL;
}

const MrRecordCopy *
mr_message_item_get_record (MrMessageItem *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_ITEM (self), NULL);

  return self->record;
}

void
mr_message_item_set_page (MrMessageItem *self,
                          MrRecordPage  *page)
{
  g_return_if_fail (MR_IS_MESSAGE_ITEM (self));
  g_return_if_fail (page != NULL);

  if (self->page == page)
    return;

  g_clear_pointer (&self->page, mr_record_page_unref);
  self->page = mr_record_page_ref (page);
  self->record = mr_record_page_lookup (page, self->offset);
  clear_texts (self);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TIMESTAMP_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_KEY_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_VALUE_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_HEADERS_TEXT]);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
mr_message_item_get_offset_text (MrMessageItem *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_ITEM (self), NULL);

  if (self->offset_text == NULL)
    self->offset_text = g_strdup_printf ("%" G_GINT64_FORMAT, self->offset);

  return self->offset_text;
}

/* The text a cell shows while the record is not there. */
static const char *
missing_text (MrMessageItem *self)
{
  if (self->page == NULL)
    return _("Loading…");

  /* Translators: an offset with no record, removed by log compaction. */
  return _("Compacted");
}

const char *
mr_message_item_get_timestamp_text (MrMessageItem *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_ITEM (self), NULL);

  if (self->record == NULL)
    return missing_text (self);
  if (self->timestamp_text == NULL)
    self->timestamp_text = mr_message_format_timestamp (self->record->timestamp);

  return self->timestamp_text;
}

const char *
mr_message_item_get_key_text (MrMessageItem *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_ITEM (self), NULL);

  if (self->record == NULL)
    return "";
  if (self->key_text == NULL)
    self->key_text = mr_message_preview_bytes (self->record->key, 60);

  return self->key_text;
}

const char *
mr_message_item_get_value_text (MrMessageItem *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_ITEM (self), NULL);

  if (self->record == NULL)
    return "";
  if (self->value_text == NULL)
    self->value_text = mr_message_preview_bytes (self->record->value, PREVIEW_CHARS);

  return self->value_text;
}

const char *
mr_message_item_get_headers_text (MrMessageItem *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE_ITEM (self), NULL);

  if (self->record == NULL)
    return "";
  if (self->headers_text == NULL)
    {
      GString *str = g_string_new (NULL);
      GArray *headers = self->record->headers;

      for (guint i = 0; headers != NULL && i < headers->len; i++)
        {
          const MrRecordCopyHeader *h = &g_array_index (headers, MrRecordCopyHeader, i);
          g_autofree char *value = mr_message_preview_bytes (h->value, 40);

          if (i > 0)
            g_string_append (str, ", ");
          g_string_append_printf (str, "%s=%s", h->key, value);
        }
      self->headers_text = g_string_free (str, FALSE);
    }

  return self->headers_text;
}
