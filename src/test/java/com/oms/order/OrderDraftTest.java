package com.oms.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.oms.bus.Quote;
import com.oms.bus.StockLine;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OrderDraftTest {

  private static JsonObject request(String itemsJson) {
    return new JsonObject("{\"storeId\":\"s1\",\"items\":" + itemsJson + ","
      + "\"payment\":{\"method\":\"CREDIT_CARD\",\"card\":{\"token\":\"tok_visa\"}},"
      + "\"delivery\":{\"address\":\"a\",\"location\":{\"lat\":1.0,\"lon\":2.0}}}");
  }

  @Test
  @DisplayName("two lines of one SKU become one line of their sum, in first-seen order")
  void mergesLinesPerSku() {
    OrderDraft draft = OrderDraft.from(request("[{\"sku\":\"b\",\"quantity\":1},{\"sku\":\"a\",\"quantity\":2},{\"sku\":\"b\",\"quantity\":3}]"));
    assertThat(draft.lines()).containsExactly(new StockLine("b", 4), new StockLine("a", 2));
  }

  @Test
  @DisplayName("the total is the sum of unit price times quantity, in minor units")
  void totals() {
    OrderDraft draft = OrderDraft.from(request("[{\"sku\":\"a\",\"quantity\":3},{\"sku\":\"b\",\"quantity\":2}]"));
    Quote quote = new Quote("s1", "INR", Map.of("a", 1999L, "b", 500L), 0, 0, "00:00", "00:00", "UTC", 15);
    assertThat(draft.total(quote)).isEqualTo(3 * 1999 + 2 * 500);
    assertThat(draft.pricedItems(quote).getJsonObject(0).getLong("unitAmount")).isEqualTo(1999L);
  }

  @Test
  @DisplayName("the request hash ignores key order but not values, so replays match and changes do not")
  void requestHash() {
    JsonObject one = new JsonObject("{\"a\":1,\"b\":{\"x\":[1,2],\"y\":\"z\"}}");
    JsonObject reordered = new JsonObject("{\"b\":{\"y\":\"z\",\"x\":[1,2]},\"a\":1}");
    JsonObject changed = new JsonObject("{\"a\":1,\"b\":{\"x\":[2,1],\"y\":\"z\"}}");
    assertThat(OrderDraft.hash(one)).isEqualTo(OrderDraft.hash(reordered));
    assertThat(OrderDraft.hash(one)).isNotEqualTo(OrderDraft.hash(changed));
  }

  @Test
  @DisplayName("the card token goes to the instrument, never to the payment shown by the API")
  void instrumentIsSeparate() {
    OrderDraft draft = OrderDraft.from(request("[{\"sku\":\"a\",\"quantity\":1}]"));
    assertThat(draft.instrument().getString("token")).isEqualTo("tok_visa");
    assertThat(draft.paymentSummary().encode()).doesNotContain("tok_visa");
  }
}
