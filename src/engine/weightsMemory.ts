/**
 * Where a model's weights live in the engine's memory when they run on the CPU: in the engine's own memory, on
 * transparent huge pages, instead of llama.cpp's default mapping of the file (4 KiB pages of the page cache).
 *
 * Why: generating a token reads every weight once. With the file mapped, that is one 4 KiB page per TLB entry
 * (128k pages for a 500 MiB model), and the page walks are cheap only while the page tables stay in the CPU's
 * caches. After a pause (the user stopped typing for a moment), they are not, and under a hypervisor each walk is
 * nested: the first token after the pause cost more than two tokens. Measured on the bench's 0.5B-shaped Qwen2
 * model (Q8_0, 1 thread, AMD EPYC VM, 2026-12-06), first token after 2.5 s idle, 1,400 tokens in the context:
 * 77–80 ms mapped against 38–40 ms on huge pages (steady tokens 31–32 ms either way); steady generation 1.006–1.14×
 * as fast on huge pages in five alternating rounds. node-llama-cpp reads the file into memory llama.cpp allocates
 * with malloc; glibc puts that on huge pages when the engine starts with `glibc.malloc.hugetlb=1`
 * (src/engineClient/engineAllocator.ts) and the kernel's THP mode is "always" or "madvise".
 *
 * What it costs: the weights are private memory the kernel cannot drop and read back under memory pressure (they
 * still count once in the engine's resident size, as the mapping did), and a load copies the file once. So it is done
 * only where it pays: Linux (glibc and THP), the CPU backend (GPU layers live in VRAM), THP not switched off.
 */
import * as fs from "node:fs";

/** The kernel's transparent huge page mode for anonymous memory, or undefined where there is none to read. */
export type ThpMode = "always" | "madvise" | "never";

const THP_ENABLED = "/sys/kernel/mm/transparent_hugepage/enabled";

/** Reads the bracketed choice from e.g. "always [madvise] never". */
export function parseThpMode(text: string): ThpMode | undefined {
    const chosen = /\[(\w+)\]/.exec(text)?.[1];
    return chosen === "always" || chosen === "madvise" || chosen === "never" ? chosen : undefined;
}

export function readThpMode(file = THP_ENABLED): ThpMode | undefined {
    try {
        return parseThpMode(fs.readFileSync(file, "utf8"));
    } catch {
        return undefined; // not Linux, or a kernel without THP
    }
}

/**
 * node-llama-cpp's `useMmap` for a model about to load: false (read the weights into huge pages) where that pays,
 * undefined (node-llama-cpp's default: map the file) everywhere else.
 */
export function useMmapFor(where: { platform: NodeJS.Platform; cpuBackend: boolean; thp: ThpMode | undefined }): false | undefined {
    if (where.platform !== "linux" || !where.cpuBackend) return undefined;
    return where.thp === "always" || where.thp === "madvise" ? false : undefined;
}
