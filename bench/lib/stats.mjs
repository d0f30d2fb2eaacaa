// Medians and spreads of a few rounds: on a shared machine one number means little.

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Half the range of the samples, relative to their median (0.1: the rounds lie within ±10 %). */
export const spread = (xs) => (xs.length < 2 ? 0 : (Math.max(...xs) - Math.min(...xs)) / 2 / median(xs));

/** The `p`th percentile (ms) of latencies given as [microseconds, count] pairs, in any order. */
export function percentileOf(latencies, p) {
  const sorted = [...latencies].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((n, [, c]) => n + c, 0);
  let seen = 0;
  for (const [us, c] of sorted) {
    seen += c;
    if (seen >= (total * p) / 100) return us / 1000;
  }
  return NaN;
}

export const secondsSince = (t) => Number(process.hrtime.bigint() - t) / 1e9;

/** Seconds `fn` takes, `rounds` times (`fn` may return its own seconds, e.g. measured from inside). */
export async function rounds(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const own = await fn(i);
    out.push(typeof own === 'number' ? own : secondsSince(t));
  }
  return out;
}

/** Seconds `fn` takes once. */
export const secondsOf = async (fn) => (await rounds(1, fn))[0];

export const summary = (xs) => ({ median: median(xs), spread: spread(xs), samples: xs });
