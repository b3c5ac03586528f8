import Module from "node:module";

/**
 * @pulumi/pulumi's runtime/index.js loads its function-serialization modules at start-up
 * (`runtime/closure/serializeClosure` and `codePaths`, for `pulumi.runtime.serializeFunction`
 * and `computeCodePaths`), which pulls in the TypeScript compiler and @npmcli/arborist: about a
 * second of every program run on this machine, for functions only programs that ship closures
 * (AWS Lambda callbacks) call. Pulumi itself loads the same module on demand elsewhere
 * ("Load runtime/closure on demand, as its dependencies are slow to load", dynamic/index.js of
 * @pulumi/pulumi 3.270.0). So runtime/index.js gets a stand-in for each: the functions it re-exports
 * load the real module on their first call; reading anything else loads it at once. A program
 * sees the same functions with the same behaviour, only loaded later. The inspector session the
 * serializer uses to name a function's file (runtime/closure/v8Hooks.js, which the real language
 * host opens before the program: cmd/run/index.js `initializeHooks`) then opens on first use; it
 * loses nothing, since `Debugger.enable` reports the scripts parsed before it as well
 * (test/tools/lazy-closure.test.ts checks this).
 */
const LAZY_EXPORTS: Record<string, readonly string[]> = {
  "./closure/serializeClosure": ["serializeFunction", "serializeFunctionAsync"],
  "./closure/codePaths": ["computeCodePaths"],
};

const RUNTIME_INDEX = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]index\.js$/;

type Exports = Record<string | symbol, unknown>;
type Load = (
  request: string,
  parent: { filename?: string } | undefined,
  isMain: boolean,
) => unknown;

function standIn(loadReal: () => Exports, lazyFunctions: readonly string[]): Exports {
  let real: Exports | undefined;
  const module = () => (real ??= loadReal());
  const deferred = new Map<string | symbol, unknown>();
  for (const name of lazyFunctions) {
    deferred.set(name, (...args: unknown[]) =>
      (module()[name] as (...args: unknown[]) => unknown)(...args),
    );
  }
  return new Proxy({} as Exports, {
    get: (_, name) =>
      real === undefined && deferred.has(name) ? deferred.get(name) : module()[name],
    has: (_, name) => name in module(),
    ownKeys: () => Reflect.ownKeys(module()),
    getOwnPropertyDescriptor: (_, name) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(module(), name);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

let installed = false;

/** Installs the stand-ins for every @pulumi/pulumi this process loads (the program's own copy). */
export function deferClosureModules(): void {
  if (installed) return;
  installed = true;
  const moduleWithLoad = Module as unknown as { _load: Load };
  const load = moduleWithLoad._load;
  moduleWithLoad._load = function (request, parent, isMain) {
    const lazyFunctions = LAZY_EXPORTS[request];
    if (lazyFunctions && parent?.filename && RUNTIME_INDEX.test(parent.filename)) {
      return standIn(() => load.call(this, request, parent, isMain) as Exports, lazyFunctions);
    }
    return load.call(this, request, parent, isMain);
  };
}
