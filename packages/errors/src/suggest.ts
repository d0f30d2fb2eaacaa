/** Damerau-free Levenshtein distance; small inputs only (names of options and plugins). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** Up to three known names close to `input`, best first ("did you mean"). */
export function suggest(input: string, known: Iterable<string>): string[] {
  const lower = input.toLowerCase();
  const scored: Array<[string, number]> = [];
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    const limit = Math.max(2, Math.floor(k.length / 3));
    if (d <= limit || k.toLowerCase().includes(lower) || lower.includes(k.toLowerCase())) scored.push([k, d]);
  }
  return scored
    .sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))
    .slice(0, 3)
    .map(([k]) => k);
}

/** " Did you mean 'a', 'b'?" for a message, or '' when there is nothing to suggest. */
export function didYouMean(suggestions?: readonly string[]): string {
  return suggestions && suggestions.length ? ` Did you mean ${quoteList(suggestions)}?` : '';
}

/** 'a', 'b', 'c' */
export function quoteList(items: readonly string[]): string {
  return items.map((i) => `'${i}'`).join(', ');
}
