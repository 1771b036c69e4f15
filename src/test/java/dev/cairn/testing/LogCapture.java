package dev.cairn.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects the formatted messages one class logs at INFO and above ({@link #of}), or every logger's
 * WARN and ERROR lines ({@link #warnings}), while open.
 */
public final class LogCapture implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final String name;
  private final AbstractAppender appender;

  private LogCapture(String name, boolean full) {
    this.name = name;
    this.appender =
        new AbstractAppender("capture-" + name, null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            String message = event.getMessage().getFormattedMessage();
            lines.add(
                full
                    ? event.getLevel()
                        + " ["
                        + event.getThreadName()
                        + "] "
                        + event.getLoggerName()
                        + " - "
                        + message
                    : message);
          }
        };
    appender.start();
  }

  private LogCapture(String name) {
    this(name, false);
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration cfg = ctx.getConfiguration();
    LoggerConfig lc = new LoggerConfig(name, Level.INFO, false);
    lc.addAppender(appender, Level.INFO, null);
    cfg.addLogger(name, lc);
    ctx.updateLoggers();
  }

  /**
   * Starts capturing every WARN and ERROR line of every logger (level, thread, logger and message
   * per line), through the root logger.
   */
  public static LogCapture warnings() {
    LogCapture c = new LogCapture("", true);
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getRootLogger().addAppender(c.appender, Level.WARN, null);
    ctx.updateLoggers();
    return c;
  }

  /** Starts capturing what {@code type}'s logger logs. */
  public static LogCapture of(Class<?> type) {
    return new LogCapture(type.getName());
  }

  /** The messages so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** True if some message contains {@code text}. */
  public boolean contains(String text) {
    return lines.stream().anyMatch(l -> l.contains(text));
  }

  @Override
  public void close() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    if (name.isEmpty()) {
      ctx.getConfiguration().getRootLogger().removeAppender(appender.getName());
    } else {
      ctx.getConfiguration().removeLogger(name);
    }
    ctx.updateLoggers();
    appender.stop();
  }
}
