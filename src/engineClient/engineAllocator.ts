/**
 * Memory settings for the engine process: glibc's allocator (environment) and V8's young generation (flags).
 *
 * glibc malloc settings for the engine process (Linux only; other C libraries ignore these variables).
 *
 * Why: node-llama-cpp checks that a model and its context fit by loading the model a second and third time
 * without weights ("simulated" models, GgufInsightsSimulatorSession), on libuv worker threads. Each copy builds the
 * full tokenizer, which for a 152k-token vocabulary (Qwen2, Llama 3) is tens of MB of small allocations. glibc
 * gives every thread its own arena and keeps freed small chunks, so the copies stay in the engine's RSS after
 * they are disposed. Measured (test/engine/engineAllocator.test.ts, 1-layer model with Qwen2's 152k vocabulary):
 * private memory after load 156 MiB with these settings against 217–241 MiB with glibc's defaults, peak RSS 266
 * against 332 MiB. Generation speed is unchanged: on the bench's 100M-parameter Qwen2-shaped model at 1 thread,
 * 1.0–1.2 ms per token is spent outside llama_decode with or without them.
 *
 * - MALLOC_ARENA_MAX=1: one arena, so memory freed by the worker threads is reused by the next load.
 * - MALLOC_TRIM_THRESHOLD_ / MALLOC_MMAP_THRESHOLD_ 64 KiB: larger blocks come from mmap and go back to the OS on
 *   free, and free memory at the top of the heap is returned sooner.
 * - GLIBC_TUNABLES=glibc.malloc.hugetlb=1: glibc asks for transparent huge pages (madvise) on what it maps, so a
 *   model's weights read into memory on the CPU backend sit on 2 MiB pages (src/engine/weightsMemory.ts says why
 *   and what it measured). Blocks smaller than a huge page are left alone.
 *
 * A value the user set in their own environment wins (someone tuning their allocator knows why).
 */
export const ENGINE_ALLOCATOR_ENV: Readonly<Record<string, string>> = {
    MALLOC_ARENA_MAX: "1",
    MALLOC_TRIM_THRESHOLD_: "65536",
    MALLOC_MMAP_THRESHOLD_: "65536",
    GLIBC_TUNABLES: "glibc.malloc.hugetlb=1",
};

/** The environment the engine process starts with: the allocator settings under `base` (which wins). */
export function engineEnvironment(base: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
    return platform === "linux" ? { ...ENGINE_ALLOCATOR_ENV, ...base } : { ...base };
}

/**
 * V8 flags the engine process starts with.
 *
 * --max-semi-space-size=1 (MiB): V8 grows its young generation (two semi-spaces) up to 16 MiB each under heavy
 * allocation and keeps it resident. Loading a GGUF makes exactly that allocation: node-llama-cpp reads the whole
 * vocabulary and merge list into JavaScript strings (300k of them for Qwen2), so the engine carried ~30 MiB of empty
 * young generation for as long as it ran. Measured on the bench's 0.5B-shaped Qwen2 model after load and two chat
 * answers: private memory 231 MiB with the flag against 261 MiB without, peak RSS 784 against 813 MiB. The engine's
 * live JavaScript data is small (requests, token arrays), so a 1 MiB semi-space costs only more frequent, shorter
 * scavenges (test/engine/engineAllocator.test.ts; generation speed: bench/results.json).
 */
export const ENGINE_EXEC_ARGV: readonly string[] = ["--max-semi-space-size=1"];
