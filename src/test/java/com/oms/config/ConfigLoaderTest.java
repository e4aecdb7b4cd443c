package com.oms.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

  @Test
  @DisplayName("conf/application.yaml loads into typed settings with the documented defaults")
  void loadsTheShippedFile(Vertx vertx) {
    OmsConfig config = OmsConfig.fromJson(ConfigLoader.load(vertx, Map.of()).await());
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.order().expireAfter()).isEqualTo(Duration.ofHours(48));
    assertThat(config.postgres().embedded()).isTrue();
    assertThat(config.payment().simulated()).isTrue();
    assertThat(config.simulation().partners()).as("simulated partners are for load tests only").isFalse();
  }

  @Test
  @DisplayName("environment variables override settings by path, with types kept, and the short names work")
  void environmentOverrides() {
    JsonObject yaml = new JsonObject()
      .put("http", new JsonObject().put("port", 8080).put("maxBodyBytes", 10L))
      .put("order", new JsonObject().put("expireAfter", "PT48H"))
      .put("postgres", new JsonObject().put("url", ""));
    JsonObject merged = ConfigLoader.applyEnvironment(yaml, Map.of(
      "OMS_HTTP_PORT", "9090",
      "OMS_HTTP_MAX_BODY_BYTES", "2048",
      "OMS_ORDER_EXPIRE_AFTER", "PT1H",
      "OMS_PG_URL", "postgresql://u:p@db:5432/oms",
      "UNRELATED", "x"));
    assertThat(merged.getJsonObject("http").getValue("port")).isEqualTo(9090);
    assertThat(merged.getJsonObject("http").getValue("maxBodyBytes")).isEqualTo(2048L);
    assertThat(merged.getJsonObject("order").getString("expireAfter")).isEqualTo("PT1H");
    assertThat(merged.getJsonObject("postgres").getString("url")).isEqualTo("postgresql://u:p@db:5432/oms");
    assertThat(yaml.getJsonObject("http").getInteger("port")).as("the input is not modified").isEqualTo(8080);
  }

  @Test
  @DisplayName("a list is overridden by a comma-separated variable, and a key in capitals keeps its name")
  void listsAndCapitalKeys(Vertx vertx) {
    Map<String, String> env = Map.of(
      "OMS_NOTIFICATION_DEFAULT_CHANNELS", "EMAIL, PUSH",
      "OMS_NOTIFICATION_EVENT_CHANNELS_PARTNER_ASSIGNED", "EMAIL,SMS,PUSH");
    OmsConfig config = OmsConfig.fromJson(ConfigLoader.load(vertx, env).await());
    assertThat(config.notification().defaultChannels()).containsExactly("EMAIL", "PUSH");
    assertThat(config.notification().eventChannels().get("PARTNER_ASSIGNED")).containsExactly("EMAIL", "SMS", "PUSH");
    assertThat(config.notification().eventChannels().get("ORDER_DELIVERED")).as("as shipped").containsExactly("PUSH");
  }
}
