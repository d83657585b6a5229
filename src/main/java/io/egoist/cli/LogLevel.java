package io.egoist.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Temporarily raises the root log level (e.g. so that a demo's progress lines are not drowned). */
final class LogLevel implements AutoCloseable {
    private final Logger root;
    private final Level previous;

    private LogLevel(Level level) {
        org.slf4j.Logger l = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (l instanceof Logger lb) {
            root = lb;
            previous = lb.getLevel();
            if (previous == null || !previous.isGreaterOrEqual(level)) lb.setLevel(level);
        } else {
            root = null;
            previous = null;
        }
    }

    /** Only warnings and errors until closed (a stricter configured level is kept). */
    static LogLevel warnOnly() {
        return new LogLevel(Level.WARN);
    }

    @Override
    public void close() {
        if (root != null) root.setLevel(previous);
    }
}
