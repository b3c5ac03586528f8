/** Signature keys of the Pulumi engine's wire format. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SECRET_MASK = "[secret]";
/** The engine's wire sentinel for a value unknown at preview (`@pulumi/pulumi/runtime/rpc.js`). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const UNKNOWN_MASK = "[unknown]";

export function isWireSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/** A copy of a wire-format value with every secret (and unknown) replaced by a mask, for printing. */
export function maskSecrets(value: unknown): unknown {
  if (isWireSecret(value)) return SECRET_MASK;
  if (value === UNKNOWN_VALUE) return UNKNOWN_MASK;
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, maskSecrets(inner)]),
    );
  }
  return value;
}

/** A copy of a wire-format value with secrets unwrapped to their plain values. */
export function revealSecrets(value: unknown): unknown {
  if (isWireSecret(value)) return revealSecrets(value.value);
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, revealSecrets(inner)]),
    );
  }
  return value;
}

/** Every plain leaf value inside the wire secrets of `value`, as text. */
function secretLeaves(value: unknown, insideSecret: boolean, found: Set<string>): void {
  if (isWireSecret(value)) return secretLeaves(value.value, true, found);
  if (Array.isArray(value)) {
    for (const item of value) secretLeaves(item, insideSecret, found);
  } else if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) secretLeaves(inner, insideSecret, found);
  } else if (insideSecret && value !== null && value !== undefined && value !== "") {
    found.add(String(value));
  }
}

/** Shorter secrets are masked only where a message quotes them, so "1" does not vanish everywhere. */
const MIN_BARE_SECRET_LENGTH = 4;

/**
 * A function that masks, in any text, every value the program marked secret in `values` (policies
 * quote the values they judge, and @pulumi/policy hands them the secrets unwrapped). Longest first,
 * so a secret that contains another is masked whole.
 */
export function secretRedactor(values: unknown[]): (text: string) => string {
  const found = new Set<string>();
  for (const value of values) secretLeaves(value, false, found);
  const secrets = [...found].sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let masked = text;
    for (const secret of secrets) {
      masked = masked.split(JSON.stringify(secret)).join(SECRET_MASK);
      if (secret.length >= MIN_BARE_SECRET_LENGTH) masked = masked.split(secret).join(SECRET_MASK);
    }
    return masked;
  };
}
