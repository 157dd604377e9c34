/* mr-window-live.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-window-private.h"

#include <glib/gi18n.h>

#include "mr-cluster-view.h"
#include "mr-failure-lab.h"
#include "mr-groups-view.h"
#include "mr-topics-view.h"

/* The window on a running cluster: a sidebar listing the views (the view
 * stack's pages: a page added to the stack is a row in the sidebar) beside
 * the view shown, in an AdwLeaflet that folds to one column when narrow.
 *
 * The views share one MrClusterMonitor, which reads the cluster in workers
 * and follows its events; the window keeps it active while mapped. The
 * window holds the "broker.*" actions that cards and the failure lab
 * activate: each runs mr_cluster_broker_action() in a GTask worker, one at
 * a time per broker, and a refusal comes back as a toast. Workers report
 * through a weak reference: a fault may outlive the window, which never
 * waits for one. */

typedef struct
{
  MrCluster      *cluster;
  gint32          broker_id;
  MrBrokerAction  action;
} BrokerActionData;

typedef struct
{
  GWeakRef  window;
  gint32    broker_id;
  guint     entry;                 /* in broker_actions[] */
} BrokerActionRequest;

/* The faults and recoveries, one window action each, all taking the
 * broker id as an int32 target. */
static const struct
{
  const char     *name;
  MrBrokerAction  action;
} broker_actions[] = {
  { "broker.start",   MR_BROKER_ACTION_START },
  { "broker.stop",    MR_BROKER_ACTION_STOP },
  { "broker.crash",   MR_BROKER_ACTION_CRASH },
  { "broker.pause",   MR_BROKER_ACTION_PAUSE },
  { "broker.resume",  MR_BROKER_ACTION_RESUME },
  { "broker.isolate", MR_BROKER_ACTION_ISOLATE },
  { "broker.heal",    MR_BROKER_ACTION_HEAL },
  { "broker.slow",    MR_BROKER_ACTION_SLOW },
};

/* Faults and recoveries, off the main thread. */

static void
broker_action_data_free (BrokerActionData *data)
{
  g_clear_pointer (&data->cluster, mr_cluster_unref);
  g_free (data);
}

