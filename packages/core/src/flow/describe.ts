import type { Flow, FlowItem } from './flows.js';

/** An indented outline of a flow, one line per flow and task, for `config check` and logs. */
export function describeFlow(item: FlowItem, indent = ''): string[] {
  if (item.kind === 'task') {
    const io = [item.requires.length ? `requires ${item.requires.join(', ')}` : '', item.provides.length ? `provides ${item.provides.join(', ')}` : ''].filter(
      Boolean,
    );
    return [`${indent}${item.name}${io.length ? ` (${io.join('; ')})` : ''}`];
  }
  const f: Flow = item;
  const retry = f.retry ? `, retry ${f.retry.name}` : '';
  return [`${indent}${f.name} [${f.pattern}${retry}]`, ...f.items.flatMap((child) => describeFlow(child, `${indent}  `))];
}
