/* mr-timeline-item.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-timeline-item.h"

/* One cluster event as the window's timeline shows it: the time of day, the
 * engine's one-line summary and an icon for its kind, as properties that a
 * list item template can look up. */

struct _MrTimelineItem
{
  GObject          parent_instance;

  MrClusterEvent  *event;
  char            *summary;
  char            *time;
  const char      *icon_name;
  char           **icon_classes;
};

G_DEFINE_FINAL_TYPE (MrTimelineItem, mr_timeline_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_EVENT,
  PROP_SUMMARY,
  PROP_TIME,
  PROP_ICON_NAME,
  PROP_ICON_CLASSES,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* Helpers. */

/* An icon per kind, coloured by how bad the news is. */
static const char *
icon_for_event (MrClusterEvent  *event,
                const char     **style)
{
  *style = NULL;

  switch (mr_cluster_event_get_kind (event))
    {
    case MR_CLUSTER_EVENT_KIND_BROKER_STATE_CHANGED:
      switch (mr_cluster_event_get_new_state (event))
        {
        case MR_BROKER_STATE_RUNNING:
          *style = "success";
          return "media-playback-start-symbolic";
        case MR_BROKER_STATE_STOPPED:
          return "media-playback-stop-symbolic";
        case MR_BROKER_STATE_CRASHED:
          *style = "error";
          return "mr-broker-crash-symbolic";
        case MR_BROKER_STATE_PAUSED:
          *style = "warning";
          return "media-playback-pause-symbolic";
        case MR_BROKER_STATE_ISOLATED:
          *style = "warning";
          return "mr-broker-isolate-symbolic";
        default:
          return "dialog-information-symbolic";
        }

    case MR_CLUSTER_EVENT_KIND_CONTROLLER_MOVED:
      *style = "accent";
      return "emblem-system-symbolic";

    case MR_CLUSTER_EVENT_KIND_LEADER_ELECTED:
      if (mr_cluster_event_get_leader (event) < 0)
        {
          *style = "error";
          return "dialog-error-symbolic";
        }
      return "starred-symbolic";

    case MR_CLUSTER_EVENT_KIND_PREFERRED_LEADER_RESTORED:
      *style = "success";
      return "starred-symbolic";

    case MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED:
      *style = "error";
      return "dialog-error-symbolic";

    case MR_CLUSTER_EVENT_KIND_ISR_SHRUNK:
      *style = "warning";
      return "list-remove-symbolic";

    case MR_CLUSTER_EVENT_KIND_ISR_EXPANDED:
      *style = "success";
      return "list-add-symbolic";

    case MR_CLUSTER_EVENT_KIND_REPLICA_TRUNCATED:
      *style = "warning";
      return "edit-cut-symbolic";

    case MR_CLUSTER_EVENT_KIND_TOPIC_CREATED:
      return "document-new-symbolic";

    case MR_CLUSTER_EVENT_KIND_TOPIC_DELETED:
      return "user-trash-symbolic";

    case MR_CLUSTER_EVENT_KIND_PARTITIONS_ADDED:
      return "list-add-symbolic";

    case MR_CLUSTER_EVENT_KIND_TOPIC_CONFIG_CHANGED:
      return "document-edit-symbolic";

    case MR_CLUSTER_EVENT_KIND_FAULT_INJECTED:
      *style = "warning";
      if (g_strcmp0 (mr_cluster_event_get_fault (event), "slow") == 0)
        return "mr-broker-slow-symbolic";
      return "dialog-warning-symbolic";

    case MR_CLUSTER_EVENT_KIND_FAULT_HEALED:
      *style = "success";
      return "mr-broker-heal-symbolic";

    case MR_CLUSTER_EVENT_KIND_GROUP_REBALANCED:
      return "system-users-symbolic";

    default:
      return "dialog-information-symbolic";
    }
}

static char *
format_time (gint64 time_ms)
{
  g_autoptr(GDateTime) date_time = NULL;
  g_autofree char *seconds = NULL;

  date_time = g_date_time_new_from_unix_local (time_ms / 1000);
  if (date_time == NULL)
    return g_strdup ("");

  /* To the millisecond: a crash, the session timeout and the elections
   * that follow all fall within a second or two. */
  seconds = g_date_time_format (date_time, "%H:%M:%S");

  return g_strdup_printf ("%s.%03d", seconds, (int) (time_ms % 1000));
}

static void
set_event (MrTimelineItem *self,
           MrClusterEvent *event)
{
  const char *style = NULL;
  GStrvBuilder *builder;

  g_assert (self->event == NULL);
  g_assert (event != NULL);

  self->event = mr_cluster_event_ref (event);
  self->summary = mr_cluster_event_dup_summary (event);
  self->time = format_time (mr_cluster_event_get_time (event));
  self->icon_name = icon_for_event (event, &style);

  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, "timeline-icon");
  if (style != NULL)
    g_strv_builder_add (builder, style);
  self->icon_classes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
}

/* Virtual functions. */

static void
mr_timeline_item_finalize (GObject *object)
{
  MrTimelineItem *self = MR_TIMELINE_ITEM (object);

  g_clear_pointer (&self->event, mr_cluster_event_unref);
  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->time, g_free);
  g_clear_pointer (&self->icon_classes, g_strfreev);

  G_OBJECT_CLASS (mr_timeline_item_parent_class)->finalize (object);
}

