package dev.drydock.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Credentials the engine uses to pull the image under test, normally a short-lived pull token issued for
 * this run only. Neither {@link #toString()} nor JSON serialization (a result serialized as report evidence) shows the
 * password.
 *
 * @param serverAddress the registry host (and port) the credentials are for, e.g. {@code 127.0.0.1:5000}
 */
public record RegistryAuth(String username, @JsonIgnore String password, String serverAddress) {
    /** No credentials: anonymous pull. */
    public static final RegistryAuth NONE = new RegistryAuth(null, null, null);

    public boolean anonymous() {
        return username == null;
    }

    @Override
    public String toString() {
        return anonymous() ? "RegistryAuth[anonymous]" : "RegistryAuth[" + username + "@" + serverAddress + ", password=***]";
    }
}
