/* mr-groups-view.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-groups-view.h"

#include <glib/gi18n.h>

#include "mr-copy-records-dialog.h"
#include "mr-reset-offsets-dialog.h"

/* The Consumer Groups view.
 *
 * Above, the groups of the cluster with their state, members and total
 * lag; below, the group chosen: its state and generation, its members with
 * the partitions assigned to each, a table of committed offset, end (high
 * watermark), lag and time lag per partition, and a plot of its lag over
 * the last ten minutes (the engine's lag samples, in an MrSparkline).
 *
 * Everything comes from the engine's groups API, which blocks, so a GTask
 * worker asks it: mr_cluster_list_groups, mr_cluster_describe_group for
 * each, and the lag samples of the group chosen, all in one snapshot that
 * the main thread then shows. Refreshes coalesce: at most one worker runs,
 * and a refresh asked for meanwhile runs once after it. While the view is
 * mapped it refreshes every second, and after every action.
 *
 * The "groups." actions start and stop in-process demo consumers (the
 * engine's group members, which read and commit like a real client), open
 * the reset and copy dialogs, and choose a group; each runs its engine call
 * in a worker and reports through a toast. */

#define POLL_INTERVAL_MS 1000
#define DEMO_CONSUMERS   2

struct _MrGroupsView
{
  GtkWidget          parent_instance;

  /* Template widgets. */
  GtkStack          *stack;
  GtkListBox        *groups_list;
  AdwPreferencesGroup *group_group;
  AdwActionRow      *state_row;
  GtkLabel          *generation_label;
  GtkLabel          *total_lag_label;
  AdwPreferencesGroup *members_group;
  GtkListBox        *members_list;
  AdwPreferencesGroup *offsets_group;
  GtkGrid           *offsets_grid;
  GtkLabel          *lag_max_label;
  MrSparkline       *lag_plot;
  GtkLabel          *lag_start_label;

  MrClusterMonitor  *monitor;
  MrCluster         *cluster;
  GCancellable      *cancellable;

  gboolean           refreshing;
  gboolean           refresh_pending;
  guint              n_refreshes;
  guint              poll_source;
  guint              n_busy;

  GPtrArray         *groups;           /* MrGroupInfo, by id; NULL at first */
  GHashTable        *group_rows;       /* id → AdwActionRow (borrowed) */
  char              *selected;
  char              *members_key;      /* what the member rows show */
  char              *offsets_key;      /* which partitions the table has */
  GPtrArray         *cells;            /* GtkLabel, MR_GROUPS_N_COLUMNS a row */
};

G_DEFINE_FINAL_TYPE (MrGroupsView, mr_groups_view, GTK_TYPE_WIDGET)

static void show_snapshot (MrGroupsView *self);

/* Text. */

static const char *
state_to_text (MrGroupState state)
{
  switch (state)
    {
    case MR_GROUP_STATE_EMPTY:
      return C_("group state", "Empty");
    case MR_GROUP_STATE_PREPARING_REBALANCE:
      return C_("group state", "Preparing rebalance");
    case MR_GROUP_STATE_COMPLETING_REBALANCE:
      return C_("group state", "Completing rebalance");
    case MR_GROUP_STATE_STABLE:
      return C_("group state", "Stable");
    case MR_GROUP_STATE_DEAD:
      return C_("group state", "Dead");
    default:
      g_return_val_if_reached ("");
    }
}

static char *
format_count (gint64 value)
{
  if (value < 0)
    /* Translators: no value: nothing committed, or unknown. */
    return g_strdup (C_("no value", "—"));
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

static char *
format_time_lag (gint64 ms)
{
  if (ms < 0)
    return g_strdup (C_("no value", "—"));
  if (ms == 0)
    return g_strdup (C_("time lag", "caught up"));
  if (ms < 10 * 1000)
    return g_strdup_printf (_("%.1f s"), ms / 1000.0);
  if (ms < 120 * 1000)
    return g_strdup_printf (_("%d s"), (int) (ms / 1000));
  if (ms < 120 * 60 * 1000)
    return g_strdup_printf (_("%d min"), (int) (ms / 60000));
  return g_strdup_printf (_("%d h"), (int) (ms / 3600000));
}

static char *
format_lag (gint64 lag)
{
  g_autofree char *count = NULL;

  if (lag < 0)
    return g_strdup (C_("no value", "—"));
  count = format_count (lag);
  /* Translators: a consumer group's lag: how many records it has not
   * read yet. */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s record behind",
                                       "%s records behind", lag), count);
}

static void
add_toast (MrGroupsView *self,
           const char   *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  /* A toast's title is markup in libadwaita 1.2; group and client ids are
   * anything. */
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (escaped));
  else
    g_debug ("%s", text);
}

static MrGroupInfo *
find_group (MrGroupsView *self,
            const char   *group_id)
{
  if (self->groups == NULL || group_id == NULL)
    return NULL;

  for (guint i = 0; i < self->groups->len; i++)
    {
      MrGroupInfo *info = g_ptr_array_index (self->groups, i);

      if (g_str_equal (info->group_id, group_id))
        return info;
    }

  return NULL;
}

