import { copyImage } from './copy-image.js';
import { createGlanceDownload } from './glance-download.js';
import { registerMethod } from './method.js';
import './web-download.js';

// The import methods besides glance-direct (whose data is already staged).
registerMethod(copyImage);
registerMethod(createGlanceDownload());
