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

/** Collects the formatted messages one class logs at INFO and above, while open. */
public final class LogCapture implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final String name;
  private final AbstractAppender appender;

  private LogCapture(String name) {
    this.name = name;
    this.appender =
        new AbstractAppender("capture-" + name, null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            lines.add(event.getMessage().getFormattedMessage());
          }
        };
    appender.start();
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration cfg = ctx.getConfiguration();
    LoggerConfig lc = new LoggerConfig(name, Level.INFO, false);
    lc.addAppender(appender, Level.INFO, null);
    cfg.addLogger(name, lc);
    ctx.updateLoggers();
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
    ctx.getConfiguration().removeLogger(name);
    ctx.updateLoggers();
    appender.stop();
  }
}
