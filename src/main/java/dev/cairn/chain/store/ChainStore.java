package dev.cairn.chain.store;

import dev.cairn.chain.model.Address;
import dev.cairn.chain.model.Block;
import dev.cairn.chain.model.BlockHeader;
import dev.cairn.chain.model.ChainCodec;
import dev.cairn.chain.model.DecodeException;
import dev.cairn.chain.model.Hash;
import dev.cairn.chain.model.Limits;
import dev.cairn.chain.model.Transaction;
import dev.cairn.chain.state.Account;
import dev.cairn.chain.state.AccountReader;
import dev.cairn.chain.state.StateCodec;
import dev.cairn.chain.state.StateDelta;
import dev.cairn.chain.state.Undo;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The chain on disk: one RocksDB with a column family per kind of record.
 *
 * <pre>
 * blocks     block hash (32)        → canonical block bytes (ChainCodec)
 * headers    block hash (32)        → header (116) ‖ status (1) ‖ work length (1) ‖ cumulative work
 * canonical  height (u64 BE)        → block hash, for heights 0 .. head
 * accounts   address (20)           → balance (u64) ‖ nonce (u64)
 * undo       block hash (32)        → count (u32), then per account: address ‖ present (1) ‖ balance ‖ nonce
 * txindex    transaction id (32)    → block hash (32) ‖ index (u32), canonical chain only
 * meta       "schema" → u32, "head" → block hash, "genesis" → block hash
 * </pre>
 *
 * <p>Writes go through a {@link Batch}: importing a block, or one step of a reorg (undo one block
 * and move the head back, or apply one block and move the head forward), is ONE {@link WriteBatch}
 * and so atomic. A process killed at any instant reopens at the last committed batch, a consistent
 * chain: canonical index, accounts, undo data and head all agree ({@link #verify} checks it).
 *
 * <p>Durability: with {@code syncWrites} (the default) each batch that moves the head is written
 * with {@code sync=true}, so it survives a power cut once {@link #write} returns; batches that only
 * add a side block or a status skip the fsync (losing them costs a re-download, never consistency).
 * Without {@code syncWrites} all batches go to the write-ahead log without fsync, which still
 * survives a killed process (the OS holds the log) but may lose the last blocks on a power cut —
 * still in a consistent state, as RocksDB replays the log only up to whole batches.
 *
 * <p>Group commit ({@link #beginGroup}, {@link #commitGroup}): a batch of blocks imported by sync
 * writes one atomic batch per block as above, but fsyncs the log once, at the end of the group,
 * before its import is answered. A power cut during a group loses the group's blocks written since
 * the group began (at most one sync batch, 32 blocks by default; sync downloads them again), and
 * reopens at the end of one of its batches, never in between; a killed process loses nothing.
 *
 * <p>Thread safety: reads may come from any thread (RocksDB is thread-safe); writes come only from
 * the chain owner.
 */
public final class ChainStore implements AutoCloseable {
  /** The layout version this code reads and writes. */
  public static final int SCHEMA_VERSION = 1;

  private static final byte[] KEY_SCHEMA = ascii("schema");
  private static final byte[] KEY_HEAD = ascii("head");
  private static final byte[] KEY_GENESIS = ascii("genesis");

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final boolean syncWrites;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final List<ColumnFamilyHandle> handles;
  private final RocksDB db;
  private final ColumnFamilyHandle blocks;
  private final ColumnFamilyHandle headers;
  private final ColumnFamilyHandle canonical;
  private final ColumnFamilyHandle accounts;
  private final ColumnFamilyHandle undo;
  private final ColumnFamilyHandle txIndex;
  private final ColumnFamilyHandle meta;
  private final WriteOptions syncOptions;
  private final WriteOptions asyncOptions;
  private boolean closed;
  private boolean grouped;
  private boolean unsynced;
  private volatile long logSyncs;

  private ChainStore(Path dir, boolean syncWrites) throws RocksDBException {
    this.dir = dir;
    this.syncWrites = syncWrites;
    this.dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setMaxOpenFiles(256)
            .setKeepLogFileNum(4);
    this.cfOptions =
        new ColumnFamilyOptions()
            .setTableFormatConfig(
                new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false)));
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (String name :
        List.of("blocks", "headers", "canonical", "accounts", "undo", "txindex", "meta")) {
      descriptors.add(new ColumnFamilyDescriptor(ascii(name), cfOptions));
    }
    this.handles = new ArrayList<>();
    this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    this.blocks = handles.get(1);
    this.headers = handles.get(2);
    this.canonical = handles.get(3);
    this.accounts = handles.get(4);
    this.undo = handles.get(5);
    this.txIndex = handles.get(6);
    this.meta = handles.get(7);
    this.syncOptions = new WriteOptions().setSync(true);
    this.asyncOptions = new WriteOptions().setSync(false);
  }

  /**
   * Opens (or creates) the store in {@code dir} and checks its schema version; a new store gets the
   * current version. {@link StoreException} if the version differs or RocksDB fails.
   */
  public static ChainStore open(Path dir, boolean syncWrites) {
    ChainStore store;
    try {
      Files.createDirectories(dir);
      store = new ChainStore(dir, syncWrites);
    } catch (RocksDBException | java.io.IOException e) {
      throw new StoreException("cannot open the chain store in " + dir + ": " + e.getMessage(), e);
    }
    try {
      byte[] v = store.get(store.meta, KEY_SCHEMA);
      if (v == null) {
        if (store.get(store.meta, KEY_HEAD) != null) {
          throw new StoreException("store in " + dir + " has a head but no schema version");
        }
        store.put(store.meta, KEY_SCHEMA, ByteBuffer.allocate(4).putInt(SCHEMA_VERSION).array());
      } else if (v.length != 4 || ByteBuffer.wrap(v).getInt() != SCHEMA_VERSION) {
        throw new StoreException(
            "store in "
                + dir
                + " has schema version "
                + (v.length == 4 ? ByteBuffer.wrap(v).getInt() : -1)
                + ", this node reads version "
                + SCHEMA_VERSION);
      }
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }

  // ---- reads

  /** The head block's hash, or empty for a new store. */
  public Optional<Hash> head() {
    return Optional.ofNullable(get(meta, KEY_HEAD)).map(Hash::of);
  }

  /** The genesis hash this store was initialised with, or empty for a new store. */
  public Optional<Hash> genesis() {
    return Optional.ofNullable(get(meta, KEY_GENESIS)).map(Hash::of);
  }

  /** The stored schema version. */
  public int schemaVersion() {
    return ByteBuffer.wrap(get(meta, KEY_SCHEMA)).getInt();
  }

  /** A stored block. */
  public Optional<Block> block(Hash hash) {
    byte[] v = get(blocks, hash.bytes());
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ChainCodec.decodeBlock(v));
    } catch (DecodeException e) {
      throw new StoreException("stored block " + hash + " does not decode: " + e.getMessage(), e);
    }
  }

  /** True if the block's body is stored. */
  public boolean hasBlock(Hash hash) {
    return get(blocks, hash.bytes()) != null;
  }

  /** A header index entry. */
  public Optional<StoredHeader> header(Hash hash) {
    byte[] v = get(headers, hash.bytes());
    return v == null ? Optional.empty() : Optional.of(decodeHeaderEntry(hash, v));
  }

  /** Every header index entry, in key order (for loading the index on start). */
  public void forEachHeader(Consumer<StoredHeader> action) {
    try (RocksIterator it = db.newIterator(headers)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        action.accept(decodeHeaderEntry(Hash.of(it.key()), it.value()));
      }
      check(it);
    }
  }

  /**
   * Encoded bytes of all stored block bodies (canonical and side), keys included. Iterates the
   * blocks column family: for checks and tests, not for a hot path.
   */
  public long blockBytes() {
    long n = 0;
    try (RocksIterator it = db.newIterator(blocks)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        n += it.key().length + it.value().length;
      }
      check(it);
    }
    return n;
  }

  /** The canonical block at {@code height}. */
  public Optional<Hash> canonical(long height) {
    return Optional.ofNullable(get(canonical, heightKey(height))).map(Hash::of);
  }

  /** An account at the head. */
  public Optional<Account> account(Address address) {
    byte[] v = get(accounts, address.bytes());
    return v == null ? Optional.empty() : Optional.of(decodeAccount(v));
  }

  /** This store's accounts as an {@link AccountReader} (reads the committed state). */
  public AccountReader accountReader() {
    return this::account;
  }

  /** Every account, in address order. */
  public void forEachAccount(BiConsumer<Address, Account> action) {
    try (RocksIterator it = db.newIterator(accounts)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        action.accept(Address.of(it.key()), decodeAccount(it.value()));
      }
      check(it);
    }
  }

  /** All accounts (for tests and checks; the whole state in memory). */
  public Map<Address, Account> allAccounts() {
    Map<Address, Account> m = new LinkedHashMap<>();
    forEachAccount(m::put);
    return m;
  }

  /** The undo data of a canonical block. */
  public Optional<Undo> undo(Hash block) {
    byte[] v = get(undo, block.bytes());
    return v == null ? Optional.empty() : Optional.of(decodeUndo(block, v));
  }

  /** Where a canonical transaction is. */
  public Optional<TxLocation> txLocation(Hash txId) {
    byte[] v = get(txIndex, txId.bytes());
    if (v == null) {
      return Optional.empty();
    }
    return Optional.of(new TxLocation(Hash.of(v, 0), ByteBuffer.wrap(v, 32, 4).getInt()));
  }

  // ---- writes

  /** A new, empty batch. */
  public Batch batch() {
    return new Batch();
  }

  /**
   * Commits {@code batch} atomically and closes it. With {@code syncWrites} and {@code durable},
   * fsyncs the log before returning, unless a group is open ({@link #beginGroup}): then the fsync
   * waits for {@link #commitGroup}.
   */
  public void write(Batch batch, boolean durable) {
    boolean sync = syncWrites && durable;
    if (sync && grouped) {
      sync = false;
      unsynced = true;
    }
    try (batch) {
      db.write(sync ? syncOptions : asyncOptions, batch.wb);
    } catch (RocksDBException e) {
      throw new StoreException("write failed: " + e.getMessage(), e);
    }
    if (sync) {
      logSyncs++;
    }
  }

  /**
   * Opens a group commit: until {@link #commitGroup}, durable writes go to the log without their
   * fsync. Each write stays one atomic batch, and the log keeps their order, so a crash before the
   * commit (a power cut; a killed process loses nothing, the OS holds the log) reopens the store at
   * the end of one of the group's batches: consistent, at most the group's writes lost.
   */
  public void beginGroup() {
    grouped = true;
  }

  /** Ends a group commit: one fsync of the log if a durable write of the group skipped its own. */
  public void commitGroup() {
    grouped = false;
    if (unsynced) {
      unsynced = false;
      try {
        db.syncWal();
      } catch (RocksDBException e) {
        throw new StoreException("log sync failed: " + e.getMessage(), e);
      }
      logSyncs++;
    }
  }

  /** Times the log was fsynced by a write or a group commit (tests, benchmarks). */
  public long logSyncs() {
    return logSyncs;
  }

  /**
   * A set of puts and deletes written atomically by {@link ChainStore#write}. One batch per block
   * import or reorg step.
   */
  public final class Batch implements AutoCloseable {
    private final WriteBatch wb = new WriteBatch();

    private Batch() {}

    /** Stores a block's body. */
    public Batch putBlock(Hash hash, Block block) {
      return put(blocks, hash.bytes(), ChainCodec.encode(block));
    }

    /** Writes a header index entry. */
    public Batch putHeader(StoredHeader entry) {
      return put(headers, entry.hash().bytes(), encodeHeaderEntry(entry));
    }

    /** Sets the canonical block at a height. */
    public Batch putCanonical(long height, Hash hash) {
      return put(canonical, heightKey(height), hash.bytes());
    }

    /** Removes the canonical block at a height. */
    public Batch deleteCanonical(long height) {
      return delete(canonical, heightKey(height));
    }

    /** Writes the accounts of a block's delta. */
    public Batch putAccounts(StateDelta delta) {
      delta.writes().forEach(this::putAccount);
      return this;
    }

    /** Writes one account. */
    public Batch putAccount(Address address, Account account) {
      return put(accounts, address.bytes(), encodeAccount(account));
    }

    /** Restores the accounts a block changed to their values before it. */
    public Batch revert(Undo u) {
      u.previous()
          .forEach(
              (address, prior) -> {
                if (prior.isPresent()) {
                  putAccount(address, prior.get());
                } else {
                  delete(accounts, address.bytes());
                }
              });
      return this;
    }

    /** Stores a block's undo data. */
    public Batch putUndo(Undo u) {
      return put(undo, u.block().bytes(), encodeUndo(u));
    }

    /** Removes a block's undo data (it left the canonical chain). */
    public Batch deleteUndo(Hash block) {
      return delete(undo, block.bytes());
    }

    /** Indexes the transactions of a block joining the canonical chain. */
    public Batch indexTransactions(Hash block, List<Hash> txIds) {
      byte[] b = block.bytes();
      for (int i = 0; i < txIds.size(); i++) {
        put(txIndex, txIds.get(i).bytes(), ByteBuffer.allocate(36).put(b).putInt(i).array());
      }
      return this;
    }

    /** Removes the transactions of a block leaving the canonical chain from the index. */
    public Batch unindexTransactions(List<Transaction> txs) {
      for (Transaction tx : txs) {
        delete(txIndex, tx.id().bytes());
      }
      return this;
    }

    /** Moves the head. */
    public Batch putHead(Hash hash) {
      return put(meta, KEY_HEAD, hash.bytes());
    }

    /** Records the genesis hash (once, when the store is initialised). */
    public Batch putGenesis(Hash hash) {
      return put(meta, KEY_GENESIS, hash.bytes());
    }

    /** Overwrites the schema version (tests of the version check). */
    public Batch putSchemaVersion(int version) {
      return put(meta, KEY_SCHEMA, ByteBuffer.allocate(4).putInt(version).array());
    }

    private Batch put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
      try {
        wb.put(cf, key, value);
      } catch (RocksDBException e) {
        throw new StoreException("batch put failed: " + e.getMessage(), e);
      }
      return this;
    }

    private Batch delete(ColumnFamilyHandle cf, byte[] key) {
      try {
        wb.delete(cf, key);
      } catch (RocksDBException e) {
        throw new StoreException("batch delete failed: " + e.getMessage(), e);
      }
      return this;
    }

    @Override
    public void close() {
      wb.close();
    }
  }

  /** Closes RocksDB (flushing nothing extra: every batch is already in the log). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    syncOptions.close();
    asyncOptions.close();
    dbOptions.close();
    cfOptions.close();
  }

  // ---- encodings

  private static byte[] encodeHeaderEntry(StoredHeader e) {
    byte[] work = e.cumulativeWork().toByteArray();
    if (work.length > 255) {
      throw new IllegalStateException("cumulative work too large");
    }
    return ByteBuffer.allocate(Limits.HEADER_BYTES + 2 + work.length)
        .put(ChainCodec.encode(e.header()))
        .put((byte) e.status().code())
        .put((byte) work.length)
        .put(work)
        .array();
  }

  private static StoredHeader decodeHeaderEntry(Hash hash, byte[] v) {
    try {
      if (v.length < Limits.HEADER_BYTES + 2) {
        throw new StoreException("header entry " + hash + " is truncated");
      }
      BlockHeader h = ChainCodec.decodeHeader(java.util.Arrays.copyOf(v, Limits.HEADER_BYTES));
      BlockStatus status = BlockStatus.ofCode(v[Limits.HEADER_BYTES]);
      int n = v[Limits.HEADER_BYTES + 1] & 0xff;
      if (v.length != Limits.HEADER_BYTES + 2 + n) {
        throw new StoreException("header entry " + hash + " has a bad length");
      }
      BigInteger work =
          new BigInteger(
              java.util.Arrays.copyOfRange(
                  v, Limits.HEADER_BYTES + 2, Limits.HEADER_BYTES + 2 + n));
      return new StoredHeader(hash, h, work, status);
    } catch (DecodeException e) {
      throw new StoreException("header entry " + hash + " does not decode", e);
    }
  }

  private static byte[] encodeAccount(Account a) {
    return StateCodec.encode(a);
  }

  private static Account decodeAccount(byte[] v) {
    try {
      return StateCodec.decodeAccount(v);
    } catch (DecodeException e) {
      throw new StoreException("account entry does not decode: " + e.getMessage(), e);
    }
  }

  private static byte[] encodeUndo(Undo u) {
    return StateCodec.encode(u);
  }

  private static Undo decodeUndo(Hash block, byte[] v) {
    try {
      return StateCodec.decodeUndo(block, v);
    } catch (DecodeException e) {
      throw new StoreException("undo entry of " + block + " does not decode: " + e.getMessage(), e);
    }
  }

  private static byte[] heightKey(long height) {
    return ByteBuffer.allocate(8).putLong(height).array();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private byte[] get(ColumnFamilyHandle cf, byte[] key) {
    try {
      return db.get(cf, key);
    } catch (RocksDBException e) {
      throw new StoreException("read failed: " + e.getMessage(), e);
    }
  }

  private void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    try {
      db.put(cf, syncOptions, key, value);
    } catch (RocksDBException e) {
      throw new StoreException("write failed: " + e.getMessage(), e);
    }
  }

  private static void check(RocksIterator it) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("iteration failed: " + e.getMessage(), e);
    }
  }
}