/* The topics a new member of @info subscribes to: those its members read
 * and those it committed offsets for. */
static char **
group_topics (MrGroupInfo *info)
{
  g_autoptr(GPtrArray) topics = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < info->members->len; i++)
    {
      MrGroupMemberInfo *m = g_ptr_array_index (info->members, i);

      for (guint j = 0; m->assignment != NULL && j < m->assignment->len; j++)
        {
          MrTopicPartition *tp = g_ptr_array_index (m->assignment, j);

          if (!g_ptr_array_find_with_equal_func (topics, tp->topic, g_str_equal, NULL))
            g_ptr_array_add (topics, g_strdup (tp->topic));
        }
    }
  for (guint i = 0; i < info->offsets->len; i++)
    {
      MrGroupPartitionInfo *p = g_ptr_array_index (info->offsets, i);

      if (!g_ptr_array_find_with_equal_func (topics, p->topic, g_str_equal, NULL))
        g_ptr_array_add (topics, g_strdup (p->topic));
    }
  g_ptr_array_add (topics, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&topics), FALSE);
}

/* The in-process member to stop first: the last by client id. */
static const char *
last_in_process_member (MrGroupInfo *info)
{
  const char *last = NULL;

  for (guint i = 0; info != NULL && i < info->members->len; i++)
    {
      MrGroupMemberInfo *m = g_ptr_array_index (info->members, i);

      if (m->in_process && (last == NULL || g_strcmp0 (m->client_id, last) > 0))
        last = m->client_id;
    }

  return last;
}

static void
update_actions (MrGroupsView *self)
{
  MrGroupInfo *info = find_group (self, self->selected);
  gboolean has_members = last_in_process_member (info) != NULL;
  g_auto(GStrv) topics = info != NULL ? group_topics (info) : NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.add-member",
                                 topics != NULL && topics[0] != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.stop-member", has_members);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.stop-members", has_members);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "groups.reset-offsets",
                                 topics != NULL && topics[0] != NULL);
}

/* The snapshot: a worker asks the engine. */

typedef struct
{
  MrCluster *cluster;
  char      *selected;
} RefreshData;

typedef struct
{
  GPtrArray *groups;                   /* MrGroupInfo */
  GArray    *samples;                  /* MrLagSample of the selected */
} Snapshot;

static void
refresh_data_free (RefreshData *data)
{
  g_clear_pointer (&data->cluster, mr_cluster_unref);
  g_free (data->selected);
  g_free (data);
}

static void
snapshot_free (Snapshot *snapshot)
{
  g_clear_pointer (&snapshot->groups, g_ptr_array_unref);
  g_clear_pointer (&snapshot->samples, g_array_unref);
  g_free (snapshot);
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const MrGroupInfo *x = *(MrGroupInfo * const *) a;
  const MrGroupInfo *y = *(MrGroupInfo * const *) b;

  return g_strcmp0 (x->group_id, y->group_id);
}

static int
compare_members (gconstpointer a,
                 gconstpointer b)
{
  const MrGroupMemberInfo *x = *(MrGroupMemberInfo * const *) a;
  const MrGroupMemberInfo *y = *(MrGroupMemberInfo * const *) b;

  return g_strcmp0 (x->client_id, y->client_id);
}

static void
refresh_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefreshData *data = task_data;
  g_autoptr(GPtrArray) listings = NULL;
  g_autoptr(GError) error = NULL;
  Snapshot *snapshot;

  listings = mr_cluster_list_groups (data->cluster, &error);
  if (listings == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  snapshot = g_new0 (Snapshot, 1);
  snapshot->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_group_info_free);
  for (guint i = 0; i < listings->len; i++)
    {
      MrGroupListing *listing = g_ptr_array_index (listings, i);
      g_autoptr(GError) local_error = NULL;
      MrGroupInfo *info;

      if (listing->state == MR_GROUP_STATE_DEAD)
        continue;
      info = mr_cluster_describe_group (data->cluster, listing->group_id, &local_error);
      if (info != NULL)
        g_ptr_array_add (snapshot->groups, info);
      else
        g_debug ("Describing group %s: %s", listing->group_id, local_error->message);
    }
  g_ptr_array_sort (snapshot->groups, compare_groups);
  for (guint i = 0; i < snapshot->groups->len; i++)
    g_ptr_array_sort (((MrGroupInfo *) g_ptr_array_index (snapshot->groups, i))->members,
                      compare_members);

  if (data->selected != NULL)
    snapshot->samples = mr_cluster_get_group_lag_samples (data->cluster, data->selected);

  g_task_return_pointer (task, snapshot, (GDestroyNotify) snapshot_free);
}

static void start_refresh (MrGroupsView *self);

