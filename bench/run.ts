export async function runBench(): Promise<void> { throw new Error("todo"); }
