/* mr-failure-lab.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-failure-lab.h"

#include <glib/gi18n.h>

#include "mr-broker-card.h"
#include "mr-timeline-item.h"

/* The Failure Lab.
 *
 * Left, what you do: a row per broker with its six fault buttons (they
 * activate the window's "broker.*" actions, which run in workers), the demo
 * workload and its counters and latency plot, and the chaos run. Right,
 * what the cluster does about it: the partition map and the latest events,
 * from the shared MrClusterMonitor.
 *
 * The demo workload and the chaos run are engine objects with threads of
 * their own. Starting, stopping and cancelling them joins threads, so it
 * runs in GTask workers; while the lab is mapped, a 100 ms timer reads
 * their counters (a copy under their own short mutex, never the cluster's
 * locks) and drains the latency samples into the plot. */

#define POLL_INTERVAL_MS 100
#define DEMO_TOPIC       "demo"
#define MAX_LAB_EVENTS   50

typedef struct
{
  GtkWidget     *row;
  GtkLabel      *state_label;
  GtkWidget     *buttons[MR_LAB_N_FAULTS];
  gint32         broker_id;
  MrBrokerState  state;
  guint          latency_ms;
} BrokerRow;

struct _MrFailureLab
{
  GtkWidget           parent_instance;

  /* Template widgets. */
  GtkBox             *columns;
  GtkListBox         *brokers_list;
  GtkSpinButton      *rate_spin;
  GtkButton          *demo_button;
  GtkLabel           *acked_label;
  GtkLabel           *failed_label;
  GtkLabel           *in_flight_label;
  GtkLabel           *read_label;
  GtkLabel           *latency_label;
  MrLatencyPlot      *latency_plot;
  GtkSpinButton      *seed_spin;
  GtkSpinButton      *duration_spin;
  AdwActionRow       *chaos_row;
  GtkButton          *chaos_button;
  GtkListBox         *chaos_steps_list;
  GtkWidget          *map_empty_label;
  MrPartitionMap     *partition_map;
  GtkStack           *timeline_stack;
  GtkListView        *timeline_view;
  GtkScrolledWindow  *timeline_scroller;

  MrClusterMonitor   *monitor;
  gulong              refreshed_handler;
  GtkSliceListModel  *latest_events;
  GArray             *rows;           /* BrokerRow, by id - 1 */
  guint               poll_source;
  guint               orientation_source;

  MrDemoWorkload     *workload;       /* NULL before the first start */
  GThreadPool        *workload_queue; /* one thread: start, stop, free */
  MrDemoWorkloadStats stats;
  gboolean            demo_wanted;    /* the button's state */
  gboolean            demo_busy;      /* a start or stop is in a worker */

  MrChaosRun         *chaos;          /* the current or last run, or NULL */
  int                 chaos_done;
  GPtrArray          *chaos_marks;    /* GtkImage per step; borrowed */
};

G_DEFINE_FINAL_TYPE (MrFailureLab, mr_failure_lab, GTK_TYPE_WIDGET)

static const struct
{
  const char *icon_name;
  const char *tooltip;
} faults[MR_LAB_N_FAULTS] = {
  { "media-playback-stop-symbolic", N_("Stop: leaderships move away, then it shuts down cleanly") },
  { "mr-broker-crash-symbolic", N_("Crash: it dies at once; failover after the session timeout") },
  { "media-playback-pause-symbolic", N_("Pause: it stays up but answers nothing") },
  { "mr-broker-isolate-symbolic", N_("Isolate: cut off from the other brokers and the controller") },
  { "mr-broker-slow-symbolic", N_("Slow: 200 ms added to its disk and links") },
  { "mr-broker-heal-symbolic", N_("Heal: start, resume or reconnect it") },
};

static void update_polling (MrFailureLab *self);

/* Text. */