/* What the plot says to a screen reader: its latest value and its top. */
static void
update_plot_description (MrGroupsView *self,
                         double        last)
{
  g_autofree char *now = format_count ((gint64) last);
  g_autofree char *max = format_count ((gint64) mr_sparkline_get_max (self->lag_plot));
  g_autofree char *text = NULL;

  /* Translators: the lag plot's description: the lag now, then the
   * largest over the time shown. */
  text = g_strdup_printf (_("%s records behind now, at most %s"), now, max);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lag_plot),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
}

static void
refresh_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MrGroupsView) self = user_data;
  g_autoptr(GError) error = NULL;
  Snapshot *snapshot;

  snapshot = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->refreshing = FALSE;

  if (snapshot != NULL)
    {
      g_clear_pointer (&self->groups, g_ptr_array_unref);
      self->groups = g_steal_pointer (&snapshot->groups);
      if (snapshot->samples != NULL)
        {
          g_autofree double *values = g_new0 (double, MAX (snapshot->samples->len, 1));

          for (guint i = 0; i < snapshot->samples->len; i++)
            values[i] = g_array_index (snapshot->samples, MrLagSample, i).lag;
          mr_sparkline_set_values (self->lag_plot, values, snapshot->samples->len);

          if (snapshot->samples->len > 0)
            {
              gint64 first = g_array_index (snapshot->samples, MrLagSample, 0).time_ms;
              gint64 age_s = MAX (0, g_get_real_time () / 1000 - first) / 1000;
              g_autofree char *max = format_count ((gint64) mr_sparkline_get_max (self->lag_plot));
              g_autofree char *start = NULL;
              g_autofree char *top = NULL;

              if (age_s >= 120)
                /* Translators: the left end of the lag plot. */
                start = g_strdup_printf (_("%d min ago"), (int) (age_s / 60));
              else
                start = g_strdup_printf (_("%d s ago"), (int) age_s);
              /* Translators: the top of the lag plot's scale. */
              top = g_strdup_printf (_("%s records"), max);
              gtk_label_set_label (self->lag_start_label, start);
              gtk_label_set_label (self->lag_max_label, top);
              update_plot_description (self, values[snapshot->samples->len - 1]);
            }
          else
            {
              gtk_label_set_label (self->lag_start_label, "");
              gtk_label_set_label (self->lag_max_label, _("No samples yet"));
            }
        }
      snapshot_free (snapshot);
      self->n_refreshes++;
      show_snapshot (self);
    }
  else
    {
      /* The listing itself does not fail today; should it, the last
       * answer stays shown and the next tick tries again. */
      g_debug ("Listing groups: %s", error->message);
    }

  if (self->refresh_pending)
    {
      self->refresh_pending = FALSE;
      start_refresh (self);
    }
}

static void
start_refresh (MrGroupsView *self)
{
  g_autoptr(GTask) task = NULL;
  RefreshData *data;

  if (self->cancellable == NULL)
    return;
  if (self->refreshing)
    {
      self->refresh_pending = TRUE;
      return;
    }

  data = g_new0 (RefreshData, 1);
  data->cluster = mr_cluster_ref (self->cluster);
  data->selected = g_strdup (self->selected);

  self->refreshing = TRUE;
  task = g_task_new (NULL, self->cancellable, refresh_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_refresh);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);
  g_task_run_in_thread (task, refresh_worker);
}

/* Showing it. */

static void
group_row_update (AdwActionRow *row,
                  MrGroupInfo  *info)
{
  GtkLabel *lag_label = g_object_get_data (G_OBJECT (row), "lag-label");
  g_autofree char *subtitle = NULL;
  g_autofree char *lag = format_lag (info->total_lag);

  /* Translators: a group's state, then how many members it has. */
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u member", "%s · %u members",
                                           info->members->len),
                              state_to_text (info->state), info->members->len);
  adw_action_row_set_subtitle (row, subtitle);
  gtk_label_set_label (lag_label, lag);
  gtk_widget_set_visible (GTK_WIDGET (lag_label), info->offsets->len > 0);
}

static int
sort_rows (GtkListBoxRow *a,
           GtkListBoxRow *b,
           gpointer       user_data)
{
  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (a)),
                    adw_preferences_row_get_title (ADW_PREFERENCES_ROW (b)));
}

static void
update_group_rows (MrGroupsView *self)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->groups->len; i++)
    {
      MrGroupInfo *info = g_ptr_array_index (self->groups, i);
      AdwActionRow *row = g_hash_table_lookup (self->group_rows, info->group_id);

      if (row == NULL)
        {
          GtkWidget *label = gtk_label_new (NULL);

          /* A row of a boxed list, made per group as the lab makes its
           * broker rows: the list box has no model to bind. */
          row = ADW_ACTION_ROW (adw_action_row_new ());
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->group_id);
          gtk_widget_add_css_class (label, "numeric");
          adw_action_row_add_suffix (row, label);
          g_object_set_data (G_OBJECT (row), "lag-label", label);
          g_object_set_data_full (G_OBJECT (row), "group-id", g_strdup (info->group_id), g_free);
          gtk_list_box_append (self->groups_list, GTK_WIDGET (row));
          g_hash_table_insert (self->group_rows, g_strdup (info->group_id), row);
        }
      group_row_update (row, info);
      g_hash_table_add (seen, info->group_id);
    }

  g_hash_table_iter_init (&iter, self->group_rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        gtk_list_box_remove (self->groups_list, value);
        g_hash_table_iter_remove (&iter);
      }
}

