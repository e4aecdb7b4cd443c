package com.oms.http;

import com.oms.config.OmsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;

/** Mints bearer tokens the edge accepts: for dev mode, scripts/token.sh and tests. */
public final class Tokens {

  private final JWTAuth auth;
  private final OmsConfig.Auth config;

  public Tokens(Vertx vertx, OmsConfig.Auth config) {
    this.config = config;
    this.auth = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret())));
  }

  public String mint(String subject, List<String> roles) {
    return auth.generateToken(new JsonObject().put("roles", new JsonArray(roles)), new JWTOptions()
      .setAlgorithm("HS256")
      .setSubject(subject)
      .setIssuer(config.issuer())
      .setExpiresInSeconds((int) config.tokenTtl().toSeconds()));
  }

  public String mint(String subject, String role) {
    return mint(subject, List.of(role));
  }
}