static void
set_count (GtkLabel *label,
           guint64   value)
{
  g_autofree char *text = g_strdup_printf ("%'" G_GUINT64_FORMAT, value);

  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

/* Broker rows. */

/* The window action a button activates in the row's state. */
static const char *
action_for (const BrokerRow *row,
            MrLabFault       fault)
{
  switch (fault)
    {
    case MR_LAB_FAULT_STOP:
      return "broker.stop";
    case MR_LAB_FAULT_CRASH:
      return "broker.crash";
    case MR_LAB_FAULT_PAUSE:
      return "broker.pause";
    case MR_LAB_FAULT_ISOLATE:
      return "broker.isolate";
    case MR_LAB_FAULT_SLOW:
      return "broker.slow";
    case MR_LAB_FAULT_HEAL:
      if (mr_broker_card_state_is_down (row->state))
        return "broker.start";
      if (row->state == MR_BROKER_STATE_PAUSED)
        return "broker.resume";
      return "broker.heal";
    case MR_LAB_N_FAULTS:
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
update_row (BrokerRow *row)
{
  MrBrokerState state = row->state;
  gboolean down = mr_broker_card_state_is_down (state);
  g_autofree char *subtitle = NULL;
  gboolean enabled[MR_LAB_N_FAULTS];

  enabled[MR_LAB_FAULT_STOP] = !down;
  enabled[MR_LAB_FAULT_CRASH] = !down;
  enabled[MR_LAB_FAULT_PAUSE] = state == MR_BROKER_STATE_RUNNING ||
                                state == MR_BROKER_STATE_ISOLATED;
  enabled[MR_LAB_FAULT_ISOLATE] = state == MR_BROKER_STATE_RUNNING;
  enabled[MR_LAB_FAULT_SLOW] = !down && row->latency_ms == 0;
  enabled[MR_LAB_FAULT_HEAL] = state != MR_BROKER_STATE_RUNNING || row->latency_ms > 0;

  for (guint i = 0; i < MR_LAB_N_FAULTS; i++)
    gtk_widget_set_sensitive (row->buttons[i], enabled[i]);

  if (row->latency_ms > 0)
    /* Translators: a broker's state, then the latency added to it. */
    subtitle = g_strdup_printf (_("%s · slowed by %u ms"), mr_broker_card_state_to_text (state),
                                row->latency_ms);
  else
    subtitle = g_strdup (mr_broker_card_state_to_text (state));
  gtk_label_set_label (row->state_label, subtitle);

  if (down)
    gtk_widget_add_css_class (GTK_WIDGET (row->state_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row->state_label), "error");
  if (state == MR_BROKER_STATE_PAUSED || state == MR_BROKER_STATE_ISOLATED ||
      row->latency_ms > 0)
    gtk_widget_add_css_class (GTK_WIDGET (row->state_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row->state_label), "warning");
}

static void
fault_clicked_cb (GtkButton    *button,
                  MrFailureLab *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "mr-broker-index"));
  MrLabFault fault = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "mr-fault"));
  BrokerRow *row;

  g_assert (index < self->rows->len);

  row = &g_array_index (self->rows, BrokerRow, index);
  gtk_widget_activate_action (GTK_WIDGET (self), action_for (row, fault), "i",
                              row->broker_id);
}

/* The one place this view builds widgets in C: a row per broker, since a
 * .ui file cannot repeat per item. */
