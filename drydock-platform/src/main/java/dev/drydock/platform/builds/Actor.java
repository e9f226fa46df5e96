package dev.drydock.platform.builds;

/**
 * The kind of party acting on a build: the adapter's owners (members and robots of its organization),
 * the platform's reviewers, or Drydock itself (testing results).
 */
public enum Actor {
    owner, reviewer, system
}
