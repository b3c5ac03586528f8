"use strict";
// Plain JavaScript, not TypeScript: the policy pack's process loads it with `node --require`
// before ts-node starts (tools/analyzer/pack.ts), and the program's process imports it
// (tools/engine/child.ts). Types: lazy-closure.d.cts.
const Module = require("node:module");

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
const LAZY_EXPORTS = {
  "./closure/serializeClosure": ["serializeFunction", "serializeFunctionAsync"],
  "./closure/codePaths": ["computeCodePaths"],
};

const RUNTIME_INDEX = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]index\.js$/;

/** A module's exports that load the real module on first use; `lazyFunctions` wait for a call. */
function standIn(loadReal, lazyFunctions) {
  let real;
  const module = () => (real ??= loadReal());
  const deferred = new Map();
  for (const name of lazyFunctions) {
    deferred.set(name, (...args) => module()[name](...args));
  }
  return new Proxy(
    {},
    {
      get: (_, name) =>
        real === undefined && deferred.has(name) ? deferred.get(name) : module()[name],
      has: (_, name) => name in module(),
      ownKeys: () => Reflect.ownKeys(module()),
      getOwnPropertyDescriptor: (_, name) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(module(), name);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}

let installed = false;

/** Installs the stand-ins for every @pulumi/pulumi this process loads (the program's own copy). */
function deferClosureModules() {
  if (installed) return;
  installed = true;
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const lazyFunctions = LAZY_EXPORTS[request];
    if (lazyFunctions && parent?.filename && RUNTIME_INDEX.test(parent.filename)) {
      return standIn(() => load.call(this, request, parent, isMain), lazyFunctions);
    }
    return load.call(this, request, parent, isMain);
  };
}

module.exports = { deferClosureModules };
