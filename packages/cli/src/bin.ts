#!/usr/bin/env node
import { tuneStart } from './heap-tuning.js';

// Before the commands load: how large V8's young generation grows is decided while they do.
if (process.argv[2] === 'serve') tuneStart();
const { main } = await import('./main.js');

process.exitCode = await main(process.argv.slice(2));
