// The public surface of @glance-import/policy: nothing else is imported from outside the package.
export { PolicyEnforcer, type PolicyLoadOptions } from './enforcer.js';
export { type Credentials, impliedRoles, elevate } from './credentials.js';
export { type Target } from './evaluate.js';
export { imageTarget, newImageTarget, enforceImage, enforceVisibility, type ImageLike } from './image.js';
export { GLANCE_DEFAULT_RULES } from './defaults.js';
export { policyErrors } from './errors.js';
export { parseRule, type RuleNode, type Template } from './parse.js';
