package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat example as a user runs it: two processes, the second bootstrapped from the first. */
@Timeout(90)
class ChatExampleIT {
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
  }

  record Chat(Process process, List<String> lines) {
    String address() {
      Await.until(
          () -> lines.stream().anyMatch(l -> l.startsWith("Listening on ")),
          Duration.ofSeconds(30),
          "chat prints its address");
      return lines.stream()
          .filter(l -> l.startsWith("Listening on "))
          .findFirst()
          .orElseThrow()
          .substring("Listening on ".length());
    }

    void say(String text) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((text + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }
  }

  Chat start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx128m");
    cmd.add("-cp");
    cmd.add(Path.of("target", "cairn.jar").toAbsolutePath().toString());
    cmd.add("dev.cairn.examples.Chat");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    processes.add(p);
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // ended
              }
            });
    return new Chat(p, lines);
  }

  @Test
  void aLineTypedInOneChatIsPrintedByTheOtherWithItsAuthor() throws Exception {
    Chat a = start("--listen", "/ip4/127.0.0.2/tcp/0", "--topic", "it-chat");
    String addrA = a.address();
    Chat b = start("--listen", "/ip4/127.0.0.3/tcp/0", "--topic", "it-chat", "--bootnode", addrA);
    String idB = Multiaddr.parse(b.address()).peerId().orElseThrow().toBase58();
    String idA = Multiaddr.parse(addrA).peerId().orElseThrow().toBase58();
    // b publishes until a has it: the first lines may go out before b knows a's subscription
    Await.until(
        () -> {
          try {
            b.say("hello from b");
          } catch (IOException e) {
            return false;
          }
          return a.lines().contains(idB + ": hello from b");
        },
        Duration.ofSeconds(40),
        "a prints b's line");
    a.say("hi b");
    Await.until(
        () -> b.lines().contains(idA + ": hi b"), Duration.ofSeconds(20), "b prints a's line");
    assertThat(a.lines()).noneMatch(l -> l.contains("Exception"));
  }
}
