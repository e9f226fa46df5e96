package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Something the adapter created through the sandbox API.
 *
 * @param kind        what was created
 * @param id          its id in the sandbox
 * @param parentId    the TDO an asset or engine result belongs to (null for TDOs and structured data)
 * @param contentType the asset's content type, or null
 * @param bytes       uploaded bytes (0 when only a {@code uri} was given)
 * @param details     the other fields given (e.g. {@code uri}, {@code assetType}, {@code details}, the structured data)
 */
public record CreatedObject(Kind kind, String id, String parentId, String contentType, long bytes, JsonNode details) {
    public enum Kind { tdo, asset, structuredData, engineResult }
}
