/**
 * Where this run computes: the engine's own report of the generated model's load with the bench's load parameters
 * (backend, layers on the GPU) and node-llama-cpp's names for the GPU devices, recorded with every result.
 */
import { getDirectLlama, loadParams, newEngine, type BenchOptions, type ComputeInfo } from "./lib";

export async function probeCompute(modelPath: string, options: BenchOptions): Promise<ComputeInfo> {
    const engine = newEngine();
    try {
        const r = await engine.request("loadModel", loadParams(modelPath, options));
        const llama = await getDirectLlama(options.gpu);
        const devices = llama.gpu === false ? [] : await llama.getGpuDeviceNames();
        return { backend: r.backend, gpuLayers: r.gpuLayers, totalLayers: r.totalLayers, devices };
    } finally {
        engine.dispose();
    }
}
