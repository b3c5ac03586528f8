/** Signature keys of the Pulumi engine's wire format. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SECRET_MASK = "[secret]";

export function isWireSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/** A copy of a wire-format value with every secret replaced by a mask, for printing. */
export function maskSecrets(value: unknown): unknown {
  if (isWireSecret(value)) return SECRET_MASK;
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
