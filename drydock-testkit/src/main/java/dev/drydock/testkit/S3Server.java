package dev.drydock.testkit;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;

/**
 * A real S3 server in this process (s3proxy, its buckets in memory, on a free loopback port), with signature checks on.
 * A test module that uses it declares {@code org.gaul:s3proxy} in test scope.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "drydock-test-access";
    public static final String SECRET_KEY = "drydock-test-secret-never-logged";

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    private S3Server(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
    }

    /**
     * Starts a server; its buckets and objects live in this process's memory until {@link #close}. Like AWS S3 and
     * MinIO it accepts request headers it does not act on (the SDK's {@code x-amz-checksum-crc32} on DeleteObjects).
     */
    public static S3Server start() throws Exception {
        return start(true);
    }

    /** A server that refuses requests carrying {@code x-amz-} headers it does not know, as some S3-compatible servers do. */
    public static S3Server startRefusingUnknownHeaders() throws Exception {
        return start(false);
    }

    private static S3Server start(boolean ignoreUnknownHeaders) throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
                .buildView(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(ignoreUnknownHeaders)
                .build();
        proxy.start(); // Jetty's start returns once it listens
        if (!"STARTED".equals(proxy.getState())) {
            context.close();
            throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
        }
        return new S3Server(proxy, context);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Creates a bucket (a directory of the backing store). */
    public void createBucket(String name) {
        context.getBlobStore().createContainerInLocation(null, name);
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