static char *
assignment_text (MrGroupMemberInfo *m)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (m->assignment == NULL || m->assignment->len == 0)
    return g_strdup (_("No partitions"));

  for (guint i = 0; i < m->assignment->len; i++)
    {
      MrTopicPartition *tp = g_ptr_array_index (m->assignment, i);

      if (i > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, "%s-%d", tp->topic, tp->partition);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_members (MrGroupsView *self,
                MrGroupInfo  *info)
{
  g_autoptr(GString) key = g_string_new (NULL);
  GtkWidget *child;

  for (guint i = 0; i < info->members->len; i++)
    {
      MrGroupMemberInfo *m = g_ptr_array_index (info->members, i);
      g_autofree char *assigned = assignment_text (m);

      g_string_append_printf (key, "%s|%s|%s;", m->member_id, m->client_id, assigned);
    }
  if (g_strcmp0 (key->str, self->members_key) == 0)
    return;
  g_free (self->members_key);
  self->members_key = g_strdup (key->str);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->members_list))) != NULL)
    gtk_list_box_remove (self->members_list, child);

  for (guint i = 0; i < info->members->len; i++)
    {
      MrGroupMemberInfo *m = g_ptr_array_index (info->members, i);
      g_autofree char *assigned = assignment_text (m);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), m->client_id);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), assigned);
      gtk_widget_set_tooltip_text (row, m->member_id);
      if (m->in_process)
        {
          GtkWidget *tag = gtk_label_new (C_("member", "Demo"));

          gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (tag, "tag");
          gtk_widget_add_css_class (tag, "caption");
          gtk_widget_set_tooltip_text (tag, _("A demo consumer running in Millrace"));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), tag);
        }
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("avatar-default-symbolic"));
      gtk_list_box_append (self->members_list, row);
    }
}

static GtkWidget *
cell_new (const char *text,
          gboolean    header)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (header)
    {
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_widget_add_css_class (label, "dim-label");
    }
  else
    gtk_widget_add_css_class (label, "numeric");

  return label;
}

static void
set_text (GtkLabel   *label,
          const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

static void
update_offsets (MrGroupsView *self,
                MrGroupInfo  *info)
{
  g_autoptr(GString) key = g_string_new (NULL);

  for (guint i = 0; i < info->offsets->len; i++)
    {
      MrGroupPartitionInfo *p = g_ptr_array_index (info->offsets, i);

      g_string_append_printf (key, "%s/%d;", p->topic, p->partition);
    }

  /* A new set of partitions: the table again, a header and a row each. */
  if (g_strcmp0 (key->str, self->offsets_key) != 0)
    {
      const char *headers[MR_GROUPS_N_COLUMNS] = {
        C_("offsets table", "Partition"),
        C_("offsets table", "Committed"),
        C_("offsets table", "End"),
        C_("offsets table", "Lag"),
        C_("offsets table", "Time Lag"),
      };
      GtkWidget *child;

      g_free (self->offsets_key);
      self->offsets_key = g_strdup (key->str);
      g_ptr_array_set_size (self->cells, 0);
      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->offsets_grid))) != NULL)
        gtk_grid_remove (self->offsets_grid, child);

      for (guint c = 0; c < MR_GROUPS_N_COLUMNS; c++)
        {
          GtkWidget *label = cell_new (headers[c], TRUE);

          if (c == 0)
            gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_grid_attach (self->offsets_grid, label, c, 0, 1, 1);
        }
      for (guint i = 0; i < info->offsets->len; i++)
        for (guint c = 0; c < MR_GROUPS_N_COLUMNS; c++)
          {
            GtkWidget *label = cell_new (NULL, FALSE);

            if (c == 0)
              gtk_label_set_xalign (GTK_LABEL (label), 0);
            gtk_grid_attach (self->offsets_grid, label, c, i + 1, 1, 1);
            g_ptr_array_add (self->cells, label);
          }
    }

  for (guint i = 0; i < info->offsets->len; i++)
    {
      MrGroupPartitionInfo *p = g_ptr_array_index (info->offsets, i);
      GtkLabel **row = (GtkLabel **) &self->cells->pdata[i * MR_GROUPS_N_COLUMNS];
      g_autofree char *partition = g_strdup_printf ("%s-%d", p->topic, p->partition);
      g_autofree char *committed = format_count (p->committed_offset);
      g_autofree char *end = format_count (p->high_watermark);
      g_autofree char *lag = format_count (p->lag);
      g_autofree char *time_lag = format_time_lag (p->time_lag_ms);

      set_text (row[MR_GROUPS_COLUMN_PARTITION], partition);
      set_text (row[MR_GROUPS_COLUMN_COMMITTED], committed);
      set_text (row[MR_GROUPS_COLUMN_END], end);
      set_text (row[MR_GROUPS_COLUMN_LAG], lag);
      set_text (row[MR_GROUPS_COLUMN_TIME_LAG], time_lag);
      if (p->lag > 0)
        gtk_widget_add_css_class (GTK_WIDGET (row[MR_GROUPS_COLUMN_LAG]), "warning");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (row[MR_GROUPS_COLUMN_LAG]), "warning");
    }
}

