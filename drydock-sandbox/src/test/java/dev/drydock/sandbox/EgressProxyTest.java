package dev.drydock.sandbox;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** CONNECT tunnelling and refusals of the egress proxy, on loopback. */
class EgressProxyTest {
    private static String connect(EgressProxy proxy, String target, String send) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            if (!status.contains(" 200 ")) return status;
            in.readLine();
            out.write(send.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return status + " | " + in.readLine();
        }
    }

    @Test
    void tunnelsToDeclaredDomainsAndRefusesOthers() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             EgressProxy proxy = new EgressProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of("localhost"), true, null)) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = echo.accept()) {
                    String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                    s.getOutputStream().write(("echo:" + line + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (Exception ignored) {
                    // test ends
                }
            });
            assertThat(connect(proxy, "localhost:" + echo.getLocalPort(), "ping\n")).isEqualTo("HTTP/1.1 200 Connection established | echo:ping");
            assertThat(connect(proxy, "evil.example:443", "")).isEqualTo("HTTP/1.1 403 Forbidden");
            assertThat(proxy.destinations()).anySatisfy(d -> {
                assertThat(d.host()).isEqualTo("localhost");
                assertThat(d.allowed()).isTrue();
                assertThat(d.bytesIn()).isEqualTo("echo:ping\n".length());
            }).anySatisfy(d -> {
                assertThat(d.host()).isEqualTo("evil.example");
                assertThat(d.port()).isEqualTo(443);
                assertThat(d.allowed()).isFalse();
            });
        }
    }

    @Test
    void declaredDomainsResolvingToPrivateAddressesAreRefused() throws Exception {
        try (EgressProxy proxy = new EgressProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of("localhost"), false, null)) {
            assertThat(connect(proxy, "localhost:22", "")).isEqualTo("HTTP/1.1 403 Forbidden");
            assertThat(proxy.destinations()).singleElement().satisfies(d -> assertThat(d.detail()).startsWith("resolves to a private address"));
        }
    }

    @Test
    void subdomainsOfDeclaredDomainsAreAllowed() throws Exception {
        try (EgressProxy proxy = new EgressProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of("Example.com"), false, null)) {
            assertThat(proxy.allows("api.example.com")).isTrue();
            assertThat(proxy.allows("example.com")).isTrue();
            assertThat(proxy.allows("badexample.com")).isFalse();
        }
    }
}
