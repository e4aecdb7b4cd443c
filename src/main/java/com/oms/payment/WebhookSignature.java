package com.oms.payment;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature gateways put on their webhooks, in the style of public gateways: a header
 * {@code Oms-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">} with the provider's
 * secret. Verification compares in constant time and refuses timestamps outside the tolerance.
 */
public final class WebhookSignature {

  public static final String HEADER = "Oms-Signature";
  public static final Duration TOLERANCE = Duration.ofMinutes(5);

  private WebhookSignature() {
  }

  /** Why a webhook was refused. */
  public static final class Rejected extends Exception {
    public Rejected(String reason) {
      super(reason, null, false, false);
    }
  }

  public static String sign(String secret, Instant at, byte[] body) {
    long t = at.getEpochSecond();
    return "t=" + t + ",v1=" + hex(hmac(secret, t, body));
  }

  /** Accepts the body only if the header carries a valid signature made within the tolerance of {@code now}. */
  public static void verify(String secret, String header, byte[] body, Instant now) throws Rejected {
    if (header == null || header.isBlank()) {
      throw new Rejected("missing " + HEADER + " header");
    }
    Long t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      String[] pair = part.trim().split("=", 2);
      if (pair.length == 2 && pair[0].equals("t")) {
        try {
          t = Long.parseLong(pair[1]);
        } catch (NumberFormatException e) {
          throw new Rejected("malformed timestamp");
        }
      } else if (pair.length == 2 && pair[0].equals("v1")) {
        v1 = pair[1];
      }
    }
    if (t == null || v1 == null) {
      throw new Rejected("malformed " + HEADER + " header");
    }
    if (Duration.between(Instant.ofEpochSecond(t), now).abs().compareTo(TOLERANCE) > 0) {
      throw new Rejected("timestamp outside the " + TOLERANCE.toMinutes() + "-minute tolerance");
    }
    byte[] expected = hmac(secret, t, body);
    byte[] given;
    try {
      given = HexFormat.of().parseHex(v1);
    } catch (IllegalArgumentException e) {
      throw new Rejected("malformed signature");
    }
    if (!MessageDigest.isEqual(expected, given)) {
      throw new Rejected("signature does not match");
    }
  }

  private static byte[] hmac(String secret, long t, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