static void
show_selected (MrGroupsView *self)
{
  MrGroupInfo *info = find_group (self, self->selected);
  gboolean shown = info != NULL;
  g_autofree char *generation = NULL;
  g_autofree char *lag = NULL;
  g_autofree char *title = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->group_group), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->members_group), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->offsets_group), shown);
  gtk_widget_set_visible (gtk_widget_get_ancestor (GTK_WIDGET (self->lag_plot),
                                                   ADW_TYPE_PREFERENCES_GROUP), shown);
  update_actions (self);
  if (!shown)
    return;

  /* The group's title and description are markup. */
  title = g_markup_escape_text (info->group_id, -1);
  adw_preferences_group_set_title (self->group_group, title);
  if (info->protocol != NULL && info->protocol[0] != '\0')
    {
      g_autofree char *protocol = g_markup_escape_text (info->protocol, -1);
      /* Translators: the group's assignor (such as "range") and its
       * coordinator. */
      g_autofree char *description = g_strdup_printf (_("Assignor “%s”, coordinator broker %d"),
                                                      protocol, info->coordinator);
      adw_preferences_group_set_description (self->group_group, description);
    }
  else
    {
      g_autofree char *description = g_strdup_printf (_("Coordinator broker %d"),
                                                      info->coordinator);
      adw_preferences_group_set_description (self->group_group, description);
    }
  adw_action_row_set_subtitle (self->state_row, state_to_text (info->state));
  /* Translators: a group's generation: it rises with every rebalance. */
  generation = g_strdup_printf (_("Generation %d"), info->generation);
  set_text (self->generation_label, generation);
  lag = info->offsets->len > 0 ? format_lag (info->total_lag) : g_strdup (_("Nothing committed yet"));
  set_text (self->total_lag_label, lag);

  gtk_widget_set_visible (GTK_WIDGET (self->members_list), info->members->len > 0);
  if (info->members->len == 0)
    adw_preferences_group_set_description (self->members_group,
                                           _("No members: the group’s offsets stay until it has some again"));
  else
    adw_preferences_group_set_description (self->members_group,
                                           _("Each member reads the partitions the group assigned to it"));
  update_members (self, info);

  gtk_widget_set_visible (GTK_WIDGET (self->offsets_grid), info->offsets->len > 0);
  update_offsets (self, info);
}

static void
show_snapshot (MrGroupsView *self)
{
  AdwActionRow *row;

  if (self->groups == NULL)
    return;

  if (self->groups->len == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      g_clear_pointer (&self->selected, g_free);
      update_group_rows (self);
      update_actions (self);
      return;
    }

  update_group_rows (self);
  if (find_group (self, self->selected) == NULL)
    {
      MrGroupInfo *first = g_ptr_array_index (self->groups, 0);

      g_free (self->selected);
      self->selected = g_strdup (first->group_id);
      /* Its lag samples come with the next refresh. */
      mr_sparkline_set_values (self->lag_plot, NULL, 0);
      start_refresh (self);
    }
  row = g_hash_table_lookup (self->group_rows, self->selected);
  if (row != NULL && gtk_list_box_get_selected_row (self->groups_list) != GTK_LIST_BOX_ROW (row))
    gtk_list_box_select_row (self->groups_list, GTK_LIST_BOX_ROW (row));
  show_selected (self);
  gtk_stack_set_visible_child_name (self->stack, "groups");
}

/* Operations on demo consumers, each in a worker. */

typedef enum
{
  OP_START,
  OP_STOP_ONE,
  OP_STOP_ALL,
} OpKind;

typedef struct
{
  OpKind     kind;
  MrCluster *cluster;
  char      *group_id;
  char      *client_id;
  char     **topics;
  guint      count;
} Op;

static void
op_free (Op *op)
{
  g_clear_pointer (&op->cluster, mr_cluster_unref);
  g_free (op->group_id);
  g_free (op->client_id);
  g_strfreev (op->topics);
  g_free (op);
}

static void
op_worker (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  switch (op->kind)
    {
    case OP_START:
      for (guint i = 0; i < op->count; i++)
        {
          g_autofree char *name = NULL;

          if (!mr_cluster_start_group_member (op->cluster, op->group_id, NULL,
                                              (const char * const *) op->topics,
                                              &name, &error))
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          if (op->count == 1)
            /* Translators: a demo consumer's name, then its group's. */
            text = g_strdup_printf (_("%s joins %s"), name, op->group_id);
        }
      if (text == NULL)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u demo consumer joins %s",
                                             "%u demo consumers join %s", op->count),
                                op->count, op->group_id);
      break;

    case OP_STOP_ONE:
      if (!mr_cluster_stop_group_member (op->cluster, op->group_id, op->client_id))
        text = g_strdup_printf (_("%s had stopped already"), op->client_id);
      else
        /* Translators: a demo consumer's name, then its group's. */
        text = g_strdup_printf (_("%s left %s"), op->client_id, op->group_id);
      break;

    case OP_STOP_ALL:
      {
        guint n = mr_cluster_stop_group_members (op->cluster, op->group_id);

        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u demo consumer left %s",
                                             "%u demo consumers left %s", n),
                                n, op->group_id);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  g_task_return_pointer (task, text, g_free);
}

