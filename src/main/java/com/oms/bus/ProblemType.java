package com.oms.bus;

/** The stable, machine-readable problem types the API answers with (RFC 9457 {@code type}). */
public enum ProblemType {
  VALIDATION_FAILED(400, "The request does not match the API contract"),
  MALFORMED_JSON(400, "The request body is not valid JSON"),
  UNAUTHORIZED(401, "A valid bearer token is required"),
  WEBHOOK_REJECTED(401, "The webhook's signature or timestamp is not valid"),
  FORBIDDEN(403, "Your role does not allow this"),
  NOT_FOUND(404, "No such resource"),
  NOT_ASSIGNED(404, "No delivery of yours for this order"),
  METHOD_NOT_ALLOWED(405, "Method not allowed on this resource"),
  INVALID_TRANSITION(409, "The order cannot make this move from its current status"),
  INSUFFICIENT_STOCK(409, "Not enough stock for every line of the order"),
  STOCK_BELOW_COMMITTED(409, "On-hand stock cannot drop below what orders already hold"),
  PARTNER_EXISTS(409, "A different partner is registered under this id"),
  CONCURRENT_UPDATE(409, "The resource changed while this request was applied; retry it"),
  PAYLOAD_TOO_LARGE(413, "The request body is too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "Send application/json"),
  IDEMPOTENCY_KEY_REUSED(422, "This Idempotency-Key was used with a different request"),
  PICKUP_UNAVAILABLE(422, "The store cannot serve a pickup at that time"),
  TOO_MANY_LINES(422, "The order has more lines than allowed"),
  RATE_LIMITED(429, "Too many requests from this client; retry after the Retry-After delay"),
  TOO_MANY_UNPAID_ORDERS(429, "Too many orders of this customer are waiting for payment"),
  UNKNOWN_SKU(422, "The store does not sell one or more of these SKUs"),
  UNKNOWN_STORE(422, "No such store"),
  MIXED_CURRENCY(422, "The lines of one order must share a currency"),
  PAYMENT_METHOD_UNAVAILABLE(422, "This payment method is not available"),
  SERVICE_UNAVAILABLE(503, "A dependency is unavailable; retry shortly"),
  INTERNAL(500, "Internal error");

  private final int status;
  private final String title;

  ProblemType(int status, String title) {
    this.status = status;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** {@code urn:oms:problem:insufficient-stock} */
  public String uri() {
    return "urn:oms:problem:" + name().toLowerCase().replace('_', '-');
  }

  public static ProblemType fromUri(String uri) {
    for (ProblemType type : values()) {
      if (type.uri().equals(uri)) {
        return type;
      }
    }
    return INTERNAL;
  }
}
