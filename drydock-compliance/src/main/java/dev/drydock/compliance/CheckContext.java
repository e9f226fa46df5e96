package dev.drydock.compliance;

import dev.drydock.image.ImageSource;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a check sees: the build, its image, and facts earlier checks recorded for later ones. */
public final class CheckContext {
    private final BuildUnderTest build;
    private final ImageSource image;
    private final Map<String, Object> facts = new LinkedHashMap<>();

    public CheckContext(BuildUnderTest build, ImageSource image) {
        this.build = build;
        this.image = image;
    }

    public BuildUnderTest build() { return build; }
    public ImageSource image() { return image; }

    public void put(String key, Object value) { facts.put(key, value); }

    @SuppressWarnings("unchecked")
    public <T> T get(String key) { return (T) facts.get(key); }
}
