package dev.drydock.sandbox;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Answers the isolated container's direct DNS queries (redirected here by the {@link NetworkFence}) with
 * {@code REFUSED}, recording each name asked, so a direct connection attempt shows up in {@code networkUsage} with
 * the host it was for. Only the question is parsed; nothing is ever resolved or forwarded.
 */
public final class DnsRecorder implements AutoCloseable {
    private static final int REFUSED = 5;

    private final DatagramSocket socket;
    private final Map<String, Long> names = new LinkedHashMap<>();
    private volatile boolean closed;

    public DnsRecorder(InetSocketAddress bind) throws IOException {
        socket = new DatagramSocket(bind);
        Thread.ofVirtual().name("sandbox-dns").start(this::loop);
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void loop() {
        byte[] buf = new byte[512];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
                String name = questionName(packet.getData(), packet.getLength());
                if (name == null) continue;
                synchronized (names) {
                    names.merge(name, 1L, Long::sum);
                }
                byte[] reply = refusal(packet.getData(), packet.getLength());
                socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    /** The first question's name, lower-case without the trailing dot; null for anything that is not a query. */
    static String questionName(byte[] msg, int length) {
        if (length < 17 || (msg[2] & 0x80) != 0) return null;
        int qdcount = ((msg[4] & 0xff) << 8) | (msg[5] & 0xff);
        if (qdcount < 1) return null;
        StringBuilder name = new StringBuilder();
        int pos = 12;
        while (pos < length) {
            int len = msg[pos] & 0xff;
            if (len == 0) break;
            if (len > 63 || pos + 1 + len > length) return null;
            if (!name.isEmpty()) name.append('.');
            name.append(new String(msg, pos + 1, len, StandardCharsets.US_ASCII));
            pos += 1 + len;
        }
        return name.isEmpty() ? null : name.toString().toLowerCase(Locale.ROOT);
    }

    /** The query sent back with QR set, RA set and RCODE REFUSED, no answers (header + question only). */
    private static byte[] refusal(byte[] msg, int length) {
        int end = 12;
        while (end < length && msg[end] != 0) end += 1 + (msg[end] & 0xff);
        end = Math.min(length, end + 5); // zero label + QTYPE + QCLASS
        byte[] reply = new byte[end];
        System.arraycopy(msg, 0, reply, 0, end);
        reply[2] = (byte) (0x80 | (msg[2] & 0x79)); // QR, keep opcode and RD
        reply[3] = (byte) (0x80 | REFUSED);
        reply[4] = 0;
        reply[5] = 1;
        for (int i = 6; i < 12; i++) reply[i] = 0;
        return reply;
    }

    /** Each name asked, with how many queries. */
    public List<Map.Entry<String, Long>> lookups() {
        synchronized (names) {
            return new ArrayList<>(names.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList());
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }
}
