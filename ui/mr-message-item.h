/* mr-message-item.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib-object.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_MESSAGE_ITEM (mr_message_item_get_type())

G_DECLARE_FINAL_TYPE (MrMessageItem, mr_message_item, MR, MESSAGE_ITEM, GObject)

MrMessageItem      *mr_message_item_new             (gint32          partition,
                                                     gint64          offset) G_GNUC_WARN_UNUSED_RESULT;
gint32              mr_message_item_get_partition   (MrMessageItem  *self);
gint64              mr_message_item_get_offset      (MrMessageItem  *self);
/* TRUE once the page holding the record arrived. */
gboolean            mr_message_item_get_loaded      (MrMessageItem  *self);
/* The record, or NULL while loading or when the offset holds none
 * (compacted away). */
const MrRecordCopy *mr_message_item_get_record      (MrMessageItem  *self);
/* Gives the item the page that holds (or should hold) its record. */
void                mr_message_item_set_page        (MrMessageItem  *self,
                                                     MrRecordPage   *page);

/* Texts for the columns, made on first use. */
const char         *mr_message_item_get_offset_text    (MrMessageItem *self);
const char         *mr_message_item_get_timestamp_text (MrMessageItem *self);
const char         *mr_message_item_get_key_text       (MrMessageItem *self);
const char         *mr_message_item_get_value_text     (MrMessageItem *self);
const char         *mr_message_item_get_headers_text   (MrMessageItem *self);

/* Shared with the detail pane: a one-line preview of @bytes (NULL reads
 * "null"), and a timestamp in local time with milliseconds. */
char               *mr_message_preview_bytes        (GBytes         *bytes,
                                                     gsize           max_chars) G_GNUC_WARN_UNUSED_RESULT;
char               *mr_message_format_timestamp     (gint64          timestamp_ms) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