static void
ensure_rows (MrFailureLab *self,
             guint         n_brokers)
{
  while (self->rows->len < n_brokers)
    {
      BrokerRow row = { 0, };
      g_autofree char *title = NULL;
      GtkWidget *box;

      GtkWidget *vbox;
      GtkWidget *header;
      GtkWidget *title_label;

      row.broker_id = (gint32) self->rows->len + 1;
      row.state = MR_BROKER_STATE_RUNNING;

      /* The name and state above, the buttons below: it fits a phone. */
      row.row = gtk_list_box_row_new ();
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row.row), FALSE);
      gtk_widget_add_css_class (row.row, "lab-broker");
      vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
      header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      /* Translators: a row of the failure lab. */
      title = g_strdup_printf (_("Broker %d"), row.broker_id);
      title_label = gtk_label_new (title);
      gtk_widget_add_css_class (title_label, "heading");
      row.state_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (row.state_label, 1);
      gtk_label_set_ellipsize (row.state_label, PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (GTK_WIDGET (row.state_label), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (row.state_label), "caption");
      gtk_box_append (GTK_BOX (header), title_label);
      gtk_box_append (GTK_BOX (header), GTK_WIDGET (row.state_label));
      gtk_box_append (GTK_BOX (vbox), header);

      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      gtk_box_set_homogeneous (GTK_BOX (box), TRUE);
      gtk_widget_add_css_class (box, "linked");
      for (guint i = 0; i < MR_LAB_N_FAULTS; i++)
        {
          GtkWidget *button = gtk_button_new_from_icon_name (faults[i].icon_name);
          g_autofree char *label = NULL;

          gtk_widget_set_tooltip_text (button, _(faults[i].tooltip));
          /* Translators: a fault button for screen readers, e.g. “Crash:
           * …, broker 2”. */
          label = g_strdup_printf (_("%s, broker %d"), _(faults[i].tooltip), row.broker_id);
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                          -1);
          g_object_set_data (G_OBJECT (button), "mr-broker-index",
                             GUINT_TO_POINTER (self->rows->len));
          g_object_set_data (G_OBJECT (button), "mr-fault", GUINT_TO_POINTER (i));
          g_signal_connect (button, "clicked", G_CALLBACK (fault_clicked_cb), self);
          gtk_box_append (GTK_BOX (box), button);
          row.buttons[i] = button;
        }
      gtk_box_append (GTK_BOX (vbox), box);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row.row), vbox);
      gtk_list_box_append (self->brokers_list, row.row);

      update_row (&row);
      g_array_append_val (self->rows, row);
    }
}

/* Monitor. */

static void
refreshed_cb (MrFailureLab     *self,
              MrClusterMonitor *monitor)
{
  GPtrArray *brokers = mr_cluster_monitor_get_brokers (monitor);
  GPtrArray *topics = mr_cluster_monitor_get_topics (monitor);
  gboolean has_partitions;

  ensure_rows (self, brokers->len);
  for (guint i = 0; i < brokers->len; i++)
    {
      const MrBrokerInfo *info = g_ptr_array_index (brokers, i);
      BrokerRow *row;

      if (info->id < 1 || (guint) info->id > self->rows->len)
        continue;
      row = &g_array_index (self->rows, BrokerRow, info->id - 1);
      row->state = info->state;
      row->latency_ms = info->latency_ms;
      update_row (row);
    }

  mr_partition_map_update (self->partition_map, brokers, topics);
  has_partitions = mr_partition_map_get_n_partitions (self->partition_map) > 0;
  gtk_widget_set_visible (self->map_empty_label, !has_partitions);
  gtk_widget_set_visible (GTK_WIDGET (self->partition_map), has_partitions);
}

static void
latest_events_changed_cb (MrFailureLab *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->latest_events));

  gtk_stack_set_visible_child_name (self->timeline_stack, n > 0 ? "events" : "empty");

  /* A page that scrolls gives the list its minimum height: as tall as a
   * few rows need, up to a point, then it scrolls on its own. */
  gtk_scrolled_window_set_min_content_height (self->timeline_scroller,
                                              MIN (n * 44, 280));
}

/* The demo workload. */

static void
update_demo_button (MrFailureLab *self)
{
  gtk_button_set_label (self->demo_button,
                        self->demo_wanted ? _("Stop") : _("Start"));
  if (self->demo_wanted)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->demo_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->demo_button), "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->demo_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->demo_button), "suggested-action");
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_button), !self->demo_busy);
}

/* Starting, stopping and freeing the workload join threads, so they run
 * on a queue of their own with one thread, in the order asked: a stop
 * never overtakes its start, and the free comes last. Results come back to
 * the main context through a weak reference. */

typedef enum
{
  WORKLOAD_OP_START,
  WORKLOAD_OP_STOP,
  WORKLOAD_OP_FREE,
} WorkloadOpKind;

typedef struct
{
  WorkloadOpKind  kind;
  MrDemoWorkload *workload;
  GWeakRef        lab;
  GMainContext   *context;
  GError         *error;
} WorkloadOp;

static void
workload_op_free (WorkloadOp *op)
{
  g_weak_ref_clear (&op->lab);
  g_clear_pointer (&op->context, g_main_context_unref);
  g_clear_error (&op->error);
  g_free (op);
}

