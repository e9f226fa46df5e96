package dev.drydock.registry;

/**
 * Decides whether a repository accepts pushes at all (independently of who pushes). The platform uses it to
 * refuse pushes to repositories that belong to no registered adapter, before any byte is uploaded.
 */
@FunctionalInterface
public interface PushPolicy {
    PushPolicy ALLOW_ALL = repository -> {};

    /** Throws a {@link RegistryException} (DENIED, with a message naming the fix) to refuse. */
    void checkPush(String repository);
}
