/**
 * Model output → safe HTML. Model text is untrusted: markdown-it runs with `html: false` (raw HTML in the answer
 * is shown as text), fenced code is highlighted by highlight.js, and the result goes through DOMPurify with an
 * allow-list: no script, iframe, object, form, style, SVG or MathML, no `<img>` at all (no remote images, no
 * tracking pixels, no data: images), no event-handler or style attributes, and links only to http(s)/mailto.
 * A link leaves the machine, and a prompt-injected document can make the model write one that carries the user's
 * text (https://attacker.example/?q=…). So a rendered link has NO href: its address moves to `data-href` (and its
 * title shows the full address), the webview sends a click to the host, and the host opens it only after the user
 * confirmed the full URL (src/chat/chatLinks.ts). Without href neither the browser nor VS Code's webview link
 * handler can follow it on its own.
 *
 * The DOMPurify instance is injected: the webview passes the browser's, the unit tests one bound to jsdom, so
 * the exact same configuration is what the tests attack.
 */
import type { DOMPurify } from "dompurify";
import MarkdownIt from "markdown-it";
import { hljs } from "./highlightLanguages";

const ALLOWED_TAGS = [
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "span", "div",
];
const ALLOWED_ATTR = ["href", "title", "class", "start", "align"];
const SAFE_LINK = /^(https?:|mailto:)/i;
/** Where a rendered link keeps its address (instead of href); the webview reads it on click. */
export const LINK_ATTRIBUTE = "data-href";

export interface MarkdownRenderer {
    /** Sanitised HTML for `markdown`; safe to assign to innerHTML. */
    render(markdown: string): string;
}

export interface MarkdownOptions {
    /**
     * Called for a fenced block whose language is not registered (yet). Returns true when that language is being
     * loaded: the block is shown plain for now (the caller renders again once it is there) instead of guessed.
     */
    onMissingLanguage?(language: string): boolean;
}

export function createMarkdownRenderer(purify: DOMPurify, options: MarkdownOptions = {}): MarkdownRenderer {
    const md = new MarkdownIt({
        html: false,
        linkify: false,
        breaks: false,
        highlight: (code, lang) => highlight(code, lang, options),
    });
    // markdown-it's own validator already rejects javascript:/vbscript:/file:/data: (except images); keep
    // only http(s) and mailto so nothing else reaches the sanitiser as a link at all.
    md.validateLink = (url) => SAFE_LINK.test(url.trim());
    // Images never render: the alt text is shown instead, so a remote URL cannot be fetched or track the user.
    md.renderer.rules.image = (tokens, idx) => md.utils.escapeHtml(tokens[idx]?.content ?? "");

    return {
        render(markdown: string): string {
            return sanitizeHtml(purify, md.render(markdown));
        },
    };
}

const hooked = new WeakSet<DOMPurify>();

/**
 * The sanitiser alone, also used on its own by the tests with raw HTML payloads (defence in depth: it must hold
 * even if markdown-it ever let HTML through).
 */
export function sanitizeHtml(purify: DOMPurify, html: string): string {
    if (!hooked.has(purify)) {
        hooked.add(purify);
        purify.addHook("afterSanitizeAttributes", (node) => {
            if (node.nodeName === "A") {
                const href = (node.getAttribute("href") ?? "").trim();
                node.removeAttribute("href");
                if (SAFE_LINK.test(href)) {
                    node.setAttribute(LINK_ATTRIBUTE, href);
                    // The model's own link title could claim another address: the title is the real one.
                    node.setAttribute("title", href);
                    node.setAttribute("role", "link");
                    node.setAttribute("tabindex", "0");
                } else {
                    node.removeAttribute("title");
                }
                node.setAttribute("rel", "noopener noreferrer");
            }
            // Classes only as highlight.js / language markers: no author-controlled styling hooks.
            const cls = node.getAttribute("class");
            if (cls && !/^(hljs[\w-]*|language-[\w+#-]+)( (hljs[\w-]*|language-[\w+#-]+))*$/.test(cls)) node.removeAttribute("class");
        });
    }
    return purify.sanitize(html, {
        ALLOWED_TAGS,
        ALLOWED_ATTR: [...ALLOWED_ATTR, "rel"],
        ALLOW_DATA_ATTR: false,
        ALLOW_ARIA_ATTR: false,
        ALLOW_UNKNOWN_PROTOCOLS: false,
        FORBID_TAGS: ["img", "svg", "math", "iframe", "script", "style", "object", "embed", "form", "input", "link", "meta", "base"],
        FORBID_ATTR: ["style", "srcset", "src", "action", "formaction", "xlink:href"],
        KEEP_CONTENT: true,
    });
}

/** Auto-detection is slow on big blocks; an unlabelled block that large is shown plain. */
const AUTO_DETECT_LIMIT = 20_000;

function highlight(code: string, lang: string, options: MarkdownOptions): string {
    const language = lang.trim().toLowerCase();
    try {
        if (language && hljs.getLanguage(language)) return hljs.highlight(code, { language, ignoreIllegals: true }).value;
        if (language && options.onMissingLanguage?.(language)) return "";
        return code.length <= AUTO_DETECT_LIMIT ? hljs.highlightAuto(code).value : "";
    } catch {
        return ""; // markdown-it escapes the code itself when highlight returns nothing
    }
}
