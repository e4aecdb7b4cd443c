package com.oms.bus;

/**
 * Every event bus address in the service, the contract between domains.
 *
 * <p>Commands are request/reply with an explicit timeout; a domain refuses a command with
 * {@code message.fail(httpStatus, Problem JSON)} (see {@link Problem}). Facts are published and nobody
 * replies. The shapes that cross domains are the records in this package, sent as records (by reference
 * within an instance, as JSON between cluster members: {@link RecordCodec}); receivers take the record or
 * its JSON. The edge-originated messages carry the API's own JSON (see openapi.yaml) plus a {@link Caller}.
 */
public final class Addresses {

  private Addresses() {
  }

  // order domain: the saga orchestrator, the only writer of order state ----------------------------
  /** {caller, idempotencyKey?, order: PlaceOrderRequest JSON} → {replayed, order}. */
  public static final String ORDER_PLACE = "order.place";
  /** {caller, orderId} → Order JSON. */
  public static final String ORDER_GET = "order.get";
  /** {caller, status?, limit, cursor?} → {orders, nextCursor}. */
  public static final String ORDER_LIST = "order.list";
  /** {caller, orderId} → {orderId, events}. */
  public static final String ORDER_EVENTS = "order.events";
  /** {caller, orderId, reason} → Order JSON. */
  public static final String ORDER_CANCEL = "order.cancel";
  /** {} → the transition table. */
  public static final String ORDER_STATES = "order.states";
  /** {@link DeliveryProgress} → Order JSON: a partner picked up or delivered an order. */
  public static final String ORDER_DELIVERY_PROGRESS = "order.delivery-progress";
  /** {orderId} → {}: drive an order one step further (used by scanners after a crash or a timeout). */
  public static final String ORDER_ADVANCE = "order.advance";
  /** {batchSize} → {expired}: cancel one batch of orders past their time limit (the expiry scanner). */
  public static final String ORDER_EXPIRE_DUE = "order.expire-due";
  /**
   * {batchSize, onTheRoadAfter?} → {advanced, onTheRoadAfter}: find orders whose next step is overdue and
   * drive them on (the sweeper); onTheRoadAfter is where its look at the orders on the road goes on next time.
   */
  public static final String ORDER_SWEEP = "order.sweep";
  /** {caller?, orderId, partnerId, outcome: DECLINED | MISSED_PICKUP} → Order JSON: take the order from its partner. */
  public static final String ORDER_RELEASE_PARTNER = "order.release-partner";
  /** {caller, orderId, pickupAt} → Order JSON: a new pickup time, before pickup. */
  public static final String ORDER_RESCHEDULE_PICKUP = "order.reschedule-pickup";
  /** Published: {orderId, customerId, kind, message, at}: something the customer should know that is not a status change. */
  public static final String ORDER_NOTICE = "order.notice";
  /** Published: {@link OrderStatusChanged}. */
  public static final String ORDER_STATUS_CHANGED = "order.status-changed";

  // inventory domain ------------------------------------------------------------------------------
  /** {@link QuoteRequest} → {@link Quote}. */
  public static final String INVENTORY_QUOTE = "inventory.quote";
  /** {@link StockCommand} → {@link HoldOutcome}. */
  public static final String INVENTORY_HOLD = "inventory.hold";
  /**
   * {@link StockCommand} → {@link HoldOutcome}: as {@link #INVENTORY_HOLD}, for an order whose hold claim
   * was written in the ledger with the order itself (placement), so only Redis is left to ask.
   */
  public static final String INVENTORY_HOLD_CLAIMED = "inventory.hold-claimed";
  /**
   * {@link StockCommand} → {state}: what became of the order's hold in Redis, changing nothing: HELD,
   * PENDING (restored by a rebuild, undecided), RESERVED, DEDUCTED, RELEASED, or NONE (never taken).
   */
  public static final String INVENTORY_HOLD_STATE = "inventory.hold-state";
  /** {@link StockCommand} → {state}: hold becomes a reservation (payment succeeded). */
  public static final String INVENTORY_COMMIT = "inventory.commit";
  /** {@link StockCommand} → {state}: hold or reservation goes back to available. */
  public static final String INVENTORY_RELEASE = "inventory.release";
  /** {@link StockCommand} → {state}: reservation leaves on-hand stock (picked up). */
  public static final String INVENTORY_DEDUCT = "inventory.deduct";
  /** {storeId, name, location} → Store JSON. */
  public static final String INVENTORY_PUT_STORE = "inventory.put-store";
  /** {storeId, sku, quantity, price} → StockLevel JSON. */
  public static final String INVENTORY_PUT_STOCK = "inventory.put-stock";
  /** {storeId, sku} → StockLevel JSON. */
  public static final String INVENTORY_GET_STOCK = "inventory.get-stock";
  /** {storeId, sku, delta, reason, idempotencyKey} → StockLevel JSON: restock or shrinkage, once per key. */
  public static final String INVENTORY_ADJUST_STOCK = "inventory.adjust-stock";
  /** {storeId, limit, cursor?} → {storeId, items, nextCursor}. */
  public static final String INVENTORY_LIST_STOCK = "inventory.list-stock";
  /** Published: {storeId}: a store or one of its prices changed; quotes read it again. */
  public static final String INVENTORY_CATALOG_CHANGED = "inventory.catalog-changed";
  /** {} → {corrected}: verify every store's projection against Postgres now, and repair it. */
  public static final String INVENTORY_RECONCILE = "inventory.reconcile";

