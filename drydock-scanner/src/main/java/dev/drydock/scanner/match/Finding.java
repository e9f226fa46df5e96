package dev.drydock.scanner.match;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One vulnerability in one package, as a Clair v2 vulnerability object ({@code Name, NamespaceName, Description,
 * Link, Severity, Metadata.NVD.CVSSv2{Score,Vectors}, FixedBy}) with the Clair feature fields
 * ({@code FeatureName, FeatureVersion, AddedBy}) and Drydock's additions after them: the Dockerfile step that added
 * the layer, the file the package was found in, the advisory id, and the allowlist entry that covers it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"Name", "NamespaceName", "Description", "Link", "Severity", "Metadata", "FixedBy", "FeatureName",
        "FeatureVersion", "AddedBy", "AddedByStep", "Path", "Advisory", "Allowlisted"})
public record Finding(
        @JsonProperty("Name") String name,
        @JsonProperty("NamespaceName") String namespaceName,
        @JsonProperty("Description") String description,
        @JsonProperty("Link") String link,
        @JsonProperty("Severity") Severity severity,
        @JsonProperty("Metadata") Metadata metadata,
        @JsonProperty("FixedBy") String fixedBy,
        @JsonProperty("FeatureName") String featureName,
        @JsonProperty("FeatureVersion") String featureVersion,
        @JsonProperty("AddedBy") String addedBy,
        @JsonProperty("AddedByStep") String addedByStep,
        @JsonProperty("Path") String path,
        @JsonProperty("Advisory") String advisory,
        @JsonProperty("Allowlisted") Allowlisted allowlisted) {

    /** Clair's {@code Metadata}: {@code {"NVD": {"CVSSv2": {...}, "CVSSv3": {...}}}} (CVSSv3 is our addition). */
    public record Metadata(@JsonProperty("NVD") Nvd nvd) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Nvd(@JsonProperty("CVSSv2") Score cvssV2, @JsonProperty("CVSSv3") Score cvssV3) {}

    public record Score(@JsonProperty("Score") double score, @JsonProperty("Vectors") String vectors) {}

    /** The allowlist entry that keeps this finding from failing the check. */
    public record Allowlisted(@JsonProperty("reason") String reason, @JsonProperty("expires") String expires) {}

    public Finding withAllowlisted(Allowlisted entry) {
        return new Finding(name, namespaceName, description, link, severity, metadata, fixedBy, featureName,
                featureVersion, addedBy, addedByStep, path, advisory, entry);
    }
}
