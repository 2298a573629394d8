/**
 * What the configured server is and can do, asked once per `ready()`:
 *   GET  /v1/models     the models (and the check that this is an OpenAI-compatible server at all, and the key)
 *   GET  /props         llama-server only: its per-slot context and chat template capabilities
 *   POST /infill        llama-server: one-token probe; 200 means the model has FIM tokens
 *   POST /tokenize      llama-server ({content}) or vLLM ({model, prompt}): exact token counts
 *   GET  /api/version   Ollama; POST /api/show tells whether its model can "insert" (FIM through `suffix`)
 * Every probe but the model list is optional: a server that lacks one simply has less (an estimate instead of
 * counts, prefix-only completions).
 */
import { fimMarkers, fimTemplateFor, type FimTemplate } from "../core/server/fimTemplates";
import { EngineError } from "../protocol/engineProtocol";
import type { ServerApi } from "./serverApi";
import { serverMessage, type Localize } from "./serverMessages";

export type ServerKind = "llama-server" | "vllm" | "ollama" | "openai-compatible";

export interface ServerModelEntry {
    id: string;
    ownedBy?: string;
    /** Context the server reports for the model (vLLM max_model_len, llama-server meta.n_ctx). */
    contextSize?: number;
}

export type FimRoute =
    | { kind: "infill" }
    | { kind: "template"; template: FimTemplate }
    | { kind: "suffix" }
    | { kind: "none" };

export interface ServerFacts {
    kind: ServerKind;
    modelId: string;
    models: ServerModelEntry[];
    contextSize: number;
    /** Where the context size came from: the server, the user's setting, or Hearth's assumption. */
    contextSource: "server" | "setting" | "assumed";
    fim: FimRoute;
    tokenizer: "llama" | "vllm" | "none";
    toolCalling: boolean;
}

/** Context assumed for a server that does not report one (Ollama's default for OpenAI-API requests). */
export const ASSUMED_CONTEXT = 4096;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const positive = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined);

export async function listServerModels(api: ServerApi, localize: Localize, signal?: AbortSignal): Promise<ServerModelEntry[]> {
    const res = await api.json("GET", "/v1/models", { signal, retry: true });
    if (res.status === 401 || res.status === 403) throw api.errorForStatus(res.status, res.text);
    if (res.status === 404 || (res.status < 400 && !isObject(res.body))) {
        throw new EngineError("serverUnreachable", serverMessage(localize, "notOpenAi", api.address.display, res.status === 404 ? "404" : "no JSON"));
    }
    if (res.status >= 400) throw api.errorForStatus(res.status, res.text);
    const data = (res.body as Json).data;
    if (!Array.isArray(data)) throw new EngineError("serverUnreachable", serverMessage(localize, "notOpenAi", api.address.display, "no model list"));
    return data.filter(isObject).filter((m) => typeof m.id === "string" && m.id).map((m) => ({
        id: m.id as string,
        ownedBy: typeof m.owned_by === "string" ? m.owned_by : undefined,
        contextSize: positive(m.max_model_len) ?? (isObject(m.meta) ? positive(m.meta.n_ctx) : undefined),
    }));
}

export async function probeServer(
    api: ServerApi,
    options: { model: string; contextSize: number; localize: Localize; signal?: AbortSignal },
): Promise<ServerFacts> {
    const { signal, localize } = options;
    const models = await listServerModels(api, localize, signal);
    if (models.length === 0) throw new EngineError("serverModelNotFound", serverMessage(localize, "noModels", api.address.host));
    const entry = options.model ? models.find((m) => m.id === options.model) : models[0];
    if (!entry) throw new EngineError("serverModelNotFound", serverMessage(localize, "modelNotFound", api.address.host, options.model));

    const optional = async (method: "GET" | "POST", path: string, body?: unknown) => {
        try {
            return await api.json(method, path, { body, signal, retry: method === "GET" });
        } catch (err) {
            if (err instanceof EngineError && err.code === "cancelled") throw err;
            return undefined;
        }
    };

    let kind: ServerKind = entry.ownedBy === "llamacpp" ? "llama-server" : entry.ownedBy === "vllm" ? "vllm" : "openai-compatible";
    let serverContext = entry.contextSize;
    let toolCalling = false;
    const props = kind === "vllm" ? undefined : await optional("GET", "/props");
    if (props && props.status === 200 && isObject(props.body) && isObject(props.body.default_generation_settings)) {
        kind = "llama-server";
        serverContext = positive(props.body.default_generation_settings.n_ctx) ?? serverContext;
        const caps = props.body.chat_template_caps;
        toolCalling = isObject(caps) && caps.supports_tools === true;
    }
    if (kind === "openai-compatible") {
        const version = await optional("GET", "/api/version");
        if (version?.status === 200 && isObject(version.body) && typeof version.body.version === "string") kind = "ollama";
    }

    let tokenizer: ServerFacts["tokenizer"] = "none";
    let fim: FimRoute = { kind: "none" };
    if (kind === "llama-server") {
        tokenizer = "llama";
        // One token from an empty FIM prompt: 200 when the model has FIM tokens, 501 "not supported" otherwise.
        const infill = await optional("POST", "/infill", { input_prefix: "", input_suffix: "", n_predict: 1, cache_prompt: false });
        if (infill?.status === 200) fim = { kind: "infill" };
    } else {
        if (kind === "vllm") {
            const t = await optional("POST", "/tokenize", { model: entry.id, prompt: "a", add_special_tokens: false });
            if (t?.status === 200 && isObject(t.body) && typeof t.body.count === "number") tokenizer = "vllm";
        }
        if (kind === "ollama") {
            const show = await optional("POST", "/api/show", { model: entry.id });
            const caps = show?.status === 200 && isObject(show.body) && Array.isArray(show.body.capabilities) ? show.body.capabilities : [];
            if (caps.includes("insert")) fim = { kind: "suffix" };
            toolCalling = caps.includes("tools");
        } else {
            const template = fimTemplateFor(entry.id);
            if (template && (tokenizer === "none" || await singleTokens(api, entry.id, fimMarkers(template), signal))) fim = { kind: "template", template };
        }
    }

    const contextSize = options.contextSize > 0 ? options.contextSize : serverContext ?? ASSUMED_CONTEXT;
    return {
        kind,
        modelId: entry.id,
        models,
        contextSize,
        contextSource: options.contextSize > 0 ? "setting" : serverContext ? "server" : "assumed",
        fim,
        tokenizer,
        toolCalling,
    };
}

/** Each FIM marker is one token of the served model's vocabulary (vLLM's /tokenize). */
async function singleTokens(api: ServerApi, model: string, markers: string[], signal?: AbortSignal): Promise<boolean> {
    for (const marker of markers) {
        const r = await api.json("POST", "/tokenize", { body: { model, prompt: marker, add_special_tokens: false }, signal, retry: true }).catch(() => undefined);
        if (!(r?.status === 200 && isObject(r.body) && r.body.count === 1)) return false;
    }
    return true;
}
