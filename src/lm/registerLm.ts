/**
 * Language models capability: Hearth's model in VS Code's model picker and `vscode.lm` (VS Code 1.104 and later;
 * on older versions nothing is registered and every other feature works as before). The vendor and its
 * management command (Hearth: Select Model) are declared in package.json's `languageModelChatProviders`.
 */
import type { HearthServices } from "../services";
import { HearthChatProvider } from "./hearthChatProvider";
import { languageModelProviderApi } from "./lmApi";

export const LM_VENDOR = "hearth";

/** Registers the provider when the running VS Code has the API; returns it (undefined on older versions). */
export function registerLanguageModels(services: HearthServices): HearthChatProvider | undefined {
    const api = languageModelProviderApi();
    if (!api) {
        services.log.info("This VS Code has no language-model provider API (it needs 1.104 or later): Hearth is not offered in its model picker.");
        return undefined;
    }
    const provider = new HearthChatProvider(services, api);
    services.context.subscriptions.push(provider, api.registerProvider(LM_VENDOR, provider));
    return provider;
}