static void
broker_action_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  BrokerActionData *data = task_data;
  GError *error = NULL;
  guint parameter = data->action == MR_BROKER_ACTION_SLOW ? MR_LAB_SLOW_MS : 0;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (mr_cluster_broker_action (data->cluster, data->broker_id, data->action,
                                parameter, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
broker_action_async (MrCluster           *cluster,
                     gint32               broker_id,
                     MrBrokerAction       action,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BrokerActionData *data;

  data = g_new0 (BrokerActionData, 1);
  data->cluster = mr_cluster_ref (cluster);
  data->broker_id = broker_id;
  data->action = action;

  /* No source object: the last reference on the task may drop in the
   * worker thread, and a widget must never be finalized there. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, broker_action_async);
  g_task_set_task_data (task, data, (GDestroyNotify) broker_action_data_free);
  g_task_run_in_thread (task, broker_action_worker);
}

static gboolean
broker_action_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_assert (g_task_get_source_tag (G_TASK (result)) == broker_action_async);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A toast's title for a fault or a recovery that failed. */
static char *
dup_failure_title (MrBrokerAction action,
                   gint32         broker_id)
{
  switch (action)
    {
    case MR_BROKER_ACTION_START:
      return g_strdup_printf (_("Broker %d could not be started"), broker_id);
    case MR_BROKER_ACTION_STOP:
      return g_strdup_printf (_("Broker %d could not be stopped"), broker_id);
    case MR_BROKER_ACTION_CRASH:
      return g_strdup_printf (_("Broker %d could not be crashed"), broker_id);
    case MR_BROKER_ACTION_PAUSE:
      return g_strdup_printf (_("Broker %d could not be paused"), broker_id);
    case MR_BROKER_ACTION_RESUME:
      return g_strdup_printf (_("Broker %d could not be resumed"), broker_id);
    case MR_BROKER_ACTION_ISOLATE:
      return g_strdup_printf (_("Broker %d could not be isolated"), broker_id);
    case MR_BROKER_ACTION_HEAL:
      return g_strdup_printf (_("Broker %d could not be healed"), broker_id);
    case MR_BROKER_ACTION_SLOW:
      return g_strdup_printf (_("Broker %d could not be slowed down"), broker_id);
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Pages. */

/* One line per view: the sidebar lists the stack's pages by itself. */
static GtkWidget *
add_page (MrWindow   *self,
          GtkWidget  *view,
          const char *name,
          const char *title,
          const char *icon_name)
{
  AdwViewStackPage *page;

  page = adw_view_stack_add_titled (self->view_stack, view, name, title);
  adw_view_stack_page_set_icon_name (page, icon_name);

  return view;
}

static void
update_content_title (MrWindow *self)
{
  AdwViewStackPage *page;
  GtkWidget *child = adw_view_stack_get_visible_child (self->view_stack);

  if (child == NULL)
    return;

  page = adw_view_stack_get_page (self->view_stack, child);
  adw_window_title_set_title (self->content_title, adw_view_stack_page_get_title (page));
}

/* Callbacks. */

static void
add_toast_cb (MrWindow *self,
              AdwToast *toast)
{
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (toast));
}

static void
monitor_loading_cb (MrWindow         *self,
                    GParamSpec       *pspec,
                    MrClusterMonitor *monitor)
{
  _mr_window_set_loading (self, mr_cluster_monitor_get_loading (monitor));
}

/* Partitions of user topics that are offline or under-replicated: the
 * Topics page's badge. */
static guint
count_partition_problems (GPtrArray *topics)
{
  guint n_problems = 0;

  for (guint i = 0; topics != NULL && i < topics->len; i++)
    {
      const MrTopicInfo *topic = g_ptr_array_index (topics, i);

      if (topic->internal)
        continue;
      for (guint p = 0; p < topic->partitions->len; p++)
        {
          const MrPartitionInfo *partition = g_ptr_array_index (topic->partitions, p);

          if (partition->leader < 0 || partition->isr->len < partition->replicas->len)
            n_problems++;
        }
    }

  return n_problems;
}

static void
monitor_refreshed_cb (MrWindow         *self,
                      MrClusterMonitor *monitor)
{
  GPtrArray *brokers = mr_cluster_monitor_get_brokers (monitor);
  AdwViewStackPage *page;
  guint n_running = 0;

  for (guint i = 0; i < brokers->len; i++)
    if (((MrBrokerInfo *) g_ptr_array_index (brokers, i))->state == MR_BROKER_STATE_RUNNING)
      n_running++;

  page = adw_view_stack_get_page (self->view_stack, self->cluster_view);
  adw_view_stack_page_set_needs_attention (page, n_running < brokers->len);

  if (self->topics_view != NULL)
    {
      guint n_problems = count_partition_problems (mr_cluster_monitor_get_topics (monitor));

      page = adw_view_stack_get_page (self->view_stack, self->topics_view);
      adw_view_stack_page_set_needs_attention (page, n_problems > 0);
      adw_view_stack_page_set_badge_number (page, n_problems);
    }
}

static void
sidebar_activate_cb (MrWindow    *self,
                     guint        position,
                     GtkListView *list_view)
{
  GtkSelectionModel *pages = gtk_list_view_get_model (list_view);

  /* Enter on a row chooses its view, too; folded, the view is shown. */
  gtk_selection_model_select_item (pages, position, TRUE);
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
}

static void
sidebar_selection_changed_cb (MrWindow *self)
{
  /* Folded, the sidebar is a page of its own: choosing a view shows it. */
  if (adw_leaflet_get_folded (self->leaflet) &&
      adw_leaflet_get_visible_child (self->leaflet) != self->content_box)
    adw_leaflet_set_visible_child (self->leaflet, self->content_box);
}

static void
broker_action_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  BrokerActionRequest *request = user_data;
  g_autoptr(MrWindow) self = g_weak_ref_get (&request->window);
  g_autoptr(GError) error = NULL;
  gint32 broker_id = request->broker_id;
  guint entry = request->entry;

  g_weak_ref_clear (&request->window);
  g_free (request);

  broker_action_finish (result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy_brokers &= ~(1u << (broker_id - 1));

  if (error != NULL)
    {
      g_autofree char *title = NULL;
      g_autofree char *escaped = NULL;

      g_debug ("%s on broker %d failed: %s",
               broker_actions[entry].name, broker_id, error->message);

      /* The buttons offer only what the broker's state allows, so a
       * refusal means the state changed meanwhile: the refresh below shows
       * how. Other failures carry their reason. */
      if (g_error_matches (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_UNKNOWN_BROKER))
        /* Translators: %d is a broker id. */
        title = g_strdup_printf (_("There is no broker %d"), broker_id);
      else if (g_error_matches (error, MR_CLUSTER_ERROR, MR_CLUSTER_ERROR_INVALID_STATE))
        title = dup_failure_title (broker_actions[entry].action, broker_id);
      else
        {
          g_autofree char *failed = dup_failure_title (broker_actions[entry].action,
                                                       broker_id);

          /* Translators: a failure, then its reason. */
          title = g_strdup_printf (_("%s: %s"), failed, error->message);
        }

      /* Toast titles are markup. */
      escaped = g_markup_escape_text (title, -1);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
    }

  if (self->monitor != NULL)
    mr_cluster_monitor_refresh (self->monitor);
}

/* Actions. */

static void
broker_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);
  BrokerActionRequest *request;
  gint32 broker_id;
  guint entry;

  for (entry = 0; entry < G_N_ELEMENTS (broker_actions); entry++)
    if (g_str_equal (broker_actions[entry].name, action_name))
      break;

  g_assert (entry < G_N_ELEMENTS (broker_actions));
  g_assert (g_variant_is_of_type (parameter, G_VARIANT_TYPE_INT32));

  if (self->cluster == NULL || self->live_cancellable == NULL)
    return;

  broker_id = g_variant_get_int32 (parameter);

  /* One change at a time per broker: a second click waits for the first. */
  if (broker_id >= 1 && broker_id <= MR_CLUSTER_MAX_BROKERS)
    {
      if (self->busy_brokers & (1u << (broker_id - 1)))
        return;
      self->busy_brokers |= 1u << (broker_id - 1);
    }

  g_debug ("%s on broker %d", action_name, broker_id);

  request = g_new0 (BrokerActionRequest, 1);
  g_weak_ref_init (&request->window, self);
  request->broker_id = broker_id;
  request->entry = entry;

  broker_action_async (self->cluster,
                       broker_id,
                       broker_actions[entry].action,
                       self->live_cancellable,
                       broker_action_cb,
                       request);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (self->cluster == NULL)
    return;

  if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    {
      adw_view_stack_set_visible_child_name (self->view_stack, name);
      adw_leaflet_set_visible_child (self->leaflet, self->content_box);
    }
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
start_demo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);

  if (self->failure_lab == NULL)
    return;

  adw_view_stack_set_visible_child (self->view_stack, self->failure_lab);
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
  mr_failure_lab_start_demo (MR_FAILURE_LAB (self->failure_lab));
}

/* For mr-window.c. */

void
_mr_window_class_init_live (MrWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  for (guint i = 0; i < G_N_ELEMENTS (broker_actions); i++)
    gtk_widget_class_install_action (widget_class, broker_actions[i].name, "i",
                                     broker_action);

  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.start-demo", NULL, start_demo_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK,
                                       "win.show-page", "s", "cluster");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK,
                                       "win.show-page", "s", "topics");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK,
                                       "win.show-page", "s", "groups");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK,
                                       "win.show-page", "s", "failure-lab");
}

