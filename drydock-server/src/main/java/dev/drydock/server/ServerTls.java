package dev.drydock.server;

import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.config.DrydockConfig.InvalidConfig;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's own certificate ({@code tls.cert}, {@code tls.key}): served by Jetty on the one listening port, with
 * HTTP/2 for clients that offer it by ALPN and HTTP/1.1 for the others, and reloaded when the files change.
 *
 * <p>Why Jetty's own pieces: Javalin's SSL plugin (which reads PEM) has no release for Javalin 7, and Jetty's
 * {@code KeyStoreScanner} watches one keystore file, not a PEM pair. So the PEM files are read with bcpkix (already
 * on the classpath through docker-java; the JDK has no PEM key reader in Java 21), put into an in-memory keystore,
 * and handed to {@link SslContextFactory.Server#reload}, which new connections use while open ones carry on. The
 * files are compared by content every {@code tls.reload-interval}: a renewal that replaces the certificate first and
 * the key a moment later is served only once both match, and a broken pair is logged and the old one kept.
 */
final class ServerTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    /** Protects the entry of an in-memory keystore that never leaves this process; the files hold the real secret. */
    private static final String ENTRY_PASSWORD = "in-memory";

    /** What one check of the files found. */
    enum Check { UNCHANGED, RELOADED, REFUSED }

    /** Both files' bytes and what they hold. */
    private record Pair(byte[] certBytes, byte[] keyBytes, List<X509Certificate> chain, PrivateKey key) {
        boolean sameFiles(byte[] cert, byte[] key) {
            return Arrays.equals(certBytes, cert) && Arrays.equals(keyBytes, key);
        }

        KeyStore keyStore() {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("drydock", key, ENTRY_PASSWORD.toCharArray(), chain.toArray(X509Certificate[]::new));
                return ks;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build the in-memory keystore", e);
            }
        }
    }

    private final DrydockConfig.Tls config;
    private final SslContextFactory.Server factory;
    private final ScheduledExecutorService watcher;
    private volatile Pair served;
    /** Why the files on disk were last refused, so a broken pair is logged once, not at every check. */
    private volatile String lastRefusal;

    private ServerTls(DrydockConfig.Tls config, Pair pair) {
        this.config = config;
        this.served = pair;
        factory = new SslContextFactory.Server();
        factory.setKeyStore(pair.keyStore());
        factory.setKeyStorePassword(ENTRY_PASSWORD);
        factory.setKeyManagerPassword(ENTRY_PASSWORD);
        // TLS 1.2 and 1.3 only; Jetty's default exclusions (SSL*, RSA key exchange, NULL, anon, MD5/SHA-1 suites)
        // stay, and the suites HTTP/2 forbids are ordered last (RFC 7540 9.2.2).
        factory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        factory.setCipherComparator(HTTP2Cipher.COMPARATOR);
        factory.setUseCipherSuitesOrder(true);
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drydock-tls-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reads and checks the configured pair, or null when TLS is off.
     *
     * @throws InvalidConfig naming {@code tls.cert} or {@code tls.key} when a file is missing, unreadable, not PEM of
     *                       the right kind, or the key is not the certificate's
     */
    static ServerTls load(DrydockConfig.Tls config) {
        if (!config.enabled()) return null;
        try {
            return new ServerTls(config, read(config, read("tls.cert", config.cert()), read("tls.key", config.key())));
        } catch (Refused e) {
            throw new InvalidConfig(e.getMessage());
        }
    }

    /** The listening connector: TLS, then ALPN choosing h2 or http/1.1, on the given address. */
    ServerConnector connector(Server server, HttpConfiguration http, String host, int port) {
        http.setSecureScheme("https");
        http.addCustomizer(new SecureRequestCustomizer());
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        // An h2 upload moves at most one receive window per round trip: Jetty's 512 KiB per stream caps a layer push
        // at ~10 MiB/s over 50 ms. 8 MiB per stream (16 MiB per connection) keeps WAN pushes near HTTP/1.1 speed; the
        // upload handlers read as data arrives, so that much is buffered only while a handler stalls.
        h2.setInitialStreamRecvWindow(8 << 20);
        h2.setInitialSessionRecvWindow(16 << 20);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol(http1.getProtocol()); // clients that send no ALPN
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(factory, alpn.getProtocol()), alpn, h2, http1);
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    /** Starts checking the files every {@code tls.reload-interval}. */
    void watch() {
        long every = config.reloadInterval().toMillis();
        watcher.scheduleWithFixedDelay(() -> {
            try {
                reloadIfChanged();
            } catch (RuntimeException e) {
                log.warn("TLS certificate reload failed, still serving the previous one: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** Reads both files; serves them to new connections if they changed, load and match. */
    Check reloadIfChanged() {
        Pair next;
        try {
            byte[] cert = read("tls.cert", config.cert());
            byte[] key = read("tls.key", config.key());
            if (served.sameFiles(cert, key)) {
                lastRefusal = null;
                return Check.UNCHANGED;
            }
            next = read(config, cert, key);
        } catch (Refused e) {
            // a renewal caught half-way (new certificate, old key) or a mistake: logged once, the old pair is kept
            if (!e.getMessage().equals(lastRefusal)) log.warn("TLS certificate not reloaded, still serving the previous one: {}", e.getMessage());
            lastRefusal = e.getMessage();
            return Check.REFUSED;
        }
        try {
            factory.reload(f -> f.setKeyStore(next.keyStore()));
        } catch (Exception e) {
            throw new IllegalStateException("Jetty refused the new certificate: " + e.getMessage(), e);
        }
        served = next;
        lastRefusal = null;
        log.info("TLS certificate reloaded from {}: {}", config.cert(), describe(next.chain().getFirst()));
        return Check.RELOADED;
    }

    /** The certificate new connections get. */
    X509Certificate certificate() {
        return served.chain().getFirst();
    }

    String describe() {
        return describe(certificate());
    }

    private static String describe(X509Certificate c) {
        return c.getSubjectX500Principal().getName() + ", valid until " + c.getNotAfter().toInstant();
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }

    // ---------------------------------------------------------------- reading PEM

    /** A pair that cannot be served, with a message naming the key at fault and the fix. */
    private static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static byte[] read(String key, Path file) throws Refused {
        try {
            // a certificate chain or key is a few KiB; a large file is not one
            if (Files.size(file) > 1 << 20) throw new Refused(key + " " + file + " is larger than 1 MiB: not a PEM certificate or key");
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new Refused(key + " " + file + " does not exist");
        } catch (IOException e) {
            throw new Refused(key + " " + file + " cannot be read (" + e + "): check the path and that this user may read it");
        }
    }

    private static Pair read(DrydockConfig.Tls config, byte[] certBytes, byte[] keyBytes) throws Refused {
        List<X509Certificate> chain = new ArrayList<>();
        PrivateKey key = null;
        try (PEMParser certs = pem(certBytes)) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = certs.readObject(); o != null; o = certs.readObject()) {
                if (o instanceof X509CertificateHolder holder) chain.add(converter.getCertificate(holder));
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new Refused("tls.cert " + config.cert() + " is not a readable PEM certificate chain: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new Refused("tls.cert " + config.cert() + " holds no certificate: it must be PEM, starting with -----BEGIN CERTIFICATE-----");
        }
        try (PEMParser keys = pem(keyBytes)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = keys.readObject(); o != null && key == null; o = keys.readObject()) {
                switch (o) {
                    case PrivateKeyInfo info -> key = converter.getPrivateKey(info); // PKCS#8
                    case PEMKeyPair pair -> key = converter.getPrivateKey(pair.getPrivateKeyInfo()); // PKCS#1 RSA, SEC1 EC
                    case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(config);
                    case PEMEncryptedKeyPair ignored -> throw encrypted(config);
                    default -> { } // e.g. EC PARAMETERS before the key
                }
            }
        } catch (Refused e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new Refused("tls.key " + config.key() + " is not a readable PEM private key: " + e.getMessage());
        }
        if (key == null) {
            throw new Refused("tls.key " + config.key() + " holds no private key: it must be PEM, -----BEGIN PRIVATE KEY-----"
                    + " (PKCS#8), -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----");
        }
        if (!matches(key, chain.getFirst(), config)) {
            throw new Refused("tls.key " + config.key() + " is not the private key of the first certificate in tls.cert "
                    + config.cert() + " (" + chain.getFirst().getSubjectX500Principal().getName()
                    + "): the server's certificate must come first, and the key must be the one it was issued for");
        }
        return new Pair(certBytes, keyBytes, List.copyOf(chain), key);
    }

    private static PEMParser pem(byte[] bytes) {
        return new PEMParser(new StringReader(new String(bytes, StandardCharsets.US_ASCII)));
    }

    private static Refused encrypted(DrydockConfig.Tls config) {
        return new Refused("tls.key " + config.key() + " is encrypted: give the server an unencrypted key readable only by"
                + " its user (openssl pkey -in encrypted.pem -out " + config.key().getFileName() + ")");
    }

    /** Whether the key signs what the certificate's public key verifies (any key type, no per-algorithm maths). */
    private static boolean matches(PrivateKey key, X509Certificate cert, DrydockConfig.Tls config) throws Refused {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new Refused("tls.key " + config.key() + " is a " + key.getAlgorithm()
                    + " key; use an RSA, EC or Ed25519 key");
        };
        try {
            byte[] probe = "drydock tls key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
