package dev.drydock.server;

import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.config.DrydockConfig.InvalidConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code tls.*} keys and the PEM files they name: each bad input is a start-up error naming the key, the key
 * formats operators have, and a reload that waits for a matching pair. (TlsTest serves them to real clients.)
 */
class ServerTlsTest {
    @TempDir
    static Path dir;
    static TestCertificates ca;
    Path cert;
    Path key;

    @BeforeAll
    static void authority() {
        ca = new TestCertificates();
    }

    private void files(String name) {
        cert = dir.resolve(name + ".crt");
        key = dir.resolve(name + ".key");
    }

    private static DrydockConfig config(Map<String, String> flags) {
        Map<String, String> all = new HashMap<>(flags);
        all.put("data", dir.resolve("data").toString());
        return DrydockConfig.load(null, Map.of(), all);
    }

    private DrydockConfig.Tls tls() {
        return config(Map.of("tls.cert", cert.toString(), "tls.key", key.toString())).tls();
    }

    @Test
    void readsPkcs8RsaAndEcKeys() {
        java.security.KeyPair rsa = TestCertificates.rsa();
        java.security.KeyPair ec = TestCertificates.ec();
        for (var format : TestCertificates.KeyFormat.values()) {
            for (var keys : new java.security.KeyPair[]{rsa, ec}) {
                files(format + "-" + keys.getPrivate().getAlgorithm());
                TestCertificates.Issued issued = ca.server("drydock.test", keys);
                ca.write(issued, cert, key, format);
                try (ServerTls tls = ServerTls.load(tls())) {
                    assertThat(tls.certificate()).as(format + " " + keys.getPrivate().getAlgorithm()).isEqualTo(issued.certificate());
                }
            }
        }
        assertThat(TestCertificates.traditional(rsa)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(TestCertificates.traditional(ec)).startsWith("-----BEGIN EC PRIVATE KEY-----");
    }

    @Test
    void onlyOneOfTheTwoKeysIsAConfigurationError() {
        assertThatThrownBy(() -> config(Map.of("tls.cert", "/etc/drydock/cert.pem")))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("tls.cert is set without tls.key")
                .hasMessageContaining("DRYDOCK_TLS_KEY");
        assertThatThrownBy(() -> config(Map.of("tls.key", "/etc/drydock/key.pem")))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("tls.key is set without tls.cert");
        assertThatThrownBy(() -> config(Map.of("tls.reload-interval", "soon")))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("tls.reload-interval must be a positive duration");
        assertThat(config(Map.of()).tls().enabled()).isFalse();
    }

    @Test
    void aMissingFileStopsTheStartNamingItsKey() {
        files("missing");
        ca.write(ca.server("x"), cert, key, TestCertificates.KeyFormat.PKCS8);
        DrydockConfig noCert = config(Map.of("tls.cert", dir.resolve("nope.crt").toString(), "tls.key", key.toString()));
        // through the server's start: it fails before opening anything
        assertThatThrownBy(() -> DrydockServer.start(noCert)).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("tls.cert " + dir.resolve("nope.crt") + " does not exist");
        assertThat(dir.resolve("data")).doesNotExist();
        assertThatThrownBy(() -> ServerTls.load(config(Map.of("tls.cert", cert.toString(), "tls.key", dir.toString())).tls()))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("tls.key " + dir + " cannot be read");
    }

    @Test
    void filesThatAreNotPemOfTheRightKindAreRefused() throws Exception {
        files("kinds");
        TestCertificates.Issued issued = ca.server("x");
        ca.write(issued, cert, key, TestCertificates.KeyFormat.PKCS8);
        String keyPem = Files.readString(key);
        String certPem = Files.readString(cert);

        Files.write(cert, issued.certificate().getEncoded()); // DER, not PEM
        assertThatThrownBy(() -> ServerTls.load(tls())).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("tls.cert " + cert + " holds no certificate: it must be PEM");
        Files.writeString(cert, keyPem); // the key file given twice
        assertThatThrownBy(() -> ServerTls.load(tls())).isInstanceOf(InvalidConfig.class).hasMessageContaining("holds no certificate");
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> ServerTls.load(tls())).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("tls.cert " + cert + " is not a readable PEM certificate chain");

        Files.writeString(cert, certPem);
        Files.writeString(key, certPem); // the certificate given twice
        assertThatThrownBy(() -> ServerTls.load(tls())).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("tls.key " + key + " holds no private key");
    }

    @Test
    void anEncryptedKeyIsRefusedWithTheCommandThatDecryptsIt() throws Exception {
        files("encrypted");
        TestCertificates.Issued issued = ca.server("x");
        ca.write(issued, cert, key, TestCertificates.KeyFormat.PKCS8);
        var encryptor = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
                org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC).setPassword("secret".toCharArray()).build();
        Files.writeString(key, TestCertificates.pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(issued.keys().getPrivate(), encryptor)));
        assertThat(Files.readString(key)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThatThrownBy(() -> ServerTls.load(tls())).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("tls.key " + key + " is encrypted").hasMessageContaining("openssl pkey");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() {
        files("mismatch");
        ca.write(ca.server("one"), cert, key, TestCertificates.KeyFormat.PKCS8);
        TestCertificates.replace(key, TestCertificates.pkcs8(ca.server("two")));
        assertThatThrownBy(() -> ServerTls.load(tls())).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("tls.key " + key + " is not the private key of the first certificate in tls.cert");
    }

    /** A renewal that writes the certificate first and the key a moment later is served once both match. */
    @Test
    void aReloadWaitsForAMatchingPairAndKeepsServingTheOldOne() {
        files("reload");
        TestCertificates.Issued first = ca.server("first");
        ca.write(first, cert, key, TestCertificates.KeyFormat.PKCS8);
        try (ServerTls tls = ServerTls.load(tls())) {
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Check.UNCHANGED);

            TestCertificates.Issued second = ca.server("second");
            TestCertificates.replace(cert, TestCertificates.pem(second.certificate()));
            assertThat(tls.reloadIfChanged()).as("new certificate, old key").isEqualTo(ServerTls.Check.REFUSED);
            assertThat(tls.certificate()).isEqualTo(first.certificate());

            TestCertificates.replace(key, TestCertificates.pkcs8(second));
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Check.RELOADED);
            assertThat(tls.certificate()).isEqualTo(second.certificate());
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Check.UNCHANGED);

            TestCertificates.replace(key, "garbage");
            assertThat(tls.reloadIfChanged()).isEqualTo(ServerTls.Check.REFUSED);
            assertThat(tls.certificate()).isEqualTo(second.certificate());
        }
    }
}