void
_mr_window_init_live (MrWindow *self)
{
  g_autoptr(GtkSelectionModel) pages = NULL;

  /* Nothing to act on until a cluster comes. */
  for (guint i = 0; i < G_N_ELEMENTS (broker_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), broker_actions[i].name, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-demo", FALSE);

  pages = adw_view_stack_get_pages (self->view_stack);
  gtk_list_view_set_model (self->sidebar_list, pages);
  g_signal_connect_swapped (self->sidebar_list, "activate",
                            G_CALLBACK (sidebar_activate_cb), self);
  g_signal_connect_swapped (pages, "selection-changed",
                            G_CALLBACK (sidebar_selection_changed_cb), self);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child",
                            G_CALLBACK (update_content_title), self);
}

/* Shows the cluster and starts following it; from constructed(). */
void
_mr_window_start_live (MrWindow *self)
{
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  g_assert (MR_IS_WINDOW (self));
  g_assert (self->cluster != NULL);
  g_assert (self->live_cancellable == NULL);

  self->live_cancellable = g_cancellable_new ();
  self->monitor = mr_cluster_monitor_new (self->cluster);

  for (guint i = 0; i < G_N_ELEMENTS (broker_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), broker_actions[i].name, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-demo", TRUE);

  /* The views, one line each. */
  self->cluster_view = add_page (self, mr_cluster_view_new (self->monitor),
                                 "cluster", _("Cluster"), "network-server-symbolic");
  self->topics_view = add_page (self, mr_topics_view_new (self->cluster),
                                "topics", _("Topics"), "view-list-symbolic");
  add_page (self, mr_groups_view_new (self->monitor),
            "groups", _("Consumer Groups"), "system-users-symbolic");
  self->failure_lab = add_page (self, mr_failure_lab_new (self->monitor),
                                "failure-lab", _("Failure Lab"), "mr-broker-crash-symbolic");

  g_signal_connect_swapped (self->cluster_view, "add-toast",
                            G_CALLBACK (add_toast_cb), self);
  g_signal_connect_object (self->monitor, "notify::loading",
                           G_CALLBACK (monitor_loading_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "refreshed",
                           G_CALLBACK (monitor_refreshed_cb), self, G_CONNECT_SWAPPED);
  _mr_window_set_loading (self, mr_cluster_monitor_get_loading (self->monitor));

  /* The title names Millrace and the cluster, after its directory. */
  name = g_path_get_basename (self->data_dir);
  adw_window_title_set_subtitle (self->sidebar_title, name);
  adw_window_title_set_subtitle (self->content_title, name);
  /* Translators: the window's title: the cluster's name, then the app's. */
  title = g_strdup_printf (_("%s — Millrace"), name);
  gtk_window_set_title (GTK_WINDOW (self), title);

  adw_view_stack_set_visible_child_name (self->view_stack, "cluster");
  update_content_title (self);
  gtk_stack_set_visible_child_name (self->mode_stack, "live");
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
}

/* Stops following the cluster; from dispose(), so maybe more than once. */
void
_mr_window_stop_live (MrWindow *self)
{
  g_assert (MR_IS_WINDOW (self));

  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      mr_cluster_monitor_stop (self->monitor);
    }

  if (self->live_cancellable != NULL)
    g_cancellable_cancel (self->live_cancellable);
  g_clear_object (&self->live_cancellable);

  /* The views go with the template; these only borrowed them. */
  self->cluster_view = NULL;
  self->topics_view = NULL;
  self->failure_lab = NULL;
}

/* After the template is gone: the views held references. */
void
_mr_window_finish_live (MrWindow *self)
{
  g_clear_object (&self->monitor);
}

void
_mr_window_refresh_live (MrWindow *self)
{
  g_assert (MR_IS_WINDOW (self));

  if (self->monitor != NULL)
    mr_cluster_monitor_refresh (self->monitor);
}

/* Counters move without events: poll them while anyone can see them. */
void
_mr_window_set_live_mapped (MrWindow *self,
                            gboolean  mapped)
{
  g_assert (MR_IS_WINDOW (self));

  if (self->monitor != NULL && self->live_cancellable != NULL)
    mr_cluster_monitor_set_active (self->monitor, mapped);
}
