/**
 * The API's permissions, shared by the app (which checks them) and the stack (which declares them
 * on the API's Entra ID application, infra/azure/api-app.ts). A delegated token carries them in
 * `scp` (space-separated), an application token in `roles`.
 */
export const ITEMS_SCOPES = {
  read: "Items.Read",
  write: "Items.Write",
} as const;

export type ItemsScope = (typeof ITEMS_SCOPES)[keyof typeof ITEMS_SCOPES];

/** GET and HEAD read; every other method changes items. */
export function scopeForMethod(method: string): ItemsScope {
  return method === "GET" || method === "HEAD" ? ITEMS_SCOPES.read : ITEMS_SCOPES.write;
}
