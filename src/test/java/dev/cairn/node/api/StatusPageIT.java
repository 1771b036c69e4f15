package dev.cairn.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.HeadChange;
import dev.cairn.chain.mempool.Mempool;
import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.SigningKey;
import dev.cairn.chain.model.Transaction;
import dev.cairn.node.Node;
import dev.cairn.node.NodeConfig;
import dev.cairn.testing.Closing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser: Debian's Chromium, headless, driven by Selenium through
 * chromium-driver, against a mining node with a second node as its peer. Screenshots go to {@code
 * target/screenshots/}. {@code .ci/run} installs {@code chromium} and {@code chromium-driver} when
 * they are missing; without them this test is skipped with a message saying so.
 */
@Timeout(180)
class StatusPageIT {
  static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CAIRN_CHROMIUM", "/usr/bin/chromium"));
  static final Path DRIVER =
      Path.of(System.getenv().getOrDefault("CAIRN_CHROMEDRIVER", "/usr/bin/chromedriver"));
  static final Path SHOTS = Path.of("target", "screenshots");
  static final SigningKey DEV0 = key("cairn dev key 0");
  static final Address MINER = key("status page miner").address();
  static final Address PAYEE = key("status page payee").address();

  @TempDir Path tmp;
  private Node miner;
  private Node peer;
  private WebDriver browser;
  private Consumer<HeadChange> listener;

  /** When each height became the miner's head (System.nanoTime), seen on the chain owner. */
  private final Map<Long, Long> headAt = new ConcurrentHashMap<>();

  static SigningKey key(String seed) {
    return ChainFixture.seededKey(seed);
  }

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "SKIPPED: no Chromium at "
            + CHROMIUM
            + " or no chromedriver at "
            + DRIVER
            + "; install them with: apt-get install chromium chromium-driver (.ci/run does)");
    miner =
        Node.start(
            NodeConfig.of(
                "dev",
                tmp.resolve("miner"),
                c -> {
                  c.api = new InetSocketAddress("127.0.0.1", 0);
                  c.mineTo(MINER);
                }));
    listener = change -> headAt.putIfAbsent(miner.chain().view().height(), System.nanoTime());
    miner.chain().subscribeHeadChanges(listener).get(10, TimeUnit.SECONDS);
    peer =
        Node.start(
            NodeConfig.of(
                "dev",
                tmp.resolve("peer"),
                c -> c.bootnodes = List.of(miner.p2p().host().fullAddress().orElseThrow())));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1900");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    Files.createDirectories(SHOTS);
  }

  @AfterEach
  void stop() throws Exception {
    Closing.all(browser == null ? null : browser::quit, peer, miner);
  }

  private String url() {
    InetSocketAddress a = miner.apiAddress();
    return "http://" + a.getHostString() + ":" + a.getPort() + "/";
  }

  private WebDriverWait waitUpTo(Duration d) {
    WebDriverWait w = new WebDriverWait(browser, d, Duration.ofMillis(50));
    w.ignoring(org.openqa.selenium.NoSuchElementException.class);
    w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return w;
  }

  private long shownHeight() {
    String text = browser.findElement(By.id("head-height")).getText();
    return text.matches("\\d+") ? Long.parseLong(text) : -1;
  }

  private void screenshot(String name) throws IOException {
    Path file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(file, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void theLivePageShowsNewBlocksThePeerAndFindsATransaction() throws Exception {
    browser.get(url());
    waitUpTo(Duration.ofSeconds(20)).until(d -> shownHeight() >= 0);
    assertThat(browser.getTitle()).isEqualTo("Cairn node");

    // a block mined while the page is open shows within 5 s, without a reload
    long before = miner.chain().view().height();
    dev.cairn.testing.Await.until(
        () -> headAt.keySet().stream().anyMatch(h -> h > before),
        Duration.ofSeconds(60),
        "the miner mines a block");
    long mined = headAt.keySet().stream().filter(h -> h > before).min(Long::compare).orElseThrow();
    waitUpTo(Duration.ofSeconds(5)).until(d -> shownHeight() >= mined);
    long seenAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - headAt.get(mined));
    assertThat(seenAfterMillis).as("ms from block %d to the page", mined).isLessThan(5_000);
    // the blocks table follows without a reload: its newest row is at that height or above (dev
    // blocks come several a second at first, so that block itself may already be past the 20 rows)
    waitUpTo(Duration.ofSeconds(5))
        .until(
            d -> {
              List<WebElement> rows =
                  d.findElements(By.cssSelector("#blocks-table tr[data-height]"));
              return !rows.isEmpty()
                  && Long.parseLong(rows.get(0).getAttribute("data-height")) >= mined;
            });

    // the peer table lists the second node
    String peerId = peer.p2p().host().peerId().toBase58();
    waitUpTo(Duration.ofSeconds(20))
        .until(
            d ->
                !d.findElements(By.cssSelector("#peers-table tr[data-peer='" + peerId + "']"))
                    .isEmpty());
    WebElement row =
        browser.findElement(By.cssSelector("#peers-table tr[data-peer='" + peerId + "']"));
    assertThat(row.getText()).contains("inbound").contains("127.0.0.1");
    screenshot("status-page");

    // search finds a transaction
    long nonce =
        miner
            .chain()
            .account(DEV0.address())
            .get(10, TimeUnit.SECONDS)
            .map(a -> a.nonce())
            .orElse(0L);
    Transaction tx =
        Transaction.signed(DEV0, miner.params().chainId(), PAYEE, 123_456, 2_000, nonce);
    Mempool.Admission admission = miner.submitTransaction(tx).get(10, TimeUnit.SECONDS);
    assertThat(admission.accepted()).as(admission.toString()).isTrue();
    String id = tx.id().toString();
    WebElement input = browser.findElement(By.id("search-input"));
    input.clear();
    input.sendKeys(id);
    browser.findElement(By.id("search-button")).click();
    WebElement found =
        waitUpTo(Duration.ofSeconds(10))
            .until(d -> d.findElement(By.cssSelector("#search-result .tx[data-id='" + id + "']")));
    assertThat(found.getText()).contains("123456 units").contains(PAYEE.text());
    screenshot("status-page-search-transaction");

    // a recent block opens with its transactions; search by height and by address work too
    // the table is redrawn on each new block: click whichever row is there now
    waitUpTo(Duration.ofSeconds(10))
        .until(
            d -> {
              d.findElement(By.cssSelector("#blocks-table tbody tr")).click();
              return true;
            });
    waitUpTo(Duration.ofSeconds(10))
        .until(d -> d.findElement(By.cssSelector("#block-detail .block")).isDisplayed());
    input.clear();
    input.sendKeys("1");
    browser.findElement(By.id("search-button")).click();
    waitUpTo(Duration.ofSeconds(10))
        .until(
            d ->
                d.findElement(By.cssSelector("#search-result .block h3"))
                    .getText()
                    .equals("Block 1"));
    input.clear();
    input.sendKeys(PAYEE.text());
    browser.findElement(By.id("search-button")).click();
    waitUpTo(Duration.ofSeconds(10))
        .until(
            d ->
                d.findElement(
                    By.cssSelector(
                        "#search-result .account[data-address='" + PAYEE.text() + "']")));
    screenshot("status-page-block-and-account");
  }
}