static void
mr_timeline_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MrTimelineItem *self = MR_TIMELINE_ITEM (object);

  switch (prop_id)
    {
    case PROP_EVENT:
      g_value_set_boxed (value, self->event);
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;

    case PROP_TIME:
      g_value_set_string (value, self->time);
      break;

    case PROP_ICON_NAME:
      g_value_set_static_string (value, self->icon_name);
      break;

    case PROP_ICON_CLASSES:
      g_value_set_boxed (value, self->icon_classes);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_timeline_item_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  MrTimelineItem *self = MR_TIMELINE_ITEM (object);

  switch (prop_id)
    {
    case PROP_EVENT:
      set_event (self, g_value_get_boxed (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_timeline_item_class_init (MrTimelineItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_timeline_item_finalize;
  object_class->get_property = mr_timeline_item_get_property;
  object_class->set_property = mr_timeline_item_set_property;

  /**
   * MrTimelineItem:event:
   *
   * The event the item shows.
   */
  properties [PROP_EVENT] =
    g_param_spec_boxed ("event", NULL, NULL,
                        MR_TYPE_CLUSTER_EVENT,
                        (G_PARAM_READWRITE |
                         G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS));

  /**
   * MrTimelineItem:summary:
   *
   * The engine's one-line summary of the event.
   */
  properties [PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * MrTimelineItem:time:
   *
   * When the event happened, as a local time of day to the millisecond.
   */
  properties [PROP_TIME] =
    g_param_spec_string ("time", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * MrTimelineItem:icon-name:
   *
   * A symbolic icon for the event's kind.
   */
  properties [PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * MrTimelineItem:icon-classes:
   *
   * The style classes of the icon: libadwaita's "success", "warning",
   * "error" or "accent" by how bad the news is.
   */
  properties [PROP_ICON_CLASSES] =
    g_param_spec_boxed ("icon-classes", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_READABLE |
                         G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mr_timeline_item_init (MrTimelineItem *self)
{
}

/* Public API. */

/**
 * mr_timeline_item_new:
 * @event: an emitted event
 *
 * Returns: (transfer full): a new #MrTimelineItem
 */
MrTimelineItem *
mr_timeline_item_new (MrClusterEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return g_object_new (MR_TYPE_TIMELINE_ITEM,
                       "event", event,
                       NULL);
}

/**
 * mr_timeline_item_get_event:
 * @self: a #MrTimelineItem
 *
 * Returns: (transfer none): the event
 */
MrClusterEvent *
mr_timeline_item_get_event (MrTimelineItem *self)
{
  g_return_val_if_fail (MR_IS_TIMELINE_ITEM (self), NULL);

  return self->event;
}

guint64
mr_timeline_item_get_seq (MrTimelineItem *self)
{
  g_return_val_if_fail (MR_IS_TIMELINE_ITEM (self), 0);

  return mr_cluster_event_get_seq (self->event);
}

const char *
mr_timeline_item_get_summary (MrTimelineItem *self)
{
  g_return_val_if_fail (MR_IS_TIMELINE_ITEM (self), NULL);

  return self->summary;
}

const char *
mr_timeline_item_get_time (MrTimelineItem *self)
{
  g_return_val_if_fail (MR_IS_TIMELINE_ITEM (self), NULL);

  return self->time;
}

const char *
mr_timeline_item_get_icon_name (MrTimelineItem *self)
{
  g_return_val_if_fail (MR_IS_TIMELINE_ITEM (self), NULL);

  return self->icon_name;
}

/**
 * mr_timeline_item_matches:
 * @self: a #MrTimelineItem
 * @filter: which events to show
 *
 * Returns: whether the event belongs with @filter
 */
gboolean
mr_timeline_item_matches (MrTimelineItem   *self,
                          MrTimelineFilter  filter)
{
  MrClusterEventKind kind;

  g_return_val_if_fail (MR_IS_TIMELINE_ITEM (self), FALSE);

  kind = mr_cluster_event_get_kind (mr_timeline_item_get_event (self));

  switch (filter)
    {
    case MR_TIMELINE_FILTER_ALL:
      return TRUE;

    case MR_TIMELINE_FILTER_ELECTIONS:
      return kind == MR_CLUSTER_EVENT_KIND_LEADER_ELECTED ||
             kind == MR_CLUSTER_EVENT_KIND_UNCLEAN_LEADER_ELECTED ||
             kind == MR_CLUSTER_EVENT_KIND_PREFERRED_LEADER_RESTORED ||
             kind == MR_CLUSTER_EVENT_KIND_CONTROLLER_MOVED;

    case MR_TIMELINE_FILTER_ISR:
      return kind == MR_CLUSTER_EVENT_KIND_ISR_SHRUNK ||
             kind == MR_CLUSTER_EVENT_KIND_ISR_EXPANDED ||
             kind == MR_CLUSTER_EVENT_KIND_REPLICA_TRUNCATED;

    case MR_TIMELINE_FILTER_BROKERS:
      return kind == MR_CLUSTER_EVENT_KIND_BROKER_STATE_CHANGED ||
             kind == MR_CLUSTER_EVENT_KIND_FAULT_INJECTED ||
             kind == MR_CLUSTER_EVENT_KIND_FAULT_HEALED;

    case MR_TIMELINE_FILTER_TOPICS:
      return kind == MR_CLUSTER_EVENT_KIND_TOPIC_CREATED ||
             kind == MR_CLUSTER_EVENT_KIND_TOPIC_DELETED ||
             kind == MR_CLUSTER_EVENT_KIND_PARTITIONS_ADDED ||
             kind == MR_CLUSTER_EVENT_KIND_TOPIC_CONFIG_CHANGED;

    default:
      g_return_val_if_reached (FALSE);
    }
}
