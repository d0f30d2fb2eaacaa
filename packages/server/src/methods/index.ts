import { copyImage } from './copy-image.js';
import { registerMethod } from './method.js';

// The import methods besides glance-direct (whose data is already staged).
registerMethod(copyImage);
