/**
 * A collection's `first` or `next` link as Glance writes it: the request's own query, `marker`
 * left out (`first`) or set to the last item of the page (`next`). Unlike Glance, which reads the
 * query as a dict, a repeated key (`tag=a&tag=b`) keeps all its values.
 */
export function pageLink(path: string, query: Record<string, string | string[]>, marker?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k === 'marker') continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  }
  if (marker !== undefined) params.set('marker', marker);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