static void
op_done_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MrGroupsView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->n_busy--;
  if (text != NULL)
    add_toast (self, text);
  else
    {
      /* Translators: why a demo consumer could not start. */
      g_autofree char *message = g_strdup_printf (_("Cannot start a demo consumer: %s"),
                                                  error->message);
      add_toast (self, message);
    }
  start_refresh (self);
}

static void
run_op (MrGroupsView *self,
        Op           *op)
{
  g_autoptr(GTask) task = NULL;

  op->cluster = mr_cluster_ref (self->cluster);
  self->n_busy++;
  task = g_task_new (NULL, self->cancellable, op_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, run_op);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  g_task_run_in_thread (task, op_worker);
}

static void
start_demo (MrGroupsView *self,
            const char   *group_id,
            const char   *topic,
            guint         count)
{
  Op *op = g_new0 (Op, 1);
  const char *topics[] = { topic, NULL };

  op->kind = OP_START;
  op->group_id = g_strdup (group_id);
  op->topics = g_strdupv ((char **) topics);
  op->count = MAX (count, 1);
  g_free (self->selected);
  self->selected = g_strdup (group_id);
  run_op (self, op);
}

/* The "new demo group" dialog: a name and a topic. */

static char *
next_demo_group_name (MrGroupsView *self)
{
  for (guint i = 1; ; i++)
    {
      g_autofree char *name = g_strdup_printf ("demo-group-%u", i);

      if (find_group (self, name) == NULL)
        return g_steal_pointer (&name);
    }
}

static void
new_demo_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      MrGroupsView     *self)
{
  AdwEntryRow *name_row = g_object_get_data (G_OBJECT (dialog), "name-row");
  AdwComboRow *topic_row = g_object_get_data (G_OBJECT (dialog), "topic-row");
  GtkStringObject *topic;
  g_autofree char *name = NULL;

  if (!g_str_equal (response, "start"))
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (name_row))));
  topic = adw_combo_row_get_selected_item (topic_row);
  if (name[0] == '\0' || topic == NULL)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "groups.start-demo", "(ssu)", name,
                              gtk_string_object_get_string (topic), DEMO_CONSUMERS);
}

static void
name_changed_cb (GtkEditable      *editable,
                 AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (editable)));

  adw_message_dialog_set_response_enabled (dialog, "start", name[0] != '\0');
}

static void
new_demo_group_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MrGroupsView *self = MR_GROUPS_VIEW (widget);
  GPtrArray *topics = mr_cluster_monitor_get_topics (self->monitor);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GtkBuilder) builder = NULL;
  g_autofree char *name = next_demo_group_name (self);
  AdwMessageDialog *dialog;
  GtkWidget *name_row;
  GtkWidget *topic_row;

  for (guint i = 0; topics != NULL && i < topics->len; i++)
    {
      MrTopicInfo *topic = g_ptr_array_index (topics, i);

      if (!topic->internal && !g_str_has_prefix (topic->name, "__"))
        gtk_string_list_append (names, topic->name);
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (names)) == 0)
    {
      GtkWidget *note;

      note = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                     _("No Topic to Read"),
                                     _("Demo consumers read a topic, and the cluster has none yet. Create one in the Cluster view first."));
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (note), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (note));
      return;
    }

  builder = gtk_builder_new_from_resource (APP_BASE_PATH "/ui/mr-demo-group-dialog.ui");
  dialog = ADW_MESSAGE_DIALOG (gtk_builder_get_object (builder, "dialog"));
  name_row = GTK_WIDGET (gtk_builder_get_object (builder, "name_row"));
  topic_row = GTK_WIDGET (gtk_builder_get_object (builder, "topic_row"));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  gtk_editable_set_text (GTK_EDITABLE (name_row), name);
  adw_combo_row_set_model (ADW_COMBO_ROW (topic_row), G_LIST_MODEL (names));
  g_object_set_data (G_OBJECT (dialog), "name-row", name_row);
  g_object_set_data (G_OBJECT (dialog), "topic-row", topic_row);

  g_signal_connect_object (dialog, "response", G_CALLBACK (new_demo_response_cb), self, 0);
  g_signal_connect_object (name_row, "changed", G_CALLBACK (name_changed_cb), dialog, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Actions. */

static void
start_demo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MrGroupsView *self = MR_GROUPS_VIEW (widget);
  const char *group_id;
  const char *topic;
  guint32 count;

  g_variant_get (parameter, "(&s&su)", &group_id, &topic, &count);
  start_demo (self, group_id, topic, count);
}

