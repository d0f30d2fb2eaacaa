import { readFile } from 'node:fs/promises';
import { reasonOf } from '@glance-import/errors';
import { giError } from './errors.js';
import { parseDocument } from 'yaml';
import { failer, parseCheck, tokenize } from './parse.js';

/** Read a policy.yaml or policy.json; which one is decided by the content, not the name. */
export async function readPolicyFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw giError('GI_POLICY_FILE', { file, reason: reasonOf(e) }, { cause: e });
  }
  return parsePolicyText(text, file);
}

export function parsePolicyText(text: string, file: string): Record<string, string> {
  const data = parseData(text, file);
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw giError('GI_POLICY_FILE', { file, reason: 'the top level must map rule names to check strings' });
  }
  const rules: Record<string, string> = {};
  for (const [name, value] of Object.entries(data)) {
    if (typeof value === 'string') rules[name] = value;
    else if (Array.isArray(value)) rules[name] = fromListForm(value, name, file);
    // oslo reads a missing value as "allow everyone"; too easy to write by accident to accept.
    else
      throw giError('GI_POLICY_FILE', {
        file,
        reason: `rule '${name}' must be a check string, not ${value === null ? 'empty' : typeof value}; write "" to allow everyone or "!" to allow no one`,
      });
  }
  return rules;
}

/**
 * oslo reads every policy file as YAML, of which JSON is a subset; trying JSON first only lets an error
 * speak the language the text looks like.
 */
function parseData(text: string, file: string): unknown {
  let jsonError: unknown;
  try {
    return JSON.parse(text);
  } catch (e) {
    jsonError = e;
  }
  const doc = parseDocument(text);
  const [yamlError] = doc.errors;
  if (!yamlError) return doc.toJS();
  const looksJson = text.trimStart().startsWith('{');
  const reason = looksJson ? `invalid JSON: ${reasonOf(jsonError)}` : `invalid YAML: ${yamlError.message}`;
  throw giError('GI_POLICY_FILE', { file, reason }, { cause: looksJson ? jsonError : yamlError });
}

/**
 * The legacy list-of-lists form: the outer list is `or`, each inner list `and` of single checks.
 * It becomes the equivalent check string, so `rules` shows one language.
 */
function fromListForm(value: unknown[], rule: string, source: string): string {
  if (value.length === 0) return '';
  const alternatives: string[][] = [];
  for (const inner of value) {
    const checks = typeof inner === 'string' ? [inner] : inner;
    if (!Array.isArray(checks) || !checks.every((c): c is string => typeof c === 'string')) {
      throw giError('GI_POLICY_FILE', { file: source, reason: `rule '${rule}': a list-form rule holds lists of check strings` });
    }
    for (const check of checks) singleCheck(check, rule, source);
    if (checks.length) alternatives.push(checks);
  }
  if (alternatives.length === 0) return '!';
  const group = (checks: string[]) => (checks.length > 1 && alternatives.length > 1 ? `(${checks.join(' and ')})` : checks.join(' and '));
  return alternatives.map(group).join(' or ');
}

/** Each element of the list form is one check (oslo's `_parse_check`), never an expression. */
function singleCheck(text: string, rule: string, source: string): void {
  const origin = { rule, source };
  const tokens = tokenize(text, origin);
  const fail = failer(text, origin);
  if (tokens.length !== 1 || tokens[0]!.kind !== 'check') fail(tokens[1]?.at ?? 1, 'each element of a list-form rule must be one check such as role:admin');
  parseCheck(tokens[0]!, fail);
}
