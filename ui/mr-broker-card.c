/* mr-broker-card.c
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "mr-ui"

#include "config.h"

#include "mr-broker-card.h"

#include <glib/gi18n.h>

#include "mr-sparkline.h"

/* One broker of a running cluster: who it is, what it is doing, what it
 * holds, and a button per fault that makes sense in its state. The buttons
 * activate the window's "broker.*" actions with this card's broker id; the
 * window runs them and marks the card busy meanwhile. */

struct _MrBrokerCard
{
  GtkWidget      parent_instance;

  /* Template widgets. */
  GtkImage      *broker_icon;
  GtkLabel      *title_label;
  GtkLabel      *controller_badge;
  GtkLabel      *address_label;
  GtkLabel      *state_label;
  GtkLabel      *leaders_label;
  GtkLabel      *leaders_caption;
  GtkLabel      *replicas_label;
  GtkLabel      *replicas_caption;
  GtkLabel      *size_label;
  GtkLabel      *rate_label;
  MrSparkline   *sparkline;
  GtkWidget     *latency_box;
  GtkLabel      *latency_label;
  GtkWidget     *actions_box;
  GtkWidget     *start_button;
  GtkWidget     *resume_button;
  GtkWidget     *pause_button;
  GtkWidget     *stop_button;
  GtkWidget     *crash_button;
  GtkWidget     *isolate_button;
  GtkWidget     *heal_button;

  gint32         broker_id;
  MrBrokerState  state;

  guint          controller : 1;
  guint          busy : 1;
};

G_DEFINE_FINAL_TYPE (MrBrokerCard, mr_broker_card, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BROKER_ID,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* The style class of each state's pill: libadwaita's colours, so that dark
 * mode and high contrast follow. */
static const char * const state_classes[] = {
  "success",
  "warning",
  "error",
};

/* Helpers. */

static const char *
state_to_class (MrBrokerState state)
{
  switch (state)
    {
    case MR_BROKER_STATE_RUNNING:
      return "success";
    case MR_BROKER_STATE_PAUSED:
    case MR_BROKER_STATE_ISOLATED:
      return "warning";
    case MR_BROKER_STATE_CRASHED:
      return "error";
    case MR_BROKER_STATE_STOPPED:
      return NULL;
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
set_count (GtkLabel   *label,
           GtkLabel   *caption,
           guint       value,
           const char *caption_text)
{
  g_autofree char *text = g_strdup_printf ("%'u", value);

  gtk_label_set_label (label, text);
  gtk_label_set_label (caption, caption_text);
}

/* The faults that make sense in @state, as the cluster checks them. */
static void
update_buttons (MrBrokerCard *self,
                guint         latency_ms)
{
  MrBrokerState state = self->state;
  gboolean down = mr_broker_card_state_is_down (state);

  gtk_widget_set_visible (self->start_button, down);
  gtk_widget_set_visible (self->resume_button, state == MR_BROKER_STATE_PAUSED);
  gtk_widget_set_visible (self->pause_button,
                          state == MR_BROKER_STATE_RUNNING ||
                          state == MR_BROKER_STATE_ISOLATED);
  gtk_widget_set_visible (self->stop_button, !down);
  gtk_widget_set_visible (self->crash_button, !down);
  gtk_widget_set_visible (self->isolate_button, state == MR_BROKER_STATE_RUNNING);
  gtk_widget_set_visible (self->heal_button,
                          state == MR_BROKER_STATE_ISOLATED ||
                          (!down && latency_ms > 0));
}

static void
update_accessible_label (MrBrokerCard *self)
{
  g_autofree char *label = NULL;

  /* Translators: a broker card for screen readers, e.g. “Broker 2, Crashed”. */
  label = g_strdup_printf (_("Broker %d, %s"), self->broker_id,
                           mr_broker_card_state_to_text (self->state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
set_broker_id (MrBrokerCard *self,
               gint32        broker_id)
{
  GtkWidget *buttons[] = {
    self->start_button, self->resume_button, self->pause_button,
    self->stop_button, self->crash_button, self->isolate_button,
    self->heal_button,
  };
  g_autofree char *title = NULL;

  self->broker_id = broker_id;

  /* Translators: the title of a broker's card. */
  title = g_strdup_printf (_("Broker %d"), broker_id);
  gtk_label_set_label (self->title_label, title);

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (buttons[i]),
                                            g_variant_new_int32 (broker_id));

  update_accessible_label (self);
}

/* Virtual functions. */

static void
mr_broker_card_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), MR_TYPE_BROKER_CARD);

  /* The template's unnamed boxes are children too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (mr_broker_card_parent_class)->dispose (object);
}

static void
mr_broker_card_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MrBrokerCard *self = MR_BROKER_CARD (object);

  switch (prop_id)
    {
    case PROP_BROKER_ID:
      g_value_set_int (value, self->broker_id);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_broker_card_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MrBrokerCard *self = MR_BROKER_CARD (object);

  switch (prop_id)
    {
    case PROP_BROKER_ID:
      set_broker_id (self, g_value_get_int (value));
      break;

    case PROP_BUSY:
      mr_broker_card_set_busy (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_broker_card_class_init (MrBrokerCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_broker_card_dispose;
  object_class->get_property = mr_broker_card_get_property;
  object_class->set_property = mr_broker_card_set_property;

  /**
   * MrBrokerCard:broker-id:
   *
   * The broker the card shows, and the target of its buttons' actions.
   */
  properties [PROP_BROKER_ID] =
    g_param_spec_int ("broker-id", NULL, NULL,
                      1, MR_CLUSTER_MAX_BROKERS, 1,
                      (G_PARAM_READWRITE |
                       G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS));

  /**
   * MrBrokerCard:busy:
   *
   * Whether a fault or a recovery is being applied to the broker: the
   * buttons wait and a spinner turns meanwhile.
   */
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MR_TYPE_SPARKLINE);

  gtk_widget_class_set_template_from_resource (widget_class, APP_BASE_PATH "/ui/mr-broker-card.ui");
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, broker_icon);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, title_label);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, controller_badge);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, address_label);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, state_label);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, leaders_label);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, leaders_caption);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, replicas_label);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, replicas_caption);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, size_label);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, rate_label);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, sparkline);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, latency_box);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, latency_label);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, actions_box);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, start_button);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, resume_button);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, pause_button);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, stop_button);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, crash_button);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, isolate_button);
  gtk_widget_class_bind_template_child (widget_class, MrBrokerCard, heal_button);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mr_broker_card_init (MrBrokerCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Until the first update: a broker the window has not heard from. */
  self->state = MR_BROKER_STATE_STOPPED;
  gtk_label_set_label (self->state_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), FALSE);
  update_buttons (self, 0);
}

