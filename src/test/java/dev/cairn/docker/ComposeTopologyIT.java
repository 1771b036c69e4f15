package dev.cairn.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cairn.p2p.crypto.PrivateKey;
import dev.cairn.p2p.multiformats.PeerId;
import dev.cairn.testing.ChildProcess;
import dev.cairn.testing.Http;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code docker/docker-compose.yml} without Docker: each Cairn service's command, with the
 * same flags, as a {@code java -jar target/cairn.jar} process on its own 127.b.c.x address (a
 * loopback /24 chosen per run), with the service names resolving to those addresses. Then checks
 * that the network forms, mines and converges.
 *
 * <p>What is mapped, and how: {@code /dns4/<service>/} becomes {@code /ip4/<its address>/}; {@code
 * /ip4/0.0.0.0/} and {@code 0.0.0.0:<port>} (or {@code 127.0.0.1:<port>}, the container's own
 * loopback) become the service's own address; a path under a named volume becomes a temporary
 * directory per service and volume; a path under a bind mount becomes the repository file. Ports,
 * {@code depends_on} order and health checks are Docker's business (ports are checked for form
 * only). Anything else (an unknown service key, a string-form command, a literal IP, a path under
 * no volume, an unknown service name, an entrypoint other than the Dockerfile's) fails the test, so
 * the compose file cannot rot silently. Non-Cairn services (Prometheus, Grafana) are not started;
 * Prometheus' scrape targets are checked against the Cairn services instead.
 */
@Timeout(120)
class ComposeTopologyIT {
  static final Path REPO = Path.of("").toAbsolutePath();
  static final Path DOCKER = REPO.resolve("docker");
  static final Path COMPOSE = DOCKER.resolve("docker-compose.yml");

  /** The subnet of the tests that map arguments without starting processes. */
  static final String SUBNET = "127.0.77.";

  /** Tries for {@link #planOnFreeSubnet}. */
  static final int SUBNET_TRIES = 20;

  /** The Dockerfile's ENTRYPOINT; the command of a service follows it. */
  static final String ENTRYPOINT =
      "[\"java\", \"-XX:+ExitOnOutOfMemoryError\", \"-Xmx512m\", \"-jar\","
          + " \"/opt/cairn/cairn.jar\"]";

  static final Set<String> SERVICE_KEYS =
      Set.of(
          "build",
          "image",
          "command",
          "volumes",
          "ports",
          "depends_on",
          "environment",
          "healthcheck",
          "restart");

  private final List<Proc> procs = new ArrayList<>();
  private final ChildProcess.Group children = new ChildProcess.Group();

  @TempDir Path tmp;

  /** A Cairn service mapped onto a process. */
  record Service(
      String name,
      String address,
      List<String> args,
      Map<String, String> env,
      List<String> dependsOn,
      String apiUrl) {}

  record Proc(Service service, ChildProcess child) {
    String tail() {
      return child.tail(15);
    }
  }

  @AfterEach
  void stop() {
    children.close();
  }

  @Test
  void composeFileMapsOntoProcessesAndPrometheusScrapesEveryNode() throws Exception {
    List<Service> services = plan(tmp, SUBNET);
    assertThat(services).extracting(Service::name).contains("bootnode");
    assertThat(services.stream().filter(s -> s.args().contains("--mine")).count())
        .isGreaterThanOrEqualTo(1);
    assertThat(Files.readString(DOCKER.resolve("Dockerfile"))).contains("ENTRYPOINT " + ENTRYPOINT);

    Map<String, Integer> apiPorts = new LinkedHashMap<>();
    for (Service s : services) {
      apiPorts.put(s.name(), URI.create(s.apiUrl()).getPort());
    }
    JsonNode prom = new YAMLMapper().readTree(DOCKER.resolve("prometheus.yml").toFile());
    Set<String> scraped = new HashSet<>();
    for (JsonNode job : prom.path("scrape_configs")) {
      assertThat(job.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");
      for (JsonNode sc : job.path("static_configs")) {
        for (JsonNode t : sc.path("targets")) {
          String[] hostPort = t.asText().split(":");
          assertThat(apiPorts)
              .as("prometheus target %s is a cairn service's API", t.asText())
              .containsEntry(hostPort[0], Integer.parseInt(hostPort[1]));
          scraped.add(hostPort[0]);
        }
      }
    }
    assertThat(scraped).as("prometheus scrapes every node").isEqualTo(apiPorts.keySet());
  }

  @Test
  void whatCannotBeMappedFailsTheTestInsteadOfBeingSkipped() {
    Map<String, String> addrs = Map.of("bootnode", SUBNET + "2");
    Map<String, Path> mounts = Map.of("/data", tmp);
    assertThat(mapArg("x", "/dns4/bootnode/tcp/4001", SUBNET + "3", addrs, mounts))
        .isEqualTo("/ip4/" + SUBNET + "2/tcp/4001");
    assertThat(mapArg("x", "/data/chain", SUBNET + "3", addrs, mounts))
        .isEqualTo(tmp.resolve("chain").toString());
    assertThatThrownBy(() -> mapArg("x", "/dns4/nodeX/tcp/4001", "a", addrs, mounts))
        .hasMessageContaining("names no cairn service");
    assertThatThrownBy(() -> mapArg("x", "/ip4/10.0.0.1/tcp/4001", "a", addrs, mounts))
        .hasMessageContaining("literal address");
    assertThatThrownBy(() -> mapArg("x", "/var/lib/cairn", "a", addrs, mounts))
        .hasMessageContaining("under no volume");
  }

  @Test
  void aComposePortAlreadyTakenOnTheServiceAddressIsSeen() throws Exception {
    String own = SUBNET + "9";
    try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
      taken.bind(new java.net.InetSocketAddress(own, 0));
      int port = taken.getLocalPort();
      assertThat(portsFree(service(own, "--listen", "/ip4/" + own + "/tcp/" + port))).isFalse();
      assertThat(portsFree(service(own, "--api", own + ":" + port))).isFalse();
      assertThat(portsFree(service(own, "--bootnode", "/ip4/" + SUBNET + "2/tcp/" + port)))
          .as("another service's address is not this one's to bind")
          .isTrue();
    }
  }

  static Service service(String own, String... args) {
    List<String> all = new ArrayList<>(List.of("node"));
    all.addAll(List.of(args));
    return new Service("x", own, all, Map.of(), List.of(), "http://" + own + ":1");
  }

  @Test
  void composeNetworkFormsMinesAndConverges() throws Exception {
    List<Service> services = planOnFreeSubnet(tmp);
    for (Service s : services) {
      start(s);
    }
    int n = services.size();
    poll(
        () -> services.stream().allMatch(s -> status(s).path("peerCount").asInt() == n - 1),
        Duration.ofSeconds(45),
        "every node connected to the " + (n - 1) + " others (bootnode, then the DHT)");
    // each /p2p/ id in the file is the id that service really has (the committed bootnode key)
    for (Service s : services) {
      for (String a : s.args()) {
        Matcher m = Pattern.compile("/ip4/([0-9.]+)/.*/p2p/(\\w+)").matcher(a);
        if (m.matches()) {
          Service target =
              services.stream().filter(t -> t.address().equals(m.group(1))).findFirst().get();
          assertThat(status(target).path("peerId").asText())
              .as("peer id of %s as %s dials it", target.name(), s.name())
              .isEqualTo(m.group(2));
        }
      }
    }
    poll(
        () -> services.stream().allMatch(s -> status(s).path("headHeight").asLong() >= 4),
        Duration.ofSeconds(45),
        "every node at height 4 or more");
    String[] agreed = new String[1];
    poll(
        () -> {
          long common =
              services.stream()
                      .mapToLong(s -> status(s).path("headHeight").asLong())
                      .min()
                      .orElse(0)
                  - 1;
          Set<String> hashes = new HashSet<>();
          for (Service s : services) {
            hashes.add(get(s.apiUrl() + "/api/v1/blocks/" + common).path("hash").asText(""));
          }
          agreed[0] = "height " + common + " " + hashes;
          return common >= 3 && hashes.size() == 1 && !hashes.contains("");
        },
        Duration.ofSeconds(30),
        "all nodes hold the same block at a common height");
    System.out.println("compose network converged: " + agreed[0]);
  }

  // ---- compose file → processes

  /**
   * {@link #plan} on a loopback /24 of this run's own, {@code 127.b.c.} with b and c random, on
   * which every port the services bind is free right now. The compose file fixes its ports (the
   * bootnode's /p2p/ address and Prometheus' targets name them), so they cannot be 0; a subnet per
   * run keeps them from meeting another run's nodes (several checkouts may build at once) or
   * anything else bound on loopback. Between this check and the node's bind is a moment in which
   * only something else picking the same random subnet could take a port, which is acceptable.
   */
  static List<Service> planOnFreeSubnet(Path tmp) throws IOException {
    java.util.random.RandomGenerator random = new java.security.SecureRandom();
    for (int i = 0; i < SUBNET_TRIES; i++) {
      String subnet = "127." + random.nextInt(100, 255) + "." + random.nextInt(0, 256) + ".";
      List<Service> services = plan(tmp, subnet);
      if (services.stream().allMatch(ComposeTopologyIT::portsFree)) {
        return services;
      }
    }
    throw new AssertionError("no loopback subnet with the compose ports free in " + SUBNET_TRIES);
  }

  /** Whether every port {@code s} binds on its own address can be bound now. */
  static boolean portsFree(Service s) {
    Pattern own =
        Pattern.compile("^(?:/ip4/)?" + Pattern.quote(s.address()) + "(?:/tcp/|:)(\\d+)(?:/.*)?$");
    List<String> values = new ArrayList<>(s.args());
    values.addAll(s.env().values());
    for (String v : values) {
      Matcher m = own.matcher(v);
      if (m.matches()) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
          probe.bind(new java.net.InetSocketAddress(s.address(), Integer.parseInt(m.group(1))));
        } catch (IOException e) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Maps every Cairn service of the compose file onto {@code subnet} (e.g. {@code "127.0.77."}), or
   * fails naming what it cannot map.
   */
  static List<Service> plan(Path tmp, String subnet) throws IOException {
    JsonNode compose = new YAMLMapper().readTree(COMPOSE.toFile());
    JsonNode all = compose.path("services");
    assertThat(all.isObject()).as("compose file has services").isTrue();
    Set<String> namedVolumes = new HashSet<>();
    compose.path("volumes").fieldNames().forEachRemaining(namedVolumes::add);

    Map<String, String> addresses = new LinkedHashMap<>();
    List<String> cairn = new ArrayList<>();
    int next = 2;
    for (Iterator<String> it = all.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      JsonNode svc = all.get(name);
      Set<String> keys = new HashSet<>();
      svc.fieldNames().forEachRemaining(keys::add);
      keys.removeAll(SERVICE_KEYS);
      require(keys.isEmpty(), name + ": service keys this test cannot map: " + keys);
      if (!isCairn(svc)) {
        require(!svc.path("image").asText("").isEmpty(), name + ": not cairn and has no image");
        continue; // prometheus, grafana: their images are not ours to run
      }
      addresses.put(name, subnet + next++);
      cairn.add(name);
    }
    List<Service> out = new ArrayList<>();
    for (String name : cairn) {
      out.add(mapService(name, all.get(name), addresses, namedVolumes, tmp.resolve(name)));
    }
    checkPeerIds(out);
    return startOrder(out);
  }

  static boolean isCairn(JsonNode svc) {
    return svc.path("image").asText("").startsWith("cairn:")
        || svc.path("build").path("dockerfile").asText("").equals("docker/Dockerfile");
  }

  static Service mapService(
      String name,
      JsonNode svc,
      Map<String, String> addresses,
      Set<String> namedVolumes,
      Path volumeRoot)
      throws IOException {
    String own = addresses.get(name);
    // container path → host path, from the volumes
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (JsonNode v : svc.path("volumes")) {
      require(v.isTextual(), name + ": volumes must use the short 'source:target[:ro]' form");
      String[] parts = v.asText().split(":");
      require(parts.length >= 2 && parts.length <= 3, name + ": bad volume '" + v.asText() + "'");
      Path host;
      if (parts[0].startsWith("./") || parts[0].startsWith("../")) {
        host = DOCKER.resolve(parts[0]).normalize();
        require(Files.exists(host), name + ": mounted file " + host + " does not exist");
      } else {
        require(namedVolumes.contains(parts[0]), name + ": volume '" + parts[0] + "' not declared");
        host = Files.createDirectories(volumeRoot.resolve(parts[0]));
      }
      mounts.put(parts[1], host);
    }
    for (JsonNode p : svc.path("ports")) {
      require(
          p.asText().matches("(\\d+:)?\\d+(/tcp)?"),
          name + ": port '" + p.asText() + "' is not HOST:CONTAINER");
    }
    List<String> dependsOn = new ArrayList<>();
    for (JsonNode d : svc.path("depends_on")) {
      require(d.isTextual(), name + ": bad depends_on " + d);
      dependsOn.add(d.asText());
    }
    JsonNode command = svc.path("command");
    require(
        command.isArray() && command.size() > 0,
        name + ": command must be a non-empty list (the string form is not mapped)");
    List<String> args = new ArrayList<>();
    for (JsonNode c : command) {
      args.add(mapArg(name, c.asText(), own, addresses, mounts));
    }
    require(args.get(0).equals("node"), name + ": a cairn service runs 'node', got " + args.get(0));
    Map<String, String> env = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = svc.path("environment").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      env.put(e.getKey(), mapArg(name, e.getValue().asText(), own, addresses, mounts));
    }
    int api = args.indexOf("--api");
    require(
        api > 0 && api + 1 < args.size() && args.get(api + 1).startsWith(own + ":"),
        name + ": needs '--api 0.0.0.0:<port>' so that ports: and the health check reach the API");
    String apiUrl = "http://" + args.get(api + 1);
    return new Service(name, own, args, env, dependsOn, apiUrl);
  }

  /** One command argument or environment value, from the container's view to this host's. */
  static String mapArg(
      String service,
      String arg,
      String own,
      Map<String, String> addresses,
      Map<String, Path> mounts) {
    Matcher dns = Pattern.compile("^/dns[46]?/([^/]+)(/.*)$").matcher(arg);
    if (dns.matches()) {
      String target = addresses.get(dns.group(1));
      require(target != null, service + ": '" + arg + "' names no cairn service");
      return "/ip4/" + target + dns.group(2);
    }
    if (arg.startsWith("/ip4/0.0.0.0/")) {
      return "/ip4/" + own + arg.substring("/ip4/0.0.0.0".length());
    }
    require(
        !arg.startsWith("/ip4/") && !arg.startsWith("/ip6/"),
        service + ": literal address '" + arg + "' means nothing between containers; use /dns4/");
    Matcher hostPort =
        Pattern.compile("^(0\\.0\\.0\\.0|127\\.0\\.0\\.1|localhost):(\\d+)$").matcher(arg);
    if (hostPort.matches()) {
      return own + ":" + hostPort.group(2);
    }
    if (arg.startsWith("/")) {
      String best = null;
      for (String target : mounts.keySet()) {
        if ((arg.equals(target) || arg.startsWith(target + "/"))
            && (best == null || target.length() > best.length())) {
          best = target;
        }
      }
      require(best != null, service + ": path '" + arg + "' is under no volume or mounted file");
      String rest = arg.substring(best.length());
      Path host = mounts.get(best);
      return rest.isEmpty() ? host.toString() : host.resolve(rest.substring(1)).toString();
    }
    return arg;
  }

  /**
   * Each {@code /p2p/<id>} in a command is the id of the key file its target service is given (the
   * committed dev bootnode key): else peers would refuse the bootnode's handshake.
   */
  static void checkPeerIds(List<Service> services) throws IOException {
    for (Service s : services) {
      for (String a : s.args()) {
        Matcher m = Pattern.compile("^/ip4/([0-9.]+)/.*/p2p/(\\w+)$").matcher(a);
        if (!m.matches()) {
          continue;
        }
        Service target =
            services.stream().filter(t -> t.address().equals(m.group(1))).findFirst().orElseThrow();
        int key = target.args().indexOf("--node-key-file");
        require(
            key > 0,
            s.name()
                + " expects a fixed peer id of "
                + target.name()
                + ", which has no --node-key-file");
        Path file = Path.of(target.args().get(key + 1));
        require(Files.isRegularFile(file), target.name() + ": key file " + file + " missing");
        PeerId id;
        try {
          id = PeerId.fromPublicKey(PrivateKey.decode(Files.readAllBytes(file)).publicKey());
        } catch (dev.cairn.p2p.ProtocolException e) {
          throw new AssertionError(file + " is not a libp2p private key", e);
        }
        require(
            id.toBase58().equals(m.group(2)),
            s.name()
                + " dials "
                + target.name()
                + " as "
                + m.group(2)
                + " but its key "
                + file.getFileName()
                + " is "
                + id.toBase58());
      }
    }
  }

  /** Services after the ones they depend on. */
  static List<Service> startOrder(List<Service> services) {
    List<Service> ordered = new ArrayList<>();
    Set<String> done = new HashSet<>();
    while (ordered.size() < services.size()) {
      boolean progress = false;
      for (Service s : services) {
        if (!done.contains(s.name())
            && s.dependsOn().stream()
                .allMatch(
                    d ->
                        done.contains(d) || services.stream().noneMatch(x -> x.name().equals(d)))) {
          ordered.add(s);
          done.add(s.name());
          progress = true;
        }
      }
      require(progress, "depends_on has a cycle");
    }
    return ordered;
  }

  static void require(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("docker-compose.yml cannot be run as processes: " + what);
    }
  }

  // ---- processes and HTTP

  void start(Service s) throws IOException {
    ChildProcess p =
        children.start(
            ChildProcess.cairn(s.args().toArray(String[]::new)).name(s.name()).env(s.env()));
    procs.add(new Proc(s, p));
  }

  JsonNode status(Service s) {
    return get(s.apiUrl() + "/api/v1/status");
  }

  JsonNode get(String url) {
    JsonNode r = Http.json(url);
    return r == null ? Http.JSON.createObjectNode() : r;
  }

  /** Polls twice a second (each poll is HTTP to every node); on timeout shows each node's log. */
  void poll(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      for (Proc p : procs) {
        if (!p.child().process().isAlive()) {
          throw new AssertionError(p.service().name() + " exited\n" + p.tail());
        }
      }
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        for (Proc p : procs) {
          logs.append('\n').append(status(p.service())).append('\n').append(p.tail());
        }
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what + logs);
      }
      LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
    }
  }
}
