/**
 * Network failures that mean a server cannot be reached at all (no network, DNS, refused, proxy, TLS), as opposed
 * to a server that answered with an error. Used to say "cannot reach huggingface.co" instead of "fetch failed".
 */

/** Codes of Node's network errors that mean the server cannot be reached (not that it answered with an error). */
const UNREACHABLE_CODES = new Set([
    "ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENETUNREACH", "EHOSTUNREACH", "ENETDOWN",
    "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET", "CERT_HAS_EXPIRED", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);

/**
 * True when `err` (or an error it wraps, as undici's "fetch failed" does) says the server could not be reached.
 * node-llama-cpp's downloader rethrows with the text only ("Failed to fetch manifest …: TypeError: fetch failed").
 */
export function isNetworkFailure(err: unknown): boolean {
    for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
        const { code, message, cause, errors } = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
        if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
        if (typeof message === "string" && /\bfetch failed\b|getaddrinfo|\b(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH)\b|socket hang up|network is unreachable/i.test(message)) return true;
        e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
    }
    return false;
}
