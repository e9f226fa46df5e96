package dev.drydock.platform.adapters;

import java.util.List;
import java.util.Set;

/**
 * The categories an adapter or engine can be registered in. Adapters move data in or out ({@code pull},
 * {@code push}); engines are cognitive (the record's examples: transcription, object detection, …).
 */
public final class Categories {
    public static final Set<String> ADAPTERS = Set.of("pull", "push");
    public static final List<String> ALL = List.of(
            "pull", "push",
            "transcription", "translation", "object-detection", "face-detection", "face-recognition",
            "text-recognition", "logo-recognition", "speaker-separation", "speaker-recognition",
            "language-identification", "sentiment", "keyword-extraction", "content-classification",
            "audio-fingerprinting", "audio-detection", "geolocation", "transcode");

    private Categories() {}

    public static boolean isKnown(String category) {
        return ALL.contains(category);
    }

    public static boolean isAdapter(String category) {
        return ADAPTERS.contains(category);
    }
}
