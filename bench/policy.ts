/* npm run bench:policy [-- --resources 1000,10000 --runs 3 --concurrency 64]: policy analysis throughput. */
import { PolicySession, type AnalyzerResourceInput } from "../tools/analyzer";
import { parseFlags, runCli } from "../tools/cli";
import { median } from "./stats";
import { UsageError } from "../tools/errors";
import { loadProjectStack, PROJECT_ROOT, runProgram, type ResourceRecord } from "../tools/engine";

const USAGE =
  "usage: npm run bench:policy -- [--resources 1000,10000] [--runs 3] [--concurrency 64] [--stack prod]";

/**
 * Synthetic stacks of any size built from the real prod recording: copy k of every resource gets
 * the suffix `-k` on its name and URN, and its dependencies point at the same copy, so every
 * covered type (Azure, Kubernetes, GitHub) and every stack-level relation is there at each size.
 */
function syntheticResources(template: ResourceRecord[], count: number): AnalyzerResourceInput[] {
  const resources: AnalyzerResourceInput[] = [];
  for (let copy = 0; resources.length < count; copy++) {
    const rename = (urn: string) => (urn ? `${urn}-${copy}` : urn);
    for (const resource of template) {
      if (resources.length === count) break;
      resources.push({
        urn: rename(resource.urn),
        type: resource.type,
        name: `${resource.name}-${copy}`,
        // Its own inputs object, as every real resource has: nothing is cached across copies.
        inputs: { ...resource.inputs },
        parent: rename(resource.parent),
        dependencies: resource.dependencies.map(rename),
        propertyDependencies: Object.fromEntries(
          Object.entries(resource.propertyDependencies).map(([key, urns]) => [
            key,
            urns.map(rename),
          ]),
        ),
      });
    }
  }
  return resources;
}

function parseSizes(text: string): number[] {
  const sizes = text.split(",").map((part) => Number(part.trim()));
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new UsageError(`--resources '${text}': expected positive integers separated by commas`);
  }
  return sizes;
}

async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      resources: { type: "string", default: "1000,10000" },
      runs: { type: "string", default: "3" },
      concurrency: { type: "string", default: "64" },
      stack: { type: "string", default: "prod" },
    },
    USAGE,
  );
  const sizes = parseSizes(flags.resources as string);
  const runs = Number(flags.runs);
  const concurrency = Number(flags.concurrency);
  const stack = flags.stack as string;
  const log = (message: string) => process.stderr.write(`bench:policy: ${message}\n`);

  log(`recording stack '${stack}' as the template`);
  const template = (await runProgram({ stack })).resources;
  const project = loadProjectStack(PROJECT_ROOT, stack);
  const session = await PolicySession.start({
    stack,
    project: project.projectName,
    stackConfig: project.config,
  });
  try {
    await session.configure({});
    const types = new Set(template.map((resource) => resource.type)).size;
    console.log(
      `policy pack ${session.pack.name}@${session.pack.version}: ${session.pack.policies.length} policies; ` +
        `start-up (spawn to listening, ts-node compile included) ${session.startupMs} ms`,
    );
    console.log(
      `template: ${template.length} resources of ${types} types from stack '${stack}'; ` +
        `${concurrency} Analyze calls in flight; median of ${runs} runs after one warm-up`,
    );
    await session.analyze(syntheticResources(template, Math.min(1000, sizes[0])), concurrency);
    const results: { size: number; totalMs: number }[] = [];
    for (const size of sizes) {
      const resources = syntheticResources(template, size);
      const each: number[] = [];
      const stackTimes: number[] = [];
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        await session.analyzeEach(resources, concurrency);
        const middle = performance.now();
        await session.analyzeStack(resources);
        each.push(middle - started);
        stackTimes.push(performance.now() - middle);
      }
      const eachMs = median(each);
      const stackMs = median(stackTimes);
      const totalMs = eachMs + stackMs;
      results.push({ size, totalMs });
      console.log(
        `${String(size).padStart(6)} resources: ${Math.round(size / (totalMs / 1000))
          .toString()
          .padStart(6)} resources/s ` +
          `(Analyze x${size}: ${eachMs.toFixed(0)} ms, AnalyzeStack: ${stackMs.toFixed(0)} ms, total ${totalMs.toFixed(0)} ms)`,
      );
    }
    // The protocol's floor: the same number of Analyze calls for a resource no policy looks at.
    const largest = sizes[sizes.length - 1];
    const empty = Array.from({ length: largest }, (_, index) => ({
      urn: `urn:pulumi:${stack}::bench::bench:index:Empty::empty-${index}`,
      type: "bench:index:Empty",
      name: `empty-${index}`,
      inputs: {},
    }));
    const floorTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      await session.analyzeEach(empty, concurrency);
      floorTimes.push(performance.now() - started);
    }
    const floorMs = median(floorTimes);
    console.log(
      `floor: ${largest} Analyze calls of an empty resource no policy covers: ` +
        `${Math.round(largest / (floorMs / 1000))} calls/s (${floorMs.toFixed(0)} ms): gRPC and protobuf per call`,
    );
    const atLargest = results[results.length - 1];
    const throughput = atLargest.size / (atLargest.totalMs / 1000);
    const floorRate = largest / (floorMs / 1000);
    console.log(
      `ratio: ${Math.round(throughput)} resources/s at ${atLargest.size} is ${((throughput / floorRate) * 100).toFixed(0)}% of the floor's ${Math.round(floorRate)} calls/s (target >= 80%)`,
    );
    if (results.length > 1) {
      const first = results[0];
      const last = results[results.length - 1];
      const growth = last.totalMs / first.totalMs / (last.size / first.size);
      console.log(
        `time per resource at ${last.size} vs ${first.size}: x${growth.toFixed(2)} (1.00 = linear)`,
      );
    }
  } finally {
    await session.close();
  }
  return 0;
}

runCli("bench:policy", main);
