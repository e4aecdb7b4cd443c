package com.oms.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.testing.IntegrationTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TlsTest extends IntegrationTest {

  /** PEM files as an operator would configure them; made here, on the test thread, not on an event loop. */
  private static final io.vertx.core.net.SelfSignedCertificate CERTIFICATE =
    io.vertx.core.net.SelfSignedCertificate.create("localhost");

  @Override
  protected void configure(JsonObject config) {
    config.getJsonObject("http").put("tls", new JsonObject().put("enabled", true)
      .put("certPath", CERTIFICATE.certificatePath()).put("keyPath", CERTIFICATE.privateKeyPath()));
  }

  @Test
  @DisplayName("with TLS on and a configured certificate, the API is served over OpenSSL with HTTP/2 by ALPN, and HTTP/1.1 still works")
  void http2OverTls(Vertx vertx) {
    assertThat(OpenSSLEngineOptions.isAvailable()).as("netty-tcnative BoringSSL loads on this platform").isTrue();
    WebClient h2 = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
      .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2).setDefaultHost("localhost").setDefaultPort(app.app.httpPort()));
    WebClient h1 = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
      .setDefaultHost("localhost").setDefaultPort(app.app.httpPort()));
    WebClient plain = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(app.app.httpPort()));

    HttpResponse<Buffer> overH2 = h2.get("/v1/order-states").send().await();
    assertThat(overH2.statusCode()).isEqualTo(200);
    assertThat(overH2.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(overH2.bodyAsJsonObject().getString("initial")).isEqualTo("CREATED");

    HttpResponse<Buffer> overH1 = h1.get("/v1/order-states").send().await();
    assertThat(overH1.statusCode()).isEqualTo(200);
    assertThat(overH1.version()).isEqualTo(HttpVersion.HTTP_1_1);

    assertThat(plain.get("/v1/order-states").send().otherwiseEmpty().await())
      .as("plain HTTP to the TLS port gets no API answer").matches(r -> r == null || r.statusCode() != 200);
  }
}
