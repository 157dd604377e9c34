/* mr-broker-card.h
 *
 * Copyright 2026 The Millrace authors
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>
#include <millrace-engine.h>

G_BEGIN_DECLS

#define MR_TYPE_BROKER_CARD (mr_broker_card_get_type())

G_DECLARE_FINAL_TYPE (MrBrokerCard, mr_broker_card, MR, BROKER_CARD, GtkWidget)

GtkWidget     *mr_broker_card_new             (gint32              broker_id);
gint32         mr_broker_card_get_broker_id   (MrBrokerCard       *self);
MrBrokerState  mr_broker_card_get_state       (MrBrokerCard       *self);
const char    *mr_broker_card_get_state_text  (MrBrokerCard       *self);
gboolean       mr_broker_card_get_controller  (MrBrokerCard       *self);
gboolean       mr_broker_card_get_busy        (MrBrokerCard       *self);
void           mr_broker_card_set_busy        (MrBrokerCard       *self,
                                               gboolean            busy);
void           mr_broker_card_update          (MrBrokerCard       *self,
                                               const MrBrokerInfo *info);
void           mr_broker_card_set_request_rates (MrBrokerCard     *self,
                                                 const double     *rates,
                                                 guint             n_rates);
const char    *mr_broker_card_get_request_rate_text (MrBrokerCard *self);

/* How a broker's state reads, shared with the Failure Lab. */
const char    *mr_broker_card_state_to_text   (MrBrokerState       state);
gboolean       mr_broker_card_state_is_down   (MrBrokerState       state);

G_END_DECLS