  // payment domain --------------------------------------------------------------------------------
  /** {@link ChargeRequest} → {@link PaymentOutcome}. Idempotent per order. */
  public static final String PAYMENT_CHARGE = "payment.charge";
  /** {} → {methods}: the payment methods a provider is registered for. */
  public static final String PAYMENT_METHODS = "payment.methods";
  /** {orderId} → {@link PaymentOutcome}. Idempotent per order; a no-op when nothing was charged. */
  public static final String PAYMENT_REFUND = "payment.refund";
  /** {provider, signature, body (base64 of the raw bytes)} → {received, duplicate?}: a gateway's webhook. */
  public static final String PAYMENT_WEBHOOK = "payment.webhook";
  /** {orderId} → the payment with its refund and webhook events. */
  public static final String PAYMENT_DETAILS = "payment.details";
  /** Sent, no reply: {@link PaymentOutcome}, after a webhook moved a payment on. */
  public static final String PAYMENT_SETTLED = "payment.settled";
  /** {customerId} → {customerId, balance, transactions}. */
  public static final String WALLET_VIEW = "wallet.view";
  /** {customerId, amount: Money, idempotencyKey} → the wallet: an admin's top-up, once per key. */
  public static final String WALLET_TOP_UP = "wallet.top-up";

  // delivery domain -------------------------------------------------------------------------------
  /** {@link AssignRequest} → {@link AssignOutcome}. Idempotent per order. */
  public static final String DELIVERY_ASSIGN = "delivery.assign";
  /** {orderId, partnerId, outcome} → {released}: free the partner (declined, missed pickup); not offered the order again. */
  public static final String DELIVERY_RELEASE = "delivery.release";
  /** {caller, orderId} → Delivery JSON: the assigned partner declines the order. */
  public static final String DELIVERY_DECLINE = "delivery.decline";
  /** {caller, partnerId, lat, lon} → {partnerId, orderIds}: where a partner is now. */
  public static final String DELIVERY_LOCATION = "delivery.location";
  /** Published: {partnerId, orderId, lat, lon, at}, for each active delivery of a partner who moved. */
  public static final String DELIVERY_PARTNER_MOVED = "delivery.partner-moved";
  /** {orderId} → {}: free the partner of a cancelled order. Idempotent. */
  public static final String DELIVERY_CANCEL = "delivery.cancel";
  /** {partnerId, name, phone} → {created, partner}. */
  public static final String DELIVERY_REGISTER_PARTNER = "delivery.register-partner";
  /** {caller, partnerId, available, location?} → Partner JSON. */
  public static final String DELIVERY_SET_AVAILABILITY = "delivery.set-availability";
  /** {caller, partnerId} → {partnerId, deliveries}. */
  public static final String DELIVERY_PARTNER_DELIVERIES = "delivery.partner-deliveries";
  /** {caller, orderId, status} → Delivery JSON: the assigned partner reports progress. */
  public static final String DELIVERY_REPORT_STATUS = "delivery.report-status";

  // notification domain ---------------------------------------------------------------------------
  /** {orderId} → {orderId, notifications}. The caller has already been checked by the order domain. */
  public static final String NOTIFICATION_LIST = "notification.list";
  /** {id} → the notification: an admin sends a DEAD notification again. */
  public static final String NOTIFICATION_RETRY = "notification.retry";
  /** Published: {customerId, title, body, key}: a push notification, for the customer's live feed. */
  public static final String NOTIFICATION_FEED = "notification.feed";
}
