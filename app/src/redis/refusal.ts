/**
 * Redis error replies that mean the command was rejected before it changed anything
 * (https://redis.io/docs/latest/develop/reference/protocol-spec/#simple-errors: the first word is
 * the error's kind). A write that got one of these is definitely not applied; one that got no
 * reply (a timeout, a dropped connection) has an unknown outcome.
 */
export const REFUSAL_KINDS = [
  "OOM",
  "READONLY",
  "NOAUTH",
  "WRONGPASS",
  "NOPERM",
  "MISCONF",
  "LOADING",
  "MASTERDOWN",
] as const;

/** ioredis rejects at once, without sending, when the connection is down and the offline queue off. */
const NOT_SENT = "Stream isn't writeable";

/** The kind of refusal (e.g. "OOM"), or undefined when the command may have been applied. */
export function refusalReason(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err.message.startsWith(NOT_SENT)) return "not connected";
  const kind = /^([A-Z]+) /.exec(err.message)?.[1];
  if (kind && (REFUSAL_KINDS as readonly string[]).includes(kind)) return kind;
  // Inside a script, Redis reports a rejected call as "ERR ... <KIND> ..." (e.g. OOM on SET).
  const inScript = /\b(OOM|READONLY|NOPERM|MISCONF)\b/.exec(err.message);
  return err.name === "ReplyError" && inScript ? inScript[1] : undefined;
}