/* Public API. */

/**
 * mr_broker_card_new:
 * @broker_id: the broker to show, 1 to %MR_CLUSTER_MAX_BROKERS
 *
 * Returns: (transfer floating): a new #MrBrokerCard
 */
GtkWidget *
mr_broker_card_new (gint32 broker_id)
{
  g_return_val_if_fail (broker_id >= 1 && broker_id <= MR_CLUSTER_MAX_BROKERS, NULL);

  return g_object_new (MR_TYPE_BROKER_CARD,
                       "broker-id", broker_id,
                       NULL);
}

gint32
mr_broker_card_get_broker_id (MrBrokerCard *self)
{
  g_return_val_if_fail (MR_IS_BROKER_CARD (self), -1);

  return self->broker_id;
}

/**
 * mr_broker_card_get_state:
 * @self: a #MrBrokerCard
 *
 * Returns: the state the card shows, from the last update
 */
MrBrokerState
mr_broker_card_get_state (MrBrokerCard *self)
{
  g_return_val_if_fail (MR_IS_BROKER_CARD (self), MR_BROKER_STATE_STOPPED);

  return self->state;
}

/**
 * mr_broker_card_get_state_text:
 * @self: a #MrBrokerCard
 *
 * Returns: (transfer none): the words on the card's state pill, empty
 *   before the first update
 */
const char *
mr_broker_card_get_state_text (MrBrokerCard *self)
{
  g_return_val_if_fail (MR_IS_BROKER_CARD (self), NULL);

  return gtk_label_get_label (self->state_label);
}

gboolean
mr_broker_card_get_controller (MrBrokerCard *self)
{
  g_return_val_if_fail (MR_IS_BROKER_CARD (self), FALSE);

  return self->controller;
}

gboolean
mr_broker_card_get_busy (MrBrokerCard *self)
{
  g_return_val_if_fail (MR_IS_BROKER_CARD (self), FALSE);

  return self->busy;
}

/**
 * mr_broker_card_set_busy:
 * @self: a #MrBrokerCard
 * @busy: whether an action on the broker is under way
 *
 * While busy, the card's buttons do not respond and a spinner turns.
 */
