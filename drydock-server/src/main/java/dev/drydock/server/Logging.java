package dev.drydock.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

/**
 * The log output format ({@code log.format}). logback.xml writes text to standard error; {@code json} swaps that
 * appender's encoder for logback's own JSON encoder: one object per line with timestamp, level, thread, logger, the
 * MDC (the request id) and the formatted message, which log shippers parse without a pattern.
 */
public final class Logging {
    private Logging() {
    }

    /** Switches the console output to JSON lines (true) or leaves logback.xml's text format (false). */
    public static void configure(boolean json) {
        if (!json || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
        var appenders = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        while (appenders.hasNext()) {
            if (appenders.next() instanceof OutputStreamAppender<ILoggingEvent> out && !(out.getEncoder() instanceof JsonEncoder)) {
                out.stop();
                out.setEncoder(jsonEncoder(context));
                out.start();
            }
        }
    }

    private static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        // the formatted message only: the raw pattern and its arguments repeat it, the context and sequence say nothing
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithKVPList(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }
}
