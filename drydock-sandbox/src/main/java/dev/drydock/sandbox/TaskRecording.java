package dev.drydock.sandbox;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the task's recording (the TDO {@code recordingId}) holds before the run, by the adapter's category, so that an
 * engine finds the assets a real task of its category gives it (asset types as Veritone names them: {@code media},
 * {@code text}, {@code transcript}; see docs/sandbox.md "Payload"):
 *
 * <table>
 *   <tr><th>kind</th><th>categories</th><th>assets, oldest first</th></tr>
 *   <tr><td>{@link Kind#ingest}</td><td>pull, push (adapters)</td><td>the source file ({@code media}, of the
 *       manifest's {@code preferredInputFormat}); the payload's {@code source.details.url} points at it</td></tr>
 *   <tr><td>{@link Kind#text}</td><td>translation, sentiment, keyword, entity extraction, summarization, topic … (or a
 *       text/TTML {@code preferredInputFormat})</td><td>a {@code text} asset ({@code text/plain}) and a
 *       {@code transcript} asset ({@code application/ttml+xml}); the TTML one first when it is the preferred format</td></tr>
 *   <tr><td>{@link Kind#audio}</td><td>transcription, speaker, audio fingerprinting, music, speech … (or audio input)</td>
 *       <td>a {@code media} WAV</td></tr>
 *   <tr><td>{@link Kind#image}</td><td>object, face, logo, text recognition (OCR), license plate, scene, vision …
 *       (or image/video input)</td><td>a {@code media} image (JPEG when preferred, else PNG): a single frame</td></tr>
 *   <tr><td>{@link Kind#other}</td><td>anything else</td><td>a {@code media} sample of the preferred format
 *       ({@link SampleMedia#forFormat})</td></tr>
 * </table>
 *
 * @param kind   which of the rows above
 * @param assets the recording's assets, oldest first; the first is the task's source asset (the payload's
 *               {@code taskPayload.assetId} / {@code signedUri})
 */
public record TaskRecording(Kind kind, List<Asset> assets) {
    public enum Kind { ingest, text, audio, image, other }

    /** One asset of the recording: its Veritone asset type and its content. */
    public record Asset(String assetType, SampleMedia media) {
    }

    private static final Pattern TEXT = Pattern.compile("translat|sentiment|keyword|entit|summar|topic|text.?analy|text.?classif|language.?(process|understand)|nlp|correlation");
    private static final Pattern IMAGE = Pattern.compile("object|face|logo|ocr|text.?recog|licen[cs]e|plate|scene|vision|visual|image|video|moderation|label");
    private static final Pattern AUDIO = Pattern.compile("transcri|speaker|speech|audio|music|fingerprint|voice|sound|language.?ident");

    public TaskRecording {
        assets = List.copyOf(assets);
        if (assets.isEmpty()) throw new IllegalArgumentException("a recording needs at least one asset");
    }

    /** The recording for a request: its category and its manifest's {@code preferredInputFormat}. */
    public static TaskRecording forRequest(SandboxRequest request) {
        String preferred = request.adapterManifest().path("preferredInputFormat").asText(null);
        if (request.adapter()) return new TaskRecording(Kind.ingest, List.of(new Asset("media", SampleMedia.forFormat(preferred))));
        return forCategory(request.category(), preferred);
    }

    /** The recording a cognitive engine of {@code category} gets (see the table above). */
    public static TaskRecording forCategory(String category, String preferredInputFormat) {
        String c = category == null ? "" : category.trim().toLowerCase(Locale.ROOT);
        String f = preferredInputFormat == null ? "" : preferredInputFormat.trim().toLowerCase(Locale.ROOT);
        boolean textInput = f.startsWith("text/") || f.contains("ttml") || f.contains("ttaf");
        if (IMAGE.matcher(c).find()) return image(f);
        if (TEXT.matcher(c).find()) return text(f);
        if (AUDIO.matcher(c).find()) return audio(f);
        if (textInput) return text(f);
        if (f.startsWith("audio/")) return audio(f);
        if (f.startsWith("image/") || f.startsWith("video/")) return image(f);
        return new TaskRecording(Kind.other, List.of(new Asset("media", SampleMedia.forFormat(f))));
    }

    private static TaskRecording text(String preferred) {
        Asset text = new Asset("text", SampleMedia.text());
        Asset transcript = new Asset("transcript", SampleMedia.ttml());
        return new TaskRecording(Kind.text, preferred.contains("ttml") || preferred.contains("ttaf")
                ? List.of(transcript, text) : List.of(text, transcript));
    }

    private static TaskRecording audio(String preferred) {
        return new TaskRecording(Kind.audio, List.of(new Asset("media", SampleMedia.forFormat(preferred.startsWith("audio/") ? preferred : "audio/wav"))));
    }

    private static TaskRecording image(String preferred) {
        String format = preferred.startsWith("image/jpeg") || preferred.startsWith("image/jpg") ? "image/jpeg" : "image/png";
        return new TaskRecording(Kind.image, List.of(new Asset("media", SampleMedia.forFormat(format))));
    }

    /** Pull/push adapters: they get an ingest payload, and their output is the TDO they create. */
    public boolean ingest() {
        return kind == Kind.ingest;
    }

    /** The task's source asset: the first. */
    public Asset primary() {
        return assets.getFirst();
    }
}
