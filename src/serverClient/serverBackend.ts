/**
 * The OpenAI-compatible server backend: llama-server, vLLM, Ollama, LM Studio behind the LlmBackend interface.
 * `ready()` reads the configuration, probes the server once (serverProbe.ts) and answers from memory afterwards;
 * a changed URL, model or key (a new configuration key), or a failure that means the server is gone, probes again.
 *
 *   chat      POST /v1/chat/completions (streamed)
 *   complete  POST /v1/completions (streamed)
 *   infill    llama-server /infill with input_extra and cache_prompt; vLLM & co. /v1/completions in the model
 *             family's FIM tokens; Ollama /v1/completions with `suffix`. Without FIM: prefix-only completion.
 *   count     llama-server/vLLM /tokenize; otherwise an estimate (estimated: true) that learns the model's real
 *             characters per token from the usage figures of earlier answers.
 *
 * Free of `vscode`: the server integration tests and the bad-server tests drive this very class.
 */
import { estimateTokens } from "../core/chat/budget";
import { errorText } from "../core/errorText";
import { formatFimPrompt } from "../core/server/fimTemplates";
import { parseServerUrl } from "../core/server/serverUrl";
import type { BackendModel, BackendState, LlmBackend, ModelListing, StreamOptions, Subscription, TokenCounts } from "../backend/llmBackend";
import { EngineError } from "../protocol/engineProtocol";
import type { ChatParams, CompleteParams, GenerationResult, InfillParams, SamplingOptions } from "../protocol/generation";
import { DEFAULT_TIMEOUTS, ServerApi, type ServerTimeouts } from "./serverApi";
import { englishOnly, serverMessage, type Localize } from "./serverMessages";
import { listServerModels, probeServer, type ServerFacts, type ServerKind } from "./serverProbe";

export interface ServerConfig {
    url: string;
    /** The server's model id; empty = the first (often only) model the server lists. */
    model: string;
    apiKey?: string;
    /** Tokens per request; 0 = what the server reports. */
    contextSize: number;
}

export interface ServerBackendOptions {
    /** Read at every `ready()` (the key comes from SecretStorage, hence async). */
    config(): ServerConfig | Promise<ServerConfig>;
    /** Read when a connection is made (a settings change invalidates it). */
    timeouts?: Partial<ServerTimeouts> | (() => Partial<ServerTimeouts>);
    localize?: Localize;
    /** Never receives the API key or the user's text. */
    log?(level: "info" | "warn" | "error", message: string): void;
    /** false: never use the server's tokenizer (tests of the estimate path). */
    useTokenizer?: boolean;
}

/** Parallel /tokenize requests per countTokens call (one text each). */
const TOKENIZE_PARALLEL = 4;

export class ServerBackend implements LlmBackend {
    readonly kind = "openai-compatible";
    private connected: { key: string; api: ServerApi; facts: ServerFacts; model: BackendModel } | undefined;
    private connecting: { key: string; promise: Promise<BackendModel> } | undefined;
    private stateValue: BackendState = { kind: "idle" };
    private readonly listeners = new Set<(state: BackendState) => void>();
    private readonly localize: Localize;
    /** Smallest characters-per-token seen in real usage figures: estimates divide by it (0 = none seen yet). */
    private learnedCharsPerToken = 0;

    constructor(private readonly options: ServerBackendOptions) {
        this.localize = options.localize ?? englishOnly;
    }

    get state(): BackendState {
        return this.stateValue;
    }

    get model(): BackendModel | undefined {
        return this.connected?.model;
    }

    /** What the probe found (server kind, FIM route, tokenizer); undefined before `ready()`. */
    get facts(): ServerFacts | undefined {
        return this.connected?.facts;
    }

    onDidChangeState(listener: (state: BackendState) => void): Subscription {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
    }