/* @locality: the main thread. */
static gboolean
workload_op_done_cb (gpointer user_data)
{
  WorkloadOp *op = user_data;
  g_autoptr(MrFailureLab) self = g_weak_ref_get (&op->lab);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  self->demo_busy = FALSE;
  if (op->error != NULL)
    {
      g_debug ("The demo workload did not start: %s", op->error->message);
      self->demo_wanted = FALSE;
      gtk_label_set_label (self->latency_label, op->error->message);
    }
  update_demo_button (self);
  update_polling (self);
  mr_cluster_monitor_refresh (self->monitor);

  return G_SOURCE_REMOVE;
}

/* @locality: the lab's workload thread. */
static void
workload_op_run (gpointer data,
                 gpointer user_data)
{
  WorkloadOp *op = data;

  switch (op->kind)
    {
    case WORKLOAD_OP_START:
      mr_demo_workload_start (op->workload, &op->error);
      break;
    case WORKLOAD_OP_STOP:
      mr_demo_workload_stop (op->workload);
      break;
    case WORKLOAD_OP_FREE:
    default:
      mr_demo_workload_free (op->workload);
      workload_op_free (op);
      return;
    }

  /* Always through a source on the window's context: invoke() would run
   * the callback right here, in this worker, whenever the main loop is
   * between two iterations and so owns no context. */
  {
    g_autoptr(GSource) source = g_idle_source_new ();

    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_callback (source, workload_op_done_cb, op,
                           (GDestroyNotify) workload_op_free);
    g_source_attach (source, op->context);
  }
}

static void
push_workload_op (MrFailureLab   *self,
                  WorkloadOpKind  kind)
{
  WorkloadOp *op = g_new0 (WorkloadOp, 1);

  op->kind = kind;
  op->workload = self->workload;
  g_weak_ref_init (&op->lab, kind == WORKLOAD_OP_FREE ? NULL : self);
  op->context = g_main_context_ref_thread_default ();

  if (kind != WORKLOAD_OP_FREE)
    {
      self->demo_busy = TRUE;
      update_demo_button (self);
    }

  g_thread_pool_push (self->workload_queue, op, NULL);
}

static void
poll_demo (MrFailureLab *self)
{
  g_autoptr(GArray) samples = NULL;

  if (self->workload == NULL)
    return;

  mr_demo_workload_get_stats (self->workload, &self->stats);
  set_count (self->acked_label, self->stats.n_acknowledged);
  set_count (self->failed_label, self->stats.n_failed);
  set_count (self->in_flight_label, self->stats.n_in_flight);
  set_count (self->read_label, self->stats.n_read);

  samples = mr_demo_workload_take_latencies (self->workload);
  if (samples->len > 0 || mr_latency_plot_get_n_samples (self->latency_plot) > 0)
    {
      g_autofree char *text = NULL;
      guint32 p50, p99;

      mr_latency_plot_add_samples (self->latency_plot, samples);
      p50 = mr_latency_plot_get_quantile (self->latency_plot, 0.5);
      p99 = mr_latency_plot_get_quantile (self->latency_plot, 0.99);
      /* Translators: over the latency plot. */
      text = g_strdup_printf (_("Produce latency, last 30 seconds: median %.1f ms, "
                                "99th percentile %.1f ms"),
                              p50 / 1000.0, p99 / 1000.0);
      if (g_strcmp0 (gtk_label_get_label (self->latency_label), text) != 0)
        gtk_label_set_label (self->latency_label, text);
    }
}

/* The chaos run. */

static const char *
action_to_verb (MrBrokerAction action)
{
  switch (action)
    {
    case MR_BROKER_ACTION_START:
      return C_("chaos step", "start");
    case MR_BROKER_ACTION_STOP:
      return C_("chaos step", "stop");
    case MR_BROKER_ACTION_CRASH:
      return C_("chaos step", "crash");
    case MR_BROKER_ACTION_PAUSE:
      return C_("chaos step", "pause");
    case MR_BROKER_ACTION_RESUME:
      return C_("chaos step", "resume");
    case MR_BROKER_ACTION_ISOLATE:
      return C_("chaos step", "isolate");
    case MR_BROKER_ACTION_HEAL:
      return C_("chaos step", "heal");
    case MR_BROKER_ACTION_SLOW:
      return C_("chaos step", "slow");
    default:
      g_return_val_if_reached ("");
    }
}