void
mr_broker_card_set_busy (MrBrokerCard *self,
                         gboolean      busy)
{
  g_return_if_fail (MR_IS_BROKER_CARD (self));

  busy = !!busy;

  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_widget_set_sensitive (self->actions_box, !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

/**
 * mr_broker_card_update:
 * @self: a #MrBrokerCard
 * @info: what the cluster says about the card's broker
 *
 * Shows @info, changing only what changed.
 */
void
mr_broker_card_update (MrBrokerCard       *self,
                       const MrBrokerInfo *info)
{
  g_autofree char *address = NULL;
  g_autofree char *size = NULL;
  const char *state_class;

  g_return_if_fail (MR_IS_BROKER_CARD (self));
  g_return_if_fail (info != NULL);
  g_return_if_fail (info->id == self->broker_id);

  self->state = info->state;
  self->controller = !!info->is_controller;

  address = g_strdup_printf ("%s:%u", info->host, info->port);
  gtk_label_set_label (self->address_label, address);

  gtk_label_set_label (self->state_label, mr_broker_card_state_to_text (info->state));
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), TRUE);
  state_class = state_to_class (info->state);
  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    {
      if (g_strcmp0 (state_class, state_classes[i]) == 0)
        gtk_widget_add_css_class (GTK_WIDGET (self->state_label), state_classes[i]);
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), state_classes[i]);
    }

  if (mr_broker_card_state_is_down (info->state))
    gtk_widget_add_css_class (GTK_WIDGET (self), "down");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "down");

  gtk_widget_set_visible (GTK_WIDGET (self->controller_badge), self->controller);

  /* Translators: captions under counts on a broker's card. */
  set_count (self->leaders_label, self->leaders_caption, info->n_leaders,
             ngettext ("Leader", "Leaders", info->n_leaders));
  set_count (self->replicas_label, self->replicas_caption, info->n_replicas,
             ngettext ("Replica", "Replicas", info->n_replicas));
  /* A broker that is down reports nothing of its disk. */
  if (mr_broker_card_state_is_down (info->state) && info->size_bytes <= 0)
    size = g_strdup ("—");
  else
    size = g_format_size (MAX (info->size_bytes, 0));
  gtk_label_set_label (self->size_label, size);

  if (info->latency_ms > 0)
    {
      g_autofree char *latency = NULL;

      /* Translators: %u is a number of milliseconds. */
      latency = g_strdup_printf (_("Slowed: %u ms added to its disk and links"),
                                 info->latency_ms);
      gtk_label_set_label (self->latency_label, latency);
    }
  gtk_widget_set_visible (self->latency_box, info->latency_ms > 0);

  update_buttons (self, info->latency_ms);
  update_accessible_label (self);
}

/**
 * mr_broker_card_set_request_rates:
 * @self: a #MrBrokerCard
 * @rates: (array length=n_rates): requests a second, oldest first
 * @n_rates: how many
 *
 * Shows the last rate as a number and all of them as a sparkline.
 */
void
mr_broker_card_set_request_rates (MrBrokerCard *self,
                                  const double *rates,
                                  guint         n_rates)
{
  g_autofree char *text = NULL;
  double last;

  g_return_if_fail (MR_IS_BROKER_CARD (self));
  g_return_if_fail (rates != NULL || n_rates == 0);

  last = n_rates > 0 ? rates[n_rates - 1] : 0;
  text = g_strdup_printf ("%'.0f", last);
  gtk_label_set_label (self->rate_label, text);
  mr_sparkline_set_values (self->sparkline, rates, n_rates);
}

/**
 * mr_broker_card_get_request_rate_text:
 * @self: a #MrBrokerCard
 *
 * Returns: (transfer none): the requests a second the card shows
 */
const char *
mr_broker_card_get_request_rate_text (MrBrokerCard *self)
{
  g_return_val_if_fail (MR_IS_BROKER_CARD (self), NULL);

  return gtk_label_get_label (self->rate_label);
}

/**
 * mr_broker_card_state_to_text:
 * @state: a broker's state
 *
 * Returns: the state's name as the card and the Failure Lab show it,
 *   translated
 */
const char *
mr_broker_card_state_to_text (MrBrokerState state)
{
  switch (state)
    {
    case MR_BROKER_STATE_RUNNING:
      return C_("broker state", "Running");
    case MR_BROKER_STATE_STOPPED:
      return C_("broker state", "Stopped");
    case MR_BROKER_STATE_CRASHED:
      return C_("broker state", "Crashed");
    case MR_BROKER_STATE_PAUSED:
      return C_("broker state", "Paused");
    case MR_BROKER_STATE_ISOLATED:
      return C_("broker state", "Isolated");
    default:
      g_return_val_if_reached ("");
    }
}

/* Whether @state is one in which the broker does not run: stopped or
 * crashed, as opposed to paused or isolated. */
gboolean
mr_broker_card_state_is_down (MrBrokerState state)
{
  return state == MR_BROKER_STATE_STOPPED || state == MR_BROKER_STATE_CRASHED;
}
