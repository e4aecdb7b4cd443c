package com.oms.dev;

import com.oms.config.ConfigLoader;
import com.oms.config.OmsConfig;
import com.oms.http.Tokens;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/** {@code scripts/token.sh --sub ID --role ROLE [--role ROLE2]}: prints a token for the configured key. */
public final class TokenCli {

  private TokenCli() {
  }

  public static void main(String[] args) throws Exception {
    String subject = null;
    List<String> roles = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sub" -> subject = args[++i];
        case "--role" -> roles.add(args[++i]);
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (subject == null || roles.isEmpty()) {
      usage("both --sub and --role are required");
    }
    for (String role : roles) {
      if (!List.of("customer", "partner", "admin").contains(role)) {
        usage("role must be customer, partner or admin");
      }
    }
    Vertx vertx = Vertx.vertx();
    try {
      OmsConfig config = OmsConfig.fromJson(ConfigLoader.load(vertx).await());
      System.out.println(new Tokens(vertx, config.auth()).mint(subject, roles));
    } finally {
      vertx.close().await();
    }
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: scripts/token.sh --sub ID --role customer|partner|admin [--role ...]");
    System.exit(2);
  }
}
