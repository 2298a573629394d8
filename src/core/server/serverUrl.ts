/**
 * The `hearth.server.url` setting, read the way people write it: "http://gpu-box:8080", "gpu-box:8080",
 * "https://llm.example.com/v1" (an OpenAI client's base URL) or a reverse proxy's path prefix
 * "https://example.com/llm". Endpoints are resolved against the base without `/v1`, because llama-server's own
 * endpoints (/props, /infill, /tokenize) live beside /v1, not under it.
 */

export interface ServerAddress {
    /** Base URL without a trailing slash and without `/v1`: endpoints are `${base}/v1/models`, `${base}/infill`. */
    base: string;
    /** What the user sees: "gpu-box.local:8080" (never credentials). */
    host: string;
    /** The URL as shown in messages: base without credentials. */
    display: string;
    secure: boolean;
}

export type ParsedServerUrl = { ok: true; address: ServerAddress } | { ok: false; reason: "empty" | "invalid" | "protocol" | "credentials" };

export function parseServerUrl(raw: string): ParsedServerUrl {
    let text = raw.trim();
    if (!text) return { ok: false, reason: "empty" };
    // "gpu-box:8080" has no scheme: URL would read "gpu-box:" as one.
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return { ok: false, reason: "invalid" };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "protocol" };
    // A key in the URL would end up in settings files and logs; it belongs in SecretStorage.
    if (url.username || url.password) return { ok: false, reason: "credentials" };
    const pathname = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
    const base = `${url.protocol}//${url.host}${pathname}`;
    return { ok: true, address: { base, host: url.host, display: base, secure: url.protocol === "https:" } };
}

/** `${base}${path}` with exactly one slash between them. */
export function endpoint(address: Pick<ServerAddress, "base">, path: string): string {
    return `${address.base}/${path.replace(/^\/+/, "")}`;
}
