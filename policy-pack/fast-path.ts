/**
 * @pulumi/policy 1.21 turns a resource's properties from protobuf into JavaScript once per policy
 * in Analyze, and every resource once per stack policy in AnalyzeStack: with 51 policies that is
 * most of a check's time. The properties of one request never change while it is analyzed, so the
 * result is kept per protobuf message (the request owns it; it is collected with the request).
 * Policies only read their props; none may modify them, since the object is now shared.
 * Pinned to @pulumi/policy 1.21.0 (policy-pack/package.json); test/policy/fast-path.test.ts checks
 * that the pack's server still calls the function through the module we replace it on.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const deserialize: DeserializeModule = require("@pulumi/policy/deserialize");

interface DeserializeModule {
  deserializeProperties(struct: object, keepUnknowns?: boolean): unknown;
}

const memoized = Symbol.for("aks-devsecops.memoizedDeserialize");

export function memoizeDeserialization(module: DeserializeModule = deserialize): void {
  const current = module.deserializeProperties as DeserializeModule["deserializeProperties"] & {
    [memoized]?: true;
  };
  if (current[memoized]) return;
  const cache = new WeakMap<object, unknown>();
  const wrapped = (struct: object, keepUnknowns?: boolean) => {
    if (keepUnknowns) return current(struct, keepUnknowns);
    if (!cache.has(struct)) cache.set(struct, current(struct, false));
    return cache.get(struct);
  };
  module.deserializeProperties = Object.assign(wrapped, { [memoized]: true as const });
}