    async ready(signal?: AbortSignal): Promise<BackendModel> {
        const config = await this.options.config();
        const key = JSON.stringify([config.url, config.model, config.apiKey ?? "", config.contextSize]);
        if (this.connected?.key === key) return this.connected.model;
        if (this.connecting?.key !== key) {
            const promise = this.connect(config, key, signal).finally(() => {
                if (this.connecting?.promise === promise) this.connecting = undefined;
            });
            this.connecting = { key, promise };
        }
        return this.connecting.promise;
    }

    /** Forgets the connection (settings or key changed): the next request probes again; nothing connects eagerly. */
    invalidate(): void {
        this.connected?.api.dispose();
        this.connected = undefined;
        this.connecting = undefined;
        this.setState({ kind: "idle" });
    }

    /** The server's models (GET /v1/models), for Select Model and other extensions; connects without probing. */
    async listModels(signal?: AbortSignal): Promise<ModelListing[]> {
        const config = await this.options.config();
        const api = this.apiFor(config);
        try {
            const models = await listServerModels(api, this.localize, signal);
            return models.map((m) => ({ id: m.id, name: m.id, contextSize: m.contextSize, detail: m.ownedBy }));
        } finally {
            api.dispose();
        }
    }

    async chat(params: ChatParams, options: StreamOptions = {}): Promise<GenerationResult> {
        const { api, facts, model } = await this.session(options.signal);
        const chars = params.messages.reduce((n, m) => n + m.text.length, 0);
        return this.generate(api, {
            path: "/v1/chat/completions",
            shape: "chat",
            body: {
                model: facts.modelId,
                messages: params.messages.map((m) => ({ role: m.role, content: m.text })),
                max_tokens: params.maxTokens,
                ...samplingFields(facts.kind, params.sampling),
                ...(params.stop?.length ? { stop: params.stop } : {}),
                stream: true,
                stream_options: { include_usage: true },
                ...(facts.kind === "llama-server" ? { cache_prompt: true } : {}),
            },
            contextSize: model.contextSize,
            promptEstimate: this.estimate(params.messages.map((m) => m.text).join("\n")),
            signal: options.signal,
            onText: options.onText,
        }, chars);
    }

    async complete(params: CompleteParams, options: StreamOptions = {}): Promise<GenerationResult> {
        const { api, facts, model } = await this.session(options.signal);
        return this.generate(api, {
            path: "/v1/completions",
            shape: "completion",
            body: {
                model: facts.modelId,
                prompt: params.prompt,
                max_tokens: params.maxTokens,
                ...samplingFields(facts.kind, params.sampling),
                ...(params.stop?.length ? { stop: params.stop } : {}),
                stream: true,
                stream_options: { include_usage: true },
                ...(facts.kind === "llama-server" ? { cache_prompt: params.reuseCache !== false } : {}),
            },
            contextSize: model.contextSize,
            promptEstimate: this.estimate(params.prompt),
            signal: options.signal,
            onText: options.onText,
            timeBudgetMs: params.timeBudgetMs,
        }, params.prompt.length);
    }

