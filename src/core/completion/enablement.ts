/**
 * Whether inline suggestions are on for a document: the snooze wins, then the per-language override
 * (`hearth.completions.languages`, e.g. { "markdown": false }), then `hearth.completions.enabled`.
 * A "*" entry in the overrides applies to languages not listed.
 */

export const SNOOZE_MS = 30 * 60 * 1000;

export interface EnablementInput {
    enabled: boolean;
    languages: Readonly<Record<string, boolean>>;
    languageId: string;
    /** Epoch ms until which suggestions are snoozed; 0 or past = not snoozed. */
    snoozedUntil: number;
    now: number;
}

export type Enablement = "on" | "off" | "offForLanguage" | "snoozed";

export function completionEnablement(input: EnablementInput): Enablement {
    if (input.snoozedUntil > input.now) return "snoozed";
    const override = input.languages[input.languageId] ?? input.languages["*"];
    if (override === false) return "offForLanguage";
    if (override === true) return "on";
    return input.enabled ? "on" : "off";
}

/** Whole minutes left of a snooze, rounded up (for the status bar). */
export function snoozeMinutesLeft(snoozedUntil: number, now: number): number {
    return Math.max(0, Math.ceil((snoozedUntil - now) / 60_000));
}

/** Offsets of a selection in the document; `start === end` is a bare cursor. */
export interface OffsetRange {
    start: number;
    end: number;
}

/**
 * Never suggest inside a selection: typing would replace the selected text, so ghost text there is wrong.
 * Both ends count as inside (the cursor of a selection sits at one of its ends).
 */
export function insideSelection(selections: readonly OffsetRange[], offset: number): boolean {
    return selections.some((s) => s.start !== s.end && Math.min(s.start, s.end) <= offset && offset <= Math.max(s.start, s.end));
}
