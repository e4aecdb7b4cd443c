package com.oms.tracking;

import static com.oms.testing.Api.cardOrder;
import static com.oms.testing.Api.expect;
import static com.oms.testing.Api.items;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.oms.testing.IntegrationTest;
import com.oms.testing.Poll;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The tracking page in a real, headless Chromium (installed by .ci/run; on a machine without it this
 * class is skipped, and says so).
 */
class TrackingPageBrowserTest extends IntegrationTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private ChromeDriver browser;

  @BeforeAll
  void startBrowser() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
      "Chromium and ChromeDriver are not installed (apt-get install chromium chromium-driver; .ci/run does it)");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments(
      "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--user-data-dir=" + Files.createTempDirectory("oms-chromium"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
      .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private void waitFor(String what, java.util.function.Supplier<Boolean> condition) {
    new WebDriverWait(browser, Duration.ofSeconds(15)).withMessage(what).until(driver -> condition.get());
  }

  private List<String> timeline() {
    return browser.findElements(By.cssSelector("#timeline li")).stream().map(li -> li.getDomAttribute("data-status")).toList();
  }

  @Test
  @DisplayName("the page shows the order live, reconnects by itself and resumes without gaps or repeats")
  void tracksLive() throws Exception {
    double lat = 45 + Math.random();
    String store = unique("store");
    String partner = unique("rider");
    api.store(store, lat, 9.0).await();
    api.stock(store, "masala-dosa", 10, 12000).await();
    api.partner(partner, lat + 0.001, 9.0).await();
    String token = api.customerToken(unique("cust"));
    JsonObject body = cardOrder(store, "tok_visa", items("masala-dosa", 2));
    body.getJsonObject("delivery").put("location", new JsonObject().put("lat", lat + 0.05).put("lon", 9.05));
    String orderId = expect(api.place(token, body), 201).await().getString("orderId");
    Poll.until(app.vertx, () -> api.order(orderId, token), o -> o.getString("status").equals("DELIVERY_PARTNER_ASSIGNED"),
      DEADLINE, "assignment").await();

    browser.get("http://127.0.0.1:" + app.app.httpPort() + "/track/" + orderId + "?access_token=" + token);

    waitFor("the live connection", () -> text("connection").equals("Live"));
    waitFor("the order's status", () -> text("status").equals("Delivery partner assigned"));
    waitFor("the history", () -> timeline().size() >= 5);
    assertThat(timeline()).startsWith("CREATED", "PAYMENT_PENDING", "PAYMENT_SUCCESS", "INVENTORY_RESERVED");
    assertThat(text("partner")).isEqualTo(partner);
    assertThat(text("items")).contains("masala-dosa");
    assertThat(browser.getCurrentUrl()).as("the token is taken out of the address bar").doesNotContain("access_token");

    expect(api.post("/v1/partners/" + partner + "/location", api.partnerToken(partner),
      new JsonObject().put("lat", lat + 0.02).put("lon", 9.02)), 200).await();
    waitFor("the partner's position", () -> browser.findElement(By.id("partner-dot")).getDomAttribute("hidden") == null);
    assertThat(text("distance")).contains("km away");

    expect(api.post("/v1/deliveries/" + orderId + "/status", api.partnerToken(partner), new JsonObject().put("status", "PICKED_UP")), 200).await();
    waitFor("the pickup", () -> text("status").equals("Picked up"));

    // the network drops; meanwhile the order is delivered; the page comes back and catches up
    ((JavascriptExecutor) browser).executeScript("window.omsTracking.drop()");
    waitFor("the page to notice", () -> !text("connection").equals("Live"));
    expect(api.post("/v1/deliveries/" + orderId + "/status", api.partnerToken(partner), new JsonObject().put("status", "DELIVERED")), 200).await();
    waitFor("the reconnection", () -> text("connection").equals("Live"));
    waitFor("the delivery", () -> text("status").equals("Delivered"));
    assertThat(timeline()).containsExactly("CREATED", "PAYMENT_PENDING", "PAYMENT_SUCCESS", "INVENTORY_RESERVED",
      "DELIVERY_PARTNER_ASSIGNED", "PICKED_UP", "DELIVERED");

    // keyboard: the first Tab reaches the skip link, which leads to the progress heading
    browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
    WebElement focused = browser.switchTo().activeElement();
    assertThat(focused.getText()).isEqualTo("Skip to the order's progress");
    assertThat(browser.findElement(By.id("status")).getDomAttribute("aria-live")).isEqualTo("polite");

    // a phone's screen: nothing wider than the viewport
    browser.manage().window().setSize(new Dimension(375, 740));
    Number overflow = (Number) ((JavascriptExecutor) browser).executeScript(
      "return document.documentElement.scrollWidth - window.innerWidth;");
    assertThat(overflow.intValue()).isLessThanOrEqualTo(0);
    Path shot = Path.of("target", "tracking-page.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }
}
