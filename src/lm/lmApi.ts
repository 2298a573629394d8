/**
 * VS Code's language-model chat provider API, stable since VS Code 1.104 (`vscode.lm.registerLanguageModelChatProvider`
 * with the `languageModelChatProviders` contribution). Hearth keeps supporting VS Code 1.90 (engines.vscode), whose
 * @types/vscode has none of it, so this file describes the part of the stable API that Hearth uses, and
 * `languageModelProviderApi()` hands it out only when the running VS Code has it. Older versions get every other
 * feature; VS Code's model picker and `vscode.lm` simply do not list Hearth there.
 *
 * When engines.vscode is raised to 1.104 or later, replace these declarations with @types/vscode's own.
 */
import * as vscode from "vscode";

/** LanguageModelChatInformation. */
export interface LmChatInformation {
    readonly id: string;
    readonly name: string;
    readonly family: string;
    readonly version: string;
    readonly tooltip?: string;
    readonly detail?: string;
    readonly maxInputTokens: number;
    readonly maxOutputTokens: number;
    readonly capabilities: { readonly imageInput?: boolean; readonly toolCalling?: boolean | number };
}

/** LanguageModelChatRequestMessage: content parts are recognised by shape (src/core/lm/requestMessages.ts). */
export interface LmRequestMessage {
    readonly role: number;
    readonly content: ReadonlyArray<unknown>;
    readonly name: string | undefined;
}

/** LanguageModelChatTool. */
export interface LmChatTool {
    readonly name: string;
    readonly description: string;
    readonly inputSchema?: object | undefined;
}

/** LanguageModelChatToolMode.Required (Auto is 1). */
export const LM_TOOL_MODE_REQUIRED = 2;

/** ProvideLanguageModelChatResponseOptions. */
export interface LmResponseOptions {
    readonly modelOptions?: { readonly [name: string]: unknown };
    readonly tools?: readonly LmChatTool[];
    readonly toolMode: number;
}

/** LanguageModelChatProvider. */
export interface LmChatProvider<T extends LmChatInformation = LmChatInformation> {
    readonly onDidChangeLanguageModelChatInformation?: vscode.Event<void>;
    provideLanguageModelChatInformation(options: { readonly silent: boolean }, token: vscode.CancellationToken): vscode.ProviderResult<T[]>;
    provideLanguageModelChatResponse(
        model: T,
        messages: readonly LmRequestMessage[],
        options: LmResponseOptions,
        progress: vscode.Progress<LmResponsePart>,
        token: vscode.CancellationToken,
    ): Thenable<void>;
    provideTokenCount(model: T, text: string | LmRequestMessage, token: vscode.CancellationToken): Thenable<number>;
}

declare const responsePartBrand: unique symbol;
/** A LanguageModelTextPart or LanguageModelToolCallPart, made by `LmProviderApi` (opaque to Hearth). */
export type LmResponsePart = { readonly [responsePartBrand]: true };

export interface LmProviderApi {
    registerProvider(vendor: string, provider: LmChatProvider): vscode.Disposable;
    textPart(value: string): LmResponsePart;
    toolCallPart(callId: string, name: string, input: object): LmResponsePart;
}

type PartConstructor = new (...args: never[]) => object;

/** The provider API of the running VS Code, or undefined before 1.104. */
export function languageModelProviderApi(): LmProviderApi | undefined {
    const lm = vscode.lm as unknown as { registerLanguageModelChatProvider?: (vendor: string, provider: LmChatProvider) => vscode.Disposable };
    const classes = vscode as unknown as { LanguageModelTextPart?: PartConstructor; LanguageModelToolCallPart?: PartConstructor };
    const register = lm?.registerLanguageModelChatProvider;
    const TextPart = classes.LanguageModelTextPart as (new (value: string) => LmResponsePart) | undefined;
    const ToolCallPart = classes.LanguageModelToolCallPart as (new (callId: string, name: string, input: object) => LmResponsePart) | undefined;
    if (typeof register !== "function" || typeof TextPart !== "function" || typeof ToolCallPart !== "function") return undefined;
    return {
        registerProvider: (vendor, provider) => register.call(lm, vendor, provider),
        textPart: (value) => new TextPart(value),
        toolCallPart: (callId, name, input) => new ToolCallPart(callId, name, input),
    };
}
