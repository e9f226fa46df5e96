package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import io.javalin.http.Context;

import java.util.Map;

/**
 * Decimal numbers from headers and query parameters. Clients can send any number of digits; {@link Long#parseLong}
 * throws on more than 63 bits, and an exception nobody expects becomes a 500 with a stack trace. Callers decide
 * what a number beyond {@code long} means for them (a range "to the end", a page "as large as allowed", or an
 * error), so the parse saturates instead of throwing.
 */
final class Numbers {
    private Numbers() {}

    /** {@code digits} (one or more ASCII digits) as a long, or {@link Long#MAX_VALUE} when it does not fit. */
    static long saturating(String digits) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(i) - '0';
            if (d < 0 || d > 9) throw new IllegalArgumentException("not a decimal number: " + digits);
            if (value > (Long.MAX_VALUE - d) / 10) return Long.MAX_VALUE;
            value = value * 10 + d;
        }
        return value;
    }

    /** True when {@code s} is one or more ASCII digits. */
    static boolean isDigits(String s) {
        if (s == null || s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /**
     * An optional whole-number query parameter (paging: {@code limit}, {@code offset}) within [min, max], or null when
     * absent; anything else is 400 {@code VALIDATION_FAILED} naming the parameter.
     */
    static Integer queryInt(Context ctx, String name, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null) return null;
        long n = isDigits(raw) ? saturating(raw) : -1;
        if (n < min || n > max) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, name + " must be a whole number "
                    + (max == Integer.MAX_VALUE ? "of at least " + min : "from " + min + " to " + max) + ", not '" + raw + "'",
                    Map.of("field", name));
        }
        return (int) n;
    }
}
