// SASL for the binary protocol, as memcached built with SASL offers it, with the one mechanism a
// configured `memcached-sasl user:password` needs: PLAIN (RFC 4616), whose single message is
// "authzid NUL authcid NUL password". memcached's own password database (SASL_PWDB) accepts an
// authorization id only when it is empty or the user itself, and so does this.

export interface SaslCredentials {
  user: string;
  password: string;
}

/** What SASL_LIST_MECHS answers: the mechanisms separated by spaces. */
export const SASL_MECHANISMS = 'PLAIN';

/** `user:password` from the directive (the password may contain colons); undefined when empty. */
export function parseSaslCredentials(setting: string): SaslCredentials | undefined {
  if (setting === '') return undefined;
  // Compared with the client's bytes, which the binary protocol hands over as latin1 text.
  setting = Buffer.from(setting, 'utf8').toString('latin1');
  const colon = setting.indexOf(':');
  if (colon < 0) return { user: setting, password: '' };
  return { user: setting.slice(0, colon), password: setting.slice(colon + 1) };
}

/** A PLAIN message (latin1) against the configured credentials. */
export function checkPlainAuth(message: string, credentials: SaslCredentials): boolean {
  const first = message.indexOf('\0');
  if (first < 0) return false;
  const second = message.indexOf('\0', first + 1);
  if (second < 0) return false;
  const authzid = message.slice(0, first);
  const user = message.slice(first + 1, second);
  const password = message.slice(second + 1);
  if (authzid !== '' && authzid !== user) return false;
  return user === credentials.user && password === credentials.password;
}
