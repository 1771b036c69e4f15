package dev.cairn.owner;

import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.function.Function;

/**
 * A record whose withers copy it through {@link RecordCopy}: implementing this gives it {@link
 * #copy()} and {@link #with}, so that each config record (chain, p2p and node alike) does not write
 * the same copy-builder method again. A wither reads {@code return copy().set("name",
 * value).build();}; where no wither is worth writing (a test changing one limit), the caller names
 * the component by its accessor: {@code KadConfig.defaults().with(KadConfig::alpha, 1)}.
 *
 * @param <R> the record itself
 */
public interface Copyable<R extends Record> {
  /** A copy-builder that starts from this record with all its components. */
  @SuppressWarnings("unchecked")
  default RecordCopy<R> copy() {
    return RecordCopy.of((R) this);
  }

  /**
   * A copy with one component replaced, through the canonical constructor (whose checks may throw).
   */
  default <T> R with(Component<R, T> component, T value) {
    return copy().set(component, value).build();
  }

  /**
   * A record component named by its accessor, as a method reference ({@code KadConfig::alpha}), so
   * that the compiler checks the name that {@link RecordCopy#set(String, Object)} would take as a
   * string.
   *
   * @param <R> the record
   * @param <T> the component's type
   */
  @FunctionalInterface
  interface Component<R extends Record, T> extends Function<R, T>, Serializable {
    /**
     * The component's name: the name of the method referred to. Anything but a method reference to
     * an accessor of {@code R} (a lambda, say) gives a name {@link RecordCopy#set} refuses.
     */
    default String name() {
      try {
        Method writeReplace = getClass().getDeclaredMethod("writeReplace");
        writeReplace.setAccessible(true);
        return ((SerializedLambda) writeReplace.invoke(this)).getImplMethodName();
      } catch (ReflectiveOperationException | ClassCastException e) {
        throw new IllegalArgumentException("not a method reference: " + this, e);
      }
    }
  }
}