static void
add_member_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MrGroupsView *self = MR_GROUPS_VIEW (widget);
  MrGroupInfo *info = find_group (self, self->selected);
  Op *op;

  if (info == NULL)
    return;

  op = g_new0 (Op, 1);
  op->kind = OP_START;
  op->group_id = g_strdup (info->group_id);
  op->topics = group_topics (info);
  op->count = 1;
  if (op->topics[0] == NULL)
    {
      op_free (op);
      return;
    }
  run_op (self, op);
}

static void
stop_member_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MrGroupsView *self = MR_GROUPS_VIEW (widget);
  MrGroupInfo *info = find_group (self, self->selected);
  const char *client_id = last_in_process_member (info);
  Op *op;

  if (client_id == NULL)
    return;

  op = g_new0 (Op, 1);
  op->kind = OP_STOP_ONE;
  op->group_id = g_strdup (info->group_id);
  op->client_id = g_strdup (client_id);
  run_op (self, op);
  /* Not again for the same one before the next answer. */
  gtk_widget_action_set_enabled (widget, "groups.stop-member", FALSE);
}

static void
stop_members_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MrGroupsView *self = MR_GROUPS_VIEW (widget);
  Op *op;

  if (self->selected == NULL)
    return;

  op = g_new0 (Op, 1);
  op->kind = OP_STOP_ALL;
  op->group_id = g_strdup (self->selected);
  run_op (self, op);
}

static void
select_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  mr_groups_view_select_group (MR_GROUPS_VIEW (widget),
                               g_variant_get_string (parameter, NULL));
}

static void
dialog_changed_cb (MrGroupsView *self,
                   const char   *message)
{
  if (message != NULL)
    add_toast (self, message);
  start_refresh (self);
}

static void
reset_offsets_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  MrGroupsView *self = MR_GROUPS_VIEW (widget);
  MrGroupInfo *info = find_group (self, self->selected);
  g_auto(GStrv) topics = NULL;
  GtkWidget *dialog;

  if (info == NULL)
    return;

  topics = group_topics (info);
  dialog = mr_reset_offsets_dialog_new (self->cluster, info->group_id,
                                        (const char * const *) topics);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  g_signal_connect_object (dialog, "changed", G_CALLBACK (dialog_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
copy_records_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MrGroupsView *self = MR_GROUPS_VIEW (widget);
  GPtrArray *topics = mr_cluster_monitor_get_topics (self->monitor);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GtkWidget *dialog;

  for (guint i = 0; topics != NULL && i < topics->len; i++)
    {
      MrTopicInfo *topic = g_ptr_array_index (topics, i);

      if (!topic->internal && !g_str_has_prefix (topic->name, "__"))
        g_ptr_array_add (names, topic->name);
    }
  g_ptr_array_add (names, NULL);

  dialog = mr_copy_records_dialog_new (self->cluster, (const char * const *) names->pdata);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  g_signal_connect_object (dialog, "changed", G_CALLBACK (dialog_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Callbacks. */

static void
row_selected_cb (MrGroupsView  *self,
                 GtkListBoxRow *row)
{
  const char *group_id;

  if (row == NULL)
    return;

  group_id = g_object_get_data (G_OBJECT (row), "group-id");
  if (g_strcmp0 (group_id, self->selected) == 0)
    return;

  mr_groups_view_select_group (self, group_id);
}

static gboolean
poll_cb (gpointer user_data)
{
  start_refresh (MR_GROUPS_VIEW (user_data));

  return G_SOURCE_CONTINUE;
}

/* Vfuncs. */

static void
mr_groups_view_map (GtkWidget *widget)
{
  MrGroupsView *self = MR_GROUPS_VIEW (widget);

  GTK_WIDGET_CLASS (mr_groups_view_parent_class)->map (widget);

  start_refresh (self);
  if (self->poll_source == 0)
    self->poll_source = g_timeout_add (POLL_INTERVAL_MS, poll_cb, self);
}

static void
mr_groups_view_unmap (GtkWidget *widget)
{
  MrGroupsView *self = MR_GROUPS_VIEW (widget);

  g_clear_handle_id (&self->poll_source, g_source_remove);

  GTK_WIDGET_CLASS (mr_groups_view_parent_class)->unmap (widget);
}

static void
mr_groups_view_dispose (GObject *object)
{
  MrGroupsView *self = MR_GROUPS_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (object), MR_TYPE_GROUPS_VIEW);
  g_clear_pointer (&self->group_rows, g_hash_table_unref);
  g_clear_pointer (&self->cells, g_ptr_array_unref);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (mr_groups_view_parent_class)->dispose (object);
}

static void
mr_groups_view_finalize (GObject *object)
{
  MrGroupsView *self = MR_GROUPS_VIEW (object);

  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_free (self->selected);
  g_free (self->members_key);
  g_free (self->offsets_key);

  G_OBJECT_CLASS (mr_groups_view_parent_class)->finalize (object);
}

static void
mr_groups_view_class_init (MrGroupsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_groups_view_dispose;
  object_class->finalize = mr_groups_view_finalize;

  widget_class->map = mr_groups_view_map;
  widget_class->unmap = mr_groups_view_unmap;

  g_type_ensure (MR_TYPE_SPARKLINE);

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-groups-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, stack);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, groups_list);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, group_group);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, state_row);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, generation_label);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, total_lag_label);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, members_group);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, members_list);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, offsets_group);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, offsets_grid);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, lag_max_label);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, lag_plot);
  gtk_widget_class_bind_template_child (widget_class, MrGroupsView, lag_start_label);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);

  gtk_widget_class_install_action (widget_class, "groups.new-demo-group", NULL, new_demo_group_action);
  gtk_widget_class_install_action (widget_class, "groups.start-demo", "(ssu)", start_demo_action);
  gtk_widget_class_install_action (widget_class, "groups.add-member", NULL, add_member_action);
  gtk_widget_class_install_action (widget_class, "groups.stop-member", NULL, stop_member_action);
  gtk_widget_class_install_action (widget_class, "groups.stop-members", NULL, stop_members_action);
  gtk_widget_class_install_action (widget_class, "groups.reset-offsets", NULL, reset_offsets_action);
  gtk_widget_class_install_action (widget_class, "groups.copy-records", NULL, copy_records_action);
  gtk_widget_class_install_action (widget_class, "groups.select", "s", select_action);

  gtk_widget_class_set_css_name (widget_class, "groupsview");
}

