package dev.drydock.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recording egress proxy of one run: an HTTP proxy (absolute-form requests for {@code http://}, {@code CONNECT}
 * for TLS) bound to the run network's gateway. The container gets it as {@code HTTP_PROXY}/{@code HTTPS_PROXY}
 * (and lower-case); since its network is internal it has no other way out.
 *
 * <p>A destination is allowed when its host equals one of the manifest's {@code externalCalls} domains or is a
 * subdomain of one. Allowed hosts are resolved here and refused if they resolve to a loopback, private, link-local
 * or wildcard address (the proxy must not become a way into the host's or the LAN's services) unless
 * {@code allowPrivateDestinations} (tests). Every attempt is recorded per host and port: connections, bytes each
 * way, allowed or not. A refused request gets {@code 403} naming the manifest field to change.
 */
public final class EgressProxy implements AutoCloseable {
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final List<String> allowedDomains;
    private final boolean allowPrivateDestinations;
    private final ServerSocket server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Stats> destinations = new LinkedHashMap<>();
    private final String sandboxApi;
    private volatile boolean closed;

    private static final class Stats {
        final String host;
        final int port;
        final boolean allowed;
        final AtomicLong connections = new AtomicLong();
        final AtomicLong out = new AtomicLong();
        final AtomicLong in = new AtomicLong();
        volatile String detail;

        Stats(String host, int port, boolean allowed) {
            this.host = host;
            this.port = port;
            this.allowed = allowed;
        }
    }

    /**
     * @param sandboxApi the sandbox API's {@code host:port}: always allowed through the proxy too (many HTTP clients
     *                   ignore {@code NO_PROXY}), recorded like any destination
     */
    public EgressProxy(InetSocketAddress bind, List<String> allowedDomains, boolean allowPrivateDestinations, String sandboxApi)
            throws IOException {
        this.sandboxApi = sandboxApi;
        this.allowedDomains = allowedDomains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        this.allowPrivateDestinations = allowPrivateDestinations;
        this.server = new ServerSocket();
        server.bind(bind, 64);
        Thread.ofVirtual().name("sandbox-proxy-accept").start(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://<gateway>:<port>}, the value of the proxy environment variables. */
    public String url() {
        return "http://" + server.getInetAddress().getHostAddress() + ":" + port();
    }

    public boolean allows(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String d : allowedDomains) {
            if (h.equals(d) || h.endsWith("." + d)) return true;
        }
        return false;
    }

    public synchronized List<NetworkUsage.Destination> destinations() {
        List<NetworkUsage.Destination> out = new ArrayList<>();
        for (Stats s : destinations.values()) {
            out.add(new NetworkUsage.Destination(s.host, s.port, "proxy", s.connections.get(), s.out.get(), s.in.get(), s.allowed,
                    s.detail));
        }
        return out;
    }

    private synchronized Stats stats(String host, int port, boolean allowed) {
        return destinations.computeIfAbsent(host.toLowerCase(Locale.ROOT) + ":" + port, k -> new Stats(host.toLowerCase(Locale.ROOT), port, allowed));
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                executor.submit(() -> serve(client));
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(60_000);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] head = readHead(in);
            if (head == null) return;
            String headText = new String(head, StandardCharsets.ISO_8859_1);
            String requestLine = headText.substring(0, headText.indexOf("\r\n"));
            String[] parts = requestLine.split(" ");
            if (parts.length != 3) {
                reply(out, 400, "bad request line");
                return;
            }
            String method = parts[0];
            String host;
            int port;
            String originForm = null;
            if (method.equals("CONNECT")) {
                int colon = parts[1].lastIndexOf(':');
                if (colon < 0) {
                    reply(out, 400, "CONNECT needs host:port");
                    return;
                }
                host = parts[1].substring(0, colon);
                port = Integer.parseInt(parts[1].substring(colon + 1));
            } else {
                URI uri = URI.create(parts[1]);
                if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                    reply(out, 400, "the sandbox proxy takes absolute http:// URLs and CONNECT for https");
                    return;
                }
                host = uri.getHost();
                port = uri.getPort() < 0 ? 80 : uri.getPort();
                originForm = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            }
            boolean toSandboxApi = (host + ":" + port).equals(sandboxApi);
            boolean allowed = toSandboxApi || allows(host);
            Stats stats = stats(host, port, allowed);
            stats.connections.incrementAndGet();
            stats.out.addAndGet(head.length);
            if (!allowed) {
                stats.detail = "not in the manifest's externalCalls";
                reply(out, 403, "Drydock sandbox: " + host + " is not in the manifest's externalCalls " + allowedDomains
                        + "; add it there if the adapter needs it");
                return;
            }
            InetAddress address;
            try {
                address = InetAddress.getByName(host);
            } catch (IOException e) {
                stats.detail = "could not resolve: " + e.getMessage();
                reply(out, 502, "Drydock sandbox: cannot resolve " + host);
                return;
            }
            if (!toSandboxApi && !allowPrivateDestinations && (address.isLoopbackAddress() || address.isSiteLocalAddress()
                    || address.isLinkLocalAddress() || address.isAnyLocalAddress())) {
                stats.detail = "resolves to a private address " + address.getHostAddress();
                reply(out, 403, "Drydock sandbox: " + host + " resolves to a private address; refused");
                return;
            }
            try (Socket upstream = new Socket()) {
                upstream.connect(new InetSocketAddress(address, port), 10_000);
                upstream.setSoTimeout(120_000);
                if (method.equals("CONNECT")) {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } else {
                    String rewritten = method + " " + originForm + " " + parts[2] + headText.substring(headText.indexOf("\r\n"))
                            .replaceAll("(?im)^proxy-(connection|authorization):[^\r\n]*\r\n", "");
                    upstream.getOutputStream().write(rewritten.getBytes(StandardCharsets.ISO_8859_1));
                }
                Thread up = Thread.ofVirtual().start(() -> pump(in, upstream, stats.out));
                pumpTo(upstream.getInputStream(), out, stats.in);
                upstream.shutdownOutput();
                up.join(1000);
            } catch (IOException e) {
                stats.detail = "upstream: " + e.getMessage();
                reply(out, 502, "Drydock sandbox: cannot reach " + host + ":" + port);
            }
        } catch (IOException | RuntimeException e) {
            // client went away or sent garbage; nothing to record beyond what was counted
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pump(InputStream from, Socket to, AtomicLong counter) {
        try {
            pumpTo(from, to.getOutputStream(), counter);
            to.shutdownOutput();
        } catch (IOException ignored) {
            // one side closed
        }
    }

    /**
     * Copies and counts. The bytes are counted before they are passed on, so whoever has received them (the container,
     * or a test's client) finds them counted: the counters are final once the receiving side has seen the data.
     */
    private static void pumpTo(InputStream from, OutputStream to, AtomicLong counter) throws IOException {
        byte[] buf = new byte[16 * 1024];
        for (int r; (r = from.read(buf)) > 0; ) {
            counter.addAndGet(r);
            to.write(buf, 0, r);
            to.flush();
        }
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (head.size() < MAX_HEADER_BYTES) {
            int b = in.read();
            if (b < 0) return null;
            head.write(b);
            state = switch (state) {
                case 0 -> b == '\r' ? 1 : 0;
                case 1 -> b == '\n' ? 2 : b == '\r' ? 1 : 0;
                case 2 -> b == '\r' ? 3 : 0;
                case 3 -> b == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) return head.toByteArray();
        }
        return null;
    }

    private static void reply(OutputStream out, int status, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            default -> "Bad Gateway";
        };
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        executor.shutdownNow();
    }
}
