package dev.drydock.compliance;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one source of adapter categories: the registration ids (what drydock-platform's adapter registration accepts,
 * and what a manifest's {@code category} is compared with in {@code manifest.matches}), and the one table of the
 * names Veritone uses for them. The served manifest schema lists {@link #REGISTERED} as the category's examples
 * ({@code ManifestCategoriesTest}).
 *
 * <p>{@link #NAMES} maps every spelling a real manifest uses to a registration id. Real manifests write Veritone's
 * category names ("object detection", "Sentiment", "facial detection"), the platform's category keys
 * ("transcript", "ocr", "logo") or camel case ("objectRecognition"); the platform fixes the category at
 * registration, so a name it knows is the same category. Names are compared {@linkplain #key squashed}: case,
 * spaces, hyphens and underscores do not count. The sources (docs/checks.md lists each entry with its source):
 * <ul>
 *   <li><b>list</b>: Veritone's engine manifest standard, "Available categories for cognitive engines"
 *       (veritone/docs, src/docs/developer/engines/standards/engine-manifest/README.md);</li>
 *   <li><b>capability</b>: the capability names and their "aka" names (src/docs/developer/engines/cognitive/README.md)
 *       and the older class table (Veritone docs, engines/classes);</li>
 *   <li><b>key</b>: the platform's category keys, {@code categoryType} of the engine categories
 *       (veritone/veritone-sdk: the engine categories a media details view shows, and the search bar's) and the
 *       vtn-standard validation contracts (src/docs/developer/engines/standards/engine-output/README.md);</li>
 *   <li><b>sample</b>: Veritone's sample engines' manifests (veritone-sample-engine-yolo "objectRecognition",
 *       veritone-sample-engine-amazon "faceRecognition", V3-Engine-Examples "keyword" and "Sentiment").</li>
 * </ul>
 * Names Veritone lists that Drydock has no registration category for ("conductor", "station playout", "thumbnail",
 * "face verification", …) and names no source gives are unknown: {@code manifest.matches} warns and names the
 * registered category, it does not fail.
 */
public final class ManifestCategories {
    /** The registration ids, in the registration API's order. */
    public static final List<String> REGISTERED = List.of(
            "pull", "push",
            "transcription", "translation", "object-detection", "face-detection", "face-recognition",
            "text-recognition", "logo-recognition", "speaker-separation", "speaker-recognition",
            "language-identification", "sentiment", "keyword-extraction", "content-classification",
            "audio-fingerprinting", "audio-detection", "geolocation", "transcode");
    /** The adapter categories; adapters run in batch or stream mode. */
    public static final Set<String> ADAPTERS = Set.of("pull", "push");

    /** Veritone's names, synonyms and platform keys → registration id (each id also names itself). */
    public static final Map<String, String> NAMES = table(
            "pull", "pull",
            "push", "push",
            // transcription — list "transcription"; key "transcript" (categoryType, validation contract)
            "transcription", "transcription",
            "transcript", "transcription",
            // translation — list "translate" (also the categoryType); sample-engine-py "translation"
            "translate", "translation",
            "translation", "translation",
            // object detection — list "object detection"; key "object"; capability table "Object Recognition";
            // sample-engine-yolo "objectRecognition"
            "object detection", "object-detection",
            "object", "object-detection",
            "object recognition", "object-detection",
            // face detection — list "facial detection" (the platform's category name "Facial Detection");
            // capability "Face Detection"; key "face"
            "facial detection", "face-detection",
            "face detection", "face-detection",
            "face", "face-detection",
            // face recognition — capability "Face Recognition"; sample-engine-amazon "faceRecognition"
            "face recognition", "face-recognition",
            "facial recognition", "face-recognition",
            // text recognition — list "text recognition"; capability "Text Recognition (OCR)"; key "ocr"
            "text recognition", "text-recognition",
            "ocr", "text-recognition",
            "optical character recognition", "text-recognition",
            // logo recognition — list "logo recognition"; capability "Logo Detection"; key "logo"
            "logo recognition", "logo-recognition",
            "logo detection", "logo-recognition",
            "logo", "logo-recognition",
            // speaker separation — capability "Speaker Detection", aka Speaker Separation, Diarization; key "speaker"
            "speaker separation", "speaker-separation",
            "speaker detection", "speaker-separation",
            "diarization", "speaker-separation",
            "speaker", "speaker-separation",
            // speaker recognition — capability "Speaker Recognition", aka Speaker Identification
            "speaker recognition", "speaker-recognition",
            "speaker identification", "speaker-recognition",
            // language identification — capability "Language Identification"; contract "language";
            // class table "Language Recognition"
            "language identification", "language-identification",
            "language", "language-identification",
            "language recognition", "language-identification",
            // sentiment — list "sentiment"; capability "Sentiment Analysis"; V3-Engine-Examples "Sentiment"
            "sentiment", "sentiment",
            "sentiment analysis", "sentiment",
            // keyword extraction — capability "Keyword Extraction"; contract "keyword"; V3-Engine-Examples "keyword"
            "keyword extraction", "keyword-extraction",
            "keyword", "keyword-extraction",
            // content classification — capability "Content Classification"; contract "concept"
            "content classification", "content-classification",
            "concept", "content-classification",
            // audio fingerprinting — list "fingerprint" (also the categoryType); capability "Audio Fingerprinting"
            "fingerprint", "audio-fingerprinting",
            "audio fingerprinting", "audio-fingerprinting",
            // audio detection — class table "Audio Detection"
            "audio detection", "audio-detection",
            // geolocation — list "geolocation" (also the categoryType)
            "geolocation", "geolocation",
            // transcode — list "transcode"; class table "Transcoding"
            "transcode", "transcode",
            "transcoding", "transcode");

    private ManifestCategories() {}

    /**
     * The registration id a manifest's category names, if it names one: {@code "Object Detection"},
     * {@code "objectRecognition"} and {@code "object"} all give {@code object-detection}.
     */
    public static Optional<String> resolve(String declared) {
        if (declared == null) return Optional.empty();
        return Optional.ofNullable(BY_KEY.get(key(declared)));
    }

    /** A category an adapter or engine can be registered in (an id of {@link #REGISTERED}, exactly). */
    public static boolean isRegistered(String id) {
        return id != null && REGISTERED.contains(id);
    }

    /** An adapter category ({@code pull}, {@code push}): adapters move data in or out, engines are cognitive. */
    public static boolean isAdapter(String id) {
        return id != null && ADAPTERS.contains(id);
    }

    /** The form names are compared in: lower case, without spaces, hyphens or underscores. */
    static String key(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (char c : name.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c != ' ' && c != '-' && c != '_' && !Character.isWhitespace(c)) b.append(c);
        }
        return b.toString();
    }

    private static final Map<String, String> BY_KEY = byKey();

    private static Map<String, String> table(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (!REGISTERED.contains(pairs[i + 1])) throw new IllegalStateException(pairs[i + 1] + " is not a registration category");
            if (m.put(pairs[i], pairs[i + 1]) != null) throw new IllegalStateException(pairs[i] + " is listed twice");
        }
        return Collections.unmodifiableMap(m);
    }

    private static Map<String, String> byKey() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String id : REGISTERED) m.put(key(id), id);
        NAMES.forEach((name, id) -> {
            String previous = m.put(key(name), id);
            if (previous != null && !previous.equals(id)) {
                throw new IllegalStateException(name + " names both " + previous + " and " + id);
            }
        });
        return Map.copyOf(m);
    }
}
