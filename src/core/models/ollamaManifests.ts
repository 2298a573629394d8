/**
 * Ollama keeps models as content-addressed blobs. A manifest at
 * `<models>/manifests/<registry>/<namespace>/<model>/<tag>` is JSON (Docker manifest v2 shape) whose layers name blobs
 * by digest; the layer with mediaType `application/vnd.ollama.image.model` is the GGUF weights, stored at
 * `<models>/blobs/sha256-<hex>`. Manifests are untrusted input: digests are validated before they become paths.
 */
import * as path from "node:path";

export const OLLAMA_MODEL_MEDIA_TYPE = "application/vnd.ollama.image.model";
const DEFAULT_REGISTRY = "registry.ollama.ai";
const DEFAULT_NAMESPACE = "library";

export interface OllamaManifestModel {
    /** "sha256:<64 hex>" */
    digest: string;
    /** Size the manifest declares for the model layer, when present. */
    size?: number;
}

/** Returns the model layer of a manifest, or a reason why there is none. */
export function parseOllamaManifest(json: unknown): OllamaManifestModel | { error: string } {
    if (typeof json !== "object" || json === null) return { error: "the manifest is not a JSON object" };
    const layers = (json as { layers?: unknown }).layers;
    if (!Array.isArray(layers)) return { error: "the manifest has no layers" };
    for (const layer of layers) {
        if (typeof layer !== "object" || layer === null) continue;
        const { mediaType, digest, size } = layer as { mediaType?: unknown; digest?: unknown; size?: unknown };
        if (mediaType !== OLLAMA_MODEL_MEDIA_TYPE) continue;
        if (typeof digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(digest)) return { error: "the model layer has an invalid digest" };
        return { digest, size: typeof size === "number" && size >= 0 ? size : undefined };
    }
    return { error: "the manifest has no model layer" };
}

/** blobs/sha256-<hex> for a validated digest (Ollama replaced the colon with a dash so names work on Windows). */
export function ollamaBlobPath(modelsRoot: string, digest: string): string {
    return path.join(modelsRoot, "blobs", digest.replace(":", "-"));
}

/**
 * The name people type in `ollama run`: "llama3.2:3b" for the default registry and namespace,
 * "user/model:tag" for another namespace, and "host/namespace/model:tag" for another registry.
 */
export function ollamaDisplayName(registry: string, namespace: string, model: string, tag: string): string {
    const base = registry === DEFAULT_REGISTRY
        ? (namespace === DEFAULT_NAMESPACE ? model : `${namespace}/${model}`)
        : `${registry}/${namespace}/${model}`;
    return `${base}:${tag}`;
}
