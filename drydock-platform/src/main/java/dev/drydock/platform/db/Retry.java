package dev.drydock.platform.db;

/**
 * Retries a transaction that lost an insert race to a concurrent one (unique-key violation); the retry then
 * sees the winner's row and takes the update path.
 */
final class Retry {
    private static final int ATTEMPTS = 5;

    private Retry() {}

    static void onDuplicateKey(Runnable transaction) {
        for (int attempt = 1; ; attempt++) {
            try {
                transaction.run();
                return;
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS || !Database.isDuplicateKey(e)) throw e;
            }
        }
    }
}
