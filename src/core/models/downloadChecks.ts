/**
 * What a model download may fetch, and how its bytes are checked. Model files are untrusted input to llama.cpp's
 * GGUF parser, so a download must come over https (plain http only from this machine's loopback, for tests) and
 * every file must match the SHA-256 Hugging Face publishes for it: the Git LFS object id, sent as the
 * `X-Linked-Etag` header of the file's /resolve/ address (or its `ETag` when the server answers without a redirect;
 * huggingface_hub reads the same two). A curated model may pin the hash itself (src/core/models/curatedModels.ts).
 * A link to another server can carry the hash as `#sha256=<64 hex digits>`.
 */

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** Loopback hosts, where plain http is allowed (the tests' local fake Hugging Face). */
export function isLoopbackHost(hostname: string): boolean {
    const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
    return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** https anywhere; http only to loopback. */
export function isAllowedDownloadUrl(value: string): boolean {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return false;
    }
    if (url.username || url.password) return false;
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
}

/** Why `value` may not be used as a download address or Hugging Face endpoint, or undefined when it may. */
export function downloadUrlProblem(value: string): string | undefined {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return `“${value}” is not a web address`;
    }
    if (url.username || url.password) return `“${url.host}” must not carry a user name or password in the address`;
    if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
        return `“${value}” uses plain http: Hearth downloads models only over https (the file could be altered on the way)`;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return `“${value}” is not an https address`;
    return undefined;
}

/** A SHA-256 in an ETag-style header value (`"abc…"`, `W/"abc…"`), or undefined when it is something else. */
export function sha256FromEtag(value: string | null | undefined): string | undefined {
    if (!value) return undefined;
    const bare = value.trim().replace(/^W\//i, "").replace(/^"|"$/g, "").toLowerCase();
    return SHA256_PATTERN.test(bare) ? bare : undefined;
}

/**
 * The SHA-256 a Hugging Face response publishes for the file: `X-Linked-Etag` (on the redirect to the file store) or
 * `ETag` (on a direct answer). A git blob id (40 hex digits: a small non-LFS file) is not a SHA-256 and is ignored.
 */
export function publishedSha256(headers: { get(name: string): string | null }): string | undefined {
    return sha256FromEtag(headers.get("x-linked-etag")) ?? sha256FromEtag(headers.get("etag"));
}

/** `https://host/file.gguf#sha256=<hex>` → the address without the fragment, and the hash. */
export function splitHashFragment(uri: string): { uri: string; sha256?: string } {
    const m = /^(https?:\/\/[^#]+)#sha256=([0-9a-fA-F]{64})$/.exec(uri.trim());
    return m ? { uri: m[1]!, sha256: m[2]!.toLowerCase() } : { uri: uri.trim() };
}
