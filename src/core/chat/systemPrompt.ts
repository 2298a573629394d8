/**
 * The chat's system prompt. Small local models follow "answer in the user's language" far better when the
 * language is named, so the prompt names the one the user is writing in (Chinese or English) for each request.
 */

export type PromptLanguage = "zh" | "en";

/** Chinese when the text has more CJK ideographs than Latin words; English otherwise. */
export function detectLanguage(text: string): PromptLanguage {
    const han = text.match(/[\u3400-\u9fff]/g)?.length ?? 0;
    const words = text.match(/[A-Za-z]{2,}/g)?.length ?? 0;
    return han > 0 && han >= words ? "zh" : "en";
}

export function buildSystemPrompt(userInstructions: string, prompt: string): string {
    const language = detectLanguage(prompt) === "zh"
        ? "The user writes in Chinese: answer in Simplified Chinese (简体中文)."
        : "The user writes in English: answer in English.";
    const base = [
        "You are Hearth, a helpful assistant running privately on the user's machine inside their code editor.",
        "Answer in the language the user writes in.",
        language,
        "Use Markdown. Put code in fenced code blocks with the language name.",
        "When files or selections are attached, base your answer on them.",
    ].join(" ");
    const extra = userInstructions.trim();
    return extra ? `${base}\n\n${extra}` : base;
}

/**
 * True when the prompt asks about "this file" / "这个文件" without attaching anything: the chat then attaches the
 * active editor's file automatically, so "what does this file do" works without pasting.
 */
export function mentionsCurrentFile(prompt: string): boolean {
    return /\b(this|the current|current|the open|my) (file|code|document|module|class|script)\b/i.test(prompt)
        || /(这个|这份|此|当前|本)(文件|代码|文档|脚本|模块)/.test(prompt);
}
