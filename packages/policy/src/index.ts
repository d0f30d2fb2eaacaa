// The public surface of @glance-import/policy: nothing else is imported from outside the package.
export { type Target } from './evaluate.js';
export { parseRule, type RuleNode, type Template } from './parse.js';
