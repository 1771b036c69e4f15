package dev.cairn.owner;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * A copy of a record with some components replaced, by name: the one copy-builder behind the {@code
 * with…} methods of every config record (chain, p2p and node alike), so that a wither names the
 * component it changes instead of repeating the canonical constructor with every other component. A
 * config record reaches it through {@link Copyable#copy()}. The copy goes through the canonical
 * constructor, so the record's own checks run on it. It lives in this neutral package because both
 * {@code chain} and {@code p2p} use it.
 *
 * <p>A name the record does not have, or a value of the wrong type, throws {@link
 * IllegalArgumentException} at once (a bug in the wither): {@code RecordCopyTest} calls every
 * wither of every config record, so such a bug fails the build.
 *
 * @param <R> the record type
 */
public final class RecordCopy<R extends Record> {
  private final R original;
  private final RecordComponent[] components;
  private final Object[] values;

  /** A copy of {@code original}; {@link #of} is the way in. */
  protected RecordCopy(R original) {
    this.original = original;
    this.components = original.getClass().getRecordComponents();
    this.values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      values[i] = read(original, components[i]);
    }
  }

  /** Starts a copy of {@code record} with all its components. */
  public static <R extends Record> RecordCopy<R> of(R record) {
    return new RecordCopy<>(record);
  }

  /**
   * Replaces component {@code name} with {@code value}. An {@code int} is widened for a {@code
   * long} component, as Java would widen it in a constructor call.
   */
  public RecordCopy<R> set(String name, Object value) {
    for (int i = 0; i < components.length; i++) {
      if (components[i].getName().equals(name)) {
        Class<?> type = box(components[i].getType());
        if (type == Long.class && value instanceof Integer n) {
          value = n.longValue();
        }
        if (value == null ? components[i].getType().isPrimitive() : !type.isInstance(value)) {
          throw new IllegalArgumentException(
              original.getClass().getSimpleName() + "." + name + " takes " + type.getSimpleName());
        }
        values[i] = value;
        return this;
      }
    }
    throw new IllegalArgumentException(
        original.getClass().getSimpleName() + " has no component " + name);
  }

  /**
   * Replaces the component read by {@code accessor} ({@code KadConfig::alpha}) with {@code value}.
   */
  public <T> RecordCopy<R> set(Copyable.Component<R, T> accessor, T value) {
    return set(accessor.name(), value);
  }

  /** The new record, made by the canonical constructor (whose checks may throw). */
  @SuppressWarnings("unchecked")
  public R build() {
    Class<?>[] types =
        Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
    try {
      Constructor<?> canonical = original.getClass().getDeclaredConstructor(types);
      canonical.setAccessible(true);
      return (R) canonical.newInstance(values);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot copy " + original.getClass().getSimpleName(), e);
    }
  }

  private static Object read(Record record, RecordComponent component) {
    try {
      component.getAccessor().setAccessible(true);
      return component.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + component.getName(), e);
    }
  }

  private static Class<?> box(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return switch (type.getName()) {
      case "int" -> Integer.class;
      case "long" -> Long.class;
      case "double" -> Double.class;
      case "boolean" -> Boolean.class;
      case "float" -> Float.class;
      case "short" -> Short.class;
      case "byte" -> Byte.class;
      default -> Character.class;
    };
  }
}