/* The plan, a row per step, each marked when applied: the same seed shows
 * the same rows. Rows built in C, since a .ui file cannot repeat per
 * item. */
static void
show_chaos_plan (MrFailureLab *self)
{
  g_autoptr(GArray) steps = mr_chaos_run_dup_steps (self->chaos);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chaos_steps_list))))
    gtk_list_box_remove (self->chaos_steps_list, child);
  g_ptr_array_set_size (self->chaos_marks, 0);

  for (guint i = 0; i < steps->len; i++)
    {
      const MrChaosStep *step = &g_array_index (steps, MrChaosStep, i);
      g_autofree char *title = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *mark = gtk_image_new_from_icon_name ("object-select-symbolic");

      /* Translators: a step of a chaos run: when, what, which broker,
       * e.g. “4.2 s · crash broker 2”. */
      title = g_strdup_printf (_("%.1f s · %s broker %d"), step->at_ms / 1000.0,
                               action_to_verb (step->action), step->broker_id);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      gtk_widget_add_css_class (row, "numeric");
      gtk_widget_set_visible (mark, FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (mark),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Applied"),
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), mark);
      gtk_list_box_append (self->chaos_steps_list, row);
      g_ptr_array_add (self->chaos_marks, mark);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->chaos_steps_list), steps->len > 0);
}

static void
poll_chaos (MrFailureLab *self)
{
  g_autoptr(GArray) steps = NULL;
  g_autofree char *title = NULL;
  gboolean finished;
  int done = 0;
  int last = -1;

  if (self->chaos == NULL)
    return;

  finished = mr_chaos_run_is_finished (self->chaos);
  steps = mr_chaos_run_dup_steps (self->chaos);
  for (guint i = 0; i < steps->len; i++)
    {
      const MrChaosStep *step = &g_array_index (steps, MrChaosStep, i);
      GtkImage *mark = i < self->chaos_marks->len ? g_ptr_array_index (self->chaos_marks, i) : NULL;

      if (!step->done)
        continue;

      done++;
      last = (int) i;

      /* Applied, or refused by the cluster: say which. */
      if (mark != NULL && !gtk_widget_get_visible (GTK_WIDGET (mark)))
        {
          if (step->error_message != NULL)
            {
              gtk_image_set_from_icon_name (mark, "dialog-warning-symbolic");
              gtk_widget_add_css_class (GTK_WIDGET (mark), "warning");
              gtk_widget_set_tooltip_text (GTK_WIDGET (mark), step->error_message);
            }
          gtk_widget_set_visible (GTK_WIDGET (mark), TRUE);
        }
    }

  if (done == self->chaos_done && !finished &&
      g_strcmp0 (gtk_button_get_label (self->chaos_button), _("Cancel")) == 0)
    return;
  self->chaos_done = done;

  if (last >= 0 && !finished)
    {
      const MrChaosStep *step = &g_array_index (steps, MrChaosStep, last);

      /* Translators: e.g. “Seed 42, step 3 of 12: crash broker 2”. */
      title = g_strdup_printf (_("Seed %u, step %d of %u: %s broker %d"),
                               mr_chaos_run_get_seed (self->chaos), done,
                               steps->len, action_to_verb (step->action),
                               step->broker_id);
    }
  else if (!finished)
    title = g_strdup_printf (_("Seed %u: the first fault comes in a moment"),
                             mr_chaos_run_get_seed (self->chaos));
  else
    title = g_strdup_printf (ngettext ("Seed %u: %d step applied",
                                       "Seed %u: %d steps applied", done),
                             mr_chaos_run_get_seed (self->chaos), done);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->chaos_row), title);
  gtk_button_set_label (self->chaos_button, finished ? _("Run") : _("Cancel"));
}

static void
free_chaos_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  mr_chaos_run_free (task_data);
  g_task_return_boolean (task, TRUE);
}

/* Hands @run to a worker that cancels it (joining its thread) and frees
 * it. */
