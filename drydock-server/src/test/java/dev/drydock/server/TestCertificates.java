package dev.drydock.server;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority for TLS tests, and server certificates it issues for {@code localhost} and
 * {@code 127.0.0.1}, written as PEM. Built with bcpkix (already on the classpath through docker-java): the JDK can
 * make key pairs but has no public certificate builder, and keytool as a process would cost a JVM start per cert.
 */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key pair and the certificate issued for it. */
    record Issued(KeyPair keys, X509Certificate certificate) {
        BigInteger serial() {
            return certificate.getSerialNumber();
        }
    }

    /** How the private key is written. */
    enum KeyFormat { PKCS8, TRADITIONAL /* BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY */ }

    private final Issued ca;

    TestCertificates() {
        KeyPair keys = ec();
        X500Name name = new X500Name("CN=Drydock Test CA");
        ca = new Issued(keys, sign(new JcaX509v3CertificateBuilder(name, serial(), notBefore(), notAfter(), name, keys.getPublic()),
                keys, true));
    }

    X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** A server certificate for localhost and 127.0.0.1 with a new EC P-256 key. */
    Issued server(String commonName) {
        return server(commonName, ec());
    }

    /** A server certificate for localhost and 127.0.0.1 for the given key pair (RSA or EC). */
    Issued server(String commonName, KeyPair keys) {
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(), notBefore(), notAfter(),
                    new X500Name("CN=" + commonName), keys.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return new Issued(keys, sign(b, ca.keys(), false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the certificate followed by the CA's (a chain) and the key, each replaced atomically as a renewal tool
     * does.
     */
    void write(Issued issued, Path cert, Path key, KeyFormat format) {
        replace(cert, pem(issued.certificate()) + pem(ca.certificate()));
        replace(key, format == KeyFormat.PKCS8 ? pkcs8(issued) : traditional(issued.keys()));
    }

    void writeCa(Path file) {
        replace(file, pem(ca.certificate()));
    }

    static void replace(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".next", ".pem");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client context that trusts only this CA (a fresh one per call: no TLS session is resumed across them). */
    SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * The key as OpenSSL's traditional formats hold it: PKCS#1 for RSA; SEC1 with the curve and public key for EC (as
     * {@code openssl ecparam -genkey} writes it; BouncyCastle alone would leave the curve out of a JDK key).
     */
    static String traditional(KeyPair keys) {
        if (!keys.getPrivate().getAlgorithm().equals("EC")) return pem(keys);
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
            ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
            ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(),
                    SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                    info.getPrivateKeyAlgorithm().getParameters());
            return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pkcs8(Issued issued) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(issued.keys().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair issuer, boolean ca) {
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            String algorithm = issuer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(issuer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }
}
