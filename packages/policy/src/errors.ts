import { def, defineErrors } from '@glance-import/errors';

/**
 * The policy engine's error codes.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */
export const policyErrors = defineErrors('GI_POLICY_', {
  GI_POLICY_FORBIDDEN: def<{ rule: string }>({
    status: 403,
    // Glance's own wording (exception.Forbidden with action=<rule>); clients match on it.
    message: (p) => `You are not authorized to complete ${p.rule} action.`,
    hint: (p) => `The policy rule '${p.rule}' denied the caller. Ask for a role it accepts, or change '${p.rule}' in the policy file.`,
  }),
  GI_POLICY_HIDDEN: def<{ rule: string; image: string }>({
    status: 404,
    // Glance answers a bare HTTPNotFound here, so nothing says whether the image exists.
    message: () => 'The resource could not be found.',
    hint: 'The image does not exist, or the caller may not see it (policy rule get_image).',
  }),
  GI_POLICY_SYNTAX: def<{ rule: string; source: string; text: string; position: number; reason: string }>({
    message: (p) => `Policy rule '${p.rule}' (${p.source}) cannot be parsed at character ${p.position}: ${p.reason}. Rule: ${JSON.stringify(p.text)}`,
    hint: 'Check strings are checks such as role:admin, rule:<name>, project_id:%(project_id)s or \'public\':%(visibility)s, joined by and, or, not and parentheses; "" allows everyone and "!" no one.',
  }),
  GI_POLICY_FILE: def<{ file: string; reason: string }>({
    message: (p) => `Policy file '${p.file}' cannot be used: ${p.reason}.`,
    hint: 'A policy file is a YAML or JSON mapping of rule names to check strings, e.g. `modify_image: "role:admin"`; rules it leaves out keep their defaults.',
  }),
  GI_POLICY_UNDEFINED_RULE: def<{ rule: string; missing: string }>({
    message: (p) => `Policy rule '${p.rule}' refers to rule:${p.missing}, which is not defined; that check always fails.`,
    hint: (p) => `Define '${p.missing}' in the policy file, or fix the reference in '${p.rule}'.`,
  }),
  GI_POLICY_CYCLE: def<{ cycle: string[] }>({
    message: (p) => `Policy rules refer to each other in a cycle: ${p.cycle.join(' -> ')}; a check that reaches the cycle fails.`,
    hint: 'Break the cycle: one of these rules must decide without rule: references back into the others.',
  }),
});

/** Builds one of this package's errors: `giError('GI_POLICY_FORBIDDEN', { ... })`. */
export const giError = policyErrors.error;
