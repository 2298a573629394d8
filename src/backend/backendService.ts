/**
 * The LlmBackend features are given (services.backend): forwards to the backend the user chose (`hearth.backend`:
 * the embedded engine, or an OpenAI-compatible server) and adds what is the same for every backend — which
 * generations the user is waiting for (chat, polish, explain: the status bar says "generating" and Stop Generation
 * stops them), and one state stream for the status bar and the chat panel.
 *
 * Inline completions are not foreground generations: they are cancelled by the next keystroke and must not make the
 * status bar flicker while the user types.
 *
 * Free of `vscode` (unit-tested with fake backends); the host passes `choose` (reads the setting) and calls
 * `backendChanged()` when the setting changes.
 */
import type {
    BackendKind,
    BackendModel,
    BackendState,
    LlmBackend,
    ModelListing,
    StreamOptions,
    Subscription,
    TokenCounts,
} from "./llmBackend";
import type { ChatParams, CompleteParams, GenerationResult, InfillParams } from "../protocol/generation";

export class BackendService implements LlmBackend {
    private activeBackend: LlmBackend;
    private activeSubscription: Subscription;
    private readonly foreground = new Set<AbortController>();
    /** Background generations: not "generating", but stopped when the backend changes under them. */
    private readonly background = new Set<AbortController>();
    private readonly listeners = new Set<(state: BackendState) => void>();

    constructor(
        private readonly backends: Partial<Record<BackendKind, LlmBackend>> & { embedded: LlmBackend },
        private readonly choose: () => BackendKind,
    ) {
        this.activeBackend = this.pick();
        this.activeSubscription = this.activeBackend.onDidChangeState(() => this.fire());
    }

    /** The implementation answering now. */
    get active(): LlmBackend {
        return this.activeBackend;
    }

    get kind(): BackendKind {
        return this.activeBackend.kind;
    }

    get model(): BackendModel | undefined {
        return this.activeBackend.model;
    }

    get state(): BackendState {
        const s = this.activeBackend.state;
        if (this.foreground.size > 0 && s.kind === "ready") return { kind: "generating", model: s.model };
        return s;
    }

    /** True while a generation the user waits for (chat, polish, explain) is running. */
    get generating(): boolean {
        return this.foreground.size > 0;
    }

    onDidChangeState(listener: (state: BackendState) => void): Subscription {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
    }

    /** The `hearth.backend` setting changed: stop what runs on the old backend and switch. */
    backendChanged(): void {
        const next = this.pick();
        if (next === this.activeBackend) return;
        this.stopAll();
        for (const c of this.background) c.abort();
        this.activeSubscription.dispose();
        this.activeBackend = next;
        this.activeSubscription = next.onDidChangeState(() => this.fire());
        this.fire();
    }

    ready(signal?: AbortSignal): Promise<BackendModel> {
        return this.activeBackend.ready(signal);
    }

    chat(params: ChatParams, options: StreamOptions = {}): Promise<GenerationResult> {
        if (options.background) return this.inBackground(options, (o) => this.activeBackend.chat(params, o));
        return this.inForeground(options, (o) => this.activeBackend.chat(params, o));
    }

    complete(params: CompleteParams, options: StreamOptions = {}): Promise<GenerationResult> {
        // A raw prompt on the chat sequence is something the user waits for; on the completion sequence it is ghost text.
        if (params.sequence === "chat") return this.inForeground(options, (o) => this.activeBackend.complete(params, o));
        return this.activeBackend.complete(params, options);
    }

    infill(params: InfillParams, options?: StreamOptions): Promise<GenerationResult> {
        return this.activeBackend.infill(params, options);
    }

    countTokens(texts: readonly string[], signal?: AbortSignal): Promise<TokenCounts> {
        return this.activeBackend.countTokens(texts, signal);
    }

    listModels(signal?: AbortSignal): Promise<ModelListing[]> {
        return this.activeBackend.listModels(signal);
    }

    /** Stops every foreground generation in flight (status bar menu, Stop Generation). */
    stopAll(): void {
        for (const c of this.foreground) c.abort();
    }

    dispose(): void {
        this.stopAll();
        for (const c of this.background) c.abort();
        this.activeSubscription.dispose();
        this.listeners.clear();
    }

    private inForeground(options: StreamOptions, run: (options: StreamOptions) => Promise<GenerationResult>): Promise<GenerationResult> {
        return this.tracked(this.foreground, options, run, true);
    }

    private inBackground(options: StreamOptions, run: (options: StreamOptions) => Promise<GenerationResult>): Promise<GenerationResult> {
        return this.tracked(this.background, options, run, false);
    }

    /** Runs one generation with its own controller in `set` (so it can be stopped), following the caller's signal. */
    private async tracked(
        set: Set<AbortController>,
        options: StreamOptions,
        run: (options: StreamOptions) => Promise<GenerationResult>,
        announce: boolean,
    ): Promise<GenerationResult> {
        const controller = new AbortController();
        const onAbort = () => controller.abort();
        options.signal?.addEventListener("abort", onAbort, { once: true });
        if (options.signal?.aborted) controller.abort();
        set.add(controller);
        if (announce) this.fire();
        try {
            return await run({ ...options, signal: controller.signal });
        } finally {
            options.signal?.removeEventListener("abort", onAbort);
            set.delete(controller);
            if (announce) this.fire();
        }
    }

    private pick(): LlmBackend {
        return this.backends[this.choose()] ?? this.backends.embedded;
    }

    private fire(): void {
        const state = this.state;
        for (const l of [...this.listeners]) l(state);
    }
}
