package dev.drydock.compliance;

/** One compliance check; runs against the image and what earlier checks learned. */
public interface Check {
    String id();

    CheckResult run(CheckContext context) throws Exception;
}