    async infill(params: InfillParams, options: StreamOptions = {}): Promise<GenerationResult> {
        const { api, facts, model } = await this.session(options.signal);
        const common = { contextSize: model.contextSize, signal: options.signal, onText: options.onText, timeBudgetMs: params.timeBudgetMs };
        const prefix = params.prefix + params.currentLinePrefix;
        const chars = params.extraContext.length + prefix.length + params.suffix.length;
        const promptEstimate = this.estimate(params.extraContext + prefix + params.suffix);
        const route = facts.fim;
        if (route.kind === "infill") {
            return this.generate(api, {
                ...common,
                path: "/infill",
                shape: "infill",
                promptEstimate,
                body: {
                    input_prefix: params.prefix,
                    input_suffix: params.suffix,
                    // The snippets of other files Hearth collected: llama-server places them ahead of the FIM prefix
                    // (with <|file_sep|> where the model has it) and trims them to its context.
                    input_extra: params.extraContext ? [{ filename: "context", text: params.extraContext }] : [],
                    prompt: params.currentLinePrefix,
                    n_predict: params.maxTokens,
                    ...samplingFields(facts.kind, params.sampling),
                    ...(params.stop?.length ? { stop: params.stop } : {}),
                    stream: true,
                    cache_prompt: params.reuseCache !== false,
                },
            }, chars);
        }
        if (route.kind === "none") {
            // No FIM on this server: continue the text before the cursor (callers normally check capabilities.fim).
            return this.complete({ sequence: "completion", prompt: params.extraContext + prefix, maxTokens: params.maxTokens, sampling: params.sampling, stop: params.stop, timeBudgetMs: params.timeBudgetMs, reuseCache: params.reuseCache }, options);
        }
        const prompt = route.kind === "template" ? formatFimPrompt(route.template, { extraContext: params.extraContext, prefix, suffix: params.suffix }) : params.extraContext + prefix;
        const stop = [...(params.stop ?? []), ...(route.kind === "template" ? route.template.stop : [])];
        return this.generate(api, {
            ...common,
            path: "/v1/completions",
            shape: "completion",
            promptEstimate,
            body: {
                model: facts.modelId,
                prompt,
                ...(route.kind === "suffix" ? { suffix: params.suffix } : {}),
                max_tokens: params.maxTokens,
                ...samplingFields(facts.kind, params.sampling),
                ...(stop.length ? { stop } : {}),
                stream: true,
                stream_options: { include_usage: true },
            },
        }, chars);
    }

    async countTokens(texts: readonly string[], signal?: AbortSignal): Promise<TokenCounts> {
        const c = this.connected;
        if (c && c.facts.tokenizer !== "none" && this.options.useTokenizer !== false && texts.length > 0) {
            try {
                const counts = new Array<number>(texts.length);
                let next = 0;
                const worker = async () => {
                    for (let i = next++; i < texts.length; i = next++) counts[i] = await this.tokenize(c.api, c.facts, texts[i]!, signal);
                };
                await Promise.all(Array.from({ length: Math.min(TOKENIZE_PARALLEL, texts.length) }, worker));
                return { counts, estimated: false };
            } catch (err) {
                if (err instanceof EngineError && err.code === "cancelled") throw err;
                this.options.log?.("warn", `Server tokenize failed, using an estimate: ${errorText(err)}`);
            }
        }
        return { counts: texts.map((t) => this.estimate(t)), estimated: true };
    }

    dispose(): void {
        this.connected?.api.dispose();
        this.listeners.clear();
    }

    private async tokenize(api: ServerApi, facts: ServerFacts, text: string, signal?: AbortSignal): Promise<number> {
        if (!text) return 0;
        const body = facts.tokenizer === "llama"
            ? { content: text, add_special: false, parse_special: false }
            : { model: facts.modelId, prompt: text, add_special_tokens: false };
        const res = await api.json("POST", "/tokenize", { body, signal, retry: true });
        if (res.status !== 200) throw api.errorForStatus(res.status, res.text);
        const b = res.body as { tokens?: unknown; count?: unknown } | undefined;
        if (typeof b?.count === "number") return b.count;
        if (Array.isArray(b?.tokens)) return b.tokens.length;
        throw new Error("tokenize answered without tokens");
    }

    /** A token estimate that is never below what the model's real usage figures have shown. */
    private estimate(text: string): number {
        const generic = estimateTokens(text);
        return this.learnedCharsPerToken > 0 ? Math.max(generic, Math.ceil(text.length / this.learnedCharsPerToken)) : generic;
    }

    private async session(signal?: AbortSignal) {
        await this.ready(signal);
        const c = this.connected;
        if (!c) throw new EngineError("cancelled", "Cancelled.");
        return c;
    }

