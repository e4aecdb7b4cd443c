package com.oms.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TlsSelfSignedTest extends IntegrationTest {

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("http").put("tls", new JsonObject().put("enabled", true).put("selfSigned", true));
  }

  @Test
  @DisplayName("in dev, TLS without a configured certificate serves a generated self-signed one for localhost")
  void selfSigned(Vertx vertx) {
    WebClient h2 = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
      .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2).setDefaultHost("localhost").setDefaultPort(app.app.httpPort()));
    HttpResponse<Buffer> response = h2.get("/v1/order-states").send().await();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
  }

  @Test
  @DisplayName("TLS on with neither a certificate nor self-signing allowed: the service refuses to start, saying why")
  void noCertificate(Vertx vertx) {
    io.vertx.core.Future<com.oms.testing.TestApp> started = com.oms.testing.TestApp.start(vertx, config ->
      config.getJsonObject("http").put("tls", new JsonObject().put("enabled", true).put("selfSigned", false)));
    started.otherwiseEmpty().await();
    assertThat(started.failed()).isTrue();
    assertThat(started.cause()).hasMessageContaining("http.tls.certPath");
  }
}
