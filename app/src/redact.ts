/**
 * What a message may show of a configuration value: never a credential. A variable whose name says
 * it holds one (ends in PASSWORD, TOKEN, SECRET, KEY, ...) is hidden whole; in any other value, the user-info part of a URL
 * (`scheme://user:password@host`) is hidden, since REDIS_URL and its like may carry a password.
 */
const SECRET_NAME = /(PASSWORD|PASSWD|PWD|TOKEN|SECRET|KEY|CREDENTIALS?|AUTHORIZATION)$/i;

export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s@]*@/gi, "$1[hidden]@");
}

export function redact(name: string, value: string | undefined): string {
  if (value === undefined) return "unset";
  if (SECRET_NAME.test(name)) return "[hidden]";
  return JSON.stringify(redactUrls(value));
}
