// Ratios, verdicts and the table. A ratio misses its target only by more than the spread of the
// samples behind it (half their range relative to the median, both sides added).

const fmt = (v, unit) =>
  unit === 's' ? `${v.toFixed(2)} s` : unit === 'ms' ? `${v.toFixed(1)} ms` : unit === 'MiB' ? `${v.toFixed(0)} MiB` : `${v.toFixed(0)}/s`;
const pm = (x) => `±${(x.spread * 100).toFixed(0)}%`;

/** Fills `ratio`, `glanceRatio` and `verdict` ('ok', 'within spread', 'MISSED') of a row. */
export function judge(row) {
  const verdicts = [];
  const check = (ratio, target, spreadSum, atMost) => {
    if (atMost ? ratio <= target : ratio >= target) return 'ok';
    const slack = atMost ? target * (1 + spreadSum) : target * (1 - spreadSum);
    return (atMost ? ratio <= slack : ratio >= slack) ? 'within spread' : 'MISSED';
  };
  if (row.limit) {
    // Times: ours / limit, at most the target; rates (higher is better): limit / ours, at most the target.
    row.ratio = row.higher ? row.limit.median / row.ours.median : row.ours.median / row.limit.median;
    // A time below what the client can resolve (it polls every 20 ms) is within the target when the difference is.
    const resolved = row.resolutionS !== undefined && row.ours.median - row.limit.median * row.limit.target <= row.resolutionS;
    verdicts.push(resolved ? 'within resolution' : check(row.ratio, row.limit.target, row.ours.spread + row.limit.spread, true));
  }
  if (row.glance) {
    // How many times better than Glance: at least the target.
    row.glanceRatio = row.higher ? row.ours.median / row.glance.median : row.glance.median / row.ours.median;
    verdicts.push(check(row.glanceRatio, row.glance.target, row.ours.spread + row.glance.spread, false));
  }
  if (row.absolute) verdicts.push(row.ours.median <= row.absolute.max ? 'ok' : 'MISSED');
  row.verdict = verdicts.includes('MISSED') ? 'MISSED' : (verdicts.find((v) => v !== 'ok') ?? 'ok');
  return row;
}

export function formatTable(rows, { rounds, gdRounds = rounds, quick }) {
  const head = ['case', 'ours (median, spread)', 'limit / baseline', 'ratio', 'target', 'Glance', '× Glance', 'target', 'verdict'];
  const body = rows.map((r) => [
    r.case,
    `${fmt(r.ours.median, r.unit)} ${r.ours.samples.length > 1 ? pm(r.ours) : ''}`.trim(),
    r.limit ? `${fmt(r.limit.median, r.unit)} ${pm(r.limit)} ${r.limit.label}` : r.absolute ? `limit ${fmt(r.absolute.max, r.unit)}` : '',
    r.ratio !== undefined ? r.ratio.toFixed(2) : '',
    r.limit ? `≤ ${r.limit.target}` : r.absolute ? `≤ ${r.absolute.max}` : '',
    r.glance ? `${fmt(r.glance.median, r.unit)} ${pm(r.glance)}` : '',
    r.glanceRatio !== undefined ? r.glanceRatio.toFixed(2) : '',
    r.glance ? `≥ ${r.glance.target}` : '',
    r.verdict,
  ]);
  const lines = [head, ...body].map((cells) => `| ${cells.join(' | ')} |`);
  lines.splice(1, 0, `|${head.map(() => '---').join('|')}|`);
  const note = `Medians of ${rounds} rounds${gdRounds !== rounds ? ` (${gdRounds} for glance-direct against its limit)` : ''}${quick ? ' (QUICK MODE: small files, the harness only; ratios are not the targets)' : ''}; spread = half the range of the rounds relative to the median. ratio = ours / the limit (times) or the limit / ours (rates): at most the target; × Glance = how many times better than the reference Glance in the same run: at least the target.`;
  return `${note}\n\n${lines.join('\n')}`;
}
