package com.oms.inventory;

import com.oms.bus.Quote;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a quote needs of a store, kept in memory: where it is, its hours, and the prices of the SKUs asked
 * for before. Placing an order asked Postgres for the same few rows every time (one statement of each
 * order, and a round trip on the way to its 201). A store is forgotten when an admin changes it or one of
 * its prices (every member is told, see {@code INVENTORY_CATALOG_CHANGED}) and after {@code maxAge}, which
 * bounds how long a member that missed that message can quote an old price.
 * <p>
 * A read of Postgres that began before a change and answers after it must not be remembered: each store
 * has a generation, moved on by every change, and a read's answer is kept only if its generation is still
 * the one it started with.
 */
final class Catalog {

  /** Where the store is and when it works. */
  record StoreFacts(double lat, double lon, String opens, String closes, String timeZone, int preparationMinutes) {
  }

  record Price(long amount, String currency) {
  }

  private static final class Entry {
    final StoreFacts store;
    final Map<String, Price> prices = new HashMap<>();
    final Instant loadedAt;

    Entry(StoreFacts store, Instant loadedAt) {
      this.store = store;
      this.loadedAt = loadedAt;
    }
  }

  private final Clock clock;
  private final Duration maxAge;
  private final Map<String, Entry> stores = new HashMap<>();
  private final Map<String, Long> generations = new HashMap<>();

  Catalog(Clock clock, Duration maxAge) {
    this.clock = clock;
    this.maxAge = maxAge;
  }

  /** The quote for these SKUs from memory, or null when the store or one of them must be read. */
  Quote quote(String storeId, List<String> skus) {
    Entry entry = stores.get(storeId);
    if (entry == null) {
      return null;
    }
    if (!clock.instant().isBefore(entry.loadedAt.plus(maxAge))) {
      stores.remove(storeId);
      return null;
    }
    Map<String, Long> unitPrices = new HashMap<>();
    String currency = null;
    for (String sku : skus) {
      Price price = entry.prices.get(sku);
      if (price == null || currency != null && !currency.equals(price.currency())) {
        return null; // unknown here (maybe unknown at all), or mixed currencies: Postgres answers, and refuses
      }
      currency = price.currency();
      unitPrices.put(sku, price.amount());
    }
    StoreFacts store = entry.store;
    return new Quote(storeId, currency, unitPrices, store.lat(), store.lon(), store.opens(), store.closes(),
      store.timeZone(), store.preparationMinutes());
  }

  /** The generation to hand to {@link #remember} with what a read that starts now finds. */
  long generation(String storeId) {
    return generations.getOrDefault(storeId, 0L);
  }

  /** Keeps what a read found, unless the store changed since the read began. */
  void remember(String storeId, long generation, StoreFacts store, Map<String, Price> prices) {
    if (generation != generation(storeId)) {
      return;
    }
    Entry entry = stores.get(storeId);
    if (entry == null || !entry.store.equals(store)) {
      entry = new Entry(store, clock.instant());
      stores.put(storeId, entry);
    }
    entry.prices.putAll(prices);
  }

  /** The store or one of its prices changed: read it again next time. */
  void forget(String storeId) {
    stores.remove(storeId);
    generations.merge(storeId, 1L, Long::sum);
  }
}
