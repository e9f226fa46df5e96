package dev.drydock.image;

import java.io.IOException;
import java.io.InputStream;

final class Streams {
    private Streams() {}

    /** {@code read()} in terms of the stream's own bulk read, so counting and bounds stay in one place. */
    static int readByte(InputStream in) throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = in.read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }
}