static void
free_chaos_in_worker (MrChaosRun *run)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, free_chaos_in_worker);
  g_task_set_task_data (task, run, NULL);
  g_task_run_in_thread (task, free_chaos_worker);
}

/* Polling. */

static gboolean
poll_cb (gpointer user_data)
{
  MrFailureLab *self = user_data;

  poll_demo (self);
  poll_chaos (self);

  return G_SOURCE_CONTINUE;
}

static void
update_polling (MrFailureLab *self)
{
  gboolean want = gtk_widget_get_mapped (GTK_WIDGET (self)) &&
                  (self->workload != NULL || self->chaos != NULL);

  if (want && self->poll_source == 0)
    self->poll_source = g_timeout_add (POLL_INTERVAL_MS, poll_cb, self);
  else if (!want)
    g_clear_handle_id (&self->poll_source, g_source_remove);
}

/* Actions. */

static void
toggle_demo_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MrFailureLab *self = MR_FAILURE_LAB (widget);

  if (self->demo_wanted)
    mr_failure_lab_stop_demo (self);
  else
    mr_failure_lab_start_demo (self);
}

static void
toggle_chaos_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MrFailureLab *self = MR_FAILURE_LAB (widget);

  if (self->chaos != NULL && !mr_chaos_run_is_finished (self->chaos))
    {
      /* It heals what it broke, then finishes; the poll shows it. */
      mr_chaos_run_request_cancel (self->chaos);
      return;
    }

  mr_failure_lab_run_chaos (self,
                            (guint32) gtk_spin_button_get_value_as_int (self->seed_spin),
                            (guint) gtk_spin_button_get_value_as_int (self->duration_spin));
}

/* Callbacks. */

static void
rate_changed_cb (MrFailureLab *self)
{
  if (self->workload != NULL)
    mr_demo_workload_set_rate (self->workload,
                               (guint) gtk_spin_button_get_value_as_int (self->rate_spin));
}

/* Virtual functions. */

/* Two columns side by side when the lab is wide enough, else one above
 * the other. GTK 4.8 has no breakpoints: the width drawn decides, and the
 * change waits for an idle, since a widget must not resize itself while
 * it is being laid out or drawn. */
#define TWO_COLUMNS_MIN_WIDTH 940

static void
update_orientation_cb (gpointer user_data)
{
  MrFailureLab *self = user_data;
  GtkOrientation orientation;

  self->orientation_source = 0;
  orientation = gtk_widget_get_width (GTK_WIDGET (self)) >= TWO_COLUMNS_MIN_WIDTH
                ? GTK_ORIENTATION_HORIZONTAL : GTK_ORIENTATION_VERTICAL;
  if (gtk_orientable_get_orientation (GTK_ORIENTABLE (self->columns)) != orientation)
    {
      gtk_orientable_set_orientation (GTK_ORIENTABLE (self->columns), orientation);
      gtk_box_set_homogeneous (self->columns, orientation == GTK_ORIENTATION_HORIZONTAL);
    }
}

/* The layout manager allocates; a new allocation is drawn next, which is
 * where the lab looks at its width. */
static void
mr_failure_lab_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  MrFailureLab *self = MR_FAILURE_LAB (widget);
  GtkOrientation orientation = gtk_widget_get_width (widget) >= TWO_COLUMNS_MIN_WIDTH
                               ? GTK_ORIENTATION_HORIZONTAL : GTK_ORIENTATION_VERTICAL;

  GTK_WIDGET_CLASS (mr_failure_lab_parent_class)->snapshot (widget, snapshot);

  if (orientation != gtk_orientable_get_orientation (GTK_ORIENTABLE (self->columns)) &&
      self->orientation_source == 0)
    self->orientation_source = g_idle_add_once (update_orientation_cb, self);
}

static void
mr_failure_lab_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (mr_failure_lab_parent_class)->map (widget);

  update_polling (MR_FAILURE_LAB (widget));
}

static void
mr_failure_lab_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (mr_failure_lab_parent_class)->unmap (widget);

  update_polling (MR_FAILURE_LAB (widget));
}

