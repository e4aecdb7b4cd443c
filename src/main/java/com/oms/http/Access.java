package com.oms.http;

import com.oms.bus.Caller;
import com.oms.bus.Problem;
import com.oms.bus.ProblemType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.List;

/** Who the authenticated caller is, and whether their roles allow an operation. */
final class Access {

  private Access() {
  }

  static Caller caller(RoutingContext ctx) {
    User user = ctx.user();
    if (user == null) {
      throw new Problem(ProblemType.UNAUTHORIZED, "send a valid bearer token: Authorization: Bearer <jwt>");
    }
    JsonObject principal = user.principal();
    JsonArray roles = principal.getJsonArray("roles", new JsonArray());
    String subject = principal.getString("sub");
    if (subject == null || subject.isBlank()) {
      throw new Problem(ProblemType.UNAUTHORIZED, "the token has no subject");
    }
    if (!principal.containsKey("exp") && !user.attributes().containsKey("exp")) {
      // the JWT handler checks an expiry when there is one; a token that never expires is not accepted
      throw new Problem(ProblemType.UNAUTHORIZED, "the token has no expiry (exp)");
    }
    return new Caller(subject, roles.stream().map(String::valueOf).toList());
  }

  /** The caller, provided they hold one of {@code roles}; else 403. */
  static Caller require(RoutingContext ctx, String... roles) {
    Caller caller = caller(ctx);
    if (Arrays.stream(roles).noneMatch(caller::has)) {
      throw new Problem(ProblemType.FORBIDDEN, "this needs one of the roles " + List.of(roles));
    }
    return caller;
  }

  /** A partner acting on their own record, or an admin when {@code adminToo}. */
  static Caller requireSelfPartner(RoutingContext ctx, String partnerId, boolean adminToo) {
    Caller caller = caller(ctx);
    if (adminToo && caller.isAdmin()) {
      return caller;
    }
    if (!caller.has(Caller.PARTNER) || !caller.subject().equals(partnerId)) {
      throw new Problem(ProblemType.FORBIDDEN, "partners may only act on their own record");
    }
    return caller;
  }
}