static void
mr_groups_view_init (MrGroupsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->group_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cells = g_ptr_array_new ();
  gtk_list_box_set_sort_func (self->groups_list, sort_rows, NULL, NULL);
  update_actions (self);
}

/* Public API. */

/**
 * mr_groups_view_new:
 * @monitor: the cluster's shared monitor (for its topics)
 *
 * Returns: (transfer floating): the Consumer Groups view
 */
GtkWidget *
mr_groups_view_new (MrClusterMonitor *monitor)
{
  MrGroupsView *self;

  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (monitor), NULL);

  self = g_object_new (MR_TYPE_GROUPS_VIEW, NULL);
  self->monitor = g_object_ref (monitor);
  self->cluster = mr_cluster_monitor_get_cluster (monitor);

  return GTK_WIDGET (self);
}

void
mr_groups_view_refresh (MrGroupsView *self)
{
  g_return_if_fail (MR_IS_GROUPS_VIEW (self));

  start_refresh (self);
}

guint
mr_groups_view_get_n_refreshes (MrGroupsView *self)
{
  g_return_val_if_fail (MR_IS_GROUPS_VIEW (self), 0);

  return self->n_refreshes;
}

gboolean
mr_groups_view_get_busy (MrGroupsView *self)
{
  g_return_val_if_fail (MR_IS_GROUPS_VIEW (self), FALSE);

  return self->n_busy > 0;
}

/**
 * mr_groups_view_get_groups:
 *
 * Returns: (nullable) (transfer none) (element-type MrGroupInfo): the
 *   groups as last shown
 */
GPtrArray *
mr_groups_view_get_groups (MrGroupsView *self)
{
  g_return_val_if_fail (MR_IS_GROUPS_VIEW (self), NULL);

  return self->groups;
}

const char *
mr_groups_view_get_selected_group (MrGroupsView *self)
{
  g_return_val_if_fail (MR_IS_GROUPS_VIEW (self), NULL);

  return self->selected;
}

void
mr_groups_view_select_group (MrGroupsView *self,
                             const char   *group_id)
{
  g_return_if_fail (MR_IS_GROUPS_VIEW (self));
  g_return_if_fail (group_id != NULL);

  if (g_strcmp0 (self->selected, group_id) == 0)
    return;

  g_free (self->selected);
  self->selected = g_strdup (group_id);
  g_clear_pointer (&self->members_key, g_free);
  mr_sparkline_set_values (self->lag_plot, NULL, 0);
  show_snapshot (self);
  start_refresh (self);
}

const char *
mr_groups_view_get_cell_text (MrGroupsView   *self,
                              const char     *topic,
                              gint32          partition,
                              MrGroupsColumn  column)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (MR_IS_GROUPS_VIEW (self), NULL);
  g_return_val_if_fail (column < MR_GROUPS_N_COLUMNS, NULL);

  name = g_strdup_printf ("%s-%d", topic, partition);
  for (guint i = 0; i + MR_GROUPS_N_COLUMNS <= self->cells->len; i += MR_GROUPS_N_COLUMNS)
    if (g_strcmp0 (gtk_label_get_label (self->cells->pdata[i]), name) == 0)
      return gtk_label_get_label (self->cells->pdata[i + column]);

  return NULL;
}

MrSparkline *
mr_groups_view_get_lag_plot (MrGroupsView *self)
{
  g_return_val_if_fail (MR_IS_GROUPS_VIEW (self), NULL);

  return self->lag_plot;
}