static void
mr_failure_lab_dispose (GObject *object)
{
  GtkWidget *child;
  MrFailureLab *self = MR_FAILURE_LAB (object);

  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_handle_id (&self->orientation_source, g_source_remove);
  g_clear_signal_handler (&self->refreshed_handler, self->monitor);
  if (self->latest_events != NULL)
    g_signal_handlers_disconnect_by_data (self->latest_events, self);

  /* Stopping joins threads: the queue does it after what it has, then
   * ends without anyone waiting. */
  if (self->workload != NULL)
    {
      push_workload_op (self, WORKLOAD_OP_FREE);
      self->workload = NULL;
    }
  if (self->workload_queue != NULL)
    g_thread_pool_free (g_steal_pointer (&self->workload_queue), FALSE, FALSE);
  if (self->chaos != NULL)
    free_chaos_in_worker (g_steal_pointer (&self->chaos));

  gtk_widget_dispose_template (GTK_WIDGET (object), MR_TYPE_FAILURE_LAB);
  /* The template's unnamed children too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);

  g_clear_object (&self->latest_events);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (mr_failure_lab_parent_class)->dispose (object);
}

static void
mr_failure_lab_finalize (GObject *object)
{
  MrFailureLab *self = MR_FAILURE_LAB (object);

  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->chaos_marks, g_ptr_array_unref);

  G_OBJECT_CLASS (mr_failure_lab_parent_class)->finalize (object);
}

static void
mr_failure_lab_class_init (MrFailureLabClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_failure_lab_dispose;
  object_class->finalize = mr_failure_lab_finalize;

  widget_class->map = mr_failure_lab_map;
  widget_class->snapshot = mr_failure_lab_snapshot;
  widget_class->unmap = mr_failure_lab_unmap;

  g_type_ensure (MR_TYPE_LATENCY_PLOT);
  g_type_ensure (MR_TYPE_PARTITION_MAP);
  g_type_ensure (MR_TYPE_TIMELINE_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-failure-lab.ui");
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, columns);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, brokers_list);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, rate_spin);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, demo_button);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, acked_label);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, failed_label);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, in_flight_label);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, read_label);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, latency_label);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, latency_plot);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, duration_spin);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, chaos_row);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, chaos_button);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, chaos_steps_list);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, map_empty_label);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, partition_map);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, timeline_stack);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, timeline_view);
  gtk_widget_class_bind_template_child (widget_class, MrFailureLab, timeline_scroller);

  gtk_widget_class_install_action (widget_class, "lab.toggle-demo", NULL, toggle_demo_action);
  gtk_widget_class_install_action (widget_class, "lab.toggle-chaos", NULL, toggle_chaos_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
mr_failure_lab_init (MrFailureLab *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_array_new (FALSE, TRUE, sizeof (BrokerRow));
  self->chaos_done = -1;
  self->chaos_marks = g_ptr_array_new ();
  self->workload_queue = g_thread_pool_new (workload_op_run, NULL, 1, FALSE, NULL);

  g_signal_connect_swapped (self->rate_spin, "value-changed",
                            G_CALLBACK (rate_changed_cb), self);
}

/* Public API. */

/**
 * mr_failure_lab_new:
 * @monitor: the cluster to break, and what to show of it
 *
 * Returns: (transfer floating): a new #MrFailureLab
 */
GtkWidget *
mr_failure_lab_new (MrClusterMonitor *monitor)
{
  MrFailureLab *self;
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_val_if_fail (MR_IS_CLUSTER_MONITOR (monitor), NULL);

  self = g_object_new (MR_TYPE_FAILURE_LAB, NULL);
  self->monitor = g_object_ref (monitor);

  self->latest_events = gtk_slice_list_model_new (g_object_ref (mr_cluster_monitor_get_timeline (monitor)),
                                                  0, MAX_LAB_EVENTS);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->latest_events)));
  gtk_list_view_set_model (self->timeline_view, GTK_SELECTION_MODEL (selection));
  g_signal_connect_swapped (self->latest_events, "items-changed",
                            G_CALLBACK (latest_events_changed_cb), self);
  latest_events_changed_cb (self);

  self->refreshed_handler = g_signal_connect_swapped (monitor, "refreshed",
                                                      G_CALLBACK (refreshed_cb), self);
  if (mr_cluster_monitor_get_loaded (monitor))
    refreshed_cb (self, monitor);

  return GTK_WIDGET (self);
}

