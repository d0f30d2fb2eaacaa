import type { GlanceImportError } from '@glance-import/errors';
import { giError } from './errors.js';
import { impliedRoles, type Credentials } from './credentials.js';
import { GLANCE_DEFAULT_RULES } from './defaults.js';
import { evaluate, type Target } from './evaluate.js';
import { readPolicyFile } from './file.js';
import { parseRule, references, type RuleNode } from './parse.js';

export interface PolicyLoadOptions {
  /** policy.yaml or policy.json (decided by the content); its rules replace the defaults of the same name. */
  file?: string;
  /** Rules applied last, over the defaults and the file. */
  rules?: Readonly<Record<string, string>>;
  /** `'glance'` (the default): Glance's registered defaults; `'none'`: only the file and `rules`. */
  defaults?: 'glance' | 'none';
}

/** The rule oslo falls back to for a name nobody defined. */
const DEFAULT_RULE = 'default';

export class PolicyEnforcer {
  /** Effective check strings: defaults, then the file, then `rules`, each replacing whole rules. */
  readonly rules: ReadonlyMap<string, string>;
  /** GI_POLICY_UNDEFINED_RULE and GI_POLICY_CYCLE notices found when loading; such checks fail closed. */
  readonly warnings: readonly GlanceImportError[];
  private readonly compiled: ReadonlyMap<string, RuleNode>;

  private constructor(layers: readonly (readonly [source: string, rules: Readonly<Record<string, string>>])[]) {
    const rules = new Map<string, string>();
    const compiled = new Map<string, RuleNode>();
    for (const [source, layer] of layers) {
      for (const [rule, text] of Object.entries(layer)) {
        compiled.set(rule, parseRule(text, { rule, source }));
        rules.set(rule, text);
      }
    }
    this.rules = rules;
    this.compiled = compiled;
    this.warnings = lint(compiled);
  }

  static async load(options: PolicyLoadOptions = {}): Promise<PolicyEnforcer> {
    const layers: [string, Readonly<Record<string, string>>][] = [];
    if ((options.defaults ?? 'glance') === 'glance') layers.push(['Glance default', GLANCE_DEFAULT_RULES]);
    if (options.file !== undefined) layers.push([options.file, await readPolicyFile(options.file)]);
    if (options.rules) layers.push(['rules option', options.rules]);
    return new PolicyEnforcer(layers);
  }

  /** Whether `rule` allows `creds` to act on `target`; a rule nobody defined means the `default` rule. */
  check(rule: string, target: Target, creds: Credentials): boolean {
    const name = this.compiled.has(rule) ? rule : DEFAULT_RULE;
    const node = this.compiled.get(name);
    if (!node) return false;
    return evaluate(node, { rules: this.compiled, target, creds: this.credentials(creds), active: new Set([name]) });
  }

  /** Throws GI_POLICY_FORBIDDEN (403) unless `check` allows it. */
  enforce(rule: string, target: Target, creds: Credentials): void {
    if (!this.check(rule, target, creds)) throw giError('GI_POLICY_FORBIDDEN', { rule });
  }

  /**
   * Add implied roles; when `is_admin` is not given, take it from `context_is_admin` as Glance's
   * RequestContext does, so `is_admin:True` checks agree with the admin rule.
   */
  private credentials(creds: Credentials): Record<string, unknown> {
    const out: Record<string, unknown> = { ...creds, roles: impliedRoles(Array.isArray(creds.roles) ? creds.roles : []) };
    if (typeof creds.is_admin !== 'boolean') {
      const rule = this.compiled.get('context_is_admin');
      out['is_admin'] = undefined;
      out['is_admin'] = rule !== undefined && evaluate(rule, { rules: this.compiled, target: out, creds: out, active: new Set(['context_is_admin']) });
    }
    return out;
  }
}

/** References to undefined rules, and cycles of references, each reported once. */
function lint(compiled: ReadonlyMap<string, RuleNode>): GlanceImportError[] {
  const warnings: GlanceImportError[] = [];
  const graph = new Map<string, string[]>();
  for (const [rule, node] of compiled) {
    const refs = [...new Set(references(node))];
    graph.set(
      rule,
      refs.filter((r) => compiled.has(r)),
    );
    for (const missing of refs.filter((r) => !compiled.has(r))) warnings.push(giError('GI_POLICY_UNDEFINED_RULE', { rule, missing }));
  }
  for (const cycle of cycles(graph)) warnings.push(giError('GI_POLICY_CYCLE', { cycle }));
  return warnings;
}

function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const done = new Set<string>();
  const path: string[] = [];
  const found: string[][] = [];
  const visit = (name: string) => {
    path.push(name);
    for (const next of graph.get(name) ?? []) {
      const open = path.indexOf(next);
      if (open >= 0) found.push([...path.slice(open), next]);
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    done.add(name);
  };
  for (const name of graph.keys()) if (!done.has(name)) visit(name);
  return found;
}
