package dev.cairn.chain.store;

import dev.cairn.chain.ChainConfig;
import dev.cairn.chain.ChainFixture;
import dev.cairn.chain.ChainState;
import dev.cairn.chain.ImportResult;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.Transaction;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of {@link ChainCrashIT}: imports the blocks of a chain file into the store in a
 * directory, printing {@code ok <n> <outcome>} after each (the acknowledgement: {@code
 * IMPORTED_HEAD} and {@code IMPORTED_SIDE} say the block is stored), then {@code done}. The test
 * kills it at random points. With a batch size, it imports the blocks as sync does, in batches
 * committed as groups ({@link ChainState#importBatch}), and acknowledges a batch's blocks when the
 * batch returns.
 *
 * <p>Usage: {@code CrashImporter <store dir> <chain file> <sync true|false> [batch size]}
 */
public final class CrashImporter {
  private CrashImporter() {}

  /** Reads a chain file: a count, then each block as length and canonical bytes. */
  static List<Block> readChain(Path file) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
      int n = in.readInt();
      List<Block> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        out.add(ChainCodec.decodeBlock(b));
      }
      return out;
    } catch (dev.cairn.chain.model.DecodeException e) {
      throw new IOException(e);
    }
  }

  /** Writes a chain file. */
  static void writeChain(Path file, List<Block> blocks) throws IOException {
    try (var out =
        new java.io.DataOutputStream(
            new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(blocks.size());
      for (Block b : blocks) {
        byte[] bytes = ChainCodec.encode(b);
        out.writeInt(bytes.length);
        out.write(bytes);
      }
    }
  }

  /** Entry point. */
  public static void main(String[] args) throws IOException {
    PrintStream out = System.out;
    List<Block> blocks = readChain(Path.of(args[1]));
    boolean sync = Boolean.parseBoolean(args[2]);
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    try (ChainStore store = ChainStore.open(Path.of(args[0]), sync)) {
      ChainState state =
          ChainState.open(
              ChainFixture.PARAMS,
              ChainConfig.defaults().withSyncWrites(sync),
              store,
              ChainFixture.NOW,
              Transaction::hasValidSignature);
      int i = 0;
      while (i < blocks.size()) {
        List<ImportResult> results =
            batch > 0
                ? state.importBatch(blocks.subList(i, Math.min(i + batch, blocks.size())), "file")
                : List.of(state.importBlock(blocks.get(i), "file"));
        for (ImportResult r : results) {
          if (r.penalise()) {
            throw new IllegalStateException("block " + i + ": " + r);
          }
          out.println("ok " + ++i + " " + r.outcome());
        }
        out.flush();
      }
    }
    out.println("done");
    out.flush();
  }
}