GtkWidget *
mr_failure_lab_get_fault_button (MrFailureLab *self,
                                 gint32        broker_id,
                                 MrLabFault    fault)
{
  g_return_val_if_fail (MR_IS_FAILURE_LAB (self), NULL);
  g_return_val_if_fail (fault < MR_LAB_N_FAULTS, NULL);

  if (broker_id < 1 || (guint) broker_id > self->rows->len)
    return NULL;

  return g_array_index (self->rows, BrokerRow, broker_id - 1).buttons[fault];
}

MrPartitionMap *
mr_failure_lab_get_partition_map (MrFailureLab *self)
{
  g_return_val_if_fail (MR_IS_FAILURE_LAB (self), NULL);

  return self->partition_map;
}

MrLatencyPlot *
mr_failure_lab_get_latency_plot (MrFailureLab *self)
{
  g_return_val_if_fail (MR_IS_FAILURE_LAB (self), NULL);

  return self->latency_plot;
}

void
mr_failure_lab_start_demo (MrFailureLab *self)
{
  g_return_if_fail (MR_IS_FAILURE_LAB (self));

  if (self->demo_wanted || self->demo_busy)
    return;

  if (self->workload == NULL)
    self->workload = mr_demo_workload_new (mr_cluster_monitor_get_cluster (self->monitor),
                                           DEMO_TOPIC,
                                           (guint) gtk_spin_button_get_value_as_int (self->rate_spin));

  self->demo_wanted = TRUE;
  push_workload_op (self, WORKLOAD_OP_START);
}

void
mr_failure_lab_stop_demo (MrFailureLab *self)
{
  g_return_if_fail (MR_IS_FAILURE_LAB (self));

  if (!self->demo_wanted || self->demo_busy || self->workload == NULL)
    return;

  self->demo_wanted = FALSE;
  push_workload_op (self, WORKLOAD_OP_STOP);
}

void
mr_failure_lab_set_demo_rate (MrFailureLab *self,
                              guint         rate)
{
  g_return_if_fail (MR_IS_FAILURE_LAB (self));

  gtk_spin_button_set_value (self->rate_spin, rate);
}

gboolean
mr_failure_lab_get_demo_stats (MrFailureLab        *self,
                               MrDemoWorkloadStats *stats)
{
  g_return_val_if_fail (MR_IS_FAILURE_LAB (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  *stats = self->stats;

  return self->workload != NULL;
}

const char *
mr_failure_lab_get_acked_text (MrFailureLab *self)
{
  g_return_val_if_fail (MR_IS_FAILURE_LAB (self), NULL);

  return gtk_label_get_label (self->acked_label);
}

void
mr_failure_lab_run_chaos (MrFailureLab *self,
                          guint32       seed,
                          guint         seconds)
{
  g_return_if_fail (MR_IS_FAILURE_LAB (self));
  g_return_if_fail (seconds > 0);

  if (self->chaos != NULL && !mr_chaos_run_is_finished (self->chaos))
    return;

  /* The last run has finished: its thread is gone, so freeing it does
   * not wait. */
  g_clear_pointer (&self->chaos, mr_chaos_run_free);

  self->chaos = mr_chaos_run_new (mr_cluster_monitor_get_cluster (self->monitor),
                                  seed, seconds * 1000);
  self->chaos_done = -1;
  show_chaos_plan (self);
  mr_chaos_run_start (self->chaos);
  gtk_spin_button_set_value (self->seed_spin, seed);
  gtk_spin_button_set_value (self->duration_spin, seconds);
  poll_chaos (self);
  update_polling (self);
}

int
mr_failure_lab_get_chaos_steps_done (MrFailureLab *self)
{
  g_return_val_if_fail (MR_IS_FAILURE_LAB (self), -1);

  return self->chaos != NULL ? self->chaos_done : -1;
}

const char *
mr_failure_lab_get_chaos_status (MrFailureLab *self)
{
  g_return_val_if_fail (MR_IS_FAILURE_LAB (self), NULL);

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->chaos_row));
}
