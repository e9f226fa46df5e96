package dev.drydock.registry.events;

/** Receives registry events in-process. Implementations must not throw and must return quickly. */
@FunctionalInterface
public interface EventSink {
    EventSink NONE = event -> {};

    void publish(RegistryEvent event);
}
