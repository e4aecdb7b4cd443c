package com.oms.dev;

import com.oms.bus.Addresses;
import com.oms.bus.BusMessage;
import com.oms.bus.Caller;
import com.oms.bus.OrderStatusChanged;
import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import com.oms.config.OmsConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated delivery partners for load tests: when an order is assigned to a partner whose id carries the
 * simulation prefix, that partner reports the pickup after {@code pickupAfter} and the delivery
 * {@code deliverAfter} later, through the same bus address the partner API uses, so every check a real
 * report meets applies. It listens only to transitions made on this node, so a cluster simulates each
 * order once. A report refused (the order was cancelled meanwhile, or reassigned) is dropped; one that
 * failed for the moment (503: a dependency away, or a step that did not answer in time) is sent again
 * after a growing pause, as a partner's app would, for the service answers a repeated report as the first.
 */
public final class PartnerSimulatorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PartnerSimulatorVerticle.class);

  private static final int MAX_ATTEMPTS = 10;
  private static final long FIRST_PAUSE_MS = 100;
  private static final long MAX_PAUSE_MS = 5_000;

  private final OmsConfig.Simulation settings;
  private final DeliveryOptions busOptions;

  public PartnerSimulatorVerticle(OmsConfig.Simulation settings, Duration requestTimeout) {
    this.settings = settings;
    this.busOptions = new DeliveryOptions().setSendTimeout(requestTimeout.toMillis());
  }

  @Override
  public Future<?> start() {
    LOG.warn("simulation mode: partners named {}* pick up after {} and deliver after {} on their own",
      settings.partnerPrefix(), settings.pickupAfter(), settings.deliverAfter());
    return vertx.eventBus().localConsumer(Addresses.ORDER_STATUS_CHANGED, message -> {
      OrderStatusChanged changed = BusMessage.fromJson(message.body(), OrderStatusChanged.class);
      if ("DELIVERY_PARTNER_ASSIGNED".equals(changed.to()) && changed.partnerId() != null
        && changed.partnerId().startsWith(settings.partnerPrefix())) {
        assigned(changed.orderId(), new Caller(changed.partnerId(), List.of(Caller.PARTNER)));
      }
    }).completion();
  }

  private void assigned(String orderId, Caller partner) {
    vertx.setTimer(Math.max(1, settings.pickupAfter().toMillis()), pickup ->
      report(partner, orderId, "PICKED_UP").onSuccess(picked ->
        vertx.setTimer(Math.max(1, settings.deliverAfter().toMillis()), deliver ->
          report(partner, orderId, "DELIVERED"))));
  }

  private Future<JsonObject> report(Caller partner, String orderId, String status) {
    return report(partner, orderId, status, 1);
  }

  private Future<JsonObject> report(Caller partner, String orderId, String status, int attempt) {
    JsonObject command = new JsonObject().put("caller", partner.toJson()).put("orderId", orderId).put("status", status);
    return vertx.eventBus().<JsonObject>request(Addresses.DELIVERY_REPORT_STATUS, command, busOptions)
      .map(reply -> reply.body())
      .recover(failure -> {
        Problem problem = Problem.from(failure);
        if (problem.type() != ProblemType.SERVICE_UNAVAILABLE || attempt == MAX_ATTEMPTS) {
          LOG.debug("simulated partner {}: {} of order {} refused after {} attempt(s): {}", partner.subject(), status,
            orderId, attempt, problem);
          return Future.failedFuture(failure);
        }
        long pause = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS << (attempt - 1));
        return vertx.timer(pause).compose(v -> report(partner, orderId, status, attempt + 1));
      });
  }
}
