package dev.drydock.scanner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import org.cyclonedx.model.BomReference;
import org.cyclonedx.util.introspector.VersionJsonAnnotationIntrospector;
import org.cyclonedx.util.mixin.MixInBomReference;
import org.cyclonedx.util.serializer.ComponentWrapperSerializer;
import org.cyclonedx.util.serializer.MetadataSerializer;
import org.cyclonedx.util.serializer.TrimStringSerializer;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.scanner.match.Finding;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;

/**
 * A CycloneDX 1.6 JSON SBOM of an image's packages, each with its package URL (purl) and, as properties, the
 * file it was found in and the layer that added it. The image is the BOM's subject (a {@code container}
 * component named by its reference, versioned by its digest).
 */
public final class Sbom {
    private Sbom() {}

    /** The SBOM of a scan's packages. */
    public static String cycloneDxJson(ScanResult scan, String imageReference, String imageDigest,
                                       List<String> layerDigests, Instant timestamp) {
        return cycloneDxJson(new ImageInventory(scan.distro(), scan.packages(), scan.problems()), imageReference,
                imageDigest, layerDigests, timestamp);
    }

    /** The SBOM of an inventory (no advisory data needed). */
    public static String cycloneDxJson(ImageInventory inventory, String imageReference, String imageDigest,
                                       List<String> layerDigests, Instant timestamp) {
        Bom bom = new Bom();
        bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes((imageDigest + timestamp).getBytes()));
        Metadata metadata = new Metadata();
        metadata.setTimestamp(Date.from(timestamp));
        Component image = new Component();
        image.setType(Component.Type.CONTAINER);
        image.setName(imageReference);
        image.setVersion(imageDigest);
        image.setBomRef(imageDigest);
        metadata.setComponent(image);
        bom.setMetadata(metadata);
        inventory.distro().ifPresent(d -> {
            Component os = new Component();
            os.setType(Component.Type.OPERATING_SYSTEM);
            os.setName(d.id());
            os.setVersion(d.versionId());
            os.setBomRef("os:" + d.namespace());
            os.setDescription(d.prettyName());
            bom.addComponent(os);
        });
        Set<String> refs = new HashSet<>();
        for (InstalledPackage p : inventory.packages()) {
            Component c = new Component();
            c.setType(Component.Type.LIBRARY);
            c.setName(p.name());
            c.setVersion(p.version());
            String purl = purl(p, inventory);
            if (purl != null) c.setPurl(purl);
            String ref = (purl != null ? purl : p.ecosystem() + "/" + p.name() + "@" + p.version()) + "#" + p.path();
            if (!refs.add(ref)) continue;   // the same package listed twice in one file
            c.setBomRef(ref);
            c.addProperty(new Property("drydock:path", p.path()));
            c.addProperty(new Property("drydock:ecosystem", p.ecosystem()));
            if (p.layer() >= 0 && p.layer() < layerDigests.size()) c.addProperty(new Property("drydock:layer", layerDigests.get(p.layer())));
            if (p.createdBy() != null) c.addProperty(new Property("drydock:createdBy", p.createdBy()));
            if (!p.sourceName().equals(p.name())) c.addProperty(new Property("drydock:sourcePackage", p.sourceName()));
            if (!p.sourceVersion().equals(p.version())) c.addProperty(new Property("drydock:sourceVersion", p.sourceVersion()));
            bom.addComponent(c);
        }
        return toJson(bom);
    }

    /**
     * What {@link #read} recovers from a stored SBOM: the inventory to match again (no image read), the layer digests
     * its packages name (index = {@link InstalledPackage#layer()}), and each package's purl.
     */
    public record Contents(ImageInventory inventory, List<String> layerDigests, Map<String, String> purls) {
        /** The purl of the package a finding names (by name, version and file), or null when it had none. */
        public String purl(Finding f) {
            return purls.get(key(f.featureName(), f.featureVersion(), f.path()));
        }

        static String key(String name, String version, String path) {
            return name + '\u0000' + version + '\u0000' + path;
        }
    }

    /**
     * Reads back an SBOM this class wrote, streamed: one component at a time, never the whole document as a tree.
     * SBOMs written before {@code drydock:sourceVersion} existed match OS packages by the binary version (the same
     * unless the binary package was rebuilt apart from its source, e.g. Debian binNMUs).
     */
    public static Contents read(Reader json) throws IOException {
        Optional<Distro> distro = Optional.empty();
        List<InstalledPackage> packages = new ArrayList<>();
        List<String> layers = new ArrayList<>();
        Map<String, Integer> layerIndex = new HashMap<>();
        Map<String, String> purls = new HashMap<>();
        try (JsonParser p = READER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("not a CycloneDX JSON document");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("components") || value != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    JsonNode c = READER.readTree(p);
                    String type = c.path("type").asText();
                    if (type.equals("operating-system")) {
                        distro = Optional.of(OsDetector.of(c.path("name").asText(), c.path("version").asText(""),
                                c.path("description").asText(null), "sbom"));
                        continue;
                    }
                    Map<String, String> props = new HashMap<>();
                    for (JsonNode prop : c.path("properties")) props.put(prop.path("name").asText(), prop.path("value").asText());
                    String ecosystem = props.get("drydock:ecosystem"), name = c.path("name").asText(null),
                            version = c.path("version").asText(null), path = props.getOrDefault("drydock:path", "");
                    if (!type.equals("library") || ecosystem == null || name == null || version == null) continue;
                    int layer = -1;
                    String digest = props.get("drydock:layer");
                    if (digest != null) {
                        layer = layerIndex.computeIfAbsent(digest, d -> {
                            layers.add(d);
                            return layers.size() - 1;
                        });
                    }
                    packages.add(new InstalledPackage(ecosystem, name, version, props.get("drydock:sourcePackage"),
                            props.get("drydock:sourceVersion"), path, layer, props.get("drydock:createdBy")));
                    if (c.hasNonNull("purl")) purls.put(Contents.key(name, version, path), c.get("purl").asText());
                }
            }
        }
        return new Contents(new ImageInventory(distro, packages, List.of()), layers, purls);
    }

    private static final ObjectMapper READER = new ObjectMapper();

    /**
     * Configured once (building it costs far more than writing one SBOM, which matters when thousands are written);
     * a configured ObjectMapper is safe to share between threads.
     */
    private static final ObjectMapper WRITER = writer();

    private static ObjectMapper writer() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.setAnnotationIntrospector(new VersionJsonAnnotationIntrospector(Version.VERSION_16));
        mapper.registerModule(new SimpleModule().addSerializer(new MetadataSerializer(true, Version.VERSION_16)));
        mapper.registerModule(new SimpleModule().addSerializer(new TrimStringSerializer()));
        mapper.registerModule(new SimpleModule().addSerializer(new ComponentWrapperSerializer(mapper)));
        mapper.addMixIn(BomReference.class, MixInBomReference.class);
        return mapper;
    }

    /**
     * CycloneDX 1.6 JSON of a BOM, with the library's own serializers, introspector and mix-in, as its
     * {@code BomJsonGenerator} writes it. Not through the generator itself: it extends {@code CycloneDxSchema}, whose
     * validation code links against json-schema-validator 1.x, and the service runs with 3.x (which the report
     * schemas use), so loading the generator fails with NoClassDefFoundError. {@code SbomTest} validates the output
     * against the CycloneDX 1.6 schema.
     */
    static String toJson(Bom bom) {
        try {
            for (String field : new String[]{"bomFormat", "specVersion"}) {
                java.lang.reflect.Field f = Bom.class.getDeclaredField(field);
                f.setAccessible(true);
                f.set(bom, field.equals("bomFormat") ? "CycloneDX" : Version.VERSION_16.getVersionString());
            }
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter();
            printer.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
            return WRITER.writer(printer).writeValueAsString(bom);
        } catch (ReflectiveOperationException | JsonProcessingException e) {
            throw new IllegalStateException("CycloneDX generation failed", e);
        }
    }

    /** The package URL of a package (purl-spec types deb, apk, rpm, maven, npm, pypi, golang), or null. */
    static String purl(InstalledPackage p, ImageInventory inventory) {
        String distroId = inventory.distro().map(Distro::id).orElse(null);
        String distroQualifier = inventory.distro().map(d -> d.id() + "-" + d.versionId()).orElse(null);
        String eco = p.ecosystem().toLowerCase(Locale.ROOT);
        try {
            TreeMap<String, String> q = new TreeMap<>();
            if (eco.startsWith("debian") || eco.startsWith("ubuntu")) {
                if (distroQualifier != null) q.put("distro", distroQualifier);
                if (!p.sourceName().equals(p.name())) q.put("upstream", p.sourceName());
                return new PackageURL("deb", eco.startsWith("ubuntu") ? "ubuntu" : "debian", p.name(), p.version(), q, null).canonicalize();
            }
            if (eco.startsWith("alpine")) {
                if (distroQualifier != null) q.put("distro", distroQualifier);
                return new PackageURL("apk", "alpine", p.name(), p.version(), q, null).canonicalize();
            }
            if (p.path().contains("/rpm/")) {
                String version = p.version();
                int colon = version.indexOf(':');
                if (colon > 0) {
                    q.put("epoch", version.substring(0, colon));
                    version = version.substring(colon + 1);
                }
                if (distroQualifier != null) q.put("distro", distroQualifier);
                return new PackageURL("rpm", distroId == null ? null : distroId, p.name(), version, q, null).canonicalize();
            }
            switch (p.ecosystem()) {
                case "Maven" -> {
                    int colon = p.name().indexOf(':');
                    if (colon < 0) return new PackageURL("generic", null, p.name(), p.version(), null, null).canonicalize();
                    return new PackageURL("maven", p.name().substring(0, colon), p.name().substring(colon + 1), p.version(),
                            null, null).canonicalize();
                }
                case "npm" -> {
                    int slash = p.name().indexOf('/');
                    String ns = p.name().startsWith("@") && slash > 0 ? p.name().substring(0, slash) : null;
                    return new PackageURL("npm", ns, ns == null ? p.name() : p.name().substring(slash + 1), p.version(),
                            null, null).canonicalize();
                }
                case "PyPI" -> {
                    return new PackageURL("pypi", null, p.name(), p.version(), null, null).canonicalize();
                }
                case "Go" -> {
                    int slash = p.name().lastIndexOf('/');
                    return new PackageURL("golang", slash > 0 ? p.name().substring(0, slash) : null,
                            slash > 0 ? p.name().substring(slash + 1) : p.name(), p.version(), null, null).canonicalize();
                }
                default -> {
                    return null;
                }
            }
        } catch (MalformedPackageURLException e) {
            return null;
        }
    }
}
