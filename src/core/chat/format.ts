/** Small display helpers shared by the chat webview and its tests. */
import type { AnswerStats } from "../../protocol/conversation";

/** 950 → "950", 1900 → "1.9k", 8192 → "8.2k", 32768 → "33k". */
export function compactCount(n: number): string {
    if (n < 1000) return String(Math.round(n));
    const k = n / 1000;
    return k < 10 ? `${k.toFixed(1).replace(/\.0$/, "")}k` : `${Math.round(k)}k`;
}

/** The footer under an answer: "42 tok/s · 1.9k/8.2k". */
export function formatStats(stats: AnswerStats, tokPerSecTemplate = "{0} tok/s"): string {
    const speed = tokPerSecTemplate.replace("{0}", String(Math.round(stats.tokensPerSecond)));
    return `${speed} · ${compactCount(stats.contextUsed)}/${compactCount(stats.contextSize)}`;
}

/** Fills "{0}", "{1}"... in a localised template. */
export function fill(template: string, ...values: (string | number)[]): string {
    return template.replace(/\{(\d+)\}/g, (m, i: string) => (values[Number(i)] !== undefined ? String(values[Number(i)]) : m));
}
