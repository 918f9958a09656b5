// Header values screenpop writes: built from parsed, cleaned values only, never copied raw.

const MAX_NAME = 60;

/** A display name safe inside a quoted-string: no quotes, backslashes or control characters. */
export function quotedName(name: string): string {
  const clean = Array.from(name.replace(/[\p{Cc}"\\]/gu, '').trim()).slice(0, MAX_NAME).join('').trim();
  return `"${clean}"`;
}

/** A number safe as the user part of a SIP URI (digits, a leading +, * and #). */
export function uriUser(number: string): string | null {
  const user = number.replace(/[^+\d*#]/g, '').replace(/(?!^)\+/g, '');
  return /\d/.test(user) ? user.slice(0, 32) : null;
}

/**
 * The From header of the agent's leg: the caller as screenpop identified them (PAI/RPID/From),
 * anonymous when withheld. drachtio-server puts its own address in place of "localhost".
 */
export function fromHeader(caller: { number: string | null; name: string | null; withheld: boolean }): string {
  const user = caller.withheld || !caller.number ? null : uriUser(caller.number);
  if (!user) return '"Anonymous" <sip:anonymous@localhost>';
  return caller.name ? `${quotedName(caller.name)} <sip:${user}@localhost>` : `<sip:${user}@localhost>`;
}
