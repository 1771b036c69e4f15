package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.p2p.multiformats.Multiaddr;
import dev.cairn.testing.Await;
import dev.cairn.testing.ChildProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat example as a user runs it: two processes, the second bootstrapped from the first. */
@Timeout(90)
class ChatExampleIT {
  private final ChildProcess.Group chats = new ChildProcess.Group();

  @AfterEach
  void stop() {
    chats.close();
  }

  static String address(ChildProcess chat) {
    return chat.await(Pattern.compile("^Listening on (\\S+)"), Duration.ofSeconds(30));
  }

  ChildProcess start(String... args) throws IOException {
    return chats.start(ChildProcess.jarMain("dev.cairn.examples.Chat", args).heap("-Xmx128m"));
  }

  @Test
  void aLineTypedInOneChatIsPrintedByTheOtherWithItsAuthor() throws Exception {
    ChildProcess a = start("--listen", "/ip4/127.0.0.2/tcp/0", "--topic", "it-chat");
    String addrA = address(a);
    ChildProcess b =
        start("--listen", "/ip4/127.0.0.3/tcp/0", "--topic", "it-chat", "--bootnode", addrA);
    String idB = Multiaddr.parse(address(b)).peerId().orElseThrow().toBase58();
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