    private async generate(api: ServerApi, request: Parameters<ServerApi["stream"]>[0], promptChars: number): Promise<GenerationResult> {
        try {
            const result = await api.stream(request);
            if (result.stopReason !== "cancelled" && result.promptTokens > 0 && promptChars > 0) {
                const ratio = Math.max(0.5, promptChars / result.promptTokens);
                this.learnedCharsPerToken = this.learnedCharsPerToken > 0 ? Math.min(this.learnedCharsPerToken, ratio) : ratio;
            }
            return result;
        } catch (err) {
            // A server that went away (or a key that stopped working) is probed afresh on the next request.
            if (err instanceof EngineError && (err.code === "serverUnreachable" || err.code === "serverUnauthorized" || err.code === "serverModelNotFound")) {
                this.forget(err.message);
            }
            throw err;
        }
    }

    private forget(message: string): void {
        this.connected?.api.dispose();
        this.connected = undefined;
        this.setState({ kind: "error", message, stopped: false });
    }

    private apiFor(config: ServerConfig): ServerApi {
        const parsed = parseServerUrl(config.url);
        if (!parsed.ok) {
            const message = parsed.reason === "empty" ? serverMessage(this.localize, "noUrl")
                : parsed.reason === "credentials" ? serverMessage(this.localize, "credentialsInUrl")
                    : serverMessage(this.localize, "badUrl", config.url);
            throw new EngineError("serverUnreachable", message);
        }
        const t = this.options.timeouts;
        return new ServerApi(parsed.address, config.apiKey || undefined, { ...DEFAULT_TIMEOUTS, ...(typeof t === "function" ? t() : t) }, this.localize);
    }

    private async connect(config: ServerConfig, key: string, signal?: AbortSignal): Promise<BackendModel> {
        this.connected?.api.dispose();
        this.connected = undefined;
        this.setState({ kind: "starting" });
        let api: ServerApi | undefined;
        try {
            api = this.apiFor(config);
            const started = performance.now();
            const facts = await probeServer(api, { model: config.model, contextSize: config.contextSize, localize: this.localize, signal });
            const model = describeServerModel(api, facts);
            if (this.connecting?.key !== key) {
                // The settings changed while probing: this answer is for a configuration no longer wanted.
                api.dispose();
                return model;
            }
            this.connected = { key, api, facts, model };
            this.setState({ kind: "ready", model });
            this.options.log?.("info", `Server ${api.address.display}: ${facts.kind}, model ${facts.modelId}, context ${facts.contextSize} (${facts.contextSource}), `
                + `FIM ${facts.fim.kind}, tokenizer ${facts.tokenizer}; probed in ${(performance.now() - started).toFixed(0)} ms`);
            return model;
        } catch (err) {
            api?.dispose();
            if (err instanceof EngineError && err.code === "cancelled") this.setState({ kind: "idle" });
            else this.setState({ kind: "error", message: errorText(err), stopped: false, code: err instanceof EngineError ? err.code : undefined });
            throw err;
        }
    }

    private setState(state: BackendState): void {
        this.stateValue = state;
        for (const l of [...this.listeners]) l(state);
    }
}

export function describeServerModel(api: ServerApi, facts: ServerFacts): BackendModel {
    return {
        id: facts.modelId,
        name: facts.modelId.split(/[\\/]/).pop() || facts.modelId,
        contextSize: facts.contextSize,
        capabilities: { fim: facts.fim.kind !== "none", toolCalling: facts.toolCalling, exactTokenCount: facts.tokenizer !== "none" },
        location: { kind: "server", url: api.address.display, host: api.address.host },
    };
}

/** Sampling in each server's dialect: strict OpenAI-style servers get only the standard fields. */
export function samplingFields(kind: ServerKind, s: SamplingOptions | undefined): Record<string, number> {
    if (!s) return {};
    const out: Record<string, number> = {};
    if (s.temperature !== undefined) out.temperature = s.temperature;
    if (s.topP !== undefined) out.top_p = s.topP;
    if (s.seed !== undefined) out.seed = s.seed;
    if (kind === "llama-server" || kind === "vllm") {
        if (s.topK !== undefined) out.top_k = s.topK;
        if (s.minP !== undefined) out.min_p = s.minP;
        if (s.repeatPenalty !== undefined) out[kind === "vllm" ? "repetition_penalty" : "repeat_penalty"] = s.repeatPenalty;
    }
    return out;
}
