/** Which customer search the typed text asks for: a customer number, an e-mail, a phone number, else a name. */
export function searchQuery(text: string): string {
  const q = text.trim();
  const p = new URLSearchParams();
  if (/^C\d{3,}$/i.test(q)) p.set('number', q.toUpperCase());
  else if (q.includes('@')) p.set('email', q);
  else if (/^[+(]?[\d\s().\-/]{5,}$/.test(q)) p.set('phone', q);
  else {
    p.set('q', q);
    p.set('match', 'contains');
  }
  p.set('limit', '10');
  return p.toString();
}
