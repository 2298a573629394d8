/**
 * Up / Down in the prompt box recall earlier prompts, newest first, as in a terminal: one press per prompt. A
 * recalled prompt that was not edited is replaced by the next one wherever the caret is (setting the text puts the
 * caret at its end, which made every earlier prompt take two presses); once edited, Up and Down recall only from the
 * first / last position, so the keys still move the caret inside a multi-line prompt.
 */
export interface Recall {
    /** Index into the prompts (newest first) now shown; -1 when the box holds the user's own text. */
    index: number;
    value: string;
}

export interface PromptBox {
    value: string;
    caretAtStart: boolean;
    caretAtEnd: boolean;
}

/** The recall an Up or Down press leads to, or undefined when the key should move the caret as usual. */
export function recallPrompt(key: "up" | "down", box: PromptBox, index: number, prompts: readonly string[]): Recall | undefined {
    const unedited = index >= 0 && box.value === prompts[index];
    if (key === "up") {
        if (!(box.value === "" || unedited || (index >= 0 && box.caretAtStart))) return undefined;
        return index + 1 < prompts.length ? { index: index + 1, value: prompts[index + 1]! } : undefined;
    }
    if (index < 0 || !(unedited || box.caretAtEnd)) return undefined;
    return { index: index - 1, value: index - 1 >= 0 ? prompts[index - 1]! : "" };
}
