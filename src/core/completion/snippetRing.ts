/**
 * A bounded ring of context snippets (pieces of recently opened or edited files, definitions near the cursor's
 * symbol) placed ahead of the FIM prefix. Its order and content change only when a file changes or a new file
 * enters the ring, never because of a keystroke in the current file, so the extra context stays in the KV cache.
 */
import type { ContextSnippet } from "./promptLayout";

interface RingEntry extends ContextSnippet {
    key: string;
}

export class SnippetRing {
    private entries: RingEntry[] = [];
    private versionValue = 0;

    constructor(private readonly capacity = 8) {}

    /** Increments whenever what `snippets()` returns may have changed. */
    get version(): number {
        return this.versionValue;
    }

    /** Adds or refreshes a snippet in place (a refreshed snippet keeps its position: stable order). */
    upsert(key: string, label: string, text: string): void {
        if (!text.trim()) return;
        const existing = this.entries.find((e) => e.key === key);
        if (existing) {
            if (existing.text === text && existing.label === label) return;
            existing.text = text;
            existing.label = label;
        } else {
            this.entries.push({ key, label, text });
            if (this.entries.length > this.capacity) this.entries.shift();
        }
        this.versionValue++;
    }

    remove(key: string): void {
        const before = this.entries.length;
        this.entries = this.entries.filter((e) => e.key !== key);
        if (this.entries.length !== before) this.versionValue++;
    }

    has(key: string): boolean {
        return this.entries.some((e) => e.key === key);
    }

    /** Oldest first. The snippet with key `excludeKey` (the current file) is left out. */
    snippets(excludeKey?: string): ContextSnippet[] {
        return this.entries
            .filter((e) => e.key !== excludeKey)
            .map(({ label, text }) => ({ label, text }));
    }
}

/** Up to `maxLines` whole lines of `text` centred on `line` (0-based), at most `maxChars` characters. */
export function snippetAround(text: string, line: number, maxLines = 40, maxChars = 2000): string {
    const lines = text.split("\n");
    const start = Math.max(0, Math.min(line - Math.floor(maxLines / 2), lines.length - maxLines));
    const picked = lines.slice(start, start + maxLines);
    let out = picked.join("\n");
    if (out.length > maxChars) out = out.slice(0, out.lastIndexOf("\n", maxChars) > 0 ? out.lastIndexOf("\n", maxChars) : maxChars);
    return out.trimEnd();
}
